// The driver's checkpoints of a run: taken every few virtual seconds at a bounded share of the run's CPU, thinned to a fixed budget (older ones further apart), found by time or by executed-event count for a seek.
import type { RewindStatus, ScenarioProgress } from '../../app/engine/api';
import type { Engine, EngineCheckpoint } from './engine';
import { EngineInvariantError } from './sim';

/** Where the driver was in its recorded commands and the file's scenario when a checkpoint was taken. */
export interface DriverMarks {
  applied: number;
  scenarioApplied: number;
  scenarioLast: ScenarioProgress['last'];
}

export interface DriverCheckpoint {
  engine: EngineCheckpoint;
  driver: DriverMarks;
}

/**
 * Checkpoints kept at most; beyond it the one whose neighbours are closest goes, so the kept ones stay evenly spread
 * over the run (see thin: no gap wider than ~1.5x the even spacing, never 2x). Fewer when they are large: together
 * they stay within CHECKPOINT_MEMORY_BYTES (estimated), but never fewer than CHECKPOINT_MIN_KEPT.
 */
export const CHECKPOINT_BUDGET = 32;
export const CHECKPOINT_MIN_KEPT = 12;
export const CHECKPOINT_MEMORY_BYTES = 640 * 2 ** 20;
/**
 * Estimated bytes one checkpoint holds: the volumes' chunk tables (their own arrays: a flat table's codes and object
 * slots, a paged table's pages; the chunks themselves are shared), per stored chunk a share of the block digests, and
 * the rest (caches, records, step events). Measured with the flat tables: FIG. 1 at its 800 IOPS after 5 minutes,
 * ~649,000 chunks in three 1 GiB stores, 7.7 MB per checkpoint (heap and external, after GC, 10 checkpoints 10 s
 * apart) for an estimate of 8.0 MB (4.4 MB of it the tables).
 */
const BYTES_PER_CHUNK = 4;
const BYTES_FIXED = 1 << 20;

/** What one checkpoint of this engine holds, roughly. */
export function checkpointBytes(e: Engine): number {
  let chunks = 0;
  let tables = 0;
  for (const s of e.stack.stores.values()) {
    chunks += s.writtenTrackCount;
    tables += s.tableBytes;
  }
  return BYTES_FIXED + BYTES_PER_CHUNK * chunks + tables;
}
/** Virtual time between checkpoints, at least ... */
export const CHECKPOINT_MIN_INTERVAL_US = 2_000_000;
/** ... and this share of the run so far: a seek then replays at most ~3% of what the run took (plus one restore). */
export const CHECKPOINT_SPACING = 0.03;
/** A checkpoint costs at most this share of the CPU the run spent since the previous one (else it waits). */
export const CHECKPOINT_CPU_SHARE = 0.2;
/**
 * What the next checkpoint will cost is guessed as the cheapest of the last few: one take that a garbage collection
 * pause made 10x dearer must not hold the next ones back for minutes of the run (it left 60-90 s holes in a 10-minute
 * FIG. 1 run, and a seek into one replayed all of it).
 */
const COST_SAMPLES = 3;

export class CheckpointLog {
  /** In run order (executed events ascending); the first is the run's start. */
  private list: DriverCheckpoint[] = [];
  /** Wall time spent running since the previous checkpoint, and what the last few checkpoints cost (newest last). */
  private busyMs = 0;
  private costsMs: number[] = [];
  /** Why checkpoints stopped for this run, if they did. */
  private refused: string | undefined = undefined;
  /** How many to keep (CHECKPOINT_BUDGET, fewer for large ones). */
  private budget = CHECKPOINT_BUDGET;

  constructor(private readonly nowMs: () => number) {}

  clear(): void {
    this.list = [];
    this.refused = undefined;
    this.busyMs = 0;
    this.costsMs = [];
  }

  /** The driver ran the engine for this long (wall time). */
  noteBusy(ms: number): void {
    this.busyMs += ms;
  }

