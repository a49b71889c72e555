// The simulation engine: compiles a Topology into runtime objects and runs the patent's write flows, pairs, faults and workloads on a virtual clock.
import type { CommandResult, EngineCommand, PairState, PairStatus, Snapshot, StepEvent, CacheStatus, HostStatus, LinkStatus } from '../../app/engine/api';
import type { Host, Topology, TraceRecord, Volume, Workload, WorkloadTrace } from '../../app/model/schema';
import { hostCablesToLu, pairRoute } from '../../app/model/paths';
import { CacheRt, LinkRt, MappingStack, MAX_CACHE_WAITERS, MSG_US, TopologyError, Wiring } from './runtime';
import { JOURNAL_WINDOW, JournalRt, OVERFLOW_WATCH_US, PairRt, PFUL_THRESHOLD, type JournalRecord, type PairRoute } from './pairs';
import { EngineInvariantError, invariant, LatencyHistogram, Prng, Scheduler } from './sim';
import { composedContentHash, type Sha256 } from './data/sparse-volume';
import type { Payload } from './data/payload';
import { ReadStats, realVolumeBelow, traceSchedule } from './workload';

export interface EngineOptions {
  seed?: number;
  /** Emit step events for every workload write too (single hostWrite commands always emit them). */
  traceWorkloadWrites?: boolean;
  /** Step events kept for snapshots and tests (oldest dropped first). */
  stepBufferSize?: number;
  /** Called for every step event as it happens. */
  onStep?: (e: StepEvent) => void;
  /**
   * A faster sha256 from the host (node:crypto in the worker and the CLI) for volume hashes; the values are the
   * same as with the default pure-JS one, only computed ~10x faster.
   */
  sha256?: Sha256;
}

/** Where a write arrived from: decides the step names and whether the bytes are applied here. */
type Source = 'host' | 'sync' | 'journal' | 'copy' | 'loop';

interface Io {
  id: number;
  traced: boolean;
}

interface Arrival {
  systemId: string;
  portId: string;
  volumeId: string;
  offset: number;
  length: number;
  data: Payload | null;
  io: Io;
  source: Source;
  /** For updates of a pair (sync forward, copy): false once the pair moved on, so the bytes must not land any more. */
  stillWanted?: () => boolean;
}

/** Bytes a write already changed in a volume (stored higher up the stack) whose hand-down has not yet reached that volume's pairs. */
interface HandDown {
  volumeId: string;
  offset: number;
  length: number;
}

/** A cache slot held by a write on its way down the stack, released when the data is destaged or handed to the next cache. */
interface SlotHold {
  cache: CacheRt;
  volumeId: string;
  track: number;
  version: number;
}

interface HostRt {
  host: Host;
  failed: boolean;
  latency: LatencyHistogram;
  writesAcked: number;
  writesFailed: number;
  bytesAcked: number;
  outstanding: number;
  /** Acked writes and bytes at the previous snapshot, for rates. */
  lastSnap: { timeUs: number; acked: number; bytes: number };
  /** The newest rates computed at a snapshot. */
  rate: { iops: number; mbps: number };
  /** Host reads (workload read share and trace reads). */
  reads: ReadStats;
}

export interface WorkloadOverride {
  iops?: number;
  blockBytes?: number;
  readRatio?: number;
  pattern?: Workload['pattern'];
}

const NO_PAIRS: PairRt[] = [];
const NO_HAND_DOWNS: ReadonlySet<HandDown> = new Set();

/** A single step (stepToNextStepEvent) runs at most this much virtual time ... */
export const STEP_LIMIT_US = 1_000_000;
/** ... and at most this many events (about a thousand writes), so that it answers in well under a second of CPU. */
export const STEP_LIMIT_EVENTS = 20_000;

/** Host queue depth beyond which new workload writes are not issued (counted as throttled). */
export const MAX_HOST_OUTSTANDING = 4096;
/** Retry interval of a destage whose path to the real volume is down. */
const DESTAGE_RETRY_US = 1_000_000;
/** Gap between copy batches per pace below the fastest (copyPace 15 has none). */
const COPY_GAP_US_PER_PACE = 2_000;

export class Engine {
  readonly sched = new Scheduler();
  readonly prng: Prng;
  readonly seed: number;
  readonly wiring: Wiring;
  readonly stack: MappingStack;
  readonly caches = new Map<string, CacheRt>();
  private readonly cacheOfVolume = new Map<string, CacheRt>();
  readonly pairs = new Map<string, PairRt>();
  private readonly pairList: PairRt[] = [];
  readonly journals = new Map<string, JournalRt>();
  readonly hosts = new Map<string, HostRt>();
  readonly failedSystems = new Set<string>();
  private readonly systemSite = new Map<string, string>();
  /** Volumes and LUs a volume's flow passes through on the way down (excluded from sibling fan-out). */
  private readonly chains = new Map<string, Set<string>>();
  /** Per volume: whether a write to it can fan out to a sibling (see mayFanOut). */
  private readonly fanOutPossible = new Map<string, boolean>();
  private readonly steps: StepEvent[] = [];
  /** Hand-downs on their way to a volume with pairs, by volume: a pair suspended meanwhile records them (see handDownStarted). */
  private readonly handDowns = new Map<string, Set<HandDown>>();
  /** Cables from a host to an LU's port, by host then LU (nested: no key string built per write). */
  private readonly hostCables = new Map<string, Map<string, LinkRt[]>>();
  private stepSeq = 0;
  private readonly stepBufferSize: number;
  private readonly onStep: ((e: StepEvent) => void) | undefined;
  private readonly traceWorkloadWrites: boolean;
  private nextIoId = 1;
  /** Writes and hand-downs still moving through the model. */
  private activeFlows = 0;
  private pendingDestages = 0;
  workloadsEnabled = true;
  private workloadOverride: WorkloadOverride | undefined;
  /** Hosts stop issuing workload writes at this virtual time (headless runs). */
  workloadsStopUs = Infinity;

  constructor(
    readonly topology: Topology,
    options: EngineOptions = {},
  ) {
    this.seed = options.seed ?? 1;
    this.prng = new Prng(this.seed);
    this.stepBufferSize = options.stepBufferSize ?? 20_000;
    this.onStep = options.onStep;
    this.traceWorkloadWrites = options.traceWorkloadWrites ?? false;
    this.wiring = new Wiring(topology);
    for (const s of topology.systems) this.systemSite.set(s.id, s.siteId);
    const trackOf = (systemId: string): number => this.wiring.systems.get(systemId)?.trackBytes ?? 262144;
    this.stack = new MappingStack(topology, trackOf, options.sha256);
    for (const c of topology.caches) {
      const cache = new CacheRt(c.id, c.systemId, c.sizeBytes, trackOf(c.systemId), c.volumeIds);
      this.caches.set(c.id, cache);
      for (const v of c.volumeIds) this.cacheOfVolume.set(v, cache);
    }
    for (const v of topology.volumes) this.chains.set(v.id, this.chainBelow(v.id));
    for (const p of topology.pairs) {
      const primary = this.volume(p.primaryVolumeId);
      const rt = new PairRt(p, trackOf(primary.systemId), this.stack.sizeOf(p.primaryVolumeId));
      rt.route = this.routeFor(rt);
      if (p.mode === 'async') {
        const jid = p.consistencyGroup ?? p.id;
        let j = this.journals.get(jid);
        if (!j) this.journals.set(jid, (j = new JournalRt(jid, p.journalBytes ?? 64 * 1024 * 1024 * 1024)));
        j.pairs.push(rt);
        rt.journal = j;
      }
      this.pairs.set(p.id, rt);
      this.pairList.push(rt);
    }
    for (const h of topology.hosts) {
      this.hosts.set(h.id, {
        host: h,
        failed: false,
        latency: new LatencyHistogram(),
        writesAcked: 0,
        writesFailed: 0,
        bytesAcked: 0,
        outstanding: 0,
        lastSnap: { timeUs: 0, acked: 0, bytes: 0 },
        rate: { iops: 0, mbps: 0 },
        reads: new ReadStats(),
      });
    }
    // Pairs start as the file says: 'create' runs the initial copy from time 0.
    for (const p of this.pairs.values()) {
      if (p.cfg.initially === 'paired') this.setState(p, 'PAIR', 'formed when the run started (initial copy assumed done)');
      else if (p.cfg.initially === 'create') this.startCopy(p, true, 'initial copy started');
    }
  }

  // ---------------------------------------------------------------- clock

  get nowUs(): number {
    return this.sched.nowUs;
  }

  /** Runs every event due up to `timeUs` and leaves the clock there. */
  runUntil(timeUs: number): void {
    while (this.sched.runNext(timeUs));
    if (timeUs > this.sched.nowUs) this.sched.nowUs = timeUs;
  }

  runFor(us: number): void {
    this.runUntil(this.sched.nowUs + us);
  }

  /**
   * Runs events until the next step event is emitted; returns it. Bounded: it stops without one at `limitUs`, after
   * STEP_LIMIT_US of virtual time or after STEP_LIMIT_EVENTS events, whichever comes first (with untraced workload
   * writes only, the next step event may be an hour and millions of writes away).
   */
  stepToNextStepEvent(limitUs = Infinity): StepEvent | undefined {
    const before = this.stepSeq;
    const until = Math.min(limitUs, this.nowUs + STEP_LIMIT_US);
    let events = 0;
    while (this.stepSeq === before && events++ < STEP_LIMIT_EVENTS && this.sched.runNext(until));
    return this.stepSeq === before ? undefined : this.steps.find((s) => s.seq === before + 1);
  }

  /** Runs up to `limitUs` until nothing is copying, journaled or in flight; returns whether it settled. */
  runUntilSettled(limitUs: number): boolean {
    while (!this.settled()) if (!this.sched.runNext(limitUs)) return this.settled();
    return true;
  }

  /** No pair copying or suspending, journals drained, no write or destage in flight. */
  settled(): boolean {
    if (this.activeFlows > 0 || this.pendingDestages > 0) return false;
    for (const p of this.pairs.values()) if (p.state === 'COPY' || p.state === 'suspending' || p.state === 'deleting') return false;
    for (const j of this.journals.values()) if (!j.drained) return false;
    return true;
  }

  // ---------------------------------------------------------------- step events

  private step(step: string, elementId: string, text: string, io?: Io, relatedIds?: string[]): void {
    if (io && !io.traced) return;
    const e: StepEvent = { seq: ++this.stepSeq, timeUs: this.nowUs, step, elementId, text };
    if (relatedIds) e.relatedIds = relatedIds;
    if (io) e.ioId = io.id;
    this.steps.push(e);
    if (this.steps.length > this.stepBufferSize) this.steps.splice(0, this.steps.length - this.stepBufferSize);
    this.onStep?.(e);
  }

  /** Step events with seq greater than `afterSeq`, at most `max` (the newest). */
  stepEvents(afterSeq = 0, max = Infinity): StepEvent[] {
    const out = this.steps.filter((s) => s.seq > afterSeq);
    return out.length > max ? out.slice(out.length - max) : out;
  }

  get lastStepSeq(): number {
    return this.stepSeq;
  }

  // ---------------------------------------------------------------- lookups

  private volume(id: string): Volume {
    const v = this.stack.volumes.get(id);
    if (!v) throw new TopologyError(id, 'no such volume');
    return v;
  }

  private systemUp(systemId: string): boolean {
    return !this.failedSystems.has(systemId);
  }

