// Live view-models checked with hand-made snapshots: badges, explain text, the event log, cache slots, exercises, verify and chart series.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { PairStatus, Snapshot, StepEvent } from '../../app/engine/api';
import type { Topology } from '../../app/model/schema';
import {
  appendEvents,
  cacheCells,
  explainPair,
  filterEvents,
  formatClock,
  isPatentStep,
  liveCableEdits,
  modelChanges,
  pairBadge,
  pairIsMoving,
  pairsOfVolume,
  slotLocations,
  verifyPairs,
  verifyVolumeIds,
} from './model';
import { appendSnapshot, emptySeries } from './series';

const fig1 = (): Topology => loadBuiltIn('fig01-loop-cascade.relaylab.json');

const pair = (over: Partial<PairStatus> = {}): PairStatus => ({
  id: 'pair-async',
  state: 'PAIR',
  mode: 'async',
  linkUp: true,
  secondaryData: 'up-to-date',
  copyProgress: 1,
  differentialTracks: 0,
  sinceUs: 0,
  ...over,
});

const event = (seq: number, over: Partial<StepEvent> = {}): StepEvent => ({ seq, timeUs: seq * 1000, step: 'S11', elementId: 'TP21', text: `event ${seq}`, ...over });

const snapshot = (over: Partial<Snapshot> = {}): Snapshot => ({
  timeUs: 0,
  running: false,
  speed: 1,
  seed: 1,
  pairs: [],
  caches: [],
  links: [],
  hosts: [],
  failedSystems: [],
  events: [],
  ...over,
});

describe('the virtual clock', () => {
  it('reads mm:ss.mmm and keeps counting minutes past the hour', () => {
    expect(formatClock(0)).toBe('00:00.000');
    expect(formatClock(41_200_000)).toBe('00:41.200');
    expect(formatClock(61_234_567)).toBe('01:01.234');
    expect(formatClock(3_725_000_000)).toBe('62:05.000');
  });
});

