// What-if plan of a topology: per-hop sizing figures for the workloads on the canvas, and checks with advice.
import { bytes, num, seconds } from '../units';
import type { Cable, Pair, Topology, Workload } from '../model/schema';
import type { JsonPath } from '../model/problem';
import { indexTopology, sizeBytesOf, siteIdOf } from '../model/index-topology';
import { findCabledPath, hostCablesToLu, pairRoute } from '../model/paths';
import {
  DEFAULT_PROTOCOL_OVERHEAD,
  FIBRE_US_PER_KM,
  asyncRpo,
  changedTracksEstimate,
  copyPaceLimitBytesPerSecond,
  differentialResyncSeconds,
  hostAccessUs,
  initialCopySeconds,
  journalBytesNeeded,
  journalRideThroughSeconds,
  linkPayloadBytesPerSecond,
  maxSyncDistanceKm,
  queueWaitUs,
  requiredLinkMbpsAvgPeak,
  roundTripUs,
  serialisationUs,
  switchGroupOccupancy,
  CHANGEOVER_SWITCH_US,
  switchedRelayTurns,
  INTERNAL_MESSAGE_US,
  type SwitchedRelayTurns,
  syncHopBreakdownUs,
  type AsyncRpo,
  type SyncHopInput,
} from './formulas';

/** The cables a pair's writes travel over, reduced to what the formulas need. */
export interface HopRoute {
  cableIds: string[];
  distanceKm: number;
  /** The narrowest cable of the route. */
  bandwidthMbps: number;
  /** 2 if any cable needs 2 (plain SCSI), else 1 (fast write everywhere). */
  roundTripsPerWrite: number;
  /** The cables are a pair's path group side by side (the engine spreads the load over them), not one after another. */
  parallel?: boolean;
}

/** Finds a pair's route; `null` when the two systems are not cabled to each other. */
export type RouteResolver = (t: Topology, pair: Pair) => Cable[] | null;

export interface PlanOptions {
  /** Outage the journals must ride through and the resync estimate is made for; default 60 s. */
  outageSeconds?: number;
  /** Host write latency target; default the topology's syncLatencyBoundMs. */
  targetLatencyMs?: number;
  /** Peak write rate over the average, for link sizing; default 1 (canvas workloads are steady). */
  peakToAverage?: number;
  /** Wire bytes per data byte; default DEFAULT_PROTOCOL_OVERHEAD (1.1). */
  protocolOverhead?: number;
  /** How pairs find their cables; default the model's `pairRoute`. */
  routeOf?: RouteResolver;
}

/** One number of a plan with what it means. */
export interface Figure {
  key: string;
  label: string;
  /** null when the quantity is unbounded or does not apply (the explanation says which). */
  value: number | null;
  unit: string;
  explanation: string;
}

export type CheckSeverity = 'error' | 'warning' | 'info';

/** A finding with the figure behind it and what to change. */
export interface Check {
  severity: CheckSeverity;
  code:
    | 'sync-latency-over-target'
    | 'link-too-small'
    | 'link-near-full'
    | 'journal-overflow'
    | 'journal-unsized'
    | 'single-copy-location'
    | 'no-copy'
    | 'no-route'
    | 'fc-distance'
    | 'switch-group-serialises'
    | 'unresolved-workload';
  message: string;
  figure: { label: string; value: number | null; unit: string };
  advice: string;
  elementId: string;
  path: JsonPath;
}

export interface WorkloadPlan {
  hostId: string;
  workloadId: string;
  luId: string;
  writeIops: number;
  blockBytes: number;
  /** Host write latency when every pair is in PAIR; null when the workload does not reach a storage system. */
  hostLatencyMs: number | null;
  /** The synchronous pairs the host waits for, in order along the critical path. */
  syncChain: string[];
  /** Sites (other than the local one) that hold a copy of this workload's data. */
  copySiteIds: string[];
  figures: Figure[];
}

export interface HopPlan {
  pairId: string;
  mode: 'sync' | 'async';
  fromSystemId: string;
  toSystemId: string;
  route: HopRoute | null;
  writeIops: number;
  writeBytesPerSec: number;
  /** Mean block size of the writes reaching this pair (bytes / writes). */
  blockBytes: number;
  utilisation: number | null;
  /** Sync: response time this hop adds to a host write. */
  responseMs: number | null;
  /** Async: expected RPO, or how fast it grows when the link is too small. */
  rpo: AsyncRpo | null;
  /**
   * Set on both hops of a relay whose one port a changeover switch turns between the sync leg (in) and the async leg
   * (out), FIG. 13: the switch's turn cycle and the waits it adds (already included in host latency and RPO).
   */
  switched?: SwitchedRelayTurns & { group: string; syncPairId: string; asyncPairId: string };
  figures: Figure[];
}

export interface Plan {
  topologyName: string;
  outageSeconds: number;
  targetLatencyMs: number;
  peakToAverage: number;
  protocolOverhead: number;
  workloads: WorkloadPlan[];
  hops: HopPlan[];
  checks: Check[];
}

/** Reduces a list of cables to a route: distances add, the narrowest bandwidth wins, 2 round trips if any cable needs 2. */
export function routeFromCables(cables: readonly Cable[]): HopRoute {
  return {
    cableIds: cables.map((c) => c.id),
    distanceKm: cables.reduce((sum, c) => sum + c.distanceKm, 0),
    bandwidthMbps: cables.length ? Math.min(...cables.map((c) => c.bandwidthMbps)) : Infinity,
    roundTripsPerWrite: cables.some((c) => c.roundTripsPerWrite === 2) ? 2 : 1,
  };
}

