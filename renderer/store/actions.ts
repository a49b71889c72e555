// Every edit of the document as a named, pure action: (topology, args) -> new topology. Menus, shortcuts, drags and the inspector all go through these.
import { ISSUE_WORDING } from '../../app/model/problem';
import { Topology } from '../../app/model/schema';
import type { AnyElement, ElementList, NodeLayout, Pair, PairMode, Volume } from '../../app/model/schema';
import { allIds, canvasParentId, freshId, locate, nextRangeOn, sizeOf, volumeById } from '../lib/topo';
import { createPaletteElement, type PaletteKind } from './create';
import { addElement as addModelElement, ELEMENTS } from '../../app/model/elements';
import { indexTopology, siteDistanceKm } from '../../app/model/index-topology';
import { canConnect } from '../../app/model/rules';

/** Why an action could not be applied: shown to the user as is. */
export class ActionRefused extends Error {
  constructor(
    readonly action: string,
    readonly reason: string,
    readonly elementId?: string,
  ) {
    super(`${action}: ${reason}`);
    this.name = 'ActionRefused';
  }
}

type XY = { x: number; y: number };

/** A self-contained piece of a document: elements plus their layout, as copied to the clipboard. */
export interface Fragment {
  elements: { list: ElementList; element: AnyElement }[];
  layout: Record<string, NodeLayout>;
}

function withLayout(t: Topology, id: string, patch: Partial<NodeLayout> & XY): Topology {
  const prev = t.layout.nodes[id];
  return { ...t, layout: { nodes: { ...t.layout.nodes, [id]: { ...prev, ...patch } } } };
}

function replaceIn<L extends ElementList>(t: Topology, list: L, id: string, next: Topology[L][number]): Topology {
  return { ...t, [list]: (t[list] as AnyElement[]).map((e) => (e.id === id ? next : e)) };
}

// ---- the actions -------------------------------------------------------------------------

/**
 * Adds a new element of a palette kind dropped onto `dropTargetId` (a site, system, host or port) at an absolute
 * canvas point; the stored position is relative to the element's canvas parent, whose absolute origin `originOf` gives.
 * `underId` is the volume under the drop point, if any (a new virtual volume maps onto it).
 */
export function addElement(
  t: Topology,
  args: { kind: PaletteKind; dropTargetId?: string; underId?: string; at: XY; originOf?: (id: string) => XY | undefined },
): { topology: Topology; id: string } {
  const created = createPaletteElement(t, args.kind, args.dropTargetId, args.underId);
  if (!created.ok) throw new ActionRefused('add', created.reason, args.dropTargetId);
  const parent = canvasParentId(created.topology, created.id);
  const origin = (parent && args.originOf?.(parent)) || { x: 0, y: 0 };
  const next = withLayout(created.topology, created.id, { x: Math.round(args.at.x - origin.x), y: Math.round(args.at.y - origin.y) });
  return { topology: next, id: created.id };
}

/** Stores new canvas positions (relative to each node's parent); the model itself is untouched. */
export function moveNodes(t: Topology, args: { positions: Record<string, XY> }): Topology {
  const nodes = { ...t.layout.nodes };
  for (const [id, p] of Object.entries(args.positions)) nodes[id] = { ...nodes[id], x: Math.round(p.x), y: Math.round(p.y) };
  return { ...t, layout: { nodes } };
}

/** Stores a node's size (group nodes resized by the user). */
export function resizeNode(t: Topology, args: { id: string; width: number; height: number; x: number; y: number }): Topology {
  return withLayout(t, args.id, { x: Math.round(args.x), y: Math.round(args.y), width: Math.round(args.width), height: Math.round(args.height) });
}

/** A cable between two ports, if the shared rules allow it; kind and distance come from the element registry's defaults. */
export function connectCable(t: Topology, args: { aPortId: string; bPortId: string }): { topology: Topology; id: string } {
  const rule = canConnect(t, args.aPortId, args.bPortId);
  if (!rule.ok) throw new ActionRefused('connect', rule.reason, args.aPortId);
  const { topology, element } = addModelElement(t, 'cable', args.aPortId, { toPortId: args.bPortId });
  return { topology, id: element.id };
}

/**
 * A mapping drag from an upper element onto a lower one:
 * virtual volume -> volume or LU appends a mapped range (the rest of the lower, or all of it);
 * virtual real volume -> virtual volume makes it that volume's alias; LU -> volume puts the LU on it.
 */
