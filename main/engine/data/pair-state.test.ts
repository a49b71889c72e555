import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PairState } from '../../../app/engine/api';
import {
  PAIR_EVENTS,
  PAIR_OPS,
  allowedOps,
  applyPairEvent,
  applyPairOp,
  downstreamPairs,
  newPairRecord,
  pairedRecord,
  pairsOfGroup,
  pairsSuspendedByTakeover,
  stateSeenFrom,
  toCommandResult,
  type PairEvent,
  type PairRecord,
  type Transition,
} from './pair-state';

function ok(t: Transition): Extract<Transition, { ok: true }> {
  if (!t.ok) throw new Error(`expected success, got refusal: ${t.reason}`);
  return t;
}

describe('pair state machine', () => {
  it('create runs the initial copy, and copy completion brings a sync pair to PAIR, up to date', () => {
    const created = ok(applyPairOp(newPairRecord('sync', 0), 'create', { nowUs: 100 }));
    expect(created.record).toMatchObject({ state: 'COPY', secondaryData: 'inconsistent', copyKind: 'initial', sinceUs: 100 });
    expect(created.effects).toEqual(['setAllBitmap', 'startCopy']);
    const paired = ok(applyPairEvent(created.record, 'copyComplete', { nowUs: 900 }));
    expect(paired.record).toMatchObject({ state: 'PAIR', secondaryData: 'up-to-date', sinceUs: 900, reason: 'initial copy complete' });
  });

  it('a command that does not fit the state is refused, naming the state', () => {
    const result = applyPairOp(pairedRecord('sync', 0), 'resync', { nowUs: 1 });
    expect(result).toEqual({ ok: false, reason: 'resync is not allowed in state PAIR', state: 'PAIR' });
    expect(toCommandResult(result)).toEqual({ ok: false, reason: 'resync is not allowed in state PAIR', state: 'PAIR' });
    expect(applyPairOp(newPairRecord('sync', 0), 'split', { nowUs: 1 })).toMatchObject({ ok: false, state: 'SMPL' });
  });

  it('an async split shows "suspending" while the journal flushes, then PSUS at the primary and SSUS at the secondary', () => {
    const split = ok(applyPairOp(pairedRecord('async', 0), 'split', { nowUs: 50, readWrite: true }));
    expect(split.record).toMatchObject({ state: 'suspending', settlesTo: 'PSUS', secondaryWritable: true });
    expect(split.effects).toContain('flushJournal');
    expect(applyPairOp(split.record, 'resync', { nowUs: 51 })).toMatchObject({ ok: false, reason: 'resync is not allowed in state suspending: wait until the suspend completes' });
    const done = ok(applyPairEvent(split.record, 'suspendDone', { nowUs: 80, consistentAsOfUs: 49 }));
    expect(done.record).toMatchObject({ state: 'PSUS', secondaryData: 'consistent', consistentAsOfUs: 49 });
    expect(done.record.settlesTo).toBeUndefined();
    expect(stateSeenFrom(done.record, 'primary')).toBe('PSUS');
    expect(stateSeenFrom(done.record, 'secondary')).toBe('SSUS');
  });

  it('a cable cut suspends the pair with an error; resync waits for the link, then copies the union of the bitmaps', () => {
    const cut = ok(applyPairEvent(pairedRecord('async', 0), 'linkDown', { nowUs: 10, consistentAsOfUs: 7, detail: 'cable CN4 cut' }));
    expect(cut.record).toMatchObject({ state: 'PSUE', linkUp: false, secondaryData: 'consistent', consistentAsOfUs: 7, reason: 'link down (cable CN4 cut)' });
    expect(cut.effects).toEqual(['recordChangesInBitmaps', 'drainJournal', 'suspendGroup']);
    expect(applyPairOp(cut.record, 'resync', { nowUs: 11 })).toEqual({ ok: false, reason: 'resync needs the link up (state PSUE, link down)', state: 'PSUE' });
    const repaired = ok(applyPairEvent(cut.record, 'linkUp', { nowUs: 20 }));
    expect(repaired.record).toMatchObject({ state: 'PSUE', linkUp: true, sinceUs: 10 });
    expect(repaired.changed).toBe(false);
    const resync = ok(applyPairOp(repaired.record, 'resync', { nowUs: 30 }));
    expect(resync.record).toMatchObject({ state: 'COPY', copyKind: 'differential', secondaryData: 'inconsistent' });
    expect(resync.effects).toEqual(['mergeBitmaps', 'startCopy']);
    expect(ok(applyPairEvent(resync.record, 'copyComplete', { nowUs: 40 })).record.reason).toBe('resync complete');
  });

  it('a cut during the initial copy leaves the secondary inconsistent', () => {
    const copying = ok(applyPairOp(newPairRecord('sync', 0), 'create', { nowUs: 0 })).record;
    const cut = ok(applyPairEvent(copying, 'pathFault', { nowUs: 5 }));
    expect(cut.record).toMatchObject({ state: 'PSUE', secondaryData: 'inconsistent' });
    expect(applyPairOp(cut.record, 'takeover', { nowUs: 6 })).toEqual({
      ok: false,
      reason: 'takeover is not allowed in state PSUE: the secondary is inconsistent: the copy did not complete (force to take over anyway)',
      state: 'PSUE',
    });
  });

  it('a takeover after a split recovers the image of the split, not of the takeover', () => {
    const split = ok(applyPairOp(pairedRecord('sync', 0), 'split', { nowUs: 100 })).record;
    const takeover = ok(applyPairOp(split, 'takeover', { nowUs: 500 }));
    expect(takeover.record).toMatchObject({ state: 'SSWS', secondaryData: 'consistent', consistentAsOfUs: 100 });
    expect(takeover.effects).toEqual(['suspendDownstream']);
  });

  it('takeover is refused while the secondary is inconsistent, unless forced', () => {
    const copying = ok(applyPairOp(newPairRecord('sync', 0), 'create', { nowUs: 0 })).record;
    expect(applyPairOp(copying, 'takeover', { nowUs: 1 })).toEqual({
      ok: false,
      reason: 'takeover is not allowed in state COPY: the secondary is inconsistent while the copy runs (force to take over anyway)',
      state: 'COPY',
    });
    const forced = ok(applyPairOp(copying, 'takeover', { nowUs: 1, force: true }));
    expect(forced.record).toMatchObject({ state: 'SSWS', secondaryData: 'inconsistent' });
    expect(forced.message).toBe('forced takeover: the secondary data is inconsistent');
  });

  it('disaster recovery round trip: takeover, swap-resync, then failback to the original direction', () => {
    const takeover = ok(applyPairOp(pairedRecord('sync', 0), 'takeover', { nowUs: 100 }));
    expect(takeover.record).toMatchObject({ state: 'SSWS', secondaryWritable: true, consistentAsOfUs: 100 });
    expect(takeover.effects).toContain('suspendDownstream');
    expect(applyPairOp(takeover.record, 'resync', { nowUs: 101 })).toMatchObject({ ok: false, state: 'SSWS' });
    expect(applyPairOp(takeover.record, 'failback', { nowUs: 101 })).toMatchObject({ ok: false, reason: expect.stringContaining('run swapResync first') });
    const swapped = ok(applyPairOp(takeover.record, 'swapResync', { nowUs: 200 }));
    expect(swapped.record).toMatchObject({ state: 'COPY', direction: 'reversed' });
    expect(swapped.effects).toEqual(['swapDirection', 'mergeBitmaps', 'startCopy']);
    const reversedPair = ok(applyPairEvent(swapped.record, 'copyComplete', { nowUs: 300 })).record;
    expect(reversedPair).toMatchObject({ state: 'PAIR', direction: 'reversed' });
    const failback = ok(applyPairOp(reversedPair, 'failback', { nowUs: 400 }));
    expect(failback.record).toMatchObject({ state: 'COPY', direction: 'forward' });
    expect(applyPairOp(ok(applyPairEvent(failback.record, 'copyComplete', { nowUs: 500 })).record, 'failback', { nowUs: 501 })).toMatchObject({
      ok: false,
      reason: 'failback is not allowed in state PAIR: the pair already runs in its original direction',
    });
  });

  it('an async pair shows PFUL over the journal threshold and goes PSUE when the journal overflows', () => {
    const full = ok(applyPairEvent(pairedRecord('async', 0), 'journalFull', { nowUs: 10 }));
    expect(full.record.state).toBe('PFUL');
    expect(ok(applyPairEvent(full.record, 'journalBelow', { nowUs: 20 })).record.state).toBe('PAIR');
    const overflow = ok(applyPairEvent(full.record, 'journalOverflow', { nowUs: 60_000_010 }));
    expect(overflow.record).toMatchObject({ state: 'PSUE', reason: 'journal stayed full past the overflow watch' });
    expect(applyPairEvent(pairedRecord('sync', 0), 'journalOverflow', { nowUs: 1 })).toMatchObject({ ok: false, state: 'PAIR' });
  });

  it('delete shows "deleting" until done, then the volumes are independent again', () => {
    const deleting = ok(applyPairOp(pairedRecord('sync', 0), 'delete', { nowUs: 5 }));
    expect(deleting.record).toMatchObject({ state: 'deleting', settlesTo: 'SMPL' });
    expect(applyPairOp(deleting.record, 'split', { nowUs: 6 })).toMatchObject({ ok: false, reason: 'split is not allowed in state deleting: the pair is being deleted' });
    const simplex = ok(applyPairEvent(deleting.record, 'deleteDone', { nowUs: 7 })).record;
    expect(simplex.state).toBe('SMPL');
    expect(allowedOps(simplex, 8)).toEqual(['create']);
  });

  it('a takeover upstream suspends the downstream pair of the cascade', () => {
    const downstream = ok(applyPairEvent(pairedRecord('async', 0), 'upstreamTakeover', { nowUs: 9, consistentAsOfUs: 8, detail: 'pair TC-1' }));
    expect(downstream.record).toMatchObject({ state: 'PSUS', consistentAsOfUs: 8, reason: 'suspended: the upstream pair was taken over (pair TC-1)' });
  });

  it('menus offer only what fits the state', () => {
    expect(allowedOps(pairedRecord('sync', 0), 0)).toEqual(['split', 'takeover', 'delete']);
    const suspended = ok(applyPairOp(pairedRecord('sync', 0), 'split', { nowUs: 0 })).record;
    expect(allowedOps(suspended, 0)).toEqual(['resync', 'takeover', 'delete']);
  });

  it('property: no operation or event ever throws, refusals name the current state, and accepted transitions keep the invariants of the table', () => {
    type Step = { kind: 'op'; op: (typeof PAIR_OPS)[number]; force: boolean; readWrite: boolean } | { kind: 'event'; event: PairEvent };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('op' as const), op: fc.constantFrom(...PAIR_OPS), force: fc.boolean(), readWrite: fc.boolean() }),
      fc.record({ kind: fc.constant('event' as const), event: fc.constantFrom(...PAIR_EVENTS) }),
    );
    // Any state, even an incoherent record, gets an answer and never an exception.
    fc.assert(
      fc.property(fc.constantFrom('sync' as const, 'async' as const), fc.constantFrom(...PairState.options), fc.boolean(), step, (mode, state, linkUp, s) => {
        const record: PairRecord = { ...newPairRecord(mode, 0), state, linkUp };
        const result = s.kind === 'op' ? applyPairOp(record, s.op, { nowUs: 1, force: s.force }) : applyPairEvent(record, s.event, { nowUs: 1 });
        if (!result.ok) expect(result).toMatchObject({ state, reason: expect.stringContaining(state) });
      }),
      { numRuns: 500 },
    );
    // Coherent records reached from SMPL or PAIR keep the invariants of the state table.
    const start = fc.record({ mode: fc.constantFrom('sync' as const, 'async' as const), paired: fc.boolean() });
    fc.assert(
      fc.property(start, fc.array(step, { maxLength: 40 }), (initial, steps) => {
        let record: PairRecord = initial.paired ? pairedRecord(initial.mode, 0) : newPairRecord(initial.mode, 0);
        let now = 0;
        for (const s of steps) {
          now += 1;
          const ctx = { nowUs: now, consistentAsOfUs: now - 1, ...(s.kind === 'op' ? { force: s.force, readWrite: s.readWrite } : {}) };
          const result = s.kind === 'op' ? applyPairOp(record, s.op, ctx) : applyPairEvent(record, s.event, ctx);
          if (!result.ok) {
            expect(result.state).toBe(record.state);
            expect(result.reason).toContain(record.state);
            continue;
          }
          const next = result.record;
          expect(PairState.options).toContain(next.state);
          if (next.state !== record.state) expect(next.sinceUs).toBe(now);
          else expect(next.sinceUs).toBe(record.sinceUs);
          if (next.state === 'COPY') expect(next.secondaryData).toBe('inconsistent');
          if (next.state === 'PAIR' || next.state === 'PFUL') expect(next.secondaryData).not.toBe('inconsistent');
          if (next.state === 'PFUL') expect(next.mode).toBe('async');
          if (next.settlesTo !== undefined) expect(['suspending', 'deleting']).toContain(next.state);
          record = next;
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('pairs that change together', () => {
  const pairs = [
    { id: 'TC-1', primaryVolumeId: 'V11', secondaryVolumeId: 'V12' },
    { id: 'UR-1', primaryVolumeId: 'V22', secondaryVolumeId: 'V31', consistencyGroup: 'CG1' },
    { id: 'UR-2', primaryVolumeId: 'V23', secondaryVolumeId: 'V32', consistencyGroup: 'CG1' },
    { id: 'UR-3', primaryVolumeId: 'V99', secondaryVolumeId: 'V98', consistencyGroup: 'CG2' },
  ];
  // The relay's mapping stack: V12 -> R2 -> V21 -> V22 carry one image.
  const sameImage = (secondary: string, primary: string) => secondary === primary || (secondary === 'V12' && primary === 'V22');

  it('a consistency group suspends together; a pair without a group stands alone', () => {
    expect(pairsOfGroup('UR-1', pairs)).toEqual(['UR-1', 'UR-2']);
    expect(pairsOfGroup('TC-1', pairs)).toEqual(['TC-1']);
    expect(pairsOfGroup('nope', pairs)).toEqual([]);
  });

  it('a takeover of the upstream pair suspends the downstream pair through the relay and its whole group', () => {
    expect(downstreamPairs('TC-1', pairs)).toEqual([]);
    expect(downstreamPairs('TC-1', pairs, sameImage)).toEqual(['UR-1']);
    expect(pairsSuspendedByTakeover('TC-1', pairs, sameImage)).toEqual(['UR-1', 'UR-2']);
  });
});