/**
 * A pair's path group as one route: the cables run side by side and the engine spreads the pair's transfers over them
 * (main/engine/path-groups.ts nextPath), so their bandwidths add; the longest path and the most round trips bound the
 * latency (a write may take any of them).
 */
export function routeFromPathGroup(cables: readonly Cable[]): HopRoute {
  return {
    cableIds: cables.map((c) => c.id),
    distanceKm: Math.max(...cables.map((c) => c.distanceKm)),
    bandwidthMbps: cables.reduce((sum, c) => sum + c.bandwidthMbps, 0),
    roundTripsPerWrite: cables.some((c) => c.roundTripsPerWrite === 2) ? 2 : 1,
    parallel: true,
  };
}

const finiteOrNull = (n: number): number | null => (Number.isFinite(n) ? n : null);

/** The share of a workload's writes that reaches a volume, and the pairs it crossed to get there. */
interface Reach {
  workload: Workload;
  hostId: string;
  /** Writes per second reaching the volume. */
  writeIops: number;
}

interface WorkloadTrace {
  /** Host write latency terms after the host access: critical synchronous path. */
  syncUs: number;
  syncChain: string[];
  /** Pairs reached, each with the share (0..1) of the workload's writes. */
  pairShares: Map<string, number>;
}

/** Walks a workload's writes down the mapping stack and across pairs; computes the synchronous critical path on the way. */
class WriteTracer {
  private readonly ix;
  private readonly pairsByPrimary = new Map<string, Pair[]>();

  constructor(
    private readonly t: Topology,
    private readonly syncHopOf: (pair: Pair, blockBytes: number) => SyncHopInput | null,
  ) {
    this.ix = indexTopology(t);
    for (const p of t.pairs) {
      const list = this.pairsByPrimary.get(p.primaryVolumeId);
      if (list) list.push(p);
      else this.pairsByPrimary.set(p.primaryVolumeId, [p]);
    }
  }

  trace(luId: string, blockBytes: number): WorkloadTrace {
    const pairShares = new Map<string, number>();
    const lu = this.ix.lus.get(luId);
    if (!lu) return { syncUs: 0, syncChain: [], pairShares };
    const { us, chain } = this.visit(lu.volumeId, lu.startBytes, lu.sizeBytes, 1, true, blockBytes, new Set(), pairShares);
    return { syncUs: us, syncChain: chain, pairShares };
  }

  /** Virtual volumes mapping part of [start, start+length) of `lowerId`, directly or through an LU on it, with the window they see. */
  private uppersOf(lowerId: string, start: number, length: number, depth = 0): { id: string; start: number; length: number }[] {
    const out: { id: string; start: number; length: number }[] = [];
    if (depth > 8) return out;
    for (const upper of this.ix.upperByLower.get(lowerId) ?? []) {
      if (upper.kind !== 'virtual') continue;
      let offset = 0;
      for (const range of upper.ranges) {
        if (range.lowerId === lowerId) {
          const lo = Math.max(start, range.startBytes);
          const hi = Math.min(start + length, range.startBytes + range.lengthBytes);
          if (hi > lo) out.push({ id: upper.id, start: offset + (lo - range.startBytes), length: hi - lo });
        }
        offset += range.lengthBytes;
      }
    }
    for (const lu of this.ix.lusByVolume.get(lowerId) ?? []) {
      const lo = Math.max(start, lu.startBytes);
      const hi = Math.min(start + length, lu.startBytes + lu.sizeBytes);
      if (hi > lo) out.push(...this.uppersOf(lu.id, lo - lu.startBytes, hi - lo, depth + 1));
    }
    return out;
  }

  /**
   * Writes landing uniformly in [start, start+length) of `volumeId`, `share` of the workload.
   * Returns the synchronous critical path below this point (0 once an async pair has been crossed).
   */
  private visit(
    volumeId: string,
    start: number,
    length: number,
    share: number,
    synchronous: boolean,
    blockBytes: number,
    onPath: Set<string>,
    pairShares: Map<string, number>,
  ): { us: number; chain: string[] } {
    if (onPath.has(volumeId) || share <= 0 || length <= 0) return { us: 0, chain: [] };
    onPath.add(volumeId);
    let best = { us: 0, chain: [] as string[] };
    const consider = (r: { us: number; chain: string[] }) => {
      if (r.us > best.us) best = r;
    };
    const lu = this.ix.lus.get(volumeId);
    const volume = this.ix.volumes.get(volumeId);
    if (lu) {
      // A virtual volume may map an LU (FIG. 14's V200 on LU102): continue into the LU's volume.
      consider(this.visit(lu.volumeId, lu.startBytes + start, Math.min(length, lu.sizeBytes - start), share, synchronous, blockBytes, onPath, pairShares));
    } else if (volume?.kind === 'virtual') {
      // Pieces are laid end to end; a uniform write lands in a piece in proportion to the overlap.
      let offset = 0;
      for (const range of volume.ranges) {
        const lo = Math.max(start, offset);
        const hi = Math.min(start + length, offset + range.lengthBytes);
        if (hi > lo)
          consider(
            this.visit(range.lowerId, range.startBytes + (lo - offset), hi - lo, (share * (hi - lo)) / length, synchronous, blockBytes, onPath, pairShares),
          );
        offset += range.lengthBytes;
      }
    } else if (volume?.kind === 'virtualReal') {
      consider(this.visit(volume.aliasOfId, start, length, share, synchronous, blockBytes, onPath, pairShares));
    } else if (volume?.kind === 'real' && volume.backing.type === 'external') {
      consider(this.visit(volume.backing.luId, start, length, share, synchronous, blockBytes, onPath, pairShares));
    }
    // Every volume stacked on the written bytes sees them too (the seed's multiple virtualization: V12 and V21 on one
    // real volume, FIG. 11/12/15), so writes also travel up to the virtual volumes mapping those bytes.
    for (const up of this.uppersOf(volumeId, start, length))
      consider(this.visit(up.id, up.start, up.length, (share * up.length) / length, synchronous, blockBytes, onPath, pairShares));
    for (const pair of this.pairsByPrimary.get(volumeId) ?? []) {
      pairShares.set(pair.id, Math.max(pairShares.get(pair.id) ?? 0, share));
      const sync = synchronous && pair.mode === 'sync';
      const below = this.visit(pair.secondaryVolumeId, start, length, share, sync, blockBytes, onPath, pairShares);
      if (sync) {
        const hop = this.syncHopOf(pair, blockBytes);
        const hopUs = hop ? syncHopBreakdownUs(hop).totalUs : 0;
        consider({ us: hopUs + below.us, chain: [pair.id, ...below.chain] });
      }
    }
    onPath.delete(volumeId);
    return synchronous ? best : { us: 0, chain: [] };
  }
}

