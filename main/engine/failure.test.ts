// Scenario tests of issue 11, failure and recovery as the arrays do it: fence levels, per-side status, honest RPO, copy while writing.
import { describe, expect, test } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { withoutInitialFill, type FenceLevel, type Topology } from '../../app/model/schema';
import { Engine } from './engine';
import { runSimulation } from './headless';

function fig01(): Topology {
  // The scenarios start from empty volumes (the built-in's starting data is the initial-fill tests' subject).
  return withoutInitialFill(loadBuiltIn('fig01-loop-cascade.relaylab.json'));
}

/** FIG. 1 already paired (no initial copy), with its 800 IOPS workload, the sync leg at the given fence level. */
function fig01Paired(fence: FenceLevel = 'data'): Topology {
  const t = fig01();
  return { ...t, pairs: t.pairs.map((p) => ({ ...p, initially: 'paired' as const, ...(p.mode === 'sync' ? { fence } : {}) })) };
}

function acked(e: Engine): { acked: number; failed: number } {
  const h = e.hostTotals()[0]!;
  return { acked: h.writesAcked, failed: h.writesFailed };
}

function run(fence: FenceLevel, fault: 'failRelay' | 'split'): { before: { acked: number; failed: number }; after: { acked: number; failed: number }; e: Engine } {
  const e = new Engine(fig01Paired(fence), { seed: 3 });
  e.startWorkloads();
  e.runUntil(2_000_000);
  if (fault === 'failRelay') e.command({ type: 'failSystem', systemId: 'sys20' });
  else e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
  // Writes already past the sync hop when the fault came may still complete: let them land.
  e.runFor(5);
  const before = acked(e);
  e.runUntil(3_000_000);
  return { before, after: acked(e), e };
}

describe('fence levels (TrueCopy "fence level options")', () => {
  test('fence data: with the relay failed at 2 s the P-VOL acknowledges no host write until the fence is lifted', () => {
    const { before, after, e } = run('data', 'failRelay');
    expect(after.acked).toBe(before.acked);
    expect(after.failed).toBeGreaterThan(500);
    const status = e.pairStatus(e.pairs.get('pair-sync')!);
    expect(status.state).toBe('PSUE');
    expect(status.fenced).toBe(true);
    const lift = e.command({ type: 'pair', pairId: 'pair-sync', op: 'liftFence' });
    expect(lift.ok).toBe(true);
    e.runUntil(4_000_000);
    expect(acked(e).acked - after.acked).toBeGreaterThan(600);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).fenced).toBe(false);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).differentialTracks).toBeGreaterThan(0);
  });

  test('fence never: the host keeps writing after the relay fails, the bitmap records', () => {
    const { before, after, e } = run('never', 'failRelay');
    expect(after.acked - before.acked).toBeGreaterThan(600);
    expect(after.failed).toBeLessThan(20);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).fenced).toBe(false);
  });

  test('fence status: fenced on a relay failure (the S-VOL cannot be marked), not on an operator split', () => {
    const failed = run('status', 'failRelay');
    expect(failed.after.acked).toBe(failed.before.acked);
    expect(failed.e.pairStatus(failed.e.pairs.get('pair-sync')!).fenced).toBe(true);
    const split = run('status', 'split');
    expect(split.after.acked - split.before.acked).toBeGreaterThan(600);
    expect(split.after.failed).toBe(0);
  });

  test('an operator split never fences, whatever the level', () => {
    const { before, after } = run('data', 'split');
    expect(after.acked - before.acked).toBeGreaterThan(600);
    expect(after.failed).toBe(0);
  });

  test('a resync lifts the fence; lifting a fence that is not there is refused with the state named', () => {
    const { e } = run('data', 'failRelay');
    e.command({ type: 'restoreSystem', systemId: 'sys20' });
    const r = e.command({ type: 'pair', pairId: 'pair-sync', op: 'resync' });
    expect(r.ok).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).fenced).toBe(false);
    const refused = e.command({ type: 'pair', pairId: 'pair-sync', op: 'liftFence' });
    expect(refused.ok).toBe(false);
    expect(refused.ok === false && refused.reason).toContain('is COPY');
  });
});

/** FIG. 1 paired, no workload: the states are the operator's and the faults' doing alone. */
function fig01Quiet(fence: FenceLevel = 'data'): Topology {
  const t = fig01Paired(fence);
  return { ...t, hosts: t.hosts.map((h) => ({ ...h, workloads: [] })) };
}

function sides(e: Engine, pairId: string): [string, string, string] {
  const s = e.pairStatus(e.pairs.get(pairId)!);
  return [s.state, s.primaryState ?? '?', s.secondaryState ?? '?'];
}

