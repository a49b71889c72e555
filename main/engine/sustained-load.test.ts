// Every built-in figure under a sustained hotspot load with small caches (writes queue for slots everywhere), then
// settled: every pair PAIR and its two sides equal. The property run issues one write at a time and never fills the
// queues this way; a queueing bug that let one write overtake another to the same track was found by the bench.
import { describe, expect, it } from 'vitest';
import { Engine } from './engine';
import { runSequence, type Action, type Variation } from './properties/harness';
import { loadBuiltIns } from '../../test/builtins';
import { withoutInitialFill, type Topology } from '../../app/model/schema';

function underLoad(t: Topology): Topology {
  return {
    ...t,
    caches: t.caches.map((c) => ({ ...c, sizeBytes: Math.min(c.sizeBytes, 2 ** 20) })),
    hosts: t.hosts.map((h) => ({ ...h, workloads: h.workloads.map((w) => ({ ...w, pattern: 'hotspot' as const, hotspotFraction: 0.001 })) })),
  };
}

/**
 * A property counterexample replayed through the harness (`runSequence`): the built-in whose file name contains `file`,
 * without its initial fill, under `variation`; the load ran (at least `minAcked` workload writes) and nothing broke.
 */
function expectReplayClean(file: string, variation: Variation, seed: number, actions: Action[], minAcked: number): void {
  const topology = withoutInitialFill(loadBuiltIns().find((b) => b.file.includes(file))!.topology);
  const { violations, stats } = runSequence(topology, variation, seed, actions);
  expect(stats.writesAcked).toBeGreaterThan(minAcked);
  expect(violations).toEqual([]);
}

describe('sustained load with small caches', () => {
  for (const { file, topology } of loadBuiltIns()) {
    it(`${file}: after 100 ms at 10,000 hotspot IOPS and settling, every pair is PAIR over equal copies`, () => {
      const e = new Engine(underLoad(topology), { seed: 7 });
      e.workloadsStopUs = 100_000;
      e.startWorkloads({ iops: 10_000, blockBytes: 4096 });
      e.runUntil(100_000);
      e.runUntilSettled(3600e6);
      let acked = 0;
      for (const h of e.hostTotals()) acked += h.writesAcked;
      expect(acked).toBeGreaterThan(100);
      for (const p of e.pairs.values()) {
        if (p.state === 'HOLD' || p.state === 'SMPL') continue; // a delta-resync standby carries nothing
        expect(p.state, `${p.id}`).toBe('PAIR');
        expect(e.volumeHash(p.secondaryId), `${p.id}: ${p.primaryId} vs ${p.secondaryId}`).toBe(e.volumeHash(p.primaryId));
      }
    });
  }
});

describe('a system failing under load', () => {
  it('frees the cache slots of the writes it was storing: after its restore and a resync, writes flow again and the copies match', () => {
    // The journal-sizing exercise under load; the relay fails at 40 ms with writes just stored in its caches. Those
    // writes' slots stayed dirty for ever: after the restore every write to those caches waited for a slot nobody freed,
    // the copy of pair-sync into V12 never reached V21's pairs, and pair-async said PAIR over different copies.
    const e = new Engine(underLoad(loadBuiltIns().find((b) => b.file.includes('journal-sizing'))!.topology), { seed: 4 });
    e.workloadsStopUs = 300_000;
    e.startWorkloads({ iops: 10_000, blockBytes: 4096 });
    e.runUntil(40_000);
    expect(e.command({ type: 'failSystem', systemId: 'sys20' }).ok).toBe(true);
    e.runUntil(90_000);
    expect(e.command({ type: 'restoreSystem', systemId: 'sys20' }).ok).toBe(true);
    e.runUntil(160_000);
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'resync' }).ok).toBe(true);
    e.runUntil(300_000);
    e.runUntilSettled(3600e6);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'resync' }).ok).toBe(true);
    e.runUntilSettled(3600e6);
    expect(e.activeFlows).toBe(0); // nothing stuck waiting for a slot
    for (const c of e.caches.values()) expect(c.waiters.length, c.id).toBe(0);
    for (const p of e.pairs.values()) {
      expect(p.state, p.id).toBe('PAIR');
      expect(e.volumeHash(p.secondaryId), p.id).toBe(e.volumeHash(p.primaryId));
    }
  });
});

