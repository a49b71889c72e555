// What the outside sees of a run: volume hashes, pair status (progress, RPO, lag), snapshots for the UI, per-host totals.
import { pathsUp } from './path-groups';
import type { EngineState } from './state';
import type { CacheStatus, HostStatus, LinkStatus, PairStatus, Snapshot } from '../../app/engine/api';
import { composedContentHash } from './data/sparse-volume';
import type { PairRt } from './pairs';
import { endToEndRpoUs, fedWhileUpstreamCopying, sampleRpo, sideStates, upstreamIndex, upstreamOf, type UpstreamIndex } from './pair-states';
import { TopologyError, type LinkRt } from './runtime';
import type { LatencyHistogram } from './sim';
import type { ReadStats } from './workload';

export function volumeHash(core: EngineState, volumeId: string): string {
  const v = core.stack.volumes.get(volumeId);
  if (!v) throw new TopologyError(volumeId, 'no such volume');
  const extents = core.stack.extentsOf(volumeId);
  const size = core.stack.sizeOf(volumeId);
  const only = extents[0];
  if (extents.length === 1 && only && only.storeOffset === 0) {
    const store = core.stack.stores.get(only.storeId)!;
    if (store.sizeBytes === size) return store.contentHash();
  }
  // Compose the volume's hash from its stores' cached 64 KiB block digests (mapping offsets are block-aligned in practice).
  const parts = extents.map((e) => ({ volumeOffset: e.volumeOffset, length: e.length, source: core.stack.stores.get(e.storeId)!, sourceOffset: e.storeOffset }));
  return composedContentHash(size, parts, volumeId, core.stack.sha256);
}

/** A pair's status; `upstream` (upstreamIndex) when the caller asks for every pair at once. */
export function pairStatus(core: EngineState, p: PairRt, upstream?: UpstreamIndex): PairStatus {
  const j = p.journal;
  const copying = p.state === 'COPY';
  const remaining = p.primaryBitmap.count;
  const total = Math.max(p.copy.totalTracks, remaining);
  const progress = copying ? (total === 0 ? 1 : (total - remaining) / total) : !p.rules.paired ? 0 : remaining === 0 ? 1 : 1 - remaining / p.trackCount;
  const [primaryState, secondaryState] = sideStates(p);
  const s: PairStatus = {
    id: p.id,
    state: p.state,
    primaryState,
    secondaryState,
    mode: p.mode,
    linkUp: p.route?.link.up ?? false,
    secondaryData:
      !p.rules.secondaryConsistent || p.secondaryInconsistent || (p.mode === 'async' && fedWhileUpstreamCopying(core, p, upstream)) ? 'inconsistent' : p.state === 'PAIR' && (p.mode === 'sync' || (j?.drained ?? true)) ? 'up-to-date' : 'consistent',
    copyProgress: copying ? (p.copy.shownProgress = Math.max(p.copy.shownProgress, Math.max(0, Math.min(1, progress)))) : Math.max(0, Math.min(1, progress)),
    differentialTracks: remaining + p.secondaryBitmap.count,
    sinceUs: p.sinceUs,
    reason: p.reason,
  };
  if (p.mode === 'sync') s.fenced = p.fenced;
  // Only a standby keeps writes: a relay leg that stepped aside into HOLD after a delta resync keeps none.
  if (p.rules.standsBy && core.standbyPairs.includes(p)) s.standbyKept = { writes: p.deltaLog.size, bytes: p.deltaBytes, capacityBytes: j?.capacityBytes ?? 0 };
  if (p.cfg.paths) s.paths = { up: pathsUp(core, p), total: p.cfg.paths.cableIds.length, min: p.cfg.paths.minPaths, detecting: p.pathWatch.detectAtUs !== undefined };
  if (copying) {
    const elapsed = core.nowUs - p.copy.startedUs;
    const done = total - remaining;
    if (done > 0 && elapsed > 0) s.copyEtaMs = (remaining * elapsed) / done / 1000;
  }
  if (p.mode === 'async' && j) {
    let lag = 0;
    for (let i = j.queueHead; i < j.queue.length; i++) {
      const r = j.queue[i]!;
      if (r.pair !== p) continue;
      lag += r.length;
    }
    for (const r of j.arrived.values()) if (r.pair === p) lag += r.length;
    // One pair in the journal: everything held (queued, on the link, arriving) is its lag.
    s.lagBytes = Math.max(lag, j.pairs.length === 1 ? j.usedBytes : lag);
    s.journalFill = j.fill;
    s.appliedSeq = j.applyNext - 1;
    s.issuedSeq = j.nextSeq - 1;
    // A standby replicates nothing while it stands by: its remote is the relay leg's, whose RPO that pair reports.
    if (s.standbyKept) return s;
    const rpo = sampleRpo(core, p);
    s.rpoMs = rpo / 1000;
    s.maxRpoMs = p.maxRpoUs / 1000;
    if (upstreamOf(core, p, upstream).length) s.endToEndRpoMs = endToEndRpoUs(core, p, new Set(), upstream) / 1000;
    // The image holds every write up to its newest applied one (while replicating, up to the oldest unapplied one).
    if (s.secondaryData === 'consistent') s.consistentAsOfUs = rpo === 0 ? core.nowUs : core.nowUs - rpo;
  }
  return s;
}

