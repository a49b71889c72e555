// Time series for the live charts, one point per snapshot, bounded; cut back when the timeline is scrubbed to an earlier time.
import type { Snapshot } from '../../app/engine/api';

/** One chart's data: x (virtual seconds) and named y columns, laid out as uPlot wants them. */
export interface ChartData {
  /** Virtual time in seconds. */
  x: number[];
  /** Column name -> values (null where the element was absent in that snapshot). */
  columns: Record<string, (number | null)[]>;
}

export type ChartKey = 'latency' | 'throughput' | 'rpo' | 'links' | 'fill';

export type SeriesSet = Record<ChartKey, ChartData>;

export const SERIES_LIMIT = 1500;

export function emptySeries(): SeriesSet {
  const e = (): ChartData => ({ x: [], columns: {} });
  return { latency: e(), throughput: e(), rpo: e(), links: e(), fill: e() };
}

/** The values one snapshot contributes to each chart. */
export function pointsOf(s: Snapshot): Record<ChartKey, Record<string, number>> {
  const latency: Record<string, number> = {};
  const throughput: Record<string, number> = {};
  const rpo: Record<string, number> = {};
  const links: Record<string, number> = {};
  const fill: Record<string, number> = {};
  for (const h of s.hosts) {
    latency[`${h.id} p50`] = h.writeLatencyMs.p50;
    latency[`${h.id} p99`] = h.writeLatencyMs.p99;
    // Reads only chart once a host has done some, so write-only runs keep a clean legend.
    if (h.readLatencyMs && (h.readsCompleted ?? 0) > 0) {
      latency[`${h.id} read p50`] = h.readLatencyMs.p50;
      latency[`${h.id} read p99`] = h.readLatencyMs.p99;
    }
    throughput[`${h.id} MB/s`] = h.throughputMBps;
  }
  for (const p of s.pairs) {
    if (p.rpoMs !== undefined) rpo[p.id] = p.rpoMs;
    if (p.journalFill !== undefined) fill[`journal ${p.id}`] = p.journalFill * 100;
  }
  for (const l of s.links) links[l.id] = l.utilization * 100;
  for (const c of s.caches) fill[`cache ${c.id}`] = c.slotsTotal ? (c.slotsUsed / c.slotsTotal) * 100 : 0;
  return { latency, throughput, rpo, links, fill };
}

function appendPoint(d: ChartData, x: number, values: Record<string, number>, limit: number): ChartData {
  // Replace the last point when time did not advance (a paused engine answering a control call).
  const replace = d.x.length > 0 && d.x[d.x.length - 1] === x;
  const n = replace ? d.x.length - 1 : d.x.length;
  const xs = d.x.slice(0, n);
  xs.push(x);
  const columns: Record<string, (number | null)[]> = {};
  const names = new Set([...Object.keys(d.columns), ...Object.keys(values)]);
  for (const name of names) {
    const col = (d.columns[name] ?? new Array<number | null>(d.x.length).fill(null)).slice(0, n);
    col.push(values[name] ?? null);
    columns[name] = col;
  }
  if (xs.length > limit) {
    const drop = xs.length - limit;
    xs.splice(0, drop);
    for (const name of names) columns[name]!.splice(0, drop);
  }
  return { x: xs, columns };
}

/** Adds a snapshot; a snapshot earlier than the last point (after a seek back) first drops the points after it. */
export function appendSnapshot(set: SeriesSet, s: Snapshot, limit = SERIES_LIMIT): SeriesSet {
  const x = s.timeUs / 1e6;
  const pts = pointsOf(s);
  const out = {} as SeriesSet;
  for (const key of Object.keys(set) as ChartKey[]) out[key] = appendPoint(truncateAfter(set[key], x), x, pts[key], limit);
  return out;
}

/** Drops points later than x seconds. */
export function truncateAfter(d: ChartData, x: number): ChartData {
  let n = d.x.length;
  while (n > 0 && d.x[n - 1]! > x) n--;
  if (n === d.x.length) return d;
  const columns: Record<string, (number | null)[]> = {};
  for (const [name, col] of Object.entries(d.columns)) columns[name] = col.slice(0, n);
  return { x: d.x.slice(0, n), columns };
}
