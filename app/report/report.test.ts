// The DR plan report builder: sections, lists, tables, figures, charts and checks for a cascade; names escaped; deterministic.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { cascadeExample } from '../planning/example';
import { planTopology } from '../planning/plan';
import { parseSweepSpec, runSweep } from '../planning/sweep';
import { buildReportHtml, defaultReportSweeps, niceTicks, REPORT_SECTIONS, siteColumns, sweepCharts, topologySvg } from './index';

const cascade = cascadeExample();
const plan = planTopology(cascade);

describe('buildReportHtml', () => {
  const sweeps = defaultReportSweeps(plan).map((s) => runSweep(cascade, s));
  const html = buildReportHtml(cascade, plan, { sweeps });

  it('is one self-contained document: no scripts, no external stylesheets, images or fonts', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link |src="http|url\(http|@import/i);
    expect(html).toContain('@media print');
    expect(html).toContain('break-before:page');
  });

  it('has every section in order, with the topology drawing, lists, figures, charts and tables', () => {
    const positions = REPORT_SECTIONS.filter((s) => s !== 'crosscheck').map((s) => html.indexOf(`<section id="${s}"`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="topology"');
    for (const id of ['P1', 'P2', 'V11', 'V12', 'V31', 'C-sync', 'C-async']) expect(html).toContain(id);
    expect(html).toContain('T1 V/R table');
    expect(html).toContain('T4 address conversion');
    expect(html).toMatch(/copy-destination/);
    expect(html).toContain('class="chart"');
  });

  it('shows the plan figures with how each was computed, and terms a newcomer needs', () => {
    // The 50 km synchronous hop of the example adds 1.06 ms per write (hand-computed in the planning tests).
    expect(html).toContain('+1.06 ms per write');
    expect(html).toContain('RPO 12.1 ms');
    expect(html).toContain('how it was computed');
    for (const term of ['Synchronous (sync)', 'Asynchronous (async)', 'RPO', 'Journal', 'Relay (cascade)']) expect(html).toContain(`<dt>${term}</dt>`);
  });

  it('lists each check with its figure and what to change', () => {
    const small = cascadeExample({ asyncMbps: 100 });
    const smallPlan = planTopology(small);
    const check = smallPlan.checks.find((c) => c.code === 'link-too-small');
    expect(check).toBeDefined();
    const report = buildReportHtml(small, smallPlan);
    const checks = report.slice(report.indexOf('<section id="checks"'), report.indexOf('<section id="tables"'));
    expect(checks).toContain('Must fix');
    expect(checks).toContain('link-too-small');
    expect(checks).toContain('What to change:');
    expect(checks).toContain(check!.advice.replace(/'/g, '&#39;'));
    expect(report).toMatch(/must be fixed/);
  });

  it('says so when no check fires', () => {
    const quiet = { ...plan, checks: [] };
    expect(buildReportHtml(cascade, quiet)).toContain('No check fired: the plan meets its targets.');
  });

  it('escapes names and descriptions taken from the file', () => {
    const hostile = { ...cascade, name: '<script>alert(1)</script>', description: 'a & b "quoted"', sites: cascade.sites.map((s, i) => (i === 0 ? { ...s, name: '<img src=x onerror=alert(1)>' } : s)) };
    const out = buildReportHtml(hostile, planTopology(hostile));
    expect(out).not.toContain('<script>alert(1)</script>');
    expect(out).not.toContain('<img src=x');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('a &amp; b &quot;quoted&quot;');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('shows the engine cross-check side by side when given', () => {
    const out = buildReportHtml(cascade, plan, {
      crossCheck: {
        seed: 1,
        durationMs: 2000,
        warmupMs: 200,
        tolerance: { relative: 0.05, absoluteMs: 0.025, why: 'same write flow' },
        rows: [{ quantity: 'host write latency', elementId: 'H1', formula: 1.2, engine: 1.21, engineP50: 1.2, engineP99: 1.3, samples: 1600, difference: 0.01, agrees: true, note: '' }],
        agrees: true,
      },
    });
    const section = out.slice(out.indexOf('<section id="crosscheck"'), out.indexOf('<section id="checks"'));
    expect(section).toContain('<td>1.2 ms</td><td>1.21 ms</td>');
    expect(section).toContain('they agree');
    expect(section).toContain('+10 µs');
  });

  it('embeds a canvas picture only when it is a PNG or JPEG data URL', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect(buildReportHtml(cascade, plan, { topologyImage: png })).toContain(`<img class="canvas-image"`);
    const bad = buildReportHtml(cascade, plan, { topologyImage: 'javascript:alert(1)' });
    expect(bad).not.toContain('javascript:');
    expect(bad).toContain('class="topology"');
  });

  it('is deterministic: the same inputs give the same text, and the date appears only when given', () => {
    expect(buildReportHtml(cascade, plan, { sweeps })).toBe(html);
    expect(buildReportHtml(cascade, plan, { generatedAt: '2026-11-25' })).toContain('Generated 2026-11-25');
  });
});

describe('topology drawing', () => {
  it('puts sites in columns along the data flow: local, relay, remote', () => {
    expect(siteColumns(cascade)).toEqual([['L'], ['R'], ['M']]);
  });

  it('follows the pairs, not the hosts: FIG. 14 has hosts at the relay site, which still sits between local and remote', () => {
    expect(siteColumns(loadBuiltIn('fig14-lu-layering.relaylab.json'))).toEqual([['site-local'], ['site-relay'], ['site-remote']]);
    // FIG. 12's two remote sites are one hop from the relay: they share a column.
    expect(siteColumns(loadBuiltIn('fig12-fan-out.relaylab.json'))).toEqual([['site-local'], ['site-relay'], ['site-remotea', 'site-remoteb']]);
  });

  it('draws every system, volume, cable and pair, sync solid and async dashed', () => {
    const svg = topologySvg(cascade);
    for (const s of cascade.systems) expect(svg).toContain(s.name);
    for (const v of cascade.volumes) expect(svg).toContain(`>${v.id}<`);
    expect(svg).toContain('C-sync · FC · 50 km');
    expect(svg).toContain('class="pair pair-sync"');
    expect(svg).toContain('class="pair pair-async"');
  });
});

describe('sweep charts', () => {
  it('charts what the swept parameter moves, one chart per unit, and shades where a check fires', () => {
    const result = runSweep(cascade, parseSweepSpec('distance@P1=0..400km:9'));
    const charts = sweepCharts(result, { targetLatencyMs: 2 });
    const ms = charts.find((c) => c.unit === 'ms');
    expect(ms?.series.map((s) => s.key)).toContain('hostLatencyMs:H1/W1');
    // Past the latency target the plan warns, and the chart shades those points.
    expect(result.checkCodes.some((codes) => codes.includes('sync-latency-over-target'))).toBe(true);
    expect(ms?.svg).toContain('class="warn"');
    // The target the shading is about is drawn across the latency chart.
    expect(ms?.svg).toContain('latency target 2 ms');
  });

  it('breaks a line where the value is unbounded instead of drawing it at zero', () => {
    const result = runSweep(cascade, parseSweepSpec('bandwidth@P2=1..200Mbps:5'));
    const rpo = sweepCharts(result).find((c) => c.series.some((s) => s.key === 'rpoMs:P2'));
    expect(rpo?.svg).toContain('(gaps: unbounded)');
  });

  it('uses round tick values', () => {
    expect(niceTicks(0, 300)).toEqual([0, 100, 200, 300]);
    expect(niceTicks(0, 6.2)).toEqual([0, 2, 4, 6]);
  });
});