describe('pair badges', () => {
  it('a copying pair shows progress with its ETA and a busy tone', () => {
    const b = pairBadge(pair({ state: 'COPY', copyProgress: 0.425, copyEtaMs: 3100, secondaryData: 'inconsistent' }));
    expect(b).toMatchObject({ label: 'COPY', tone: 'busy', progress: 0.425, progressText: '42% · ETA 3.1 s' });
    expect(b.tooltip).toContain('SyncInProg');
    expect(b.tooltip).toContain('secondary data inconsistent');
  });

  it('a suspended async secondary shows an error tone, RPO, lag and its differential count', () => {
    const b = pairBadge(pair({ state: 'PSUE', linkUp: false, secondaryData: 'consistent', rpoMs: 12_500, lagBytes: 49152, differentialTracks: 1204, reason: 'cable CN4 is cut', sinceUs: 41_200_000 }));
    expect(b.tone).toBe('error');
    expect(b.lagText).toBe('RPO 13 s · lag 48 KiB');
    expect(b.differentialText).toBe('1,204 tracks differ');
    expect(b.tooltip).toContain('NetworkFailure');
    expect(b.tooltip).toContain('since 00:41.200: cable CN4 is cut');
  });

  it('each volume shows its own side: a split is PSUS on the P-VOL and SSUS on the S-VOL; a fenced P-VOL says so', () => {
    const split = pair({ state: 'PSUS', primaryState: 'PSUS', secondaryState: 'SSUS' });
    expect(pairBadge(split, 'primary').label).toBe('PSUS');
    expect(pairBadge(split, 'secondary').label).toBe('SSUS');
    const cut = pair({ mode: 'sync', state: 'PSUE', primaryState: 'PSUE', secondaryState: 'PAIR', fenced: true });
    expect(pairBadge(cut, 'primary').label).toBe('PSUE · fenced');
    expect(pairBadge(cut, 'secondary')).toMatchObject({ label: 'PAIR', state: 'PAIR' });
    expect(pairBadge(cut, 'secondary').tooltip).toContain('P-VOL PSUE · S-VOL PAIR');
  });

  it('a pair with a path group shows how many paths are up, and says when a lost path is not yet noticed', () => {
    const all = pairBadge(pair({ mode: 'sync', paths: { up: 2, total: 2, min: 1, detecting: false } }));
    expect(all.label).toBe('PAIR');
    expect(all.tooltip).toContain('paths 2 of 2 up (minimum 1)');
    const cut = pairBadge(pair({ mode: 'sync', paths: { up: 1, total: 2, min: 1, detecting: true } }));
    expect(cut.label).toBe('PAIR · 1/2 paths');
    expect(cut.tooltip).toContain('path timeout running');
    const why = explainPair(pair({ mode: 'sync', state: 'PSUE', paths: { up: 1, total: 2, min: 2, detecting: false } }), []);
    expect(why.details.join('\n')).toContain('fewer than the minimum are up, so the pair suspended');
  });

  it('a delta-resync standby shows what it keeps for a delta resync instead of an RPO, on the badge, its tooltip and the explain panel', () => {
    const p = pair({ state: 'HOLD', rpoMs: 0, lagBytes: 0, standbyKept: { writes: 757, bytes: 757 * 4096, capacityBytes: 2 ** 30 } });
    const b = pairBadge(p, 'secondary');
    expect(b.lagText).toBe('kept 757 · 2.96 MiB');
    expect(b.tooltip).toContain('keeps 757 writes (2.96 MiB, 0.29% of its 1 GiB journal) the remote has not yet applied through the relay');
    const why = explainPair(p, []).details.join('\n');
    expect(why).toContain('a delta resync sends exactly these');
    expect(why).not.toContain('RPO');
    expect(pairBadge(pair({ state: 'HOLD', standbyKept: { writes: 1, bytes: 4096, capacityBytes: 0 } })).lagText).toBe('kept 1 · 4 KiB');
  });

  it('a sync pair in PAIR has an RPO of zero', () => {
    expect(pairBadge(pair({ mode: 'sync' })).lagText).toBe('RPO 0 (sync)');
  });

  it('the relay volumes of FIG. 1 take part in the pairs on both legs of the cascade', () => {
    const t = fig1();
    expect(pairsOfVolume(t, 'V12')).toEqual([{ pairId: 'pair-sync', role: 'secondary' }]);
    expect(pairsOfVolume(t, 'V21')).toEqual([{ pairId: 'pair-async', role: 'primary' }]);
    expect(pairsOfVolume(t, 'R1')).toEqual([]);
  });

  it('an edge animates while copying or replicating and stops when the link is down', () => {
    expect(pairIsMoving(pair({ state: 'COPY' }))).toBe(true);
    expect(pairIsMoving(pair({ state: 'PAIR', mode: 'sync' }))).toBe(true);
    expect(pairIsMoving(pair({ state: 'PAIR', lagBytes: 0, journalFill: 0 }))).toBe(false);
    expect(pairIsMoving(pair({ state: 'COPY', linkUp: false }))).toBe(false);
    expect(pairIsMoving(pair({ state: 'PSUS' }))).toBe(false);
  });
});

describe('the explain panel', () => {
  it('says why a pair is suspended, since when, and how much has been recorded since, with the cause from the log', () => {
    const p = pair({ state: 'PSUE', linkUp: false, secondaryData: 'consistent', differentialTracks: 1204, reason: 'link CN4 is down', sinceUs: 41_200_000, rpoMs: 5000 });
    const log = [
      event(1, { step: 'pair-state', elementId: 'pair-async', timeUs: 2_000_000, text: 'pair pair-async is now PAIR: copy complete' }),
      event(2, { step: 'fault', elementId: 'CN4', timeUs: 41_200_000, text: 'cable CN4 is cut' }),
      event(3, { step: 'pair-state', elementId: 'pair-async', timeUs: 41_200_000, text: 'pair pair-async is now PSUE: link CN4 is down' }),
      event(4, { step: 'pair-state', elementId: 'pair-sync', timeUs: 41_300_000, text: 'pair pair-sync is now PAIR' }),
    ];
    const x = explainPair(p, log);
    expect(x.headline).toBe('PSUE since 00:41.200: link CN4 is down; 1,204 tracks recorded since');
    expect(x.history.map((h) => h.text)).toEqual(['pair pair-async is now PAIR: copy complete', 'cable CN4 is cut', 'pair pair-async is now PSUE: link CN4 is down']);
    expect(x.details.join(' ')).toContain('write order is lost until the resync completes');
  });
});