describe('per-side status (CCI shows the P-VOL and the S-VOL)', () => {
  test('an operator split shows PSUS on the P-VOL and SSUS on the S-VOL', () => {
    const e = new Engine(fig01Quiet(), { seed: 1 });
    expect(sides(e, 'pair-sync')).toEqual(['PAIR', 'PAIR', 'PAIR']);
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
    expect(sides(e, 'pair-sync')).toEqual(['PSUS', 'PSUS', 'SSUS']);
  });

  test('a split pair whose link is then cut stays PSUS', () => {
    const e = new Engine(fig01Quiet(), { seed: 1 });
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
    e.command({ type: 'cutCable', cableId: 'CN2' });
    expect(sides(e, 'pair-sync')).toEqual(['PSUS', 'PSUS', 'SSUS']);
  });

  test('a primary-site disaster leaves the S-VOL at PAIR until the takeover, which makes it SSWS', () => {
    const e = new Engine(fig01Quiet(), { seed: 1 });
    e.command({ type: 'failSite', siteId: 'site-local' });
    expect(sides(e, 'pair-sync')).toEqual(['PSUE', 'PSUE', 'PAIR']);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' }).ok).toBe(true);
    expect(sides(e, 'pair-sync').slice(2)).toEqual(['SSWS']);
  });

  test('a cut link: the primary cannot tell the S-VOL, which still says PAIR; an error the primary can report shows PSUE on both sides', () => {
    const e = new Engine(fig01Quiet(), { seed: 1 });
    e.command({ type: 'cutCable', cableId: 'CN2' });
    expect(sides(e, 'pair-sync')).toEqual(['PSUE', 'PSUE', 'PAIR']);
    const quiet = fig01Quiet();
    const f = new Engine({ ...quiet, pairs: quiet.pairs.map((p) => ({ ...p, inflowControl: false })) }, { seed: 1 });
    f.command({ type: 'fillJournal', pairId: 'pair-async' });
    f.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(3), false);
    f.runFor(100_000);
    expect(sides(f, 'pair-async')).toEqual(['PSUE', 'PSUE', 'PSUE']);
  });

  test('simulate --json reports primaryState and secondaryState beside state', () => {
    const r = runSimulation(fig01Quiet(), { durationMs: 200, faults: [{ atMs: 100, command: { type: 'pair', pairId: 'pair-sync', op: 'split' } }] });
    const p = r.pairs.find((x) => x.id === 'pair-sync')!;
    expect([p.state, p.primaryState, p.secondaryState]).toEqual(['PSUS', 'PSUS', 'SSUS']);
  });
});

/** FIG. 1 paired with CN4 (relay -> remote) narrowed so that the 800 IOPS workload builds a journal backlog. */
function fig01Backlog(cn4Mbps = 20): Topology {
  const t = fig01Paired('data');
  return { ...t, cables: t.cables.map((c) => (c.id === 'CN4' ? { ...c, bandwidthMbps: cn4Mbps } : c)) };
}

describe('honest RPO (DOMAIN.md: now minus the host time of the newest write in the secondary image)', () => {
  test('a CN4 cut under backlog reports an RPO that includes the backlog, and it keeps growing from the image, not from the suspend', () => {
    const e = new Engine(fig01Backlog(), { seed: 5 });
    e.startWorkloads();
    e.runUntil(2_000_000);
    const async = e.pairs.get('pair-async')!;
    const backlogMs = e.pairStatus(async).rpoMs!;
    expect(backlogMs).toBeGreaterThan(100);
    e.command({ type: 'cutCable', cableId: 'CN4' });
    const atCut = e.pairStatus(async).rpoMs!;
    expect(atCut).toBeGreaterThanOrEqual(backlogMs);
    e.runUntil(3_000_000);
    const s = e.pairStatus(async);
    expect(s.state).toBe('PSUE');
    expect(s.rpoMs!).toBeCloseTo(atCut + 1000, 0);
    expect(s.consistentAsOfUs).toBeLessThan(2_000_000 - backlogMs * 1000 + 50_000);
    expect(s.maxRpoMs).toBeCloseTo(s.rpoMs!, 0);
  });

  test('end to end: with the sync leg suspended the farthest copy is as old as the sync image', () => {
    const e = new Engine(fig01Paired('never'), { seed: 5 });
    e.startWorkloads();
    e.runUntil(1_000_000);
    e.command({ type: 'cutCable', cableId: 'CN2' });
    e.runUntil(2_000_000);
    const s = e.pairStatus(e.pairs.get('pair-async')!);
    // The async leg has drained what reached the relay: its own RPO is small, but V22 lacks a second of host writes.
    expect(s.rpoMs!).toBeLessThan(100);
    expect(s.endToEndRpoMs!).toBeGreaterThan(990);
  });

  test('simulate --json: rpoMs is the value at the end of --duration (before the drain), maxRpoMs the largest seen', () => {
    const r = runSimulation(fig01Backlog(), { durationMs: 1500, seed: 5 });
    const p = r.pairs.find((x) => x.id === 'pair-async')!;
    expect(p.rpoMs!).toBeGreaterThan(100);
    expect(p.maxRpoMs!).toBeGreaterThanOrEqual(p.rpoMs!);
    expect(r.pairs.find((x) => x.id === 'pair-sync')!.maxRpoMs).toBeUndefined();
  });
});

