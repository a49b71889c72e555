// The planning tab: per-hop figures with explanations, checks with advice (click selects), engine cross-check, what-if sweep charts, report export.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { Topology } from '../../app/model/schema';
import type { SweepParameter } from '../../app/planning/sweep';
import type { ReportCrossCheck } from '../../app/report/index';
import { documentStore, useDoc } from '../store/document';
import { api } from '../services';
import { SweepChart } from './SweepChart';
import { downloadReport, printOrSavePdf } from './export-report';
import {
  DEFAULT_INPUTS,
  PARAMETER_LABEL,
  chartGroups,
  crossCheckRows,
  defaultSweepForm,
  figureCards,
  figureText,
  planDocument,
  runSweepSafely,
  sortedChecks,
  sweepSpecFromForm,
  sweepTargets,
  type PlanningInputs,
  type SweepForm,
} from './model';
import './planning.css';

/** Workloads live inside hosts: selecting a workload's finding selects its host on the canvas. */
function canvasIdOf(t: Topology, id: string): string {
  return t.hosts.find((h) => h.workloads.some((w) => w.id === id))?.id ?? id;
}

type CrossCheckState = { status: 'idle' } | { status: 'running' } | { status: 'done'; doc: Topology; report: ReportCrossCheck } | { status: 'failed'; reason: string };