export function snapshot(core: EngineState, extra: { running?: boolean; speed?: number; afterSeq?: number; maxEvents?: number } = {}): Snapshot {
  const now = core.nowUs;
  // The live grid shows a sample of each cache's slots; counts (slotsUsed, dirtySlots) stay exact.
  const slotsEach = snapshotSlotsPerCache(core.caches.size);
  const caches: CacheStatus[] = [...core.caches.values()].map((c) => {
    c.observe(now);
    const slots = c.slotViews(slotsEach, now);
    return { id: c.id, slotsTotal: c.slotsTotal, slotsUsed: c.slotsUsed, dirtySlots: c.dirtyCount, slots, destaging: c.destaging > 0 || c.lastCleaningUs > now, destages: c.destagesBooked, writeHits: c.writeHits };
  });
  const links: LinkStatus[] = [...core.wiring.links.values()].map((l) => ({
    id: l.id,
    up: l.up,
    utilization: linkUtilization(l, now),
    bytes: l.bytes,
    queueDepth: l.queueDepth(now),
  }));
  const hosts: HostStatus[] = [...core.hosts.values()].map((h) => {
    const dt = now - h.lastSnap.timeUs;
    if (dt >= 100_000) {
      h.rate = { iops: ((h.writesAcked - h.lastSnap.acked) * 1e6) / dt, mbps: (h.bytesAcked - h.lastSnap.bytes) / dt };
      h.lastSnap = { timeUs: now, acked: h.writesAcked, bytes: h.bytesAcked };
    }
    return {
      id: h.host.id,
      writeIops: h.rate.iops,
      throughputMBps: h.rate.mbps,
      writeLatencyMs: { p50: h.latency.quantileUs(0.5) / 1000, p99: h.latency.quantileUs(0.99) / 1000 },
      writesAcked: h.writesAcked,
      writesFailed: h.writesFailed,
      readIops: h.reads.rateAt(now),
      readLatencyMs: { p50: h.reads.latency.quantileUs(0.5) / 1000, p99: h.reads.latency.quantileUs(0.99) / 1000 },
      readsCompleted: h.reads.completed,
      readsFailed: h.reads.failed,
      readCacheHits: h.reads.hits,
    };
  });
  return {
    timeUs: now,
    running: extra.running ?? false,
    speed: extra.speed ?? 1,
    seed: core.seed,
    pairs: pairStatuses(core),
    caches,
    links,
    hosts,
    failedSystems: [...core.failedSystems],
    events: core.stepEvents(extra.afterSeq ?? core.stepSeq, extra.maxEvents ?? 500),
  };
}

/** Every pair's status, the upstream legs worked out once for all. */
export function pairStatuses(core: EngineState): PairStatus[] {
  const upstream = upstreamIndex(core);
  return [...core.pairs.values()].map((p) => pairStatus(core, p, upstream));
}

/** Per-host counters over the whole run (headless report). */
export function hostTotals(core: EngineState): { id: string; writesAcked: number; writesFailed: number; latency: LatencyHistogram; reads: ReadStats }[] {
  return [...core.hosts.values()].map((h) => ({ id: h.host.id, writesAcked: h.writesAcked, writesFailed: h.writesFailed, latency: h.latency, reads: h.reads }));
}

/** Share of the elapsed time the busier direction spent serialising. */
export function linkUtilization(l: LinkRt, nowUs: number): number {
  if (nowUs <= 0) return 0;
  return Math.min(1, Math.max(l.busyUs[0], l.busyUs[1]) / nowUs);
}

/** Slots listed per cache in one snapshot: up to 256 each, within a budget of 1,024 for the whole snapshot (at least 8 each), so that a topology with hundreds of caches streams at 30 Hz without megabyte snapshots. */
export const SNAPSHOT_SLOT_BUDGET = 1024;
export function snapshotSlotsPerCache(cacheCount: number): number {
  return Math.max(8, Math.min(256, Math.floor(SNAPSHOT_SLOT_BUDGET / Math.max(1, cacheCount))));
}