describe('the event log', () => {
  const log = [
    event(1, { step: 'host-write', elementId: 'HBA1', text: 'the host sends a 4096-byte write for LU11 over CN1' }),
    event(2, { step: 'S11', elementId: 'TP21', text: 'TP21 receives the write command' }),
    event(3, { step: 'fault', elementId: 'CN4', text: 'cable CN4 is cut' }),
    event(4, { step: 'pair-state', elementId: 'pair-async', text: 'pair pair-async is now PSUE' }),
  ];

  it('filters by group and searches text, step names and element ids', () => {
    expect(filterEvents(log, 'faults', '').map((e) => e.seq)).toEqual([3]);
    expect(filterEvents(log, 'pairs', '').map((e) => e.seq)).toEqual([4]);
    expect(filterEvents(log, 'all', 'cn4').map((e) => e.seq)).toEqual([3]);
    expect(filterEvents(log, 'all', 's11').map((e) => e.seq)).toEqual([2]);
    expect(filterEvents(log, 'steps', 'host').map((e) => e.seq)).toEqual([]);
  });

  it('merges snapshots without repeating events and keeps only the newest within its bound', () => {
    let l = appendEvents([], [event(1), event(2)], 3);
    l = appendEvents(l, [event(2), event(3), event(4)], 3);
    expect(l.map((e) => e.seq)).toEqual([2, 3, 4]);
  });

  it('knows the patent step names', () => {
    expect(['S1', 'S11', 'S14a', 'S15a', 'S56'].every(isPatentStep)).toBe(true);
    expect(['destage', 'pair-state', 'T3', 'host-write'].some(isPatentStep)).toBe(false);
  });
});

describe('cache slots', () => {
  it('lists slots ordered by volume and track, dirty flags and ages', () => {
    const cells = cacheCells({ id: 'C21', slotsTotal: 64, slotsUsed: 2, dirtySlots: 1, destaging: true, destages: 3, writeHits: 1, slots: [
      { volumeId: 'V21', track: 9, dirty: false, ageUs: 2_000_000 },
      { volumeId: 'V21', track: 3, dirty: true, ageUs: 250 },
    ] });
    expect(cells.map((c) => [c.track, c.dirty, c.ageText, c.ageShade])).toEqual([
      [3, true, '250 µs', 0.00025],
      [9, false, '2.0 s', 1],
    ]);
  });

  it('a slot of the relay cache C21 shows its bytes in every volume of the FIG. 1 stack', () => {
    const ids = slotLocations(fig1(), { volumeId: 'V21', track: 0 }).map((l) => l.elementId);
    // Down the stack to the external system's real volume and up through the alias to V12 and the relay's LUs.
    for (const id of ['V21', 'R1', 'R2', 'V12']) expect(ids).toContain(id);
  });

  it('an unknown volume gives no locations rather than an exception', () => {
    expect(slotLocations(fig1(), { volumeId: 'nope', track: 0 })).toEqual([]);
  });
});

describe('verify', () => {
  it('says plainly that all copies are identical when the hashes match', () => {
    const t = fig1();
    expect(verifyVolumeIds(t).sort()).toEqual(['V11', 'V12', 'V21', 'V22']);
    const v = verifyPairs(t, { V11: 'aaa', V12: 'aaa', V21: 'bbb', V22: 'bbb' }, null);
    expect(v.allIdentical).toBe(true);
    expect(v.summary).toBe('All copies identical.');
  });

  it('names the pair that differs and why it may', () => {
    const v = verifyPairs(fig1(), { V11: 'aaa', V12: 'aaa', V21: 'bbb', V22: 'ccc' }, snapshot({ pairs: [pair({ state: 'PSUE', differentialTracks: 7 })] }));
    expect(v.allIdentical).toBe(false);
    expect(v.summary).toBe('1 of 2 pair(s) differ.');
    expect(v.pairs.find((p) => p.pairId === 'pair-async')?.text).toBe('V21 and V22 DIFFER (7 tracks not yet copied, pair PSUE)');
  });

  it('says up to which journal sequence an async copy holds', () => {
    const async = pair({ state: 'PAIR', differentialTracks: 0, secondaryData: 'consistent', consistentAsOfUs: 2_000_000, appliedSeq: 1200, issuedSeq: 1234 });
    const behind = verifyPairs(fig1(), { V11: 'aaa', V12: 'aaa', V21: 'bbb', V22: 'ccc' }, snapshot({ pairs: [async] }));
    expect(behind.pairs.find((p) => p.pairId === 'pair-async')?.text).toMatch(/consistent as of .*, up to journal sequence 1,200 of 1,234\)$/);
    const caughtUp = verifyPairs(fig1(), { V11: 'aaa', V12: 'aaa', V21: 'bbb', V22: 'bbb' }, snapshot({ pairs: [{ ...async, appliedSeq: 1234 }] }));
    expect(caughtUp.pairs.find((p) => p.pairId === 'pair-async')?.text).toMatch(/are identical .*journal applied up to sequence 1,234$/);
  });
});