  private chainBelow(id: string, out = new Set<string>()): Set<string> {
    const v = this.stack.volumes.get(id);
    const lu = this.stack.lus.get(id);
    const lower: string[] = [];
    if (v?.kind === 'virtual') lower.push(...v.ranges.map((r) => r.lowerId));
    else if (v?.kind === 'virtualReal') lower.push(v.aliasOfId, ...(v.path ? [v.path.luId] : []));
    else if (v?.kind === 'real' && v.backing.type === 'external') lower.push(v.backing.luId);
    else if (lu) lower.push(lu.volumeId);
    for (const l of lower) {
      if (out.has(l)) continue;
      out.add(l);
      this.chainBelow(l, out);
    }
    return out;
  }

  private routeFor(p: PairRt): PairRoute | undefined {
    const prim = this.volume(p.primaryId);
    const sec = this.volume(p.secondaryId);
    if (!p.swapped) {
      const r = pairRoute(this.topology, p.id);
      if (r) {
        const link = this.wiring.links.get(r.cableId);
        if (link) return { fromPortId: r.initiatorPortId, link, toPortId: r.targetPortId };
      }
    }
    const r = this.wiring.route(prim.systemId, sec.systemId);
    return r ? { fromPortId: r.fromPortId, link: r.link, toPortId: r.toPortId } : undefined;
  }

  private pairsWithPrimary(volumeId: string): PairRt[] {
    let out: PairRt[] | undefined;
    for (const p of this.pairList) if (p.primaryId === volumeId && p.state !== 'SMPL') (out ??= []).push(p);
    return out ?? NO_PAIRS;
  }

  private pairWithSecondary(volumeId: string): PairRt | undefined {
    for (const p of this.pairList) if (p.secondaryId === volumeId && p.state !== 'SMPL') return p;
    return undefined;
  }

  // ---------------------------------------------------------------- host writes

  private cablesToLu(hostId: string, luId: string): LinkRt[] {
    let byLu = this.hostCables.get(hostId);
    if (!byLu) this.hostCables.set(hostId, (byLu = new Map()));
    let cables = byLu.get(luId);
    if (!cables) byLu.set(luId, (cables = hostCablesToLu(this.topology, hostId, luId).map((c) => this.wiring.links.get(c.id)!)));
    return cables;
  }

  /**
   * Issues one host write now; `done` gets the outcome when the host sees the answer. The engine keeps `data` (the
   * journal and the volumes' stores hold it by reference, copy-on-write): do not change it afterwards.
   */
  hostWrite(hostId: string, luId: string, offset: number, data: Uint8Array, traced: boolean, done?: (ok: boolean, reason?: string) => void): CommandResult {
    return this.issueWrite(hostId, luId, offset, data, traced, done) ?? { ok: true, message: `write ${this.nextIoId - 1} issued` };
  }

  /** hostWrite without building its result: undefined when issued, else the refusal (workloads call this per write). */
  private issueWrite(hostId: string, luId: string, offset: number, data: Payload, traced: boolean, done?: (ok: boolean, reason?: string) => void): CommandResult | undefined {
    const h = this.hosts.get(hostId);
    const lu = this.stack.lus.get(luId);
    if (!h) return { ok: false, reason: `no host ${hostId}` };
    if (!lu) return { ok: false, reason: `no LU ${luId}` };
    if (offset + data.length > lu.sizeBytes) return { ok: false, reason: `write ${offset}+${data.length} runs past the end of ${luId} (${lu.sizeBytes} bytes)` };
    const cables = this.cablesToLu(hostId, luId);
    const cable = cables.find((l) => l.up) ?? cables[0];
    if (!cable) return { ok: false, reason: `host ${hostId} has no cable to port ${lu.portId} of ${luId}` };
    const link = cable;
    const hostPort = link.otherEnd(lu.portId);
    const io: Io = { id: this.nextIoId++, traced };
    const startUs = this.nowUs;
    h.outstanding++;
    this.activeFlows++;
    const finish = (ok: boolean, reason?: string): void => {
      h.outstanding--;
      this.activeFlows--;
      if (ok) {
        h.writesAcked++;
        h.bytesAcked += data.length;
        h.latency.record(this.nowUs - startUs);
        if (io.traced) this.step('host-ack', hostId, `the host gets the write completion after ${fmtUs(this.nowUs - startUs)}`, io);
      } else {
        h.writesFailed++;
        if (io.traced) this.step('host-error', hostId, `the write failed: ${reason ?? 'unknown'}`, io);
      }
      done?.(ok, reason);
    };
    if (h.failed || !link.up) {
      this.sched.after(0, () => finish(false, h.failed ? `host ${hostId} is down` : `cable ${link.id} is cut`));
      return undefined;
    }
    if (io.traced) this.step('host-write', hostPort, `the host sends a ${data.length}-byte write for ${luId} over ${link.id}`, io, [link.id, luId]);
    const epoch = link.epoch;
    link.inFlight++;
    const systemId = this.wiring.ownerOf(lu.portId);
    link.send(this.sched, this.nowUs, hostPort, data.length, (arrive) => this.sched.at(arrive, () => {
      link.inFlight--;
      if (link.epoch !== epoch) return finish(false, `cable ${link.id} was cut`);
      this.receive({ systemId, portId: lu.portId, volumeId: lu.volumeId, offset: lu.startBytes + offset, length: data.length, data, io, source: 'host' }, (ok, reason) => {
        this.sched.after(link.oneWayUs, () => {
          // The reason text only when the write failed (it used to be built for every acknowledged write).
          if (ok && link.epoch === epoch) finish(true);
          else finish(false, ok ? `cable ${link.id} was cut` : reason);
        });
      }, luId);
    }));
    return undefined;
  }

  // ---------------------------------------------------------------- the write flow

  /**
   * A write command arriving at a target port: LU -> V (T3), data stored in the volume's cache, pairs of the
   * volume served, then the data handed down the mapping stack. `ack` is called when the sender may be answered.
   */
  private receive(a: Arrival, ack: (ok: boolean, reason?: string) => void, luId?: string): void {
    const sys = this.wiring.systems.get(a.systemId);
    if (!sys || !this.systemUp(a.systemId)) return ack(false, `system ${a.systemId} is down`);
    const relayNames = a.source === 'sync' || a.source === 'journal' || a.source === 'copy';
    if (a.source === 'loop') {
      if (a.io.traced) this.step('S31', a.portId, `${a.portId} receives the write command from the loop`, a.io);
    } else if (relayNames) {
      if (a.io.traced) this.step('S11', a.portId, `${a.portId} receives the write command${a.source === 'journal' ? ' (a journal record)' : ''}`, a.io);
      if (a.io.traced) this.step('S12', a.portId, `${a.portId} converts LU# to V# (${a.volumeId}) with table T3`, a.io, [a.volumeId]);
    } else {
      if (a.io.traced) this.step('receive', a.portId, `${a.portId} receives the write command${luId ? ` for ${luId}` : ''}`, a.io);
      if (a.io.traced) this.step('T3', a.portId, `${a.portId} converts ${luId ?? 'the LU'} to volume ${a.volumeId} with table T3`, a.io, [a.volumeId]);
    }
    this.activeFlows++;
    this.sched.after(sys.chaProcessingUs, () => {
      this.activeFlows--;
      if (!this.systemUp(a.systemId)) return ack(false, `system ${a.systemId} is down`);
      const refusal = a.source === 'host' ? this.hostWriteRefusal(a.volumeId) : undefined;
      if (refusal) return ack(false, refusal);
      if (a.io.traced && a.source === 'loop') this.step('S32', a.portId, `${a.portId} receives the data as ${a.volumeId}`, a.io);
      else if (a.io.traced && relayNames) this.step('S13', a.portId, `${a.portId} receives the data as ${a.volumeId}`, a.io);
      const cache = this.cacheOfVolume.get(a.volumeId);
      const shared = cache !== undefined && cache.volumeIds.size > 1;
      const storeStep = a.source === 'loop' ? 'S33' : relayNames ? (shared ? 'S14a' : 'S14') : 'cache';
      this.storeInCache(cache, a.volumeId, a.offset, a.length, (holds) => {
        if (!this.systemUp(a.systemId)) return ack(false, `system ${a.systemId} is down`);
        if (a.stillWanted && !a.stillWanted()) {
          // The pair was split, suspended or reversed while this waited for a slot: its target is no longer ours to write.
          this.release(holds);
          return ack(false, 'the pair changed state before the update was stored');
        }
        if (cache && a.io.traced) {
          const text =
            storeStep === 'S14a'
              ? `${a.portId} writes the data straight into the shared cache ${cache.id}`
              : `${a.portId} stores the data in cache ${cache.id}`;
          this.step(storeStep, cache.id, text, a.io, [a.volumeId]);
        }
        if (a.source !== 'loop') this.applyData(a.volumeId, a.offset, a.length, a.data);
        const secondaryPair = this.pairWithSecondary(a.volumeId);
        if (secondaryPair && a.source === 'host') secondaryPair.markTracks(secondaryPair.secondaryBitmap, a.offset, a.length);
        // Pairs of this very volume: a sync primary answers only when its secondary holds the data.
        let waiting = 1;
        let failure: string | undefined;
        const one = (ok: boolean, reason?: string): void => {
          if (!ok) failure ??= reason;
          if (--waiting === 0) ack(failure === undefined, failure);
        };
        if (a.source === 'loop') {
          if (a.io.traced) {
            // The port names are only needed for the step texts: untraced writes skip the lookup.
            this.step('S34', a.portId, `${a.portId} converts LU# to V# (${a.volumeId}) with table T3`, a.io);
            const ip = this.initiatorFor(a.volumeId, a.systemId) ?? 'the initiator port';
            this.step('S35', a.portId, `${a.portId} issues a message to ${ip}`, a.io);
          }
          // Below the relay's receiving volume nobody waits: the sync leg was answered at S14.
          for (const p of this.pairsWithPrimary(a.volumeId)) this.servePairBelow(p, a.volumeId, a.offset, a.length, a.data, a.io, 'S44');
        } else {
          for (const p of this.pairsWithPrimary(a.volumeId)) {
            waiting++;
            this.servePair(p, a, 'S1', one);
          }
        }
        one(true);
        this.handDown(a.systemId, a.volumeId, a.offset, a.length, a.data, a.io, holds, a.source !== 'loop');
      });
    });
  }

  /** Why a host may not write this volume now (it is the protected secondary of a pair), or undefined. */
  private hostWriteRefusal(volumeId: string): string | undefined {
    const p = this.pairWithSecondary(volumeId);
    if (!p) return undefined;
    if (p.state === 'SSWS' || (p.state === 'PSUS' && p.secondaryWritable) || (p.state === 'SSUS' && p.secondaryWritable)) return undefined;
    return `${volumeId} is the secondary of pair ${p.id} (${p.state}) and is write-protected`;
  }

  private applyData(volumeId: string, offset: number, length: number, data: Payload | null): void {
    const pieces = this.stack.pieces(volumeId, offset, length);
    // Payloads are immutable once handed to hostWrite (and copies read fresh buffers): every store of the cascade
    // keeps the same chunks by reference (the same as stack.writeImmutable, without computing the pieces twice).
    for (const piece of pieces) {
      if (data) piece.store.writeImmutable(piece.storeOffset, part(data, piece.dataOffset, piece.length));
      else piece.store.zeroRange(piece.storeOffset, piece.length);
    }
    if (!this.anyPairRecording()) return;
    for (const piece of pieces) this.recordSharedChange(piece.storeId, piece.storeOffset, piece.length);
  }

  /**
   * Bitmaps follow the bytes: the moment bytes change, every pair with a side over them that is recording changes
   * marks them, in that side's own addresses. The flows mark too when they reach a volume, but in a cascade that can
   * be later than the bytes changed (the loop hand-down to V21 trails the store at S14), and by then the pair may have
   * been reversed (swap-resync) and would miss the change. Replicating pairs are left to their flows.
   */
  /** Whether some pair is in a state that records changes in a bitmap (else recordSharedChange has nothing to do). */
  private anyPairRecording(): boolean {
    for (const q of this.pairList) {
      const st = q.state;
      if (st === 'COPY' || st === 'PSUS' || st === 'PSUE' || st === 'SSUS' || st === 'SSWS' || st === 'suspending') return true;
    }
    return false;
  }

