// Named regressions of issue 15: each scenario once made a pair claim PAIR (or up to date) over copies that differ.
import { describe, expect, test } from 'vitest';
import { loadBuiltIn, loadFigure } from '../../test/builtins';
import { withoutInitialFill, type Pair, type Topology } from '../../app/model/schema';
import { Engine } from './engine';
import { runSequence, type Action, type Variation } from './properties/harness';
import { withPathGroups, withRelayHosts, withSiblingHosts } from './properties/variations';
import { JournalRt, PairRt, type JournalRecord } from './pairs';
import { supersedeJournaled } from './journal';
import { CacheRt } from './cache';

const DELTA_RESYNC = 'fig01-delta-resync.relaylab.json';
const load = (prefix: string): Topology => withoutInitialFill(loadFigure(prefix));

function quiet(t: Topology, pairs: (p: Topology['pairs'][number]) => Topology['pairs'][number] = (p) => p): Topology {
  return { ...t, hosts: t.hosts.map((h) => ({ ...h, workloads: [] })), pairs: t.pairs.map((p) => pairs({ ...p, initially: 'paired' as const })) };
}

// The takeovers below ask for the S-VOL takeover itself (readWrite: CCI pairsplit -RS, SSWS): these regressions are about SSWS;
// a plain takeover with the primary reachable is a swap-takeover now (failure.test.ts).
describe('a takeover while a sync update is on the wire (prop-long seed 777, run 2,777)', () => {
  test('the replayed counterexample: swap-resync leaves pair-sync PAIR with V12 equal to V11', () => {
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false  };
    const actions: Action[] = [
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 255 },
      { kind: 'pair', index: 0, op: 'takeover', readWrite: true },
      { kind: 'pair', index: 0, op: 'swapResync', readWrite: false },
      { kind: 'fillJournal', index: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 1 },
      { kind: 'write', target: 0, block: 0 },
    ];
    const { violations } = runSequence(load('fig01'), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('the update sent before the takeover is not acknowledged as if on the new primary, and the swap-resync recopies its track', () => {
    const e = new Engine(quiet(load('fig01'), (p) => (p.mode === 'sync' ? { ...p, fence: 'data' } : p)), { seed: 1 });
    let answer: boolean | undefined;
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(1), false, (ok) => (answer = ok)).ok).toBe(true);
    // Stored in V11's cache and sent to V12 over CN2 (60 km: 300 us one way), not yet arrived.
    e.runFor(200);
    expect(e.volumeHash('V11')).not.toBe(e.volumeHash('V12'));
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'swapResync' }).ok).toBe(true);
    e.runUntilSettled(e.nowUs + 60e6);
    const s = e.pairStatus(e.pairs.get('pair-sync')!);
    expect(s.state).toBe('PAIR');
    expect(s.differentialTracks).toBe(0);
    expect(e.volumeHash('V11')).toBe(e.volumeHash('V12'));
    // Fence data: the write never reached the volume that now serves the host, so the host is told it failed.
    expect(answer).toBe(false);
  });
});

describe('deleting one pair of a consistency group', () => {
  test('FIG. 12 with both async pairs in one group: delete pair-async-a while records are in flight, pair-async-b still converges', () => {
    // One group for both fan-out legs, and slow remote links so that records are queued and on the wire at the delete.
    const t = quiet(load('fig12'), (p) => (p.mode === 'async' ? { ...p, consistencyGroup: 'cg-both' } : p));
    const slow = { ...t, cables: t.cables.map((c) => (c.id.startsWith('CN4') ? { ...c, bandwidthMbps: 10 } : c)) };
    const e = new Engine(slow, { seed: 1 });
    for (let i = 0; i < 12; i++) expect(e.hostWrite('host1', 'LU11', i * 262144, new Uint8Array(4096).fill(i + 1), false).ok).toBe(true);
    e.runFor(5_000);
    const b = e.pairs.get('pair-async-b')!;
    expect(e.pairStatus(b).issuedSeq! - e.pairStatus(b).appliedSeq!).toBeGreaterThan(4);
    expect(e.command({ type: 'pair', pairId: 'pair-async-a', op: 'delete' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    const s = e.pairStatus(b);
    expect(e.pairStatus(e.pairs.get('pair-async-a')!).state).toBe('SMPL');
    // Either b keeps replicating and its copies match, or it says it has differences; never PAIR over different copies.
    expect(s.state).toBe('PAIR');
    expect(s.differentialTracks).toBe(0);
    expect(e.volumeHash('V22b')).toBe(e.volumeHash('V21b'));
    // And it keeps replicating afterwards.
    expect(e.hostWrite('host1', 'LU11', 100 * 262144, new Uint8Array(4096).fill(99), false).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.volumeHash('V22b')).toBe(e.volumeHash('V21b'));
  });

  test('re-creating the deleted pair while its old records are still on the wire copies a clean image', () => {
    const t = quiet(load('fig12'), (p) => (p.mode === 'async' ? { ...p, consistencyGroup: 'cg-both' } : p));
    const slow = { ...t, cables: t.cables.map((c) => (c.id.startsWith('CN4') ? { ...c, bandwidthMbps: 10 } : c)) };
    const e = new Engine(slow, { seed: 1 });
    for (let i = 0; i < 8; i++) expect(e.hostWrite('host1', 'LU11', i * 262144, new Uint8Array(4096).fill(i + 1), false).ok).toBe(true);
    e.runFor(5_000);
    expect(e.command({ type: 'pair', pairId: 'pair-async-a', op: 'delete' }).ok).toBe(true);
    e.runFor(2_000);
    expect(e.command({ type: 'pair', pairId: 'pair-async-a', op: 'create' }).ok).toBe(true);
    for (let i = 0; i < 8; i++) expect(e.hostWrite('host1', 'LU11', (i + 4) * 262144, new Uint8Array(4096).fill(50 + i), false).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 600e6)).toBe(true);
    for (const id of ['pair-async-a', 'pair-async-b']) expect(e.pairStatus(e.pairs.get(id)!).state).toBe('PAIR');
    expect(e.volumeHash('V22a')).toBe(e.volumeHash('V21a'));
    expect(e.volumeHash('V22b')).toBe(e.volumeHash('V21b'));
  });
});

describe('a cascade leg suspended while a write is between the relay\'s cache and the next leg', () => {
  test('the replayed counterexample (prop-long seed 777 after the first fix): pair-async PAIR with V21 equal to V22', () => {
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false  };
    const actions: Action[] = [
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 519 },
      { kind: 'pair', index: 0, op: 'takeover', readWrite: true },
      { kind: 'failSite', index: 1 },
      { kind: 'fillJournal', index: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 108 },
      { kind: 'write', target: 0, block: 0 },
    ];
    const { violations } = runSequence(load('fig01'), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('FIG. 1: stored at S14 (so V21 changed), then pair-async suspends and the relay fails before the loop hand-down reaches V21', () => {
    const e = new Engine(quiet(load('fig01')), { seed: 1 });
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(3), true).ok).toBe(true);
    while (!e.stepEvents(0).some((s) => s.step === 'S14')) expect(e.stepToNextStepEvent()).toBeDefined();
    expect(e.volumeHash('V21')).not.toBe(e.volumeHash('V22'));
    expect(e.stepEvents(0).some((s) => s.step === 'S31')).toBe(false);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(e.command({ type: 'failSite', siteId: 'site-relay' }).ok).toBe(true);
    e.runFor(10_000);
    expect(e.command({ type: 'restoreSite', siteId: 'site-relay' }).ok).toBe(true);
    const async = e.pairs.get('pair-async')!;
    expect(e.pairStatus(async).state).toBe('PSUE');
    // The change is recorded, so the resync sends it.
    expect(e.pairStatus(async).differentialTracks).toBeGreaterThan(0);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'resync' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairStatus(async).state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });

  test('FIG. 1: pair-async suspended and swapped before the loop hand-down reaches V21: the swap-resync recopies the track', () => {
    // A slow loop cable (1 Mbit/s: 33 ms for 4 KiB) leaves time to split, take over and swap before the hand-down lands.
    const t = quiet(load('fig01'));
    const e = new Engine({ ...t, cables: t.cables.map((c) => (c.id === 'CN3' ? { ...c, bandwidthMbps: 1 } : c)) }, { seed: 1 });
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(3), true).ok).toBe(true);
    while (!e.stepEvents(0).some((s) => s.step === 'S14')) expect(e.stepToNextStepEvent()).toBeDefined();
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' }).ok).toBe(true);
    // The sync update's answer is back (no update of pair-sync on its way), the loop write is not at V21 yet.
    e.runFor(2_000);
    expect(e.stepEvents(0).some((s) => s.step === 'S31')).toBe(false);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'swapResync' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    const async = e.pairStatus(e.pairs.get('pair-async')!);
    expect(async.state).toBe('PAIR');
    expect(e.volumeHash('V21')).toBe(e.volumeHash('V22'));
  });
});

describe('two pairs writing into the same bytes (prop-long seed 777, third counterexample)', () => {
  test('the replayed counterexample: takeovers, swap-resync of pair-async, failback of pair-sync', () => {
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false  };
    const actions: Action[] = [
      { kind: 'pair', index: 0, op: 'takeover', readWrite: true },
      { kind: 'pair', index: 7, op: 'takeover', readWrite: true },
      { kind: 'pair', index: 1, op: 'swapResync', readWrite: false },
      { kind: 'pair', index: 0, op: 'failback', readWrite: false },
      { kind: 'fillJournal', index: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 1 },
      { kind: 'write', target: 0, block: 0 },
    ];
    const { violations } = runSequence(load('fig01'), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('FIG. 1: swap-resync of pair-async would overwrite V12 while it serves the host after a takeover (SSWS): refused', () => {
    const e = new Engine(quiet(load('fig01')), { seed: 1 });
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover', readWrite: true }).ok).toBe(true);
    const r = e.command({ type: 'pair', pairId: 'pair-async', op: 'swapResync' });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toContain('pair-sync');
  });

  test('FIG. 1: swapping pair-async into V21 while pair-sync\'s failback is under way (it replicates into V12 = V21 when done) is refused', () => {
    const e = new Engine(quiet(load('fig01')), { seed: 1 });
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    // pair-sync's failback first: V12 -> V11 while copying, V11 -> V12 (into V21's bytes) once done.
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'failback' }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover', readWrite: true }).ok).toBe(true);
    const r = e.command({ type: 'pair', pairId: 'pair-async', op: 'swapResync' });
    expect(r.ok).toBe(false);
    e.runUntilSettled(e.nowUs + 60e6);
    for (let i = 0; i < 4; i++) e.hostWrite('host1', 'LU11', i * 262144, new Uint8Array(4096).fill(i + 1), false);
    e.runUntilSettled(e.nowUs + 60e6);
    for (const p of e.pairs.values()) {
      const s = e.pairStatus(p);
      if (s.state === 'PAIR') expect(e.volumeHash(p.secondaryId), p.id).toBe(e.volumeHash(p.primaryId));
    }
  });
});

describe('a failback interrupted by a fault and finished by auto-resync (prop-long seed 777, run 9,346 with multi-pair groups)', () => {
  test('the replayed counterexample: pair-async swapped meanwhile must not end up the target of pair-sync', () => {
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: true, grouping: 'as-filed'  };
    const actions: Action[] = [
      { kind: 'pair', index: 0, op: 'takeover', readWrite: true },
      { kind: 'failSite', index: 0 },
      { kind: 'pair', index: 0, op: 'failback', readWrite: false },
      { kind: 'run', us: 1 },
      { kind: 'pair', index: 7, op: 'takeover', readWrite: true },
      { kind: 'pair', index: 3, op: 'swapResync', readWrite: false },
      { kind: 'restoreSite', index: 0 },
      { kind: 'run', us: 1 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
    ];
    const { violations } = runSequence(load('fig01'), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('a pair deleted during its failback is created again in its original direction', () => {
    const e = new Engine(quiet(load('fig01')), { seed: 1 });
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'failback' }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'delete' }).ok).toBe(true);
    e.runFor(10_000);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'create' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    const p = e.pairs.get('pair-sync')!;
    expect(e.pairStatus(p).state).toBe('PAIR');
    expect(p.secondaryId).toBe('V12');
  });
});

