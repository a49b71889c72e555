// The five built-in exercises, each run through `relaylab simulate`'s engine (runSimulation) and graded by app/exercise:
// the bare starting scenario (the file's timeline, the student doing nothing) fails; the task done passes.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { builtInText } from '../../test/builtins';
import type { EngineCommand } from '../../app/engine/api';
import { parseTopologyText } from '../../app/model/file';
import type { Topology } from '../../app/model/schema';
import type { ExerciseGrade } from '../../app/exercise/grade';
import { simulateAndGrade } from './exercise';

const sha256 = (d: Uint8Array) => createHash('sha256').update(d).digest();

function builtIn(file: string): Topology {
  const r = parseTopologyText(builtInText(file));
  if (!r.ok) throw new Error(`${file}: ${r.problems.map((p) => p.message).join('; ')}`);
  expect(r.migratedFrom).toBeUndefined();
  return r.topology;
}

/** Grades the file's (only) exercise on a run with the student's commands at their times. */
function grade(t: Topology, durationMs: number, actions: [atMs: number, command: EngineCommand][] = []): ExerciseGrade {
  expect(t.scenario?.exercises).toHaveLength(1);
  const { report, grades } = simulateAndGrade(t, { durationMs, seed: 1, sha256, faults: actions.map(([atMs, command]) => ({ atMs, command })) });
  // Every student action was accepted by the engine (a refused one would make the "done" runs meaningless).
  for (const f of report.faults) expect(f, JSON.stringify(f)).toMatchObject({ ok: true });
  return grades[0]!;
}

const failedChecks = (g: ExerciseGrade) => g.checks.filter((c) => !c.ok).map((c) => c.text);
const pair = (pairId: string, op: 'resync' | 'takeover' | 'liftFence' | 'deltaResync'): EngineCommand => ({ type: 'pair', pairId, op });

function expectPassed(g: ExerciseGrade) {
  expect(failedChecks(g)).toEqual([]);
  expect(g.passed).toBe(true);
  expect(g.score).toBe(g.total);
  expect(g.total).toBeGreaterThan(0);
}

// Each run simulates up to 90 s of FIG. 1 with real bytes: seconds each, more on a shared machine.
describe('built-in exercises, graded from the run', { timeout: 600_000 }, () => {
  test('(a) FIG. 1: cut CN4 and resync the async leg differentially', () => {
    const t = builtIn('fig01-loop-cascade.relaylab.json');
    const bare = grade(t, 12_000);
    expect(bare.passed).toBe(false);
    expect(failedChecks(bare)).toEqual(expect.arrayContaining(['cable CN4 is cut', 'cable CN4 is restored']));
    // Both pairs are in PAIR on the bare run: the end states alone would have passed it.
    expect(bare.checks.filter((c) => c.text.startsWith('pair pair-') && c.ok)).toHaveLength(2);

    const done = grade(t, 12_000, [
      [3000, { type: 'cutCable', cableId: 'CN4' }],
      [5000, { type: 'restoreCable', cableId: 'CN4' }],
      [5500, pair('pair-async', 'resync')],
    ]);
    expectPassed(done);
    expect(done.checks.find((c) => c.text.includes('differential'))?.why).toMatch(/of 4,096 tracks to copy/);
  });

  test('(a) FIG. 1: a restore without a cut first, or a resync after deleting and re-creating, does not pass', () => {
    const t = builtIn('fig01-loop-cascade.relaylab.json');
    const full = grade(t, 12_000, [
      [3000, { type: 'cutCable', cableId: 'CN4' }],
      [5000, { type: 'restoreCable', cableId: 'CN4' }],
      [5500, { type: 'pair', pairId: 'pair-async', op: 'delete' }],
      [6000, { type: 'pair', pairId: 'pair-async', op: 'create' }],
    ]);
    expect(full.passed).toBe(false);
    expect(failedChecks(full)).toEqual(expect.arrayContaining(['no full copy after the pairs were in sync']));
    expect(full.score).toBeLessThan(full.total);
  });

  test('(b) relay disaster with fence data: lift the fence, then resync both legs once the relay is back', () => {
    const t = builtIn('fig01-exercise-relay-fence.relaylab.json');
    const bare = grade(t, 25_000);
    expect(bare.passed).toBe(false);
    expect(failedChecks(bare)).toEqual(expect.arrayContaining(['the data fence of pair pair-sync is lifted', 'pair pair-sync is PAIR', 'V11 and V22 hold identical data']));
    // The fault and the refused writes did happen by themselves: those checks earn their points.
    expect(bare.checks.filter((c) => c.ok).map((c) => c.text)).toEqual(expect.arrayContaining(['system sys20 fails', 'a write of host host1 is refused']));

    const done = grade(t, 25_000, [
      [6000, pair('pair-sync', 'liftFence')],
      [16_000, pair('pair-sync', 'resync')],
      [17_000, pair('pair-async', 'resync')],
    ]);
    expectPassed(done);
  });

  test('(c) local disaster: take over at the relay and keep the remote protected', () => {
    const t = builtIn('fig01-exercise-local-disaster.relaylab.json');
    const bare = grade(t, 20_000);
    expect(bare.passed).toBe(false);
    expect(failedChecks(bare)).toEqual(['the secondary of pair pair-sync takes over (SSWS)', 'the secondary side of pair pair-sync is SSWS']);

    const done = grade(t, 20_000, [[12_000, pair('pair-sync', 'takeover')]]);
    expectPassed(done);

    // Taking over but then splitting the async leg leaves the remote unprotected.
    const unprotected = grade(t, 20_000, [
      [12_000, pair('pair-sync', 'takeover')],
      [13_000, { type: 'pair', pairId: 'pair-async', op: 'split' }],
    ]);
    expect(failedChecks(unprotected)).toContain('pair pair-async is PAIR');
  });

  test('(d) size the journal to ride through a 60 s outage: the file\'s 128 MiB suspends, 1 GiB rides through', () => {
    const t = builtIn('fig01-exercise-journal-sizing.relaylab.json');
    const bare = grade(t, 90_000);
    expect(bare.passed).toBe(false);
    expect(bare.checks.find((c) => c.text.startsWith('pair pair-async never goes'))).toMatchObject({ ok: false, why: expect.stringMatching(/went PSUE at/) });
    expect(bare.checks.find((c) => c.text.startsWith('the RPO of pair pair-async'))?.ok).toBe(false);

    // The student's edit: the journal sized by Hitachi's rule (3.2 MiB/s x 60 s = 192 MiB; 1 GiB with margin).
    const sized = structuredClone(t);
    sized.pairs.find((p) => p.id === 'pair-async')!.journalBytes = 1024 ** 3;
    expectPassed(grade(sized, 90_000));
  });

  test('(e) delta resync after losing the relay', () => {
    const t = builtIn('fig01-exercise-delta-resync.relaylab.json');
    const bare = grade(t, 20_000);
    expect(bare.passed).toBe(false);
    expect(failedChecks(bare)).toEqual(expect.arrayContaining(['pair pair-delta is delta-resynchronised (only the records the remote lacks)', 'pair pair-delta is PAIR']));

    const done = grade(t, 20_000, [
      [11_000, pair('pair-sync', 'liftFence')],
      [12_000, pair('pair-delta', 'deltaResync')],
    ]);
    expectPassed(done);
    expect(done.checks.find((c) => c.text.includes('delta-resynchronised'))?.why).toMatch(/record\(s\) the remote lacks/);
  });
});
