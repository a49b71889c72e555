// Edge routes and label spots for the canvas: cables and pairs as orthogonal lines around the nodes they do not belong to, and every edge label placed clear of nodes and of other labels.
//
// elkjs routes edges only as part of laying the nodes out (its layered algorithm moves them; it has no router for fixed
// positions: kieler/elkjs#58, eclipse-elk/elk#315), and React Flow's smoothstep path ignores nodes. The designer keeps the
// user's positions, so the routes are found here: A* over the sparse grid made by the padded sides of the obstacles
// (an orthogonal visibility grid), with a cost per bend and for running along a lane another route already took.
import type { Topology } from '../../app/model/schema';
import type { DesignerEdge, DesignerNode } from './derive';
import { HANDLE, portFacesRight } from './derive';

export interface XY {
  x: number;
  y: number;
}
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface EdgeRoute {
  /** Absolute canvas points from the source handle to the target handle; empty when the edge keeps its plain path. */
  points: XY[];
  /** Centre of the label, absolute canvas units. */
  label?: XY;
  /** The text placed there (a short cable shows its name only). */
  labelText?: string;
  /** Where a cable's full label goes while the cable is selected (placed clear of the others, which do not move for it). */
  selectedLabel?: XY;
}

/** A cable shorter than this shows its name only, its full label when selected (edges.tsx uses the same rule). */
export const SHORT_CABLE = 200;

type Side = 'left' | 'right' | 'top' | 'bottom';

/** Above this many nodes the routes are not computed (a 1,000-element file): edges keep React Flow's plain paths. */
export const ROUTE_MAX_NODES = 400;
/** Clearance kept around nodes; less than half the 24 px between neighbours in a row, so a line can pass between them. */
const PAD = 8;
const STUB = 12;
const BEND_COST = 30;
const SHARED_LANE_COST = 3;
const CONTAINER_HEADER = 40;
/** The part of a container's header a route keeps out of (padded by PAD, it ends where the first ports begin). */
const TITLE_BAR = 30;
/** Height of one live pair-state badge above a volume (live.css .live-badge), canvas units. */
const BADGE_H = 26;

const LEAF = new Set(['port', 'volume', 'lu', 'cache']);

export const overlaps = (a: Box, b: Box, gap = 0) => a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;

/** Absolute boxes of every node (positions in React Flow are relative to the parent). */
export function absoluteBoxes(nodes: readonly DesignerNode[]): Map<string, Box> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, Box>();
  const abs = (id: string): Box | undefined => {
    const known = out.get(id);
    if (known) return known;
    const n = byId.get(id);
    if (!n) return undefined;
    const parent = n.parentId ? abs(n.parentId) : undefined;
    const b = { x: (parent?.x ?? 0) + n.position.x, y: (parent?.y ?? 0) + n.position.y, w: n.width ?? 0, h: n.height ?? 0 };
    out.set(id, b);
    return b;
  };
  for (const n of nodes) abs(n.id);
  return out;
}

/** Where a handle sits on its node, and which way a line leaves it. */
function handleAt(t: Topology, node: DesignerNode, box: Box, handleId: string | null | undefined): { at: XY; side: Side } {
  const midY = box.y + box.h / 2;
  if (node.type === 'port') {
    const right = portFacesRight(t, node.id);
    const outward: Side = right ? 'right' : 'left';
    const side: Side = handleId === HANDLE.cableOut ? (outward === 'right' ? 'left' : 'right') : outward;
    return { at: { x: side === 'right' ? box.x + box.w : box.x, y: midY }, side };
  }
  if (handleId === HANDLE.pairOut) return { at: { x: box.x + box.w, y: midY }, side: 'right' };
  if (handleId === HANDLE.pairIn) return { at: { x: box.x, y: midY }, side: 'left' };
  if (handleId === HANDLE.mapDown) return { at: { x: box.x + box.w / 2, y: box.y + box.h }, side: 'bottom' };
  return { at: { x: box.x + box.w / 2, y: box.y }, side: 'top' };
}

const step = (p: XY, side: Side, d: number): XY =>
  side === 'right' ? { x: p.x + d, y: p.y } : side === 'left' ? { x: p.x - d, y: p.y } : side === 'bottom' ? { x: p.x, y: p.y + d } : { x: p.x, y: p.y - d };