describe('copy while writing (TrueCopy: updates to copied tracks are sent synchronously during COPY)', () => {
  /** FIG. 1 with the sync leg forming (initial copy) under a hot-spot workload; the async leg already paired. */
  function hotCopy(): Engine {
    const t = fig01();
    const hot: Topology = {
      ...t,
      pairs: t.pairs.map((p) => ({ ...p, initially: p.mode === 'sync' ? ('create' as const) : ('paired' as const) })),
      hosts: t.hosts.map((h) => ({ ...h, workloads: h.workloads.map((w) => ({ ...w, iops: 2000, pattern: 'hotspot' as const, hotspotFraction: 0.05 })) })),
    };
    const e = new Engine(hot, { seed: 9 });
    // The first 256 tracks written, so the copy has to send them (the hot spot is among them).
    e.preload('V11', 0, new Uint8Array(256 * 262144).fill(5));
    return e;
  }

  test('a hot initial copy sends each track once, progress only moves forward, and the message counts this copy', () => {
    const e = hotCopy();
    e.startWorkloads();
    const p = e.pairs.get('pair-sync')!;
    let last = 0;
    let backwards = 0;
    while (p.state === 'COPY' && e.nowUs < 60e6) {
      e.runFor(5_000);
      const progress = e.pairStatus(p).copyProgress;
      if (progress < last) backwards++;
      last = Math.max(last, progress);
    }
    expect(p.state).toBe('PAIR');
    expect(backwards).toBe(0);
    expect(p.copy.tracksSent).toBeLessThanOrEqual(p.trackCount);
    expect(p.reason).toBe(`copy complete (${p.copy.tracksSent} track(s) sent)`);
    // A resync after a short split sends only what changed, and says so.
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
    e.runFor(20_000);
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'resync' });
    e.runUntil(e.nowUs + 2_000_000);
    expect(p.state).toBe('PAIR');
    expect(p.copy.tracksSent).toBeLessThan(200);
    expect(p.reason).toBe(`copy complete (${p.copy.tracksSent} track(s) sent)`);
  });

  test('during COPY a write to a track already copied is forwarded synchronously: host latency includes the hop', () => {
    const e = hotCopy();
    const p = e.pairs.get('pair-sync')!;
    while (p.copy.cursor < 8 && e.nowUs < 10e6) e.runFor(100);
    expect(p.state).toBe('COPY');
    let latencyUs = -1;
    const start = e.nowUs;
    e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(9), false, () => (latencyUs = e.nowUs - start));
    e.runFor(20_000);
    // CN2 is 60 km: two round trips of 0.6 ms for a plain FC write, where a local-only write takes ~0.05 ms.
    expect(latencyUs).toBeGreaterThan(1_000);
    const ahead = p.trackCount - 1;
    let localUs = -1;
    const start2 = e.nowUs;
    e.hostWrite('host1', 'LU11', ahead * p.trackBytes, new Uint8Array(4096).fill(9), false, () => (localUs = e.nowUs - start2));
    e.runFor(20_000);
    expect(localUs).toBeLessThan(500);
  });
});

describe('copy while writing, async (Universal Replicator: the base copy and the update journal run side by side)', () => {
  test('a differential resync of the async leg under random writes converges: copied tracks are journaled, not re-marked', () => {
    const t = fig01Paired();
    // Random writes all over V11 at 2,000 IOPS: each dirties a 256 KiB track, ~500 MB/s of track copies, far above CN4.
    const busy: Topology = { ...t, hosts: t.hosts.map((h) => ({ ...h, workloads: h.workloads.map((w) => ({ ...w, iops: 2000, pattern: 'random' as const })) })) };
    const e = new Engine(busy, { seed: 5 });
    e.startWorkloads();
    e.runUntil(1_000_000);
    e.command({ type: 'cutCable', cableId: 'CN4' });
    e.runUntil(4_000_000);
    e.command({ type: 'restoreCable', cableId: 'CN4' });
    const p = e.pairs.get('pair-async')!;
    const dirty = e.pairStatus(p).differentialTracks;
    expect(dirty).toBeGreaterThan(1000);
    e.command({ type: 'pair', pairId: 'pair-async', op: 'resync' });
    expect(p.state).toBe('COPY');
    let last = 0;
    let backwards = 0;
    while (p.state === 'COPY' && e.nowUs < 120e6) {
      e.runFor(50_000);
      const progress = e.pairStatus(p).copyProgress;
      if (progress < last) backwards++;
      last = Math.max(last, progress);
    }
    // Before: every write to a copied track set its bit again and the copy chased the writes for ever.
    expect(p.state).toBe('PAIR');
    expect(backwards).toBe(0);
    expect(p.copy.tracksSent).toBeLessThanOrEqual(dirty + p.trackCount / 8);
    // Hosts stop, the journal drains: the remote holds exactly what the relay holds.
    e.command({ type: 'setWorkloadsEnabled', enabled: false });
    e.runUntilSettled(e.nowUs + 60e6);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });
});