export const PlanningPanel = memo(function PlanningPanel() {
  const doc = useDoc((s) => s.doc);
  const [inputs, setInputs] = useState<PlanningInputs>(DEFAULT_INPUTS);
  const [outageText, setOutageText] = useState(String(DEFAULT_INPUTS.outageSeconds));
  const [targetText, setTargetText] = useState('');
  const planned = useMemo(() => planDocument(doc, inputs), [doc, inputs]);
  const [form, setForm] = useState<SweepForm | null>(null);
  const [crossCheck, setCrossCheck] = useState<CrossCheckState>({ status: 'idle' });
  // Charts take the sweep column's width, followed as the window resizes.
  const sweepColumn = useRef<HTMLElement>(null);
  const [chartWidth, setChartWidth] = useState(360);
  useEffect(() => {
    const el = sweepColumn.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setChartWidth(Math.max(240, Math.floor(el.clientWidth - 28))));
    observer.observe(el);
    return () => observer.disconnect();
  }, [planned.ok]);

  // The sweep form starts from the report's default sweep for this document.
  useEffect(() => {
    if (form === null && planned.ok) setForm(defaultSweepForm(planned.plan));
  }, [form, planned]);
  const sweepSpec = useMemo(() => (form ? sweepSpecFromForm(form) : null), [form]);
  const sweep = useMemo(() => (sweepSpec?.ok ? runSweepSafely(doc, sweepSpec.spec, inputs) : null), [doc, sweepSpec, inputs]);

  if (!planned.ok) return <div className="empty-state">Cannot plan this topology yet: {planned.reason}</div>;
  const plan = planned.plan;
  const cards = figureCards(plan);
  const checks = sortedChecks(plan);
  const stale = crossCheck.status === 'done' && crossCheck.doc !== doc;

  const applyOutage = (text: string) => {
    setOutageText(text);
    const v = Number(text);
    if (Number.isFinite(v) && v > 0) setInputs((i) => ({ ...i, outageSeconds: v }));
  };
  const applyTarget = (text: string) => {
    setTargetText(text);
    const v = Number(text);
    if (text.trim() === '') setInputs((i) => ({ ...i, targetLatencyMs: null }));
    else if (Number.isFinite(v) && v > 0) setInputs((i) => ({ ...i, targetLatencyMs: v }));
  };
  const runCrossCheck = async () => {
    const a = await api();
    if (!a) {
      setCrossCheck({ status: 'failed', reason: 'no connection to RelayLab main: the cross-check runs the engine there' });
      return;
    }
    setCrossCheck({ status: 'running' });
    try {
      const report = await a.call('plan.crosscheck', {
        topology: doc,
        outageSeconds: inputs.outageSeconds,
        ...(inputs.targetLatencyMs !== null ? { targetLatencyMs: inputs.targetLatencyMs } : {}),
        durationMs: 1000,
      });
      setCrossCheck({ status: 'done', doc, report });
    } catch (e) {
      setCrossCheck({ status: 'failed', reason: e instanceof Error ? e.message : String(e) });
    }
  };
  const reportInputs = () => ({
    doc,
    plan,
    inputs,
    sweep: sweep?.ok ? sweep.result : null,
    crossCheck: crossCheck.status === 'done' && !stale ? crossCheck.report : null,
  });

  return (
    <div className="planning-panel" data-testid="planning-panel">
      <div className="planning-bar">
        <label>
          Outage to ride through{' '}
          <input className="field-input planning-num" data-testid="planning-outage" value={outageText} onChange={(e) => applyOutage(e.target.value)} inputMode="decimal" /> s
        </label>
        <label>
          Latency target{' '}
          <input className="field-input planning-num" data-testid="planning-target" value={targetText} placeholder={String(doc.syncLatencyBoundMs)} onChange={(e) => applyTarget(e.target.value)} inputMode="decimal" /> ms
        </label>
        <span className="planning-spacer" />
        <button type="button" className="tool-button bordered" data-testid="planning-crosscheck" disabled={crossCheck.status === 'running'} onClick={() => void runCrossCheck()}>
          {crossCheck.status === 'running' ? 'Running the engine…' : 'Cross-check with engine'}
        </button>
        <button type="button" className="tool-button bordered" data-testid="planning-print" onClick={() => void printOrSavePdf(reportInputs())} title="Opens the print dialog; choose Save as PDF">
          Print / PDF
        </button>
        <button type="button" className="tool-button primary-button" data-testid="planning-export" onClick={() => downloadReport(reportInputs())} title="Download the DR plan report as one self-contained HTML file">
          Export report
        </button>
      </div>
      <div className="planning-body">
        <section className="planning-col planning-figures" aria-label="Figures">
          {cards.map((c) => (
            <article key={c.id} className="planning-card" data-testid="planning-card">
              <header onClick={() => documentStore.getState().focusOn(c.elementId)} title="Select on the canvas">
                <b>{c.title}</b> <span className="planning-headline">{c.headline}</span>
                <div className="muted small">{c.subtitle}</div>
              </header>
              <table className="planning-figures-table">
                <tbody>
                  {c.figures.map((f) => (
                    <tr key={f.key}>
                      <th>{f.label}</th>
                      <td className="planning-value">{figureText(f)}</td>
                      <td className="planning-why">{f.explanation}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </article>
          ))}
        </section>
        <section className="planning-col planning-side" aria-label="Checks and cross-check">
          <h4>Checks {checks.length ? <span className="muted">({checks.length})</span> : null}</h4>
          {checks.length === 0 ? <p className="muted">No check fired: the plan meets its targets.</p> : null}
          <ul className="planning-checks">
            {checks.map((c, i) => (
              <li key={i} className={`planning-check ${c.severity}`} data-testid="planning-check" onClick={() => documentStore.getState().focusOn(canvasIdOf(doc, c.elementId))} title="Select on the canvas">
                <div>
                  <span className="planning-sev">{c.severity}</span> <code>{c.code}</code> <span className="muted">{c.elementId}</span>
                  {c.figure.value !== null ? <b className="planning-check-figure"> {figureText(c.figure)}</b> : null}
                </div>
                <div>{c.message}</div>
                <div className="planning-advice">→ {c.advice}</div>
              </li>
            ))}
          </ul>
          <h4>Formula vs engine</h4>
          {crossCheck.status === 'idle' ? <p className="muted">Runs the same topology in the engine for 1 virtual second (pairs already in sync) and compares host write latency and async lag with the formulas.</p> : null}
          {crossCheck.status === 'running' ? <p className="muted">Running…</p> : null}
          {crossCheck.status === 'failed' ? <p className="field-error">{crossCheck.reason}</p> : null}
          {crossCheck.status === 'done' ? (
            <>
              {stale ? <p className="muted">The document changed since: run it again.</p> : null}
              <table className="grid planning-crosscheck" data-testid="planning-crosscheck-table">
                <thead>
                  <tr>
                    <th>quantity</th>
                    <th>formula</th>
                    <th>engine</th>
                    <th>agrees</th>
                  </tr>
                </thead>
                <tbody>
                  {crossCheckRows(crossCheck.report).map((r) => (
                    <tr key={r.key} className={r.agrees ? '' : 'planning-disagree'}>
                      <td>
                        {r.quantity} <span className="muted">{r.elementId}</span>
                      </td>
                      <td>{r.formula}</td>
                      <td title={`p99 ${r.p99}, difference ${r.difference}`}>{r.engine}</td>
                      <td>{r.agrees ? '✓ yes' : '✗ NO'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted small">
                Agree within max({crossCheck.report.tolerance.relative * 100}%, {crossCheck.report.tolerance.absoluteMs * 1000} µs): {crossCheck.report.tolerance.why}.
              </p>
            </>
          ) : null}
        </section>
        <section className="planning-col planning-sweep" aria-label="What-if sweep" ref={sweepColumn}>
          <h4>What if…</h4>
          {form ? <SweepFormView doc={doc} form={form} onChange={setForm} /> : null}
          {sweepSpec && !sweepSpec.ok ? <p className="field-error">{sweepSpec.reason}</p> : null}
          {sweep && !sweep.ok ? <p className="field-error">{sweep.reason}</p> : null}
          {sweep?.ok
            ? chartGroups(sweep.result).map((g) => <SweepChart key={`${g.unit}:${g.series.map((s) => s.key).join('|')}`} result={sweep.result} unit={g.unit} series={g.series} width={chartWidth} />)
            : null}
          {sweep?.ok && chartGroups(sweep.result).length === 0 ? <p className="muted">Nothing changes over this range.</p> : null}
        </section>
      </div>
    </div>
  );
});

function SweepFormView({ doc, form, onChange }: { doc: Topology; form: SweepForm; onChange: (f: SweepForm) => void }) {
  const targets = sweepTargets(doc, form.parameter);
  return (
    <div className="planning-sweep-form">
      <select className="field-input" data-testid="sweep-parameter" value={form.parameter} onChange={(e) => onChange({ ...form, parameter: e.target.value as SweepParameter, targetId: '' })}>
        {(Object.keys(PARAMETER_LABEL) as SweepParameter[]).map((p) => (
          <option key={p} value={p}>
            {PARAMETER_LABEL[p]}
          </option>
        ))}
      </select>
      <select className="field-input" data-testid="sweep-target" value={form.targetId} onChange={(e) => onChange({ ...form, targetId: e.target.value })}>
        <option value="">default target</option>
        {targets.map((t) => (
          <option key={t.id} value={t.id}>
            {t.label}
          </option>
        ))}
      </select>
      <span className="planning-range">
        <input className="field-input planning-num" data-testid="sweep-from" value={form.from} onChange={(e) => onChange({ ...form, from: e.target.value })} aria-label="from" />
        to
        <input className="field-input planning-num" data-testid="sweep-to" value={form.to} onChange={(e) => onChange({ ...form, to: e.target.value })} aria-label="to" />
        in
        <input className="field-input planning-num small" data-testid="sweep-points" value={form.points} onChange={(e) => onChange({ ...form, points: e.target.value })} aria-label="points" />
        points
      </span>
    </div>
  );
}
