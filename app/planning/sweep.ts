// Parameter sweeps for charts: parse `distance=10..500km:20`, vary one parameter of a topology and re-plan at each point.
import type { Topology } from '../model/schema';
import { planTopology, type Plan, type PlanOptions } from './plan';

export type SweepParameter = 'distance' | 'bandwidth' | 'iops' | 'block' | 'journal';

/** Units per parameter, as a factor to the base unit (km, Mbit/s, writes/s, bytes, bytes). The first one is the base. */
const UNITS: Record<SweepParameter, Record<string, number>> = {
  distance: { km: 1, m: 1e-3, mi: 1.609344 },
  bandwidth: { Mbps: 1, Kbps: 1e-3, Gbps: 1e3, 'Mbit/s': 1, 'Gbit/s': 1e3 },
  iops: { '': 1, k: 1e3 },
  block: { B: 1, KiB: 1024, MiB: 1024 ** 2, KB: 1e3, MB: 1e6, K: 1024 },
  journal: { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, MB: 1e6, GB: 1e9, TB: 1e12 },
};
export { UNITS as SWEEP_UNITS, BASE_UNIT as SWEEP_BASE_UNIT };
const BASE_UNIT: Record<SweepParameter, string> = { distance: 'km', bandwidth: 'Mbit/s', iops: 'writes/s', block: 'B', journal: 'B' };
const PARAMETERS = Object.keys(UNITS) as SweepParameter[];
export const DEFAULT_SWEEP_POINTS = 20;
export const MAX_SWEEP_POINTS = 1000;

export interface SweepSpec {
  parameter: SweepParameter;
  /** Element the parameter is set on (a cable or pair id); absent: the default target (see applySweepValue). */
  targetId?: string;
  /** In the parameter's base unit. */
  from: number;
  to: number;
  points: number;
}

export type SweepSpecErrorCode =
  | 'empty'
  | 'unknown-parameter'
  | 'missing-equals'
  | 'bad-number'
  | 'missing-range'
  | 'unknown-unit'
  | 'bad-range'
  | 'bad-points'
  | 'bad-target';

/** A sweep spec that cannot be read: where in the text (0-based column) and why. */
export class SweepSpecError extends Error {
  override readonly name = 'SweepSpecError';
  constructor(
    readonly code: SweepSpecErrorCode,
    readonly spec: string,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`sweep "${spec}" at column ${column + 1}: ${reason}`);
  }
}