export function mapOnto(t: Topology, args: { upperId: string; lowerId: string }): Topology {
  const { upperId, lowerId } = args;
  if (upperId === lowerId) throw new ActionRefused('map', 'an element cannot map onto itself', upperId);
  const lu = t.lus.find((l) => l.id === upperId);
  const lowerVolume = volumeById(t, lowerId);
  const lowerLu = t.lus.find((l) => l.id === lowerId);
  if (lu) {
    if (!lowerVolume) throw new ActionRefused('map', 'an LU maps onto a volume', upperId);
    return replaceIn(t, 'lus', lu.id, { ...lu, volumeId: lowerId, startBytes: 0, sizeBytes: Math.max(1, sizeOf(t, lowerId) || lu.sizeBytes) });
  }
  const upper = volumeById(t, upperId);
  if (!upper) throw new ActionRefused('map', 'drag from a virtual volume, a virtual real volume or an LU', upperId);
  if (upper.kind === 'real') throw new ActionRefused('map', 'a real volume has a physical entity; it maps onto nothing', upperId);
  if (upper.kind === 'virtualReal') {
    if (lowerVolume?.kind !== 'virtual') throw new ActionRefused('map', 'a virtual real volume is the alias of a virtual volume', upperId);
    return replaceIn(t, 'volumes', upper.id, { ...upper, aliasOfId: lowerId });
  }
  if (!lowerVolume && !lowerLu) throw new ActionRefused('map', 'a virtual volume maps onto a volume or an LU', upperId);
  if (mapsDownTo(t, lowerId, upperId)) throw new ActionRefused('map', `${lowerId} already sits on ${upperId}; mapping back would make a loop`, upperId);
  const range = nextRangeOn(t, lowerId);
  const ranges = upper.ranges.length === 1 && upper.ranges[0]!.lowerId === '' ? [range] : [...upper.ranges, range];
  return replaceIn(t, 'volumes', upper.id, { ...upper, ranges });
}

/** True when `fromId` reaches `targetId` by following mappings downwards. */
function mapsDownTo(t: Topology, fromId: string, targetId: string, depth = 0): boolean {
  if (fromId === targetId) return true;
  if (depth > 32) return true;
  const lowers: string[] = [];
  const v = volumeById(t, fromId);
  if (v?.kind === 'virtual') lowers.push(...v.ranges.map((r) => r.lowerId));
  if (v?.kind === 'virtualReal') lowers.push(v.aliasOfId);
  const lu = t.lus.find((l) => l.id === fromId);
  if (lu) lowers.push(lu.volumeId);
  return lowers.some((l) => mapsDownTo(t, l, targetId, depth + 1));
}

/** Removes one mapped range of a virtual volume (the volume keeps at least one). */
export function unmapRange(t: Topology, args: { volumeId: string; index: number }): Topology {
  const v = volumeById(t, args.volumeId);
  if (v?.kind !== 'virtual') throw new ActionRefused('unmap', 'only a virtual volume has mapped ranges', args.volumeId);
  if (v.ranges.length <= 1) throw new ActionRefused('unmap', 'a virtual volume keeps at least one range; delete the volume instead', v.id);
  return replaceIn(t, 'volumes', v.id, { ...v, ranges: v.ranges.filter((_, i) => i !== args.index) });
}

/**
 * Farthest a new pair defaults to synchronous, in km. DOMAIN.md: synchronous replication is usually kept within
 * about 100-300 km; at 100 km a plain FC write (two round trips, 1 ms each per 100 km) adds about 2 ms, well inside the
 * default 5 ms sync latency bound, while 300 km would add about 6 ms and break it. The user can still switch the mode.
 */
export const SYNC_DEFAULT_MAX_KM = 100;

/** A remote-copy pair primary -> secondary; synchronous (fence 'data') when the volumes are at most SYNC_DEFAULT_MAX_KM apart, else asynchronous with a journal. */
export function createPair(t: Topology, args: { primaryId: string; secondaryId: string; mode?: PairMode }): { topology: Topology; id: string } {
  const p = volumeById(t, args.primaryId);
  const s = volumeById(t, args.secondaryId);
  if (!p || !s) throw new ActionRefused('pair', 'a pair joins two volumes');
  if (p.id === s.id) throw new ActionRefused('pair', 'a volume cannot pair with itself', p.id);
  if (t.pairs.some((x) => (x.primaryVolumeId === p.id && x.secondaryVolumeId === s.id) || (x.primaryVolumeId === s.id && x.secondaryVolumeId === p.id)))
    throw new ActionRefused('pair', `${p.id} and ${s.id} are already paired`, p.id);
  const mode = args.mode ?? (distanceBetweenVolumes(t, p, s) <= SYNC_DEFAULT_MAX_KM ? 'sync' : 'async');
  const { topology, element } = addModelElement(t, 'pair', null, { primaryVolumeId: p.id, secondaryVolumeId: s.id, mode });
  return { topology, id: element.id };
}

