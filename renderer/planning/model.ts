// View-model of the planning panel, free of React and the DOM: plan the document, read the sweep form, shape chart data and rows.
import type { Topology } from '../../app/model/schema';
import { planTopology, type Check, type Figure, type Plan, type PlanOptions } from '../../app/planning/plan';
import { parseSweepSpec, runSweep, SweepSpecError, SweepTargetError, type SweepParameter, type SweepResult, type SweepSeries, type SweepSpec } from '../../app/planning/sweep';
import { defaultReportSweeps } from '../../app/report/index';
import type { ReportCrossCheck } from '../../app/report/index';
import { withUnit } from '../../app/units';

export interface PlanningInputs {
  /** Outage the journals must ride through, seconds. */
  outageSeconds: number;
  /** Host write latency target, ms; null: the document's syncLatencyBoundMs. */
  targetLatencyMs: number | null;
}

export const DEFAULT_INPUTS: PlanningInputs = { outageSeconds: 60, targetLatencyMs: null };

export function planOptions(inputs: PlanningInputs): Omit<PlanOptions, 'routeOf'> {
  return inputs.targetLatencyMs === null ? { outageSeconds: inputs.outageSeconds } : { outageSeconds: inputs.outageSeconds, targetLatencyMs: inputs.targetLatencyMs };
}

/** The plan of the document, or why it cannot be planned (a half-built topology can throw from deep inside). */
export function planDocument(t: Topology, inputs: PlanningInputs): { ok: true; plan: Plan } | { ok: false; reason: string } {
  try {
    return { ok: true, plan: planTopology(t, planOptions(inputs)) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** One card of the panel: a workload or a hop, with its figures. */
export interface FigureCard {
  id: string;
  /** Element to select when the card is clicked. */
  elementId: string;
  title: string;
  subtitle: string;
  headline: string;
  figures: Figure[];
}

const n3 = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : '∞');

/** Workloads first (host write latency), then hops (sync response or async RPO). */
export function figureCards(plan: Plan): FigureCard[] {
  const cards: FigureCard[] = plan.workloads.map((w) => ({
    id: `w:${w.hostId}/${w.workloadId}`,
    elementId: w.hostId,
    title: `${w.hostId} / ${w.workloadId}`,
    subtitle: `${n3(w.writeIops)} writes/s to ${w.luId}`,
    headline: w.hostLatencyMs === null ? 'no storage reached' : `host write ${n3(w.hostLatencyMs)} ms`,
    figures: w.figures,
  }));
  for (const h of plan.hops)
    cards.push({
      id: `p:${h.pairId}`,
      elementId: h.pairId,
      title: `${h.pairId} (${h.mode})`,
      subtitle: `${h.fromSystemId} → ${h.toSystemId}${h.route ? ` over ${h.route.cableIds.join(' + ') || 'no cable (internal)'}` : ', no route'}`,
      headline:
        h.mode === 'sync'
          ? h.responseMs === null
            ? '—'
            : `+${n3(h.responseMs)} ms per write`
          : h.rpo === null
            ? '—'
            : h.rpo.bounded
              ? `RPO ${n3(h.rpo.rpoMs)} ms`
              : `RPO grows ${n3(h.rpo.growthMsPerSecond)} ms/s`,
      figures: h.figures,
    });
  return cards;
}

const ORDER: Check['severity'][] = ['error', 'warning', 'info'];
export function sortedChecks(plan: Plan): Check[] {
  return [...plan.checks].sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity));
}

/** The sweep form as the user fills it: text fields, so a half-typed number is not lost. */
export interface SweepForm {
  parameter: SweepParameter;
  /** '' for the default target. */
  targetId: string;
  from: string;
  to: string;
  points: string;
}

const UNIT_SUFFIX: Record<SweepParameter, string> = { distance: 'km', bandwidth: 'Mbps', iops: '', block: 'B', journal: 'B' };
export const PARAMETER_LABEL: Record<SweepParameter, string> = {
  distance: 'distance (km)',
  bandwidth: 'bandwidth (Mbit/s)',
  iops: 'write rate (IOPS)',
  block: 'block size (bytes)',
  journal: 'journal size (bytes)',
};