describe('chart series', () => {
  it('adds one point per snapshot, fills absent elements with null, and cuts back on a seek to an earlier time', () => {
    const host = { id: 'host1', writeIops: 800, throughputMBps: 3.2, writeLatencyMs: { p50: 1.1, p99: 2.5 }, writesAcked: 1, writesFailed: 0 };
    let s = appendSnapshot(emptySeries(), snapshot({ timeUs: 1e6, hosts: [host] }));
    s = appendSnapshot(s, snapshot({ timeUs: 2e6, hosts: [host], pairs: [pair({ rpoMs: 40 })] }));
    s = appendSnapshot(s, snapshot({ timeUs: 3e6, hosts: [host], pairs: [pair({ rpoMs: 60 })] }));
    expect(s.rpo.x).toEqual([1, 2, 3]);
    expect(s.rpo.columns['pair-async']).toEqual([null, 40, 60]);
    expect(s.latency.columns['host1 p99']).toEqual([2.5, 2.5, 2.5]);
    s = appendSnapshot(s, snapshot({ timeUs: 1.5e6, pairs: [pair({ rpoMs: 10 })] }));
    expect(s.rpo.x).toEqual([1, 1.5]);
    expect(s.rpo.columns['pair-async']).toEqual([null, 10]);
  });

  it('charts read latency beside write latency once a host has read', () => {
    const writer = { id: 'host1', writeIops: 800, throughputMBps: 3.2, writeLatencyMs: { p50: 1.1, p99: 2.5 }, writesAcked: 1, writesFailed: 0 };
    const reader = { ...writer, readIops: 300, readLatencyMs: { p50: 0.2, p99: 0.9 }, readsCompleted: 12 };
    let s = appendSnapshot(emptySeries(), snapshot({ timeUs: 1e6, hosts: [writer] }));
    expect(Object.keys(s.latency.columns)).toEqual(['host1 p50', 'host1 p99']);
    s = appendSnapshot(s, snapshot({ timeUs: 2e6, hosts: [reader] }));
    expect(s.latency.columns['host1 read p99']).toEqual([null, 0.9]);
  });
});

describe('edits during a run', () => {
  it('a cable distance or bandwidth edit goes to the running engine; anything else makes the run out of date', () => {
    const t = fig1();
    const moved = { ...t, layout: { nodes: {} }, cables: t.cables.map((c) => (c.id === 'CN4' ? { ...c, distanceKm: 4000 } : c)) };
    expect(liveCableEdits(t, moved)).toEqual([{ type: 'setCable', cableId: 'CN4', distanceKm: 4000 }]);
    expect(liveCableEdits(t, t)).toEqual([]);
    const paced = { ...t, pairs: t.pairs.map((p) => (p.id === 'pair-async' ? { ...p, copyPace: 5 } : p)) };
    expect(liveCableEdits(t, paced)).toBeNull();
    expect(modelChanges(t, paced)).toBe('pair-async');
    const gone = { ...t, cables: t.cables.filter((c) => c.id !== 'CN4') };
    expect(liveCableEdits(t, gone)).toBeNull();
    expect(modelChanges(t, gone)).toBe('CN4 deleted');
  });
});