  private recordSharedChange(storeId: string, storeOffset: number, length: number): void {
    for (const over of this.stack.volumesOver(storeId, storeOffset, length)) {
      for (const q of this.pairList) {
        if (q.primaryId === over.volumeId) {
          if (q.state === 'COPY' || q.state === 'PSUS' || q.state === 'PSUE' || q.state === 'SSUS' || q.state === 'SSWS' || q.state === 'suspending') q.markTracks(q.primaryBitmap, over.offset, over.length);
        } else if (q.secondaryId === over.volumeId) {
          if (q.state === 'PSUS' || q.state === 'PSUE' || q.state === 'SSUS' || q.state === 'SSWS') q.markTracks(q.secondaryBitmap, over.offset, over.length);
        }
      }
    }
  }

  /** Takes (or waits for) a dirty slot for every track of the range; back-pressure when the cache is full of dirty data. */
  private storeInCache(cache: CacheRt | undefined, volumeId: string, offset: number, length: number, then: (holds: SlotHold[]) => void): void {
    if (!cache) return then([]);
    const first = Math.floor(offset / cache.trackBytes);
    const last = Math.floor((offset + length - 1) / cache.trackBytes);
    if (first === last) {
      // One track with a slot to spare (the common case): no retry closure needed.
      const version = cache.store(volumeId, first, this.nowUs);
      if (version >= 0) return then([{ cache, volumeId, track: first, version }]);
    }
    const holds: SlotHold[] = [];
    const tryStore = (track: number): void => {
      for (let t = track; t <= last; t++) {
        const version = cache.store(volumeId, t, this.nowUs);
        if (version < 0) {
          if (cache.waiters.length >= MAX_CACHE_WAITERS) throw new EngineInvariantError(cache.id, `more than ${MAX_CACHE_WAITERS} writes waiting for a free slot`);
          this.activeFlows++;
          cache.waiters.push(() => {
            this.activeFlows--;
            tryStore(t);
          });
          return;
        }
        holds.push({ cache, volumeId, track: t, version });
      }
      then(holds);
    };
    tryStore(first);
  }

  private release(holds: SlotHold[]): void {
    for (const h of holds) h.cache.markClean(h.volumeId, h.track, h.version, this.nowUs);
  }

  /** Serves one pair whose primary was just written: forward (sync), journal (async) or record in the bitmap. */
  private servePair(p: PairRt, a: Arrival, sendStep: string, done: (ok: boolean, reason?: string) => void): void {
    if (p.state === 'PAIR' || p.state === 'PFUL') {
      if (p.mode === 'sync') return this.forwardSync(p, a, done);
      this.journalAppend(p, a.offset, a.length, a.data, a.io, sendStep);
    } else if (p.state === 'COPY' || p.state === 'PSUS' || p.state === 'PSUE' || p.state === 'SSWS' || p.state === 'suspending' || p.state === 'SSUS') {
      // Recorded for the copy loop or the next resync.
      p.markTracks(p.primaryBitmap, a.offset, a.length);
    }
    done(true);
  }

  /** Sends a sync pair's update to the secondary and answers when the secondary's cache holds it (or it failed). */
  private forwardSync(p: PairRt, a: Arrival, done: (ok: boolean, reason?: string) => void): void {
    const route = p.route;
    // Where the update goes is fixed when it is sent: a reversal before it arrives must not redirect it.
    const secondaryId = p.secondaryId;
    const secSystem = this.volume(secondaryId).systemId;
    const gen = p.updateGen;
    const fail = (why: string): void => {
      if (p.updateGen !== gen) {
        // The pair moved on (takeover, reversal, new copy, delete) while this update was on its way; its track was
        // recorded when the pair stopped replicating. Nothing to suspend; the host is answered by the fence level.
        if (p.cfg.fence === 'data') done(false, `pair ${p.id} (fence data) could not update ${secondaryId}: ${why}`);
        else done(true);
        return;
      }
      p.markTracks(p.primaryBitmap, a.offset, a.length);
      this.suspend(p, 'PSUE', why, route && !route.link.up ? { kind: 'link', id: route.link.id } : { kind: 'system', id: secSystem });
      if (p.cfg.fence === 'data') done(false, `pair ${p.id} (fence data) could not update ${p.secondaryId}: ${why}`);
      else done(true);
    };
    if (!route) return fail('no cabled route from the primary to the secondary');
    if (!route.link.up) return fail(`cable ${route.link.id} is cut`);
    if (!this.systemUp(secSystem)) return fail(`system ${secSystem} is down`);
    if (a.io.traced) this.step('S1', route.fromPortId, `${route.fromPortId} sends the write to ${p.secondaryId} over ${route.link.id} (sync pair ${p.id})`, a.io, [route.link.id, p.id]);
    // Counted until answered: a split lets them land (they were sent first), but no copy may target those bytes meanwhile.
    p.syncInFlight++;
    const firstTrack = Math.floor(a.offset / p.trackBytes);
    const lastTrack = Math.floor((a.offset + a.length - 1) / p.trackBytes);
    for (let t = firstTrack; t <= lastTrack; t++) p.syncInFlightTracks.set(t, (p.syncInFlightTracks.get(t) ?? 0) + 1);
    const answered = done;
    done = (ok, reason) => {
      p.syncInFlight--;
      for (let t = firstTrack; t <= lastTrack; t++) {
        const n = p.syncInFlightTracks.get(t)! - 1;
        if (n > 0) p.syncInFlightTracks.set(t, n);
        else p.syncInFlightTracks.delete(t);
      }
      answered(ok, reason);
    };
    const link = route.link;
    const epoch = link.epoch;
    link.inFlight++;
    this.activeFlows++;
    link.send(this.sched, this.nowUs, route.fromPortId, a.length, (t) => this.sched.at(t, () => {
      link.inFlight--;
      this.activeFlows--;
      if (link.epoch !== epoch) return fail(`cable ${link.id} was cut`);
      const stillWanted = (): boolean => p.updateGen === gen;
      this.receive({ ...a, systemId: secSystem, portId: route.toPortId, volumeId: secondaryId, source: 'sync', stillWanted }, (ok, reason) => {
        if (!ok) return fail(reason ?? 'the secondary refused the write');
        if (a.io.traced) this.step('ack', route.toPortId, `${route.toPortId} acknowledges: the secondary's cache holds the data`, a.io);
        this.activeFlows++;
        this.sched.after(link.oneWayUs, () => {
          this.activeFlows--;
          if (link.epoch !== epoch) return fail(`cable ${link.id} was cut before the answer came back`);
          done(true);
        });
      });
    }));
  }

  /**
   * Hands the data down the mapping stack inside one system: through the loop cable (FIG. 1), by intercache copy
   * (FIG. 7) or within one shared cache (FIG. 9), then destaged to the real volume; virtual volumes sharing the
   * same real bytes (fan-out, FIG. 12) get the update too.
   */
  private handDown(systemId: string, volumeId: string, offset: number, length: number, data: Payload | null, io: Io, holds: SlotHold[], top: boolean): void {
    const v = this.volume(volumeId);
    if (top) this.fanOut(systemId, volumeId, offset, length, data, io);
    if (v.kind === 'real') return this.destage(v, offset, length, io, holds);
    const lower = this.lowerPieces(v, offset, length);
    if (lower.length === 0) return this.release(holds);
    for (const piece of lower) {
      const lv = this.stack.volumes.get(piece.lowerId);
      const lu = this.stack.lus.get(piece.lowerId);
      const sub = data ? part(data, piece.dataOffset, piece.length) : null;
      if (lv?.kind === 'virtualReal' && lv.path) {
        this.loopFlow(systemId, volumeId, lv, piece.lowerOffset, piece.length, sub, io, holds);
      } else if (lv?.kind === 'virtualReal') {
        this.internalFlow(systemId, volumeId, lv.id, lv.aliasOfId, piece.lowerOffset, piece.length, sub, io, holds);
      } else if (lu) {
        this.internalFlow(systemId, volumeId, lu.id, lu.volumeId, lu.startBytes + piece.lowerOffset, piece.length, sub, io, holds);
      } else if (lv?.kind === 'virtual') {
        this.internalFlow(systemId, volumeId, lv.id, lv.id, piece.lowerOffset, piece.length, sub, io, holds);
      } else if (lv?.kind === 'real') {
        this.destage(lv, piece.lowerOffset, piece.length, io, holds);
      }
    }
  }

  private lowerPieces(v: Volume, offset: number, length: number): { lowerId: string; lowerOffset: number; dataOffset: number; length: number }[] {
    if (v.kind === 'virtualReal') return [{ lowerId: v.aliasOfId, lowerOffset: offset, dataOffset: 0, length }];
    if (v.kind !== 'virtual') return [];
    const out: { lowerId: string; lowerOffset: number; dataOffset: number; length: number }[] = [];
    let at = 0;
    const end = offset + length;
    for (const r of v.ranges) {
      const a = Math.max(offset, at);
      const b = Math.min(end, at + r.lengthBytes);
      if (a < b) out.push({ lowerId: r.lowerId, lowerOffset: r.startBytes + (a - at), dataOffset: a - offset, length: b - a });
      at += r.lengthBytes;
    }
    return out;
  }

  /** FIG. 1: V12 -> R2 goes out of IP21, over the loop cable, into TP22 as V21 (S15, S16, S21, S22, then S31-S35 at TP22). */
  private loopFlow(systemId: string, fromVolumeId: string, r2: Extract<Volume, { kind: 'virtualReal' }>, offset: number, length: number, data: Payload | null, io: Io, holds: SlotHold[]): void {
    const path = r2.path!;
    const lu = this.stack.lus.get(path.luId);
    const links = this.wiring.linksByPort.get(path.initiatorPortId) ?? [];
    const link = lu ? links.find((l) => l.otherEnd(path.initiatorPortId) === lu.portId) : undefined;
    const tp = lu ? this.wiring.ports.get(lu.portId) : undefined;
    if (io.traced) this.step('S15', tp ? tp.id : systemId, `the address in ${fromVolumeId} is converted to ${r2.id} (WWN/LU#/LBA#) with table T4`, io, [r2.id]);
    const pending = lu ? this.handDownStarted(lu.volumeId, lu.startBytes + offset, length) : undefined;
    this.activeFlows++;
    this.sched.after(MSG_US, () => {
      this.activeFlows--;
      if (io.traced) this.step('S16', systemId, `a message (MSG) goes through shared memory to ${path.initiatorPortId}`, io, [path.initiatorPortId]);
      if (io.traced) this.step('S21', path.initiatorPortId, `${path.initiatorPortId} receives the message`, io);
      if (!lu || !link || !link.up) {
        this.release(holds);
        this.handDownEnded(pending);
        return this.suspendBelow(systemId, lu?.volumeId ?? r2.aliasOfId, offset, length, `loop cable from ${path.initiatorPortId} is ${link ? 'cut' : 'missing'}`, link?.id);
      }
      if (io.traced) this.step('S22', path.initiatorPortId, `${path.initiatorPortId} issues a write command for ${r2.id} to ${lu.portId} over ${link.id}`, io, [link.id]);
      const epoch = link.epoch;
      link.inFlight++;
      this.activeFlows++;
      link.send(this.sched, this.nowUs, path.initiatorPortId, length, (t) => this.sched.at(t, () => {
        link.inFlight--;
        this.activeFlows--;
        if (link.epoch !== epoch) {
          this.release(holds);
          this.handDownEnded(pending);
          return this.suspendBelow(systemId, lu.volumeId, offset, length, `loop cable ${link.id} was cut`, link.id);
        }
        this.receive(
          { systemId, portId: lu.portId, volumeId: lu.volumeId, offset: lu.startBytes + offset, length, data, io, source: 'loop' },
          (ok, reason) => {
            // Served (on success, receive served V21's pairs before answering) or lost with its system: either way
            // the pairs have it, or it is in their bitmaps.
            this.release(holds);
            this.handDownEnded(pending);
            if (!ok) this.suspendBelow(systemId, lu.volumeId, lu.startBytes + offset, length, reason ?? `${lu.volumeId} could not take the loop write`);
          },
        );
      }));
    });
  }

