// SeqRing behaves like the Map it replaces for a journal's sent and arrived records: get/set/has/delete/size, values in key order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeqRing } from './seq-ring';

describe('SeqRing', () => {
  it('keeps records of a sliding window, grows past its first 16 slots and forgets deleted ones', () => {
    const r = new SeqRing<string>();
    for (let s = 1; s <= 40; s++) r.set(s, `r${s}`);
    expect(r.size).toBe(40);
    expect(r.get(17)).toBe('r17');
    expect(r.get(41)).toBeUndefined();
    for (let s = 1; s <= 30; s++) expect(r.delete(s)).toBe(true);
    expect(r.delete(3)).toBe(false);
    expect(r.size).toBe(10);
    expect([...r.values()]).toEqual(Array.from({ length: 10 }, (_, i) => `r${31 + i}`));
    // Keys far above the old ones once the window moved on: no collision with a live key of the same slot.
    r.set(31 + 64, 'far');
    expect(r.get(31)).toBe('r31');
    expect(r.get(95)).toBe('far');
    r.clear();
    expect(r.size).toBe(0);
    expect([...r.values()]).toEqual([]);
    expect(() => r.set(-1, 'x')).toThrow(/non-negative/);
  });

  it('agrees with a Map under any sequence of sets and deletes of nearby keys, out of order included', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), ahead: fc.integer({ min: 0, max: 80 }) }),
      fc.record({ kind: fc.constant('delete' as const), ahead: fc.integer({ min: 0, max: 80 }) }),
      fc.record({ kind: fc.constant('advance' as const), ahead: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ kind: fc.constant('clear' as const), ahead: fc.constant(0) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const ring = new SeqRing<number>();
        const map = new Map<number, number>();
        let base = 1;
        for (const [n, o] of ops.entries()) {
          if (o.kind === 'set') {
            ring.set(base + o.ahead, n);
            map.set(base + o.ahead, n);
          } else if (o.kind === 'delete') {
            expect(ring.delete(base + o.ahead)).toBe(map.delete(base + o.ahead));
          } else if (o.kind === 'advance') {
            // The window moves on: what is left behind is freed (as records are applied and freed).
            base += o.ahead;
            for (const k of [...map.keys()]) if (k < base) expect(ring.delete(k)).toBe(map.delete(k));
          } else {
            ring.clear();
            map.clear();
          }
          expect(ring.size).toBe(map.size);
        }
        for (let k = Math.max(0, base - 300); k < base + 100; k++) {
          expect(ring.get(k)).toBe(map.get(k));
          expect(ring.has(k)).toBe(map.has(k));
        }
        expect([...ring.values()]).toEqual([...map.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]));
      }),
      { numRuns: 400 },
    );
  });
});
