// The engine's state in one place: the compiled topology (wiring, mapping stack, caches, pairs, journals, hosts), the clock and PRNG, step events, and the lookups every module shares.
import { pathGroupRoute } from './path-groups';
import type { StepEvent } from '../../app/engine/api';
import type { Host, Topology, Volume, Workload } from '../../app/model/schema';
import { hostCablesToLu, pairRoute } from '../../app/model/paths';
import { CacheRt, LinkRt, MappingStack, TopologyError, Wiring } from './runtime';
import type { Extent } from './mapping';
import { JournalRt, PairRt, pairsChanged, type PairRoute } from './pairs';
import { PairFacts } from './pair-facts';
import { LatencyHistogram, Prng, Scheduler } from './sim';
import { doubleFields, withDoubleFields } from './data/double-fields';
import type { Sha256 } from './data/sparse-volume';
import type { Payload } from './data/payload';
import { ReadStats } from './workload';

export interface EngineOptions {
  seed?: number;
  /** Emit step events for every workload write too (single hostWrite commands always emit them). */
  traceWorkloadWrites?: boolean;
  /**
   * Trace one workload write per host in every this many virtual microseconds (the first one issued after each interval),
   * so a normal run's event log shows real write flows and host I/O without tracing thousands of writes a second.
   * Their events carry no ioId (they are samples, not a write being walked step by step).
   */
  sampleWorkloadWritesEveryUs?: number;
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

// What a write's flow is made of (its I/O, its arrival at a port, the slots it holds, and the records flows are made of:
// answers, senders, stores, wanted updates) is declared in flow-records.ts.
export { FLOW_ENDED, newArrival, type AnswerTo, type Arrival, type Io, type PendingAnswer, type Sender, type SentTo, type SlotHold, type Source, type StoredTo, type Wanted } from './flow-records';
import type { AnswerTo, Arrival, Io, SlotHold } from './flow-records';
import type { HandDown } from './handdown';

export interface HostRt {
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


/** A single step (stepToNextStepEvent) runs at most this much virtual time ... */
export const STEP_LIMIT_US = 1_000_000;
/** ... and at most this many events (about a thousand writes), so that it answers in well under a second of CPU. */
export const STEP_LIMIT_EVENTS = 20_000;

/** Host queue depth beyond which new workload writes are not issued (counted as throttled). */
export const MAX_HOST_OUTSTANDING = 4096;
/** Retry interval of a destage whose path to the real volume is down. */
export const DESTAGE_RETRY_US = 1_000_000;
/** Gap between copy batches per pace below the fastest (copyPace 15 has none). */
export const COPY_GAP_US_PER_PACE = 2_000;

/** Everything a run holds; the modules (write, handdown, journal, copy, pair-states, commands, reads, workload-run, observe) act on it. */
export class EngineState {
  readonly sched = new Scheduler();
  readonly prng: Prng;
  readonly seed: number;
  readonly wiring: Wiring;
  readonly stack: MappingStack;
  readonly caches = new Map<string, CacheRt>();
  readonly cacheOfVolume = new Map<string, CacheRt>();
  readonly pairs = new Map<string, PairRt>();
  readonly pairList: PairRt[] = [];
  /** Delta-resync standby pairs (Pair.standby): they journal their primary's writes while in HOLD. */
  readonly standbyPairs: PairRt[] = [];
  readonly journals = new Map<string, JournalRt>();
  readonly hosts = new Map<string, HostRt>();
  readonly failedSystems = new Set<string>();
  readonly systemSite = new Map<string, string>();
  /** Volumes and LUs a volume's flow passes through on the way down (excluded from sibling fan-out). */
  readonly chains = new Map<string, Set<string>>();
  /** Per volume: whether a write to it can fan out to a sibling (see mayFanOut). */
  readonly fanOutPossible = new Map<string, boolean>();
  /** Per volume, the extents of other volumes of its system on its stores, outside its chain (see mayFanOut). */
  readonly fanOutSiblings = new Map<string, Extent[]>();
  /** Per virtualReal volume with a path (FIG. 1's R2): its loop LU and cable, found once (see handdown.ts loopRoute). */
  readonly loopRoutes = new Map<string, { lu: { id: string; portId: string; volumeId: string; startBytes: number } | undefined; link: LinkRt | undefined }>();
  readonly steps: StepEvent[] = [];
  /** Hand-downs on their way to a volume with pairs, by volume: a pair suspended meanwhile records them (see handDownStarted). */
  readonly handDowns = new Map<string, HandDown[]>();
  /** How many hand-downs the lists of `handDowns` hold now (most of the time none: the checks on them are skipped). */
  handDownsListed = 0;
  /**
   * Host writes waiting, by volume, for hand-downs of other volumes' writes on their way to it (see write.ts
   * waitForHandDowns), in arrival order; `resuming` once their resumption is booked.
   */
  readonly handDownWaits = new Map<string, { writes: { a: Arrival; ack: AnswerTo }[]; resuming: boolean }>();
  /** What is known about the pairs per volume, kept until any pair changes (see PairFacts). */
  readonly pairFacts: PairFacts = new PairFacts(this.pairList);
  /** Cables from a host to an LU's port, by host then LU (nested: no key string built per write). */
  readonly hostCables = new Map<string, Map<string, LinkRt[]>>();
  stepSeq = 0;
  readonly stepBufferSize: number;
  readonly onStep: ((e: StepEvent) => void) | undefined;
  readonly traceWorkloadWrites: boolean;
  readonly sampleEveryUs: number;
  /** Per host: virtual time of its last sampled (traced) workload write. */
  readonly lastSampleUs = new Map<string, number>();
  nextIoId = 1;
  /** Writes and hand-downs still moving through the model. */
  activeFlows = 0;
  /** While a woken writer's flow runs (wakeOne): the caches whose next waiter wakes after it, one entry per freed slot. */
  private waking = false;
  private readonly wakesDue: CacheRt[] = [];
  pendingDestages = 0;
  workloadsEnabled = true;
  workloadOverride: WorkloadOverride | undefined;
  /** Hosts stop issuing workload writes at this virtual time (headless runs). */
  workloadsStopUs = Infinity;

