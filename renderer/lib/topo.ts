// Read-only queries over a Topology the designer needs everywhere: find an element, its list, its canvas parent, fresh ids.
import { ELEMENT_LISTS } from '../../app/model/schema';
import { indexTopology, sizeBytesOf } from '../../app/model/index-topology';
import type { AnyElement, ElementList, Topology, Volume } from '../../app/model/schema';

export interface Located {
  list: ElementList;
  index: number;
  element: AnyElement;
}

/** Every id in the document, including host workloads (their ids share the one namespace). */
export function allIds(t: Topology): Set<string> {
  const ids = new Set<string>();
  for (const list of ELEMENT_LISTS) for (const e of t[list]) ids.add(e.id);
  for (const h of t.hosts) for (const w of h.workloads) ids.add(w.id);
  return ids;
}

/** A fresh id `<prefix><n>` not yet used in the document (or in `taken`). */
export function freshId(t: Topology, prefix: string, taken: Set<string> = allIds(t)): string {
  const clean = prefix.replace(/[^A-Za-z0-9_.-]/g, '') || 'e';
  for (let n = 1; ; n++) {
    const id = `${clean}${n}`;
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

export function locate(t: Topology, id: string): Located | null {
  for (const list of ELEMENT_LISTS) {
    const index = (t[list] as AnyElement[]).findIndex((e) => e.id === id);
    if (index >= 0) return { list, index, element: t[list][index] as AnyElement };
  }
  return null;
}

export function volumeById(t: Topology, id: string): Volume | undefined {
  return indexTopology(t).volumes.get(id);
}

/** The canvas container an element sits in: site for systems/hosts, owner for ports, system for volumes/caches/LUs (O(1) via the cached index). */
export function canvasParentId(t: Topology, id: string): string | undefined {
  const ix = indexTopology(t);
  const at = ix.byId.get(id);
  if (!at) return undefined;
  const e = at.element;
  switch (at.list) {
    case 'systems':
    case 'hosts':
      return (e as { siteId: string }).siteId;
    case 'ports':
      return (e as { ownerId: string }).ownerId;
    case 'volumes':
    case 'caches':
      return (e as { systemId: string }).systemId;
    case 'lus': {
      // The model nests an LU in its port; the canvas draws it in that port's system, beside the stack it belongs to.
      const lu = e as Topology['lus'][number];
      const port = ix.ports.get(lu.portId);
      if (port && ix.systems.has(port.ownerId)) return port.ownerId;
      return ix.volumes.get(lu.volumeId)?.systemId;
    }
    default:
      return undefined;
  }
}

/** The nearest storage system an element belongs to (itself for a system). */
export function systemOf(t: Topology, id: string): string | undefined {
  let cur: string | undefined = id;
  for (let guard = 0; cur && guard < 8; guard++) {
    if (t.systems.some((s) => s.id === cur)) return cur;
    cur = canvasParentId(t, cur);
  }
  return undefined;
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** 107374182400 -> "100 GiB": the one byte formatter (app/units.ts), under the name the canvas and inspector use. */
export { bytes as formatBytes } from '../../app/units';

export function formatBandwidth(mbps: number): string {
  return mbps >= 1000 ? `${mbps / 1000 % 1 === 0 ? mbps / 1000 : (mbps / 1000).toFixed(1)} Gbit/s` : `${mbps} Mbit/s`;
}

/** The byte size of a volume or LU (a virtual volume is the sum of its ranges; an alias takes its target's size); 0 when unknown. */
export function sizeOf(t: Topology, id: string): number {
  return sizeBytesOf(t, id) ?? 0;
}

/** Bytes of a lower volume already mapped by virtual volumes (the highest end of any range on it). */
export function takenBytes(t: Topology, lowerId: string): number {
  let end = 0;
  for (const v of t.volumes) if (v.kind === 'virtual') for (const r of v.ranges) if (r.lowerId === lowerId) end = Math.max(end, r.startBytes + r.lengthBytes);
  return end;
}

/**
 * The range a virtual volume gets when it is mapped onto `lowerId`: the part other virtual volumes do not take yet,
 * or, when the lower is full, all of it shared (the patent's multiple virtualization).
 */
export function nextRangeOn(t: Topology, lowerId: string): { lowerId: string; startBytes: number; lengthBytes: number; shared: boolean } {
  const lowerSize = sizeOf(t, lowerId);
  const taken = takenBytes(t, lowerId);
  const free = lowerSize - taken;
  return free > 0 ? { lowerId, startBytes: taken, lengthBytes: free, shared: false } : { lowerId, startBytes: 0, lengthBytes: Math.max(1, lowerSize), shared: true };
}
