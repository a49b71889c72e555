// ChunkTable behaves like the Map it replaces: get/set/has/delete/size and iteration over every entry; it also answers
// "chunks from here on, ascending" and "next chunk present" (the volume's written-track queries).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkTable } from './chunk-table';
import { chunkIdentity } from './content-hash';
import { GeneratedBytes, generatedCode, payloadBytes } from './payload';

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
      // With a page directory (a table of at most 5,001 chunks) and without (no bound given: pages found by hash).
      fc.property(fc.array(op, { maxLength: 300 }), fc.boolean(), (ops, directory) => {
        const t = directory ? new ChunkTable(5001) : new ChunkTable();
        const m = new Map<number, Uint8Array>();
        for (const { chunk, del, swap } of ops) {
          if (del) expect(t.delete(chunk)).toBe(m.delete(chunk));
          else if (swap) {
            // put sets and answers whether the chunk is new (has + set in one lookup).
            const data = new Uint8Array([(chunk + 1) & 255]);
            expect(t.put(chunk, data)).toBe(!m.has(chunk));
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
      fc.property(fc.array(op, { maxLength: 400 }), fc.boolean(), (ops, directory) => {
        let t = directory ? new ChunkTable(3101) : new ChunkTable();
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

describe('ChunkTable flat codes', () => {
  it('are made at the first write of a small table, shared by a clone until either side changes, and never for a large one', () => {
    const small = new ChunkTable(262_144); // a 1 GiB volume of 4 KiB chunks
    expect(small.tableBytes).toBe(0);
    expect(small.clone().tableBytes).toBe(0);
    const a = new Uint8Array([1]);
    const b = new Uint8Array([2]);
    small.set(70_000, a);
    expect(small.tableBytes).toBe(262_144 * 4 + 4_096 + 8); // codes, chunks per page, one object held
    small.set(5, b);
    const copy = small.clone();
    expect([copy.get(70_000), copy.get(5), copy.get(6)]).toEqual([a, b, undefined]);
    // Shared until a change: a change to one table does not show in the other, whichever changes first.
    copy.set(6, a);
    expect(small.get(6)).toBeUndefined();
    expect(small.delete(5)).toBe(true);
    expect([small.get(5), copy.get(5)]).toEqual([undefined, b]);
    expect([...small.keysFrom(0)]).toEqual([70_000]);
    expect([...copy.keysFrom(0)]).toEqual([5, 6, 70_000]);

    const large = new ChunkTable(2 ** 34); // 64 TiB of 4 KiB chunks
    expect(large.tableBytes).toBe(0);
    large.set(2 ** 33, a);
    large.set(2 ** 33 + 1, a);
    expect(large.tableBytes).toBe(64 * 8 + 32); // one page
    expect(large.get(2 ** 33)).toBe(a);
  });

  it('keep a whole generated stream as a number: read back, it is the same content under the same identity', () => {
    const t = new ChunkTable(1_000);
    const g = new GeneratedBytes(-123_456_789, 4096); // a PRNG draw: a signed 32-bit seed
    const part = new GeneratedBytes(7, 8192, 4096, 4096); // not a whole stream: held as the object
    expect(t.put(3, g)).toBe(true);
    expect(t.put(4, part)).toBe(true);
    expect(t.put(3, g)).toBe(false);
    const back = t.get(3)!;
    expect(back).toBeInstanceOf(GeneratedBytes);
    expect(payloadBytes(back)).toEqual(payloadBytes(g));
    expect(chunkIdentity(back)).toBe(chunkIdentity(g));
    expect(chunkIdentity(back)).not.toBe(chunkIdentity(new GeneratedBytes(-123_456_789, 8192)));
    expect(t.get(4)).toBe(part);
    expect(generatedCode(part)).toBe(0);
    // Objects freed by a replace or a delete make room for the next: the side array does not grow with rewrites.
    for (let i = 0; i < 100; i++) t.set(4, new Uint8Array([i]));
    t.delete(4);
    t.set(9, new Uint8Array([1]));
    expect(t.tableBytes).toBe(1_000 * 4 + 16 + 8);
    expect([...t]).toEqual([[3, back], [9, new Uint8Array([1])]]);
  });
});

describe('ChunkTable page looked up last', () => {
  it('is forgotten when its page goes, so a later write to that page makes a new one the table knows', () => {
    for (const t of [new ChunkTable(), new ChunkTable(262_144), new ChunkTable(2 ** 34)]) {
      const a = new Uint8Array([1]);
      const b = new Uint8Array([2]);
      t.set(5, a);
      expect(t.get(5)).toBe(a);
      expect(t.delete(5)).toBe(true); // the page's only chunk: the page goes
      t.set(6, b); // same page number: must be a page the table holds, not the one it dropped
      expect(t.get(5)).toBeUndefined();
      expect([...t.keysFrom(0)]).toEqual([6]);
      expect(t.clone().get(6)).toBe(b);
      expect(t.size).toBe(1);
    }
  });
});
