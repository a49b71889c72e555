// The element kinds of a topology in one registry: list name, label, teaching tooltip, parent, and a factory for a valid new element.
import { Pair as PairSchema, StorageSystem as StorageSystemSchema } from './schema';
import type {
  AnyElement,
  Cable,
  Cache,
  ElementList,
  Host,
  Lu,
  Pair,
  Port,
  PortKind,
  RealVolume,
  Site,
  StorageSystem,
  Topology,
  VirtualRealVolume,
  VirtualVolume,
} from './schema';
import { elementKindOf, indexTopology, parentIdOf, siteDistanceKm, siteIdOf, sizeBytesOf } from './index-topology';
import type { ElementKind } from './index-topology';
import { canConnect, canNestIn } from './rules';

export type { ElementKind };

export interface ElementOfKind {
  site: Site;
  system: StorageSystem;
  host: Host;
  port: Port;
  cable: Cable;
  realVolume: RealVolume;
  virtualVolume: VirtualVolume;
  virtualRealVolume: VirtualRealVolume;
  lu: Lu;
  cache: Cache;
  pair: Pair;
}

/** Extra choices for `create`; what a kind needs beyond its parent (e.g. the other end of a cable). */
export interface CreateOptions {
  name?: string;
  /** port: its kind (default target on a system, initiator on a host). */
  portKind?: PortKind;
  /** cable: the port at the other end (the parent id is the first port). */
  toPortId?: string;
  /** virtual volume: the lower volume or LU to map (default: the first real or virtual real volume of the system). */
  lowerId?: string;
  /** virtual real volume: the virtual volume it aliases (default: the first virtual volume of the system). */
  aliasOfId?: string;
  /** LU: the volume it exposes (default: the first virtual volume of the port's system, else any volume). */
  volumeId?: string;
  /** cache: volumes it holds (default: the system's virtual volumes). */
  volumeIds?: string[];
  /** pair: the two volumes and the mode. */
  primaryVolumeId?: string;
  secondaryVolumeId?: string;
  mode?: 'sync' | 'async';
  sizeBytes?: number;
}

/** Raised when `create` cannot make a valid element (a missing prerequisite), naming the kind, parent and reason. */
export class ElementCreateError extends Error {
  override readonly name = 'ElementCreateError';
  constructor(
    readonly kind: ElementKind,
    readonly parentId: string | null,
    readonly reason: string,
  ) {
    super(`cannot create a ${kind}${parentId ? ` in ${parentId}` : ''}: ${reason}`);
  }
}

export interface ElementSpec<K extends ElementKind> {
  kind: K;
  /** The Topology list holding this kind. */
  list: ElementList;
  label: string;
  /** One line that teaches what this is. */
  tooltip: string;
  /** Prefix for generated ids and names. */
  idPrefix: string;
  /** A valid new element with sensible, unique defaults. Throws ElementCreateError when a prerequisite is missing. */
  create(id: string, parentId: string | null, topology: Topology, options?: CreateOptions): ElementOfKind[K];
}

export const GiB = 1024 * 1024 * 1024;
export const MiB = 1024 * 1024;

