import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LazySortedIndex } from './sorted-index';

describe('LazySortedIndex', () => {
  it('answers "next key at or after" across appends, random inserts and removals', () => {
    const live = new Set<number>();
    const index = new LazySortedIndex(live);
    const add = (key: number) => (live.add(key), index.add(key));
    const remove = (key: number) => (live.delete(key), index.remove(key));
    add(10);
    add(20);
    add(5); // out of order: waits in the buffer
    expect(index.next(0)).toBe(5);
    remove(10);
    expect(index.next(6)).toBe(20);
    add(10); // comes back
    expect([...index.from(0)]).toEqual([5, 10, 20]);
    expect(index.between(6, 20)).toEqual([10, 20]);
  });

  it('property: agrees with a sorted model whatever the order of adds and removes', () => {
    const op = fc.record({ add: fc.boolean(), key: fc.integer({ min: 0, max: 300 }), query: fc.integer({ min: 0, max: 320 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const live = new Set<number>();
        const index = new LazySortedIndex(live);
        for (const o of ops) {
          // The owner calls add/remove only on real changes, as the volume and the bitmap do.
          if (o.add && !live.has(o.key)) (live.add(o.key), index.add(o.key));
          if (!o.add && live.has(o.key)) (live.delete(o.key), index.remove(o.key));
          const sorted = [...live].sort((a, b) => a - b);
          expect(index.next(o.query)).toBe(sorted.find((k) => k >= o.query));
        }
        const sorted = [...live].sort((a, b) => a - b);
        expect([...index.from(0)]).toEqual(sorted);
        expect(index.between(100, 200)).toEqual(sorted.filter((k) => k >= 100 && k <= 200));
        const copyLive = new Set(live);
        expect([...index.cloneFor(copyLive).from(0)]).toEqual(sorted);
      }),
      { numRuns: 200 },
    );
  });

  it('property: agrees with the model through many side-list merges and stale rebuilds (thousands of random inserts)', () => {
    const op = fc.record({ add: fc.boolean(), key: fc.integer({ min: 0, max: 5000 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 500, maxLength: 3000 }), fc.integer({ min: 0, max: 5000 }), (ops, query) => {
        const live = new Set<number>();
        const index = new LazySortedIndex(live);
        ops.forEach((o, i) => {
          // As SparseVolume does: the index hears of a key before the owner's map holds it.
          if (o.add && !live.has(o.key)) (index.add(o.key), live.add(o.key));
          if (!o.add && live.has(o.key)) (live.delete(o.key), index.remove(o.key));
          if (i % 97 === 0) expect(index.next(query)).toBe([...live].filter((k) => k >= query).sort((a, b) => a - b)[0]);
        });
        const sorted = [...live].sort((a, b) => a - b);
        expect([...index.from(0)]).toEqual(sorted);
        expect(index.between(query, query + 700)).toEqual(sorted.filter((k) => k >= query && k <= query + 700));
      }),
      { numRuns: 40 },
    );
  });
  it('property: random inserts with no query between them (folded inside add) still agree with the model at the end', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ add: fc.boolean(), key: fc.integer({ min: 0, max: 20_000 }) }), { minLength: 1000, maxLength: 4000 }), (ops) => {
        const live = new Set<number>();
        const index = new LazySortedIndex(live);
        for (const o of ops) {
          if (o.add && !live.has(o.key)) (index.add(o.key), live.add(o.key));
          if (!o.add && live.has(o.key)) (live.delete(o.key), index.remove(o.key));
        }
        expect([...index.from(0)]).toEqual([...live].sort((a, b) => a - b));
      }),
      { numRuns: 30 },
    );
  });
});