describe('delta resync of a pair whose kept writes do not cover what the remote lacks (prop-long seed 4242)', () => {
  function loadDelta(): Topology {
    return withoutInitialFill(loadBuiltIn(DELTA_RESYNC));
  }

  test('the replayed counterexample: pair-async delta-resynchronised back from HOLD, PAIR with V21 unequal to V22', () => {
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.1, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed'  };
    // Cable 9 % 6 = CN3 (the relay's loop), system 1 = sys10 (local), pair 5 % 3 = pair-delta, 4 % 3 = pair-async.
    const actions: Action[] = [
      { kind: 'cutCable', index: 9 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 150 },
      { kind: 'pair', index: 5, op: 'deltaResync', readWrite: false },
      { kind: 'failSystem', index: 1 },
      { kind: 'run', us: 1 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'pair', index: 4, op: 'deltaResync', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'pair', index: 0, op: 'create', readWrite: false },
    ];
    const { violations } = runSequence(loadDelta(), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('a relay leg that stood aside kept no writes, and a standby with tracks in its bitmap kept too few: both copy in full', () => {
    const e = new Engine(quiet(loadDelta()), { seed: 1 });
    e.runFor(100_000); // the standby is HOLD once its journal is set up with the remote (HOLDING before)
    // The loop is cut: the write changes V21's bytes at S14 in V12, pair-async suspends with the track in its bitmap.
    expect(e.command({ type: 'cutCable', cableId: 'CN3' }).ok).toBe(true);
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(7), false).ok).toBe(true);
    e.runFor(2_000);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PSUE');
    expect(e.volumeHash('V21')).not.toBe(e.volumeHash('V22'));
    // pair-delta takes over the remote (pair-async stands by in HOLD); the local system fails before its record lands.
    const first = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(first.ok && first.message).toMatch(/1 record\(s\) the remote lacks/);
    expect(e.command({ type: 'failSystem', systemId: 'sys10' }).ok).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('HOLD');
    // pair-async kept nothing while in HOLD: its delta resync must not claim PAIR over the missing write.
    const back = e.command({ type: 'pair', pairId: 'pair-async', op: 'deltaResync' });
    expect(back.ok && back.message).toMatch(/no delta-resync standby.*full copy/);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('COPY');
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
    // pair-delta is HOLD again with its dropped record as a bitmap track: its next delta resync copies in full too.
    expect(e.command({ type: 'restoreSystem', systemId: 'sys10' }).ok).toBe(true);
    expect(e.command({ type: 'cutCable', cableId: 'CN4' }).ok).toBe(true);
    const again = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(again.ok && again.message).toMatch(/recorded only in its bitmap.*full copy/);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-delta')!).state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });
});

describe('delta resync after a copy replaced the remote\'s image while the standby stood by', () => {
  test('pair-delta replicated W to V22; pair-async\'s full copy from V21 (which lacks W: pair-sync split) replaced it; pair-delta\'s next delta resync copies in full', () => {
    const delta = loadBuiltIn(DELTA_RESYNC);
    const e = new Engine(quiet(withoutInitialFill(delta)), { seed: 1 });
    // The standby starts HOLDING (its journal set up with the remote over its cable), then HOLD.
    e.runFor(100_000);
    expect(e.pairStatus(e.pairs.get('pair-delta')!).state).toBe('HOLD');
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' }).ok).toBe(true);
    expect(e.command({ type: 'cutCable', cableId: 'CN4' }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' }).ok).toBe(true);
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(5), false).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
    expect(e.volumeHash('V21')).not.toBe(e.volumeHash('V11'));
    // The relay leg comes back by its own delta resync (a full copy: it kept nothing): V22 = V21 again, without W.
    expect(e.command({ type: 'pair', pairId: 'pair-delta', op: 'split' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.command({ type: 'restoreCable', cableId: 'CN4' }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'deltaResync' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-delta')!).state).toBe('HOLD');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
    // The relay is lost again: pair-delta kept no write since it stood by, yet V22 lacks W.
    expect(e.command({ type: 'cutCable', cableId: 'CN4' }).ok).toBe(true);
    const again = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(again.ok && again.message).toMatch(/copied into V22.*full copy/);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-delta')!).state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });
});

describe('the model\'s fence check follows the pairs\' current direction (prop-long seed 4242, after the delta-resync fix)', () => {
  test('swap-resync, relay site lost (V12 fenced), takeover to V11: the host\'s writes to V11 are not writes to the fenced V12', () => {
    const delta = loadBuiltIn(DELTA_RESYNC);
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed'  };
    // Site 1 = site-relay, site 0 = site-local; pair 0 = pair-sync.
    const actions: Action[] = [
      { kind: 'pair', index: 0, op: 'takeover', readWrite: false },
      { kind: 'pair', index: 0, op: 'swapResync', readWrite: false },
      { kind: 'settle' },
      { kind: 'failSite', index: 1 },
      { kind: 'pair', index: 0, op: 'takeover', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'pair', index: 0, op: 'create', readWrite: false },
      { kind: 'failSite', index: 0 },
      { kind: 'run', us: 1 },
    ];
    const { violations } = runSequence(withoutInitialFill(delta), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('the engine: V12 fenced as the swapped P-VOL, V11 took over (SSWS) and takes the host\'s write, V12 is not written', () => {
    const e = new Engine(quiet(load('fig01'), (p) => (p.mode === 'sync' ? { ...p, fence: 'data' } : p)), { seed: 1 });
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'swapResync' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.command({ type: 'failSite', siteId: 'site-relay' }).ok).toBe(true);
    const p = e.pairs.get('pair-sync')!;
    expect([p.primaryId, p.fenced]).toEqual(['V12', true]);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    const v12 = e.volumeHash('V12');
    let answer: boolean | undefined;
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(9), false, (ok) => (answer = ok)).ok).toBe(true);
    e.runFor(10_000);
    expect(answer).toBe(true);
    expect(e.volumeHash('V12')).toBe(v12);
    expect(e.volumeHash('V11')).not.toBe(v12);
  });
});

describe('a failback of the delta-resync standby into V11 rolls pair-sync\'s primary back (prop-long seed 1)', () => {
  const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed'  };
  // Cable 9 % 6 = CN3 (loop), cable 0 = CN1 (host), system 0 = sys20 (relay); pair 5 % 3 = pair-delta.
  const actions: Action[] = [
    { kind: 'cutCable', index: 9 },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'settle' },
    { kind: 'pair', index: 5, op: 'deltaResync', readWrite: false },
    { kind: 'pair', index: 5, op: 'takeover', readWrite: false },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'run', us: 1427 },
    { kind: 'pair', index: 5, op: 'failback', readWrite: false },
    { kind: 'cutCable', index: 0 },
    { kind: 'settle' },
    { kind: 'failSystem', index: 0 },
    { kind: 'settle' },
    { kind: 'write', target: 0, block: 0 },
  ];
  function loadDelta(): Topology {
    return withoutInitialFill(loadBuiltIn(DELTA_RESYNC));
  }

  test('the replayed counterexample: the model restarts pair-sync\'s history where its primary was overwritten', () => {
    const { violations } = runSequence(loadDelta(), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('the engine: the write made to V11 after V22 took over is undone by the failback, on V11 and on V12 alike', () => {
    const e = new Engine(quiet(loadDelta()), { seed: 1 });
    expect(e.command({ type: 'cutCable', cableId: 'CN3' }).ok).toBe(true);
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(1), false).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-delta', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(2), false).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-delta')!).state).toBe('SSWS');
    expect(e.stack.read('V22', 0, 1)[0]).toBe(1);
    expect(e.stack.read('V12', 0, 1)[0]).toBe(2);
    expect(e.command({ type: 'pair', pairId: 'pair-delta', op: 'failback' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-delta')!).state).toBe('PAIR');
    expect(e.pairStatus(e.pairs.get('pair-sync')!).state).toBe('PAIR');
    for (const v of ['V11', 'V12']) expect(e.stack.read(v, 0, 1)[0], v).toBe(1);
    expect(e.volumeHash('V12')).toBe(e.volumeHash('V11'));
  });
});

describe('writes held back by inflow control when their pair is deleted (prop-long seed 2)', () => {
  test('the replayed counterexample: pair-async re-created after a delete with a held write, PAIR with V21 unequal to V22', () => {
    const delta = loadBuiltIn(DELTA_RESYNC);
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed'  };
    // Pair 1 and 4 % 3 = pair-async; system 0 = sys20.
    const actions: Action[] = [
      { kind: 'fillJournal', index: 1 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 677 },
      { kind: 'pair', index: 4, op: 'delete', readWrite: false },
      { kind: 'run', us: 1000 },
      { kind: 'pair', index: 1, op: 'create', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'restoreSystem', index: 0 },
      { kind: 'run', us: 1 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 1 },
    ];
    const { violations } = runSequence(withoutInitialFill(delta), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('FIG. 1: the held hand-down is released by the delete, and the re-created pair journals its writes again', () => {
    const e = new Engine(quiet(load('fig01')), { seed: 1 });
    expect(e.command({ type: 'fillJournal', pairId: 'pair-async' }).ok).toBe(true);
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(1), false).ok).toBe(true);
    e.runFor(5_000);
    const j = e.pairs.get('pair-async')!.journal!;
    expect(j.held.length).toBe(1);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'delete' }).ok).toBe(true);
    expect(j.held.length).toBe(0);
    e.runFor(2_000);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'create' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PAIR');
    // In PAIR a write is journaled and applied, not held behind the deleted pair's write.
    let answer: boolean | undefined;
    expect(e.hostWrite('host1', 'LU11', 262144, new Uint8Array(4096).fill(2), false, (ok) => (answer = ok)).ok).toBe(true);
    e.runFor(20_000);
    expect(answer).toBe(true);
    expect(j.held.length).toBe(0);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });
});

describe('a failback into FIG. 12\'s shared bytes rolls the sibling\'s primary back (prop-long seed 4243)', () => {
  test('the replayed counterexample: the model restarts pair-async-b\'s observed order where V21b went back to an older write', () => {
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: true, grouping: 'one-group'  };
    // Block 12 % 10 = 2; site 2 = site-remotea; system 0 = sys20; pair 0 = pair-sync, 4 % 3 = 1 = pair-async-a.
    const actions: Action[] = [
      { kind: 'write', target: 0, block: 12 },
      { kind: 'run', us: 1914 },
      { kind: 'failSite', index: 2 },
      { kind: 'restoreSystem', index: 0 },
      { kind: 'write', target: 0, block: 12 },
      { kind: 'settle' },
      { kind: 'pair', index: 0, op: 'delete', readWrite: false },
      { kind: 'pair', index: 4, op: 'takeover', readWrite: false },
      { kind: 'pair', index: 1, op: 'failback', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 1 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 1 },
      { kind: 'run', us: 1 },
    ];
    const { violations } = runSequence(load('fig12'), variation, 0, actions);
    expect(violations).toEqual([]);
  });
});

describe('delta resync after writes that reached the remote inside the initial copy', () => {
  test('a write carried to V22 by the relay leg\'s initial copy is not replayed by a delta resync over a newer write to the same block', () => {
    // As shipped: the pairs are created (initial copies) and the host writes from the start. Its first writes reach
    // V22 inside pair-async's initial copy, never as journal records; the standby used to keep them for ever (only an
    // applied record was forgotten), and the delta resync wrote their stale bytes over newer writes: 4 tracks differed.
    const delta = loadBuiltIn(DELTA_RESYNC);
    const e = new Engine({ ...delta, scenario: undefined }, { seed: 1 });
    e.startWorkloads();
    e.runUntil(10_000_000);
    expect(e.command({ type: 'failSystem', systemId: 'sys20' }).ok).toBe(true);
    e.runUntil(11_000_000);
    if (e.pairs.get('pair-sync')!.fenced) expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'liftFence' }).ok).toBe(true);
    const r = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(r.ok && r.message).toMatch(/record\(s\) the remote lacks/);
    e.runUntil(14_000_000);
    e.workloadsStopUs = e.nowUs;
    expect(e.runUntilSettled(e.nowUs + 600e6)).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-delta')!).state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });
});

describe('failback while a write forwarded during its copy is still on the way (prop-long seed 4242)', () => {
  test('the roles swap back only once the update has landed: PAIR never stands over V11 unequal to V12', () => {
    // FIG. 1 + 3DC, fence data, slow CN2 (bandwidth x0.01: a copied track takes ~14 ms on the wire). Swap-takeover to
    // V12, S-VOL takeover back at V11 (SSWS), a write to V11, failback: V11 -> V12 copies the track; a write to V11
    // during that copy is forwarded behind it. The failback's completion swapped the roles at once, which dropped
    // that update (its generation gone) and left pair-sync PAIR with V12 lacking the write.
    const delta = loadBuiltIn(DELTA_RESYNC);
    const variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed', paths: false } as Variation;
    const actions: Action[] = [
      { kind: 'pair', index: 0, op: 'takeover', readWrite: false },
      { kind: 'pair', index: 0, op: 'takeover', readWrite: true },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'settle' },
      { kind: 'pair', index: 0, op: 'failback', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'settle' },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 1 },
    ];
    const { violations } = runSequence(withoutInitialFill(delta), variation, 0, actions);
    expect(violations).toEqual([]);
  });
});

describe('failback of a swapped sync leg after the relay leg swapped too (prop-long seed 777777)', () => {
  test('refused, naming the relay leg: V12 would become pair-sync\'s secondary while its bytes are pair-async\'s secondary V21', () => {
    // Swap-takeover of pair-sync (V12 -> V11), then of pair-async (V22 -> V21): V21 (V12's bytes, through R2) is now
    // pair-async's secondary. Failing pair-sync back made V12 its secondary too, so V11's writes landed in V21 through
    // the loop and pair-async showed PAIR with V21 unequal to V22.
    const variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed', paths: false } as Variation;
    const actions: Action[] = [
      { kind: 'pair', index: 0, op: 'takeover', readWrite: false },
      { kind: 'pair', index: 3, op: 'takeover', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'pair', index: 0, op: 'create', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'pair', index: 0, op: 'failback', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
    ];
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json')), variation, 0, actions);
    expect(violations).toEqual([]);

    const t = withoutInitialFill(loadFigure('fig01'));
    const e = new Engine({ ...t, hosts: t.hosts.map((h) => ({ ...h, workloads: [] })), pairs: t.pairs.map((p) => ({ ...p, initially: 'paired' as const })) }, { seed: 1 });
    e.runFor(10_000);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' }).ok).toBe(true);
    e.runFor(10_000);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover' }).ok).toBe(true);
    e.runUntilSettled(e.nowUs + 60e6);
    const r = e.command({ type: 'pair', pairId: 'pair-sync', op: 'failback' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/V21, the secondary of pair pair-async/);
  });
});

describe('a write kept by a delta-resync standby does not land beyond it (the property check, prop-long seed 777777)', () => {
  const variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed', paths: false } as Variation;
  const swapBoth: Action[] = [
    { kind: 'pair', index: 0, op: 'takeover', readWrite: false },
    { kind: 'pair', index: 4, op: 'takeover', readWrite: false },
  ];
  /** CN2 cut (pair-sync's V12 fenced), two writes to V11, then V11 takes over and the local site fails. */
  const cutWriteTakeOver: Action[] = [
    { kind: 'cutCable', index: 1 },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'settle' },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'pair', index: 0, op: 'takeover', readWrite: false },
    { kind: 'failSite', index: 0 },
  ];

  test('after swaps of both legs and a cut, a write V11 takes over is not counted as reaching the fenced V12 through HOLD pair-delta', () => {
    // pair-sync swapped (V12 -> V11) and fenced by the cut of CN2, pair-async swapped (V22 -> V21). The host's write
    // to V11, acknowledged after V11 took over (SSWS), was followed by the check through pair-delta (V11 -> V22, HOLD)
    // and on through V22 -> V21 = V12: a standby keeps writes and sends none, so that is no landing.
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), variation, 0, [...swapBoth, ...cutWriteTakeOver]);
    expect(violations).toEqual([]);
    // The write did not reach V12 (V12 still differs from V11, which took the write).
    expect(engine!.volumeHash('V12')).not.toBe(engine!.volumeHash('V11'));
  });

  test('with pair-delta delta-resynchronised (V11 -> V22 -> V21 = V12, the cascade reversed), the async hops acknowledge at their journals, not at the fenced V12', () => {
    const deltaResync: Action[] = [
      { kind: 'run', us: 116 },
      { kind: 'pair', index: 5, op: 'deltaResync', readWrite: false },
    ];
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), variation, 0, [...swapBoth, ...deltaResync, ...cutWriteTakeOver]);
    expect(violations).toEqual([]);
  });
});