  constructor(
    readonly topology: Topology,
    options: EngineOptions = {},
  ) {
    this.sched.context = this;
    this.seed = options.seed ?? 1;
    this.prng = new Prng(this.seed);
    this.stepBufferSize = options.stepBufferSize ?? 20_000;
    this.onStep = options.onStep;
    this.traceWorkloadWrites = options.traceWorkloadWrites ?? false;
    this.sampleEveryUs = options.sampleWorkloadWritesEveryUs ?? 0;
    this.wiring = new Wiring(topology);
    for (const s of topology.systems) this.systemSite.set(s.id, s.siteId);
    const trackOf = (systemId: string): number => this.wiring.systems.get(systemId)?.trackBytes ?? 262144;
    this.stack = new MappingStack(topology, options.sha256);
    for (const c of topology.caches) {
      const cache = new CacheRt(c.id, c.systemId, c.sizeBytes, trackOf(c.systemId), c.volumeIds, c.writePendingThreshold);
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
      pairsChanged();
      if (p.standby && p.mode === 'async') this.standbyPairs.push(rt);
    }
    for (const h of topology.hosts) {
      // Rates, snapshot times and byte counts turn fractional or large: doubles from the start (see doubleFields).
      const rt: HostRt = {
        host: h,
        failed: false,
        latency: new LatencyHistogram(),
        writesAcked: 0,
        writesFailed: 0,
        bytesAcked: 0,
        outstanding: 0,
        lastSnap: withDoubleFields({ timeUs: 0, acked: 0, bytes: 0 }, 'timeUs', 'bytes'),
        rate: withDoubleFields({ iops: 0, mbps: 0 }, 'iops', 'mbps'),
        reads: new ReadStats(),
      };
      doubleFields(rt, 'bytesAcked');
      this.hosts.set(h.id, rt);
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
    while (!this.settled()) {
      if (this.sched.runNext(limitUs)) continue;
      // Nothing left to run but destages booked to complete later (they need no event): the clock moves to the last.
      let last = this.sched.nowUs;
      for (const c of this.caches.values()) last = Math.max(last, c.lastCleaningUs);
      if (last <= this.sched.nowUs || last > limitUs) return this.settled();
      this.sched.nowUs = last;
    }
    return true;
  }

  /** No pair copying or suspending, journals drained, no write or destage in flight. */
  settled(): boolean {
    if (this.activeFlows > 0 || this.pendingDestages > 0) return false;
    for (const c of this.caches.values()) if (c.lastCleaningUs > this.sched.nowUs) return false;
    for (const p of this.pairs.values()) if (p.rules.busy) return false;
    for (const j of this.journals.values()) if (!j.drained) return false;
    return true;
  }

  // ---------------------------------------------------------------- step events

  step(step: string, elementId: string, text: string, io?: Io, relatedIds?: string[]): void {
    if (io && !io.traced) return;
    const e: StepEvent = { seq: ++this.stepSeq, timeUs: this.nowUs, step, elementId, text };
    if (relatedIds) e.relatedIds = relatedIds;
    // A sampled workload write has a negative id: shown in the log, never mistaken for a write being walked.
    if (io && io.id > 0) e.ioId = io.id;
    else if (io && io.id < 0) e.sampleId = -io.id;
    // Immutable from here on: checkpoints share step events instead of copying them.
    Object.freeze(e);
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

  volume(id: string): Volume {
    const v = this.stack.volumes.get(id);
    if (!v) throw new TopologyError(id, 'no such volume');
    return v;
  }

  systemUp(systemId: string): boolean {
    return !this.failedSystems.has(systemId);
  }

  chainBelow(id: string, out = new Set<string>()): Set<string> {
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

  routeFor(p: PairRt): PairRoute | undefined {
    const prim = this.volume(p.primaryId);
    const sec = this.volume(p.secondaryId);
    // A path group: the first of its cables that is up (DOMAIN.md "Paths"), in either direction.
    if (p.cfg.paths) return pathGroupRoute(this, p);
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

  /** The paired pairs whose primary is the volume, in pair order. The list is shared: read it, never change it. */
  pairsWithPrimary(volumeId: string): readonly PairRt[] {
    return this.pairFacts.withPrimary(volumeId);
  }

  /** Whether some pair is in a state that records changes in its primary's bitmap (else a write marks no bitmap). */
  anyPairRecording(): boolean {
    return this.pairFacts.anyRecording();
  }

  /** Whether some pair is copying (COPY): only then may a write's tracks be ones a copy already sent. */
  anyPairCopying(): boolean {
    return this.pairFacts.anyCopying();
  }

  // ---------------------------------------------------------------- host writes

  cablesToLu(hostId: string, luId: string): LinkRt[] {
    let byLu = this.hostCables.get(hostId);
    if (!byLu) this.hostCables.set(hostId, (byLu = new Map()));
    let cables = byLu.get(luId);
    if (!cables) byLu.set(luId, (cables = hostCablesToLu(this.topology, hostId, luId).map((c) => this.wiring.links.get(c.id)!)));
    return cables;
  }

  release(holds: SlotHold[]): void {
    for (const h of holds) if (h.cache.markClean(h.volumeId, h.track, h.version, this.nowUs)) this.wakeOne(h.cache);
  }

  /**
   * A slot was freed: the first writer waiting for one takes its turn now, or, when this runs inside another woken
   * writer's flow, as soon as that flow returns. A woken writer that fails at once frees its slot again and wakes the
   * next: run nested, a system failing with hundreds of writers queued in one cache overflowed the call stack (the
   * sustained-load property run). Until its turn the slot stays promised (`CacheRt.wakesPending`): no writer arriving
   * meanwhile takes it, so writers to one track still land in the order they arrived.
   */
  wakeOne(cache: CacheRt): void {
    if (cache.waiters.length === 0 || !cache.headReady(this.nowUs)) return;
    if (this.waking) {
      cache.wakesPending++;
      this.wakesDue.push(cache);
      return;
    }
    this.waking = true;
    try {
      cache.dequeue()!.wake(this);
      for (let i = 0; i < this.wakesDue.length; i++) {
        const due = this.wakesDue[i]!;
        due.wakesPending--;
        if (due.headReady(this.nowUs)) due.dequeue()!.wake(this);
      }
    } finally {
      for (const due of this.wakesDue) due.wakesPending = 0;
      this.wakesDue.length = 0;
      this.waking = false;
    }
  }

  /** An initiator port of the system that sends for pairs of this volume (for step labels). */
  initiatorFor(volumeId: string, systemId: string): string | undefined {
    for (const p of this.pairsWithPrimary(volumeId)) if (p.route) return p.route.fromPortId;
    for (const port of this.wiring.ports.values()) if (port.ownerId === systemId && port.kind === 'initiator') return port.id;
    return undefined;
  }

}

/** `data.subarray(offset, offset + length)`, or `data` itself when that is the whole of it (a view costs ~1 us to make). */
export function part(data: Payload, offset: number, length: number): Payload {
  return offset === 0 && length === data.length ? data : data.subarray(offset, offset + length);
}

export function fmtUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${Math.round(us)} us`;
}

export function fmtBytes(b: number): string {
  if (b >= 1 << 30) return `${(b / (1 << 30)).toFixed(1)} GiB`;
  if (b >= 1 << 20) return `${(b / (1 << 20)).toFixed(1)} MiB`;
  return `${b} bytes`;
}