/** Plans every workload and every pair of the topology. Pure: the same topology and options give the same plan. */
export function planTopology(t: Topology, opts: PlanOptions = {}): Plan {
  // A delta-resync standby pair (HOLD) carries no traffic until a delta resync: it is not a hop of the plan.
  if (t.pairs.some((p) => p.standby)) t = { ...t, pairs: t.pairs.filter((p) => !p.standby) };
  const outageSeconds = opts.outageSeconds ?? 60;
  const targetLatencyMs = opts.targetLatencyMs ?? t.syncLatencyBoundMs;
  const peakToAverage = opts.peakToAverage ?? 1;
  const overhead = opts.protocolOverhead ?? DEFAULT_PROTOCOL_OVERHEAD;
  const routeOf = opts.routeOf ?? defaultRouteOf;
  const ix = indexTopology(t);
  const checks: Check[] = [];

  const systemOfVolume = (id: string): string | undefined => ix.volumes.get(id)?.systemId;
  const chaUs = (systemId: string | undefined): number => (systemId ? (ix.systems.get(systemId)?.chaProcessingUs ?? 0) : 0);
  const pairIndex = new Map(t.pairs.map((p, i) => [p.id, i] as const));

  const routes = new Map<string, HopRoute | null>();
  for (const pair of t.pairs) {
    const from = systemOfVolume(pair.primaryVolumeId);
    const to = systemOfVolume(pair.secondaryVolumeId);
    // A pair inside one system needs no cable (an internal copy), unless it goes over an internal loop.
    const group = (pair.paths?.cableIds ?? []).map((id) => ix.cables.get(id)).filter((c): c is Cable => c !== undefined);
    if (group.length > 1 && !opts.routeOf) {
      routes.set(pair.id, routeFromPathGroup(group));
      continue;
    }
    const cables = routeOf(t, pair) ?? (from !== undefined && from === to ? [] : null);
    routes.set(pair.id, cables ? routeFromCables(cables) : null);
  }

  const syncHopOf = (pair: Pair, blockBytes: number): SyncHopInput | null => {
    const route = routes.get(pair.id);
    if (!route) return null;
    return {
      distanceKm: route.distanceKm,
      roundTripsPerWrite: route.cableIds.length ? route.roundTripsPerWrite : 0,
      blockBytes,
      bandwidthMbps: route.bandwidthMbps,
      // The primary's CHA processing is counted once, where the write arrived at it (host access or the previous hop).
      senderProcessingUs: 0,
      receiverProcessingUs: chaUs(systemOfVolume(pair.secondaryVolumeId)),
    };
  };
  const tracer = new WriteTracer(t, syncHopOf);

  // Writes per pair, summed over workloads.
  const pairLoad = new Map<string, { iops: number; bytesPerSec: number; reaches: Reach[] }>();
  const workloads: WorkloadPlan[] = [];
  t.hosts.forEach((host, hostIndex) => {
    host.workloads.forEach((w, wIndex) => {
      const path: JsonPath = ['hosts', hostIndex, 'workloads', wIndex];
      const writeIops = w.iops * (1 - w.readRatio);
      const lu = ix.lus.get(w.luId);
      const trace = tracer.trace(w.luId, w.blockBytes);
      for (const [pairId, share] of trace.pairShares) {
        const load = pairLoad.get(pairId) ?? { iops: 0, bytesPerSec: 0, reaches: [] };
        load.iops += writeIops * share;
        load.bytesPerSec += writeIops * share * w.blockBytes;
        load.reaches.push({ workload: w, hostId: host.id, writeIops: writeIops * share });
        pairLoad.set(pairId, load);
      }
      const figures: Figure[] = [];
      let hostLatencyMs: number | null = null;
      const localSystemId = lu ? ix.ports.get(lu.portId)?.ownerId : undefined;
      if (!lu || !localSystemId) {
        checks.push({
          severity: 'warning',
          code: 'unresolved-workload',
          message: `workload ${w.id} of host ${host.id} writes to LU ${w.luId}, which is not on a storage system's port`,
          figure: { label: 'write IOPS', value: writeIops, unit: 'IOPS' },
          advice: 'point the workload at an LU exposed on a target port that is cabled to the host',
          elementId: w.id,
          path: [...path, 'luId'],
        });
      } else {
        const access = hostAccessOf(t, host.id, lu.id);
        const accessUs = hostAccessUs({ ...access, blockBytes: w.blockBytes, localProcessingUs: chaUs(localSystemId) });
        hostLatencyMs = (accessUs + trace.syncUs) / 1000;
        figures.push({
          key: 'hostAccessMs',
          label: 'host to local system',
          value: accessUs / 1000,
          unit: 'ms',
          explanation: `${access.roundTripsPerWrite} round trip(s) over ${num(access.distanceKm)} km + ${w.blockBytes} B at ${num(access.bandwidthMbps)} Mbit/s + ${chaUs(localSystemId)} us CHA processing${access.cableId ? '' : ' (no direct cable found: distance taken as 0)'}`,
        });
        figures.push({
          key: 'hostLatencyMs',
          label: 'host write latency',
          value: hostLatencyMs,
          unit: 'ms',
          explanation: trace.syncChain.length
            ? `host access + the synchronous hops the local acknowledgement waits for (${trace.syncChain.join(' -> ')}); asynchronous hops add nothing`
            : 'host access only: no synchronous pair behind this LU',
        });
      }
      const localSite = lu ? siteIdOf(t, lu.portId) : undefined;
      const copySiteIds = [...new Set(
        [...trace.pairShares.keys()]
          .map((pid) => ix.pairs.get(pid))
          .map((p) => (p ? ix.volumes.get(p.secondaryVolumeId)?.systemId : undefined))
          .map((sys) => (sys ? ix.systems.get(sys)?.siteId : undefined))
          .filter((s): s is string => s !== undefined && s !== localSite),
      )];
      workloads.push({
        hostId: host.id,
        workloadId: w.id,
        luId: w.luId,
        writeIops,
        blockBytes: w.blockBytes,
        hostLatencyMs,
        syncChain: trace.syncChain,
        copySiteIds,
        figures,
      });

      if (hostLatencyMs !== null && hostLatencyMs > targetLatencyMs) {
        checks.push(latencyCheck(hostLatencyMs, targetLatencyMs, trace.syncChain, routes, w, host.id, path));
      }
      if (writeIops > 0 && lu) {
        if (copySiteIds.length === 0)
          checks.push({
            severity: 'warning',
            code: 'no-copy',
            message: `the writes of ${host.id}/${w.id} are copied to no other site: a disaster at the local site loses them`,
            figure: { label: 'remote copy sites', value: 0, unit: 'sites' },
            advice: 'pair the volume behind this LU with a volume at another site (synchronous within ~100 km, asynchronous beyond)',
            elementId: w.id,
            path,
          });
        else if (copySiteIds.length === 1)
          checks.push({
            severity: 'warning',
            code: 'single-copy-location',
            message: `the writes of ${host.id}/${w.id} are copied to one other site only (${copySiteIds[0]}): no relay, one copy`,
            figure: { label: 'remote copy sites', value: 1, unit: 'sites' },
            advice:
              'add a cascade: a synchronous copy at a near relay site and an asynchronous copy from the relay to a far site, so a regional disaster still leaves an up-to-date or consistent copy',
            elementId: w.id,
            path,
          });
      }
    });
  });

  const hops: HopPlan[] = t.pairs.map((pair) => {
    const index = pairIndex.get(pair.id) ?? 0;
    const path: JsonPath = ['pairs', index];
    const fromSystemId = systemOfVolume(pair.primaryVolumeId) ?? '';
    const toSystemId = systemOfVolume(pair.secondaryVolumeId) ?? '';
    const route = routes.get(pair.id) ?? null;
    const load = pairLoad.get(pair.id) ?? { iops: 0, bytesPerSec: 0, reaches: [] };
    const blockBytes = load.iops > 0 ? load.bytesPerSec / load.iops : 4096;
    const figures: Figure[] = [];
    const hop: HopPlan = {
      pairId: pair.id,
      mode: pair.mode,
      fromSystemId,
      toSystemId,
      route,
      writeIops: load.iops,
      writeBytesPerSec: load.bytesPerSec,
      blockBytes,
      utilisation: null,
      responseMs: null,
      rpo: null,
      figures,
    };
    figures.push({
      key: 'writeRate',
      label: 'write rate',
      value: load.bytesPerSec / 1e6,
      unit: 'MB/s',
      explanation: `${num(load.iops, 6)} writes/s of ${num(blockBytes, 6)} B from ${load.reaches.map((r) => `${r.hostId}/${r.workload.id}`).join(', ') || 'no workload'}`,
    });
    if (!route) {
      // A volume on no system (a dangling id) has no route either: name the volume rather than an empty system id.
      const unplaced = !fromSystemId ? pair.primaryVolumeId : !toSystemId ? pair.secondaryVolumeId : undefined;
      checks.push({
        severity: 'error',
        code: 'no-route',
        message: unplaced ? `pair ${pair.id}: volume ${unplaced} does not exist (or is on no system), so no cabled path reaches it` : `pair ${pair.id}: no cabled path from ${fromSystemId} to ${toSystemId}`,
        figure: { label: 'route', value: null, unit: '' },
        advice: unplaced ? `point the pair at an existing volume (relaylab validate names the dangling reference)` : `cable an initiator port of ${fromSystemId} to a target port of ${toSystemId}`,
        elementId: pair.id,
        path,
      });
      return hop;
    }
    const internal = route.cableIds.length === 0;
    const srcUs = chaUs(fromSystemId);
    const dstUs = chaUs(toSystemId);
    figures.push({
      key: 'route',
      label: 'route',
      value: route.distanceKm,
      unit: 'km',
      explanation: internal
        ? 'inside one system: no cable'
        : route.parallel
          ? `path group ${route.cableIds.join(' | ')}, the load spread over them: longest ${num(route.distanceKm)} km, together ${num(route.bandwidthMbps)} Mbit/s, ${route.roundTripsPerWrite} round trip(s) per write`
          : `${route.cableIds.join(' + ')}: ${num(route.distanceKm)} km, narrowest ${num(route.bandwidthMbps)} Mbit/s, ${route.roundTripsPerWrite} round trip(s) per write`,
    });
    const linkBytesPerSec = internal ? Infinity : linkPayloadBytesPerSecond(route.bandwidthMbps, overhead);
    if (!internal) {
      const { averageMbps, peakMbps } = requiredLinkMbpsAvgPeak(load.bytesPerSec, peakToAverage, overhead);
      hop.utilisation = load.bytesPerSec / linkBytesPerSec;
      figures.push({
        key: 'requiredMbps',
        label: 'bandwidth needed',
        value: averageMbps,
        unit: 'Mbit/s',
        explanation: `write rate x 8 x ${overhead} protocol overhead; peak ${num(peakMbps)} Mbit/s at ${peakToAverage}x the average; the link has ${num(route.bandwidthMbps)}`,
      });
      figures.push({
        key: 'utilisation',
        label: 'link utilisation',
        value: hop.utilisation,
        unit: '',
        explanation: 'write rate / link payload rate (bandwidth / 8 / overhead); at 1 or more the link cannot keep up',
      });
      if (hop.utilisation >= 1 || peakMbps > route.bandwidthMbps) {
        checks.push({
          severity: 'error',
          code: 'link-too-small',
          message: `pair ${pair.id}: the route carries ${num(route.bandwidthMbps)} Mbit/s but the writes need ${num(peakMbps)} Mbit/s (utilisation ${num(hop.utilisation)})`,
          figure: { label: 'bandwidth needed', value: peakMbps, unit: 'Mbit/s' },
          advice:
            pair.mode === 'sync'
              ? `give ${route.cableIds.join(', ')} at least ${num(peakMbps)} Mbit/s, or host writes queue behind the link`
              : `give ${route.cableIds.join(', ')} at least ${num(peakMbps)} Mbit/s, or accept an RPO that grows during bursts and a journal sized for them`,
          elementId: pair.id,
          path,
        });
      } else if (hop.utilisation >= 0.8) {
        checks.push({
          severity: 'warning',
          code: 'link-near-full',
          message: `pair ${pair.id}: the link runs at ${num(hop.utilisation * 100)}% of its payload rate; queueing delay grows steeply above 80%`,
          figure: { label: 'link utilisation', value: hop.utilisation, unit: '' },
          advice: `give ${route.cableIds.join(', ')} about ${num(requiredLinkMbpsAvgPeak(load.bytesPerSec, peakToAverage, overhead).peakMbps / 0.7)} Mbit/s to stay under 70%`,
          elementId: pair.id,
          path,
        });
      }
      for (const cableId of route.cableIds) {
        const cable = ix.cables.get(cableId);
        if (cable?.kind === 'fc' && cable.distanceKm > 10)
          checks.push({
            severity: 'info',
            code: 'fc-distance',
            message: `cable ${cable.id}: plain FC reaches about 10 km; ${num(cable.distanceKm)} km needs extenders or DWDM`,
            figure: { label: 'distance', value: cable.distanceKm, unit: 'km' },
            advice: 'plan DWDM or FC extenders (or FCIP over an IP link) for this span',
            elementId: cable.id,
            path: ['cables', t.cables.indexOf(cable)],
          });
      }
    }

    if (pair.mode === 'sync') {
      const input = syncHopOf(pair, blockBytes);
      if (input) {
        const b = syncHopBreakdownUs(input);
        const queueUs =
          hop.utilisation !== null && hop.utilisation < 1 ? queueWaitUs(serialisationUs(blockBytes * overhead, route.bandwidthMbps), hop.utilisation) : 0;
        hop.responseMs = b.totalUs / 1000;
        figures.push({
          key: 'responseMs',
          label: 'added to each host write',
          value: hop.responseMs,
          unit: 'ms',
          explanation: `${num(b.processingUs)} us CHA processing at ${toSystemId} + ${input.roundTripsPerWrite} x 2 x ${num(input.distanceKm)} km x ${FIBRE_US_PER_KM} us = ${num(b.roundTripsUs)} us + ${num(b.serialisationUs)} us serialisation${queueUs > 1 ? `; queueing at this load adds about ${num(queueUs)} us more` : ''}`,
        });
      }
    } else {
      const rpo = internal
        ? asyncRpo({ distanceKm: 0, bandwidthMbps: Number.MAX_VALUE, writeIops: load.iops, blockBytes, receiverProcessingUs: dstUs, overheadFactor: overhead })
        : asyncRpo({ distanceKm: route.distanceKm, roundTripsPerWrite: route.roundTripsPerWrite, bandwidthMbps: route.bandwidthMbps, writeIops: load.iops, blockBytes, receiverProcessingUs: dstUs, overheadFactor: overhead });
      hop.rpo = rpo;
      figures.push(
        rpo.bounded
          ? {
              key: 'rpoMs',
              label: 'expected RPO',
              value: rpo.rpoMs,
              unit: 'ms',
              explanation: `${num(rpo.propagationMs)} ms propagation (${2 * route.roundTripsPerWrite - 1} one-way leg(s)) + ${num(rpo.serialisationMs)} ms serialisation + ${num(rpo.queueingMs)} ms queueing (M/D/1 at ${num(rpo.utilisation * 100)}%) + ${num(rpo.processingMs)} ms processing`,
            }
          : {
              key: 'rpoMs',
              label: 'expected RPO',
              value: null,
              unit: 'ms',
              explanation: `unbounded: the link carries less than the write rate, so the lag grows by ${num(rpo.growthMsPerSecond)} ms every second and the journal by ${bytes(rpo.backlogBytesPerSecond)}/s`,
            },
      );
      // Journal: a full outage fills it at the write rate; a too-small link fills it even without one.
      const journalNeeded = journalBytesNeeded(load.bytesPerSec, linkBytesPerSec, outageSeconds, 'full');
      figures.push({
        key: 'journalNeededBytes',
        label: `journal for a ${seconds(outageSeconds)} outage`,
        value: journalNeeded,
        unit: 'B',
        explanation: `write rate x outage = ${num(load.bytesPerSec / 1e6)} MB/s x ${outageSeconds} s (Hitachi: capacity > (write rate - link rate) x duration; the link rate is 0 while it is down)`,
      });
      if (pair.journalBytes === undefined) {
        checks.push({
          severity: 'warning',
          code: 'journal-unsized',
          message: `async pair ${pair.id} has no journal size`,
          figure: { label: 'journal needed', value: journalNeeded, unit: 'B' },
          advice: `set journalBytes to at least ${bytes(journalNeeded)} to ride through a ${seconds(outageSeconds)} outage`,
          elementId: pair.id,
          path: [...path, 'journalBytes'],
        });
      } else {
        const rideThroughS = journalRideThroughSeconds(pair.journalBytes, load.bytesPerSec);
        const burstFill = Math.max(0, load.bytesPerSec - linkBytesPerSec);
        figures.push({
          key: 'journalRideThroughS',
          label: 'journal lasts (link down)',
          value: finiteOrNull(rideThroughS),
          unit: 's',
          explanation: `${bytes(pair.journalBytes)} / ${num(load.bytesPerSec / 1e6)} MB/s${burstFill > 0 ? `; with the link up it still fills at ${bytes(burstFill)}/s and lasts ${seconds(pair.journalBytes / burstFill)}` : ''}`,
        });
        if (pair.journalBytes < journalNeeded) {
          checks.push({
            severity: 'warning',
            code: 'journal-overflow',
            message: `async pair ${pair.id}: the ${bytes(pair.journalBytes)} journal fills after ${seconds(rideThroughS)} of a ${seconds(outageSeconds)} outage, then the pair suspends (PSUE) and needs a differential resync`,
            figure: { label: 'journal needed', value: journalNeeded, unit: 'B' },
            advice: `set journalBytes to at least ${bytes(journalNeeded)} (write rate ${num(load.bytesPerSec / 1e6)} MB/s x ${outageSeconds} s), or plan for a resync after outages longer than ${seconds(rideThroughS)}`,
            elementId: pair.id,
            path: [...path, 'journalBytes'],
          });
        }
      }
    }

    // Initial copy and differential resync after the outage.
    const capacity = sizeBytesOf(t, pair.primaryVolumeId) ?? 0;
    const trackBytes = ix.systems.get(fromSystemId)?.trackBytes ?? 262144;
    const paceLimit = copyPaceLimitBytesPerSecond(pair.copyPace, trackBytes, internal ? 0 : roundTripUs(route.distanceKm), srcUs + dstUs);
    const initialS = initialCopySeconds(capacity, linkBytesPerSec, paceLimit, load.bytesPerSec);
    figures.push({
      key: 'initialCopyS',
      label: 'initial copy',
      value: finiteOrNull(initialS),
      unit: 's',
      explanation: `${bytes(capacity)} / min(link ${internal ? '∞' : bytes(linkBytesPerSec) + '/s'} - host writes ${bytes(load.bytesPerSec)}/s, pace ${pair.copyPace} tracks x ${bytes(trackBytes)} per round trip = ${bytes(paceLimit)}/s)${Number.isFinite(initialS) ? '' : ': host writes leave no bandwidth, the copy never completes'}`,
    });
    const changedTracks = load.reaches.reduce((sum, r) => {
      const area = Math.min(sizeBytesOf(t, r.workload.luId) ?? capacity, capacity || Infinity);
      return (
        sum +
        changedTracksEstimate({
          writeIops: r.writeIops,
          durationSeconds: outageSeconds,
          blockBytes: r.workload.blockBytes,
          trackBytes,
          areaBytes: area,
          pattern: r.workload.pattern,
          hotspotFraction: r.workload.hotspotFraction,
        })
      );
    }, 0);
    const resyncS = differentialResyncSeconds(changedTracks, trackBytes, linkBytesPerSec, paceLimit, load.bytesPerSec);
    figures.push({
      key: 'resyncS',
      label: `resync after a ${seconds(outageSeconds)} outage`,
      value: finiteOrNull(resyncS),
      unit: 's',
      explanation: `~${num(changedTracks)} changed tracks of ${bytes(trackBytes)} (N writes over M tracks touch M(1-(1-1/M)^N); a hot spot takes 80% of them) at the copy rate above`,
    });
    return hop;
  });

  applySwitchedRelays(t, hops, workloads, chaUs);
  checks.push(...switchGroupChecks(t, hops));
  return { topologyName: t.name, outageSeconds, targetLatencyMs, peakToAverage, protocolOverhead: overhead, workloads, hops, checks };
}