  /**
   * FIG. 7 / FIG. 9: the lower volume gets the data through shared memory: an intercache copy into its own
   * cache (S53), or nothing to copy when it shares the cache (S53 omitted); then its pairs are served (S54-S56).
   */
  private internalFlow(systemId: string, fromVolumeId: string, viaId: string, toVolumeId: string, offset: number, length: number, data: Payload | null, io: Io, holds: SlotHold[]): void {
    const fromCache = this.cacheOfVolume.get(fromVolumeId);
    const toCache = this.cacheOfVolume.get(toVolumeId);
    const sameCache = fromCache !== undefined && fromCache === toCache;
    if (io.traced) this.step('S15a', fromCache?.id ?? systemId, `the address in ${fromVolumeId} is converted to ${toVolumeId}${viaId !== toVolumeId ? ` (through ${viaId})` : ''} with table T4`, io, [toVolumeId]);
    const pending = this.handDownStarted(toVolumeId, offset, length);
    this.activeFlows++;
    this.sched.after(MSG_US, () => {
      this.activeFlows--;
      if (io.traced) {
        const ip = this.initiatorFor(toVolumeId, systemId);
        this.step('S16', systemId, `a message (MSG) goes through shared memory to ${ip ?? 'the initiator port'}`, io);
        this.step('S51', ip ?? systemId, `${ip ?? 'the initiator port'} receives the message`, io);
        this.step('S52', ip ?? systemId, `data reception as ${toVolumeId} (formal: the data is already in cache)`, io);
      }
      const continueWith = (newHolds: SlotHold[]): void => {
        this.handDownEnded(pending);
        const served = this.pairsWithPrimary(toVolumeId);
        for (const p of served) this.servePairBelow(p, toVolumeId, offset, length, data, io, 'S56');
        this.handDown(systemId, toVolumeId, offset, length, data, io, newHolds, false);
      };
      if (sameCache || !toCache) return continueWith(holds);
      this.storeInCache(toCache, toVolumeId, offset, length, (newHolds) => {
        if (io.traced) this.step('S53', toCache.id, `intercache copy: the data is stored in ${toCache.id} for ${toVolumeId}`, io, [fromCache?.id ?? fromVolumeId]);
        this.release(holds);
        continueWith(newHolds);
      });
    });
  }

  /** An initiator port of the system that sends for pairs of this volume (for step labels). */
  private initiatorFor(volumeId: string, systemId: string): string | undefined {
    for (const p of this.pairsWithPrimary(volumeId)) if (p.route) return p.route.fromPortId;
    for (const port of this.wiring.ports.values()) if (port.ownerId === systemId && port.kind === 'initiator') return port.id;
    return undefined;
  }

  /** Serves a pair of a volume reached inside the relay: S41-S43 after the loop, S54-S55 after shared memory. */
  private servePairBelow(p: PairRt, volumeId: string, offset: number, length: number, data: Payload | null, io: Io, sendStep: 'S44' | 'S56'): void {
    const ip = p.route?.fromPortId ?? this.volume(volumeId).systemId;
    if (p.state === 'PAIR' || p.state === 'PFUL') {
      if (sendStep === 'S44') {
        if (io.traced) this.step('S41', ip, `${ip} receives the message`, io);
        if (io.traced) this.step('S42', ip, `${ip} starts transmission as primary of ${p.secondaryId}`, io, [p.id]);
        if (io.traced) this.step('S43', ip, `${ip} converts the ${volumeId} address to ${p.secondaryId}'s with table T4`, io);
      } else {
        if (io.traced) this.step('S54', ip, `${ip} starts transmission as primary of ${p.secondaryId}`, io, [p.id]);
        if (io.traced) this.step('S55', ip, `${ip} converts the ${volumeId} address to ${p.secondaryId}'s with table T4`, io);
      }
    }
    const a: Arrival = { systemId: this.volume(volumeId).systemId, portId: ip, volumeId, offset, length, data, io, source: 'loop' };
    this.activeFlows++;
    this.servePair(p, a, sendStep, () => {
      this.activeFlows--;
    });
  }

  /** FIG. 12: other volumes of this system on the same real bytes that are primaries of pairs get the update through the shared cache or an intercache copy. */
  private fanOut(systemId: string, volumeId: string, offset: number, length: number, data: Payload | null, io: Io): void {
    if (!this.mayFanOut(volumeId)) return;
    const chain = this.chains.get(volumeId);
    const seen = new Set<string>();
    for (const piece of this.stack.pieces(volumeId, offset, length)) {
      for (const over of this.stack.volumesOver(piece.storeId, piece.storeOffset, piece.length)) {
        if (over.volumeId === volumeId || chain?.has(over.volumeId) || seen.has(over.volumeId)) continue;
        const ov = this.stack.volumes.get(over.volumeId);
        if (!ov || ov.systemId !== systemId) continue;
        const served = this.pairsWithPrimary(over.volumeId);
        if (served.length === 0) continue;
        seen.add(over.volumeId);
        const at = piece.dataOffset + (over.storeOffset - piece.storeOffset);
        const sub = data ? part(data, at, over.length) : null;
        this.siblingFlow(systemId, volumeId, over.volumeId, over.offset, over.length, sub, io);
      }
    }
  }

  /**
   * Whether any volume of the same system, outside this one's chain, shares stores with it and is a side of some pair
   * (either side: a swap makes a secondary the primary). The mapping is fixed for an engine's life, so this is worked
   * out once per volume; most volumes have no sibling, and their writes then skip the per-piece search.
   */
  private mayFanOut(volumeId: string): boolean {
    let may = this.fanOutPossible.get(volumeId);
    if (may !== undefined) return may;
    may = false;
    const systemId = this.stack.volumes.get(volumeId)?.systemId;
    const chain = this.chains.get(volumeId);
    const stores = new Set(this.stack.extentsOf(volumeId).map((e) => e.storeId));
    for (const storeId of stores) {
      for (const e of this.stack.byStore.get(storeId) ?? []) {
        if (e.volumeId === volumeId || chain?.has(e.volumeId)) continue;
        if (this.stack.volumes.get(e.volumeId)?.systemId !== systemId) continue;
        if (this.pairList.some((q) => q.primaryId === e.volumeId || q.secondaryId === e.volumeId)) may = true;
      }
    }
    this.fanOutPossible.set(volumeId, may);
    return may;
  }

  private siblingFlow(systemId: string, fromVolumeId: string, toVolumeId: string, offset: number, length: number, data: Payload | null, io: Io): void {
    const fromCache = this.cacheOfVolume.get(fromVolumeId);
    const toCache = this.cacheOfVolume.get(toVolumeId);
    if (io.traced) this.step('S15a', fromCache?.id ?? systemId, `the address in ${fromVolumeId} is converted to ${toVolumeId} with table T4 (shared real volume)`, io, [toVolumeId]);
    const pending = this.handDownStarted(toVolumeId, offset, length);
    this.activeFlows++;
    this.sched.after(MSG_US, () => {
      this.activeFlows--;
      if (io.traced) {
        const ip = this.initiatorFor(toVolumeId, systemId) ?? systemId;
        this.step('S16', systemId, `a message (MSG) goes through shared memory to ${ip}`, io);
        this.step('S51', ip, `${ip} receives the message`, io);
        this.step('S52', ip, `data reception as ${toVolumeId} (formal)`, io);
      }
      const serve = (holds: SlotHold[]): void => {
        this.handDownEnded(pending);
        for (const p of this.pairsWithPrimary(toVolumeId)) this.servePairBelow(p, toVolumeId, offset, length, data, io, 'S56');
        this.release(holds);
      };
      if (!toCache || toCache === fromCache) return serve([]);
      this.storeInCache(toCache, toVolumeId, offset, length, (holds) => {
        if (io.traced) this.step('S53', toCache.id, `intercache copy into ${toCache.id} for ${toVolumeId}`, io);
        serve(holds);
      });
    });
  }

  /** Pairs below a broken internal path lose the update: they are suspended and the change is recorded. */
  private suspendBelow(systemId: string, volumeId: string, offset: number, length: number, why: string, cableId?: string): void {
    for (const p of this.pairsWithPrimary(volumeId)) {
      p.markTracks(p.primaryBitmap, offset, length);
      if (p.replicating) this.suspend(p, 'PSUE', why, cableId ? { kind: 'loop', id: cableId } : { kind: 'system', id: systemId });
    }
  }

  /**
   * A write's bytes are applied where the first cache of a system stores them (S14), so a lower volume on the same
   * bytes (FIG. 1's V21 under V12, FIG. 12's V21a/V21b) has changed before the hand-down reaches it and serves its
   * pairs. A pair of that volume that suspends in between must record the change (suspend reads these), else a
   * hand-down lost with its system, or arriving after a reversal, leaves the change in no journal and no bitmap.
   */
  private handDownStarted(volumeId: string, offset: number, length: number): HandDown | undefined {
    if (this.pairsWithPrimary(volumeId).length === 0) return undefined;
    let set = this.handDowns.get(volumeId);
    if (!set) this.handDowns.set(volumeId, (set = new Set()));
    const h: HandDown = { volumeId, offset, length };
    set.add(h);
    return h;
  }

  private handDownEnded(h: HandDown | undefined): void {
    if (h) this.handDowns.get(h.volumeId)?.delete(h);
  }

  /** The disk adapter writes dirty tracks to the real volume: internal after destageUsPerTrack, external over its cable (CN5). */
  private destage(real: Extract<Volume, { kind: 'real' }>, offset: number, length: number, io: Io, holds: SlotHold[]): void {
    if (holds.length === 0) return;
    const cache = holds[0]!.cache;
    const sys = this.wiring.systems.get(real.systemId)!;
    this.pendingDestages++;
    const attempt = (): void => {
      const done = cache.bookDestage(this.nowUs, sys.destageUsPerTrack * holds.length);
      cache.destaging++;
      this.sched.at(done, () => {
        if (real.backing.type === 'internal') {
          cache.destaging--;
          this.pendingDestages--;
          if (io.traced) this.step('destage', cache.id, `a disk adapter destages ${holds.length} track(s) of ${real.id}`, io, [real.id]);
          return this.release(holds);
        }
        const backing = real.backing;
        const extLu = this.stack.lus.get(backing.luId);
        const link = extLu ? this.wiring.linksByPort.get(backing.initiatorPortId)?.find((l) => l.otherEnd(backing.initiatorPortId) === extLu.portId) : undefined;
        const extSystem = extLu ? this.wiring.ownerOf(extLu.portId) : undefined;
        if (!link || !link.up || !extSystem || !this.systemUp(extSystem)) {
          cache.destaging--;
          // The dirty data stays in cache until the external volume is reachable again.
          this.sched.after(DESTAGE_RETRY_US, attempt);
          return;
        }
        if (io.traced) this.step('destage', backing.initiatorPortId, `${backing.initiatorPortId} writes ${real.id} in external system ${extSystem} over ${link.id}`, io, [link.id, real.id]);
        const epoch = link.epoch;
        link.send(this.sched, this.nowUs, backing.initiatorPortId, length, (t) => this.sched.at(t + link.oneWayUs, () => {
          cache.destaging--;
          if (link.epoch !== epoch) return void this.sched.after(DESTAGE_RETRY_US, attempt);
          this.pendingDestages--;
          this.release(holds);
        }));
      });
    };
    attempt();
  }

