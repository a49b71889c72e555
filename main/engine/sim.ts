// Discrete-event core of the engine: one virtual clock in microseconds, a stable priority queue of events and one seeded PRNG.
import { fillPayloadStream, GeneratedBytes } from './data/payload';
import { doubleFields } from './data/double-fields';

/** Raised when an engine invariant does not hold; carries where (element id) and why. */
export class EngineInvariantError extends Error {
  constructor(
    readonly elementId: string,
    readonly why: string,
  ) {
    super(`engine invariant broken at ${elementId}: ${why}`);
    this.name = 'EngineInvariantError';
  }
}

export function invariant(condition: boolean, elementId: string, why: string): asserts condition {
  if (!condition) throw new EngineInvariantError(elementId, why);
}

/** Events pending at once; beyond this the model is runaway (e.g. a workload far above what links can carry). */
export const MAX_PENDING_EVENTS = 2_000_000;

/** Handles one kind of event: the engine state the scheduler serves (`Scheduler.context`) and the event's record. */
export type EventHandler<C, R> = (context: C, rec: R) => void;

/** An event kind: its number (what the heap holds) and its name (for inspection). */
export interface EventKind<R> {
  readonly id: number;
  readonly name: string;
  /** Phantom: the record type this kind carries. */
  readonly _rec?: R;
}

const HANDLERS: EventHandler<unknown, unknown>[] = [];
const KIND_NAMES: string[] = [];

/**
 * Declares an event kind handled by one function (TigerBeetle style: events are records dispatched by kind, so the
 * pending work is data anyone can read, count and copy). Declared once at module load.
 */
export function defineEvent<C, R>(name: string, handler: EventHandler<C, R>): EventKind<R> {
  const id = HANDLERS.length;
  HANDLERS.push(handler as EventHandler<unknown, unknown>);
  KIND_NAMES.push(name);
  return { id, name };
}

/** The name of an event kind by number. */
export function eventKindName(id: number): string {
  return KIND_NAMES[id] ?? `kind ${id}`;
}

/** Kind 0: a closure (`at`/`after`), for tests and tools only: the engine schedules none, and a checkpoint refuses one. */
const CLOSURE = defineEvent<unknown, () => void>('closure', (_c, run) => run());

/**
 * Binary min-heap ordered by (time, insertion sequence): events at the same virtual time run in the
 * order they were scheduled, which keeps runs deterministic. Kept as parallel arrays (time, sequence, kind, record
 * slot) rather than one object per event. An event's record sits in `recs` at its slot (a table with a free list);
 * the handler of its kind gets it with `context` (the engine state).
 */
export class Scheduler {
  private times: number[] = [];
  private seqs: number[] = [];
  private kinds: number[] = [];
  private slots: number[] = [];
  /** Event records by slot, and the free slots. */
  private recs: unknown[] = [];
  private free: number[] = [];
  private size = 0;
  private nextSeq = 0;
  nowUs = 0;
  executed = 0;
  /** What handlers receive as their first argument (the engine state); set by its owner. */
  context: unknown = undefined;

  constructor() {
    doubleFields(this, 'nowUs', 'executed');
  }

  get pending(): number {
    return this.size;
  }

  /** Schedules `run` after `delayUs` (>= 0) of virtual time. */
  after(delayUs: number, run: () => void): void {
    this.post(this.nowUs + delayUs, CLOSURE, run);
  }

  at(timeUs: number, run: () => void): void {
    this.post(timeUs, CLOSURE, run);
  }