/**
 * A changeover switch (FIG. 13) lets one cable of its group carry an exchange at a time, so legs routed over cables of
 * one group wait for each other. This check says how busy the switch is; the per-hop figures include the waiting when
 * the group is a relay's sync-in/async-out port (applySwitchedRelays), else leave it out and say so.
 */
function switchGroupChecks(t: Topology, hops: readonly HopPlan[]): Check[] {
  const ix = indexTopology(t);
  const groups = new Map<string, { hop: HopPlan; cableId: string }[]>();
  for (const hop of hops) {
    if (!hop.route || hop.writeIops <= 0) continue;
    for (const cableId of hop.route.cableIds) {
      const group = ix.cables.get(cableId)?.switchGroup;
      if (group) groups.set(group, [...(groups.get(group) ?? []), { hop, cableId }]);
    }
  }
  const out: Check[] = [];
  for (const [group, legs] of groups) {
    if (new Set(legs.map((l) => l.cableId)).size < 2) continue;
    const legInputs = legs.map(({ hop, cableId }) => {
      const cable = ix.cables.get(cableId)!;
      return { writeIops: hop.writeIops, distanceKm: cable.distanceKm, roundTripsPerWrite: cable.roundTripsPerWrite, blockBytes: hop.blockBytes, bandwidthMbps: cable.bandwidthMbps };
    });
    const occupancy = switchGroupOccupancy(legInputs);
    // One write per leg per second gives the seconds one turn of every leg holds the switch.
    const cycleMs = switchGroupOccupancy(legInputs.map((l) => ({ ...l, writeIops: 1 }))) * 1000;
    const firstCable = legs[0]!.cableId;
    out.push({
      severity: occupancy >= 1 ? 'error' : 'warning',
      code: 'switch-group-serialises',
      message:
        `changeover switch ${group}: ${[...new Set(legs.map((l) => `${l.hop.pairId} over ${l.cableId}`))].join(', ')} take turns; ` +
        `one turn of every leg takes ${num(cycleMs)} ms, and switching once per write would keep the switch busy ${num(occupancy * 100)}% of the time` +
        (occupancy >= 1 ? ', so writes wait for the switch and go in batches' : '') +
        (legs.some((l) => l.hop.switched)
          ? `. Host latency and RPO above include the wait for the switch (batches of writes per turn; see the hops' switch figures)`
          : `. Host latency and RPO above leave this waiting out: expect them higher by up to a turn (${num(cycleMs)} ms) or more`),
      figure: { label: 'switch occupancy', value: occupancy, unit: '' },
      advice: `give each leg its own port and cable, or keep writes well below ${num(legs[0]!.hop.writeIops / occupancy)} writes/s (where the switch would be always busy)`,
      elementId: firstCable,
      path: ['cables', t.cables.findIndex((c) => c.id === firstCable)],
    });
  }
  return out;
}