function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A binary heap of [cost, state] pairs. */
class Heap {
  private readonly costs: number[] = [];
  private readonly states: number[] = [];
  get size(): number {
    return this.costs.length;
  }
  push(cost: number, state: number): void {
    const c = this.costs;
    const s = this.states;
    let i = c.length;
    c.push(cost);
    s.push(state);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (c[p]! <= cost) break;
      c[i] = c[p]!;
      s[i] = s[p]!;
      i = p;
    }
    c[i] = cost;
    s[i] = state;
  }
  pop(): number {
    const c = this.costs;
    const s = this.states;
    const top = s[0]!;
    const lastC = c.pop()!;
    const lastS = s.pop()!;
    const n = c.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && c[r]! < c[l]! ? r : l;
        if (c[m]! >= lastC) break;
        c[i] = c[m]!;
        s[i] = s[m]!;
        i = m;
      }
      c[i] = lastC;
      s[i] = lastS;
    }
    return top;
  }
}

interface Grid {
  xs: number[];
  ys: number[];
  /** Per elementary segment, how many obstacles cover it: horizontal (i,j)->(i+1,j) and vertical (i,j)->(i,j+1). */
  hCover: Uint16Array;
  vCover: Uint16Array;
  /** Per segment, how many routes already use it. */
  hUsed: Uint8Array;
  vUsed: Uint8Array;
}

function buildGrid(obstacles: readonly Box[], extra: readonly XY[], bounds: Box): Grid {
  const xsSet = new Set<number>();
  const ysSet = new Set<number>();
  for (const o of obstacles) {
    xsSet.add(o.x - PAD);
    xsSet.add(o.x + o.w + PAD);
    ysSet.add(o.y - PAD);
    ysSet.add(o.y + o.h + PAD);
  }
  for (const p of extra) {
    xsSet.add(p.x);
    ysSet.add(p.y);
  }
  xsSet.add(bounds.x - 3 * PAD);
  xsSet.add(bounds.x + bounds.w + 3 * PAD);
  ysSet.add(bounds.y - 3 * PAD);
  ysSet.add(bounds.y + bounds.h + 3 * PAD);
  const xs = [...xsSet].sort((a, b) => a - b);
  const ys = [...ysSet].sort((a, b) => a - b);
  const nx = xs.length;
  const ny = ys.length;
  const hCover = new Uint16Array(nx * ny);
  const vCover = new Uint16Array(nx * ny);
  for (const o of obstacles) cover(xs, ys, o, hCover, vCover, 1);
  return { xs, ys, hCover, vCover, hUsed: new Uint8Array(nx * ny), vUsed: new Uint8Array(nx * ny) };
}

/** Adds `delta` to the cover count of every elementary segment whose midpoint lies strictly inside the obstacle. */
function cover(xs: readonly number[], ys: readonly number[], o: Box, h: Uint16Array, v: Uint16Array, delta: number): void {
  const nx = xs.length;
  const i0 = lowerBound(xs, o.x - PAD + 0.01);
  const i1 = lowerBound(xs, o.x + o.w + PAD);
  const j0 = lowerBound(ys, o.y - PAD + 0.01);
  const j1 = lowerBound(ys, o.y + o.h + PAD);
  // Horizontal segments on rows strictly inside, from the left side to the right side.
  for (let j = j0; j < j1; j++)
    for (let i = Math.max(0, i0 - 1); i < i1; i++) {
      const k = j * nx + i;
      h[k] = h[k]! + delta;
    }
  for (let i = i0; i < i1; i++)
    for (let j = Math.max(0, j0 - 1); j < j1; j++) {
      const k = j * nx + i;
      v[k] = v[k]! + delta;
    }
}