  // ---------------------------------------------------------------- async journal

  private journalAppend(p: PairRt, offset: number, length: number, data: Payload | null, io: Io, sendStep: string): void {
    const j = p.journal!;
    if (j.usedBytes + j.phantomBytes + length > j.capacityBytes) {
      p.markTracks(p.primaryBitmap, offset, length);
      this.suspend(p, 'PSUE', `journal ${j.id} is full (${fmtBytes(j.capacityBytes)})`, { kind: 'journal', id: j.id });
      return;
    }
    const rec: JournalRecord = { seq: j.nextSeq++, gen: j.gen, pair: p, offset, length, data, writtenUs: this.nowUs, ioId: io.traced ? io.id : undefined, sendStep: io.traced ? sendStep : undefined };
    j.usedBytes += length;
    j.queue.push(rec);
    if (io.traced) this.step('journal', j.id, `write gets sequence number ${rec.seq} in journal ${j.id}`, io, [p.id]);
    this.checkJournalFill(j);
    this.pump(j);
  }

  private checkJournalFill(j: JournalRt): void {
    const over = j.fill >= PFUL_THRESHOLD;
    for (const p of j.pairs) {
      if (over && p.state === 'PAIR') this.setState(p, 'PFUL', `journal ${j.id} is ${Math.round(j.fill * 100)}% full`);
      else if (!over && p.state === 'PFUL') this.setState(p, 'PAIR', `journal ${j.id} drained below ${PFUL_THRESHOLD * 100}%`);
    }
    if (over && j.overThresholdSinceUs === undefined) {
      j.overThresholdSinceUs = this.nowUs;
      const gen = j.gen;
      const since = this.nowUs;
      this.sched.after(OVERFLOW_WATCH_US, () => {
        if (j.gen !== gen || j.overThresholdSinceUs !== since || j.fill < PFUL_THRESHOLD) return;
        const p = j.pairs.find((q) => q.replicating);
        if (p) this.suspend(p, 'PSUE', `journal ${j.id} stayed above ${PFUL_THRESHOLD * 100}% for the ${OVERFLOW_WATCH_US / 1e6} s overflow watch`, { kind: 'journal', id: j.id });
      });
    } else if (!over) {
      j.overThresholdSinceUs = undefined;
    }
  }

  /** Sends queued journal records while the transfer window has room. */
  private pump(j: JournalRt): void {
    while (j.inFlight < JOURNAL_WINDOW) {
      const rec = j.queue[j.queueHead];
      if (!rec) return;
      const p = rec.pair;
      const route = p.route;
      if (!route || !route.link.up || !(p.state === 'PAIR' || p.state === 'PFUL' || p.state === 'suspending')) return;
      j.shift();
      j.sent.set(rec.seq, rec);
      j.inFlight++;
      const link = route.link;
      const io: Io = { id: rec.ioId ?? 0, traced: rec.ioId !== undefined };
      if (rec.sendStep) this.step(rec.sendStep, route.fromPortId, `${route.fromPortId} sends journal record ${rec.seq} to ${p.secondaryId} over ${link.id}`, io, [link.id, p.id]);
      const epoch = link.epoch;
      const gen = j.gen;
      link.inFlight++;
      link.send(this.sched, this.nowUs, route.fromPortId, rec.length, (t) => this.sched.at(t, () => {
        link.inFlight--;
        // A discarded record lost on a cut link still frees its place in the sequence (nobody suspends for a deleted pair).
        if (j.gen !== gen || (link.epoch !== epoch && !rec.discarded)) return;
        j.arrived.set(rec.seq, rec);
        this.applyInOrder(j);
      }));
    }
  }

  /** The secondary applies only an unbroken run of sequence numbers, so it always holds an earlier consistent image. */
  private applyInOrder(j: JournalRt): void {
    let freed = false;
    for (;;) {
      if (j.skipped.size > 0 && j.skipped.delete(j.applyNext)) {
        j.applyNext++;
        continue;
      }
      const rec = j.arrived.get(j.applyNext);
      if (!rec) break;
      j.arrived.delete(j.applyNext);
      j.applyNext++;
      if (rec.discarded) {
        // Its pair was deleted: nothing lands, the space is freed and the group's sequence moves on.
        this.freeJournalRecord(j, rec);
        freed = true;
        continue;
      }
      const p = rec.pair;
      const route = p.route!;
      const gen = j.gen;
      const io: Io = { id: rec.ioId ?? 0, traced: rec.ioId !== undefined };
      const secSystem = this.volume(p.secondaryId).systemId;
      const stillWanted = (): boolean => !rec.discarded;
      this.receive({ systemId: secSystem, portId: route.toPortId, volumeId: p.secondaryId, offset: rec.offset, length: rec.length, data: rec.data, io, source: 'journal', stillWanted }, (ok) => {
        if (j.gen !== gen) return;
        if (rec.discarded) {
          this.freeJournalRecord(j, rec);
          this.afterJournalFreed(j);
          return;
        }
        if (!ok) {
          p.markTracks(p.primaryBitmap, rec.offset, rec.length);
          this.suspend(p, 'PSUE', `the secondary ${p.secondaryId} could not apply journal record ${rec.seq}`, { kind: 'system', id: secSystem });
          return;
        }
        if (io.traced) this.step('journal-apply', p.secondaryId, `record ${rec.seq} applied to ${p.secondaryId}; the primary may free it`, io, [p.id]);
        p.lastAppliedWrittenUs = Math.max(p.lastAppliedWrittenUs, rec.writtenUs);
        this.sched.after(route.link.oneWayUs, () => {
          if (j.gen !== gen) return;
          this.freeJournalRecord(j, rec);
          this.afterJournalFreed(j);
        });
      });
    }
    if (freed) this.afterJournalFreed(j);
  }

  /** The secondary reported the record applied (or it was discarded): its space and its transfer slot are free. */
  private freeJournalRecord(j: JournalRt, rec: JournalRecord): void {
    j.inFlight--;
    j.sent.delete(rec.seq);
    j.usedBytes -= rec.length;
    invariant(j.usedBytes >= 0 && j.inFlight >= 0, j.id, 'journal accounting went negative');
  }

  private afterJournalFreed(j: JournalRt): void {
    this.checkJournalFill(j);
    this.finishSuspendingIfDrained(j);
    this.pump(j);
  }

  private finishSuspendingIfDrained(j: JournalRt): void {
    if (!j.drained) return;
    for (const p of j.pairs) if (p.state === 'suspending') this.setState(p, 'PSUS', 'split: the journal drained, the secondary holds a consistent image');
  }

  // ---------------------------------------------------------------- pair states and copy

  private setState(p: PairRt, state: PairState, reason: string): void {
    if (p.state === state && p.reason === reason) return;
    p.state = state;
    p.reason = reason;
    p.sinceUs = this.nowUs;
    this.step('pair-state', p.id, `pair ${p.id} is now ${state}: ${reason}`);
  }

  /** Pairs that suspend together with `p` (its consistency group). */
  private groupOf(p: PairRt): PairRt[] {
    if (!p.cfg.consistencyGroup) return [p];
    return [...this.pairs.values()].filter((q) => q.cfg.consistencyGroup === p.cfg.consistencyGroup);
  }

  /** Suspends a pair and its consistency group; unapplied journal records become bitmap bits. */
  private suspend(p: PairRt, state: 'PSUE' | 'PSUS', reason: string, cause?: PairRt['suspendedCause']): void {
    for (const q of this.groupOf(p)) {
      if (!(q.replicating || q.state === 'PSUS')) continue;
      if (q.state === state) continue;
      if (q.state === 'COPY') q.secondaryInconsistent = true;
      q.markSyncInFlight();
      for (const h of this.handDowns.get(q.primaryId) ?? NO_HAND_DOWNS) q.markTracks(q.primaryBitmap, h.offset, h.length);
      this.abandonCopy(q);
      q.suspendedCause = cause;
      this.setState(q, state, q === p ? reason : `${reason} (consistency group ${p.cfg.consistencyGroup})`);
    }
    const j = p.journal;
    if (j) for (const rec of j.drop()) rec.pair.markTracks(rec.pair.primaryBitmap, rec.offset, rec.length);
  }

  /**
   * Stops a running copy: its pending callbacks see a new generation and do nothing. Tracks already taken from the
   * bitmap but not yet landed go back into it, so the next resync sends them (they may or may not have arrived).
   */
  private abandonCopy(p: PairRt): void {
    p.copy.active = false;
    p.copy.gen++;
    for (const t of p.copy.inFlightTracks) p.primaryBitmap.set(t);
    p.copy.inFlightTracks.clear();
  }

  /** Starts the initial copy (all tracks) or a differential resync (union of both sides' bitmaps). */
  private startCopy(p: PairRt, initial: boolean, reason: string): void {
    this.markOverwrittenSecondaries(p);
    p.markSyncInFlight();
    p.updateGen++;
    if (initial) p.primaryBitmap.setAll();
    p.primaryBitmap.union(p.secondaryBitmap);
    p.secondaryBitmap.clearAll();
    p.secondaryWritable = false;
    p.suspendedCause = undefined;
    p.copy.active = true;
    p.copy.gen++;
    p.copy.totalTracks = p.primaryBitmap.count;
    p.copy.startedUs = this.nowUs;
    p.copy.inFlight = 0;
    p.copy.inFlightTracks.clear();
    p.copy.cursor = 0;
    // The journal's sequence is the group's: other pairs of the group may have records on the way, so it is left alone.
    this.setState(p, 'COPY', `${reason}: ${p.copy.totalTracks} track(s) to copy`);
    const gen = p.copy.gen;
    this.sched.after(0, () => this.copyBatch(p, gen));
  }

  /** One paced batch of the copy loop: up to copyPace tracks sent; never-written tracks count as copied at no cost. */
  private copyBatch(p: PairRt, gen: number): void {
    if (p.copy.gen !== gen || p.state !== 'COPY') return;
    const route = p.route;
    const secSystem = this.volume(p.secondaryId).systemId;
    const primSystem = this.volume(p.primaryId).systemId;
    if (!route || !route.link.up || !this.systemUp(secSystem) || !this.systemUp(primSystem)) {
      const why = !route ? 'no cabled route to the secondary' : !route.link.up ? `cable ${route.link.id} is cut` : 'a system of the pair is down';
      return this.suspend(p, 'PSUE', why, route && !route.link.up ? { kind: 'link', id: route.link.id } : { kind: 'system', id: this.systemUp(secSystem) ? primSystem : secSystem });
    }
    const bm = p.primaryBitmap;
    const tb = p.trackBytes;
    let sent = 0;
    let skippedCheapTracks = 0;
    while (sent < p.cfg.copyPace && !bm.isEmpty) {
      let t = bm.nextSet(p.copy.cursor);
      if (t === undefined) t = bm.nextSet(0)!;
      const offset = t * tb;
      const len = Math.min(tb, p.sizeBytes - offset);
      if (!this.stack.anyWritten(p.primaryId, offset, len) && !this.stack.anyWritten(p.secondaryId, offset, len)) {
        // Skip the whole run of never-written tracks on both sides up to the next written one.
        const a = this.stack.nextWrittenOffset(p.primaryId, offset);
        const b = this.stack.nextWrittenOffset(p.secondaryId, offset);
        const nextWritten = Math.min(a ?? p.sizeBytes, b ?? p.sizeBytes);
        const endTrack = Math.max(t + 1, Math.min(p.trackCount, Math.floor(nextWritten / tb)));
        skippedCheapTracks += bm.clearRange(t, endTrack);
        p.copy.cursor = endTrack;
        continue;
      }
      bm.clear(t);
      p.copy.cursor = t + 1;
      sent++;
      this.copyTrack(p, route, secSystem, offset, len, gen);
    }
    void skippedCheapTracks;
    if (sent === 0) this.copyBatchDone(p, gen);
  }

