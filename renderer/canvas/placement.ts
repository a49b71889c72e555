// Where a new LU dropped on a port goes: beside the port, inside the system, clear of what is already there (it used to land on top of the port).
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const GAP = 16;

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * The top-left corner (absolute canvas units) for an LU of `size` exposed by `port`: on the side of the port facing the
 * inside of `system`, level with the port, stepped further inwards past `taken` boxes (other LUs, volumes) it would cover.
 */
export function luSpotBesidePort(port: Box, system: Box, size: { w: number; h: number }, taken: readonly Box[]): { x: number; y: number } {
  const inwards = port.x + port.w / 2 <= system.x + system.w / 2 ? 1 : -1;
  const y = Math.round(port.y + (port.h - size.h) / 2);
  let x = inwards > 0 ? port.x + port.w + GAP : port.x - GAP - size.w;
  for (let i = 0; i < 12; i++) {
    const spot = { x, y, w: size.w, h: size.h };
    const hit = taken.find((b) => overlaps(spot, b));
    if (!hit) break;
    x = inwards > 0 ? hit.x + hit.w + GAP : hit.x - GAP - size.w;
  }
  return { x: Math.round(x), y };
}