describe('takeover and the 3DC cascade', () => {
  /** FIG. 1 with a standby host at the relay on TP21 (LU21 is V12's), as engine.test.ts builds it. */
  function withRelayHost(t: Topology): Topology {
    return {
      ...t,
      hosts: [...t.hosts, { id: 'hostR', name: 'standby', siteId: 'site-relay', workloads: [] }],
      ports: [...t.ports, { id: 'HBAR', name: 'HBAR', ownerId: 'hostR', kind: 'initiator', wwn: '50:06:0e:80:00:00:00:99' }],
      cables: [...t.cables, { id: 'CNR', name: 'CNR', kind: 'fc', aPortId: 'HBAR', bPortId: 'TP21', distanceKm: 0.1, bandwidthMbps: 16000, roundTripsPerWrite: 2 }],
    };
  }

  test('a takeover of the sync leg at the relay leaves relay -> remote replicating, and the relay host\'s writes reach the remote', () => {
    const e = new Engine(withRelayHost(fig01Quiet()), { seed: 1 });
    e.command({ type: 'failSite', siteId: 'site-local' });
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' }).ok).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PAIR');
    let ok = false;
    e.hostWrite('hostR', 'LU21', 0, new Uint8Array(4096).fill(6), false, (r) => (ok = r));
    e.runUntilSettled(e.nowUs + 10e6);
    expect(ok).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
    expect(e.stack.read('V22', 0, 1)[0]).toBe(6);
  });

  test('a takeover of the async leg with CN4 up is a swap-takeover: the journal is flushed, the roles swap, the pair stays paired and V22 equals V21', () => {
    const t = fig01Backlog();
    // A host at the remote site on TP31 (LU31 is V22's), to write to the new P-VOL after the swap.
    const e = new Engine(
      {
        ...t,
        hosts: [...t.hosts, { id: 'hostX', name: 'remote', siteId: 'site-remote', workloads: [] }],
        ports: [...t.ports, { id: 'HBAX', name: 'HBAX', ownerId: 'hostX', kind: 'initiator', wwn: '50:06:0e:80:00:00:00:98' }],
        cables: [...t.cables, { id: 'CNX', name: 'CNX', kind: 'fc', aPortId: 'HBAX', bPortId: 'TP31', distanceKm: 0.1, bandwidthMbps: 16000, roundTripsPerWrite: 2 }],
      },
      { seed: 5 },
    );
    e.startWorkloads();
    e.runUntil(1_000_000);
    // The local site is lost; the relay still holds a backlog for the remote over a working CN4.
    e.command({ type: 'failSite', siteId: 'site-local' });
    // The writes the relay acknowledged finish their way down the loop to V21 (a takeover comes minutes later in life).
    e.runFor(10_000);
    expect(e.pairStatus(e.pairs.get('pair-async')!).lagBytes!).toBeGreaterThan(50 * 4096);
    const r = e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover' });
    expect(r).toMatchObject({ ok: true, message: expect.stringContaining('then the roles swap (V22 -> V21)') });
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('suspending');
    e.runUntilSettled(e.nowUs + 60e6);
    const p = e.pairs.get('pair-async')!;
    expect([p.primaryId, p.secondaryId]).toEqual(['V22', 'V21']);
    expect(sides(e, 'pair-async')).toEqual(['PAIR', 'PAIR', 'PAIR']);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
    // Stays paired the other way: a write on V22 (the new P-VOL) reaches V21 through the journal.
    let ok = false;
    e.hostWrite('hostX', 'LU31', 0, new Uint8Array(4096).fill(9), false, (r) => (ok = r));
    e.runUntilSettled(e.nowUs + 10e6);
    expect(ok).toBe(true);
    expect(e.stack.read('V21', 0, 1)[0]).toBe(9);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });

  test('a takeover with the primary unreachable is SSWS (the relay system down: V21 cannot be told)', () => {
    const e = new Engine(fig01Backlog(), { seed: 5 });
    e.startWorkloads();
    e.runUntil(1_000_000);
    e.command({ type: 'failSystem', systemId: 'sys20' });
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'takeover' }).ok).toBe(true);
    expect(sides(e, 'pair-async')[0]).toBe('SSWS');
    expect(e.pairs.get('pair-async')!.primaryId).toBe('V21');
  });

  test('a sync swap-takeover with everything up: the updates on the way land, the roles swap, the relay leg keeps replicating', () => {
    const e = new Engine(fig01Paired('data'), { seed: 5 });
    e.startWorkloads();
    e.runUntil(1_000_000);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' }).ok).toBe(true);
    e.runFor(10_000);
    const p = e.pairs.get('pair-sync')!;
    expect([p.primaryId, p.secondaryId]).toEqual(['V12', 'V11']);
    expect(['PAIR', 'COPY']).toContain(p.state);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PAIR');
    // The old primary V11 is now the S-VOL: the host's writes to it are refused, not silently lost.
    expect(e.hostTotals()[0]!.writesFailed).toBeGreaterThan(0);
  });

  test('while the sync leg is in COPY the remote image fed from the relay is shown inconsistent, until what it fed has been applied', () => {
    const t = fig01Quiet();
    const e = new Engine({ ...t, pairs: t.pairs.map((p) => (p.mode === 'sync' ? { ...p, initially: 'create' as const } : p)) }, { seed: 1 });
    e.preload('V11', 0, new Uint8Array(64 * 262144).fill(4));
    const remote = () => e.pairStatus(e.pairs.get('pair-async')!);
    expect(e.pairs.get('pair-sync')!.state).toBe('COPY');
    e.runFor(1_000);
    expect(remote().state).toBe('PAIR');
    expect(remote().secondaryData).toBe('inconsistent');
    while (e.pairs.get('pair-sync')!.state === 'COPY') e.runFor(1_000);
    e.runUntilSettled(e.nowUs + 10e6);
    expect(remote().secondaryData).toBe('up-to-date');
  });
});

