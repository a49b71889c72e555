// A cable edited during a run: transfers booked after the edit take the new distance.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { withoutInitialFill } from '../../app/model/schema';
import { Engine } from './engine';

function fig1() {
  // Empty volumes: the pairs reach PAIR at once and the RPO compared is the replication lag, not a copy's.
  return withoutInitialFill(loadBuiltIn('fig01-loop-cascade.relaylab.json'));
}

describe('setCable', () => {
  it('a longer relay-to-remote cable raises the async RPO of the running run', () => {
    const e = new Engine(fig1(), { seed: 1 });
    e.startWorkloads();
    e.runUntil(3_000_000);
    const rpo = (x: Engine) => x.snapshot({ running: false, speed: 1, afterSeq: 0 }).pairs.find((p) => p.id === 'pair-async')!.rpoMs ?? 0;
    // RPO = the age of the oldest write not yet applied at the remote (a record applied there no longer counts, even
    // before the primary hears of it): about one CN4 one-way delay, 3 ms at 600 km, 20 ms at 4,000 km.
    expect(rpo(e)).toBeLessThan(8);
    expect(e.command({ type: 'setCable', cableId: 'CN4', distanceKm: 4000 })).toMatchObject({ ok: true });
    e.runUntil(5_000_000);
    expect(rpo(e)).toBeGreaterThan(12);
    expect(e.command({ type: 'setCable', cableId: 'nope', distanceKm: 1 })).toMatchObject({ ok: false, reason: 'no cable nope' });
  });
});
