// Workload pieces the engine's host reads and trace replay use: read counters, where a read stages from, and a trace's replay schedule.
import type { Lu, RealVolume, TraceRecord, Volume, WorkloadTrace } from '../../app/model/schema';
import { LatencyHistogram } from './sim';
import { doubleFields, withDoubleFields } from './data/double-fields';

/** A host's read counters over the run, and the rate at the previous snapshot. */
export class ReadStats {
  completed = 0;
  failed = 0;
  /** Reads served wholly from the cache, and reads that had to stage at least one track. */
  hits = 0;
  misses = 0;
  bytes = 0;
  readonly latency = new LatencyHistogram();
  /** Completed reads at the previous snapshot, for the rate. */
  lastSnap = withDoubleFields({ timeUs: 0, completed: 0 }, 'timeUs');
  iops = 0;

  constructor() {
    doubleFields(this, 'bytes', 'iops');
  }

  /** Reads per second since the previous rate update (at most every 100 ms, like the write rate). */
  rateAt(nowUs: number): number {
    const dt = nowUs - this.lastSnap.timeUs;
    if (dt >= 100_000) {
      this.iops = ((this.completed - this.lastSnap.completed) * 1e6) / dt;
      this.lastSnap = { timeUs: nowUs, completed: this.completed };
    }
    return this.iops;
  }
}

/** The real volume (internal or external) a byte of a volume or LU lives on, and the byte's offset in it. */
export interface RealTarget {
  real: RealVolume;
  offset: number;
}

/**
 * Walks the mapping stack down from a volume or LU (LU -> V by T2/T3, V -> lower by T1/T4, alias -> its virtual volume)
 * to the first real volume: the one whose disk (internal) or external system (over its cable) a read miss stages from.
 * Undefined when the address is past the end of a mapping or the stack is deeper than 32 levels.
 */
export function realVolumeBelow(volumes: ReadonlyMap<string, Volume>, lus: ReadonlyMap<string, Lu>, id: string, offset: number): RealTarget | undefined {
  let at = offset;
  let current = id;
  for (let depth = 0; depth <= 32; depth++) {
    const lu = lus.get(current);
    if (lu) {
      current = lu.volumeId;
      at += lu.startBytes;
      continue;
    }
    const v = volumes.get(current);
    if (!v) return undefined;
    if (v.kind === 'real') return at < v.sizeBytes ? { real: v, offset: at } : undefined;
    if (v.kind === 'virtualReal') {
      current = v.aliasOfId;
      continue;
    }
    let base = 0;
    const range = v.ranges.find((r) => {
      const inside = at >= base && at < base + r.lengthBytes;
      if (!inside) base += r.lengthBytes;
      return inside;
    });
    if (!range) return undefined;
    current = range.lowerId;
    at = range.startBytes + (at - base);
  }
  return undefined;
}

/** A trace ready to replay: records in time order (stable, so ties keep file order) and the loop period. */
export interface TraceSchedule {
  records: TraceRecord[];
  /** Time from one pass's start to the next when looping: the last record's time plus the mean gap (1 ms for one record). */
  periodUs: number;
  loop: boolean;
}

export function traceSchedule(trace: WorkloadTrace): TraceSchedule {
  const records = trace.records.map((r, i) => ({ r, i })).sort((a, b) => a.r.atUs - b.r.atUs || a.i - b.i).map((x) => x.r);
  const first = records[0]?.atUs ?? 0;
  const last = records[records.length - 1]?.atUs ?? 0;
  const meanGap = records.length > 1 ? (last - first) / (records.length - 1) : 1000;
  // A trace whose records all share one time still needs a positive period, or a loop would never advance the clock.
  return { records, periodUs: last + Math.max(meanGap, 1), loop: trace.loop };
}
