// How a built-in topology is varied for one property run: distances, bandwidths, fence, journals, consistency groups, path groups and sustained load.
import type { Topology } from '../../../app/model/schema';
import { pairRoute } from '../../../app/model/paths';
import { sizeBytesOf } from '../../../app/model/index-topology';
import { sameBytes } from '../../../app/tables/translate';

/** How a built-in topology is varied for one run. */
export interface Variation {
  distanceScale: number;
  bandwidthScale: number;
  fence: 'data' | 'status' | 'never';
  initially: 'paired' | 'create';
  /** Small journals overflow under faults; large ones ride them out. */
  journalBytes: number;
  autoResync: boolean;
  /**
   * Consistency groups: as the file has them; every async pair of the topology in one group (FIG. 12's two fan-out legs
   * share a journal); or the topology twice side by side with each pair grouped with its twin (a journal of two pairs in
   * every figure, and sync pairs that suspend together). Absent means as filed.
   */
  grouping?: 'as-filed' | 'one-group' | 'twins';
  /** Every pair's cable doubled into a path group of two (minimum 1, a short path timeout). Absent means one cable. */
  paths?: boolean;
  /**
   * Sustained load: the topology's own workloads run throughout (hotspot, `iops` per workload, 4 KiB) over caches of at
   * most `cacheBytes`, so writes queue for slots in every system while the faults and commands land. The model then
   * checks no write of its own (the workload would overwrite them): only the invariants that need no per-block model
   * (RPO, labels, paths, and after repair: settled, nothing stuck, PAIR over equal copies). Absent means no load.
   */
  load?: { iops: number; hotspotFraction: number; cacheBytes: number; blockBytes?: number; readRatio?: number };
  /**
   * Writes that span: half of the blocks the model checks straddle a track boundary and two store chunks (2 KiB on each
   * side), and under load the workloads write 6 KiB blocks (several chunks, half-chunk aligned, some across a track
   * boundary) or 44 KiB blocks (eleven chunks), with a third of the workload's I/Os reads (misses stage tracks into
   * the caches the writes wait for): one write holds two cache slots, two journal tracks and partial chunks. Absent
   * means 4 KiB blocks aligned to a chunk, inside one track, and no reads.
   */
  writes?: 'straddling';
  /**
   * A host at the site of every async pair's secondary, writing it through an LU of its own: refused while the pair
   * protects it, taken once a takeover made it writable (SSWS), and carried back by a swap-resync or failback. Absent
   * means the figures' own hosts only (all at the local site: nobody wrote on the remote side after a failover).
   */
  remoteHosts?: boolean;
  /**
   * A host at the site of every sync pair's secondary (the relay of a cascade), writing it through an LU of its own:
   * refused while the pair protects it, taken after a takeover (SSWS: the relay site carries on, and what it writes
   * goes on down the cascade), carried back by a swap-resync. Absent means nobody writes at the relay site.
   */
  relayHosts?: boolean;
  /**
   * A host at the site of every sync pair's secondary writing, through an LU of its own, another volume of that system
   * over the same bytes that is a pair's primary (FIG. 1's V21 under V12; FIG. 12's V21a and V21b): what it writes
   * changes the sync secondary too, or, with the sync pair reversed, its primary (the write is then answered only once
   * the sync pair's secondary has it; refused while a fence or a protected secondary holds those bytes). Absent means
   * nobody writes a sibling.
   */
  siblingHosts?: boolean;
}

/** Longest stretch one 'run' or 'settle' action covers under load (a load never settles; 200 ms is 2,000 writes). */
export const LOAD_RUN_MAX_US = 20_000;

/**
 * The topology with each pair's cable doubled (a parallel cable between two new ports of the same systems) and the
 * pair using both as a path group (DOMAIN.md "Paths"), so random cuts exercise the path timeout and the move.
 */
export function withPathGroups(t: Topology): Topology {
  const ports = [...t.ports];
  const cables = [...t.cables];
  const doubled = new Map<string, string>();
  const pairs = t.pairs.map((p) => {
    const route = pairRoute(t, p.id);
    const cable = route && t.cables.find((c) => c.id === route.cableId);
    if (!cable || cable.kind === 'internal-loop') return p;
    let dup = doubled.get(cable.id);
    if (!dup) {
      dup = `${cable.id}.path2`;
      doubled.set(cable.id, dup);
      const n = doubled.size;
      for (const end of [cable.aPortId, cable.bPortId]) {
        const port = t.ports.find((x) => x.id === end)!;
        ports.push({ ...port, id: `${end}.${cable.id}.path2`, name: `${port.name} (path 2 of ${cable.id})`, wwn: `5e:00:00:00:00:00:${n.toString(16).padStart(2, '0')}:${end === cable.aPortId ? '0a' : '0b'}` });
      }
      cables.push({ ...cable, id: dup, name: `${cable.name} (path 2)`, aPortId: `${cable.aPortId}.${cable.id}.path2`, bPortId: `${cable.bPortId}.${cable.id}.path2`, switchGroup: undefined });
    }
    return { ...p, paths: { cableIds: [cable.id, dup], minPaths: 1, timeoutMs: 20 } };
  });
  return { ...t, ports, cables, pairs };
}

