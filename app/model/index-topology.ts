// Lookups over a topology's flat lists: elements by id (with their list and position), children by parent, cables by port, volume sizes.
import type {
  AnyElement,
  Cable,
  Cache,
  ElementList,
  Host,
  Lu,
  Pair,
  Port,
  Site,
  StorageSystem,
  Topology,
  Volume,
} from './schema';
import { ELEMENT_LISTS } from './schema';

export type ElementKind =
  | 'site'
  | 'system'
  | 'host'
  | 'port'
  | 'cable'
  | 'realVolume'
  | 'virtualVolume'
  | 'virtualRealVolume'
  | 'lu'
  | 'cache'
  | 'pair';

/** The kind of an element found in a given list (volumes split by their own `kind`). */
export function elementKindOf(element: AnyElement, list: ElementList): ElementKind {
  switch (list) {
    case 'sites':
      return 'site';
    case 'systems':
      return 'system';
    case 'hosts':
      return 'host';
    case 'ports':
      return 'port';
    case 'cables':
      return 'cable';
    case 'lus':
      return 'lu';
    case 'caches':
      return 'cache';
    case 'pairs':
      return 'pair';
    case 'volumes': {
      const kind = (element as Volume).kind;
      return kind === 'real' ? 'realVolume' : kind === 'virtual' ? 'virtualVolume' : 'virtualRealVolume';
    }
  }
}

/** Where an element lives in the document: its list and index (for JSON paths). */
export interface ElementLocation {
  list: ElementList;
  index: number;
  element: AnyElement;
}