/**
 * A relay whose one switchable port carries a sync hop in and an async hop out over two cables of one switch group
 * (FIG. 13): host writes behind the sync hop wait for the switch's async turns and journal records for its sync turns.
 * Adds switchedRelayTurns' waits to the host latency of every workload waiting for the sync hop and to the async hop's
 * RPO (in place of its M/D/1 queueing: records of a turn go out back to back, their places in it are counted there).
 */
function applySwitchedRelays(t: Topology, hops: HopPlan[], workloads: WorkloadPlan[], chaUs: (systemId: string | undefined) => number): void {
  const ix = indexTopology(t);
  const groupOf = (hop: HopPlan): { group: string; cable: Cable } | undefined => {
    if (!hop.route || hop.route.cableIds.length !== 1) return undefined;
    const cable = ix.cables.get(hop.route.cableIds[0]!);
    return cable?.switchGroup ? { group: cable.switchGroup, cable } : undefined;
  };
  for (const syncHop of hops) {
    if (syncHop.mode !== 'sync' || syncHop.writeIops <= 0) continue;
    const inLeg = groupOf(syncHop);
    if (!inLeg) continue;
    const asyncHop = hops.find((h) => {
      const out = h.mode === 'async' ? groupOf(h) : undefined;
      return out !== undefined && out.group === inLeg.group && out.cable.id !== inLeg.cable.id && h.fromSystemId === syncHop.toSystemId;
    });
    const outLeg = asyncHop ? groupOf(asyncHop) : undefined;
    if (!asyncHop || !outLeg || asyncHop.rpo?.bounded !== true) continue;
    const leg = (cable: Cable, blockBytes: number) => ({ distanceKm: cable.distanceKm, roundTripsPerWrite: cable.roundTripsPerWrite, blockBytes, bandwidthMbps: cable.bandwidthMbps });
    const turns = switchedRelayTurns({
      writeIops: syncHop.writeIops,
      syncLeg: leg(inLeg.cable, syncHop.blockBytes),
      asyncLeg: leg(outLeg.cable, asyncHop.blockBytes),
      // The relay's CHA stores the write, then the intercache message hands it to the async primary (S16).
      relayToJournalUs: chaUs(syncHop.toSystemId) + INTERNAL_MESSAGE_US,
    });
    // Below one write per turn the switch mostly idles on one leg and the batch pattern does not form: not modelled
    // (not cross-checked), so the figures leave the wait out and the switch check says so.
    if (!Number.isFinite(turns.cycleUs) || turns.writesPerTurn < 1) continue;
    const switched = { ...turns, group: inLeg.group, syncPairId: syncHop.pairId, asyncPairId: asyncHop.pairId };
    syncHop.switched = switched;
    asyncHop.switched = switched;
    const why =
      `changeover switch ${inLeg.group} turns the relay port between ${inLeg.cable.id} (in, ${syncHop.pairId}) and ${outLeg.cable.id} (out, ${asyncHop.pairId}): ` +
      `one cycle = 2 x ${CHANGEOVER_SWITCH_US} us switching + each leg's exchange until its answer is back, stretched by the ${num(turns.writesPerTurn)} writes per turn = ${num(turns.cycleUs / 1000)} ms; ` +
      `the switch is work-conserving: when the port is free it turns to the other cable if that has work and serves all of it in one turn. ` +
      `A write waits for the next sync turn unless it arrives in the first ${num((turns.rideAlongWrites / syncHop.writeIops) * 1e3)} ms of one (before its first journal record asks; ${num(turns.rideAlongWrites)} writes ride along), ` +
      `and a journal record waits for its sync turn to end and the switch-over. Means over the mean cycle: approximate`;
    const waitFigure = (value: number): Figure => ({ key: 'switchWaitMs', label: 'wait for the changeover switch', value, unit: 'ms', explanation: why });
    syncHop.figures.push(waitFigure(turns.hostWaitUs / 1000));
    for (const w of workloads) {
      if (w.hostLatencyMs === null || !w.syncChain.includes(syncHop.pairId)) continue;
      w.hostLatencyMs += turns.hostWaitUs / 1000;
      const fig = w.figures.find((f) => f.key === 'hostLatencyMs');
      if (fig) {
        fig.value = w.hostLatencyMs;
        fig.explanation += `; + ${num(turns.hostWaitUs / 1000)} ms waiting for changeover switch ${inLeg.group} (${syncHop.pairId}'s figures explain it)`;
      }
    }
    const rpo = asyncHop.rpo;
    rpo.queueingMs = turns.asyncWaitUs / 1000;
    rpo.rpoMs = rpo.propagationMs + rpo.serialisationMs + rpo.queueingMs + rpo.processingMs;
    const fig = asyncHop.figures.find((f) => f.key === 'rpoMs');
    if (fig) {
      fig.value = rpo.rpoMs;
      fig.explanation = `${num(rpo.propagationMs)} ms propagation + ${num(rpo.serialisationMs)} ms serialisation + ${num(rpo.queueingMs)} ms waiting for changeover switch ${inLeg.group} + ${num(rpo.processingMs)} ms processing`;
    }
    asyncHop.figures.push(waitFigure(turns.asyncWaitUs / 1000));
  }
}