/** A* from `from` to `to` (both grid points) over segments not covered by any obstacle; returns grid points or null. */
function search(g: Grid, from: XY, to: XY, fromSide: Side, free: (kind: 'h' | 'v', idx: number) => boolean): XY[] | null {
  const { xs, ys } = g;
  const nx = xs.length;
  const ny = ys.length;
  const si = lowerBound(xs, from.x);
  const sj = lowerBound(ys, from.y);
  const ti = lowerBound(xs, to.x);
  const tj = lowerBound(ys, to.y);
  if (xs[si] !== from.x || ys[sj] !== from.y || xs[ti] !== to.x || ys[tj] !== to.y) return null;
  // State: point index * 4 + direction of arrival (0 right, 1 left, 2 down, 3 up).
  const n = nx * ny * 4;
  const best = new Float64Array(n).fill(Infinity);
  const prev = new Int32Array(n).fill(-1);
  const heap = new Heap();
  const h = (i: number, j: number) => Math.abs(xs[i]! - to.x) + Math.abs(ys[j]! - to.y);
  const startDir = fromSide === 'right' ? 0 : fromSide === 'left' ? 1 : fromSide === 'bottom' ? 2 : 3;
  const s0 = (sj * nx + si) * 4 + startDir;
  best[s0] = 0;
  heap.push(h(si, sj), s0);
  let goal = -1;
  let expanded = 0;
  while (heap.size) {
    const state = heap.pop();
    const dir = state & 3;
    const p = state >> 2;
    const i = p % nx;
    const j = (p - i) / nx;
    const base = best[state]!;
    if (i === ti && j === tj) {
      goal = state;
      break;
    }
    if (++expanded > 200_000) break;
    for (let d = 0; d < 4; d++) {
      // No going straight back.
      if ((d ^ 1) === dir && d >> 1 === dir >> 1) continue;
      let ni = i;
      let nj = j;
      let seg: number;
      let kind: 'h' | 'v';
      if (d === 0) {
        if (i + 1 >= nx) continue;
        ni = i + 1;
        seg = j * nx + i;
        kind = 'h';
      } else if (d === 1) {
        if (i === 0) continue;
        ni = i - 1;
        seg = j * nx + ni;
        kind = 'h';
      } else if (d === 2) {
        if (j + 1 >= ny) continue;
        nj = j + 1;
        seg = j * nx + i;
        kind = 'v';
      } else {
        if (j === 0) continue;
        nj = j - 1;
        seg = nj * nx + i;
        kind = 'v';
      }
      if (!free(kind, seg)) continue;
      const len = kind === 'h' ? Math.abs(xs[ni]! - xs[i]!) : Math.abs(ys[nj]! - ys[j]!);
      const used = kind === 'h' ? g.hUsed[seg]! : g.vUsed[seg]!;
      const cost = base + len + (d !== dir ? BEND_COST : 0) + used * SHARED_LANE_COST * Math.min(len, 40);
      const ns = (nj * nx + ni) * 4 + d;
      if (cost < best[ns]!) {
        best[ns] = cost;
        prev[ns] = state;
        heap.push(cost + h(ni, nj), ns);
      }
    }
  }
  if (goal < 0) return null;
  const pts: XY[] = [];
  const segs: { kind: 'h' | 'v'; idx: number }[] = [];
  for (let s = goal; s >= 0; s = prev[s]!) {
    const p = s >> 2;
    const i = p % nx;
    const j = (p - i) / nx;
    pts.push({ x: xs[i]!, y: ys[j]! });
    const before = prev[s]!;
    if (before >= 0) {
      const q = before >> 2;
      const qi = q % nx;
      const qj = (q - qi) / nx;
      if (qj === j) segs.push({ kind: 'h', idx: j * nx + Math.min(i, qi) });
      else segs.push({ kind: 'v', idx: Math.min(j, qj) * nx + i });
    }
  }
  for (const s of segs) {
    if (s.kind === 'h') g.hUsed[s.idx] = Math.min(255, g.hUsed[s.idx]! + 1);
    else g.vUsed[s.idx] = Math.min(255, g.vUsed[s.idx]! + 1);
  }
  return simplify(pts.reverse());
}