describe('writers queued for cache slots', () => {
  it('a system failing with thousands of writers queued in one cache fails them one after another, not nested (no stack overflow)', () => {
    // Each woken writer finds its system down, frees the slot it took and wakes the next. Woken inside the previous
    // writer's flow, 5,000 of them nested 5,000 deep and overflowed the call stack; the sustained-load property run
    // found it (FIG. 1 delta resync and FIG. 11 under load, a system failing).
    const t = loadBuiltIns().find((b) => b.file.startsWith('fig01-loop-cascade'))!.topology;
    const e = new Engine({ ...t, caches: t.caches.map((c) => ({ ...c, sizeBytes: 2 ** 20 })) }, { seed: 1 });
    e.runUntilSettled(3600e6);
    const trackBytes = 262_144;
    let failed = 0;
    for (let i = 0; i < 5_000; i++) e.hostWrite('host1', 'LU11', (i % 3_000) * trackBytes, new Uint8Array(4096).fill(1 + (i % 200)), false, (ok) => ok || failed++);
    for (let i = 0; i < 50 && e.caches.get('C11')!.waiters.length < 4_000; i++) e.runFor(1_000); // the writes reach V11's cache and queue for its few slots
    expect(e.caches.get('C11')!.waiters.length).toBeGreaterThan(4_000);
    expect(e.command({ type: 'failSystem', systemId: 'sys10' }).ok).toBe(true);
    expect(() => e.runUntilSettled(e.nowUs + 600e6)).not.toThrow();
    expect(e.caches.get('C11')!.waiters.length).toBe(0);
    expect(failed).toBeGreaterThan(4_000);
  });
});

describe('a swap-takeover under load', () => {
  it('refuses the host writes still queued for a slot on the old P-VOL once it became the S-VOL: the swapped pair is PAIR over equal copies', () => {
    // The host's writes queue for V11's cache slots; the takeover lets the updates on the way land, then swaps. A write
    // admitted before the swap and stored after it went into V11, now the write-protected S-VOL, and never to V12: PAIR
    // over different copies (found by the sustained-load property run, FIG. 1's local-disaster exercise).
    const e = new Engine(underLoad(withoutInitialFill(loadBuiltIns().find((b) => b.file.includes('local-disaster'))!.topology)), { seed: 3 });
    e.startWorkloads({ iops: 10_000, blockBytes: 4096 });
    e.runFor(2_000);
    expect(e.caches.get('C11')!.waiters.length).toBeGreaterThan(0);
    const r = e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' });
    expect(r.ok, r.ok ? '' : r.reason).toBe(true);
    e.workloadsStopUs = e.nowUs;
    e.runUntilSettled(e.nowUs + 600e6);
    const p = e.pairs.get('pair-sync')!;
    expect([p.primaryId, p.secondaryId, p.state]).toEqual(['V12', 'V11', 'PAIR']);
    expect(e.volumeHash('V11')).toBe(e.volumeHash('V12'));
    expect(e.hostTotals()[0]!.writesFailed).toBeGreaterThan(0);
  });
});

describe('a path of a path group cut and restored before its timeout, under load', () => {
  it('sends a newer update of a track only after the older one lost on the cut path: PAIR over equal copies', () => {
    // The sustained-load property run's counterexample (prop-long 1000 4242 120 --load, shrunk): FIG. 1's journal-sizing
    // exercise twice side by side, each pair on two paths (timeout 20 ms). pair-sync's update of a track was lost on
    // the cut path and waited for the timeout; the cut was repaired meanwhile, a newer update of the same track went
    // over it and landed, then the resend of the older one landed over it: V12 kept the older bytes.
    expectReplayClean('journal-sizing', { distanceScale: 0.01, bandwidthScale: 0.01, fence: 'data', initially: 'paired', journalBytes: 65536, autoResync: false, grouping: 'twins', paths: true, load: { iops: 2000, hotspotFraction: 0.0005, cacheBytes: 1048576 } }, 46438, [
      { kind: 'run', us: 19835 },
      { kind: 'cutCable', index: 10 }, // CN2.path2, pair-sync's second path
      { kind: 'run', us: 10229 },
    ], 50);
  });
});

