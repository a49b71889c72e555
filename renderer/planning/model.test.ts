// The planning panel's view-model: cards per workload and hop, the sweep form read like the CLI's --sweep, chart groups, cross-check rows.
import { describe, expect, it } from 'vitest';
import { cascadeExample } from '../../app/planning/example';
import { chartGroups, crossCheckRows, defaultSweepForm, figureCards, figureText, planDocument, runSweepSafely, sortedChecks, sweepSpecFromForm, sweepTargets } from './model';

const cascade = cascadeExample();

describe('planning panel model', () => {
  it('gives one card per workload and per hop, headed by the number that matters for it', () => {
    const planned = planDocument(cascade, { outageSeconds: 60, targetLatencyMs: null });
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    const cards = figureCards(planned.plan);
    expect(cards.map((c) => c.title)).toEqual(['H1 / W1', 'P1 (sync)', 'P2 (async)']);
    expect(cards[1]!.headline).toBe('+1.06 ms per write');
    expect(cards[2]!.headline).toBe('RPO 12.1 ms');
    expect(cards[2]!.figures.some((f) => f.key === 'journalNeededBytes' && f.explanation.includes('60 s'))).toBe(true);
  });

  it('follows the outage and latency target typed in the panel', () => {
    const strict = planDocument(cascade, { outageSeconds: 600, targetLatencyMs: 0.5 });
    if (!strict.ok) throw new Error(strict.reason);
    const checks = sortedChecks(strict.plan);
    expect(checks.some((c) => c.code === 'sync-latency-over-target')).toBe(true);
    expect(strict.plan.hops.find((h) => h.pairId === 'P2')!.figures.find((f) => f.key === 'journalNeededBytes')!.label).toContain('10 min');
    // Errors come before warnings before notes.
    const order = checks.map((c) => ['error', 'warning', 'info'].indexOf(c.severity));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('reads the sweep form with the CLI parser, so its errors read the same', () => {
    expect(sweepSpecFromForm({ parameter: 'distance', targetId: 'P1', from: '0', to: '300', points: '16' })).toEqual({
      ok: true,
      spec: { parameter: 'distance', targetId: 'P1', from: 0, to: 300, points: 16 },
    });
    const backwards = sweepSpecFromForm({ parameter: 'bandwidth', targetId: '', from: '500', to: '100', points: '10' });
    expect(backwards).toEqual({ ok: false, reason: expect.stringContaining('the range must increase') });
    const halfTyped = sweepSpecFromForm({ parameter: 'iops', targetId: '', from: '1e', to: '10', points: '10' });
    expect(halfTyped.ok).toBe(false);
  });

  it('starts the form on the sync hop distance sweep and charts latency in ms', () => {
    const planned = planDocument(cascade, { outageSeconds: 60, targetLatencyMs: null });
    if (!planned.ok) throw new Error(planned.reason);
    const form = defaultSweepForm(planned.plan);
    expect(form).toMatchObject({ parameter: 'distance', targetId: 'P1', from: '0' });
    const spec = sweepSpecFromForm(form);
    if (!spec.ok) throw new Error(spec.reason);
    const run = runSweepSafely(cascade, spec.spec, { outageSeconds: 60, targetLatencyMs: null });
    if (!run.ok) throw new Error(run.reason);
    const ms = chartGroups(run.result).find((g) => g.unit === 'ms');
    expect(ms?.series.map((s) => s.key)).toContain('hostLatencyMs:H1/W1');
    // The async hop's RPO does not move with the sync hop's distance, so it is not charted.
    expect(ms?.series.map((s) => s.key)).not.toContain('rpoMs:P2');
  });

  it('reports a sweep target that does not exist instead of throwing', () => {
    const r = runSweepSafely(cascade, { parameter: 'bandwidth', targetId: 'nope', from: 1, to: 2, points: 2 }, { outageSeconds: 60, targetLatencyMs: null });
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('nope') });
  });

  it('offers targets that fit the parameter', () => {
    expect(sweepTargets(cascade, 'journal').map((t) => t.id)).toEqual(['P2']);
    expect(sweepTargets(cascade, 'iops').map((t) => t.id)).toEqual(['H1', 'W1']);
    expect(sweepTargets(cascade, 'distance').map((t) => t.id)).toEqual(['P1', 'P2', 'C-host', 'C-sync', 'C-async']);
  });

  it('shows formula and engine side by side, and values in readable units', () => {
    const rows = crossCheckRows({
      seed: 1,
      durationMs: 1000,
      warmupMs: 200,
      tolerance: { relative: 0.05, absoluteMs: 0.025, why: '' },
      rows: [{ quantity: 'async hop lag', elementId: 'P2', formula: 12.1, engine: 12.13, engineP50: 12.1, engineP99: 12.4, samples: 900, difference: 0.03, agrees: true, note: '' }],
      agrees: true,
    });
    expect(rows[0]).toMatchObject({ formula: '12.1 ms', engine: '12.13 ms', agrees: true });
    expect(figureText({ value: 3 * 1024 ** 3, unit: 'B' })).toBe('3 GiB');
    expect(figureText({ value: 330, unit: 's' })).toBe('5.5 min');
    expect(figureText({ value: 0.0118, unit: '' })).toBe('1.18%');
  });
});
