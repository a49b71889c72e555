// SlotTable behaves like the Map of slot records it replaced: find by key, fields per slot, replace (evict and reuse), creation order.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SlotTable } from './slot-table';

describe('SlotTable', () => {
  it('finds every slot by key through growth and evictions, and keeps the order the slots were made in', () => {
    const t = new SlotTable();
    const key = (track: number, vol: number): number => track * 65536 + vol;
    for (let i = 0; i < 100; i++) expect(t.add(key(i * 7, i % 3), i * 7, i % 3, i)).toBe(i);
    expect(t.size).toBe(100);
    expect(t.find(key(7 * 50, 50 % 3))).toBe(50);
    expect(t.find(key(1, 0))).toBe(-1);
    t.setDirty(50, true);
    t.setVersion(50, 4);
    t.setDestage(50, 10, 20, 'R1');
    expect([t.dirty(50), t.version(50), t.destageStartUs(50), t.destageDoneUs(50), t.destageRecord(50), t.track(50), t.volume(50)]).toEqual([true, 4, 10, 20, 'R1', 350, 2]);
    // Slot 3 is evicted for a new key: the old key is gone, the slot is clean at version 0 and last in the order.
    t.replace(3, key(2 ** 36, 1), 2 ** 36, 1, 999);
    expect(t.find(key(21, 0))).toBe(-1);
    expect(t.find(key(2 ** 36, 1))).toBe(3);
    expect([t.dirty(3), t.version(3), t.sinceUs(3), t.destageRecord(3)]).toEqual([false, 0, 999, null]);
    const order = [...t.inOrder()];
    expect(order.length).toBe(100);
    expect(order.at(-1)).toBe(3);
    expect(order.slice(0, 4)).toEqual([0, 1, 2, 4]);
  });

  it('property: agrees with a Map (insertion order included) over any mix of adds and evictions', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), track: fc.integer({ min: 0, max: 2 ** 37 }), vol: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ kind: fc.constant('near' as const), track: fc.integer({ min: 0, max: 300 }), vol: fc.integer({ min: 0, max: 1 }) }),
      fc.record({ kind: fc.constant('evict' as const), track: fc.integer({ min: 0, max: 2 ** 37 }), vol: fc.nat(1000) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 500 }), (ops) => {
        const t = new SlotTable();
        const model = new Map<number, { slot: number; track: number; vol: number }>();
        for (const o of ops) {
          const k = o.track * 65536 + (o.kind === 'evict' ? 0 : o.vol);
          if (model.has(k)) continue;
          if (o.kind === 'evict' && model.size > 0) {
            // Evict some existing slot (chosen by vol) for the new key.
            const victims = [...model.keys()];
            const victim = victims[o.vol % victims.length]!;
            const slot = model.get(victim)!.slot;
            model.delete(victim);
            t.replace(slot, k, o.track, 0, 0);
            model.set(k, { slot, track: o.track, vol: 0 });
          } else if (o.kind !== 'evict') {
            model.set(k, { slot: t.add(k, o.track, o.vol, 0), track: o.track, vol: o.vol });
          }
        }
        expect(t.size).toBe(model.size);
        for (const [k, m] of model) {
          expect(t.find(k)).toBe(m.slot);
          expect(t.key(m.slot)).toBe(k);
          expect(t.track(m.slot)).toBe(m.track);
        }
        expect([...t.inOrder()]).toEqual([...model.values()].map((m) => m.slot));
        for (const o of ops) if (!model.has(o.track * 65536 + 7)) expect(t.find(o.track * 65536 + 7)).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });
});