describe('cache write-pending threshold (arrays throttle host writes from ~70% dirty, not when every slot is dirty)', () => {
  test('a burst to distinct tracks never takes the cache past its write-pending threshold; writes wait instead', () => {
    const e = new Engine(fig01Quiet(), { seed: 1 });
    const c11 = () => e.snapshot().caches.find((c) => c.id === 'C11')!;
    const limit = Math.floor(c11().slotsTotal * 0.7);
    let maxDirty = 0;
    let acked = 0;
    for (let i = 0; i < 3000; i++) {
      e.hostWrite('host1', 'LU11', i * 262144, new Uint8Array(4096).fill(1), false, (ok) => ok && acked++);
      if (i % 50 === 0) {
        e.runFor(10);
        maxDirty = Math.max(maxDirty, c11().dirtySlots);
      }
    }
    while (acked < 3000 && e.nowUs < 60e6) {
      e.runFor(1_000);
      maxDirty = Math.max(maxDirty, c11().dirtySlots);
    }
    expect(acked).toBe(3000);
    expect(maxDirty).toBe(limit);
  });

  test('fillCache fills up to the threshold; the threshold is a property of the cache in the file (1 = only when full)', () => {
    const e = new Engine(fig01Quiet(), { seed: 1 });
    const r = e.command({ type: 'fillCache', cacheId: 'C11' });
    expect(r).toMatchObject({ ok: true, message: '1433 slot(s) of C11 filled with dirty data (write-pending threshold 70%)' });
    const t = fig01Quiet();
    const full = new Engine({ ...t, caches: t.caches.map((c) => ({ ...c, writePendingThreshold: 1 })) }, { seed: 1 });
    expect(full.command({ type: 'fillCache', cacheId: 'C11' })).toMatchObject({ ok: true, message: '2048 slot(s) of C11 filled with dirty data (write-pending threshold 100%)' });
  });
});

describe('journal transfer window and inflow control', () => {
  test('a long fat link (3,000 km, 10 Gbit/s) is limited by its bandwidth, not by a fixed count of records in flight', () => {
    const t = fig01Paired('data');
    const far: Topology = {
      ...t,
      cables: t.cables.map((c) => (c.id === 'CN4' ? { ...c, distanceKm: 3000, bandwidthMbps: 10_000 } : c)),
      hosts: t.hosts.map((h) => ({ ...h, workloads: h.workloads.map((w) => ({ ...w, iops: 12_000, blockBytes: 65536, pattern: 'sequential' as const })) })),
    };
    const e = new Engine(far, { seed: 2 });
    e.startWorkloads();
    e.runUntil(300_000);
    const snap = e.snapshot();
    const cn4 = snap.links.find((l) => l.id === 'CN4')!;
    const async = snap.pairs.find((p) => p.id === 'pair-async')!;
    // 12,000 x 64 KiB = 6.3 Gbit/s offered: the link carries it (a window of 256 records, 16 MiB per 30 ms round trip, gives 4.5 Gbit/s at most and the RPO climbs).
    expect(cn4.utilization).toBeGreaterThan(0.5);
    expect(async.rpoMs!).toBeLessThan(100);
  });
});

