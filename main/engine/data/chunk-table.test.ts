// ChunkTable behaves like the Map it replaces: get/set/has/delete/size and iteration over every entry; it also answers
// "chunks from here on, ascending" and "next chunk present" (the volume's written-track queries).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkTable } from './chunk-table';

describe('ChunkTable', () => {
  it('holds chunks far apart and next to each other, and forgets deleted ones', () => {
    const t = new ChunkTable();
    const a = new Uint8Array([1]);
    const b = new Uint8Array([2]);
    t.set(0, a);
    t.set(63, b);
    t.set(2 ** 34 + 5, a); // a 64 TiB volume of 4 KiB chunks has 2^34 of them
    expect(t.size).toBe(3);
    expect(t.get(63)).toBe(b);
    expect(t.get(64)).toBeUndefined();
    expect(t.has(2 ** 34 + 5)).toBe(true);
    t.set(63, a);
    expect(t.size).toBe(3);
    expect(t.delete(63)).toBe(true);
    expect(t.delete(63)).toBe(false);
    expect(t.size).toBe(2);
    expect([...t].sort((x, y) => x[0] - y[0])).toEqual([
      [0, a],
      [2 ** 34 + 5, a],
    ]);
  });

  it('agrees with a Map under any sequence of sets, swaps and deletes', () => {
    const op = fc.record({ chunk: fc.integer({ min: 0, max: 5000 }), del: fc.boolean(), swap: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new ChunkTable();
        const m = new Map<number, Uint8Array>();
        for (const { chunk, del, swap } of ops) {
          if (del) expect(t.delete(chunk)).toBe(m.delete(chunk));
          else if (swap) {
            // swap sets and answers what was there (get + set in one lookup).
            const data = new Uint8Array([(chunk + 1) & 255]);
            expect(t.swap(chunk, data)).toBe(m.get(chunk));
            m.set(chunk, data);
          } else {
            const data = new Uint8Array([chunk & 255]);
            t.set(chunk, data);
            m.set(chunk, data);
          }
        }
        expect(t.size).toBe(m.size);
        for (const { chunk } of ops) expect(t.get(chunk)).toBe(m.get(chunk));
        expect(new Map([...t])).toEqual(m);
      }),
    );
  });
  it('answers ascending keys from any chunk and the next key present, through sets, deletes (pages emptied) and clones', () => {
    const op = fc.record({ chunk: fc.integer({ min: 0, max: 3000 }), del: fc.boolean(), query: fc.integer({ min: 0, max: 3100 }) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        let t = new ChunkTable();
        const live = new Set<number>();
        const data = new Uint8Array([1]);
        ops.forEach((o, i) => {
          if (o.del) (t.delete(o.chunk), live.delete(o.chunk));
          else (t.set(o.chunk, data), live.add(o.chunk));
          if (i % 50 === 49) t = t.clone(); // a clone answers the same
          const sorted = [...live].sort((a, b) => a - b);
          expect(t.nextKey(o.query)).toBe(sorted.find((k) => k >= o.query));
          if (i % 10 === 0) expect([...t.keysFrom(o.query)]).toEqual(sorted.filter((k) => k >= o.query));
        });
        expect([...t.keysFrom(0)]).toEqual([...live].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });
});
