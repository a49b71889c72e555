// Topology -> React Flow nodes and edges: sites > systems/hosts > ports/volumes/caches/LUs nested by parentId, stored positions or an automatic placement.
import { Position } from '@xyflow/react';
import type { Edge, Node, NodeHandle } from '@xyflow/react';
import type { Topology, Volume } from '../../app/model/schema';
import { indexTopology } from '../../app/model/index-topology';
import { canvasParentId, formatBandwidth, formatBytes, sizeOf } from '../lib/topo';

export type CanvasKind = 'site' | 'system' | 'host' | 'port' | 'volume' | 'lu' | 'cache';
export type ConnectionKind = 'cable' | 'mapping' | 'pair' | 'exposure';

export interface ElementNodeData extends Record<string, unknown> {
  /** The element this node draws (node id === element id). */
  elementId: string;
}
export type DesignerNode = Node<ElementNodeData, CanvasKind>;

/** A routed line and its label spot (absolute canvas units), from route.ts. */
export interface RouteData {
  points: { x: number; y: number }[];
  label?: { x: number; y: number };
  selectedLabel?: { x: number; y: number };
  /** The text placed at `label` (a cable's name where its full label found no free spot). */
  labelText?: string;
}

export interface CableEdgeData extends Record<string, unknown> {
  route?: RouteData;
  label: string;
  /** Shown instead of the full label when the cable is too short to carry it. */
  name: string;
  kind: string;
}
export interface PairEdgeData extends Record<string, unknown> {
  route?: RouteData;
  label: string;
  mode: 'sync' | 'async';
}
export interface MappingEdgeData extends Record<string, unknown> {
  route?: RouteData;
  label: string;
  /** 'range' of a virtual volume, 'alias' of a virtual real volume, 'lu' placement, 'external' backing. */
  relation: 'range' | 'alias' | 'lu' | 'external';
}
export type DesignerEdge =
  | Edge<CableEdgeData, 'cable'>
  | Edge<PairEdgeData, 'pair'>
  | Edge<MappingEdgeData, 'mapping'>
  | Edge<Record<string, unknown>, 'exposure'>;

/** Handle ids: one family per kind of connection, so a drag is never ambiguous. */
export const HANDLE = {
  cable: 'cable',
  /** A switchable port's second cable handle, on the side it sends from. */
  cableOut: 'cable-out',
  mapDown: 'map-down',
  mapUp: 'map-up',
  pairOut: 'pair-out',
  pairIn: 'pair-in',
  luPort: 'lu-port',
  portLu: 'port-lu',
} as const;

/** Sizes in canvas pixels; groups are sized to their content unless the layout stores a size. */
export const SIZE = {
  port: { w: 92, h: 28 },
  volume: { w: 156, h: 58 },
  lu: { w: 140, h: 36 },
  cache: { w: 150, h: 40 },
  systemHeader: 40,
  hostHeader: 40,
  siteHeader: 44,
  pad: 18,
  portGap: 12,
  rowGap: 44,
  colGap: 24,
  siteGap: 90,
  groupGap: 48,
  minSystem: { w: 240, h: 160 },
} as const;

type Rect = { x: number; y: number; w: number; h: number };

const childrenCache = new WeakMap<Topology, Map<string, string[]>>();

/** Canvas children of every container, computed once per document. */
export function canvasChildren(t: Topology): Map<string, string[]> {
  let map = childrenCache.get(t);
  if (!map) {
    map = new Map();
    for (const list of [t.systems, t.hosts, t.ports, t.volumes, t.caches, t.lus]) {
      for (const e of list) {
        const parent = canvasParentId(t, e.id);
        if (!parent) continue;
        const kids = map.get(parent);
        if (kids) kids.push(e.id);
        else map.set(parent, [e.id]);
      }
    }
    childrenCache.set(t, map);
  }
  return map;
}

