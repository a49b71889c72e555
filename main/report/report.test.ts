// `relaylab report` in-process and the 'plan.crosscheck' request: files written, usage errors located, PDF printed when a Chromium is here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serializeTopology } from '../../app/model/file';
import { cascadeExample } from '../../app/planning/example';
import { createDispatcher, createHandlers, defaultValidator } from '../rpc';
import { findChromium } from './pdf';
import { parseReportArgs, reportMain } from './cli';

let dir = '';
let cascade = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'relaylab-report-'));
  cascade = path.join(dir, 'cascade.relaylab.json');
  await writeFile(cascade, serializeTopology(cascadeExample()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await reportMain(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('relaylab report', () => {
  it('writes one HTML file with the plan, the default what-if charts and the engine cross-check', async () => {
    const file = path.join(dir, 'cascade.html');
    const r = await run(cascade, '--out', file, '--outage', '5min');
    expect(r.code).toBe(0);
    const html = await readFile(file, 'utf8');
    expect(html).toContain('link outage to ride through <b>5 min</b>');
    expect(html).toContain('distance@P1: 0 to 300 km');
    expect(html).toContain('bandwidth@P2');
    expect(html).toContain('<section id="crosscheck"');
    expect(html).toContain('they agree');
  }, 30_000);

  it('takes the sweeps it is given, or none', async () => {
    const file = path.join(dir, 'sweeps.html');
    expect((await run(cascade, '--out', file, '--sweep', 'iops=1000..20000:5', '--no-crosscheck')).code).toBe(0);
    const html = await readFile(file, 'utf8');
    expect(html).toContain('iops: 1000 to 20000 writes/s, 5 points');
    expect(html).not.toContain('distance@P1');
    expect(html).not.toContain('<section id="crosscheck"');
    expect((await run(cascade, '--out', file, '--no-sweeps', '--no-crosscheck')).code).toBe(0);
    expect(await readFile(file, 'utf8')).not.toContain('<section id="sweeps"');
  });

  it('refuses wrong usage with the option and the reason, exit 2', async () => {
    const noOut = await run(cascade);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain('--out');
    const badSweep = await run(cascade, '--out', 'x.html', '--sweep', 'distance=10..5km');
    expect(badSweep.code).toBe(2);
    expect(badSweep.err).toContain('the range must increase');
    expect(() => parseReportArgs([cascade, '--out', 'a.html', '--no-sweeps', '--sweep', 'iops=1..2'])).toThrow(/cannot be combined/);
    const unknownTarget = await run(cascade, '--out', path.join(dir, 'u.html'), '--sweep', 'bandwidth@nope=1..2Gbps', '--no-crosscheck');
    expect(unknownTarget.code).toBe(2);
    expect(unknownTarget.err).toContain('nope');
  });

  it('exits 1 with the reason when the file cannot be read', async () => {
    const r = await run(path.join(dir, 'missing.relaylab.json'), '--out', path.join(dir, 'm.html'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('missing.relaylab.json');
  });

  it.skipIf(!findChromium())('prints the report to PDF with headless Chromium', async () => {
    const pdf = path.join(dir, 'cascade.pdf');
    const r = await run(cascade, '--pdf', pdf, '--no-crosscheck');
    expect(r.code).toBe(0);
    expect(existsSync(pdf)).toBe(true);
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);
});

describe("the 'plan.crosscheck' request", () => {
  const dispatch = createDispatcher(
    createHandlers({
      mode: 'web',
      version: '0',
      platform: 'test',
      validate: defaultValidator,
      engine: () => {
        throw new Error('the cross-check must not touch the live engine');
      },
    }),
    { error: () => undefined },
  );

  it('runs the engine beside the formulas and answers both, side by side', async () => {
    const res = await dispatch({ id: 1, method: 'plan.crosscheck', params: { topology: cascadeExample(), durationMs: 500 } }, { peer: 'test' });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const report = res.result as { rows: { quantity: string; elementId: string; formula: number; engine: number; agrees: boolean }[]; durationMs: number };
    expect(report.durationMs).toBe(500);
    const host = report.rows.find((r) => r.quantity === 'host write latency' && r.elementId === 'H1');
    expect(host?.agrees).toBe(true);
    expect(Math.abs(host!.engine - host!.formula)).toBeLessThan(0.05 * host!.formula + 0.025);
  }, 30_000);

  it("answers 'unsupported' to report.pdf in web mode, where the browser prints", async () => {
    const res = await dispatch({ id: 3, method: 'report.pdf', params: { html: '<p>x</p>' } }, { peer: 'test' });
    expect(res).toMatchObject({ ok: false, error: { code: 'unsupported', message: expect.stringContaining('Print / Save as PDF') } });
  });

  it('answers invalid-params, located, for a topology that does not load', async () => {
    const res = await dispatch({ id: 2, method: 'plan.crosscheck', params: { topology: { formatVersion: 1, name: 'x', sites: 'no' } } }, { peer: 'test' });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('invalid-params');
    expect(res.error.path?.[0]).toBe('topology');
  });
});
