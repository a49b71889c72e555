// `relaylab plan` in-process: tables, JSON, sweeps, located usage errors and exit codes, on files written to a temp dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cascadeExample } from '../../app/planning/example';
import { serializeTopology } from '../../app/model/file';
import { CliUsageError, parseDuration } from '../cli/args';
import { planMain } from './cli';

let dir = '';
let good = '';
let tooSmall = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'relaylab-plan-'));
  good = path.join(dir, 'cascade.relaylab.json');
  tooSmall = path.join(dir, 'small-link.relaylab.json');
  await writeFile(good, serializeTopology(cascadeExample()));
  await writeFile(tooSmall, serializeTopology(cascadeExample({ asyncMbps: 100 })));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await planMain(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe('relaylab plan', () => {
  it('prints workloads, pairs and checks as tables and exits 0 when no check is an error', async () => {
    const r = await run(good);
    expect(r.code).toBe(0);
    expect(r.out).toContain('H1/W1');
    expect(r.out).toMatch(/P1\s+sync\s+C-sync\s+50/);
    expect(r.out).toMatch(/P2\s+async\s+C-async\s+800/);
    expect(r.out).toContain('+1.06 ms');
    expect(r.out).toContain('RPO 12.1 ms');
    expect(r.out).toContain('fc-distance');
  });

  it('--json gives the plan with its figures and checks', async () => {
    const r = await run(good, '--json', '--outage', '2min');
    expect(r.code).toBe(0);
    const { plan } = JSON.parse(r.out);
    expect(plan.outageSeconds).toBe(120);
    expect(plan.workloads[0].hostLatencyMs).toBeCloseTo(1.1155168, 9);
    expect(plan.hops.map((h: { pairId: string }) => h.pairId)).toEqual(['P1', 'P2']);
    expect(plan.checks.map((c: { code: string }) => c.code)).toContain('journal-overflow');
  });

  it('exits 1 when a link is too small, and says by how much the RPO grows', async () => {
    const r = await run(tooSmall);
    expect(r.code).toBe(1);
    expect(r.out).toContain('link-too-small');
    expect(r.out).toMatch(/RPO grows \d+(\.\d+)? ms\/s/);
  });

  it('--sweep tabulates host latency against the sync distance', async () => {
    const r = await run(good, '--sweep', 'distance=0..400km:5');
    expect(r.code).toBe(0);
    const table = r.out.slice(r.out.indexOf('Sweep distance'));
    expect(table).toContain('hostLatencyMs:H1/W1 (ms)');
    expect(table.split('\n').filter((l) => /^\d+\s/.test(l))).toHaveLength(5);
    expect(table).toMatch(/^300\s.*sync-latency-over-target/m);
    expect(table).toContain('unchanged over the sweep: ');
  });

  it('--json with sweeps adds series for charting', async () => {
    const r = await run(good, '--json', '--sweep=bandwidth@C-async=100..1000Mbps:4');
    const { sweeps } = JSON.parse(r.out);
    expect(sweeps[0].x).toEqual([100, 400, 700, 1000]);
    const rpo = sweeps[0].series.find((s: { key: string }) => s.key === 'rpoMs:P2');
    expect(rpo.values[0]).toBeNull();
  });

  it('--crosscheck puts the engine beside the formulas', async () => {
    const r = await run(good, '--crosscheck');
    expect(r.code).toBe(0);
    const section = r.out.slice(r.out.indexOf('Cross-check against the engine'));
    expect(section).toMatch(/host write latency\s+H1\s+1\.116/);
    expect(section).toMatch(/async hop lag\s+P2\s+12\.1/);
    expect(section).not.toContain('NO');
  });

  it.each([
    [['--json'], 'give a topology file'],
    [['a.json', 'b.json'], 'exactly one'],
    [['x.json', '--outage', 'soon'], '--outage: "soon" is not a duration'],
    [['x.json', '--outage'], 'needs a value'],
    [['x.json', '--frobnicate'], 'unknown option'],
    [['x.json', '--sweep', 'distance=10..5km'], 'column 14: the range must increase'],
  ])('wrong usage %j exits 2 and names the problem', async (argv, text) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(text);
  });

  it('a sweep on an element that is not there exits 2', async () => {
    const r = await run(good, '--sweep', 'distance@CN99=1..2');
    expect(r.code).toBe(2);
    expect(r.err).toContain('CN99');
  });

  it('a missing or invalid file exits 1 with the reason', async () => {
    expect((await run(path.join(dir, 'missing.relaylab.json'))).code).toBe(1);
    const bad = path.join(dir, 'bad.relaylab.json');
    await writeFile(bad, '{"formatVersion": 1, "name": 3}');
    const r = await run(bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain('$.name');
  });
});

describe('durations', () => {
  it('reads ms, s, min and h, bare numbers in the default unit', () => {
    const s = { bareUnit: 's' } as const;
    expect(parseDuration('60s', '--outage', s)).toBe(60_000);
    expect(parseDuration('10min', '--outage', s)).toBe(600_000);
    expect(parseDuration('2m', '--outage', s)).toBe(120_000);
    expect(parseDuration('1h', '--outage', s)).toBe(3_600_000);
    expect(parseDuration('90', '--outage', s)).toBe(90_000);
    expect(parseDuration('500ms', '--outage', s)).toBe(500);
    expect(parseDuration('5ms', '--target-latency', { bareUnit: 'ms' })).toBe(5);
    expect(parseDuration('2', '--target-latency', { bareUnit: 'ms' })).toBe(2);
    expect(() => parseDuration('5 fortnights', '--outage', s)).toThrow(CliUsageError);
    expect(() => parseDuration('5 minutes', '--duration', s)).toThrow('--duration: "5 minutes" is not a duration; use e.g. 300s or 5min');
    expect(() => parseDuration('0s', '--outage', s)).toThrow(/longer than zero/);
    expect(parseDuration('0s', 'at', { ...s, allowZero: true })).toBe(0);
  });
});