  /**
   * Whether to take one now: cheap enough against the run's own CPU, and far enough in virtual time from its
   * neighbours. At the front of the run, CHECKPOINT_SPACING of it after the newest. Inside the recorded run (replaying
   * after a seek back), only in a hole (a gap over twice the even spacing, which thinning never leaves: see thin), one
   * every even spacing: elsewhere a new one would only be thinned away again at the cost of a copy.
   */
  due(e: Engine): boolean {
    const at = this.indexAfter(e.sched.executed);
    const prev = this.list[at - 1];
    const next = this.list[at];
    if (!prev) return true;
    const costMs = this.costsMs.length ? Math.min(...this.costsMs) : 0;
    if (costMs > CHECKPOINT_CPU_SHARE * this.busyMs) return false;
    const sincePrevUs = e.nowUs - prev.engine.timeUs;
    if (!next) return sincePrevUs >= Math.max(CHECKPOINT_MIN_INTERVAL_US, CHECKPOINT_SPACING * e.nowUs);
    const spacingUs = Math.max(CHECKPOINT_MIN_INTERVAL_US, this.evenSpacingUs());
    return sincePrevUs >= spacingUs && next.engine.timeUs - e.nowUs >= spacingUs;
  }

  /** The gap between kept checkpoints if they were evenly spread over the span they cover. */
  private evenSpacingUs(): number {
    const first = this.list[0];
    const last = this.list[this.list.length - 1];
    return first && last ? (last.engine.timeUs - first.engine.timeUs) / Math.max(1, this.budget - 1) : 0;
  }

  take(e: Engine, driver: DriverMarks): void {
    if (this.refused !== undefined) return;
    const t0 = this.nowMs();
    this.budget = Math.max(CHECKPOINT_MIN_KEPT, Math.min(CHECKPOINT_BUDGET, Math.floor(CHECKPOINT_MEMORY_BYTES / checkpointBytes(e))));
    let cp: DriverCheckpoint;
    try {
      cp = { engine: e.checkpoint(), driver: { ...driver } };
    } catch (err) {
      // A state the copy cannot take (a bug: see checkpoint.ts): the run goes on; seeks use the checkpoints kept so far.
      if (!(err instanceof EngineInvariantError)) throw err;
      this.refused = err.message;
      return;
    }
    this.costsMs.push(this.nowMs() - t0);
    if (this.costsMs.length > COST_SAMPLES) this.costsMs.shift();
    this.busyMs = 0;
    const at = this.indexAfter(cp.engine.executed);
    // One at the same moment is replaced (the same state, or a branch's).
    if (this.list[at - 1]?.engine.executed === cp.engine.executed) this.list[at - 1] = cp;
    else this.list.splice(at, 0, cp);
    if (this.list.length > this.budget) this.thin();
  }

  /**
   * Drops the checkpoint whose neighbours are closest in time (never the start or the newest) until within budget.
   * The gap it leaves is the smallest of the n-2 merged pairs, whose sum is under twice the span: below 2x the even
   * spacing (span / (budget - 1)); in a long run with checkpoints every CHECKPOINT_SPACING it stays near 1.5x.
   */
  private thin(): void {
    while (this.list.length > this.budget) {
      let drop = 1;
      let narrowest = Infinity;
      for (let i = 1; i < this.list.length - 1; i++) {
        const gap = this.list[i + 1]!.engine.timeUs - this.list[i - 1]!.engine.timeUs;
        if (gap < narrowest) {
          narrowest = gap;
          drop = i;
        }
      }
      this.list.splice(drop, 1);
    }
  }

  /** A new command at this point: checkpoints of the dropped future go. */
  dropAfter(executed: number, applied: number): void {
    this.list = this.list.filter((c) => c.engine.executed < executed || (c.engine.executed === executed && c.driver.applied <= applied));
  }

  /** The latest checkpoint at or before `timeUs`. */
  atOrBefore(timeUs: number): DriverCheckpoint | undefined {
    let best: DriverCheckpoint | undefined;
    for (const c of this.list) if (c.engine.timeUs <= timeUs) best = c;
    return best;
  }

  /** The latest checkpoint taken after at most `executed` events and `applied` recorded commands. */
  atOrBeforePosition(executed: number, applied: number): DriverCheckpoint | undefined {
    let best: DriverCheckpoint | undefined;
    for (const c of this.list) if (c.engine.executed <= executed && c.driver.applied <= applied) best = c;
    return best;
  }

  /** For the snapshot: how far back a jump reaches and where the checkpoints are. */
  describe(): RewindStatus {
    const out: RewindStatus = { earliestUs: this.list[0]?.engine.timeUs ?? 0, checkpointsUs: this.list.map((c) => c.engine.timeUs) };
    if (this.refused !== undefined) out.stopped = this.refused;
    return out;
  }

  get size(): number {
    return this.list.length;
  }

  /** Index of the first checkpoint with more than `executed` events. */
  private indexAfter(executed: number): number {
    let i = 0;
    while (i < this.list.length && this.list[i]!.engine.executed <= executed) i++;
    return i;
  }
}