/** Reads the form through the same parser as the CLI's --sweep, so errors read the same. */
export function sweepSpecFromForm(form: SweepForm): { ok: true; spec: SweepSpec } | { ok: false; reason: string } {
  const unit = UNIT_SUFFIX[form.parameter];
  const text = `${form.parameter}${form.targetId ? `@${form.targetId}` : ''}=${form.from.trim()}..${form.to.trim()}${unit}:${form.points.trim()}`;
  try {
    return { ok: true, spec: parseSweepSpec(text) };
  } catch (e) {
    if (e instanceof SweepSpecError) return { ok: false, reason: e.reason };
    throw e;
  }
}

/** The form pre-filled with the report's first default sweep (host latency vs the sync hop's distance), or a plain distance sweep. */
export function defaultSweepForm(plan: Plan): SweepForm {
  const spec = defaultReportSweeps(plan)[0];
  if (!spec) return { parameter: 'distance', targetId: '', from: '0', to: '300', points: '16' };
  return { parameter: spec.parameter, targetId: spec.targetId ?? '', from: String(spec.from), to: String(spec.to), points: String(spec.points) };
}

/** Elements a parameter can be set on, for the target picker. */
export function sweepTargets(t: Topology, parameter: SweepParameter): { id: string; label: string }[] {
  switch (parameter) {
    case 'distance':
    case 'bandwidth':
      return [...t.pairs.map((p) => ({ id: p.id, label: `pair ${p.id} (${p.mode}) route` })), ...t.cables.filter((c) => c.kind !== 'internal-loop').map((c) => ({ id: c.id, label: `cable ${c.id}` }))];
    case 'iops':
    case 'block':
      return t.hosts.flatMap((h) => [{ id: h.id, label: `host ${h.id}` }, ...h.workloads.map((w) => ({ id: w.id, label: `workload ${w.id}` }))]);
    case 'journal':
      return t.pairs.filter((p) => p.mode === 'async').map((p) => ({ id: p.id, label: `pair ${p.id}` }));
  }
}

export function runSweepSafely(t: Topology, spec: SweepSpec, inputs: PlanningInputs): { ok: true; result: SweepResult } | { ok: false; reason: string } {
  try {
    return { ok: true, result: runSweep(t, spec, planOptions(inputs)) };
  } catch (e) {
    if (e instanceof SweepTargetError) return { ok: false, reason: e.message };
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Series the sweep moves, grouped by unit: one uPlot chart per group. */
export function chartGroups(result: SweepResult): { unit: string; series: SweepSeries[] }[] {
  const moves = (s: SweepSeries) => s.values.some((v) => v !== s.values[0]);
  const groups = new Map<string, SweepSeries[]>();
  for (const s of result.series.filter(moves)) groups.set(s.unit, [...(groups.get(s.unit) ?? []), s]);
  return [...groups].map(([unit, series]) => ({ unit, series }));
}

/** The cross-check rows as the panel shows them, formula beside engine. */
export function crossCheckRows(report: ReportCrossCheck): { key: string; quantity: string; elementId: string; formula: string; engine: string; p99: string; difference: string; agrees: boolean }[] {
  const ms = (v: number | null) => (v === null ? '—' : `${Number(v.toPrecision(4))} ms`);
  return report.rows.map((r) => ({
    key: `${r.quantity}:${r.elementId}`,
    quantity: r.quantity,
    elementId: r.elementId,
    formula: ms(r.formula),
    engine: ms(r.engine),
    p99: ms(r.engineP99),
    difference: ms(r.difference),
    agrees: r.agrees,
  }));
}

/** A figure's value for the panel: the same readable units as the printed report. */
export function figureText(f: Pick<Figure, 'value' | 'unit'>): string {
  return withUnit(f.value, f.unit);
}
