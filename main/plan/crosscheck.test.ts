// The planning formulas against the engine on every built-in topology: host write latency and async hop lag agree within tolerance.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTopologyText } from '../../app/model/file';
import type { Topology } from '../../app/model/schema';
import { planTopology } from '../../app/planning/plan';
import { CROSSCHECK_ABSOLUTE_TOLERANCE_MS, CROSSCHECK_RELATIVE_TOLERANCE, crossCheck, withinTolerance } from './crosscheck';

const DIR = path.resolve(__dirname, '../../assets/topologies');
const files = readdirSync(DIR).filter((f) => f.endsWith('.relaylab.json'));
const load = (file: string): Topology => {
  const r = parseTopologyText(readFileSync(path.join(DIR, file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.problems)}`);
  return r.topology;
};
const hasSwitchGroup = (t: Topology) => t.cables.some((c) => c.switchGroup !== undefined);
// One virtual second after a 100 ms warm-up: ~800 writes per busy host, enough for a mean to settle within 1%.
const RUN = { durationMs: 1000, warmupMs: 100, seed: 7 };

describe('tolerance', () => {
  it('is the larger of 5% and 25 us', () => {
    expect(CROSSCHECK_RELATIVE_TOLERANCE).toBe(0.05);
    expect(CROSSCHECK_ABSOLUTE_TOLERANCE_MS).toBe(0.025);
    expect(withinTolerance(1, 1.049)).toBe(true);
    expect(withinTolerance(1, 1.051)).toBe(false);
    expect(withinTolerance(0.05, 0.074)).toBe(true);
  });
});

describe('formulas vs engine on the built-in topologies', () => {
  it.each(files.filter((f) => !hasSwitchGroup(load(f))))('%s: host latency and async lag agree', (file) => {
    const report = crossCheck(load(file), RUN);
    expect(report.rows.some((r) => r.quantity === 'host write latency')).toBe(true);
    expect(report.rows.some((r) => r.quantity === 'async hop lag')).toBe(true);
    for (const row of report.rows) {
      expect(row.samples, `${row.elementId} samples`).toBeGreaterThan(50);
      expect(row.agrees, `${row.quantity} ${row.elementId}: formula ${row.formula} ms, engine ${row.engine} ms`).toBe(true);
    }
    expect(report.agrees).toBe(true);
  });

  it('FIG. 13: the changeover switch makes writes wait for each other; the plan says so and the engine is slower than the formulas', () => {
    const t = load('fig13-switchable-port.relaylab.json');
    const [warning] = planTopology(t).checks.filter((c) => c.code === 'switch-group-serialises');
    expect(warning?.severity).toBe('error'); // 800 writes/s x (1.3 + 6.1 ms) per write: the switch is over-committed
    const report = crossCheck(t, RUN);
    for (const row of report.rows) expect(row.engine!).toBeGreaterThan(row.formula! * 1.5);
    // Without the switch (each leg its own port), the same topology agrees again.
    const unswitched = { ...t, cables: t.cables.map(({ switchGroup: _ignored, ...c }) => c) };
    expect(crossCheck(unswitched, RUN).agrees).toBe(true);
  });
});