/** The next name `${prefix}${n}` not used by any element of the list. */
function nextName(names: Iterable<string>, prefix: string): string {
  const used = new Set(names);
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** An id not yet used in the document, `${prefix}${n}`. */
export function newElementId(t: Topology, prefix: string): string {
  return nextName(indexTopology(t).byId.keys(), prefix);
}

/** A WWN not used by any port: Hitachi's 50:06:0e:80 prefix and a counter. */
export function nextWwn(t: Topology): string {
  const used = new Set(t.ports.map((p) => p.wwn.toLowerCase()));
  for (let n = t.ports.length + 1; ; n++) {
    const hex = n.toString(16).padStart(8, '0');
    const wwn = `50:06:0e:80:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}`;
    if (!used.has(wwn)) return wwn;
  }
}

/** The lowest LUN not used on a port. */
export function nextLun(t: Topology, portId: string): number {
  const used = new Set((indexTopology(t).lusByPort.get(portId) ?? []).map((l) => l.lun));
  let lun = 0;
  while (used.has(lun)) lun++;
  return lun;
}

function need<T>(value: T | undefined | null, kind: ElementKind, parentId: string | null, reason: string): T {
  if (value === undefined || value === null) throw new ElementCreateError(kind, parentId, reason);
  return value;
}

function requireParent(t: Topology, kind: ElementKind, parentId: string | null, lists: ElementList[]): string {
  const id = need(parentId, kind, parentId, `a ${kind} needs a parent (${lists.join(' or ')})`);
  const loc = indexTopology(t).byId.get(id);
  if (!loc || !lists.includes(loc.list)) throw new ElementCreateError(kind, parentId, `"${id}" is not one of ${lists.join(' or ')}`);
  const nest = canNestIn(t, kind, id);
  if (!nest.ok) throw new ElementCreateError(kind, parentId, nest.reason);
  return id;
}

const site: ElementSpec<'site'> = {
  kind: 'site',
  list: 'sites',
  label: 'Site',
  tooltip: 'A physical location (data centre). Sites are kilometres apart, and that distance sets how long each write takes to cross.',
  idPrefix: 'site',
  create(id, _parentId, t, o) {
    const name = o?.name ?? nextName(t.sites.map((s) => s.name), 'Site ');
    return { id, name, xKm: t.sites.length * 100, yKm: 0 };
  },
};

const system: ElementSpec<'system'> = {
  kind: 'system',
  list: 'systems',
  label: 'Storage system',
  tooltip: 'A disk array. Local, relay, remote and external are roles given by wiring, not types: the same box can play any of them.',
  idPrefix: 'sys',
  create(id, parentId, t, o) {
    const siteId = requireParent(t, 'system', parentId, ['sites']);
    // Track size, CHA and destage times: the schema's defaults, one source of truth.
    return StorageSystemSchema.parse({ id, name: o?.name ?? nextName(t.systems.map((s) => s.name), 'Storage system '), siteId, role: '' });
  },
};

const host: ElementSpec<'host'> = {
  kind: 'host',
  list: 'hosts',
  label: 'Host',
  tooltip: 'A server that reads and writes LUs through a storage target port; its workload drives the whole replication chain.',
  idPrefix: 'host',
  create(id, parentId, t, o) {
    const siteId = requireParent(t, 'host', parentId, ['sites']);
    return { id, name: o?.name ?? nextName(t.hosts.map((h) => h.name), 'Host '), siteId, workloads: [] };
  },
};

const port: ElementSpec<'port'> = {
  kind: 'port',
  list: 'ports',
  label: 'Port',
  tooltip:
    'A channel port. A target (TP) receives commands, an initiator (IP) sends them, a switchable port plays one role at a time (FIG. 13). A port takes one cable; behind a switch (fabric) it takes one cable per peer port.',
  idPrefix: 'port',
  create(id, parentId, t, o) {
    const ownerId = requireParent(t, 'port', parentId, ['systems', 'hosts']);
    const ix = indexTopology(t);
    const kind: PortKind = o?.portKind ?? (ix.hosts.has(ownerId) ? 'initiator' : 'target');
    const prefix = kind === 'target' ? 'TP' : kind === 'initiator' ? 'IP' : 'SP';
    const siblings = (ix.portsByOwner.get(ownerId) ?? []).map((p) => p.name);
    return { id, name: o?.name ?? nextName(siblings, prefix), ownerId, kind, wwn: nextWwn(t) };
  },
};

const cable: ElementSpec<'cable'> = {
  kind: 'cable',
  list: 'cables',
  label: 'Cable',
  tooltip:
    'A link from an initiator port to a target port: FC SAN, IP, internet, or an internal loop inside one system (CN3). Its length sets the delay (about 5 us per km each way).',
  idPrefix: 'cable',
  create(id, parentId, t, o) {
    // A cable is not nested: `parentId` is the port the drag started from.
    const aPortId = need(parentId, 'cable', parentId, 'a cable starts at a port (parentId)');
    const bPortId = need(o?.toPortId, 'cable', parentId, 'a cable needs the port at its other end (options.toPortId)');
    const ix = indexTopology(t);
    const a = ix.ports.get(aPortId);
    const b = ix.ports.get(bPortId);
    const sameSystem = a !== undefined && a.ownerId === b?.ownerId;
    const allowed = canConnect(t, aPortId, bPortId, { cableKind: sameSystem ? 'internal-loop' : 'fc' });
    if (!allowed.ok) throw new ElementCreateError('cable', parentId, allowed.reason);
    const siteA = siteIdOf(t, aPortId);
    const siteB = siteIdOf(t, bPortId);
    const distanceKm = sameSystem || !siteA || !siteB ? 0 : siteDistanceKm(t, siteA, siteB);
    return {
      id,
      name: o?.name ?? nextName(t.cables.map((c) => c.name), 'CN'),
      kind: sameSystem ? 'internal-loop' : distanceKm > 300 ? 'ip' : 'fc',
      aPortId,
      bPortId,
      distanceKm,
      bandwidthMbps: sameSystem ? 32000 : distanceKm > 300 ? 10000 : 16000,
      roundTripsPerWrite: 2,
    };
  },
};

const realVolume: ElementSpec<'realVolume'> = {
  kind: 'realVolume',
  list: 'volumes',
  label: 'Real volume',
  tooltip:
    'Storage with a physical entity: a RAID group inside this system, or an LU of an external system reached through an initiator port (R1 in FIG. 1).',
  idPrefix: 'R',
  create(id, parentId, t, o) {
    const systemId = requireParent(t, 'realVolume', parentId, ['systems']);
    return {
      id,
      name: o?.name ?? nextName(t.volumes.map((v) => v.name), 'R'),
      systemId,
      kind: 'real',
      sizeBytes: o?.sizeBytes ?? 4 * GiB,
      backing: { type: 'internal' },
    };
  },
};

const virtualVolume: ElementSpec<'virtualVolume'> = {
  kind: 'virtualVolume',
  list: 'volumes',
  label: 'Virtual volume',
  tooltip:
    'An address space mapped onto ranges of lower volumes; several virtual volumes may share one real volume (the "multiple virtualization" flag of table T1).',
  idPrefix: 'V',
  create(id, parentId, t, o) {
    const systemId = requireParent(t, 'virtualVolume', parentId, ['systems']);
    const ix = indexTopology(t);
    const lowerId = need(
      o?.lowerId ??
        (ix.volumesBySystem.get(systemId) ?? []).find((v) => v.kind === 'real' || v.kind === 'virtualReal')?.id,
      'virtualVolume',
      parentId,
      'a virtual volume maps onto a lower volume: add a real volume (or a virtual real volume) to this system first',
    );
    const lowerSize = need(sizeBytesOf(t, lowerId), 'virtualVolume', parentId, `"${lowerId}" is not a volume or LU with a size`);
    // Mapping the same bytes as another virtual volume is the patent's multiple virtualization: mark it shared.
    const shared = (ix.upperByLower.get(lowerId) ?? []).length > 0;
    return {
      id,
      name: o?.name ?? nextName(t.volumes.map((v) => v.name), 'V'),
      systemId,
      kind: 'virtual',
      ranges: [{ lowerId, startBytes: 0, lengthBytes: o?.sizeBytes ?? lowerSize, shared }],
    };
  },
};

const virtualRealVolume: ElementSpec<'virtualRealVolume'> = {
  kind: 'virtualRealVolume',
  list: 'volumes',
  label: 'Virtual real volume',
  tooltip:
    'Looks like a real volume but has no disk behind it: an alias of a virtual volume, so that another virtual volume can be stacked on it (R2 in FIG. 1).',
  idPrefix: 'R',
  create(id, parentId, t, o) {
    const systemId = requireParent(t, 'virtualRealVolume', parentId, ['systems']);
    const ix = indexTopology(t);
    const aliasOfId = need(
      o?.aliasOfId ?? (ix.volumesBySystem.get(systemId) ?? []).find((v) => v.kind === 'virtual')?.id,
      'virtualRealVolume',
      parentId,
      'a virtual real volume is an alias of a virtual volume: add a virtual volume first',
    );
    return { id, name: o?.name ?? nextName(t.volumes.map((v) => v.name), 'R'), systemId, kind: 'virtualReal', aliasOfId };
  },
};

const lu: ElementSpec<'lu'> = {
  kind: 'lu',
  list: 'lus',
  label: 'LU',
  tooltip: 'A logical unit: a LUN a target port exposes, mapped to a range of a volume; hosts and other systems write to it.',
  idPrefix: 'LU',
  create(id, parentId, t, o) {
    const portId = requireParent(t, 'lu', parentId, ['ports']);
    const ix = indexTopology(t);
    const p = ix.ports.get(portId)!;
    const vols = ix.volumesBySystem.get(p.ownerId) ?? [];
    const volumeId = need(
      o?.volumeId ?? (vols.find((v) => v.kind === 'virtual') ?? vols[0])?.id,
      'lu',
      parentId,
      'an LU exposes a volume: add a volume to this system first',
    );
    const size = need(sizeBytesOf(t, volumeId), 'lu', parentId, `"${volumeId}" has no size`);
    const shared = (ix.lusByVolume.get(volumeId) ?? []).length > 0;
    return {
      id,
      name: o?.name ?? nextName(t.lus.map((l) => l.name), 'LU'),
      portId,
      lun: nextLun(t, portId),
      volumeId,
      startBytes: 0,
      sizeBytes: o?.sizeBytes ?? size,
      shared,
    };
  },
};

const cache: ElementSpec<'cache'> = {
  kind: 'cache',
  list: 'caches',
  label: 'Cache memory',
  tooltip:
    'Fast memory that holds written data until it is destaged; one per virtual volume (C12, C21) or one shared by several (FIG. 9).',
  idPrefix: 'C',
  create(id, parentId, t, o) {
    const systemId = requireParent(t, 'cache', parentId, ['systems']);
    const ix = indexTopology(t);
    const volumeIds = o?.volumeIds ?? (ix.volumesBySystem.get(systemId) ?? []).filter((v) => v.kind === 'virtual').map((v) => v.id);
    if (volumeIds.length === 0)
      throw new ElementCreateError('cache', parentId, 'a cache holds data of virtual volumes: add a virtual volume first');
    return { id, name: o?.name ?? nextName(t.caches.map((c) => c.name), 'C'), systemId, sizeBytes: o?.sizeBytes ?? 512 * MiB, volumeIds, writePendingThreshold: 0.7 };
  },
};

const pair: ElementSpec<'pair'> = {
  kind: 'pair',
  list: 'pairs',
  label: 'Pair',
  tooltip:
    'A primary and a secondary volume kept identical: synchronous (the host waits for the copy) or asynchronous (a journal carries writes later).',
  idPrefix: 'pair',
  create(id, _parentId, t, o) {
    const primaryVolumeId = need(o?.primaryVolumeId, 'pair', null, 'a pair needs a primary volume (options.primaryVolumeId)');
    const secondaryVolumeId = need(o?.secondaryVolumeId, 'pair', null, 'a pair needs a secondary volume (options.secondaryVolumeId)');
    const mode = o?.mode ?? 'sync';
    // Copy pace, auto-resync and the initial copy: the schema's defaults.
    const base: Pair = PairSchema.parse({
      id,
      name: o?.name ?? nextName(t.pairs.map((p) => p.name), 'Pair '),
      primaryVolumeId,
      secondaryVolumeId,
      mode,
      fence: mode === 'sync' ? 'data' : 'never',
    });
    // Hitachi's rule of thumb sizes the journal for bursts; a quarter of the volume is a safe start.
    if (mode === 'async') base.journalBytes = Math.max(256 * MiB, Math.floor((sizeBytesOf(t, primaryVolumeId) ?? GiB) / 4));
    return base;
  },
};

/** One entry per element kind. */
export const ELEMENTS: { readonly [K in ElementKind]: ElementSpec<K> } = {
  site,
  system,
  host,
  port,
  cable,
  realVolume,
  virtualVolume,
  virtualRealVolume,
  lu,
  cache,
  pair,
};

export const ELEMENT_KINDS = Object.keys(ELEMENTS) as ElementKind[];

/** The kind of the element with this id, if any. */
export function kindOfId(t: Topology, id: string): ElementKind | undefined {
  const loc = indexTopology(t).byId.get(id);
  return loc ? elementKindOf(loc.element, loc.list) : undefined;
}

/** Creates an element with a fresh id and returns the new document with it appended (the topology is not mutated). */
export function addElement<K extends ElementKind>(
  t: Topology,
  kind: K,
  parentId: string | null,
  options?: CreateOptions,
): { topology: Topology; element: ElementOfKind[K] } {
  const spec = ELEMENTS[kind] as ElementSpec<K>;
  const element = spec.create(newElementId(t, spec.idPrefix), parentId, t, options);
  const list = t[spec.list] as readonly AnyElement[];
  return { topology: { ...t, [spec.list]: [...list, element] }, element };
}

export { elementKindOf, parentIdOf };
