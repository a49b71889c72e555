// Sweep specs parse with units and located errors; sweeps re-plan the topology at each point.
import { describe, expect, it } from 'vitest';
import { applySweepValue, parseSweepSpec, runSweep, sweepValues, SweepSpecError, SweepTargetError } from './sweep';
import { cascadeExample } from './example';

const errorOf = (spec: string): SweepSpecError => {
  try {
    parseSweepSpec(spec);
  } catch (e) {
    if (e instanceof SweepSpecError) return e;
    throw e;
  }
  throw new Error(`"${spec}" parsed`);
};

describe('parseSweepSpec', () => {
  it('reads the examples with their units', () => {
    expect(parseSweepSpec('distance=10..500km')).toEqual({ parameter: 'distance', from: 10, to: 500, points: 20 });
    expect(parseSweepSpec('bandwidth=100..10000Mbps')).toEqual({ parameter: 'bandwidth', from: 100, to: 10000, points: 20 });
    expect(parseSweepSpec('iops=1000..50000')).toEqual({ parameter: 'iops', from: 1000, to: 50000, points: 20 });
    expect(parseSweepSpec('journal=1..64GiB')).toEqual({ parameter: 'journal', from: 2 ** 30, to: 64 * 2 ** 30, points: 20 });
  });

  it('takes a target, points, and a unit on each end', () => {
    expect(parseSweepSpec('bandwidth@C-async=1..10Gbps:5')).toEqual({ parameter: 'bandwidth', targetId: 'C-async', from: 1000, to: 10000, points: 5 });
    expect(parseSweepSpec('block=512B..64KiB:8')).toEqual({ parameter: 'block', from: 512, to: 65536, points: 8 });
    expect(parseSweepSpec('distance=0..1.5e3')).toMatchObject({ from: 0, to: 1500 });
  });

  it.each([
    ['', 'empty', 0],
    ['latency=1..2', 'unknown-parameter', 0],
    ['distance', 'missing-equals', 8],
    ['distance=ten..500km', 'bad-number', 9],
    ['distance=10-500km', 'missing-range', 11],
    ['distance=10..500furlongs', 'unknown-unit', 16],
    ['distance=500..10km', 'bad-range', 14],
    ['bandwidth=0..100', 'bad-range', 10],
    ['distance=10..500km:1', 'bad-points', 19],
    ['distance=10..500km:many', 'bad-points', 19],
    ['distance=10..500km/2', 'unknown-unit', 16],
    ['distance@=1..2', 'bad-target', 9],
  ])('"%s" fails with %s at column %i', (spec, code, column) => {
    const e = errorOf(spec);
    expect(e.code).toBe(code);
    expect(e.column).toBe(column);
    expect(e.message).toContain(`column ${column + 1}`);
  });

  it('evenly spaces the points, ends included', () => {
    expect(sweepValues({ from: 10, to: 50, points: 5 })).toEqual([10, 20, 30, 40, 50]);
  });
});

describe('runSweep on the cascade', () => {
  it('host latency grows 20 us per km of the sync hop (2 round trips); RPO does not change', () => {
    const r = runSweep(cascadeExample(), parseSweepSpec('distance=0..400km:5'));
    expect(r.x).toEqual([0, 100, 200, 300, 400]);
    const latency = r.series.find((s) => s.key === 'hostLatencyMs:H1/W1')!.values as number[];
    for (let i = 1; i < latency.length; i++) expect(latency[i]! - latency[i - 1]!).toBeCloseTo(2, 9);
    const rpo = r.series.find((s) => s.key === 'rpoMs:P2')!.values;
    expect(new Set(rpo).size).toBe(1);
    // 300 km and beyond break the default 5 ms target
    expect(r.checkCodes.map((c) => c.includes('sync-latency-over-target'))).toEqual([false, false, false, true, true]);
  });

  it('RPO vs async bandwidth: unbounded (null) below the write rate, falling towards propagation above it', () => {
    const r = runSweep(cascadeExample(), parseSweepSpec('bandwidth=100..1000Mbps:4'));
    const rpo = r.series.find((s) => s.key === 'rpoMs:P2')!.values;
    expect(rpo[0]).toBeNull(); // 100 Mbit/s < 144 Mbit/s needed
    const bounded = rpo.slice(1) as number[];
    expect(bounded.every((v) => v > 4)).toBe(true);
    expect(bounded[0]!).toBeGreaterThan(bounded[1]!);
    expect(bounded[1]!).toBeGreaterThan(bounded[2]!);
    expect(r.checkCodes[0]).toContain('link-too-small');
  });

  it('journal ride-through grows in proportion to the journal size', () => {
    const r = runSweep(cascadeExample(), parseSweepSpec('journal=1..4GiB:4'), { outageSeconds: 120 });
    const ride = r.series.find((s) => s.key === 'journalRideThroughS:P2')!.values as number[];
    expect(ride[3]! / ride[0]!).toBeCloseTo(4, 9);
    expect(r.checkCodes[0]).toContain('journal-overflow'); // 1 GiB < 1.97 GB
    expect(r.checkCodes[3]).not.toContain('journal-overflow');
  });

  it('an iops sweep scales the workload; a sweep on a missing element is refused', () => {
    const t = cascadeExample();
    const spec = parseSweepSpec('iops=1000..5000:2');
    expect(applySweepValue(t, spec, 5000).hosts[0]!.workloads[0]!.iops).toBe(5000);
    expect(() => runSweep(t, parseSweepSpec('distance@nope=1..2'))).toThrow(SweepTargetError);
  });

  it('a distance sweep on a named cable changes that cable only', () => {
    const t = applySweepValue(cascadeExample(), parseSweepSpec('distance@C-async=1..2'), 2);
    expect(t.cables.map((c) => [c.id, c.distanceKm])).toEqual([
      ['C-host', 0.1],
      ['C-sync', 50],
      ['C-async', 2],
    ]);
  });
});