describe('a copied track still on the wire when the second path of the group comes back (prop-long seed 5150)', () => {
  // FIG. 1's journal-sizing exercise with twin pairs in consistency groups and two-path groups. CN4.twin is cut, the
  // journal fills and the async leg suspends; the site restore brings CN4.twin back and resyncs: the copy sends the
  // written track on CN4.twin.path2 (then the only path up; at 1% bandwidth a 256 KiB track is ~92 ms on the wire).
  // A new write to that track is journaled (the copy has sent it) and its record took CN4.twin, round robin: it landed
  // first and the copy's older bytes landed over it, so pair-async.twin went PAIR with V22.twin != V21.twin.
  const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: true, grouping: 'twins', paths: true  };
  const actions: Action[] = [
    { kind: 'cutCable', index: 9 },
    { kind: 'fillJournal', index: 3 },
    { kind: 'write', target: 3, block: 9 },
    { kind: 'run', us: 20000 },
    { kind: 'settle' },
    { kind: 'restoreSite', index: 0 },
    { kind: 'run', us: 1 },
    { kind: 'write', target: 3, block: 9 },
  ];

  test('the journal record follows the copied track onto its path, and the pair reaches PAIR over equal copies', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json')), variation, 0, actions);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-async.twin')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V22.twin')).toBe(engine!.volumeHash('V21.twin'));
  });

  test('FIG. 11 (prop-long seed 8086): a sync update of a track whose copy is on the wire follows it, and pair-sync goes PAIR over equal copies', () => {
    // The local system fails and comes back (its pairs resync: the copy sends block 0's track on CN2, then the only
    // path up, its second path cut); the host rewrites block 0 while the track is on the wire.
    const v: Variation = { ...variation, fence: 'never', grouping: 'as-filed' };
    const fig11: Action[] = [
      { kind: 'failSystem', index: 0 },
      { kind: 'cutCable', index: 3 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'settle' },
      { kind: 'restoreSystem', index: 0 },
      { kind: 'write', target: 0, block: 1 },
      { kind: 'run', us: 1 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'cutCable', index: 7 },
      { kind: 'write', target: 0, block: 0 },
    ];
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig11-internal-real-volume.relaylab.json')), v, 0, fig11);
    expect(violations).toEqual([]);
    expect(engine!.volumeHash('V12')).toBe(engine!.volumeHash('V11'));
  });
});

describe('a sync update across a track boundary whose two tracks are on the wire on different paths (prop-long --straddle seed 4242)', () => {
  // FIG. 1's journal-sizing exercise with two-path groups; the host writes 4 KiB across the boundary of tracks 27 and 28
  // (2 KiB each side), pair-sync is deleted and made again; during its initial copy the host writes those bytes again.
  // The copy sent track 27 on one path and 28 on the other (round robin); the update could follow only one of them: it
  // took 27's path, landed before 28's copy, and the copy's older bytes went over its second half: pair-sync said PAIR
  // with V11 != V12 (track 28). The array's track lock holds the update until the older transfers are answered.
  const variation: Variation = { distanceScale: 10, bandwidthScale: 0.1, fence: 'never', initially: 'paired', journalBytes: 64 * 2 ** 30, autoResync: true, grouping: 'as-filed', paths: true, writes: 'straddling' };
  const actions: Action[] = [
    { kind: 'write', target: 0, block: 0 },
    { kind: 'write', target: 0, block: 9 },
    { kind: 'pair', index: 0, op: 'delete', readWrite: false },
    { kind: 'settle' },
    { kind: 'pair', index: 0, op: 'create', readWrite: true },
    { kind: 'write', target: 0, block: 9 },
  ];

  test('the update waits for the track lock, and pair-sync reaches PAIR over equal copies', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json')), variation, 0, actions);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-sync')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V12')).toBe(engine!.volumeHash('V11'));
  });
});

describe('a journal record across a track boundary whose two tracks\' copies are on the wire on different paths (prop-long --straddle seed 4242)', () => {
  // FIG. 1's local-disaster exercise, one consistency group, two-path groups: the remote system fails and the host writes
  // across tracks 15-16; when it comes back, auto-resync copies both tracks (one per path, round robin) and the host
  // writes those bytes again: journaled (the copy has sent them), the record took track 15's path and applied before
  // track 16's copy landed with the older bytes. pair-async said PAIR with V21 != V22 (track 16).
  test('the record waits until both copies are answered, and pair-async reaches PAIR over equal copies', () => {
    const variation: Variation = { distanceScale: 0.1, bandwidthScale: 1, fence: 'never', initially: 'paired', journalBytes: 64 * 2 ** 30, autoResync: true, grouping: 'one-group', paths: true, writes: 'straddling' };
    const actions: Action[] = [
      { kind: 'failSystem', index: 3 },
      { kind: 'write', target: 0, block: 10 },
      { kind: 'write', target: 0, block: 5 },
      { kind: 'run', us: 30834 },
      { kind: 'write', target: 0, block: 5 },
    ];
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-local-disaster.relaylab.json')), variation, 37783, actions);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-async')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V21'));
  });
});

describe('writes across a track boundary under cache pressure (prop-long --straddle --load seed 5151)', () => {
  // 6 KiB writes (half of them across two 256 KiB tracks) at 10,000 IOPS over 1 MiB caches (4 slots, 2 may be dirty).
  // A write took its slots one track at a time: two writes each holding one dirty slot and waiting for a second held
  // the whole dirty allowance and neither could go on; no destage was left to free one: 0 events pending, 210 writes
  // waiting for ever. A write now takes all its slots at once or none.
  test('FIG. 1 under sustained load settles with every write answered', () => {
    const variation: Variation = { distanceScale: 10, bandwidthScale: 1, fence: 'never', initially: 'create', journalBytes: 65536, autoResync: true, grouping: 'twins', paths: false, load: { iops: 10_000, hotspotFraction: 0.0005, cacheBytes: 2 ** 20, blockBytes: 6144 }, writes: 'straddling' };
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json')), variation, 4785, [{ kind: 'run', us: 100_846 }]);
    expect(violations).toEqual([]);
    expect(engine!.activeFlows).toBe(0);
  });

  test('a cache takes a write\'s slots all at once: not while only some are free, and every one when they are', () => {
    const c = new CacheRt('C', 'sys', 4 * 256 * 1024, 256 * 1024, ['V'], 0.5); // 4 slots, 2 may be dirty
    expect(c.store('V', 0, 0)).toBe(1);
    expect(c.canStore('V', 1, 2, 0)).toBe(false); // two more dirty slots: over the allowance
    expect(c.canStore('V', 0, 1, 0)).toBe(true); // track 0 is dirty already: one more
    expect(c.storeAll('V', 0, 1, 0)).toEqual([2, 1]);
    expect(c.canStore('V', 2, 2, 0)).toBe(false);
    // A writer for tracks 2-3 waits; while it does, a writer for any track queues behind it (no overtaking one slot at a time).
    c.enqueue({ wake: (): void => undefined, ready: (): boolean => false }, 'V', 2, 3);
    expect(c.isWaitedFor('V', 0)).toBe(true);
    c.dequeue();
    expect(c.isWaitedFor('V', 0)).toBe(false);
  });

  test('FIG. 1 with path groups: updates held by the track lock do not hold each other for ever', () => {
    // The first track-lock version counted a held update's tracks as in flight: held updates then held each other with
    // nothing on the wire (41 writes waiting, 0 events pending).
    const variation: Variation = { distanceScale: 10, bandwidthScale: 4, fence: 'status', initially: 'create', journalBytes: 2 ** 20, autoResync: false, grouping: 'twins', paths: true, load: { iops: 2000, hotspotFraction: 0.0005, cacheBytes: 2 ** 20, blockBytes: 6144 }, writes: 'straddling' };
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), variation, 3, [{ kind: 'run', us: 85_050 }]);
    expect(violations).toEqual([]);
    expect(engine!.activeFlows).toBe(0);
  });
});