/** The level of an element in its mapping stack: real volumes 0, everything stacked on them higher. */
export function stackLevels(t: Topology): Map<string, number> {
  const ix = indexTopology(t);
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const level = (id: string): number => {
    const known = levels.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a mapping loop: validation reports it; draw it flat
    visiting.add(id);
    let l = 0;
    const v = ix.volumes.get(id);
    const lu = ix.lus.get(id);
    if (v?.kind === 'virtual') l = 1 + Math.max(0, ...v.ranges.map((r) => (sameSystem(t, r.lowerId, v.systemId) ? level(r.lowerId) : -1)));
    else if (v?.kind === 'virtualReal') l = sameSystem(t, v.aliasOfId, v.systemId) ? 1 + level(v.aliasOfId) : 0;
    else if (lu) {
      const sys = canvasParentId(t, lu.id);
      l = sys && sameSystem(t, lu.volumeId, sys) ? 1 + level(lu.volumeId) : 0;
    }
    visiting.delete(id);
    levels.set(id, l);
    return l;
  };
  for (const v of t.volumes) level(v.id);
  for (const lu of t.lus) level(lu.id);
  return levels;
}

/** An external system (role "external"): drawn below the row it serves, with its ports facing right. */
export function isExternalSystem(t: Topology, systemId: string): boolean {
  return /external/i.test(indexTopology(t).systems.get(systemId)?.role ?? '');
}

function sameSystem(t: Topology, id: string, systemId: string): boolean {
  return canvasParentId(t, id) === systemId;
}

interface Placed {
  rect: Rect;
  fromLayout: boolean;
}

/** Lays out one system's contents: targets on the left edge, initiators on the right, the mapping stack in the middle (top = highest level). */
function placeSystem(t: Topology, systemId: string, levels: Map<string, number>, out: Map<string, Placed>): { w: number; h: number } {
  const ix = indexTopology(t);
  const ports = ix.portsByOwner.get(systemId) ?? [];
  // Ports face the way their cables go: targets receive from the left, initiators send to the right;
  // an external system sits below the system that uses it, so its targets face right, towards that system's initiators.
  const mirrored = isExternalSystem(t, systemId);
  const left = ports.filter((p) => (p.kind === 'initiator') === mirrored);
  const right = ports.filter((p) => (p.kind === 'initiator') !== mirrored);
  const stackItems: { id: string; w: number; h: number }[] = [
    ...(ix.volumesBySystem.get(systemId) ?? []).map((v) => ({ id: v.id, ...whOf('volume') })),
    ...(canvasChildren(t).get(systemId) ?? []).filter((c) => ix.lus.has(c)).map((id) => ({ id, ...whOf('lu') })),
  ];
  const caches = ix.cachesBySystem.get(systemId) ?? [];

  const rows = new Map<number, { id: string; w: number; h: number }[]>();
  for (const item of stackItems) {
    const l = levels.get(item.id) ?? 0;
    rows.set(l, [...(rows.get(l) ?? []), item]);
  }
  const levelKeys = [...rows.keys()].sort((a, b) => b - a);
  // Order each row by where its lowers sit, bottom-up, so mapping lines cross as little as possible.
  const xOrder = new Map<string, number>();
  for (const l of [...levelKeys].reverse()) {
    const row = rows.get(l)!;
    row.forEach((item, i) => {
      const lowers = lowerIds(t, item.id).map((id) => xOrder.get(id)).filter((x): x is number => x !== undefined);
      xOrder.set(item.id, lowers.length ? lowers.reduce((a, b) => a + b, 0) / lowers.length + i * 1e-3 : i);
    });
    row.sort((a, b) => xOrder.get(a.id)! - xOrder.get(b.id)!);
    row.forEach((item, i) => xOrder.set(item.id, i));
  }
  const rowWidth = (items: { w: number }[]) => items.reduce((s, it) => s + it.w, 0) + Math.max(0, items.length - 1) * SIZE.colGap;
  const middleW = Math.max(SIZE.volume.w, ...levelKeys.map((l) => rowWidth(rows.get(l)!)), rowWidth(caches.map(() => whOf('cache'))));
  // A column is as wide as its longest port name needs ("TP21/IP21" in FIG. 13).
  const leftPortW = Math.max(0, ...left.map((p) => portWidth(p.name || p.id)));
  const rightPortW = Math.max(0, ...right.map((p) => portWidth(p.name || p.id)));
  const leftW = left.length ? leftPortW + SIZE.colGap : 0;
  const rightW = right.length ? rightPortW + SIZE.colGap : 0;
  const middleX = SIZE.pad + leftW;
  let y = SIZE.systemHeader + SIZE.pad / 2;
  for (const l of levelKeys) {
    const row = rows.get(l)!;
    const rowH = Math.max(...row.map((r) => r.h));
    let x = middleX + (middleW - rowWidth(row)) / 2;
    for (const item of row) {
      out.set(item.id, { rect: { x, y: y + (rowH - item.h) / 2, w: item.w, h: item.h }, fromLayout: false });
      x += item.w + SIZE.colGap;
    }
    y += rowH + SIZE.rowGap;
  }
  if (caches.length) {
    let x = middleX + (middleW - rowWidth(caches.map(() => whOf('cache')))) / 2;
    for (const c of caches) {
      out.set(c.id, { rect: { x, y, ...wh(whOf('cache')) }, fromLayout: false });
      x += SIZE.cache.w + SIZE.colGap;
    }
    y += SIZE.cache.h + SIZE.pad;
  } else if (levelKeys.length) y += SIZE.pad - SIZE.rowGap;
  const width = Math.max(SIZE.minSystem.w, middleX + middleW + SIZE.pad + rightW);
  const portsH = (n: number) => SIZE.systemHeader + SIZE.pad / 2 + n * (SIZE.port.h + SIZE.portGap) + SIZE.pad;
  const height = Math.max(SIZE.minSystem.h, y, portsH(left.length), portsH(right.length));
  left.forEach((p, i) => out.set(p.id, { rect: { x: SIZE.pad / 2, y: SIZE.systemHeader + SIZE.pad / 2 + i * (SIZE.port.h + SIZE.portGap), w: leftPortW, h: SIZE.port.h }, fromLayout: false }));
  right.forEach((p, i) =>
    out.set(p.id, { rect: { x: width - SIZE.pad / 2 - rightPortW, y: SIZE.systemHeader + SIZE.pad / 2 + i * (SIZE.port.h + SIZE.portGap), w: rightPortW, h: SIZE.port.h }, fromLayout: false }),
  );
  return { w: width, h: height };
}