/**
 * Km the replication of two volumes travels: 0 within one system or site; the shortest cable drawn between their two
 * systems when there is one (that is the link the copy takes, and the length the user typed); otherwise the site
 * distance new cables get by default (app/model siteDistanceKm: siteDistances, else the sites' map positions).
 */
export function distanceBetweenVolumes(t: Topology, a: Volume, b: Volume): number {
  if (a.systemId === b.systemId) return 0;
  const ix = indexTopology(t);
  const sa = ix.systems.get(a.systemId)?.siteId;
  const sb = ix.systems.get(b.systemId)?.siteId;
  if (sa === undefined || sb === undefined) return Number.POSITIVE_INFINITY;
  if (sa === sb) return 0;
  const owner = (portId: string) => ix.ports.get(portId)?.ownerId;
  const direct = t.cables
    .filter((c) => {
      const ends = [owner(c.aPortId), owner(c.bPortId)];
      return ends.includes(a.systemId) && ends.includes(b.systemId);
    })
    .map((c) => c.distanceKm);
  if (direct.length) return Math.min(...direct);
  return siteDistanceKm(t, sa, sb);
}

/**
 * The fields a mode change of a pair sets, beyond the mode. To sync: fence 'data' (DOMAIN.md: a 3-site cascade uses
 * it on the sync leg) unless the pair carries a fence other than the async default 'never'. To async: the fence no
 * longer matters (the inspector hides it) and the journal gets the registry's default size when it has none.
 */
export function pairModePatch(t: Topology, pairId: string, mode: PairMode): Partial<Pair> {
  const p = t.pairs.find((x) => x.id === pairId);
  if (!p) throw new ActionRefused('set', `no pair ${pairId}`, pairId);
  if (mode === p.mode) return { mode };
  if (mode === 'sync') return { mode, fence: p.fence === 'never' ? 'data' : p.fence };
  if (p.journalBytes !== undefined) return { mode };
  const journalBytes = ELEMENTS.pair.create(p.id, null, t, { primaryVolumeId: p.primaryVolumeId, secondaryVolumeId: p.secondaryVolumeId, mode: 'async' }).journalBytes;
  return journalBytes === undefined ? { mode } : { mode, journalBytes };
}

/** Replaces fields of one element; the result must pass that element kind's schema, else the edit is refused with zod's message. */
export function setProperty(t: Topology, args: { id: string; patch: Record<string, unknown> }): Topology {
  const at = locate(t, args.id);
  if (!at) throw new ActionRefused('set', `no element ${args.id}`, args.id);
  if ('id' in args.patch && args.patch.id !== args.id) return renameId(setProperty(t, { id: args.id, patch: { ...args.patch, id: args.id } }), args.id, String(args.patch.id));
  const schema = Topology.shape[at.list].unwrap().element;
  const parsed = schema.safeParse({ ...at.element, ...args.patch }, ISSUE_WORDING);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ActionRefused('set', `${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`, args.id);
  }
  return { ...t, [at.list]: (t[at.list] as AnyElement[]).map((e, i) => (i === at.index ? parsed.data : e)) };
}

/** Document-level fields: name, description, sync latency bound, site distances. */
export function setDocument(t: Topology, args: { patch: Partial<Pick<Topology, 'name' | 'description' | 'syncLatencyBoundMs' | 'siteDistances'>> }): Topology {
  const parsed = Topology.safeParse({ ...t, ...args.patch }, ISSUE_WORDING);
  if (!parsed.success) throw new ActionRefused('set', parsed.error.issues[0]?.message ?? 'invalid document field');
  return parsed.data;
}

/** Changes an element's id and every reference to it. */
export function renameId(t: Topology, from: string, to: string): Topology {
  if (from === to) return t;
  if (allIds(t).has(to)) throw new ActionRefused('rename', `the id ${to} is already used`, from);
  const map = new Map([[from, to]]);
  const next = remapDocument(t, map);
  return next;
}

const isRefKey = (k: string) => k === 'id' || k.endsWith('Id') || k.endsWith('Ids');

/** Rewrites ids and reference fields (keys named id / *Id / *Ids) through `map`; other strings are left alone. */
function remapValue(value: unknown, map: Map<string, string>, key = ''): unknown {
  if (typeof value === 'string') return isRefKey(key) ? (map.get(value) ?? value) : value;
  if (Array.isArray(value)) return value.map((v) => remapValue(v, map, key));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = remapValue(v, map, k);
    return out;
  }
  return value;
}