  /** Schedules an event of `kind` carrying `rec` at `timeUs`. */
  post<R>(timeUs: number, kind: EventKind<R>, rec: R): void {
    // Checked inline: building the message on every call would cost more than the heap push.
    if (!(timeUs >= this.nowUs && timeUs < Infinity)) throw new EngineInvariantError('scheduler', `event scheduled in the past or at a non-finite time (${timeUs} < ${this.nowUs})`);
    if (this.size >= MAX_PENDING_EVENTS) throw new EngineInvariantError('scheduler', `more than ${MAX_PENDING_EVENTS} events pending`);
    const k = kind.id;
    let slot = this.free.pop();
    if (slot === undefined) slot = this.recs.length;
    this.recs[slot] = rec;
    const seq = this.nextSeq++;
    const times = this.times;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const slots = this.slots;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p]!;
      if (pt < timeUs || (pt === timeUs && seqs[p]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p]!;
      kinds[i] = kinds[p]!;
      slots[i] = slots[p]!;
      i = p;
    }
    times[i] = timeUs;
    seqs[i] = seq;
    kinds[i] = k;
    slots[i] = slot;
  }

  /** Time of the next event, or undefined when idle. */
  peekTimeUs(): number | undefined {
    return this.size > 0 ? this.times[0] : undefined;
  }

  /** Pending events in heap order (not time order): kind name, time and record, for inspection and tests. */
  pendingEvents(): { kind: string; timeUs: number; rec: unknown }[] {
    const out: { kind: string; timeUs: number; rec: unknown }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ kind: eventKindName(this.kinds[i]!), timeUs: this.times[i]!, rec: this.recs[this.slots[i]!] });
    return out;
  }

  /** Runs the next event if it is due at or before `limitUs`; returns false when there is none. */
  runNext(limitUs: number): boolean {
    if (this.size === 0) return false;
    const times = this.times;
    const seqs = this.seqs;
    const kinds = this.kinds;
    const slots = this.slots;
    const topTime = times[0]!;
    if (topTime > limitUs) return false;
    const topKind = kinds[0]!;
    const topSlot = slots[0]!;
    const n = --this.size;
    if (n > 0) {
      // Sift the last entry down from the root.
      const lt = times[n]!;
      const ls = seqs[n]!;
      const lk = kinds[n]!;
      const lslot = slots[n]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (times[r]! < times[l]! || (times[r] === times[l] && seqs[r]! < seqs[l]!))) c = r;
        const ct = times[c]!;
        if (!(ct < lt || (ct === lt && seqs[c]! < ls))) break;
        times[i] = ct;
        seqs[i] = seqs[c]!;
        kinds[i] = kinds[c]!;
        slots[i] = slots[c]!;
        i = c;
      }
      times[i] = lt;
      seqs[i] = ls;
      kinds[i] = lk;
      slots[i] = lslot;
    }
    // Free the record's slot first (the handler may schedule into it), and drop the reference so it can be collected.
    const rec = this.recs[topSlot];
    this.recs[topSlot] = undefined;
    this.free.push(topSlot);
    this.nowUs = topTime;
    this.executed++;
    HANDLERS[topKind]!(this.context, rec);
    return true;
  }
}


/** xoshiro128** seeded through splitmix32: small, fast and good enough for workloads and payload bytes. */
export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      // As a signed 32-bit integer: the state is only ever used bitwise (the same bits give the same draws), and an
      // unsigned one over 2^31 is no small integer, so every new engine's first draw threw the optimised code away.
      return (z ^ (z >>> 16)) | 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n) for n up to 2^53. */
  nextInt(n: number): number {
    if (n <= 4294967296) return Math.floor(this.nextFloat() * n);
    return Math.floor((this.nextU32() * 4294967296 + this.nextU32()) / 18446744073709551616 * n);
  }

  /** Exponentially distributed with the given mean (Poisson arrivals). */
  nextExp(mean: number): number {
    return -Math.log(1 - this.nextFloat()) * mean;
  }

  /**
   * Fills `out` with pseudo-random payload bytes: one draw from the main generator seeds a local xorshift32
   * stream, so a 4 KiB block costs one generator step plus a tight loop (payload needs no statistical quality).
   */
  fill(out: Uint8Array): void {
    fillPayloadStream(out, this.nextU32() | 1);
  }

  /** The payload `fill` would give for `length` bytes, as its recipe (same draw from this generator, same bytes when read). */
  payload(length: number): GeneratedBytes {
    return new GeneratedBytes(this.nextU32() | 1, length);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fixed-bucket log-linear latency histogram in microseconds: bounded memory, ~3% precision. */
export class LatencyHistogram {
  // 64 sub-buckets per power of two from 1 us to 2^40 us.
  private static readonly SUB = 64;
  private counts = new Float64Array(41 * LatencyHistogram.SUB);
  count = 0;
  sumUs = 0;
  maxUs = 0;

  record(us: number): void {
    const v = Math.max(1, us);
    const exp = Math.min(40, Math.floor(Math.log2(v)));
    const base = 2 ** exp;
    const sub = Math.min(LatencyHistogram.SUB - 1, Math.floor(((v - base) / base) * LatencyHistogram.SUB));
    this.counts[exp * LatencyHistogram.SUB + sub]!++;
    this.count++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Upper edge of the bucket holding quantile q (0..1), in microseconds; 0 when empty. */
  quantileUs(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        const exp = Math.floor(i / LatencyHistogram.SUB);
        const sub = i % LatencyHistogram.SUB;
        const base = 2 ** exp;
        return Math.min(this.maxUs, base + ((sub + 1) * base) / LatencyHistogram.SUB);
      }
    }
    return this.maxUs;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sumUs = 0;
    this.maxUs = 0;
  }
}