const wh = (s: { w: number; h: number }) => ({ w: s.w, h: s.h });
function whOf(kind: 'volume' | 'lu' | 'cache' | 'port') {
  return wh(SIZE[kind]);
}

/**
 * Which side a port's cable handle faces: targets receive from the left, initiators (and host ports) send to the right;
 * an external system is mirrored. One rule for the node (nodes.tsx) and the edge routes (route.ts).
 */
export function portFacesRight(t: Topology, portId: string): boolean {
  const ix = indexTopology(t);
  const p = ix.ports.get(portId);
  if (!p) return true;
  const mirrored = /external/i.test(ix.systems.get(p.ownerId)?.role ?? '');
  return ix.hosts.has(p.ownerId) || (p.kind === 'initiator') !== mirrored;
}

/** A port pill wide enough for its kind tag and name (at presentation mode's 13.5 px as well). */
export function portWidth(name: string): number {
  return Math.min(200, Math.max(SIZE.port.w, 58 + name.length * 8.6));
}

/** The ids an element is stacked on (ranges, alias target, LU's volume). */
export function lowerIds(t: Topology, id: string): string[] {
  const ix = indexTopology(t);
  const v = ix.volumes.get(id);
  if (v?.kind === 'virtual') return v.ranges.map((r) => r.lowerId);
  if (v?.kind === 'virtualReal') return [v.aliasOfId];
  const lu = ix.lus.get(id);
  return lu ? [lu.volumeId] : [];
}

