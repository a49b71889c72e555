import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DueQueue } from './due-queue';

/** Everything due by `nowUs`, as [time, key, version] in the order popDue gives it. */
function drain(q: DueQueue, nowUs: number): number[][] {
  const out: number[][] = [];
  while (q.popDue(nowUs)) out.push([q.poppedAt, q.poppedKey, q.poppedVersion]);
  return out;
}

describe('DueQueue', () => {
  it('gives entries earliest first, ties in the order they were pushed, whether they went to the queue or the heap', () => {
    // Pushes (time, key) and drains up to a time, interleaved: times mostly in order (the queue), some earlier (the heap).
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 0, max: 50 }), back: fc.boolean() }),
      fc.record({ drain: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const q = new DueQueue();
        let model: { at: number; seq: number; key: number }[] = [];
        let seq = 0;
        let last = 0;
        let clock = 0;
        for (const o of ops) {
          if ('push' in o) {
            // A time not before the clock: after the last pushed one (the common case), or anywhere from now on.
            const at = clock + (o.back ? o.push : Math.max(0, last - clock) + o.push);
            last = Math.max(last, at);
            q.push(at, seq, seq * 10);
            model.push({ at, seq, key: seq });
            seq++;
          } else {
            clock += o.drain;
            const due = model.filter((m) => m.at <= clock).sort((a, b) => a.at - b.at || a.seq - b.seq);
            model = model.filter((m) => m.at > clock);
            expect(drain(q, clock)).toEqual(due.map((m) => [m.at, m.key, m.key * 10]));
          }
          expect(q.size).toBe(model.length);
          expect(q.nextUs).toBe(model.length ? Math.min(...model.map((m) => m.at)) : Infinity);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its order across growth: 10,000 entries, a tenth of them earlier than the last', () => {
    const q = new DueQueue();
    const expected: number[][] = [];
    let t = 0;
    for (let i = 0; i < 10_000; i++) {
      t += 3;
      const at = i % 10 === 0 ? t - 100 : t;
      q.push(at, i, 0);
      expected.push([at, i]);
      if (i % 1000 === 999) {
        // Drain half of what is due, so the queue's head moves and its arrays are reused.
        const now = t - 1500;
        const due = expected.filter(([a]) => a! <= now).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
        expect(drain(q, now).map(([a, k]) => [a, k])).toEqual(due);
        expected.splice(0, expected.length, ...expected.filter(([a]) => a! > now));
      }
    }
    expect(drain(q, Infinity).map(([a, k]) => [a, k])).toEqual(expected.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    expect(q.size).toBe(0);
  });
});