describe('journal full: inflow control and the Data Overflow Watch', () => {
  test('with inflow control a full journal holds writes back; still full after the 60 s watch (from full), the pair suspends PFUS and the held writes are recorded', () => {
    const e = new Engine(fig01Quiet(), { seed: 1 });
    e.runFor(1_000);
    e.command({ type: 'fillJournal', pairId: 'pair-async' });
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PFUL');
    let answer: boolean | undefined;
    e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(2), false, (ok) => (answer = ok));
    e.runFor(30e6);
    // In the cascade the relay acknowledged at S14; its hand-down to V21 is the write held back at the journal.
    expect(answer).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PFUL');
    expect(e.settled()).toBe(false);
    e.runFor(31e6);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PFUS');
    expect(e.pairStatus(e.pairs.get('pair-async')!).differentialTracks).toBeGreaterThanOrEqual(1);
  });

  test('without inflow control a write that does not fit suspends the pair at once (PSUE)', () => {
    const t = fig01Quiet();
    const e = new Engine({ ...t, pairs: t.pairs.map((p) => ({ ...p, inflowControl: false })) }, { seed: 1 });
    e.command({ type: 'fillJournal', pairId: 'pair-async' });
    let answer: boolean | undefined;
    e.hostWrite('host1', 'LU11', 0, new Uint8Array(4096).fill(2), false, (ok) => (answer = ok));
    e.runFor(100_000);
    expect(answer).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PSUE');
  });
});