function placeHost(t: Topology, hostId: string, out: Map<string, Placed>): { w: number; h: number } {
  const ports = indexTopology(t).portsByOwner.get(hostId) ?? [];
  const w = 190;
  const pw = Math.max(0, ...ports.map((p) => portWidth(p.name || p.id)));
  ports.forEach((p, i) => out.set(p.id, { rect: { x: w - SIZE.pad / 2 - pw, y: SIZE.hostHeader + 28 + i * (SIZE.port.h + SIZE.portGap), w: pw, h: SIZE.port.h }, fromLayout: false }));
  return { w, h: Math.max(120, SIZE.hostHeader + 28 + ports.length * (SIZE.port.h + SIZE.portGap) + SIZE.pad) };
}

/**
 * Positions and sizes of every canvas node, relative to its parent. Stored layout wins; anything without a stored
 * position is placed automatically; group sizes grow to hold their children.
 */
const geometryCache = new WeakMap<Topology, Map<string, Rect>>();

export function computeGeometry(t: Topology): Map<string, Rect> {
  // Once per document: a selection change re-derives the nodes but not their geometry.
  const known = geometryCache.get(t);
  if (known) return known;
  const result = computeGeometryOnce(t);
  geometryCache.set(t, result);
  return result;
}

/**
 * Moves boxes right, in their order along x, off a box before them that grew (or was pushed) into them: a site (or a
 * system in its site) that grew around a dropped element pushes its neighbours aside instead of covering them. A box the
 * user put over another without anything growing stays where it was put.
 */
export function pushApart(rects: Rect[], gap: number, pushers: Set<Rect>): void {
  const order = [...rects].sort((a, b) => a.x - b.x || a.y - b.y);
  for (let i = 0; i < order.length; i++) {
    const r = order[i]!;
    for (let k = 0; k < i; k++) {
      const o = order[k]!;
      if (!pushers.has(o)) continue;
      const verticallyShared = r.y < o.y + o.h && o.y < r.y + r.h;
      // Only a real overlap moves a box (one the user put close by stays), and then it keeps a gap.
      if (verticallyShared && r.x < o.x + o.w && r.x + r.w > o.x) {
        r.x = o.x + o.w + gap;
        pushers.add(r);
      }
    }
  }
}