/** Drops points in the middle of straight runs. */
export function simplify(points: readonly XY[]): XY[] {
  const out: XY[] = [];
  for (const p of points) {
    const a = out[out.length - 2];
    const b = out[out.length - 1];
    if (b && b.x === p.x && b.y === p.y) continue;
    if (a && b && ((a.x === b.x && b.x === p.x) || (a.y === b.y && b.y === p.y))) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/** The ids of a node and of every container around it. */
function withAncestors(nodes: Map<string, DesignerNode>, id: string): string[] {
  const out: string[] = [];
  for (let cur: string | undefined = id; cur; cur = nodes.get(cur)?.parentId) out.push(cur);
  return out;
}

/** Roughly how wide a label's text is drawn, in canvas units (sized for presentation mode's 12 px, the larger of the two). */
export function labelSize(text: string, kind: 'chip' | 'small'): { w: number; h: number } {
  return kind === 'chip' ? { w: text.length * 7.3 + 22, h: 23 } : { w: text.length * 6.6 + 12, h: 17 };
}

interface Labelled {
  id: string;
  text: string;
  /** A shorter text (a cable's name) to fall back on where the full one finds no free spot. */
  alt?: string;
  kind: 'chip' | 'small';
  points: XY[];
  own: Set<string>;
}

/** Points along a polyline at the given fractions of its length, with the direction of the segment there. */
function along(points: readonly XY[], f: number): { p: XY; horizontal: boolean } {
  const lens: number[] = [];
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const l = Math.abs(points[i]!.x - points[i - 1]!.x) + Math.abs(points[i]!.y - points[i - 1]!.y);
    lens.push(l);
    total += l;
  }
  let want = total * f;
  for (let i = 1; i < points.length; i++) {
    const l = lens[i - 1]!;
    if (want <= l || i === points.length - 1) {
      const a = points[i - 1]!;
      const b = points[i]!;
      const t = l ? Math.min(1, want / l) : 0;
      return { p: { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }, horizontal: Math.abs(b.x - a.x) >= Math.abs(b.y - a.y) };
    }
    want -= l;
  }
  return { p: points[0]!, horizontal: true };
}

/** Where along its line a label is tried: the middle first, then outwards. */
const FRACTIONS = [0.5, 0.44, 0.56, 0.38, 0.62, 0.32, 0.68, 0.26, 0.74, 0.2, 0.8, 0.14, 0.86, 0.08, 0.92];

/**
 * Places each label on its line where its box covers no node other than its own ends (and the containers around them,
 * whose title bars still count) and no label placed before it; on the line first, then beside it.
 */
function placeLabels(
  items: readonly Labelled[],
  nodes: Map<string, DesignerNode>,
  boxes: Map<string, Box>,
  badgeRoom: ReadonlyMap<string, number>,
  already: readonly Box[],
): { spots: Map<string, XY>; texts: Map<string, string>; placed: Box[] } {
  const placed: Box[] = [...already];
  const out = new Map<string, XY>();
  const texts = new Map<string, string>();
  const leaves: { id: string; box: Box }[] = [];
  const headers: { id: string; box: Box }[] = [];
  for (const [id, box] of boxes) {
    const type = nodes.get(id)?.type ?? '';
    // A volume in pairs carries their state badges above it while running: keep labels off that strip too.
    const above = badgeRoom.get(id) ?? 0;
    if (LEAF.has(type)) leaves.push({ id, box: above ? { x: box.x, y: box.y - above, w: box.w, h: box.h + above } : box });
    else headers.push({ id, box: { x: box.x, y: box.y, w: box.w, h: CONTAINER_HEADER } });
  }
  const area = (a: Box, b: Box, gap: number) => {
    const w = Math.min(a.x + a.w, b.x + b.w) + gap - Math.max(a.x, b.x);
    const h = Math.min(a.y + a.h, b.y + b.h) + gap - Math.max(a.y, b.y);
    return w > 0 && h > 0 ? w * h : 0;
  };
  const spotFor = (item: Labelled, text: string) => {
    const size = labelSize(text, item.kind);
    // How much a box would cover: nodes (its own two ends too: a label over the port its line starts at hides the port's
    // name), container title bars and labels placed before; zero is a free spot.
    const cost = (b: Box) => {
      let c = 0;
      for (const p of placed) c += area(p, b, 2) * 2;
      for (const l of leaves) c += area(l.box, b, 3) * 3;
      for (const hd of headers) c += area(hd.box, b, 1) * 2;
      return c;
    };
    let best: { at: XY; cost: number; size: { w: number; h: number } } | undefined;
    for (const f of FRACTIONS) {
      const { p, horizontal } = along(item.points, f);
      // On the line, then just beside it, then a little further out (still reading as the line's label).
      const candidates = horizontal
        ? [p, { x: p.x, y: p.y - size.h / 2 - 4 }, { x: p.x, y: p.y + size.h / 2 + 4 }, { x: p.x, y: p.y - size.h * 1.5 - 6 }, { x: p.x, y: p.y + size.h * 1.5 + 6 }]
        : [p, { x: p.x + size.w / 2 + 5, y: p.y }, { x: p.x - size.w / 2 - 5, y: p.y }, { x: p.x + size.w / 2 + 5, y: p.y - size.h }, { x: p.x - size.w / 2 - 5, y: p.y + size.h }];
      for (const c of candidates) {
        const k = cost({ x: c.x - size.w / 2, y: c.y - size.h / 2, w: size.w, h: size.h });
        if (!best || k < best.cost) best = { at: c, cost: k, size };
        if (k === 0) break;
      }
      if (best?.cost === 0) break;
    }
    return best ?? { at: item.points[0]!, cost: Infinity, size };
  };
  for (const item of items) {
    let text = item.text;
    let best = spotFor(item, text);
    // No free spot for the full text: a cable shows its name there instead (the full label is its tooltip, and shows when selected).
    if (best.cost > 0 && item.alt) {
      const short = spotFor(item, item.alt);
      if (short.cost < best.cost) {
        best = short;
        text = item.alt;
      }
    }
    const { at, size } = best;
    placed.push({ x: at.x - size.w / 2, y: at.y - size.h / 2, w: size.w, h: size.h });
    out.set(item.id, at);
    texts.set(item.id, text);
  }
  return { spots: out, texts, placed };
}

/** A straight stand-in for a line that is not routed (mapping lines): its two ends and the handles' stubs. */
function plainPoints(a: { at: XY; side: Side }, b: { at: XY; side: Side }): XY[] {
  return [a.at, step(a.at, a.side, 12), step(b.at, b.side, 12), b.at];
}

const cache = new WeakMap<Topology, Map<string, EdgeRoute>>();

/** The text a label shows unselected: a short cable its name, every other line its full label. */
function labelText(e: DesignerEdge, a: XY, b: XY): { text: string; kind: 'chip' | 'small' } | null {
  const data = e.data as { label?: string; name?: string } | undefined;
  if (!data?.label) return null;
  if (e.type === 'cable' && data.name && Math.hypot(b.x - a.x, b.y - a.y) < SHORT_CABLE) return { text: data.name, kind: 'chip' };
  return { text: data.label, kind: e.type === 'mapping' ? 'small' : 'chip' };
}

/**
 * Routes for every cable and pair and label spots for every labelled edge of a document (memoised per document).
 * Positions come from the derived nodes, which are the document's layout; while a node is dragged the edges around it
 * fall back to plain paths (see edges.tsx), and the routes are found again once the move is committed.
 */
export function routeEdges(t: Topology, nodes: readonly DesignerNode[], edges: readonly DesignerEdge[]): Map<string, EdgeRoute> {
  const known = cache.get(t);
  if (known) return known;
  const out = new Map<string, EdgeRoute>();
  cache.set(t, out);
  if (nodes.length > ROUTE_MAX_NODES) return out;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const boxes = absoluteBoxes(nodes);
  const obstacles: { id: string; box: Box }[] = [];
  let bounds: Box | null = null;
  for (const [id, box] of boxes) {
    obstacles.push({ id, box });
    bounds = bounds
      ? { x: Math.min(bounds.x, box.x), y: Math.min(bounds.y, box.y), w: Math.max(bounds.x + bounds.w, box.x + box.w) - Math.min(bounds.x, box.x), h: Math.max(bounds.y + bounds.h, box.y + box.h) - Math.min(bounds.y, box.y) }
      : { ...box };
  }
  if (!bounds) return out;

  const ends = new Map<string, { a: { at: XY; side: Side }; b: { at: XY; side: Side } }>();
  const stubs: XY[] = [];
  for (const e of edges) {
    const sn = byId.get(e.source);
    const tn = byId.get(e.target);
    const sb = boxes.get(e.source);
    const tb = boxes.get(e.target);
    if (!sn || !tn || !sb || !tb) continue;
    const a = handleAt(t, sn, sb, e.sourceHandle);
    const b = handleAt(t, tn, tb, e.targetHandle);
    ends.set(e.id, { a, b });
    if (e.type === 'cable' || e.type === 'pair') stubs.push(step(a.at, a.side, STUB), step(b.at, b.side, STUB));
  }
  // The title bars of sites, systems and hosts are never crossed, not even by a line that starts inside them.
  const titleBars: Box[] = [];
  for (const [id, box] of boxes) if (!LEAF.has(byId.get(id)?.type ?? '')) titleBars.push({ x: box.x, y: box.y, w: box.w, h: TITLE_BAR });
  const grid = buildGrid([...obstacles.map((o) => o.box), ...titleBars], stubs, bounds);
  // Pairs first (they cross sites), longest first, then cables.
  const routed = edges
    .filter((e) => (e.type === 'cable' || e.type === 'pair') && ends.has(e.id))
    .sort((p, q) => (p.type === q.type ? dist(ends.get(q.id)!) - dist(ends.get(p.id)!) : p.type === 'pair' ? -1 : 1));
  for (const e of routed) {
    const { a, b } = ends.get(e.id)!;
    // The line may cross its own two nodes' containers (it starts and ends inside them), nothing else.
    const own = new Set([...withAncestors(byId, e.source), ...withAncestors(byId, e.target)]);
    const exempt = obstacles.filter((o) => own.has(o.id)).map((o) => o.box);
    const ownH = new Uint16Array(grid.hCover.length);
    const ownV = new Uint16Array(grid.vCover.length);
    for (const box of exempt) cover(grid.xs, grid.ys, box, ownH, ownV, 1);
    const free = (kind: 'h' | 'v', idx: number) => (kind === 'h' ? grid.hCover[idx]! - ownH[idx]! : grid.vCover[idx]! - ownV[idx]!) <= 0;
    const s = step(a.at, a.side, STUB);
    const g = step(b.at, b.side, STUB);
    const mid = search(grid, s, g, a.side, free);
    if (!mid) continue;
    out.set(e.id, { points: simplify([a.at, ...mid, b.at]) });
  }

  // Labels: every labelled edge, routed or not; the longest lines place theirs first.
  const labelled: Labelled[] = [];
  const selectedOnly: Labelled[] = [];
  for (const e of edges) {
    const end = ends.get(e.id);
    const text = end ? labelText(e, end.a.at, end.b.at) : null;
    if (!text || !end) continue;
    const full = (e.data as { label?: string }).label!;
    const name = (e.data as { name?: string }).name;
    if (e.type === 'cable' && name && text.text === full && name !== full) Object.assign(text, { alt: name });
    if (text.text !== full) selectedOnly.push({ id: e.id, text: full, kind: 'chip', points: out.get(e.id)?.points ?? plainPoints(end.a, end.b), own: new Set([e.source, e.target]) });
    const points = out.get(e.id)?.points ?? plainPoints(end.a, end.b);
    labelled.push({ id: e.id, ...text, points, own: new Set([e.source, e.target]) });
    if ((text as { alt?: string }).alt) selectedOnly.push({ id: e.id, text: full, kind: 'chip', points, own: new Set([e.source, e.target]) });
  }
  labelled.sort((p, q) => length(q.points) - length(p.points));
  const badgeRoom = new Map<string, number>();
  for (const e of edges)
    if (e.type === 'pair') for (const v of [e.source, e.target]) badgeRoom.set(v, (badgeRoom.get(v) ?? 0) + BADGE_H);
  const { spots, texts, placed } = placeLabels(labelled, byId, boxes, badgeRoom, []);
  for (const item of labelled) {
    const at = spots.get(item.id)!;
    const labelText = texts.get(item.id)!;
    const r = out.get(item.id);
    if (r) Object.assign(r, { label: at, labelText });
    else out.set(item.id, { points: [], label: at, labelText });
  }
  // A selected short cable's full label: clear of everything placed, each on its own (one cable is selected at a time).
  for (const item of selectedOnly) {
    if (texts.get(item.id) === item.text) continue;
    const at = placeLabels([item], byId, boxes, badgeRoom, placed).spots.get(item.id);
    const r = out.get(item.id);
    if (r && at) r.selectedLabel = at;
  }
  return out;
}

const dist = (x: { a: { at: XY }; b: { at: XY } }) => Math.abs(x.a.at.x - x.b.at.x) + Math.abs(x.a.at.y - x.b.at.y);
function length(points: readonly XY[]): number {
  let l = 0;
  for (let i = 1; i < points.length; i++) l += Math.abs(points[i]!.x - points[i - 1]!.x) + Math.abs(points[i]!.y - points[i - 1]!.y);
  return l;
}

/** An SVG path through orthogonal points with rounded corners. */
export function roundedPath(points: readonly XY[], radius = 10): string {
  if (points.length < 2) return '';
  let d = `M${points[0]!.x},${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const c = points[i + 1]!;
    const r = Math.min(radius, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const p1 = towards(b, a, r);
    const p2 = towards(b, c, r);
    d += ` L${p1.x},${p1.y} Q${b.x},${b.y} ${p2.x},${p2.y}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L${last.x},${last.y}`;
}

function towards(from: XY, to: XY, d: number): XY {
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) / len) * d, y: from.y + ((to.y - from.y) / len) * d };
}