describe('a cable shortened by a live edit while a copied track is on it (prop-long --edits)', () => {
  // FIG. 1: pair-sync split, block 0 written, resync: the copy sends track 0 over CN2 (60 km, ~430 us on the wire). The
  // architect shortens CN2 to 100 m meanwhile and the host writes block 0 again: forwarded (the copy has sent the track),
  // the update arrived ~250 us before the copy, whose older bytes then went over it. PAIR with V11 != V12. A transfer
  // never arrives before one booked earlier in the same direction of the same cable.
  const variation: Variation = { distanceScale: 1, bandwidthScale: 1, fence: 'never', initially: 'paired', journalBytes: 64 * 2 ** 30, autoResync: false, grouping: 'as-filed', paths: false };
  const actions = (distanceKm: number): Action[] => [
    { kind: 'write', target: 0, block: 0 },
    { kind: 'run', us: 5000 },
    { kind: 'pair', index: 0, op: 'split', readWrite: false },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'run', us: 5000 },
    { kind: 'pair', index: 0, op: 'resync', readWrite: false },
    { kind: 'run', us: 10 },
    { kind: 'editCable', index: 1, distanceKm, bandwidthMbps: 16_000 },
    { kind: 'write', target: 0, block: 0 },
  ];

  test('the update lands after the copy, and pair-sync reaches PAIR over equal copies', () => {
    const { violations, engine } = runSequence(load('fig01'), variation, 1, actions(0.1));
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-sync')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V12')).toBe(engine!.volumeHash('V11'));
  });

  test('the edit applies to transfers booked after it: a write on the shortened cable is answered sooner', () => {
    const e = new Engine(quiet(load('fig01')), { seed: 1 });
    expect(e.runUntilSettled(1e9)).toBe(true);
    const latency = (): number => {
      const before = e.hostTotals()[0]!.writesAcked;
      const t0 = e.nowUs;
      e.command({ type: 'hostWrite', hostId: 'host1', luId: 'LU11', offsetBytes: 0, lengthBytes: 4096 });
      while (e.hostTotals()[0]!.writesAcked === before) e.runFor(10);
      return e.nowUs - t0;
    };
    const at60 = latency();
    e.command({ type: 'setCable', cableId: 'CN2', distanceKm: 0.1 });
    const atShort = latency();
    // 60 km there and back twice (two round trips per write) is ~1.2 ms of the 60 km latency.
    expect(at60 - atShort).toBeGreaterThan(1000);
  });
});

describe('a host at the remote site writing the S-VOL of a delta-resync standby (prop-long --remote seed 2727)', () => {
  // FIG. 1 + 3DC with a host at the remote site (Variation.remoteHosts): pair-async (relay -> remote) deleted, the remote
  // host writes V22, which was then the secondary of the standby pair-delta only (HOLD: not "paired", so nothing
  // protected it); the delta resync sent only what the standby kept and said PAIR with V11 != V22. The pair-rules table
  // says a standby's S-VOL refuses writes; the engine now applies it.
  const variation: Variation = { distanceScale: 0.1, bandwidthScale: 1, fence: 'never', initially: 'paired', journalBytes: 2 ** 20, autoResync: false, grouping: 'one-group', paths: false, remoteHosts: true };
  const actions: Action[] = [
    { kind: 'pair', index: 1, op: 'delete', readWrite: true },
    { kind: 'run', us: 162_179 },
    { kind: 'write', target: 1, block: 4 },
    { kind: 'settle' },
    { kind: 'pair', index: 2, op: 'deltaResync', readWrite: false },
  ];

  test('the write is refused, and the delta resync ends PAIR over equal copies', () => {
    const { violations, engine, stats } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-delta-resync.relaylab.json')), variation, 803_786, actions);
    expect(violations).toEqual([]);
    expect(stats.writesFailed).toBe(1);
    expect(engine!.pairs.get('pair-delta')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V11'));
  });

  test('a remote written while the relay leg was split read/write: the delta resync falls back to a full copy (prop-long --remote seed 3939)', () => {
    // The split with S-VOL write enabled let the remote host write V22 (recorded in pair-async's S-VOL bitmap); the
    // delta resync sent only the standby's kept writes and said PAIR with V11 != V22.
    const v: Variation = { distanceScale: 1, bandwidthScale: 0.1, fence: 'never', initially: 'paired', journalBytes: 2 ** 20, autoResync: true, grouping: 'as-filed', paths: false, writes: 'straddling', remoteHosts: true };
    const acts: Action[] = [
      { kind: 'pair', index: 1, op: 'split', readWrite: true },
      { kind: 'write', target: 1, block: 0 },
      { kind: 'run', us: 185_868 },
      { kind: 'pair', index: 2, op: 'deltaResync', readWrite: true },
    ];
    const { violations, engine, stats } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), v, 309_114, acts);
    expect(stats.writesAcked).toBeGreaterThanOrEqual(1);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-delta')!.copiesCompleted).toBe(1);
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V11'));
  });

  test('a remote written after a takeover of the relay leg, which was then swap-resynced: the delta resync falls back to a full copy (prop-long --remote seed 5050)', () => {
    // After the swap, V22 is pair-async's primary: no relay leg has V22 as secondary, so nothing in the pairs told the
    // standby that V22 had changed; the host's writes to it now do.
    const v: Variation = { distanceScale: 0.1, bandwidthScale: 0.01, fence: 'never', initially: 'paired', journalBytes: 64 * 2 ** 30, autoResync: true, grouping: 'as-filed', paths: false, writes: 'straddling', remoteHosts: true };
    const acts: Action[] = [
      { kind: 'pair', index: 1, op: 'takeover', readWrite: true },
      { kind: 'cutCable', index: 8 },
      { kind: 'write', target: 1, block: 13 },
      { kind: 'run', us: 164_006 },
      { kind: 'pair', index: 1, op: 'swapResync', readWrite: true },
      { kind: 'pair', index: 2, op: 'deltaResync', readWrite: true },
    ];
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), v, 710_057, acts);
    expect(violations).toEqual([]);
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V11'));
  });

  test('a volume that is the secondary of two pairs is write-protected while either protects it (prop-long --load --remote seed 8484)', () => {
    // pair-async split with S-VOL write enabled, pair-delta deleted and made again (an initial copy into V22): the
    // remote host's writes were let through by pair-async's split alone, and pair-delta went PAIR with V11 != V22.
    const v: Variation = { distanceScale: 0.01, bandwidthScale: 4, fence: 'never', initially: 'create', journalBytes: 65536, autoResync: true, grouping: 'as-filed', paths: false, load: { iops: 10_000, hotspotFraction: 0.01, cacheBytes: 4 * 2 ** 20, blockBytes: 6144, readRatio: 0 }, writes: 'straddling', remoteHosts: true };
    const acts: Action[] = [
      { kind: 'pair', index: 1, op: 'split', readWrite: true },
      { kind: 'pair', index: 2, op: 'delete', readWrite: true },
      { kind: 'settle' },
      { kind: 'pair', index: 2, op: 'create', readWrite: false },
      { kind: 'run', us: 84_907 },
    ];
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), v, 712_959, acts);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-delta')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V11'));
  });

  test('the relay leg split before its initial copy finished: the delta resync falls back to a full copy (prop-long --remote seed 3939)', () => {
    const v: Variation = { distanceScale: 1, bandwidthScale: 0.01, fence: 'status', initially: 'create', journalBytes: 64 * 2 ** 30, autoResync: false, grouping: 'as-filed', paths: false, writes: 'straddling', remoteHosts: true };
    const acts: Action[] = [
      { kind: 'write', target: 1, block: 7 },
      { kind: 'pair', index: 1, op: 'split', readWrite: true },
      { kind: 'run', us: 155_027 },
      { kind: 'pair', index: 2, op: 'deltaResync', readWrite: false },
    ];
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-delta-resync.relaylab.json')), v, 194_530, acts);
    expect(violations).toEqual([]);
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V11'));
  });
});

describe('a swap-takeover of the relay leg while a loop hand-down is on its way to the relay volume (prop-long seed 909)', () => {
  // FIG. 1 with the delta-resync standby, distances x10: the host's write is on V12 and so on R2 = V21's bytes, but the
  // loop hand-down that journals it for pair-async is still on CN3 when the local site fails and pair-async is taken
  // over the other way (V22 -> V21, primary reachable: a swap). The write is in no journal: swapping straight to PAIR
  // left V21 != V22; the old primary now records it, and the copy back from V22 makes them equal.
  const variation: Variation = { distanceScale: 10, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed', paths: false  };
  /** The local site fails, pair-async is taken over (a swap), and the host writes on. */
  const takeOverAndWrite: Action[] = [
    { kind: 'failSite', index: 0 },
    { kind: 'pair', index: 1, op: 'takeover', readWrite: false },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'run', us: 1 },
    { kind: 'run', us: 1 },
    { kind: 'run', us: 1 },
    { kind: 'write', target: 0, block: 0 },
  ];
  const actions: Action[] = [{ kind: 'write', target: 0, block: 0 }, { kind: 'run', us: 9566 }, ...takeOverAndWrite];

  test('the swapped pair copies the recorded track back and is PAIR only over equal copies', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), variation, 0, actions);
    expect(violations).toEqual([]);
    const p = engine!.pairs.get('pair-async')!;
    expect([p.primaryId, p.state]).toEqual(['V22', 'PAIR']);
    expect(engine!.volumeHash('V21')).toBe(engine!.volumeHash('V22'));
  });

  test('the local site back while the swap-takeover flushes: pair-sync does not resync into the bytes the swapped pair will copy into', () => {
    // The same, with auto-resync and a second write: the local site returns during the flush and pair-sync resynced to
    // PAIR into V12 = R2 = V21, which the swapped pair-async then copied V22's older track into: PAIR with V12 != V11.
    const actions909b: Action[] = [{ kind: 'write', target: 0, block: 0 }, { kind: 'run', us: 9734 }, { kind: 'write', target: 0, block: 1 }, ...takeOverAndWrite];
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), { ...variation, autoResync: true }, 0, actions909b);
    expect(violations).toEqual([]);
    const sync = engine!.pairs.get('pair-sync')!;
    expect(sync.state).toBe('PSUE');
    expect(sync.reason).toMatch(/site site-local failed/);
    expect(engine!.volumeHash('V21')).toBe(engine!.volumeHash('V22'));
  });
});


describe('a copy that would close a replication loop (prop-long 5000 1205 400)', () => {
  // FIG. 1 with the delta-resync standby; the relay site fails and stays down. pair-sync is deleted, pair-delta is
  // delta-resynchronised (V11 -> V22) and then taken over the other way (swapped: V22 -> V11); pair-sync is re-created,
  // pair-async deleted and re-created (V21 -> V22). Replication then ran in a loop, V21 -> V22 -> V11 -> V12 = R2 = V21,
  // and after the repair the resyncs left pair-async and pair-delta PAIR over different copies.
  const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 2 ** 36, autoResync: false, grouping: 'as-filed', paths: false  };
  const run1 = (n: number): Action[] => Array.from({ length: n }, () => ({ kind: 'run', us: 1 }) as const);
  const actions: Action[] = [
    { kind: 'failSite', index: 4 },
    { kind: 'pair', index: 0, op: 'delete', readWrite: false },
    { kind: 'run', us: 116 },
    { kind: 'pair', index: 2, op: 'deltaResync', readWrite: false },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'run', us: 276 },
    { kind: 'pair', index: 5, op: 'takeover', readWrite: false },
    { kind: 'run', us: 608 },
    { kind: 'pair', index: 0, op: 'create', readWrite: false },
    { kind: 'pair', index: 4, op: 'delete', readWrite: false },
    { kind: 'run', us: 1000 },
    { kind: 'pair', index: 1, op: 'create', readWrite: false },
    ...run1(5),
  ];

  test('re-creating pair-async is refused with the loop named, and no pair is PAIR over different copies', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), variation, 0, actions);
    expect(violations).toEqual([]);
    const e = engine!;
    expect(e.pairs.get('pair-async')!.state).toBe('SMPL');
    const r = e.command({ type: 'pair', pairId: 'pair-async', op: 'create' });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/V22 -> V11 -> V12.*close a loop/);
  });
});