function computeGeometryOnce(t: Topology): Map<string, Rect> {
  const ix = indexTopology(t);
  const levels = stackLevels(t);
  const auto = new Map<string, Placed>();
  const stored = t.layout.nodes;
  const result = new Map<string, Rect>();
  const childrenOf = canvasChildren(t);

  // Groups that grew past their own size to hold a child: they push their neighbours aside (pushApart).
  const grown = new Set<Rect>();
  const settle = (id: string, autoRect: Rect, isGroup: boolean) => {
    const s = stored[id];
    const rect: Rect = s ? { x: s.x, y: s.y, w: s.width ?? autoRect.w, h: s.height ?? autoRect.h } : autoRect;
    const before = { w: rect.w, h: rect.h };
    if (isGroup) {
      // Grow the group so every child fits, wherever the user put it.
      for (const cid of childrenOf.get(id) ?? []) {
        const c = result.get(cid);
        if (!c) continue;
        rect.w = Math.max(rect.w, c.x + c.w + SIZE.pad / 2);
        rect.h = Math.max(rect.h, c.y + c.h + SIZE.pad / 2);
      }
      if (rect.w > before.w || rect.h > before.h) grown.add(rect);
    }
    result.set(id, rect);
    return rect;
  };

  const settleChildren = (placed: Map<string, Placed>, ids: string[]) => {
    for (const id of ids) {
      const p = placed.get(id);
      if (p) settle(id, p.rect, false);
    }
  };

  let siteX = 0;
  for (const site of t.sites) {
    const members: { id: string; w: number; h: number; external: boolean }[] = [];
    for (const h of ix.hostsBySite.get(site.id) ?? []) {
      const size = placeHost(t, h.id, auto);
      settleChildren(auto, (ix.portsByOwner.get(h.id) ?? []).map((p) => p.id));
      const r = settle(h.id, { x: 0, y: 0, ...size }, true);
      members.push({ id: h.id, w: r.w, h: r.h, external: false });
    }
    for (const s of ix.systemsBySite.get(site.id) ?? []) {
      const size = placeSystem(t, s.id, levels, auto);
      const childIds = [
        ...(ix.portsByOwner.get(s.id) ?? []).map((p) => p.id),
        ...(ix.volumesBySystem.get(s.id) ?? []).map((v) => v.id),
        ...(ix.cachesBySystem.get(s.id) ?? []).map((c) => c.id),
        ...(childrenOf.get(s.id) ?? []).filter((c) => ix.lus.has(c)),
      ];
      settleChildren(auto, childIds);
      const r = settle(s.id, { x: 0, y: 0, ...size }, true);
      members.push({ id: s.id, w: r.w, h: r.h, external: /external/i.test(s.role) });
    }
    // Hosts and systems side by side; external systems (a use, shown below the row they serve).
    const main = members.filter((m) => !m.external);
    const below = members.filter((m) => m.external);
    let x = SIZE.pad + 6;
    const top = SIZE.siteHeader + 6;
    const rowH = Math.max(0, ...main.map((m) => m.h));
    for (const m of main) {
      if (!stored[m.id]) result.set(m.id, { ...result.get(m.id)!, x, y: top });
      x += m.w + SIZE.groupGap;
    }
    let bx = SIZE.pad + 6;
    const by = top + (main.length ? rowH + SIZE.groupGap : 0);
    for (const m of below) {
      if (!stored[m.id]) result.set(m.id, { ...result.get(m.id)!, x: bx, y: by });
      bx += m.w + SIZE.groupGap;
    }
    const contentW = Math.max(x, bx) - SIZE.groupGap + SIZE.pad + 6;
    const contentH = below.length ? by + Math.max(...below.map((m) => m.h)) + SIZE.pad + 6 : top + rowH + SIZE.pad + 6;
    // Hosts and systems the user placed may now overlap one that grew: push them aside, then size the site around them.
    pushApart(members.map((m) => result.get(m.id)!), SIZE.pad, grown);
    const siteRect = settle(site.id, { x: siteX, y: 0, w: Math.max(300, contentW), h: Math.max(200, contentH) }, true);
    siteX = (stored[site.id] ? siteRect.x : siteX) + siteRect.w + SIZE.siteGap;
  }
  pushApart(t.sites.map((s) => result.get(s.id)!).filter(Boolean), SIZE.pad * 2, grown);
  return result;
}

function volumeSubtitle(v: Volume): string {
  return v.kind === 'real' ? (v.backing.type === 'external' ? 'real · external' : 'real · internal') : v.kind === 'virtual' ? 'virtual' : 'virtual real';
}

/** Drawn sizes of the handles (styles.css): the cable handle 10 px, mapping and pair handles 8 px, hidden ones 1 px. */
const HANDLE_PX = { cable: 10, map: 8, pair: 8, hidden: 1 } as const;

function handleAt(id: string, type: 'source' | 'target', position: Position, w: number, h: number, size: number): NodeHandle {
  const half = size / 2;
  const x = position === Position.Right ? w - half : position === Position.Left ? -half : w / 2 - half;
  const y = position === Position.Bottom ? h - half : position === Position.Top ? -half : h / 2 - half;
  return { id, type, position, x, y, width: size, height: size };
}

/**
 * The handles a node draws (nodes.tsx), where React Flow measures them: given up front, the edges are drawn without
 * mounting and measuring every node first, so only what is in view is ever mounted (a 1,000-element file opens fast).
 */