  private copyTrack(p: PairRt, route: PairRoute, secSystem: string, offset: number, len: number, gen: number): void {
    const data = this.stack.anyWritten(p.primaryId, offset, len) ? this.stack.read(p.primaryId, offset, len) : null;
    const link = route.link;
    const epoch = link.epoch;
    const track = offset / p.trackBytes;
    p.copy.inFlight++;
    p.copy.tracksSent++;
    p.copy.inFlightTracks.add(track);
    link.inFlight++;
    const io: Io = { id: 0, traced: false };
    link.send(this.sched, this.nowUs, route.fromPortId, len, (t) => this.sched.at(t, () => {
      link.inFlight--;
      if (p.copy.gen !== gen) return;
      if (link.epoch !== epoch) {
        p.markTracks(p.primaryBitmap, offset, len);
        return this.suspend(p, 'PSUE', `cable ${link.id} was cut during the copy`, { kind: 'link', id: link.id });
      }
      const stillWanted = (): boolean => p.copy.gen === gen;
      this.receive({ systemId: secSystem, portId: route.toPortId, volumeId: p.secondaryId, offset, length: len, data, io, source: 'copy', stillWanted }, (ok, reason) => {
        if (p.copy.gen !== gen) return;
        if (!ok) {
          p.markTracks(p.primaryBitmap, offset, len);
          return this.suspend(p, 'PSUE', `copy to ${p.secondaryId} failed: ${reason ?? ''}`, { kind: 'system', id: secSystem });
        }
        this.sched.after(link.oneWayUs, () => {
          if (p.copy.gen !== gen) return;
          p.copy.inFlightTracks.delete(track);
          if (--p.copy.inFlight === 0) this.copyBatchDone(p, gen);
        });
      });
    }));
  }

  private copyBatchDone(p: PairRt, gen: number): void {
    if (p.copy.gen !== gen || p.state !== 'COPY') return;
    if (p.primaryBitmap.isEmpty && p.copy.inFlight === 0) {
      p.copy.active = false;
      p.secondaryInconsistent = false;
      p.lastAppliedWrittenUs = this.nowUs;
      if (p.failbackPending) {
        p.failbackPending = false;
        this.swapRoles(p);
        this.setState(p, 'PAIR', 'failback complete: the original direction is restored');
      } else {
        this.setState(p, 'PAIR', `copy complete (${p.copy.tracksSent} track(s) sent)`);
      }
      return;
    }
    this.sched.after((15 - p.cfg.copyPace) * COPY_GAP_US_PER_PACE, () => this.copyBatch(p, gen));
  }

  private swapRoles(p: PairRt): void {
    p.updateGen++;
    const prim = p.primaryId;
    p.primaryId = p.secondaryId;
    p.secondaryId = prim;
    const bm = p.primaryBitmap;
    p.primaryBitmap = p.secondaryBitmap;
    p.secondaryBitmap = bm;
    p.swapped = !p.swapped;
    p.route = this.routeFor(p);
  }

  /**
   * Why a copy into `target` would corrupt another pair, or undefined. A copy writes `target`'s bytes, and in a
   * cascade those bytes can also be another replicating pair's secondary (V21 shares R40 with V12): that pair would
   * then differ from its own primary while still showing PAIR. Reversals copy into the old primary (target =
   * p.primaryId); create and resync copy into the secondary.
   */
  private copyTargetConflict(p: PairRt, target: string): string | undefined {
    const sharing = new Set<string>([target]);
    for (const e of this.stack.extentsOf(target)) for (const o of this.stack.volumesOver(e.storeId, e.storeOffset, e.length)) sharing.add(o.volumeId);
    for (const q of this.pairList) {
      if (q === p) continue;
      // A failback under way (or suspended, to be resumed by a resync) replicates into its current primary once it
      // completes (the roles swap back).
      if (q.failbackPending && q.state !== 'SMPL' && q.state !== 'deleting' && sharing.has(q.primaryId)) {
        return `${target} shares its data with ${q.primaryId}, which pair ${q.id} (${q.state}) replicates into when its failback completes; wait for it or split ${q.id} first`;
      }
      if (!sharing.has(q.secondaryId)) continue;
      if (q.state === 'PAIR' || q.state === 'PFUL' || q.state === 'COPY' || q.state === 'suspending') {
        return `${target} shares its data with ${q.secondaryId}, the secondary of pair ${q.id} (${q.state}); split or suspend ${q.id} first`;
      }
      // After a takeover the secondary is the copy that serves the host: a copy would overwrite its live data.
      if (q.state === 'SSWS') return `${target} shares its data with ${q.secondaryId}, which took over from pair ${q.id} (${q.state}) and serves the host; fail back or swap ${q.id} first`;
      if (q.syncInFlight > 0) return `${target} shares its data with ${q.secondaryId}, which still has ${q.syncInFlight} update(s) of pair ${q.id} on the way; try again when they have landed`;
    }
    return undefined;
  }

  /** A resync copies into the secondary; one that resumes a failback then replicates into the primary (roles swap back). */
  private resyncConflict(p: PairRt): string | undefined {
    return this.copyTargetConflict(p, p.secondaryId) ?? (p.failbackPending ? this.copyTargetConflict(p, p.primaryId) : undefined);
  }

  /**
   * A copy into bytes that are also a split or suspended pair's secondary (allowed: copyTargetConflict refuses only
   * replicating ones) replaces that secondary's image: it no longer holds its primary's image as of the split, so it
   * is shown inconsistent (takeover refused) until its own next copy completes. Its bitmap records the tracks.
   */
  private markOverwrittenSecondaries(p: PairRt): void {
    const target = p.secondaryId;
    const sharing = new Set<string>();
    for (const e of this.stack.extentsOf(target)) for (const o of this.stack.volumesOver(e.storeId, e.storeOffset, e.length)) sharing.add(o.volumeId);
    for (const q of this.pairList) {
      if (q === p || !sharing.has(q.secondaryId)) continue;
      if (q.state === 'PSUS' || q.state === 'PSUE' || q.state === 'SSUS') q.secondaryInconsistent = true;
    }
  }

  /** Pairs downstream of a volume's bytes in the same system (a cascade's next leg). */
  private downstreamOf(volumeId: string): PairRt[] {
    const sys = this.volume(volumeId).systemId;
    const out = new Set<PairRt>();
    for (const piece of this.stack.extentsOf(volumeId)) {
      for (const over of this.stack.volumesOver(piece.storeId, piece.storeOffset, piece.length)) {
        const ov = this.stack.volumes.get(over.volumeId);
        if (!ov || ov.systemId !== sys) continue;
        for (const p of this.pairsWithPrimary(over.volumeId)) out.add(p);
      }
    }
    return [...out];
  }

  // ---------------------------------------------------------------- commands

  command(c: EngineCommand): CommandResult {
    switch (c.type) {
      case 'pair':
        return this.pairCommand(c.pairId, c.op, c.readWrite ?? false);
      case 'cutCable':
      case 'restoreCable': {
        const link = this.wiring.links.get(c.cableId);
        if (!link) return { ok: false, reason: `no cable ${c.cableId}` };
        if (c.type === 'cutCable') {
          if (!link.up) return { ok: false, reason: `cable ${c.cableId} is already cut` };
          link.up = false;
          link.epoch++;
          this.step('fault', link.id, `cable ${link.id} is cut`);
          for (const p of this.pairs.values()) {
            if (p.route?.link === link && (p.replicating || p.state === 'PSUS')) this.suspend(p, 'PSUE', `cable ${link.id} is cut`, { kind: 'link', id: link.id });
          }
          return { ok: true, message: `cable ${c.cableId} cut` };
        }
        if (link.up) return { ok: false, reason: `cable ${c.cableId} is not cut` };
        link.up = true;
        this.step('repair', link.id, `cable ${link.id} is restored`);
        this.autoResync();
        for (const j of this.journals.values()) this.pump(j);
        return { ok: true, message: `cable ${c.cableId} restored` };
      }
      case 'failSystem':
      case 'restoreSystem': {
        if (!this.wiring.systems.has(c.systemId)) return { ok: false, reason: `no system ${c.systemId}` };
        return c.type === 'failSystem' ? this.failSystems([c.systemId], `system ${c.systemId} failed`) : this.restoreSystems([c.systemId]);
      }
      case 'failSite':
      case 'restoreSite': {
        if (!this.topology.sites.some((s) => s.id === c.siteId)) return { ok: false, reason: `no site ${c.siteId}` };
        const systems = this.topology.systems.filter((s) => s.siteId === c.siteId).map((s) => s.id);
        for (const h of this.hosts.values()) if (h.host.siteId === c.siteId) h.failed = c.type === 'failSite';
        return c.type === 'failSite' ? this.failSystems(systems, `site ${c.siteId} failed`) : this.restoreSystems(systems);
      }
      case 'fillJournal': {
        const p = this.pairs.get(c.pairId);
        if (!p) return { ok: false, reason: `no pair ${c.pairId}` };
        const j = p.journal;
        if (!j) return { ok: false, reason: `pair ${c.pairId} is synchronous and has no journal` };
        if (!(p.state === 'PAIR' || p.state === 'PFUL')) return { ok: false, reason: `pair ${c.pairId} is ${p.state}; its journal is not in use`, state: p.state };
        j.phantomBytes = Math.max(0, j.capacityBytes - j.usedBytes);
        this.step('fault', j.id, `journal ${j.id} is filled to capacity`);
        this.checkJournalFill(j);
        return { ok: true, message: `journal ${j.id} full: the next write suspends the pairs, or the ${OVERFLOW_WATCH_US / 1e6} s overflow watch does` };
      }
      case 'fillCache': {
        const cache = this.caches.get(c.cacheId);
        if (!cache) return { ok: false, reason: `no cache ${c.cacheId}` };
        const sys = this.wiring.systems.get(cache.systemId)!;
        let n = 0;
        while (cache.hasFree()) {
          const key = `phantom-${n}`;
          const version = cache.store(key, n, this.nowUs);
          const hold: SlotHold = { cache, volumeId: key, track: n, version };
          this.pendingDestages++;
          this.sched.at(cache.bookDestage(this.nowUs, sys.destageUsPerTrack), () => {
            this.pendingDestages--;
            this.release([hold]);
          });
          n++;
        }
        this.step('fault', cache.id, `cache ${cache.id} is filled with ${n} dirty slot(s)`);
        return { ok: true, message: `${n} slot(s) of ${cache.id} filled with dirty data` };
      }
      case 'hostWrite': {
        const data = new Uint8Array(c.lengthBytes);
        if (c.fill !== undefined) data.fill(c.fill);
        else this.prng.fill(data);
        return this.hostWrite(c.hostId, c.luId, c.offsetBytes, data, true);
      }
      case 'setWorkloadsEnabled':
        this.workloadsEnabled = c.enabled;
        return { ok: true, message: c.enabled ? 'workloads enabled' : 'workloads paused' };
    }
  }

  private failSystems(systemIds: string[], why: string): CommandResult {
    for (const s of systemIds) {
      this.failedSystems.add(s);
      this.step('fault', s, why);
    }
    for (const p of this.pairs.values()) {
      const ps = this.volume(p.primaryId).systemId;
      const ss = this.volume(p.secondaryId).systemId;
      if ((systemIds.includes(ps) || systemIds.includes(ss)) && (p.replicating || p.state === 'PSUS')) {
        this.suspend(p, 'PSUE', why, { kind: 'system', id: systemIds.includes(ss) ? ss : ps });
      }
    }
    return { ok: true, message: why };
  }