describe('a copy re-sending a track after a cut path, with an older journal record of that track still on its way (prop-long 5000 9090 400)', () => {
  // FIG. 1 journal-sizing exercise with path groups: sys30 (the remote) fails, writes, it comes back and pair-async
  // resyncs (COPY). A write to track 0 is journaled (the copy had sent the track), then CN4 is cut: the copied track 0
  // and the record are both lost. The copy sends track 0 again on CN4.path2 with the newest bytes; the record, sent again
  // later, landed after it with older bytes, and pair-async said PAIR with V22 unequal to V21.
  const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: true, grouping: 'as-filed', paths: true  };
  const actions: Action[] = [
    { kind: 'failSystem', index: 7 },
    { kind: 'write', target: 0, block: 1 },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'write', target: 0, block: 2 },
    { kind: 'run', us: 1011 },
    { kind: 'restoreSystem', index: 7 },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'run', us: 728 },
    { kind: 'cutCable', index: 11 },
    { kind: 'run', us: 11392 },
    { kind: 'run', us: 79450 },
    { kind: 'write', target: 0, block: 1 },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'settle' },
    { kind: 'pair', index: 0, op: 'create', readWrite: false },
    { kind: 'cutCable', index: 0 },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'write', target: 0, block: 0 },
    { kind: 'pair', index: 0, op: 'create', readWrite: false },
  ];

  test('the replayed counterexample: no pair is PAIR over different copies', () => {
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json')), variation, 0, actions);
    expect(violations).toEqual([]);
  });

  test('a copied track supersedes the older records of that track (queued or sent); a record over two tracks puts the other one back', () => {
    const tb = 256 * 1024;
    const cfg: Pair = load('fig01').pairs.find((q) => q.mode === 'async')!;
    const p = new PairRt({ ...cfg, id: 'p', primaryVolumeId: 'A', secondaryVolumeId: 'B' }, tb, 16 * tb);
    const other = new PairRt({ ...cfg, id: 'q', primaryVolumeId: 'C', secondaryVolumeId: 'D' }, tb, 16 * tb);
    const j = new JournalRt('J', 2 ** 30);
    p.journal = j;
    other.journal = j;
    const rec = (seq: number, pair: PairRt, offset: number, length: number): JournalRecord => ({ seq, gen: 0, pair, offset, length, data: null, writtenUs: 0, readyUs: 0, ioId: undefined, sendStep: undefined, discarded: false });
    const sentInTrack = rec(1, p, 4096, 4096);
    const queuedInTrack = rec(2, p, 8192, 4096);
    const otherTrack = rec(3, p, 5 * tb, 4096);
    const otherPair = rec(4, other, 4096, 4096);
    const straddling = rec(5, p, tb - 4096, 8192); // tracks 0 and 1
    j.sent.set(1, sentInTrack);
    j.queue.push(queuedInTrack, otherTrack, otherPair, straddling);
    const answered: string[] = [];
    const held = (name: string, pair: PairRt, offset: number, length: number) => ({ pair, offset, length, data: null, io: { id: 0, traced: false, copyForward: undefined }, sendStep: 'S1', answered: { answer: () => void answered.push(name) } });
    j.held.push(held('in track', p, 12288, 4096), held('across 2-3', p, 3 * tb - 2048, 4096), held('other pair', other, 4096, 4096), held('across 0-1 again', p, tb - 2048, 4096));
    const core = { activeFlows: 4 } as unknown as Parameters<typeof supersedeJournaled>[0];
    supersedeJournaled(core, p, 0, tb); // the copy sends track 0
    expect([sentInTrack, queuedInTrack, otherTrack, otherPair, straddling].map((r) => r.discarded)).toEqual([true, true, false, false, true]);
    expect([...p.primaryBitmap]).toEqual([0, 1]);
    // Writes held back by inflow control (prop-long --load --straddle --remote --edits seed 2525): those in the track
    // leave the queue answered, the others stay in their order.
    expect(answered).toEqual(['in track', 'across 0-1 again']);
    expect(j.held.map((h) => h.offset)).toEqual([3 * tb - 2048, 4096]);
    expect((core as unknown as { activeFlows: number }).activeFlows).toBe(2);
  });

  test('FIG. 11 under load with writes across tracks, remote reads and cable edits: a held write does not land after the copy (prop-long seed 2525)', () => {
    // A 64 KiB journal and 44 KiB writes: writes wait for journal room (inflow control). The resync's copy of tracks
    // 0-1 read the newer bytes; an older write across them, held back, was journaled after it and landed over them:
    // pair-async PAIR with V21 != V22. Shrunk from run 604 (1 in 1,000).
    const variation: Variation = { distanceScale: 10, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: true, grouping: 'twins', paths: false, load: { iops: 10_000, hotspotFraction: 0.0005, cacheBytes: 2 ** 20, blockBytes: 45056, readRatio: 0.3 }, writes: 'straddling', remoteHosts: true };
    const actions: Action[] = [
      { kind: 'run', us: 149_270 },
      { kind: 'settle' },
      { kind: 'run', us: 25_596 },
      { kind: 'run', us: 135_881 },
      { kind: 'run', us: 34_594 },
      { kind: 'run', us: 99_837 },
      { kind: 'editCable', index: 10, distanceKm: 0.1, bandwidthMbps: 100 },
      { kind: 'failSite', index: 7 },
      { kind: 'run', us: 116_972 },
      { kind: 'run', us: 38_985 },
      { kind: 'run', us: 91_938 },
      { kind: 'editCable', index: 13, distanceKm: 600, bandwidthMbps: 1000 },
      { kind: 'run', us: 82_006 },
    ];
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig11-internal-real-volume.relaylab.json')), variation, 130_217, actions);
    expect(violations).toEqual([]);
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V21'));
  });
});

describe('writes to one track waiting for cache slots land in the order they arrived (FIG. 12 as the bench runs it)', () => {
  // Found by checking the bench's `longer` case: FIG. 12 at 10,000 random IOPS for 3-5 s ended with pair-async-a/b PAIR
  // and V22a/V22b unequal to V21a. At the remotes the caches are full (10,000 writes/s against 8,000 destages/s), so
  // journal records wait for slots. A record of an older write to a track waited; another record made that track dirty;
  // a newer write's record to the same chunk then found the track dirty, took it at once, and landed first: the older
  // bytes landed last. A hotspot and small remote caches make it happen within 100 ms.
  test('FIG. 12, hotspot writes, 1 MiB remote caches: both remotes equal the relay after settling', () => {
    const topology = loadFigure('fig12');
    const t: Topology = {
      ...topology,
      caches: topology.caches.map((c) => (c.id === 'C31a' || c.id === 'C31b' ? { ...c, sizeBytes: 2 ** 20 } : c)),
      hosts: topology.hosts.map((h) => ({ ...h, workloads: h.workloads.map((w) => ({ ...w, pattern: 'hotspot' as const, hotspotFraction: 0.001 })) })),
    };
    const e = new Engine(t, { seed: 1 });
    e.workloadsStopUs = 100_000;
    e.startWorkloads({ iops: 10_000, blockBytes: 4096 });
    e.runUntil(100_000);
    e.runUntilSettled(3600e6);
    for (const p of e.pairs.values()) expect(p.state, p.id).toBe('PAIR');
    expect(e.volumeHash('V22a')).toBe(e.volumeHash('V21a'));
    expect(e.volumeHash('V22b')).toBe(e.volumeHash('V21a'));
    expect(e.volumeHash('V11')).toBe(e.volumeHash('V21a'));
  });

  test('a write to a track another write waits for queues behind it, even when it could take the track at once', () => {
    const c = new CacheRt('C', 'sys', 2 * 256 * 1024, 256 * 1024, ['V'], 0.5); // 2 slots, 1 may be dirty
    expect(c.store('V', 0, 0)).toBe(1); // track 0 dirty: the limit
    expect(c.store('V', 1, 0)).toBe(-1); // track 1 needs a dirty slot: waits
    const waiter = { wake: (): void => undefined, ready: (): boolean => false };
    c.enqueue(waiter, 'V', 1);
    expect(c.isWaitedFor('V', 1)).toBe(true);
    expect(c.isWaitedFor('V', 0)).toBe(false); // track 0 is dirty and nobody waits for it: a write to it goes at once
    expect(c.dequeue()).toBe(waiter);
    expect(c.isWaitedFor('V', 1)).toBe(false);
    expect(c.dequeue()).toBeUndefined();
  });
});

describe('delta resync into a remote another pair will replicate into, or taking a journal other pairs still use (prop-long 5000 6666 / 2222 400)', () => {
  test('a failback of the relay leg under way: the delta resync is refused (V22 would have had two primaries)', () => {
    // pair-sync split, pair-async taken over (SSWS) and failed back (COPY V22 -> V21, to swap back), then pair-delta
    // delta-resynchronised into V22: when the failback completed pair-async replicated V21 -> V22 beside pair-delta
    // V11 -> V22, and said PAIR with V21 != V22.
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'as-filed', paths: false };
    const actions: Action[] = [
      { kind: 'pair', index: 0, op: 'split', readWrite: false },
      { kind: 'pair', index: 1, op: 'takeover', readWrite: true },
      { kind: 'run', us: 116 },
      { kind: 'pair', index: 4, op: 'failback', readWrite: false },
      { kind: 'pair', index: 2, op: 'deltaResync', readWrite: false },
      { kind: 'pair', index: 0, op: 'delete', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'fillCache', index: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'settle' },
    ];
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), variation, 0, actions);
    expect(violations).toEqual([]);
    expect(engine!.steps.some((s) => s.step === 'pair-state' && s.elementId === 'pair-delta' && s.text.includes('delta resync'))).toBe(false);
  });

  test('a relay leg sharing its journal with a pair that still replicates: refused (that pair kept PAIR with its records dropped)', () => {
    // Twin groups: pair-async and pair-async.twin share journal twins-pair-async. The delta resync of pair-delta.twin made
    // pair-async.twin stand aside and dropped the journal; pair-async, still PAIR, had its dropped record only in its
    // bitmap, never sent: PAIR with V21 != V22.
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'twins', paths: false };
    const actions: Action[] = [
      { kind: 'write', target: 3, block: 0 },
      { kind: 'run', us: 276 },
      { kind: 'cutCable', index: 9 },
      { kind: 'pair', index: 0, op: 'split', readWrite: false },
      { kind: 'pair', index: 1, op: 'delete', readWrite: false },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 1000 },
      { kind: 'pair', index: 1, op: 'create', readWrite: false },
      { kind: 'pair', index: 0, op: 'resync', readWrite: false },
      { kind: 'run', us: 21741 },
      { kind: 'pair', index: 5, op: 'deltaResync', readWrite: false },
      { kind: 'settle' },
      { kind: 'pair', index: 0, op: 'create', readWrite: false },
      { kind: 'write', target: 0, block: 1 },
      { kind: 'run', us: 1 },
      { kind: 'run', us: 1 },
    ];
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), variation, 0, actions);
    expect(violations).toEqual([]);
  });
});

describe('hand-downs still on their way when their pair is made, taken over or swapped (prop-long 1500 8181 --load --sample)', () => {
  test('the replayed counterexample: FIG. 1 journal-sizing, twins: pair-async deleted and made again while hand-downs to V21 wait behind the external array (down)', () => {
    const variation: Variation = { distanceScale: 10, bandwidthScale: 4, fence: 'data', initially: 'paired', journalBytes: 68719476736, autoResync: true, grouping: 'twins', paths: true, load: {iops: 10000, hotspotFraction: 0.001, cacheBytes: 1048576} };
    const actions: Action[] = [
      { kind: 'run', us: 51575 },
      { kind: 'run', us: 129700 },
      { kind: 'run', us: 518 },
      { kind: 'run', us: 78022 },
      { kind: 'run', us: 107938 },
      { kind: 'settle' },
      { kind: 'failSystem', index: 2 },
      { kind: 'run', us: 50117 },
      { kind: 'pair', index: 1, op: 'delete', readWrite: false },
      { kind: 'run', us: 121802 },
      { kind: 'run', us: 18449 },
      { kind: 'settle' },
      { kind: 'settle' },
      { kind: 'run', us: 117772 },
      { kind: 'failSystem', index: 0 },
      { kind: 'pair', index: 0, op: 'delete', readWrite: true },
      { kind: 'pair', index: 5, op: 'create', readWrite: true },
      { kind: 'run', us: 98104 },
    ];
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json')), variation, 4, actions);
    expect(violations).toEqual([]);
  });
  test('the replayed counterexample: FIG. 1 delta-resync, one group: pair-async deleted and made again under load', () => {
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 1, fence: 'status', initially: 'create', journalBytes: 68719476736, autoResync: true, grouping: 'one-group', paths: false, load: {iops: 10000, hotspotFraction: 0.0005, cacheBytes: 1048576} };
    const actions: Action[] = [
      { kind: 'run', us: 30755 },
      { kind: 'pair', index: 1, op: 'delete', readWrite: true },
      { kind: 'failSystem', index: 7 },
      { kind: 'run', us: 47287 },
      { kind: 'pair', index: 4, op: 'create', readWrite: true },
      { kind: 'run', us: 92227 },
      { kind: 'cutCable', index: 2 },
    ];
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn('fig01-delta-resync.relaylab.json')), variation, 503418, actions);
    expect(violations).toEqual([]);
  });
  test('the replayed counterexample: FIG. 7: pair-async split, then taken over (SSWS) and swap-resynchronised while intercache copies to V21 wait for a slot', () => {
    const variation: Variation = { distanceScale: 10, bandwidthScale: 0.1, fence: 'status', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'one-group', paths: true, load: {iops: 10000, hotspotFraction: 0.01, cacheBytes: 4194304} };
    const actions: Action[] = [
      { kind: 'run', us: 176358 },
      { kind: 'cutCable', index: 2 },
      { kind: 'run', us: 145332 },
      { kind: 'pair', index: 0, op: 'delete', readWrite: false },
      { kind: 'pair', index: 1, op: 'split', readWrite: false },
      { kind: 'run', us: 117747 },
      { kind: 'run', us: 30818 },
      { kind: 'pair', index: 1, op: 'takeover', readWrite: true },
      { kind: 'pair', index: 3, op: 'swapResync', readWrite: false },
    ];
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn('fig07-intercache-copy.relaylab.json')), variation, 3, actions);
    expect(violations).toEqual([]);
  });
});