/** The topology with its consistency groups reshaped for a variation (see Variation.grouping). */
export function groupPairs(t: Topology, grouping: Variation['grouping']): Topology {
  if (grouping === 'one-group') return { ...t, pairs: t.pairs.map((p) => (p.mode === 'async' ? { ...p, consistencyGroup: 'cg-all' } : p)) };
  if (grouping !== 'twins') return t;
  const ids = new Set<string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') {
      const id = (v as { id?: unknown }).id;
      if (typeof id === 'string') ids.add(id);
      Object.values(v).forEach(collect);
    }
  };
  collect([t.sites, t.systems, t.hosts, t.ports, t.cables, t.volumes, t.lus, t.caches, t.pairs]);
  // Every string that is an element id becomes the twin's id (names equal to ids are renamed too, harmlessly).
  const twinOf = (v: unknown): unknown => {
    if (typeof v === 'string') return ids.has(v) ? `${v}.twin` : v;
    if (Array.isArray(v)) return v.map(twinOf);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, twinOf(x)]));
    return v;
  };
  const twin = twinOf({ sites: t.sites, systems: t.systems, hosts: t.hosts, ports: t.ports, cables: t.cables, volumes: t.volumes, lus: t.lus, caches: t.caches, pairs: t.pairs }) as Pick<Topology, 'sites' | 'systems' | 'hosts' | 'ports' | 'cables' | 'volumes' | 'lus' | 'caches' | 'pairs'>;
  // A different first byte keeps the twins' WWNs unique.
  const ports = twin.ports.map((p) => ({ ...p, wwn: `51${p.wwn.slice(2)}` }));
  const group = (p: Topology['pairs'][number]) => ({ ...p, consistencyGroup: `twins-${p.id.replace(/\.twin$/, '')}` });
  return {
    ...t,
    sites: [...t.sites, ...twin.sites],
    siteDistances: [],
    systems: [...t.systems, ...twin.systems],
    hosts: [...t.hosts, ...twin.hosts],
    ports: [...t.ports, ...ports],
    cables: [...t.cables, ...twin.cables],
    volumes: [...t.volumes, ...twin.volumes],
    lus: [...t.lus, ...twin.lus],
    caches: [...t.caches, ...twin.caches],
    pairs: [...t.pairs.map(group), ...twin.pairs.map(group)],
    layout: { nodes: {} },
  };
}

export function vary(t: Topology, v: Variation): Topology {
  const load = v.load;
  const filled = t.volumes.some((x) => x.kind === 'real' && x.initialFill !== undefined);
  return {
    ...t,
    // We drive the writes ourselves so that every one is tracked; under load the figure's own workloads drive them.
    hosts: t.hosts.map((h) => ({
      ...h,
      workloads: load ? h.workloads.filter((w) => !w.trace).map((w) => ({ ...w, iops: load.iops, blockBytes: load.blockBytes ?? 4096, readRatio: load.readRatio ?? 0, pattern: 'hotspot' as const, hotspotFraction: load.hotspotFraction })) : [],
    })),
    caches: load ? t.caches.map((c) => ({ ...c, sizeBytes: Math.min(c.sizeBytes, load.cacheBytes) })) : t.caches,
    cables: t.cables.map((c) => ({
      ...c,
      distanceKm: c.kind === 'internal-loop' ? c.distanceKm : Math.min(40_000, c.distanceKm * v.distanceScale),
      bandwidthMbps: Math.min(10_000_000, Math.max(1, c.bandwidthMbps * v.bandwidthScale)),
    })),
    pairs: t.pairs.map((p) => ({
      ...p,
      fence: p.mode === 'sync' ? v.fence : p.fence,
      // Starting data (the figures as shipped: prop-long --filled) is on the primary only: its pairs start with a copy.
      initially: filled ? 'create' : v.initially,
      autoResync: v.autoResync,
      ...(p.mode === 'async' ? { journalBytes: v.journalBytes } : {}),
    })),
  };
}