function remapDocument(t: Topology, map: Map<string, string>): Topology {
  const next = { ...t } as Topology;
  for (const list of ['sites', 'systems', 'hosts', 'ports', 'cables', 'volumes', 'lus', 'caches', 'pairs'] as const)
    (next as Record<string, unknown>)[list] = remapValue(t[list], map);
  next.siteDistances = remapValue(t.siteDistances, map) as Topology['siteDistances'];
  const nodes: Record<string, NodeLayout> = {};
  for (const [id, l] of Object.entries(t.layout.nodes)) nodes[map.get(id) ?? id] = l;
  next.layout = { nodes };
  return next;
}

/** The elements that cannot outlive `ids`: contents of containers, cables on ports, LUs, pairs and ranges on volumes. */
export function deletionClosure(t: Topology, ids: Iterable<string>): Set<string> {
  const gone = new Set(ids);
  for (let changed = true; changed; ) {
    changed = false;
    const add = (id: string) => {
      if (!gone.has(id)) {
        gone.add(id);
        changed = true;
      }
    };
    for (const s of t.systems) if (gone.has(s.siteId)) add(s.id);
    for (const h of t.hosts) if (gone.has(h.siteId)) add(h.id);
    for (const p of t.ports) if (gone.has(p.ownerId)) add(p.id);
    for (const c of t.cables) if (gone.has(c.aPortId) || gone.has(c.bPortId)) add(c.id);
    for (const v of t.volumes) {
      if (gone.has(v.systemId)) add(v.id);
      else if (v.kind === 'virtual' && v.ranges.every((r) => gone.has(r.lowerId))) add(v.id);
      else if (v.kind === 'virtualReal' && gone.has(v.aliasOfId)) add(v.id);
    }
    for (const l of t.lus) if (gone.has(l.portId) || gone.has(l.volumeId)) add(l.id);
    for (const c of t.caches) if (gone.has(c.systemId) || c.volumeIds.every((v) => gone.has(v))) add(c.id);
    for (const p of t.pairs) if (gone.has(p.primaryVolumeId) || gone.has(p.secondaryVolumeId)) add(p.id);
  }
  return gone;
}

/** Deletes elements and everything that depends on them; references that may simply be dropped are dropped. */
export function deleteElements(t: Topology, args: { ids: string[] }): Topology {
  const gone = deletionClosure(t, args.ids);
  const keep = <E extends { id: string }>(xs: E[]) => xs.filter((x) => !gone.has(x.id));
  const nodes: Record<string, NodeLayout> = {};
  for (const [id, l] of Object.entries(t.layout.nodes)) if (!gone.has(id)) nodes[id] = l;
  return {
    ...t,
    sites: keep(t.sites),
    siteDistances: t.siteDistances.filter((d) => !gone.has(d.siteAId) && !gone.has(d.siteBId)),
    systems: keep(t.systems),
    hosts: keep(t.hosts).map((h) => ({ ...h, workloads: h.workloads.filter((w) => !gone.has(w.luId)) })),
    ports: keep(t.ports),
    cables: keep(t.cables),
    volumes: keep(t.volumes).map((v): Volume => {
      if (v.kind === 'virtual') return { ...v, ranges: v.ranges.filter((r) => !gone.has(r.lowerId)) };
      if (v.kind === 'virtualReal' && v.path && (gone.has(v.path.luId) || gone.has(v.path.initiatorPortId))) {
        const { path: _dropped, ...rest } = v;
        return rest;
      }
      if (v.kind === 'real' && v.backing.type === 'external' && (gone.has(v.backing.luId) || gone.has(v.backing.initiatorPortId)))
        return { ...v, backing: { type: 'internal' } };
      return v;
    }),
    lus: keep(t.lus),
    caches: keep(t.caches).map((c) => ({ ...c, volumeIds: c.volumeIds.filter((v) => !gone.has(v)) })),
    pairs: keep(t.pairs),
    layout: { nodes },
  };
}