describe('a held write larger than the whole journal when its pair is split (prop-long 1500 9191 --load --sample)', () => {
  test('the replayed counterexample: FIG. 9, the sync leg copies 256 KiB tracks into a 64 KiB journal held full, then pair-async is split', () => {
    const variation: Variation = { distanceScale: 10, bandwidthScale: 0.1, fence: 'status', initially: 'create', journalBytes: 65536, autoResync: true, grouping: 'as-filed', paths: true, load: { iops: 10000, hotspotFraction: 0.001, cacheBytes: 4194304 } };
    const actions: Action[] = [
      { kind: 'settle' },
      { kind: 'failSystem', index: 1 },
      { kind: 'restoreSystem', index: 1 },
      { kind: 'run', us: 113827 },
      { kind: 'pair', index: 5, op: 'split', readWrite: false },
    ];
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn('fig09-shared-cache.relaylab.json')), variation, 11, actions);
    expect(violations).toEqual([]);
  });
});

describe('a held write larger than the whole journal', () => {
  test('FIG. 1: a 256 KiB write held behind a 64 KiB journal while a record is on its way goes to the bitmap once the pair is split', () => {
    const t = quiet(load('fig01'), (p) => (p.id === 'pair-async' ? { ...p, journalBytes: 65536 } : p));
    const e = new Engine(t, { seed: 1 });
    const p = e.pairs.get('pair-async')!;
    const j = p.journal!;
    let answered: boolean | undefined;
    expect(e.hostWrite('host1', 'LU11', 1 << 20, new Uint8Array(4096).fill(3), false).ok).toBe(true);
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(262144).fill(7), false, (ok) => (answered = ok)).ok).toBe(true);
    // Until the 4 KiB write is journaled at the relay and the 256 KiB one held behind it (it can never fit: 64 KiB).
    for (let i = 0; i < 1000 && j.held.length === 0; i++) e.runFor(50);
    expect(j.held.length).toBe(1);
    expect(j.drained).toBe(false);
    // Split while the record is on its way: the pair drains its journal first (suspending), then PSUS.
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'split' }).ok).toBe(true);
    expect(p.state).toBe('suspending');
    expect(e.runUntilSettled(e.nowUs + 120e6)).toBe(true);
    expect(p.state).toBe('PSUS');
    expect(j.held.length).toBe(0);
    expect(p.primaryBitmap.has(0)).toBe(true);
    expect(answered).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'resync' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 120e6)).toBe(true);
    expect(p.state).toBe('PAIR');
    expect(e.stack.read('V22', 0, 1)[0]).toBe(7);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });
});

/**
 * FIG. 7's external array (sys40) down, then writes to 1,500 tracks: C21 cannot destage, fills to its write-pending
 * threshold, and later intercache copies into it wait for a slot until sys40 is back.
 */
function fillC21BehindExternalArray(e: Engine): void {
  expect(e.command({ type: 'failSystem', systemId: 'sys40' }).ok).toBe(true);
    for (let k = 0; k < 1500; k++) {
      e.hostWrite('host1', 'LU11', k * 262144, new Uint8Array(4096).fill(1), false);
      if (k % 50 === 0) e.runFor(100);
    }
}

describe('hand-downs on their way across a new generation of their pair (TRUST.md bugs 19 and 20, without load)', () => {
  test('FIG. 7: an intercache copy to V21 waiting (the external array down) through split, takeover and swap-resync is copied back', () => {
    const e = new Engine(quiet(load('fig07')), { seed: 1 });
    const p = e.pairs.get('pair-async')!;
    const c21 = e.caches.get('C21')!;
    const T = 3000;
    const at = (v: string): number => e.stack.read(v, T * 262144, 1)[0]!;
    fillC21BehindExternalArray(e);
    e.runFor(20_000);
    expect(c21.dirtyCount).toBe(c21.dirtyLimit);
    // W: stored at S14 (V12, and so V21's bytes), its intercache copy to V21 waits for a slot.
    e.hostWrite('host1', 'LU11', T * 262144, new Uint8Array(4096).fill(9), false);
    e.runFor(5_000);
    expect([at('V21'), at('V22')]).toEqual([9, 0]);
    // A write to a track C21 already holds is journaled at once: its record on the wire, the split drains it first.
    e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(5), false);
    for (let i = 0; i < 200 && p.journal!.drained; i++) e.runFor(20);
    expect(p.journal!.drained).toBe(false);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'split' }).ok).toBe(true);
    expect(p.state).toBe('suspending');
    e.runFor(20_000);
    expect(p.state).toBe('PSUS');
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'delete' }).ok).toBe(true);
    e.runFor(5_000);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover', readWrite: true }).ok).toBe(true);
    // The takeover begins a new generation: W's copy, still waiting, will serve nobody, so its track is recorded now.
    expect(p.primaryBitmap.has(T)).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'swapResync' }).ok).toBe(true);
    expect(e.command({ type: 'restoreSystem', systemId: 'sys40' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 600e6)).toBe(true);
    expect(p.state).toBe('PAIR');
    // V22 (now the primary) never had W: the swap-resync copied its track back over V21.
    expect([at('V21'), at('V22')]).toEqual([0, 0]);
    expect(e.volumeHash('V21')).toBe(e.volumeHash('V22'));
  });

  test('FIG. 7: hand-downs to V21 waiting while pair-async did not exist do not journal into the pair made meanwhile', () => {
    const e = new Engine(quiet(load('fig07')), { seed: 1 });
    const p = e.pairs.get('pair-async')!;
    const c21 = e.caches.get('C21')!;
    const T = 3000;
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'delete' }).ok).toBe(true);
    e.runFor(5_000);
    fillC21BehindExternalArray(e);
    e.hostWrite('host1', 'LU11', T * 262144, new Uint8Array(4096).fill(9), false);
    e.runFor(25_000);
    // ~70 intercache copies to V21 wait for a slot in the full C21; V21's bytes already hold their writes.
    expect(c21.waiters.length).toBeGreaterThan(50);
    expect(e.stack.read('V21', T * 262144, 1)[0]).toBe(9);
    // Made while they still wait: its initial copy sends V21 as it is, those writes included.
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'create' }).ok).toBe(true);
    for (let i = 0; i < 600 && p.state === 'COPY'; i++) e.runFor(100_000);
    expect(p.state).toBe('PAIR');
    expect(c21.waiters.length).toBeGreaterThan(50);
    expect(e.command({ type: 'restoreSystem', systemId: 'sys40' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 600e6)).toBe(true);
    expect(p.state).toBe('PAIR');
    // The initial copy carried those writes; no record of them went over the link after it (older bytes after newer).
    expect(p.journal!.nextSeq).toBe(1);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });
});

describe('a sync update waiting for the path timeout when its pair is taken over (TRUST.md bug 31)', () => {
  // pair-sync on a two-path group (path timeout 20 ms); CN2 is cut, so the host's write is stored in V11 and its update
  // waits for the timeout to notice the cut. Meanwhile pair-sync is taken over (S-VOL takeover, SSWS): a new generation
  // of its updates. When the timeout ran out, the waiting update was sent anyway, on the path still up, and landed on V12,
  // the volume the takeover had just made the production copy: bytes from the old primary over the new one's.
  function setUp(fence: Pair['fence']) {
    const t = withPathGroups(quiet(load('fig01'), (p) => (p.mode === 'sync' ? { ...p, fence } : p)));
    const e = new Engine(t, { seed: 1 });
    const p = e.pairs.get('pair-sync')!;
    expect(p.cfg.paths?.cableIds.length).toBe(2);
    expect(e.command({ type: 'cutCable', cableId: p.cfg.paths!.cableIds[0]! }).ok).toBe(true);
    let answer: boolean | undefined;
    expect(e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(7), false, (ok) => (answer = ok)).ok).toBe(true);
    e.runFor(2_000);
    expect(answer).toBeUndefined();
    const before = e.volumeHash('V12');
    expect(e.volumeHash('V11')).not.toBe(before);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(p.state).toBe('SSWS');
    e.runFor(100_000);
    return { e, p, before, answer: () => answer };
  }

  test('the update is not sent after the takeover: V12 keeps the image it was taken over with', () => {
    const { e, before, answer } = setUp('never');
    expect(e.volumeHash('V12')).toBe(before);
    // Fence never: the host's write stands on V11 (its track is recorded for the swap-resync).
    expect(answer()).toBe(true);
  });

  test('under fence data the host hears that its write did not reach the secondary, and a swap-resync makes the copies equal', () => {
    const { e, p, before, answer } = setUp('data');
    expect(e.volumeHash('V12')).toBe(before);
    expect(answer()).toBe(false);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'swapResync' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(p.state).toBe('PAIR');
    expect(e.volumeHash('V11')).toBe(e.volumeHash('V12'));
  });
});

describe('the property check for bug 31: a taken-over S-VOL changes only by its own hosts\' writes', () => {
  test('the sequence of bug 31 through the harness: no update lands on V12 after the takeover', () => {
    const variation: Variation = { distanceScale: 1, bandwidthScale: 1, fence: 'never', initially: 'paired', journalBytes: 2 ** 30, autoResync: false, grouping: 'as-filed', paths: true };
    const actions: Action[] = [
      { kind: 'cutCable', index: 1 },
      { kind: 'write', target: 0, block: 0 },
      { kind: 'run', us: 2_000 },
      { kind: 'pair', index: 0, op: 'takeover', readWrite: true },
      { kind: 'run', us: 100_000 },
    ];
    const { violations, engine } = runSequence(load('fig01'), variation, 0, actions);
    expect(engine!.pairs.get('pair-sync')!.state).toBe('SSWS');
    expect(violations).toEqual([]);
  });
});

describe('a host at the relay writing bytes a reversed pair protects (prop-long --relay seed 1, TRUST.md bug 32)', () => {
  // FIG. 1 with twins and two-path groups, a host at each relay (V12) and remote (V22) site. pair-sync.twin is deleted,
  // so V12.twin is nobody's secondary; pair-async.twin is swap-taken-over (V22.twin -> V21.twin, PAIR). The relay host
  // writes V12.twin, whose bytes are V21.twin's (one real volume): the S-VOL of a PAIR pair changed behind its back, and
  // pair-async.twin said PAIR with V21.twin != V22.twin.
  const variation: Variation = { distanceScale: 1, bandwidthScale: 0.1, fence: 'status', initially: 'create', journalBytes: 2 ** 36, autoResync: true, grouping: 'twins', paths: true, remoteHosts: true, relayHosts: true };
  const actions: Action[] = [
    { kind: 'pair', index: 6, op: 'delete', readWrite: false },
    { kind: 'run', us: 161_401 },
    { kind: 'pair', index: 7, op: 'takeover', readWrite: false },
    { kind: 'write', target: 5, block: 6 },
  ];

  test('the write is refused, and pair-async.twin ends PAIR over equal copies', () => {
    const { violations, engine, stats } = runSequence(load('fig01'), variation, 717_167, actions);
    expect(violations).toEqual([]);
    expect(stats.writesFailed).toBe(1);
    expect(engine!.pairs.get('pair-async.twin')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V22.twin')).toBe(engine!.volumeHash('V21.twin'));
  });

  test('the refusal says which volume protects the bytes and why', () => {
    const t = withRelayHosts(quiet(load('fig01')));
    const e = new Engine(t, { seed: 1 });
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'delete' }).ok).toBe(true);
    e.runFor(10_000);
    let answer: { ok: boolean; reason?: string } | undefined;
    e.hostWrite('hostS0', 'LU-S0', 0, new Uint8Array(4096).fill(3), false, (ok, reason) => (answer = { ok, reason }));
    e.runFor(10_000);
    // pair-async is PAIR: V21 is its primary, so writing V12's bytes is the relay writing its own data (allowed).
    expect(answer?.ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover' }).ok).toBe(true);
    e.runUntilSettled(e.nowUs + 10e6);
    expect(e.pairs.get('pair-async')!.swapped).toBe(true);
    e.hostWrite('hostS0', 'LU-S0', 0, new Uint8Array(4096).fill(4), false, (ok, reason) => (answer = { ok, reason }));
    e.runFor(10_000);
    expect(answer?.ok).toBe(false);
    expect(answer?.reason).toMatch(/V12 shares these bytes with V21: V21 is the secondary of pair pair-async \(PAIR\) and is write-protected/);
  });
});