describe('delta resync (Hitachi 3DC: a standby pair local -> remote)', () => {
  /** FIG. 1 plus the standby pair V11 -> V22 over its own cable CN6 (IP13 on the local system, TP32 on the remote). */
  function fig01Delta(standbyJournalBytes = 1 << 30): Topology {
    const t = fig01Backlog();
    return {
      ...t,
      pairs: [
        ...t.pairs.map((p) => (p.mode === 'sync' ? { ...p, fence: 'never' as const } : p)),
        { id: 'pair-delta', name: 'V11 -> V22 (delta resync standby)', primaryVolumeId: 'V11', secondaryVolumeId: 'V22', mode: 'async', fence: 'never', inflowControl: true, journalBytes: standbyJournalBytes, consistencyGroup: 'cg-delta', copyPace: 15, autoResync: false, initially: 'paired', standby: true },
      ],
      ports: [
        ...t.ports,
        { id: 'IP13', name: 'IP13', ownerId: 'sys10', kind: 'initiator', wwn: '50:06:0e:80:00:00:00:a1' },
        { id: 'TP32', name: 'TP32', ownerId: 'sys30', kind: 'target', wwn: '50:06:0e:80:00:00:00:a2' },
      ],
      cables: [...t.cables, { id: 'CN6', name: 'CN6', kind: 'ip', aPortId: 'IP13', bPortId: 'TP32', distanceKm: 600, bandwidthMbps: 2500, roundTripsPerWrite: 1 }],
    };
  }

  test('after the relay is lost, delta resync sends only the records the remote lacks, in order; V11 and V22 end identical', () => {
    const e = new Engine(fig01Delta(), { seed: 4 });
    const delta = e.pairs.get('pair-delta')!;
    // HOLDING while its journal is set up with the remote (one exchange over CN6), then HOLD.
    expect(delta.state).toBe('HOLDING');
    e.runFor(10_000);
    expect(delta.state).toBe('HOLD');
    e.startWorkloads();
    e.runUntil(2_000_000);
    e.command({ type: 'failSystem', systemId: 'sys20' });
    const r = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(r.ok).toBe(true);
    expect(r.ok && r.message).toMatch(/delta resync: \d+ record\(s\) the remote lacks/);
    // The relay leg stepped aside into HOLD: it keeps nothing, so it shows no kept writes, and still its RPO.
    const aside = e.pairStatus(e.pairs.get('pair-async')!);
    expect(aside.state).toBe('HOLD');
    expect(aside.standbyKept).toBeUndefined();
    expect(aside.maxRpoMs).toBeGreaterThan(0);
    const states = new Set<string>();
    while (e.nowUs < 3_000_000) {
      e.runFor(10_000);
      states.add(delta.state);
      // The remote is fed in order from the standby journal: never a bitmap copy, never inconsistent.
      expect(e.pairStatus(delta).secondaryData).not.toBe('inconsistent');
    }
    expect([...states]).toEqual(['PAIR']);
    e.workloadsStopUs = e.nowUs;
    e.runUntilSettled(e.nowUs + 60e6);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
    const cn6 = e.snapshot().links.find((l) => l.id === 'CN6')!;
    expect(cn6.bytes).toBeLessThan(delta.sizeBytes / 20);
  });

  test('the standby keeps what the remote lacks: the writes of a relay-leg outage until its resync carried them, then only those in flight', () => {
    const t = fig01Delta();
    // CN4 fast enough that the relay leg has no backlog: in steady state only writes on their way are kept.
    const e = new Engine({ ...t, cables: t.cables.map((c) => (c.id === 'CN4' ? { ...c, bandwidthMbps: 1000 } : c)) }, { seed: 4 });
    const delta = e.pairs.get('pair-delta')!;
    const kept = () => e.pairStatus(delta).standbyKept!;
    e.startWorkloads();
    e.runUntil(1_000_000);
    expect(kept().writes).toBeLessThan(20);
    expect(kept().capacityBytes).toBe(1 << 30);
    // The relay leg's outage: its writes go into its bitmap, the remote lacks them, the standby keeps them.
    e.command({ type: 'cutCable', cableId: 'CN4' });
    e.runUntil(2_000_000);
    const outage = kept();
    expect(outage.writes).toBeGreaterThan(500);
    expect(outage.bytes).toBe(outage.writes * 4096);
    e.command({ type: 'restoreCable', cableId: 'CN4' });
    expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'resync' }).ok).toBe(true);
    while (e.pairs.get('pair-async')!.state === 'COPY' && e.nowUs < 10_000_000) e.runFor(50_000);
    expect(e.pairs.get('pair-async')!.state).toBe('PAIR');
    // The resync's copy carried them: once the remote applies records again they are forgotten. They were kept for
    // ever when only a write's own applied record made the standby forget it, and a standby with a smaller journal
    // then wrapped (HLDE) over writes the remote had long had.
    e.runFor(200_000);
    expect(kept().writes).toBeLessThan(20);
    // That copy wrote V22 outside the journal order, so a delta resync now is a full copy, and says why.
    e.command({ type: 'failSystem', systemId: 'sys20' });
    const r = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(r.ok && r.message).toMatch(/pair-async copied into V22 while pair-delta stood by; full copy/);
    e.workloadsStopUs = e.nowUs;
    e.runUntilSettled(e.nowUs + 600e6);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });

  test('a relay lost while the sync leg copies back the writes of its split: the standby still holds them, and the delta resync sends them', () => {
    // Found in review: the standby counted the writes the sync leg's bitmap took as already at the remote, and the
    // first record applied during the sync leg's resync made it forget them all while the copy had not sent them yet.
    const t = fig01Delta();
    const e = new Engine(
      { ...t, cables: t.cables.map((c) => (c.id === 'CN4' ? { ...c, bandwidthMbps: 1000 } : c)), pairs: t.pairs.map((p) => (p.id === 'pair-sync' ? { ...p, copyPace: 1 } : p)) },
      { seed: 4 },
    );
    const delta = e.pairs.get('pair-delta')!;
    const sync = e.pairs.get('pair-sync')!;
    e.startWorkloads();
    e.runUntil(1_000_000);
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
    e.runUntil(1_500_000);
    const split = e.pairStatus(delta).standbyKept!.writes;
    expect(split).toBeGreaterThan(300);
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'resync' });
    // A slow copy (pace 1): records of writes to tracks it has sent are applied at the remote meanwhile.
    e.runFor(150_000);
    expect(sync.state).toBe('COPY');
    expect(e.pairStatus(delta).standbyKept!.writes).toBeGreaterThanOrEqual(split);
    expect(e.pairStatus(e.pairs.get('pair-async')!).appliedSeq).toBeGreaterThan(0);
    e.command({ type: 'failSystem', systemId: 'sys20' });
    const r = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(r.ok && r.message).toMatch(/delta resync: \d+ record\(s\) the remote lacks/);
    e.workloadsStopUs = e.nowUs;
    e.runUntilSettled(e.nowUs + 600e6);
    expect(delta.state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });

  test('a split of the relay leg draining its journal does not make the standby forget a write that went into its bitmap', () => {
    // Found in review: a write overtaken in a full C21 reached V21 while pair-async was draining for a split
    // ('suspending'): its bitmap took it, and the newer write applied during the drain made the standby forget it,
    // though no copy had sent it. The relay then failed and the delta resync sent nothing.
    const t = fig01Delta();
    const e = new Engine(
      {
        ...t,
        systems: t.systems.map((x) => (x.id === 'sys20' || x.id === 'sys40' ? { ...x, destageUsPerTrack: 50_000 } : x)),
        cables: t.cables.map((c) => (c.id === 'CN4' ? { ...c, distanceKm: 30_000, bandwidthMbps: 2500 } : c)),
      },
      { seed: 4 },
    );
    const delta = e.pairs.get('pair-delta')!;
    const relay = e.pairs.get('pair-async')!;
    e.runFor(20_000);
    const TRACK = 262_144;
    const write = (track: number, fill: number) => e.command({ type: 'hostWrite', hostId: 'host1', luId: 'LU11', offsetBytes: track * TRACK, lengthBytes: 4096, fill });
    e.command({ type: 'fillCache', cacheId: 'C21' });
    e.runFor(60_000);
    write(5, 1);
    e.runFor(2_000);
    write(9, 2); // waits for a slot in C21
    e.runFor(1);
    write(5, 3); // gets in on track 5's dirty slot and is journaled first
    e.runFor(300);
    e.command({ type: 'fillCache', cacheId: 'C21' });
    let split = false;
    for (let i = 0; i < 4000 && relay.state !== 'PSUS'; i++) {
      e.runFor(100);
      if (!split && relay.journal!.nextSeq > 2) {
        expect(e.command({ type: 'pair', pairId: 'pair-async', op: 'split' }).ok).toBe(true);
        split = true;
      }
    }
    expect(relay.state).toBe('PSUS');
    e.command({ type: 'failSystem', systemId: 'sys20' });
    expect(e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' }).ok).toBe(true);
    e.runUntilSettled(e.nowUs + 60e6);
    expect(delta.state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });

  test('a newer write over part of an older kept write: the standby keeps the rest, which the remote may still lack', () => {
    // A kept write that went nowhere (the sync leg was deleted) reaches the remote only with the re-created leg's
    // initial copy. An applied newer write over part of it made the standby forget it whole; the relay failed before
    // the copy reached its other part, and the delta resync did not send that part: PAIR with V22 != V11.
    const t0 = withoutInitialFill(loadBuiltIn('fig01-delta-resync.relaylab.json'));
    const t = { ...t0, hosts: t0.hosts.map((h) => ({ ...h, workloads: [] })), pairs: t0.pairs.map((p) => (p.id === 'pair-sync' ? { ...p, copyPace: 1 } : p)) };
    const e = new Engine(t, { seed: 1 });
    e.runUntilSettled(60e6);
    const sync = e.pairs.get('pair-sync')!;
    const relay = e.pairs.get('pair-async')!;
    const TRACK = 262_144;
    const write = (offsetBytes: number, lengthBytes: number, fill: number) => e.command({ type: 'hostWrite', hostId: 'host1', luId: 'LU11', offsetBytes, lengthBytes, fill });
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'delete' }).ok).toBe(true);
    e.runFor(50_000);
    for (let k = 0; k < 15; k++) write(k * TRACK, 4096, 10 + k);
    write(15 * TRACK - 4096, 8192, 99); // over the end of track 14 and the start of track 15
    e.runFor(20_000);
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'create' }).ok).toBe(true);
    // The initial copy at pace 1 sends a track every ~30 ms: once track 14 is sent, the newer write over its end
    // goes through the relay and is applied at the remote while track 15 is still to copy.
    while (sync.primaryBitmap.has(14)) e.runFor(500);
    const applied = e.pairStatus(relay).appliedSeq!;
    write(15 * TRACK - 4096, 4096, 77);
    while (e.pairStatus(relay).appliedSeq! < applied + 2) e.runFor(500);
    expect(sync.primaryBitmap.has(15)).toBe(true);
    e.command({ type: 'failSystem', systemId: 'sys20' });
    expect(e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' }).ok).toBe(true);
    e.runUntilSettled(e.nowUs + 60e6);
    expect(e.pairs.get('pair-delta')!.state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });

  test('a wrapped standby journal falls back to a full copy and says so', () => {
    const e = new Engine(fig01Delta(64 * 1024), { seed: 4 });
    e.startWorkloads();
    e.runUntil(1_000_000);
    // The journal wrapped while the remote still lacked writes: HLDE, saying why.
    expect(e.pairStatus(e.pairs.get('pair-delta')!)).toMatchObject({ state: 'HLDE', reason: expect.stringContaining('standby journal wrapped') });
    e.command({ type: 'failSystem', systemId: 'sys20' });
    const r = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(r.ok && r.message).toMatch(/wrapped.*copy/);
    expect(e.pairs.get('pair-delta')!.state).toBe('COPY');
  });

  test('the standby refuses a delta resync while HOLDING; its cable cut makes it HLDE, restored it is HOLDING then HOLD and still sends only the delta', () => {
    const e = new Engine(fig01Delta(), { seed: 4 });
    const delta = e.pairs.get('pair-delta')!;
    const early = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(early.ok === false && early.reason).toContain('is HOLDING; the standby is still being prepared');
    e.startWorkloads();
    e.runUntil(1_000_000);
    e.command({ type: 'cutCable', cableId: 'CN6' });
    expect(e.pairStatus(delta)).toMatchObject({ state: 'HLDE', reason: expect.stringContaining('cable CN6 to V22 is down') });
    e.runUntil(1_500_000);
    const down = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(down.ok).toBe(false);
    e.command({ type: 'restoreCable', cableId: 'CN6' });
    expect(delta.state).toBe('HOLDING');
    e.runFor(10_000);
    expect(delta.state).toBe('HOLD');
    e.runUntil(2_000_000);
    e.command({ type: 'failSystem', systemId: 'sys20' });
    const r = e.command({ type: 'pair', pairId: 'pair-delta', op: 'deltaResync' });
    expect(r.ok && r.message).toMatch(/delta resync: \d+ record\(s\) the remote lacks/);
    e.workloadsStopUs = e.nowUs + 500_000;
    e.runUntilSettled(e.nowUs + 60e6);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
    expect(e.snapshot().links.find((l) => l.id === 'CN6')!.bytes).toBeLessThan(delta.sizeBytes / 20);
  });
});