export interface TopologyIndex {
  /** First occurrence of each id (duplicates are reported by validation, not here). */
  byId: Map<string, ElementLocation>;
  sites: Map<string, Site>;
  systems: Map<string, StorageSystem>;
  hosts: Map<string, Host>;
  ports: Map<string, Port>;
  cables: Map<string, Cable>;
  volumes: Map<string, Volume>;
  lus: Map<string, Lu>;
  caches: Map<string, Cache>;
  pairs: Map<string, Pair>;
  /** Ports of each system or host. */
  portsByOwner: Map<string, Port[]>;
  /** Cables attached to each port (either end). */
  cablesByPort: Map<string, Cable[]>;
  /** LUs exposed on each port. */
  lusByPort: Map<string, Lu[]>;
  /** LUs mapped onto each volume. */
  lusByVolume: Map<string, Lu[]>;
  /** Volumes of each storage system. */
  volumesBySystem: Map<string, Volume[]>;
  /** Caches of each storage system. */
  cachesBySystem: Map<string, Cache[]>;
  /** Systems and hosts of each site. */
  systemsBySite: Map<string, StorageSystem[]>;
  hostsBySite: Map<string, Host[]>;
  /** Virtual volumes with a range on each lower volume or LU (keyed by the lower id). */
  upperByLower: Map<string, Volume[]>;
  /** Virtual real volumes aliasing each virtual volume. */
  aliasesOf: Map<string, Volume[]>;
  /** Volumes reached through each LU: external real volumes backed by it, virtual real volumes whose path uses it. */
  volumesOnLu: Map<string, Volume[]>;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Builds the index from scratch (O(n)). Prefer `indexTopology`, which caches per document. */
export function buildIndex(t: Topology): TopologyIndex {
  const ix: TopologyIndex = {
    byId: new Map(),
    sites: new Map(),
    systems: new Map(),
    hosts: new Map(),
    ports: new Map(),
    cables: new Map(),
    volumes: new Map(),
    lus: new Map(),
    caches: new Map(),
    pairs: new Map(),
    portsByOwner: new Map(),
    cablesByPort: new Map(),
    lusByPort: new Map(),
    lusByVolume: new Map(),
    volumesBySystem: new Map(),
    cachesBySystem: new Map(),
    systemsBySite: new Map(),
    hostsBySite: new Map(),
    upperByLower: new Map(),
    aliasesOf: new Map(),
    volumesOnLu: new Map(),
  };
  for (const list of ELEMENT_LISTS) {
    const elements = t[list] as readonly AnyElement[];
    elements.forEach((element, index) => {
      if (!ix.byId.has(element.id)) ix.byId.set(element.id, { list, index, element });
    });
  }
  const first = <T extends { id: string }>(map: Map<string, T>, el: T) => {
    if (!map.has(el.id)) map.set(el.id, el);
  };
  for (const s of t.sites) first(ix.sites, s);
  for (const s of t.systems) {
    first(ix.systems, s);
    push(ix.systemsBySite, s.siteId, s);
  }
  for (const h of t.hosts) {
    first(ix.hosts, h);
    push(ix.hostsBySite, h.siteId, h);
  }
  for (const p of t.ports) {
    first(ix.ports, p);
    push(ix.portsByOwner, p.ownerId, p);
  }
  for (const c of t.cables) {
    first(ix.cables, c);
    push(ix.cablesByPort, c.aPortId, c);
    if (c.bPortId !== c.aPortId) push(ix.cablesByPort, c.bPortId, c);
  }
  for (const v of t.volumes) {
    first(ix.volumes, v);
    push(ix.volumesBySystem, v.systemId, v);
    if (v.kind === 'virtual') {
      const seen = new Set<string>();
      for (const r of v.ranges) {
        if (seen.has(r.lowerId)) continue;
        seen.add(r.lowerId);
        push(ix.upperByLower, r.lowerId, v);
      }
    } else if (v.kind === 'virtualReal') {
      push(ix.aliasesOf, v.aliasOfId, v);
      if (v.path) push(ix.volumesOnLu, v.path.luId, v);
    } else if (v.backing.type === 'external') push(ix.volumesOnLu, v.backing.luId, v);
  }
  for (const l of t.lus) {
    first(ix.lus, l);
    push(ix.lusByPort, l.portId, l);
    push(ix.lusByVolume, l.volumeId, l);
  }
  for (const c of t.caches) {
    first(ix.caches, c);
    push(ix.cachesBySystem, c.systemId, c);
  }
  for (const p of t.pairs) first(ix.pairs, p);
  return ix;
}

const cache = new WeakMap<Topology, TopologyIndex>();

/**
 * The index of a topology, cached per document object. Topologies are treated as immutable
 * (edits return a new document); if you mutate one in place, call `buildIndex` instead.
 */
export function indexTopology(t: Topology): TopologyIndex {
  let ix = cache.get(t);
  if (!ix) {
    ix = buildIndex(t);
    cache.set(t, ix);
  }
  return ix;
}

/** The id of the element an element sits inside on the canvas (site > system/host > port/volume/cache > LU); null for top-level ones. */
export function parentIdOf(element: AnyElement, list: ElementList): string | null {
  switch (list) {
    case 'systems':
    case 'hosts':
      return (element as StorageSystem | Host).siteId;
    case 'ports':
      return (element as Port).ownerId;
    case 'volumes':
    case 'caches':
      return (element as Volume | Cache).systemId;
    case 'lus':
      return (element as Lu).portId;
    default:
      return null;
  }
}

/** Children of an element on the canvas, in document order. */
export function childrenOf(t: Topology, parentId: string): ElementLocation[] {
  const out: ElementLocation[] = [];
  for (const list of ELEMENT_LISTS) {
    (t[list] as readonly AnyElement[]).forEach((element, index) => {
      if (parentIdOf(element, list) === parentId) out.push({ list, index, element });
    });
  }
  return out;
}

/** The storage system or host that owns a port, LU, volume or cache (the element itself for a system or host). */
export function ownerSystemId(t: Topology, elementId: string): string | undefined {
  const ix = indexTopology(t);
  const loc = ix.byId.get(elementId);
  if (!loc) return undefined;
  const el = loc.element;
  switch (loc.list) {
    case 'systems':
    case 'hosts':
      return el.id;
    case 'ports':
      return (el as Port).ownerId;
    case 'volumes':
    case 'caches':
      return (el as Volume | Cache).systemId;
    case 'lus': {
      const port = ix.ports.get((el as Lu).portId);
      return port?.ownerId;
    }
    default:
      return undefined;
  }
}

/**
 * Size of a volume or LU in bytes: a real volume's own size, a virtual volume's pieces laid
 * end to end, an alias's aliased volume, an LU's size. Undefined for unknown ids or alias cycles.
 */
export function sizeBytesOf(t: Topology, id: string): number | undefined {
  const ix = indexTopology(t);
  const seen = new Set<string>();
  let current = id;
  for (;;) {
    if (seen.has(current)) return undefined;
    seen.add(current);
    const lu = ix.lus.get(current);
    if (lu) return lu.sizeBytes;
    const v = ix.volumes.get(current);
    if (!v) return undefined;
    if (v.kind === 'real') return v.sizeBytes;
    if (v.kind === 'virtual') return v.ranges.reduce((sum, r) => sum + r.lengthBytes, 0);
    current = v.aliasOfId;
  }
}

/** Distance between two sites in km: an explicit siteDistances entry wins, else the map positions, else 0. */
export function siteDistanceKm(t: Topology, siteAId: string, siteBId: string): number {
  if (siteAId === siteBId) return 0;
  const explicit = t.siteDistances.find(
    (d) => (d.siteAId === siteAId && d.siteBId === siteBId) || (d.siteAId === siteBId && d.siteBId === siteAId),
  );
  if (explicit) return explicit.distanceKm;
  const ix = indexTopology(t);
  const a = ix.sites.get(siteAId);
  const b = ix.sites.get(siteBId);
  if (a?.xKm === undefined || a.yKm === undefined || b?.xKm === undefined || b.yKm === undefined) return 0;
  return Math.round(Math.hypot(a.xKm - b.xKm, a.yKm - b.yKm));
}

/** Site of a system, host or port (through its owner). */
export function siteIdOf(t: Topology, elementId: string): string | undefined {
  const ix = indexTopology(t);
  const port = ix.ports.get(elementId);
  const ownerId = port ? port.ownerId : elementId;
  return ix.systems.get(ownerId)?.siteId ?? ix.hosts.get(ownerId)?.siteId;
}
