// Issue 11 item 6, paths: a pair's path group (several cables, a minimum up), the path timeout before a cut is noticed.
import { describe, expect, test } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { parseTopologyText } from '../../app/model/file';
import { withoutInitialFill, type Topology } from '../../app/model/schema';
import { validateTopology } from '../../app/validate';
import { Engine } from './engine';
import { runSimulation } from './headless';

function fig01(): Topology {
  return withoutInitialFill(loadBuiltIn('fig01-loop-cascade.relaylab.json'));
}

/** FIG. 1 paired with a second cable CN2b beside CN2 (IP12 -> TP23); the sync pair uses both as a path group. */
function twoPaths(minPaths = 1, timeoutMs = 2000): Topology {
  const t = fig01();
  return {
    ...t,
    ports: [
      ...t.ports,
      { id: 'IP12', name: 'IP12', ownerId: 'sys10', kind: 'initiator', wwn: '50:06:0e:80:00:00:00:21' },
      { id: 'TP23', name: 'TP23', ownerId: 'sys20', kind: 'target', wwn: '50:06:0e:80:00:00:00:22' },
    ],
    cables: [...t.cables, { id: 'CN2b', name: 'CN2b', kind: 'fc', aPortId: 'IP12', bPortId: 'TP23', distanceKm: 60, bandwidthMbps: 16000, roundTripsPerWrite: 2 }],
    pairs: t.pairs.map((p) => ({ ...p, initially: 'paired' as const, ...(p.mode === 'sync' ? { paths: { cableIds: ['CN2', 'CN2b'], minPaths, timeoutMs } } : {}) })),
  };
}

const linkBytes = (e: Engine, id: string) => e.snapshot().links.find((l) => l.id === id)!.bytes;
const host = (e: Engine) => e.hostTotals()[0]!;

describe('path groups (TrueCopy/UR remote connection: paths, minimum paths, path timeout)', () => {
  test('cutting one of two paths: writes wait for the path timeout, then the pair stays PAIR on the other path and the load moves', () => {
    const e = new Engine(twoPaths(), { seed: 2 });
    e.startWorkloads();
    e.runUntil(1_000_000);
    // Both paths up: the updates are spread over both (path-spreading.test.ts measures the balance).
    expect(linkBytes(e, 'CN2')).toBeGreaterThan(0);
    expect(linkBytes(e, 'CN2b')).toBeGreaterThan(0);
    const p99Before = e.snapshot().hosts[0]!.writeLatencyMs.p99;
    e.command({ type: 'cutCable', cableId: 'CN2' });
    // Not noticed at the cut: still PAIR, and the updates sent meanwhile wait (nothing acknowledged, nothing failed):
    // the array does not know yet which path was lost, so it keeps its route (CN2). Updates already on CN2b land.
    expect(e.pairStatus(e.pairs.get('pair-sync')!).state).toBe('PAIR');
    e.runUntil(1_010_000);
    const atCut = host(e).writesAcked;
    e.runUntil(2_900_000);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).state).toBe('PAIR');
    expect(e.pairStatus(e.pairs.get('pair-sync')!).paths).toMatchObject({ up: 1, total: 2, min: 1, detecting: true });
    expect(host(e).writesAcked).toBe(atCut);
    // The 2 s path timeout runs out at 3 s: the waiting writes go over CN2b and the pair stays PAIR.
    e.runUntil(4_000_000);
    const s = e.pairStatus(e.pairs.get('pair-sync')!);
    expect(s.state).toBe('PAIR');
    expect(s.paths).toMatchObject({ up: 1, total: 2, detecting: false });
    expect(s.fenced).toBeFalsy();
    expect(host(e).writesAcked - atCut).toBeGreaterThan(1200);
    expect(host(e).writesFailed).toBe(0);
    expect(linkBytes(e, 'CN2b')).toBeGreaterThan(1000 * 4096);
    // The host latency series (the live chart reads the snapshot's p99) shows the stall of about the path timeout.
    const p99After = e.snapshot().hosts[0]!.writeLatencyMs.p99;
    expect(p99Before).toBeLessThan(5);
    expect(p99After).toBeGreaterThan(1000);
    const cn2 = linkBytes(e, 'CN2');
    e.runUntil(5_000_000);
    expect(linkBytes(e, 'CN2')).toBe(cn2);
    e.runUntilSettled(e.nowUs + 60e6);
    expect(e.volumeHash('V12')).toBe(e.volumeHash('V11'));
  });

  test('losing paths below the minimum suspends the pair, after the path timeout and not at the cut', () => {
    const e = new Engine(twoPaths(2), { seed: 2 });
    e.startWorkloads();
    e.runUntil(1_000_000);
    e.command({ type: 'cutCable', cableId: 'CN2b' });
    e.runUntil(2_500_000);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).state).toBe('PAIR');
    e.runUntil(3_100_000);
    const s = e.pairStatus(e.pairs.get('pair-sync')!);
    expect(s.state).toBe('PSUE');
    expect(s.reason).toContain('only 1 of 2 path(s) up');
    // Fence data: the P-VOL is fenced from the failed update.
    expect(s.fenced).toBe(true);
  });

  test('both paths lost with a minimum of 1: suspends after the timeout; a restored path lets the resync run', () => {
    const e = new Engine(twoPaths(1), { seed: 2 });
    e.startWorkloads();
    e.runUntil(1_000_000);
    e.command({ type: 'cutCable', cableId: 'CN2' });
    e.command({ type: 'cutCable', cableId: 'CN2b' });
    e.runUntil(3_100_000);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).state).toBe('PSUE');
    e.command({ type: 'restoreCable', cableId: 'CN2b' });
    expect(e.command({ type: 'pair', pairId: 'pair-sync', op: 'resync' }).ok).toBe(true);
    e.runUntilSettled(e.nowUs + 60e6);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).state).toBe('PAIR');
    expect(e.volumeHash('V12')).toBe(e.volumeHash('V11'));
  });

  test('an async pair keeps its journal in order across a path loss: records lost on the cut path are sent again', () => {
    const t = fig01();
    const e = new Engine(
      {
        ...t,
        ports: [...t.ports, { id: 'IP24', name: 'IP24', ownerId: 'sys20', kind: 'initiator', wwn: '50:06:0e:80:00:00:00:23' }, { id: 'TP32', name: 'TP32', ownerId: 'sys30', kind: 'target', wwn: '50:06:0e:80:00:00:00:24' }],
        cables: [...t.cables, { id: 'CN4b', name: 'CN4b', kind: 'ip', aPortId: 'IP24', bPortId: 'TP32', distanceKm: 600, bandwidthMbps: 2500, roundTripsPerWrite: 1 }],
        pairs: t.pairs.map((p) => ({ ...p, initially: 'paired' as const, ...(p.mode === 'async' ? { paths: { cableIds: ['CN4', 'CN4b'], minPaths: 1, timeoutMs: 1000 } } : {}) })),
      },
      { seed: 4 },
    );
    e.startWorkloads();
    e.runUntil(1_000_000);
    e.command({ type: 'cutCable', cableId: 'CN4' });
    e.runUntil(3_000_000);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PAIR');
    expect(linkBytes(e, 'CN4b')).toBeGreaterThan(0);
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
    e.runUntilSettled(e.nowUs + 60e6);
    expect(e.pairStatus(e.pairs.get('pair-async')!).state).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });
});