/** Copies elements together with their contents; cables and pairs come along only when both of their ends do. */
export function copyFragment(t: Topology, ids: string[]): Fragment {
  const chosen = new Set(ids);
  // Contents of a copied container come along (a system with its ports and volumes).
  for (let changed = true; changed; ) {
    changed = false;
    for (const list of ['systems', 'hosts', 'ports', 'volumes', 'caches', 'lus'] as const)
      for (const e of t[list]) {
        const parent = canvasParentId(t, e.id);
        if (parent && chosen.has(parent) && !chosen.has(e.id)) {
          chosen.add(e.id);
          changed = true;
        }
      }
  }
  for (const c of t.cables) if (chosen.has(c.aPortId) && chosen.has(c.bPortId)) chosen.add(c.id);
  for (const p of t.pairs) if (chosen.has(p.primaryVolumeId) && chosen.has(p.secondaryVolumeId)) chosen.add(p.id);
  const elements: Fragment['elements'] = [];
  const layout: Record<string, NodeLayout> = {};
  for (const id of chosen) {
    const at = locate(t, id);
    if (!at) continue;
    if ((at.list === 'cables' && !(chosen.has((at.element as { aPortId: string }).aPortId) && chosen.has((at.element as { bPortId: string }).bPortId))))
      continue;
    elements.push({ list: at.list, element: structuredClone(at.element) });
    const l = t.layout.nodes[id];
    if (l) layout[id] = { ...l };
  }
  return { elements, layout };
}

/**
 * Pastes a fragment with fresh ids. References between pasted elements follow the copies; references to elements
 * outside the fragment keep pointing at the originals (a pasted system lands in the same site). Elements whose
 * container is not part of the fragment and no longer exists in the document are refused.
 */
export function pasteFragment(t: Topology, args: { fragment: Fragment; offset: XY; intoParentId?: string }): { topology: Topology; ids: string[] } {
  const taken = allIds(t);
  const map = new Map<string, string>();
  const prefixOf = (id: string) => id.replace(/[0-9]+$/, '') || 'e';
  for (const { element } of args.fragment.elements) {
    map.set(element.id, freshId(t, prefixOf(element.id), taken));
    if ('workloads' in element) for (const w of (element as Topology['hosts'][number]).workloads) map.set(w.id, freshId(t, prefixOf(w.id), taken));
  }
  let next: Topology = { ...t };
  const pastedIds: string[] = [];
  for (const { list, element } of args.fragment.elements) {
    const copy = remapValue(element, map) as AnyElement;
    (next as Record<string, unknown>)[list] = [...(next[list] as AnyElement[]), copy];
    pastedIds.push(copy.id);
  }
  const nodes = { ...next.layout.nodes };
  for (const [oldId, l] of Object.entries(args.fragment.layout)) {
    const newId = map.get(oldId);
    if (!newId) continue;
    // Top-level pasted nodes move by the offset; nested ones keep their place inside their (copied) parent.
    const parent = canvasParentId(next, newId);
    const topLevel = !parent || !pastedIds.includes(parent);
    nodes[newId] = topLevel ? { ...l, x: l.x + args.offset.x, y: l.y + args.offset.y } : { ...l };
  }
  next = { ...next, layout: { nodes } };
  const ids = allIds(next);
  for (const id of pastedIds) {
    const parent = canvasParentId(next, id);
    const at = locate(next, id);
    const needsParent = at && at.list !== 'sites' && at.list !== 'cables' && at.list !== 'pairs';
    if (needsParent && (!parent || !ids.has(parent)))
      throw new ActionRefused('paste', `${id.replace(/[0-9]+$/, '')} needs its container, which is no longer in the document; copy the container too`, id);
  }
  const parsed = Topology.safeParse(next, ISSUE_WORDING);
  if (!parsed.success) throw new ActionRefused('paste', parsed.error.issues[0]?.message ?? 'the pasted elements do not fit here');
  return { topology: parsed.data, ids: pastedIds };
}

/** Copy + paste in one step, shifted a little so the copies are visible. */
export function duplicate(t: Topology, args: { ids: string[] }): { topology: Topology; ids: string[] } {
  return pasteFragment(t, { fragment: copyFragment(t, args.ids), offset: { x: 30, y: 30 } });
}

/** Positions (and group sizes) from the auto-layout, replacing the whole layout section. */
export function applyLayout(t: Topology, args: { nodes: Record<string, NodeLayout> }): Topology {
  return { ...t, layout: { nodes: args.nodes } };
}

/** The registry: one name per action, so menus, shortcuts and the history all speak the same words. */
export const ACTION_LABELS = {
  addElement: 'Add element',
  moveNodes: 'Move',
  resizeNode: 'Resize',
  connectCable: 'Connect cable',
  mapOnto: 'Map range',
  unmapRange: 'Remove range',
  createPair: 'Create pair',
  setProperty: 'Edit property',
  setDocument: 'Edit document',
  deleteElements: 'Delete',
  paste: 'Paste',
  duplicate: 'Duplicate',
  applyLayout: 'Auto-layout',
} as const;
export type ActionName = keyof typeof ACTION_LABELS;