/** The topology with a host writing each async pair's secondary at its own site (see Variation.remoteHosts). */
export function withRemoteHosts(t: Topology): Topology {
  return withSecondaryHosts(t, 'async', 'R', '5f');
}

/** The topology with a host writing each sync pair's secondary at its own site (see Variation.relayHosts). */
export function withRelayHosts(t: Topology): Topology {
  return withSecondaryHosts(t, 'sync', 'S', '5d');
}

/**
 * The topology with a host writing each pair primary that lies, in the same system, over the bytes of a sync pair's
 * secondary (see Variation.siblingHosts).
 */
export function withSiblingHosts(t: Topology): Topology {
  const siblings: string[] = [];
  for (const p of t.pairs) {
    if (p.mode !== 'sync') continue;
    const systemId = t.volumes.find((v) => v.id === p.secondaryVolumeId)?.systemId;
    const size = sizeBytesOf(t, p.secondaryVolumeId);
    if (!systemId || !size) continue;
    for (const hop of sameBytes(t, p.secondaryVolumeId, 0, size)) {
      const v = t.volumes.find((x) => x.id === hop.elementId);
      if (!v || v.id === p.secondaryVolumeId || v.systemId !== systemId || siblings.includes(v.id)) continue;
      if (t.pairs.some((q) => q.primaryVolumeId === v.id)) siblings.push(v.id);
    }
  }
  return withHostsOn(t, siblings, 'B', '5b', 'Sibling host');
}

/** A host (`host<tag>n`, LU `LU-<tag>n`, WWNs `<wwnHead>:...`) writing each secondary of the pairs of `mode` at its site. */
function withSecondaryHosts(t: Topology, mode: 'sync' | 'async', tag: string, wwnHead: string): Topology {
  const secondaries = [...new Set(t.pairs.filter((p) => p.mode === mode).map((p) => p.secondaryVolumeId))];
  return withHostsOn(t, secondaries, tag, wwnHead, mode === 'async' ? 'Remote host' : 'Relay host');
}

/** A host (`host<tag>n`, LU `LU-<tag>n`, WWNs `<wwnHead>:...`) at each volume's site, writing it through an LU of its own. */
function withHostsOn(t: Topology, volumeIds: string[], tag: string, wwnHead: string, name: string): Topology {
  const hosts = [...t.hosts];
  const ports = [...t.ports];
  const cables = [...t.cables];
  let lus = [...t.lus];
  let n = 0;
  for (const volumeId of volumeIds) {
    const volume = t.volumes.find((v) => v.id === volumeId);
    const system = volume && t.systems.find((s) => s.id === volume.systemId);
    const sizeBytes = volume && sizeBytesOf(t, volume.id);
    if (!volume || !system || !sizeBytes || lus.some((l) => l.id === `LU-${tag}${n}`)) continue;
    const wwn = (end: string) => `${wwnHead}:00:00:00:00:00:${n.toString(16).padStart(2, '0')}:${end}`;
    const hostId = `host${tag}${n}`;
    hosts.push({ id: hostId, name: `${name} ${n}`, siteId: system.siteId, workloads: [{ id: `wl${tag}${n}`, luId: `LU-${tag}${n}`, iops: 800, blockBytes: 4096, readRatio: 0, pattern: 'random', hotspotFraction: 0.2, startMs: 0 }] } as Topology['hosts'][number]);
    ports.push({ id: `HBA-${tag}${n}`, name: `HBA-${tag}${n}`, ownerId: hostId, kind: 'initiator', wwn: wwn('0a') } as Topology['ports'][number]);
    ports.push({ id: `TP-${tag}${n}`, name: `TP-${tag}${n}`, ownerId: system.id, kind: 'target', wwn: wwn('0b') } as Topology['ports'][number]);
    cables.push({ id: `CN-${tag}${n}`, name: `CN-${tag}${n}`, kind: 'fc', aPortId: `HBA-${tag}${n}`, bPortId: `TP-${tag}${n}`, distanceKm: 0.1, bandwidthMbps: 16_000, roundTripsPerWrite: 2 } as Topology['cables'][number]);
    // The volume's own LUs (a pair's target, say) and the host's cover the same bytes: all marked shared.
    lus = lus.map((l) => (l.volumeId === volume.id ? { ...l, shared: true } : l));
    lus.push({ id: `LU-${tag}${n}`, name: `LU-${tag}${n}`, portId: `TP-${tag}${n}`, lun: 0, volumeId: volume.id, startBytes: 0, sizeBytes, shared: true } as Topology['lus'][number]);
    n++;
  }
  return { ...t, hosts, ports, cables, lus };
}