describe('path group in the report', () => {
  test('one cable: without a path group the cut suspends at once (loss of signal); as a group of one it waits the path timeout', () => {
    const plain = new Engine({ ...fig01(), pairs: fig01().pairs.map((p) => ({ ...p, initially: 'paired' as const })) }, { seed: 3 });
    plain.startWorkloads();
    plain.runUntil(500_000);
    plain.command({ type: 'cutCable', cableId: 'CN2' });
    plain.runFor(10_000);
    expect(plain.pairStatus(plain.pairs.get('pair-sync')!).primaryState).toBe('PSUE');

    const t = fig01();
    const grouped = new Engine({ ...t, pairs: t.pairs.map((p) => ({ ...p, initially: 'paired' as const, ...(p.mode === 'sync' ? { paths: { cableIds: ['CN2'], minPaths: 1, timeoutMs: 3000 } } : {}) })) }, { seed: 3 });
    grouped.startWorkloads();
    grouped.runUntil(500_000);
    const acked = host(grouped).writesAcked;
    grouped.command({ type: 'cutCable', cableId: 'CN2' });
    grouped.runFor(2_900_000);
    // Still PAIR and nothing acknowledged: the host's writes wait for the path timeout.
    expect(grouped.pairStatus(grouped.pairs.get('pair-sync')!).primaryState).toBe('PAIR');
    expect(host(grouped).writesAcked).toBe(acked);
    grouped.runFor(200_000);
    expect(grouped.pairStatus(grouped.pairs.get('pair-sync')!).primaryState).toBe('PSUE');
  });

  test('simulate --json reports each path-grouped pair\'s paths up at the end', () => {
    const r = runSimulation(twoPaths(), { durationMs: 500, seed: 1, faults: [{ atMs: 100, command: { type: 'cutCable', cableId: 'CN2b' } }] });
    expect(r.pairs.find((p) => p.id === 'pair-sync')).toMatchObject({ state: 'PAIR', paths: { up: 1, total: 2, min: 1 } });
    expect(r.pairs.find((p) => p.id === 'pair-async')!.paths).toBeUndefined();
  });
});

describe('path group in the file', () => {
  test('a path cable that does not join the pair\'s two systems, or a minimum above the paths, is an error; files without paths are unchanged', () => {
    const ok = twoPaths();
    expect(validateTopology(ok).filter((p) => p.code === 'pair-bad-path')).toEqual([]);
    const bad: Topology = { ...ok, pairs: ok.pairs.map((p) => (p.mode === 'sync' ? { ...p, paths: { cableIds: ['CN2', 'CN4'], minPaths: 3, timeoutMs: 15000 } } : p)) };
    const problems = validateTopology(bad).filter((p) => p.code === 'pair-bad-path');
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining('cable CN4 does not join'),
      expect.stringContaining('needs 3 path(s) up but its path group has 2'),
    ]);
    expect(fig01().pairs.every((p) => p.paths === undefined)).toBe(true);
    const r = parseTopologyText(JSON.stringify({ ...ok, pairs: ok.pairs.map((p) => (p.paths ? { ...p, paths: { cableIds: p.paths.cableIds } } : p)) }));
    expect(r.ok && r.topology.pairs[0]!.paths).toEqual({ cableIds: ['CN2', 'CN2b'], minPaths: 1, timeoutMs: 15000 });
  });
});