export function handlesOf(t: Topology, id: string, type: CanvasKind, w: number, h: number): NodeHandle[] {
  if (type === 'port') {
    const port = indexTopology(t).ports.get(id);
    const outward = portFacesRight(t, id) ? Position.Right : Position.Left;
    const inward = outward === Position.Right ? Position.Left : Position.Right;
    const out = [handleAt(HANDLE.cable, 'source', outward, w, h, HANDLE_PX.cable)];
    if (port?.kind === 'switchable') out.push(handleAt(HANDLE.cableOut, 'source', inward, w, h, HANDLE_PX.cable));
    out.push(handleAt(HANDLE.portLu, 'source', port?.kind === 'switchable' ? Position.Bottom : inward, w, h, HANDLE_PX.hidden));
    return out;
  }
  if (type === 'volume')
    return [
      handleAt(HANDLE.mapUp, 'target', Position.Top, w, h, HANDLE_PX.map),
      handleAt(HANDLE.pairIn, 'target', Position.Left, w, h, HANDLE_PX.pair),
      handleAt(HANDLE.pairOut, 'source', Position.Right, w, h, HANDLE_PX.pair),
      handleAt(HANDLE.mapDown, 'source', Position.Bottom, w, h, HANDLE_PX.map),
    ];
  if (type === 'lu')
    return [
      handleAt(HANDLE.mapUp, 'target', Position.Top, w, h, HANDLE_PX.map),
      handleAt(HANDLE.luPort, 'target', Position.Left, w, h, HANDLE_PX.hidden),
      handleAt(HANDLE.mapDown, 'source', Position.Bottom, w, h, HANDLE_PX.map),
    ];
  return [];
}

/** Nodes in parent-before-child order, as React Flow requires. */
export function deriveNodes(t: Topology, selection: ReadonlySet<string> = new Set()): DesignerNode[] {
  const geometry = computeGeometry(t);
  const nodes: DesignerNode[] = [];
  const push = (id: string, type: CanvasKind, parentId: string | undefined, z = 0) => {
    const g = geometry.get(id);
    if (!g) return;
    const node: DesignerNode = {
      id,
      type,
      position: { x: g.x, y: g.y },
      width: g.w,
      height: g.h,
      data: { elementId: id },
      handles: handlesOf(t, id, type, g.w, g.h),
      selected: selection.has(id),
      zIndex: z,
      ...(parentId ? { parentId, extent: 'parent' as const } : {}),
    };
    if (type === 'site' || type === 'system' || type === 'host') node.dragHandle = '.node-drag';
    nodes.push(node);
  };
  const ix = indexTopology(t);
  for (const s of t.sites) push(s.id, 'site', undefined);
  for (const s of t.sites) {
    for (const h of ix.hostsBySite.get(s.id) ?? []) push(h.id, 'host', s.id);
    for (const sys of ix.systemsBySite.get(s.id) ?? []) push(sys.id, 'system', s.id);
  }
  for (const p of t.ports) if (geometry.has(p.ownerId)) push(p.id, 'port', p.ownerId);
  for (const v of t.volumes) if (geometry.has(v.systemId)) push(v.id, 'volume', v.systemId);
  for (const c of t.caches) if (geometry.has(c.systemId)) push(c.id, 'cache', c.systemId);
  for (const l of t.lus) {
    const parent = canvasParentId(t, l.id);
    if (parent && geometry.has(parent)) push(l.id, 'lu', parent);
  }
  return nodes;
}

export { volumeSubtitle };