// No trailing '.' after digits, so that '10..500' reads as 10 then '..'.
const NUMBER = /^[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/;

/**
 * Parses `parameter[@targetId]=from[unit]..to[unit][:points]`, e.g. `distance=10..500km`, `bandwidth@C-async=100..10000Mbps:30`,
 * `iops=1000..50000`, `journal=1..64GiB`. A unit given on one end applies to both; no unit means the base unit.
 */
export function parseSweepSpec(spec: string): SweepSpec {
  const fail = (code: SweepSpecErrorCode, column: number, reason: string): never => {
    throw new SweepSpecError(code, spec, column, reason);
  };
  if (spec.trim() === '') fail('empty', 0, 'empty sweep; write e.g. distance=10..500km');
  const eq = spec.indexOf('=');
  const head = eq < 0 ? spec : spec.slice(0, eq);
  const at = head.indexOf('@');
  const name = (at < 0 ? head : head.slice(0, at)).trim();
  if (!(PARAMETERS as string[]).includes(name))
    fail('unknown-parameter', 0, `unknown parameter "${name}"; one of ${PARAMETERS.join(', ')}`);
  const parameter = name as SweepParameter;
  let targetId: string | undefined;
  if (at >= 0) {
    targetId = head.slice(at + 1).trim();
    if (!/^[A-Za-z0-9_.-]+$/.test(targetId)) fail('bad-target', at + 1, `"${targetId}" is not an element id`);
  }
  if (eq < 0) fail('missing-equals', spec.length, `expected "=" after "${head}", e.g. ${parameter}=1..10`);

  let pos = eq + 1;
  const readBound = (): { value: number; unit: string | null; column: number } => {
    const column = pos;
    const m = NUMBER.exec(spec.slice(pos));
    if (!m) return fail('bad-number', column, `expected a number, found "${spec.slice(pos, pos + 8) || 'the end'}"`);
    pos += m[0].length;
    const unitMatch = /^[A-Za-z/]*/.exec(spec.slice(pos));
    const unitText = unitMatch ? unitMatch[0] : '';
    const unitColumn = pos;
    pos += unitText.length;
    if (unitText !== '' && !(unitText in UNITS[parameter]))
      fail('unknown-unit', unitColumn, `unknown unit "${unitText}" for ${parameter}; one of ${Object.keys(UNITS[parameter]).filter(Boolean).join(', ')}`);
    return { value: Number(m[0]), unit: unitText === '' ? null : unitText, column };
  };
  const lo = readBound();
  if (!spec.startsWith('..', pos)) fail('missing-range', pos, `expected ".." between the two ends, e.g. ${parameter}=1..10`);
  pos += 2;
  const hi = readBound();
  let points = DEFAULT_SWEEP_POINTS;
  if (pos < spec.length) {
    if (spec[pos] !== ':') fail('bad-number', pos, `unexpected "${spec.slice(pos)}"; points go after ":", e.g. :20`);
    const text = spec.slice(pos + 1);
    if (!/^\d+$/.test(text)) fail('bad-points', pos + 1, `points must be a whole number, found "${text}"`);
    points = Number(text);
    if (points < 2 || points > MAX_SWEEP_POINTS) fail('bad-points', pos + 1, `points must be 2 to ${MAX_SWEEP_POINTS}, found ${points}`);
  }
  const unit = hi.unit ?? lo.unit;
  const factor = unit === null ? 1 : (UNITS[parameter][unit] ?? 1);
  const fromFactor = lo.unit === null ? factor : (UNITS[parameter][lo.unit] ?? 1);
  const from = lo.value * fromFactor;
  const to = hi.value * factor;
  if (!Number.isFinite(from) || !Number.isFinite(to)) fail('bad-number', lo.column, 'the range ends must be finite');
  const positive = parameter !== 'distance';
  if (positive ? from <= 0 : from < 0) fail('bad-range', lo.column, `${parameter} must be ${positive ? 'above 0' : '0 or more'}`);
  if (to <= from) fail('bad-range', hi.column, `the range must increase: ${lo.value}${lo.unit ?? ''}..${hi.value}${hi.unit ?? ''}`);
  return targetId === undefined ? { parameter, from, to, points } : { parameter, targetId, from, to, points };
}

/** Evenly spaced values from `from` to `to` inclusive. */
export function sweepValues(spec: Pick<SweepSpec, 'from' | 'to' | 'points'>): number[] {
  return Array.from({ length: spec.points }, (_, i) => spec.from + ((spec.to - spec.from) * i) / (spec.points - 1));
}

/** Raised when a sweep cannot be applied to this topology (no such target, nothing to vary). */
export class SweepTargetError extends Error {
  override readonly name = 'SweepTargetError';
  constructor(
    readonly parameter: SweepParameter,
    readonly targetId: string | undefined,
    readonly reason: string,
  ) {
    super(`sweep ${parameter}${targetId ? `@${targetId}` : ''}: ${reason}`);
  }
}

/** Cables a distance or bandwidth sweep changes: the target cable, the target pair's route, or by default the first sync pair's route (distance) or the first async pair's (bandwidth). */
function sweptCableIds(t: Topology, spec: SweepSpec, basePlan: Plan): string[] {
  if (spec.targetId !== undefined) {
    if (t.cables.some((c) => c.id === spec.targetId)) return [spec.targetId];
    const hop = basePlan.hops.find((h) => h.pairId === spec.targetId);
    if (hop?.route && hop.route.cableIds.length) return hop.route.cableIds;
    throw new SweepTargetError(spec.parameter, spec.targetId, 'not a cable, nor a pair with a cabled route');
  }
  const preferred = spec.parameter === 'distance' ? 'sync' : 'async';
  const routed = basePlan.hops.filter((h) => h.route && h.route.cableIds.length);
  const hop = routed.find((h) => h.mode === preferred) ?? routed[0];
  if (!hop?.route) throw new SweepTargetError(spec.parameter, undefined, 'no pair with a cabled route to vary');
  return hop.route.cableIds;
}

/**
 * The topology with the swept parameter set to `value` (base unit):
 * - distance: the swept cables' total length becomes `value`, each keeping its share (split evenly if all were 0);
 * - bandwidth: every swept cable gets `value` Mbit/s;
 * - iops: workloads (the target host's or workload's, else all) scaled so their total IOPS is `value`;
 * - block: those workloads' block size becomes `value` bytes (rounded to a whole byte);
 * - journal: the target async pair's journal, else every async pair's, becomes `value` bytes.
 */
export function applySweepValue(t: Topology, spec: SweepSpec, value: number, basePlan: Plan = planTopology(t)): Topology {
  switch (spec.parameter) {
    case 'distance':
    case 'bandwidth': {
      const ids = new Set(sweptCableIds(t, spec, basePlan));
      const swept = t.cables.filter((c) => ids.has(c.id));
      const total = swept.reduce((s, c) => s + c.distanceKm, 0);
      return {
        ...t,
        cables: t.cables.map((c) => {
          if (!ids.has(c.id)) return c;
          if (spec.parameter === 'bandwidth') return { ...c, bandwidthMbps: value };
          return { ...c, distanceKm: total > 0 ? (value * c.distanceKm) / total : value / swept.length };
        }),
      };
    }
    case 'iops':
    case 'block': {
      const hit = (hostId: string, workloadId: string) => spec.targetId === undefined || spec.targetId === hostId || spec.targetId === workloadId;
      const chosen = t.hosts.flatMap((h) => h.workloads.filter((w) => hit(h.id, w.id)));
      if (chosen.length === 0) throw new SweepTargetError(spec.parameter, spec.targetId, 'no workload to vary');
      const totalIops = chosen.reduce((s, w) => s + w.iops, 0);
      return {
        ...t,
        hosts: t.hosts.map((h) => ({
          ...h,
          workloads: h.workloads.map((w) => {
            if (!hit(h.id, w.id)) return w;
            if (spec.parameter === 'block') return { ...w, blockBytes: Math.max(1, Math.round(value)) };
            return { ...w, iops: totalIops > 0 ? (value * w.iops) / totalIops : value / chosen.length };
          }),
        })),
      };
    }
    case 'journal': {
      const hit = (id: string, mode: string) => (spec.targetId === undefined ? mode === 'async' : id === spec.targetId);
      if (!t.pairs.some((p) => hit(p.id, p.mode))) throw new SweepTargetError('journal', spec.targetId, 'no asynchronous pair to vary');
      return { ...t, pairs: t.pairs.map((p) => (hit(p.id, p.mode) ? { ...p, journalBytes: Math.max(1, Math.round(value)) } : p)) };
    }
  }
}

export interface SweepSeries {
  /** e.g. 'hostLatencyMs:H1/W1', 'rpoMs:P2'. */
  key: string;
  label: string;
  unit: string;
  /** One value per x; null where the quantity is unbounded (an RPO that grows) or does not apply. */
  values: (number | null)[];
}

export interface SweepResult {
  spec: SweepSpec;
  xLabel: string;
  xUnit: string;
  x: number[];
  series: SweepSeries[];
  /** Check codes that fire at each point, to shade the chart where advice applies. */
  checkCodes: string[][];
}

/** Re-plans the topology at each point of the sweep and collects the series a chart needs. */
export function runSweep(t: Topology, spec: SweepSpec, opts: PlanOptions = {}): SweepResult {
  const basePlan = planTopology(t, opts);
  const x = sweepValues(spec);
  const seriesByKey = new Map<string, SweepSeries>();
  const put = (key: string, label: string, unit: string, i: number, value: number | null) => {
    let s = seriesByKey.get(key);
    if (!s) {
      s = { key, label, unit, values: x.map(() => null) };
      seriesByKey.set(key, s);
    }
    s.values[i] = value !== null && Number.isFinite(value) ? value : null;
  };
  const checkCodes: string[][] = [];
  x.forEach((value, i) => {
    const plan = planTopology(applySweepValue(t, spec, value, basePlan), opts);
    checkCodes.push([...new Set(plan.checks.map((c) => c.code))]);
    for (const w of plan.workloads) put(`hostLatencyMs:${w.hostId}/${w.workloadId}`, `host write latency ${w.hostId}/${w.workloadId}`, 'ms', i, w.hostLatencyMs);
    for (const h of plan.hops) {
      if (h.utilisation !== null) put(`utilisation:${h.pairId}`, `link utilisation ${h.pairId}`, '', i, h.utilisation);
      if (h.mode === 'async') {
        put(`rpoMs:${h.pairId}`, `expected RPO ${h.pairId}`, 'ms', i, h.rpo?.bounded ? h.rpo.rpoMs : null);
        const ride = h.figures.find((f) => f.key === 'journalRideThroughS');
        if (ride) put(`journalRideThroughS:${h.pairId}`, `journal lasts ${h.pairId}`, 's', i, ride.value);
      } else put(`responseMs:${h.pairId}`, `sync hop response ${h.pairId}`, 'ms', i, h.responseMs);
      const resync = h.figures.find((f) => f.key === 'resyncS');
      if (resync) put(`resyncS:${h.pairId}`, `resync after outage ${h.pairId}`, 's', i, resync.value);
    }
  });
  return { spec, xLabel: spec.parameter + (spec.targetId ? `@${spec.targetId}` : ''), xUnit: BASE_UNIT[spec.parameter], x, series: [...seriesByKey.values()], checkCodes };
}