describe('a delta resync after a host at the relay wrote what the remote then got (prop-long --relay seed 3, TRUST.md bug 33)', () => {
  // FIG. 1 + 3DC (the delta-resync exercise) with twins, path groups and hosts at the relay and remote sites. pair-sync
  // is deleted; the relay host writes V12, whose bytes are V21's: pair-async carries the write to V22, which V11 never
  // had. The delta resync of pair-delta (V11 -> V22) sent only what it kept (nothing) and said PAIR with V11 != V22.
  const variation: Variation = { distanceScale: 0.1, bandwidthScale: 0.01, fence: 'never', initially: 'paired', journalBytes: 2 ** 36, autoResync: true, grouping: 'twins', paths: true, writes: 'straddling', remoteHosts: true, relayHosts: true };
  const actions: Action[] = [
    { kind: 'pair', index: 0, op: 'delete', readWrite: true },
    { kind: 'run', us: 136_553 },
    { kind: 'write', target: 4, block: 6 },
    { kind: 'run', us: 36_358 },
    { kind: 'failSite', index: 7 },
    { kind: 'pair', index: 2, op: 'deltaResync', readWrite: false },
  ];

  test('the delta resync falls back to a full copy, and pair-delta ends PAIR over equal copies', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-delta-resync.relaylab.json')), variation, 3, actions);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-delta')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V11'));
  });

  test('the delta resync says why it copies in full', () => {
    const e = new Engine(withRelayHosts(quiet(withoutInitialFill(loadBuiltIn('fig01-exercise-delta-resync.relaylab.json')))), { seed: 1 });
    e.runUntilSettled(e.nowUs + 10e6);
    expect(e.pairs.get('pair-delta')!.state).toBe('HOLD');
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'delete' }).ok).toBe(true);
    e.runFor(10_000);
    e.hostWrite('hostS0', 'LU-S0', 0, new Uint8Array(4096).fill(5), false);
    e.runUntilSettled(e.nowUs + 10e6);
    expect(e.volumeHash('V22')).not.toBe(e.volumeHash('V11'));
    // The relay is lost; the remote carries on from the local site.
    expect(e.command({ type: 'failSystem', systemId: e.volume('V12').systemId }).ok).toBe(true);
    const r = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.ok).toBe(true);
    expect(r.ok && r.message).toMatch(/a host wrote V12 at the relay while pair-delta stood by .*full copy/);
    expect(e.runUntilSettled(e.nowUs + 600e6)).toBe(true);
    expect(e.pairs.get('pair-delta')!.state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });
});

describe('a delta resync when the copy into the relay never finished (prop-long --load --filled --relay seed 13, TRUST.md bug 34)', () => {
  // FIG. 1 + 3DC with its starting data on V11 (pairs start with their initial copies). CN2 is cut at once: pair-sync's
  // copy of V11's starting data to the relay breaks off, while pair-async copies the (nearly empty) relay to V22 and
  // goes PAIR. The relay is then lost (CN4 cut too) and pair-delta (V11 -> V22) delta-resyncs: it sent the host writes
  // it had kept, not the starting data the relay never held, and said PAIR with V11 != V22.
  test('the delta resync falls back to a full copy, saying why, and pair-delta ends PAIR over equal copies', () => {
    const e = new Engine(loadBuiltIn('fig01-exercise-delta-resync.relaylab.json'), { seed: 1 });
    expect(e.pairs.get('pair-sync')!.state).toBe('COPY');
    expect(e.command({ type: 'cutCable', cableId: 'CN2' }).ok).toBe(true);
    for (let i = 0; i < 100 && e.pairs.get('pair-async')!.state !== 'PAIR'; i++) e.runFor(10_000);
    expect(e.pairs.get('pair-async')!.state).toBe('PAIR');
    expect(e.pairs.get('pair-sync')!.initialCopyPending).toBe(true);
    expect(e.command({ type: 'cutCable', cableId: 'CN4' }).ok).toBe(true);
    const r = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.message).toMatch(/pair-sync's initial copy to V12 had not completed .*full copy/);
    expect(e.runUntilSettled(e.nowUs + 3600e6)).toBe(true);
    expect(e.pairs.get('pair-delta')!.state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });
});

describe('a failback that completes while an update of its copy-back waits for the path timeout (prop-long --relay seed 20, TRUST.md bug 35)', () => {
  // FIG. 12 with two-path groups and a host at the relay. pair-sync is taken over (SSWS) and failed back (V12 -> V11,
  // nothing to copy); CN2 is cut, so the relay host's write, stored on V12 and forwarded, waits for the path timeout
  // behind the copy's batch. When the timeout ran out, the batch finished the failback first and the pair swapped back
  // to V11 -> V12 at PAIR: the waiting update's tracks had been cleared from the waiting ones already, so no bitmap
  // held them, the new generation dropped the update, and pair-sync said PAIR with V11 != V12.
  const variation: Variation = { distanceScale: 10, bandwidthScale: 4, fence: 'data', initially: 'paired', journalBytes: 2 ** 36, autoResync: false, grouping: 'as-filed', paths: true, writes: 'straddling', remoteHosts: true, relayHosts: true };
  const actions: Action[] = [
    { kind: 'write', target: 3, block: 11 },
    { kind: 'pair', index: 3, op: 'takeover', readWrite: true },
    { kind: 'pair', index: 0, op: 'failback', readWrite: false },
    { kind: 'cutCable', index: 1 },
    { kind: 'run', us: 90_083 },
  ];

  test('the swap records the waiting update\'s tracks, and pair-sync ends PAIR over equal copies', () => {
    const { violations, engine } = runSequence(load('fig12'), variation, 583_880, actions);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-sync')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V12')).toBe(engine!.volumeHash('V11'));
  });
});

describe('a host write reaching a reversed sync pair through another volume on the same real volume (TRUST.md bugs 36 and 37)', () => {
  // FIG. 1 with a host at the relay writing V21 (its LU moved from V12): V21 and V12 lie on one real volume. pair-sync is
  // taken over and swap-resynced, so it runs V12 -> V11 (fence data): a write to V21 changes V12, the sync P-VOL, and the
  // fan-out forwards it to V11. The host heard "complete" before V11 had it (54 us, the update reaching V11 at 1 ms), and
  // once the fence held, its writes through V21 still changed V12 behind the fence.
  function setUp(): Engine {
    let t = withRelayHosts(quiet(load('fig01'), (p) => (p.mode === 'sync' ? { ...p, fence: 'data' } : p)));
    t = { ...t, lus: t.lus.map((l) => (l.id === 'LU-S0' ? { ...l, volumeId: 'V21' } : l.volumeId === 'V21' ? { ...l, shared: true } : l)) };
    const e = new Engine(t, { seed: 1 });
    expect(e.runUntilSettled(1e9)).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'swapResync' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    const p = e.pairs.get('pair-sync')!;
    expect([p.state, p.swapped, p.primaryId]).toEqual(['PAIR', true, 'V12']);
    return e;
  }
  function write(e: Engine, fill: number, then?: () => void): { ok?: boolean; reason?: string; equalAtAnswer?: boolean } {
    const out: { ok?: boolean; reason?: string; equalAtAnswer?: boolean } = {};
    expect(
      e.hostWrite('hostS0', 'LU-S0', 0, new Uint8Array(4096).fill(fill), false, (ok, reason) => {
        Object.assign(out, { ok, reason, equalAtAnswer: e.volumeHash('V11') === e.volumeHash('V12') });
      }).ok,
    ).toBe(true);
    then?.();
    return out;
  }

  test('36: the host hears "complete" only once V11, the S-VOL, holds the write', () => {
    const e = setUp();
    const answer = write(e, 5);
    e.runFor(20_000);
    expect(answer.ok).toBe(true);
    expect(answer.equalAtAnswer).toBe(true);
  });

  test('36: under fence data, a write whose update to V11 is lost is a failed write', () => {
    const e = setUp();
    const answer = write(e, 6, () => e.runFor(200));
    expect(answer.ok).toBeUndefined();
    expect(e.command({ type: 'cutCable', cableId: 'CN2' }).ok).toBe(true);
    e.runFor(100_000);
    expect(answer.ok).toBe(false);
    expect(e.pairs.get('pair-sync')!.fenced).toBe(true);
  });

  test('37: while the fence holds, a write through V21 is refused and V12 keeps what V11 has', () => {
    const e = setUp();
    expect(e.command({ type: 'cutCable', cableId: 'CN2' }).ok).toBe(true);
    write(e, 7);
    e.runFor(100_000);
    expect(e.pairs.get('pair-sync')!.fenced).toBe(true);
    const fencedImage = e.volumeHash('V12');
    const answer = write(e, 8);
    e.runFor(100_000);
    expect(answer.ok).toBe(false);
    expect(answer.reason).toMatch(/V21 shares these bytes with V12: V12 is fenced: pair pair-sync \(fence level data\)/);
    expect(e.volumeHash('V12')).toBe(fencedImage);
  });
});

describe('hand-downs overtaken by a write that came another way (prop-long --relay --sibling seed 101, TRUST.md bug 38)', () => {
  // FIG. 1 (delta-resync variant, twins) with hosts at the relay writing V12 (hostS0) and V21 (hostB0), one real volume.
  // Both write block 14 while pair-sync is swap-taken over (it runs V12 -> V11 when the writes arrive). V12's write
  // reached pair-async through the loop after V21's later one had been journaled: V22 applied V12's older bytes last,
  // and pair-async said PAIR with V21 != V22.
  const variation: Variation = { distanceScale: 0.1, bandwidthScale: 0.01, fence: 'data', initially: 'create', journalBytes: 2 ** 36, autoResync: false, grouping: 'twins', paths: true, writes: 'straddling', remoteHosts: true, relayHosts: true, siblingHosts: true };
  const actions: Action[] = [
    { kind: 'run', us: 160_467 },
    { kind: 'write', target: 4, block: 14 },
    { kind: 'write', target: 6, block: 14 },
    { kind: 'pair', index: 0, op: 'takeover', readWrite: false },
  ];

  test('the replayed counterexample: pair-async ends PAIR with V21 equal to V22', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn(DELTA_RESYNC)), variation, 75_615, actions);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-async')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V22')).toBe(engine!.volumeHash('V21'));
  });

  test('FIG. 1: the loop hand-down of a relay write overtaken by a write to V21 carries V21\'s newer bytes to V22', () => {
    const t = withSiblingHosts(withRelayHosts(quiet(load('fig01-loop'))));
    const e = new Engine(t, { seed: 1 });
    expect(e.runUntilSettled(1e9)).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.pairs.get('pair-sync')!.primaryId).toBe('V12');
    const answers: boolean[] = [];
    // Issued together over equal cables: V12's write lands first, and its hand-down to V21 takes the loop cable (CN3);
    // V21's write lands while that hand-down is on the loop, and is journaled at once.
    e.hostWrite('hostS0', 'LU-S0', 0, new Uint8Array(4096).fill(1), false, (ok) => answers.push(ok));
    e.hostWrite('hostB0', 'LU-B0', 0, new Uint8Array(4096).fill(2), false, (ok) => answers.push(ok));
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(answers).toEqual([true, true]);
    expect(Array.from(e.stack.read('V21', 0, 4))).toEqual([2, 2, 2, 2]);
    expect(e.pairs.get('pair-async')!.state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
    expect(e.volumeHash('V11')).toBe(e.volumeHash('V12'));
  });
});