/** Edges: cables port to port, mapping lines down the stack, pairs primary -> secondary, LU exposure on its port. */
export function deriveEdges(t: Topology, selection: ReadonlySet<string> = new Set()): DesignerEdge[] {
  const ix = indexTopology(t);
  const has = (id: string) => ix.byId.has(id);
  const edges: DesignerEdge[] = [];
  for (const c of t.cables) {
    if (!ix.ports.has(c.aPortId) || !ix.ports.has(c.bPortId)) continue;
    // Draw from the initiator to the target so the arrow follows the commands.
    const a = ix.ports.get(c.aPortId)!;
    const b = ix.ports.get(c.bPortId)!;
    const aSends = a.kind === 'initiator' || (a.kind === 'switchable' && b.kind !== 'initiator');
    const [source, target] = aSends ? [a, b] : [b, a];
    // A switchable port sends from its second handle, on the initiator side (FIG. 13: receive over CN2, send over CN4).
    const sourceHandle = source.kind === 'switchable' ? HANDLE.cableOut : HANDLE.cable;
    const kind = c.kind === 'internal-loop' ? 'loop' : c.kind.toUpperCase();
    edges.push({
      id: c.id,
      type: 'cable',
      source: source.id,
      target: target.id,
      sourceHandle,
      targetHandle: HANDLE.cable,
      selected: selection.has(c.id),
      data: { kind: c.kind, name: c.name || c.id, label: `${c.name || c.id} · ${kind} · ${c.distanceKm} km · ${formatBandwidth(c.bandwidthMbps)}` },
    });
  }
  for (const v of t.volumes) {
    if (v.kind === 'virtual') {
      v.ranges.forEach((r, i) => {
        if (!has(r.lowerId)) return;
        edges.push({
          id: `map:${v.id}:${i}`,
          type: 'mapping',
          source: v.id,
          target: r.lowerId,
          sourceHandle: HANDLE.mapDown,
          targetHandle: HANDLE.mapUp,
          selected: selection.has(`map:${v.id}:${i}`),
          // Only a partial range is worth a label; a whole-volume mapping speaks for itself.
          data: { relation: 'range', label: r.startBytes === 0 && r.lengthBytes === sizeOf(t, r.lowerId) ? (r.shared ? 'shared' : '') : `${formatBytes(r.startBytes)}–${formatBytes(r.startBytes + r.lengthBytes)}${r.shared ? ' · shared' : ''}` },
        });
      });
    } else if (v.kind === 'virtualReal' && has(v.aliasOfId)) {
      edges.push({
        id: `map:${v.id}:alias`,
        type: 'mapping',
        source: v.id,
        target: v.aliasOfId,
        sourceHandle: HANDLE.mapDown,
        targetHandle: HANDLE.mapUp,
        selected: selection.has(`map:${v.id}:alias`),
        data: { relation: 'alias', label: 'alias' },
      });
    } else if (v.kind === 'real' && v.backing.type === 'external' && has(v.backing.luId)) {
      edges.push({
        id: `map:${v.id}:external`,
        type: 'mapping',
        source: v.id,
        target: v.backing.luId,
        sourceHandle: HANDLE.mapDown,
        targetHandle: HANDLE.mapUp,
        selected: selection.has(`map:${v.id}:external`),
        data: { relation: 'external', label: 'external' },
      });
    }
  }
  for (const l of t.lus) {
    if (has(l.volumeId))
      edges.push({
        id: `map:${l.id}:lu`,
        type: 'mapping',
        source: l.id,
        target: l.volumeId,
        sourceHandle: HANDLE.mapDown,
        targetHandle: HANDLE.mapUp,
        selected: selection.has(`map:${l.id}:lu`),
        data: { relation: 'lu', label: l.startBytes ? `@${formatBytes(l.startBytes)}` : '' },
      });
    if (ix.ports.has(l.portId))
      edges.push({ id: `expose:${l.id}`, type: 'exposure', source: l.portId, target: l.id, sourceHandle: HANDLE.portLu, targetHandle: HANDLE.luPort, selectable: false, data: {} });
  }
  for (const p of t.pairs) {
    if (!has(p.primaryVolumeId) || !has(p.secondaryVolumeId)) continue;
    edges.push({
      id: p.id,
      type: 'pair',
      source: p.primaryVolumeId,
      target: p.secondaryVolumeId,
      sourceHandle: HANDLE.pairOut,
      targetHandle: HANDLE.pairIn,
      selected: selection.has(p.id),
      data: { mode: p.mode, label: pairLabel(p) },
    });
  }
  return edges;
}

/** "V11 -> V12 · sync · fence data": the name, then the mode unless the name already says it. */
export function pairLabel(p: Topology['pairs'][number]): string {
  const name = p.name || p.id;
  const mode = p.mode === 'sync' ? `sync · fence ${p.fence}` : 'async';
  return name.toLowerCase().includes(`(${p.mode})`) ? `${name.replace(/\s*\((a?sync)\)\s*$/i, '')} · ${mode}` : `${name} · ${mode}`;
}