  private restoreSystems(systemIds: string[]): CommandResult {
    for (const s of systemIds) {
      this.failedSystems.delete(s);
      this.step('repair', s, `system ${s} is restored`);
    }
    this.autoResync();
    return { ok: true, message: `restored ${systemIds.join(', ')}` };
  }

  /** Pairs with autoResync whose suspending fault is repaired start a differential resync. */
  private autoResync(): void {
    for (const p of this.pairs.values()) {
      if (p.state !== 'PSUE' || !p.cfg.autoResync) continue;
      const ps = this.volume(p.primaryId).systemId;
      const ss = this.volume(p.secondaryId).systemId;
      if (!p.route?.link.up || !this.systemUp(ps) || !this.systemUp(ss)) continue;
      if (p.suspendedCause?.kind === 'takeover') continue;
      // Stays suspended rather than overwrite another replicating pair's secondary (the operator resolves it).
      if (this.resyncConflict(p)) continue;
      this.startCopy(p, false, 'auto-resync after the fault was repaired');
    }
  }

  private pairCommand(pairId: string, op: string, readWrite: boolean): CommandResult {
    const p = this.pairs.get(pairId);
    if (!p) return { ok: false, reason: `no pair ${pairId}` };
    const refuse = (why: string): CommandResult => ({ ok: false, reason: `${op} refused: pair ${pairId} is ${p.state}; ${why}`, state: p.state });
    switch (op) {
      case 'create':
        if (p.state !== 'SMPL') return refuse('only a simplex pair can be created');
        {
          const conflict = this.copyTargetConflict(p, p.secondaryId);
          if (conflict) return refuse(conflict);
        }
        this.startCopy(p, true, 'initial copy started');
        return { ok: true, message: 'initial copy started' };
      case 'split':
        if (!(p.state === 'PAIR' || p.state === 'PFUL' || p.state === 'COPY')) return refuse('only a pair in PAIR, PFUL or COPY can be split');
        p.secondaryWritable = readWrite;
        if (p.mode === 'async' && p.journal && !p.journal.drained && p.state !== 'COPY') {
          this.setState(p, 'suspending', 'split requested: the journal drains first');
          return { ok: true, message: 'suspending while the journal drains' };
        }
        this.suspend(p, 'PSUS', `split by the operator${readWrite ? ' (secondary read/write)' : ''}`);
        return { ok: true, message: 'split' };
      case 'resync':
        if (!(p.state === 'PSUS' || p.state === 'PSUE' || p.state === 'SSUS')) return refuse('only a split or suspended pair can be resynchronised');
        if (!p.route?.link.up) return refuse(`its link ${p.route?.link.id ?? '(none)'} is down`);
        {
          const conflict = this.resyncConflict(p);
          if (conflict) return refuse(conflict);
        }
        this.startCopy(p, false, 'differential resync');
        return { ok: true, message: `resync: ${p.copy.totalTracks} track(s) to copy` };
      case 'takeover': {
        if (p.state === 'COPY') return refuse('the secondary is inconsistent while copying and cannot take over');
        if (p.secondaryInconsistent) return refuse('its copy was interrupted, so the secondary is inconsistent and cannot take over');
        if (p.state === 'SMPL' || p.state === 'SSWS') return refuse('there is nothing to take over');
        this.suspend(p, 'PSUE', 'taken over');
        // The secondary now serves the host: updates the old primary sent before the takeover no longer land on it.
        p.updateGen++;
        this.setState(p, 'SSWS', `the secondary ${p.secondaryId} took over and accepts writes`);
        p.suspendedCause = { kind: 'takeover', id: p.id };
        for (const q of this.downstreamOf(p.secondaryId)) {
          if (q !== p && q.replicating) this.suspend(q, 'PSUE', `upstream pair ${p.id} was taken over`, { kind: 'takeover', id: p.id });
        }
        return { ok: true, message: `${p.secondaryId} is writable (SSWS)` };
      }
      case 'swapResync': {
        if (p.state !== 'SSWS') return refuse('swap-resync follows a takeover (SSWS)');
        const conflict = this.copyTargetConflict(p, p.primaryId);
        if (conflict) return refuse(conflict);
        this.swapRoles(p);
        if (!p.route?.link.up) {
          this.swapRoles(p);
          return refuse('there is no working link in the reverse direction');
        }
        this.startCopy(p, false, 'swap-resync: direction reversed, differential copy');
        return { ok: true, message: `now ${p.primaryId} -> ${p.secondaryId}` };
      }
      case 'failback':
        if (p.state === 'SSWS') {
          // Both the copy back (into the primary) and the replication after it (into the secondary) write shared bytes.
          const conflict = this.copyTargetConflict(p, p.primaryId) ?? this.copyTargetConflict(p, p.secondaryId);
          if (conflict) return refuse(conflict);
          this.swapRoles(p);
          if (!p.route?.link.up) {
            this.swapRoles(p);
            return refuse('there is no working link back to the original primary');
          }
          p.failbackPending = true;
          this.startCopy(p, false, 'failback: copying the changes back');
          return { ok: true, message: 'failback started' };
        }
        if (p.swapped && p.state === 'PAIR') {
          this.swapRoles(p);
          this.setState(p, 'PAIR', 'failback: the original direction is restored');
          return { ok: true, message: 'failback done' };
        }
        return refuse('failback needs a taken-over (SSWS) or swapped pair');
      case 'delete':
        if (p.state === 'SMPL') return refuse('it is not paired');
        // Only this pair's records leave the journal: the group's other pairs keep replicating in order.
        if (p.journal) {
          if (p.journal.pairs.length === 1) p.journal.drop();
          else p.journal.discardPair(p);
        }
        p.updateGen++;
        this.abandonCopy(p);
        this.setState(p, 'deleting', 'delete requested');
        this.sched.after(1000, () => {
          p.primaryBitmap.clearAll();
          p.secondaryBitmap.clearAll();
          this.setState(p, 'SMPL', 'deleted: the volumes are independent');
        });
        return { ok: true, message: 'deleting' };
      default:
        return refuse(`unknown operation ${op}`);
    }
  }

  // ---------------------------------------------------------------- workloads

  /** Starts the workloads of every host (Poisson arrivals from the seeded PRNG). */
  startWorkloads(override?: WorkloadOverride): void {
    this.workloadOverride = override;
    for (const h of this.hosts.values()) {
      for (const w of h.host.workloads) {
        if (w.trace) {
          this.replayTrace(h, w, w.trace);
          continue;
        }
        const iops = override?.iops ?? w.iops;
        if (iops <= 0) continue;
        const state = { seqOffset: 0 };
        const meanGap = 1e6 / iops;
        const startUs = w.startMs * 1000;
        const endUs = w.durationMs !== undefined ? startUs + w.durationMs * 1000 : Infinity;
        const tick = (): void => {
          if (this.nowUs >= endUs || this.nowUs >= this.workloadsStopUs) return;
          if (this.workloadsEnabled && !h.failed) this.issueWorkloadIo(h, w, state);
          this.sched.after(this.prng.nextExp(meanGap), tick);
        };
        this.sched.at(Math.max(this.nowUs, startUs), tick);
      }
    }
  }

  private issueWorkloadIo(h: HostRt, w: Workload, state: { seqOffset: number }): void {
    const o = this.workloadOverride;
    const lu = this.stack.lus.get(w.luId);
    if (!lu) return;
    const block = Math.min(o?.blockBytes ?? w.blockBytes, lu.sizeBytes);
    const blocks = Math.max(1, Math.floor(lu.sizeBytes / block));
    const readRatio = o?.readRatio ?? w.readRatio;
    const pattern = o?.pattern ?? w.pattern;
    let index: number;
    if (pattern === 'sequential') index = state.seqOffset++ % blocks;
    else if (pattern === 'hotspot') {
      const hot = Math.max(1, Math.floor(blocks * w.hotspotFraction));
      index = this.prng.nextFloat() < 0.8 ? this.prng.nextInt(hot) : this.prng.nextInt(blocks);
    } else index = this.prng.nextInt(blocks);
    if (readRatio > 0 && this.prng.nextFloat() < readRatio) {
      if (h.outstanding < MAX_HOST_OUTSTANDING) this.hostRead(h.host.id, w.luId, index * block, block);
      return;
    }
    if (h.outstanding >= MAX_HOST_OUTSTANDING) return;
    // The bytes stay a recipe until read or hashed (same generator draw, same bytes as filling them now).
    this.issueWrite(h.host.id, w.luId, index * block, this.prng.payload(block), this.traceWorkloadWrites);
  }

  /**
   * Replays a recorded trace: each record at the workload's start plus its time (plus one period per pass when looping),
   * in time order. Only the next record is pending at any time, so a 100,000-record trace costs one scheduler entry.
   */
  private replayTrace(h: HostRt, w: Workload, trace: WorkloadTrace): void {
    const s = traceSchedule(trace);
    if (s.records.length === 0) return;
    const startUs = w.startMs * 1000;
    const endUs = w.durationMs !== undefined ? startUs + w.durationMs * 1000 : Infinity;
    const next = (k: number, pass: number): void => {
      const r = s.records[k]!;
      const atUs = startUs + pass * s.periodUs + r.atUs;
      if (atUs >= endUs || atUs >= this.workloadsStopUs) return;
      this.sched.at(Math.max(this.nowUs, atUs), () => {
        if (this.nowUs >= this.workloadsStopUs) return;
        if (this.workloadsEnabled && !h.failed) this.issueTraceRecord(h, w, r);
        if (k + 1 < s.records.length) next(k + 1, pass);
        else if (s.loop) next(0, pass + 1);
      });
    };
    next(0, 0);
  }

  private issueTraceRecord(h: HostRt, w: Workload, r: TraceRecord): void {
    if (h.outstanding >= MAX_HOST_OUTSTANDING) return;
    if (r.op === 'read') {
      this.hostRead(h.host.id, w.luId, r.offsetBytes, r.lengthBytes);
      return;
    }
    this.issueWrite(h.host.id, w.luId, r.offsetBytes, this.prng.payload(r.lengthBytes), this.traceWorkloadWrites);
  }