describe('a journal record waiting for a cache slot when a split drops the journal (prop-long --load --sibling seed 104, TRUST.md bug 39)', () => {
  // FIG. 1's local-disaster exercise under load, hosts at the relay (V12, V21) and the remote site (V22). pair-async is
  // taken over and failed back (V22 -> V21 in COPY); its records wait for slots in the relay's full cache; then it is
  // split. The split drops the journal into the bitmap (a new journal generation), but a record already waiting for its
  // slot still landed on V21 afterwards: V12's bytes, while the repair's resync of pair-sync copied V11 into V12. That
  // copy never sent the track again, and pair-sync said PAIR with V11 != V12.
  const variation: Variation = {
    distanceScale: 0.1, bandwidthScale: 0.1, fence: 'data', initially: 'create', journalBytes: 1_048_576, autoResync: true, grouping: 'one-group', paths: true,
    load: { iops: 10_000, hotspotFraction: 0.01, cacheBytes: 4_194_304, blockBytes: 6144, readRatio: 0.3 },
    writes: 'straddling', remoteHosts: true, relayHosts: true, siblingHosts: true,
  };
  const actions: Action[] = [
    { kind: 'run', us: 137_463 },
    { kind: 'run', us: 35_440 },
    { kind: 'run', us: 24_085 },
    { kind: 'run', us: 99_883 },
    { kind: 'pair', index: 7, op: 'takeover', readWrite: false },
    { kind: 'editCable', index: 12, distanceKm: 0.1, bandwidthMbps: 1000 },
    { kind: 'failSite', index: 6 },
    { kind: 'editCable', index: 4, distanceKm: 10, bandwidthMbps: 1000 },
    { kind: 'run', us: 95_762 },
    { kind: 'pair', index: 5, op: 'failback', readWrite: true },
    { kind: 'run', us: 58_393 },
    { kind: 'settle' },
    { kind: 'run', us: 72_061 },
    { kind: 'run', us: 8211 },
    { kind: 'pair', index: 5, op: 'split', readWrite: false },
  ];

  test('the record does not land after the split, and pair-sync ends PAIR over equal copies', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-local-disaster.relaylab.json')), variation, 152_927, actions);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-sync')!.state).toBe('PAIR');
    expect(engine!.volumeHash('V12')).toBe(engine!.volumeHash('V11'));
  });
});

describe('a host write to V21 while V12\'s hand-down is on the loop (prop-long --relay --sibling seed 105, TRUST.md bug 40)', () => {
  // FIG. 1 with hosts at the relay writing V12 and V21, pair-sync swap-taken over (V12 -> V11) and the loop cable CN3
  // edited to 3,000 km. V12's write lands on the real volume V21 shares at S14 and takes ~15 ms over the loop to reach
  // V21's journal; V21's own write 4.5 ms later was journaled at once, ahead of it: V22 showed the newer write without
  // the older one, while V21 had held both (no consistent image: a dependent write without the write it depends on).
  const variation: Variation = { distanceScale: 1, bandwidthScale: 1, fence: 'never', initially: 'create', journalBytes: 65536, autoResync: true, grouping: 'as-filed', paths: false, writes: 'straddling', remoteHosts: true, relayHosts: true, siblingHosts: true };
  const actions: Action[] = [
    { kind: 'editCable', index: 11, distanceKm: 3000, bandwidthMbps: 16_000 },
    { kind: 'run', us: 196_940 },
    { kind: 'pair', index: 6, op: 'takeover', readWrite: false },
    { kind: 'write', target: 6, block: 0 },
    { kind: 'run', us: 4566 },
    { kind: 'write', target: 7, block: 11 },
    { kind: 'run', us: 37_013 },
  ];

  test('the replayed counterexample: V22 never shows V21\'s write without V12\'s older one', () => {
    const { violations } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json')), variation, 2, actions);
    expect(violations).toEqual([]);
  });

  test('FIG. 1: V21\'s write waits for the hand-down on its way to V21, and V22 shows the two writes in the order they landed', () => {
    const t = withSiblingHosts(withRelayHosts(quiet(load('fig01-loop'))));
    const e = new Engine(t, { seed: 1 });
    expect(e.runUntilSettled(1e9)).toBe(true);
    expect(e.command({ type: 'setCable', cableId: 'CN3', distanceKm: 3000 }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    const answered: Record<string, number> = {};
    const start = e.nowUs;
    e.hostWrite('hostS0', 'LU-S0', 0, new Uint8Array(4096).fill(1), false, (ok) => ok && (answered.v12 = e.nowUs - start));
    e.runFor(4500);
    e.hostWrite('hostB0', 'LU-B0', 1 << 20, new Uint8Array(4096).fill(2), false, (ok) => ok && (answered.v21 = e.nowUs - start));
    const older = (): number => e.stack.read('V22', 0, 1)[0]!;
    const newer = (): number => e.stack.read('V22', 1 << 20, 1)[0]!;
    for (let i = 0; i < 2000 && (older() !== 1 || newer() !== 2); i++) {
      e.runFor(100);
      // The newer write is never on V22 without the older one.
      if (newer() === 2) expect(older()).toBe(1);
    }
    expect([older(), newer()]).toEqual([1, 2]);
    // The loop hop is ~15 ms one way: V21's write was answered only after V12's hand-down had reached V21.
    expect(answered.v21).toBeGreaterThan(15_000);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });
});

describe('a takeover of V12 while pair-async, swapped, replicates into V21 (prop-long --relay --sibling seed 106, TRUST.md bug 41)', () => {
  // FIG. 1's local-disaster exercise, hosts at the relay and remote sites. pair-sync is split; pair-async is swap-taken
  // over (V22 -> V21, PAIR: it replicates into the relay's real volume); then pair-sync is taken over (SSWS): V12, now
  // the copy the relay's hosts run on, changed with every record the remote host's writes sent into V21.
  const variation: Variation = { distanceScale: 10, bandwidthScale: 0.01, fence: 'status', initially: 'create', journalBytes: 2 ** 36, autoResync: false, grouping: 'one-group', paths: true, writes: 'straddling', remoteHosts: true, relayHosts: true, siblingHosts: true };
  const actions: Action[] = [
    { kind: 'run', us: 49_041 },
    { kind: 'pair', index: 0, op: 'split', readWrite: false },
    { kind: 'pair', index: 5, op: 'takeover', readWrite: false },
    { kind: 'pair', index: 4, op: 'takeover', readWrite: false },
    { kind: 'write', target: 5, block: 11 },
    { kind: 'run', us: 16_783 },
    { kind: 'pair', index: 7, op: 'failback', readWrite: false },
  ];

  test('the replayed counterexample: V12 is not taken over, and no record lands on a taken-over V12', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig01-exercise-local-disaster.relaylab.json')), variation, 1_000_000, actions);
    expect(violations).toEqual([]);
    expect(engine!.pairs.get('pair-sync')!.state).not.toBe('SSWS');
  });

  test('FIG. 1: the takeover is refused, saying which pair replicates into the same bytes', () => {
    const e = new Engine(quiet(load('fig01-loop')), { seed: 1 });
    expect(e.runUntilSettled(1e9)).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' }).ok).toBe(true);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover' }).ok).toBe(true);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect([e.pairs.get('pair-async')!.state, e.pairs.get('pair-async')!.primaryId]).toEqual(['PAIR', 'V22']);
    const r = e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover', readWrite: true });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/takeover refused: pair pair-sync is PSUS; V12 shares its data with V21, which pair pair-async \(PAIR\) replicates into; split pair-async first/);
    expect(e.pairs.get('pair-sync')!.state).toBe('PSUS');
  });
});

describe('a host write that took its slot after another volume\'s write had landed on the same bytes (TRUST.md bug 38, FIG. 13)', () => {
  // FIG. 13 with hosts at the relay writing V12 and V21, pair-sync swap-taken over (V12 -> V11), C12 filled with dirty
  // slots. V12's write waits for a slot; V21's write lands on the shared bytes meanwhile, and its fan-out to V12 waits
  // for a slot too. V12's write gets its slot first and lands over V21's; V21's fan-out then forwarded its own older bytes
  // to V11 after it: pair-sync PAIR with V11 != V12. The write that lands marks that fan-out stale (crossWritten), and it
  // forwards the bytes as they are then (prop-long --relay --sibling seed 301, run 2871, with that marking switched off).
  const variation: Variation = { distanceScale: 3, bandwidthScale: 4, fence: 'never', initially: 'paired', journalBytes: 2 ** 36, autoResync: false, grouping: 'one-group', paths: true, writes: 'straddling', remoteHosts: true, relayHosts: true, siblingHosts: true };
  const actions: Action[] = [
    { kind: 'write', target: 6, block: 15 },
    { kind: 'write', target: 7, block: 5 },
    { kind: 'pair', index: 6, op: 'takeover', readWrite: false },
    { kind: 'fillCache', index: 1 },
  ];

  test('pair-sync ends PAIR over equal copies', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig13-switchable-port.relaylab.json')), variation, 334_654, actions);
    expect(violations).toEqual([]);
    expect(engine!.volumeHash('V11')).toBe(engine!.volumeHash('V12'));
  });
});

describe('a checkpoint taken while a host write waits for a hand-down (TRUST.md bug 40)', () => {
  test('restored, the run goes on exactly as the straight run: same answers, same order on V22, same hashes', () => {
    const t = withSiblingHosts(withRelayHosts(quiet(load('fig01-loop'))));
    const run = (restoreMidway: boolean) => {
      const e = new Engine(t, { seed: 1 });
      e.runUntilSettled(1e9);
      e.command({ type: 'setCable', cableId: 'CN3', distanceKm: 3000 });
      e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' });
      e.runUntilSettled(e.nowUs + 60e6);
      const answered: number[] = [];
      e.hostWrite('hostS0', 'LU-S0', 0, new Uint8Array(4096).fill(1), false, () => answered.push(e.nowUs));
      e.runFor(4500);
      e.hostWrite('hostB0', 'LU-B0', 1 << 20, new Uint8Array(4096).fill(2), false, () => answered.push(e.nowUs));
      e.runFor(1000);
      expect(e.handDownWaits.get('V21')?.writes.length).toBe(1);
      // The count the checks start from is the lists' (one hand-down on the loop now).
      expect(e.handDownsListed).toBe([...e.handDowns.values()].reduce((n, l) => n + l.length, 0));
      expect(e.handDownsListed).toBe(1);
      if (restoreMidway) {
        const cp = e.checkpoint();
        e.runFor(7000);
        e.restore(cp);
      }
      e.runUntilSettled(e.nowUs + 60e6);
      expect(e.handDownsListed).toBe(0);
      return { answered, v21: e.volumeHash('V21'), v22: e.volumeHash('V22'), v11: e.volumeHash('V11'), now: e.nowUs };
    };
    expect(run(true)).toEqual(run(false));
  });
});

describe('a copy skipping never-written tracks while an older journal record of them is on its way (prop-long --load --sibling seed 111, TRUST.md bug 42)', () => {
  // FIG. 12 under load with hosts at the relay and remote sites. pair-sync deleted; the relay fails and comes back, so
  // pair-async-a/b resync (COPY) with records of relay writes still queued; pair-sync is made again and its initial copy
  // zeroes tracks of the relay's real volume that V11 never wrote. Those tracks go back into pair-async-a/b's bitmaps;
  // their copies found them never written on either side (the remote's record not landed yet) and skipped them as
  // copied; the record then landed on V22a/V22b: PAIR with V21a != V22a.
  const variation: Variation = {
    distanceScale: 3, bandwidthScale: 0.1, fence: 'status', initially: 'paired', journalBytes: 2 ** 36, autoResync: true, grouping: 'one-group', paths: false,
    load: { iops: 10_000, hotspotFraction: 0.0005, cacheBytes: 4_194_304, blockBytes: 6144, readRatio: 0 },
    writes: 'straddling', remoteHosts: true, relayHosts: true, siblingHosts: true,
  };
  const actions: Action[] = [
    { kind: 'pair', index: 0, op: 'delete', readWrite: false },
    { kind: 'run', us: 27_458 },
    { kind: 'failSystem', index: 0 },
    { kind: 'restoreSystem', index: 0 },
    { kind: 'settle' },
    { kind: 'pair', index: 0, op: 'create', readWrite: true },
  ];

  test('the skipped tracks supersede the older records, and both fan-out pairs end PAIR over equal copies', () => {
    const { violations, engine } = runSequence(withoutInitialFill(loadBuiltIn('fig12-fan-out.relaylab.json')), variation, 741_580, actions);
    expect(violations).toEqual([]);
    for (const leg of ['a', 'b']) {
      expect(engine!.pairs.get(`pair-async-${leg}`)!.state).toBe('PAIR');
      expect(engine!.volumeHash(`V22${leg}`)).toBe(engine!.volumeHash(`V21${leg}`));
    }
  });
});