describe('a sync update lost on a slow path after the path timeout had already moved the pair', () => {
  it('is sent again with the bytes the primary holds now, not over a newer update of the same track: PAIR over equal copies', () => {
    // prop-long 1000 4242 120 --load, run 651, shrunk: FIG. 11 twice side by side, path groups, bandwidth x0.01. pair-sync's
    // update of a track was on CN2 when CN2 was cut; the 20 ms path timeout moved the pair to its second path before the
    // slow transfer would have arrived, so a newer update of the same track went on the second path first. The loss
    // was noticed after that, and the resend of the older bytes landed last: V12 kept them.
    expectReplayClean('fig11', { distanceScale: 0.1, bandwidthScale: 0.01, fence: 'never', initially: 'create', journalBytes: 65536, autoResync: true, grouping: 'twins', paths: true, load: { iops: 2000, hotspotFraction: 0.01, cacheBytes: 4194304 } }, 714913, [
      { kind: 'run', us: 19794 },
      { kind: 'settle' },
      { kind: 'run', us: 23108 },
      { kind: 'run', us: 22914 },
      { kind: 'settle' },
      { kind: 'failSystem', index: 3 },
      { kind: 'run', us: 26867 },
      { kind: 'run', us: 18547 },
      { kind: 'run', us: 26185 },
      { kind: 'run', us: 32545 },
      { kind: 'settle' },
      { kind: 'restoreSite', index: 4 },
      { kind: 'run', us: 20325 },
      { kind: 'run', us: 20846 },
      { kind: 'run', us: 33842 },
      { kind: 'run', us: 19776 },
      { kind: 'run', us: 21939 },
      { kind: 'run', us: 18335 },
      { kind: 'run', us: 27353 },
      { kind: 'run', us: 31099 },
      { kind: 'cutCable', index: 4 },
      { kind: 'run', us: 23886 },
      { kind: 'run', us: 38369 },
    ], 50);
  });
});

describe('a hand-down that waited long in a full cache while its pair was suspended and resynced', () => {
  it('serves no more the pairs that took it into their bitmaps: the resync sent its bytes, its old journal record would undo newer ones', () => {
    // Sampled sustained-load sequence (seed 31, run 447), shrunk: FIG. 1's local-disaster exercise twice side by side.
    // CN5 cut (V21's real volume unreachable: C21 fills with dirty tracks), then the loop CN3 cut: pair-async suspends
    // and records the hand-downs on their way. One of them waited for a slot in C21 until the final repair, long after
    // pair-async's resync had copied the track with newer bytes; arriving, it journaled its old bytes over them.
    expectReplayClean('local-disaster', { distanceScale: 0.1, bandwidthScale: 0.1, fence: 'status', initially: 'create', journalBytes: 68719476736, autoResync: true, grouping: 'twins', paths: false, load: { iops: 2000, hotspotFraction: 0.001, cacheBytes: 1048576 } }, 594534, [
      { kind: 'cutCable', index: 12 }, // CN5
      { kind: 'run', us: 6983 },
      { kind: 'cutCable', index: 3 }, // CN3, the loop
      { kind: 'run', us: 15679 },
    ], 20);
  });
});

describe('a hand-down started while its pair was suspended, arriving after the pair was resynced', () => {
  it('serves no pair that started a copy since it started: its bytes went with that copy', () => {
    // prop-long 1500 777 200 --load, run 445, shrunk by fast-check and then by hand: FIG. 1's journal-sizing exercise twice
    // side by side. pair-async.twin suspended (journal full); the relay's writes meanwhile went into its bitmap when they
    // were applied to the shared store, and their loop hand-downs waited in C21.twin (its external real volume failed).
    // One arrived after the resync had copied the track with newer bytes, and journaled its old ones over them.
    expectReplayClean('journal-sizing', { distanceScale: 0.01, bandwidthScale: 1, fence: 'never', initially: 'paired', journalBytes: 65536, autoResync: true, grouping: 'twins', paths: false, load: { iops: 10000, hotspotFraction: 0.0005, cacheBytes: 4194304 } }, 18, [
      { kind: 'settle' },
      { kind: 'failSite', index: 0 },
      { kind: 'run', us: 19995 },
      { kind: 'restoreSystem', index: 0 },
      { kind: 'run', us: 17732 },
      { kind: 'failSystem', index: 6 },
      { kind: 'pair', index: 6, op: 'delete', readWrite: false },
      { kind: 'failSystem', index: 4 },
      { kind: 'settle' },
      { kind: 'pair', index: 1, op: 'takeover', readWrite: true },
    ], 20);
  });
});

describe('a delta-resync standby under load, the relay site lost', () => {
  it('keeps a write until the relay journaled it and the remote applied it, not until a newer write to another track was applied: the delta resync sends it', () => {
    // Sampled seed 41, runs 749 and 772, shrunk: writes to other tracks overtook one waiting for a slot in the relay
    // and were journaled and applied first. The standby forgot every write kept before an applied one (in the order
    // they reached V11), so it forgot that one too; the relay site failed and the delta resync never sent it.
    expectReplayClean('fig01-delta-resync', { distanceScale: 3, bandwidthScale: 0.01, fence: 'status', initially: 'paired', journalBytes: 1048576, autoResync: true, grouping: 'as-filed', paths: true, load: { iops: 10000, hotspotFraction: 0.001, cacheBytes: 1048576 } }, 268150, [
      { kind: 'run', us: 33408 },
      { kind: 'failSite', index: 1 },
      { kind: 'pair', index: 2, op: 'deltaResync', readWrite: true },
    ], 20);
  });
});