  /**
   * Issues one host read now, through the same cable, target port and T3 as a write. A hit (every track of the range in
   * the volume's cache) costs CHA processing and the cable round trip with the data's serialisation; a miss first stages
   * the missing tracks from the real volume below (stageForRead) and keeps them in the cache as clean slots. Reads never
   * touch pairs, bitmaps or bytes.
   */
  hostRead(hostId: string, luId: string, offset: number, length: number, done?: (ok: boolean, reason?: string) => void): CommandResult {
    const h = this.hosts.get(hostId);
    const lu = this.stack.lus.get(luId);
    if (!h) return { ok: false, reason: `no host ${hostId}` };
    if (!lu) return { ok: false, reason: `no LU ${luId}` };
    if (length <= 0 || offset + length > lu.sizeBytes) return { ok: false, reason: `read ${offset}+${length} runs past the end of ${luId} (${lu.sizeBytes} bytes)` };
    const cables = this.cablesToLu(hostId, luId);
    const link = cables.find((l) => l.up) ?? cables[0];
    if (!link) return { ok: false, reason: `host ${hostId} has no cable to port ${lu.portId} of ${luId}` };
    const startUs = this.nowUs;
    h.outstanding++;
    this.activeFlows++;
    const finish = (ok: boolean, reason?: string): void => {
      h.outstanding--;
      this.activeFlows--;
      if (ok) {
        h.reads.completed++;
        h.reads.bytes += length;
        h.reads.latency.record(this.nowUs - startUs);
      } else h.reads.failed++;
      done?.(ok, reason);
    };
    if (h.failed || !link.up) {
      this.sched.after(0, () => finish(false, h.failed ? `host ${hostId} is down` : `cable ${link.id} is cut`));
      return { ok: true, message: 'read issued' };
    }
    const epoch = link.epoch;
    const systemId = this.wiring.ownerOf(lu.portId);
    const broken = (): string | undefined => (link.epoch !== epoch ? `cable ${link.id} was cut` : !this.systemUp(systemId) ? `system ${systemId} is down` : undefined);
    const fail = (why: string): void => void this.sched.after(link.oneWayUs, () => finish(false, why));
    // A read is one exchange: the command out, the data back (no transfer-ready handshake as for a write).
    link.send(this.sched, this.nowUs, link.otherEnd(lu.portId), 0, (t) => this.sched.at(t, () => {
      const sys = this.wiring.systems.get(systemId);
      const why = broken() ?? (sys ? undefined : `no system ${systemId}`);
      if (why || !sys) return fail(why ?? systemId);
      this.sched.after(sys.chaProcessingUs, () => {
        const reply = (failure?: string): void => {
          const notSent = failure ?? broken();
          if (notSent) return fail(notSent);
          link.send(this.sched, this.nowUs, lu.portId, length, (t) => this.sched.at(t, () => finish(link.epoch === epoch, `cable ${link.id} was cut`)), 1);
        };
        const volumeId = lu.volumeId;
        const at = lu.startBytes + offset;
        const cache = this.cacheOfVolume.get(volumeId);
        const track = cache?.trackBytes ?? sys.trackBytes;
        const missing: number[] = [];
        for (let t = Math.floor(at / track); t <= Math.floor((at + length - 1) / track); t++) if (!cache?.slot(volumeId, t)) missing.push(t);
        if (missing.length === 0) {
          h.reads.hits++;
          return reply();
        }
        h.reads.misses++;
        this.stageForRead(volumeId, at, missing.length, track, cache, (failure) => {
          // Staged tracks stay as clean slots (evicted first when space is needed); a slot a write took meanwhile is left alone.
          if (!failure && cache) {
            for (const t of missing) {
              if (cache.slot(volumeId, t)) continue;
              const version = cache.store(volumeId, t, this.nowUs);
              if (version >= 0) cache.markClean(volumeId, t, version, this.nowUs);
            }
          }
          reply(failure);
        });
      });
    }), 1);
    return { ok: true, message: 'read issued' };
  }

  /**
   * Stages the tracks of a read miss from the real volume under `volumeId` at `offset`. Internal: the disk access time,
   * taken as the owning system's destageUsPerTrack per track and booked on the cache's disk-adapter lanes (reads and
   * destages share the disk adapters). External: a command over its cable (CN5), the external system's CHA and disk time,
   * and the tracks back over the cable. `then` gets a reason when the real volume cannot be reached.
   */
  private stageForRead(volumeId: string, offset: number, tracks: number, trackBytes: number, cache: CacheRt | undefined, then: (failure?: string) => void): void {
    const target = realVolumeBelow(this.stack.volumes, this.stack.lus, volumeId, offset);
    if (!target) return then(`no real volume under ${volumeId} at byte ${offset}`);
    const real = target.real;
    const owner = this.wiring.systems.get(real.systemId);
    if (!owner || !this.systemUp(real.systemId)) return then(`system ${real.systemId} holding ${real.id} is down`);
    if (real.backing.type === 'internal') {
      const diskUs = owner.destageUsPerTrack * tracks;
      const doneAt = cache && cache.systemId === real.systemId ? cache.bookDestage(this.nowUs, diskUs) : this.nowUs + diskUs;
      this.sched.at(doneAt, () => then(this.systemUp(real.systemId) ? undefined : `system ${real.systemId} is down`));
      return;
    }
    const backing = real.backing;
    const extLu = this.stack.lus.get(backing.luId);
    const link = extLu ? this.wiring.linksByPort.get(backing.initiatorPortId)?.find((l) => l.otherEnd(backing.initiatorPortId) === extLu.portId) : undefined;
    const extSystemId = extLu ? this.wiring.ownerOf(extLu.portId) : undefined;
    const ext = extSystemId !== undefined ? this.wiring.systems.get(extSystemId) : undefined;
    if (!extLu || !link || !link.up || extSystemId === undefined || !ext || !this.systemUp(extSystemId)) return then(`external volume ${real.id} cannot be reached${link ? ` over ${link.id}` : ''}`);
    const epoch = link.epoch;
    link.send(this.sched, this.nowUs, backing.initiatorPortId, 0, (atExternal) => this.sched.at(atExternal + ext.chaProcessingUs + ext.destageUsPerTrack * tracks, () => {
      if (link.epoch !== epoch || !this.systemUp(extSystemId)) return then(`external volume ${real.id} became unreachable while staging`);
      link.send(this.sched, this.nowUs, extLu.portId, tracks * trackBytes, (t) => this.sched.at(t, () => then(link.epoch === epoch ? undefined : `cable ${link.id} was cut while staging`)), 1);
    }), 1);
  }

  /** Puts bytes straight into a volume's stores, outside any flow (test fixtures and preloaded data before a run). */
  preload(volumeId: string, offset: number, data: Uint8Array): void {
    this.volume(volumeId);
    this.stack.write(volumeId, offset, data);
  }

  // ---------------------------------------------------------------- observation

  volumeHash(volumeId: string): string {
    const v = this.stack.volumes.get(volumeId);
    if (!v) throw new TopologyError(volumeId, 'no such volume');
    const extents = this.stack.extentsOf(volumeId);
    const size = this.stack.sizeOf(volumeId);
    const only = extents[0];
    if (extents.length === 1 && only && only.storeOffset === 0) {
      const store = this.stack.stores.get(only.storeId)!;
      if (store.sizeBytes === size) return store.contentHash();
    }
    // Compose the volume's hash from its stores' cached 64 KiB block digests (mapping offsets are block-aligned in practice).
    const parts = extents.map((e) => ({ volumeOffset: e.volumeOffset, length: e.length, source: this.stack.stores.get(e.storeId)!, sourceOffset: e.storeOffset }));
    return composedContentHash(size, parts, volumeId, this.stack.sha256);
  }

  pairStatus(p: PairRt): PairStatus {
    const j = p.journal;
    const copying = p.state === 'COPY';
    const remaining = p.primaryBitmap.count;
    const total = Math.max(p.copy.totalTracks, remaining);
    const progress = copying ? (total === 0 ? 1 : (total - remaining) / total) : p.state === 'SMPL' ? 0 : remaining === 0 ? 1 : 1 - remaining / p.trackCount;
    const s: PairStatus = {
      id: p.id,
      state: p.state,
      mode: p.mode,
      linkUp: p.route?.link.up ?? false,
      secondaryData:
        p.state === 'COPY' || p.state === 'SMPL' || p.secondaryInconsistent ? 'inconsistent' : p.state === 'PAIR' && (p.mode === 'sync' || (j?.drained ?? true)) ? 'up-to-date' : 'consistent',
      copyProgress: Math.max(0, Math.min(1, progress)),
      differentialTracks: remaining + p.secondaryBitmap.count,
      sinceUs: p.sinceUs,
      reason: p.reason,
    };
    if (copying) {
      const elapsed = this.nowUs - p.copy.startedUs;
      const done = total - remaining;
      if (done > 0 && elapsed > 0) s.copyEtaMs = (remaining * elapsed) / done / 1000;
    }
    if (p.mode === 'async' && j) {
      let oldest: number | undefined;
      let lag = 0;
      for (let i = j.queueHead; i < j.queue.length; i++) {
        const r = j.queue[i]!;
        if (r.pair !== p) continue;
        lag += r.length;
        if (oldest === undefined) oldest = r.writtenUs;
      }
      for (const r of j.arrived.values()) if (r.pair === p) lag += r.length;
      // One pair in the journal: everything held (queued, on the link, arriving) is its lag.
      s.lagBytes = Math.max(lag, j.pairs.length === 1 ? j.usedBytes : lag);
      s.journalFill = j.fill;
      s.appliedSeq = j.applyNext - 1;
      s.issuedSeq = j.nextSeq - 1;
      const replicating = p.state === 'PAIR' || p.state === 'PFUL';
      s.rpoMs = replicating ? (j.usedBytes === 0 ? 0 : (this.nowUs - (oldest ?? p.lastAppliedWrittenUs)) / 1000) : (this.nowUs - p.sinceUs) / 1000;
      if (s.secondaryData === 'consistent') s.consistentAsOfUs = replicating ? p.lastAppliedWrittenUs : p.sinceUs;
    }
    return s;
  }

  snapshot(extra: { running?: boolean; speed?: number; afterSeq?: number; maxEvents?: number } = {}): Snapshot {
    const now = this.nowUs;
    // The live grid shows a sample of each cache's slots; counts (slotsUsed, dirtySlots) stay exact.
    const slotsEach = snapshotSlotsPerCache(this.caches.size);
    const caches: CacheStatus[] = [...this.caches.values()].map((c) => {
      const slots = [];
      for (const s of c.slots.values()) {
        if (slots.length >= slotsEach) break;
        slots.push({ volumeId: s.volumeId, track: s.track, dirty: s.dirty, ageUs: now - s.sinceUs });
      }
      return { id: c.id, slotsTotal: c.slotsTotal, slotsUsed: c.slotsUsed, dirtySlots: c.dirtyCount, slots, destaging: c.destaging > 0 };
    });
    const links: LinkStatus[] = [...this.wiring.links.values()].map((l) => ({
      id: l.id,
      up: l.up,
      utilization: linkUtilization(l, now),
      bytes: l.bytes,
      queueDepth: l.queueDepth(now),
    }));
    const hosts: HostStatus[] = [...this.hosts.values()].map((h) => {
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
      seed: this.seed,
      pairs: [...this.pairs.values()].map((p) => this.pairStatus(p)),
      caches,
      links,
      hosts,
      failedSystems: [...this.failedSystems],
      events: this.stepEvents(extra.afterSeq ?? this.stepSeq, extra.maxEvents ?? 500),
    };
  }

  /** Per-host counters over the whole run (headless report). */
  hostTotals(): { id: string; writesAcked: number; writesFailed: number; latency: LatencyHistogram; reads: ReadStats }[] {
    return [...this.hosts.values()].map((h) => ({ id: h.host.id, writesAcked: h.writesAcked, writesFailed: h.writesFailed, latency: h.latency, reads: h.reads }));
  }
}

/** Share of the elapsed time the busier direction spent serialising. */
export function linkUtilization(l: LinkRt, nowUs: number): number {
  if (nowUs <= 0) return 0;
  return Math.min(1, Math.max(l.busyUs[0], l.busyUs[1]) / nowUs);
}

/** `data.subarray(offset, offset + length)`, or `data` itself when that is the whole of it (a view costs ~1 us to make). */
function part(data: Payload, offset: number, length: number): Payload {
  return offset === 0 && length === data.length ? data : data.subarray(offset, offset + length);
}

function fmtUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${Math.round(us)} us`;
}

function fmtBytes(b: number): string {
  if (b >= 1 << 30) return `${(b / (1 << 30)).toFixed(1)} GiB`;
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  return `${b} bytes`;
}

/** Slots listed per cache in one snapshot: up to 256 each, within a budget of 1,024 for the whole snapshot (at least 8 each), so that a topology with hundreds of caches streams at 30 Hz without megabyte snapshots. */
export const SNAPSHOT_SLOT_BUDGET = 1024;
export function snapshotSlotsPerCache(cacheCount: number): number {
  return Math.max(8, Math.min(256, Math.floor(SNAPSHOT_SLOT_BUDGET / Math.max(1, cacheCount))));
}