/** The host's own link to the LU's target port (the fastest if there are several). */
function hostAccessOf(
  t: Topology,
  hostId: string,
  luId: string,
): { cableId?: string; distanceKm: number; bandwidthMbps: number; roundTripsPerWrite: number } {
  const cable = hostCablesToLu(t, hostId, luId).sort((a, b) => a.distanceKm - b.distanceKm || b.bandwidthMbps - a.bandwidthMbps)[0];
  if (!cable) return { distanceKm: 0, bandwidthMbps: Infinity, roundTripsPerWrite: 0 };
  return { cableId: cable.id, distanceKm: cable.distanceKm, bandwidthMbps: cable.bandwidthMbps, roundTripsPerWrite: cable.roundTripsPerWrite };
}

function latencyCheck(
  latencyMs: number,
  targetMs: number,
  syncChain: readonly string[],
  routes: Map<string, HopRoute | null>,
  w: Workload,
  hostId: string,
  path: JsonPath,
): Check {
  // Advice names the longest synchronous hop and how far it may reach if everything else stays as it is.
  const longest = syncChain
    .map((id) => ({ id, route: routes.get(id) }))
    .filter((h): h is { id: string; route: HopRoute } => !!h.route)
    .sort((a, b) => b.route.distanceKm - a.route.distanceKm)[0];
  let advice = 'move the synchronous copy closer, use fast write (1 round trip), or make the long hop asynchronous';
  if (longest) {
    const hopRtUs = longest.route.roundTripsPerWrite * roundTripUs(longest.route.distanceKm);
    const restUs = latencyMs * 1000 - hopRtUs;
    const maxKm = maxSyncDistanceKm(targetMs * 1000 - restUs, longest.route.roundTripsPerWrite);
    const fastWriteMs = longest.route.roundTripsPerWrite === 2 ? latencyMs - roundTripUs(longest.route.distanceKm) / 1000 : null;
    advice =
      `keep pair ${longest.id}'s hop within ${num(maxKm)} km (it spans ${num(longest.route.distanceKm)} km)` +
      (fastWriteMs !== null ? `; fast write (1 round trip) would give ${num(fastWriteMs)} ms` : '') +
      `; or make it asynchronous and cascade from a near relay (the seed's layout: sync to a relay, async onward)`;
  }
  return {
    severity: 'warning',
    code: 'sync-latency-over-target',
    message: `host ${hostId} workload ${w.id}: writes take ${num(latencyMs)} ms, over the ${num(targetMs)} ms target, because of the synchronous hop(s) ${syncChain.join(' -> ') || '(none)'}`,
    figure: { label: 'host write latency', value: latencyMs, unit: 'ms' },
    advice,
    elementId: w.id,
    path,
  };
}

/**
 * The model's route for a pair: `pairRoute` (one cable from the primary's initiator port to a target port exposing
 * the secondary), else the shortest cabled path between the two systems (through intermediate systems).
 */
export function defaultRouteOf(t: Topology, pair: Pair): Cable[] | null {
  const ix = indexTopology(t);
  const direct = pairRoute(t, pair.id);
  if (direct) {
    const cable = ix.cables.get(direct.cableId);
    return cable ? [cable] : null;
  }
  const from = ix.volumes.get(pair.primaryVolumeId)?.systemId;
  const to = ix.volumes.get(pair.secondaryVolumeId)?.systemId;
  if (!from || !to || from === to) return null;
  const path = findCabledPath(t, from, to);
  if (!path) return null;
  const cables = path.hops.map((h) => ix.cables.get(h.cableId));
  return cables.every((c): c is Cable => c !== undefined) ? cables : null;
}
