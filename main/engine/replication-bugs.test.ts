// Named regressions of issue 15: each scenario once made a pair claim PAIR (or up to date) over copies that differ.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseTopologyText } from '../../app/model/file';
import { withoutInitialFill, type Topology } from '../../app/model/schema';
import { Engine } from './engine';
import { runSequence, type Action, type Variation } from './properties/harness';

const DIR = 'assets/topologies';
const BUILT_INS = readdirSync(DIR).filter((f) => f.endsWith('.relaylab.json')).sort();

function load(name: string): Topology {
  const file = BUILT_INS.find((f) => f.startsWith(name) && !f.includes('-delta-resync') && !f.includes('-exercise-'))!;
  const r = parseTopologyText(readFileSync(`${DIR}/${file}`, 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.problems)}`);
  return withoutInitialFill(r.topology);
}

function quiet(t: Topology, pairs: (p: Topology['pairs'][number]) => Topology['pairs'][number] = (p) => p): Topology {
  return { ...t, hosts: t.hosts.map((h) => ({ ...h, workloads: [] })), pairs: t.pairs.map((p) => pairs({ ...p, initially: 'paired' as const })) };
}

// The takeovers below ask for the S-VOL takeover itself (readWrite: CCI pairsplit -RS, SSWS): these regressions are about SSWS;
// a plain takeover with the primary reachable is a swap-takeover now (failure.test.ts).
describe('a takeover while a sync update is on the wire (prop-long seed 777, run 2,777)', () => {
  test('the replayed counterexample: swap-resync leaves pair-sync PAIR with V12 equal to V11', () => {
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false };
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
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false };
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
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false };
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
    const variation: Variation = { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: true, grouping: 'as-filed' };
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
