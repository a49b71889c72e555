// The discrete-event core: stable event order, seeded randomness, bounded histogram quantiles.
import { describe, expect, test } from 'vitest';
import { EngineInvariantError, LatencyHistogram, Prng, Scheduler } from './sim';

describe('scheduler', () => {
  test('events run in time order, and events at the same time in the order they were scheduled', () => {
    const s = new Scheduler();
    const seen: string[] = [];
    s.at(30, () => seen.push('c'));
    s.at(10, () => seen.push('a1'));
    s.at(10, () => seen.push('a2'));
    s.at(20, () => {
      seen.push('b');
      s.after(0, () => seen.push('b-now'));
      s.at(30, () => seen.push('c-later'));
    });
    s.at(10, () => seen.push('a3'));
    while (s.runNext(Infinity));
    expect(seen).toEqual(['a1', 'a2', 'a3', 'b', 'b-now', 'c', 'c-later']);
    expect(s.nowUs).toBe(30);
  });

  test('an event in the past is an invariant error naming the scheduler', () => {
    const s = new Scheduler();
    s.at(5, () => undefined);
    s.runNext(10);
    expect(() => s.at(1, () => undefined)).toThrow(EngineInvariantError);
  });
});

describe('seeded randomness', () => {
  test('the same seed gives the same stream; another seed a different one', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(xs);
    const buf1 = new Uint8Array(4099);
    const buf2 = new Uint8Array(4099);
    new Prng(7).fill(buf1);
    new Prng(7).fill(buf2);
    expect(buf1).toEqual(buf2);
    expect(buf1.some((x) => x !== 0)).toBe(true);
  });

  test('nextInt stays in range and covers it', () => {
    const p = new Prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = p.nextInt(10);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(10);
      seen.add(v);
    }
    expect(seen.size).toBe(10);
  });
});

describe('latency histogram', () => {
  test('quantiles are within a few percent with bounded memory', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i);
    expect(h.quantileUs(0.5)).toBeGreaterThan(4900);
    expect(h.quantileUs(0.5)).toBeLessThan(5200);
    expect(h.quantileUs(0.99)).toBeGreaterThan(9800);
    expect(h.quantileUs(0.99)).toBeLessThanOrEqual(10_000);
    expect(new LatencyHistogram().quantileUs(0.5)).toBe(0);
  });
});
