// gradeExercise with hand-made histories: what must happen (in order), what must hold at the end, points and score.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { StepEvent } from '../engine/api';
import { Exercise } from '../model/schema';
import { checkLine, gradeExercise, volumesToHash, type EndFacts } from './grade';

const fig1 = () => loadBuiltIn('fig01-loop-cascade.relaylab.json');

let seq = 0;
const ev = (timeMs: number, step: string, elementId: string, text: string): StepEvent => ({ seq: ++seq, timeUs: timeMs * 1000, step, elementId, text });
const ps = (timeMs: number, pairId: string, text: string) => ev(timeMs, 'pair-state', pairId, `pair ${pairId} is now ${text}`);

const inSync = (over: Partial<EndFacts> = {}): EndFacts => ({
  timeUs: 60e6,
  pairs: [
    { id: 'pair-sync', state: 'PAIR', primaryState: 'PAIR', secondaryState: 'PAIR' },
    { id: 'pair-async', state: 'PAIR', primaryState: 'PAIR', secondaryState: 'PAIR', maxRpoMs: 800 },
  ],
  hosts: [{ id: 'host1', writesFailed: 0 }],
  ...over,
});

const started = [ps(0, 'pair-async', 'COPY: initial copy started: 4096 track(s) to copy'), ps(1, 'pair-async', 'PAIR: copy complete (0 track(s) sent)')];
const done = [
  ...started,
  ev(3000, 'fault', 'CN4', 'cable CN4 is cut'),
  ps(3000, 'pair-async', 'PSUE: cable CN4 is cut'),
  ev(5000, 'repair', 'CN4', 'cable CN4 is restored'),
  ps(5500, 'pair-async', 'COPY: differential resync: 37 track(s) to copy'),
  ps(6000, 'pair-async', 'PAIR: copy complete (52 track(s) sent)'),
];

describe("FIG. 1's exercise, graded from the run's history", () => {
  it('fails when CN4 was never cut, though both pairs are in PAIR (the end states alone would pass it)', () => {
    const t = fig1();
    const g = gradeExercise(t.scenario!.exercises[0]!, { events: started }, inSync(), t);
    expect(g.passed).toBe(false);
    expect(checkLine(g.checks.find((c) => !c.ok)!)).toBe('cable CN4 is cut: this has not happened in this run');
    expect(g.checks.filter((c) => c.kind === 'end').every((c) => c.ok)).toBe(true);
    // Points: the end checks earn theirs; the score says how far the student got.
    expect(g.score).toBe(g.checks.filter((c) => c.ok).reduce((n, c) => n + c.points, 0));
    expect(g.score).toBeGreaterThan(0);
    expect(g.score).toBeLessThan(g.total);
  });

  it('passes with every point when the cut, the suspension, the repair and a differential resync happened in order', () => {
    const t = fig1();
    const g = gradeExercise(t.scenario!.exercises[0]!, { events: done }, inSync(), t);
    expect(g.passed).toBe(true);
    expect(g.score).toBe(g.total);
    expect(g.checks.find((c) => c.text.includes('differential'))?.why).toBe('at 00:06.000, 37 of 4,096 tracks to copy, 52 sent');
  });

  it('a delete and re-create (initial copy) is not a differential resync, even when the bitmap would cover the volume; order matters', () => {
    const t = fig1();
    const ex = t.scenario!.exercises[0]!;
    // Hours of random writes: the bitmap covers every track, and the resync is still one (no delete, no initial copy).
    const whole = [...done.slice(0, 5), ps(5500, 'pair-async', 'COPY: differential resync: 4096 track(s) to copy'), ps(9000, 'pair-async', 'PAIR: copy complete (4096 track(s) sent)')];
    expect(gradeExercise(ex, { events: whole }, inSync(), t).checks.find((c) => c.text.includes('differential'))?.why).toBe('at 00:09.000, 4,096 of 4,096 tracks to copy, 4,096 sent');
    const recreated = [...done.slice(0, 5), ps(5500, 'pair-async', 'COPY: initial copy started: 4096 track(s) to copy'), ps(9000, 'pair-async', 'PAIR: copy complete (4096 track(s) sent)')];
    const g0 = gradeExercise(ex, { events: recreated }, inSync(), t);
    expect(g0.checks.find((c) => c.text.includes('differential'))?.ok).toBe(false);
    expect(g0.checks.find((c) => c.text.startsWith('no full copy'))).toMatchObject({ ok: false, why: expect.stringContaining('pair-async') });
    const repairedFirst = [...started, done[4]!, done[2]!, done[3]!, done[5]!, done[6]!];
    const g = gradeExercise(ex, { events: repairedFirst }, inSync(), t);
    expect(g.passed).toBe(false);
    expect(checkLine(g.checks.find((c) => !c.ok)!)).toBe('cable CN4 is restored: it happened, but not after "pair pair-async goes PSUE"');
  });
});

describe('the failure-work events and end conditions', () => {
  const t = loadBuiltIn('fig01-delta-resync.relaylab.json');
  const exercise = (input: unknown) => Exercise.parse(input);

  it('takeover, fence lifted, delta resync, journal full and refused writes are read from the history and the host counters', () => {
    const ex = exercise({
      task: 'x',
      inOrder: true,
      mustHappen: [
        { event: 'fault', elementId: 'site-relay' },
        { event: 'writeRefused', hostId: 'host1', points: 2 },
        { event: 'fenceLifted', pairId: 'pair-sync' },
        { event: 'deltaResync', pairId: 'pair-delta', points: 3 },
        { event: 'journalFull', pairId: 'pair-delta' },
        { event: 'takeover', pairId: 'pair-sync' },
      ],
    });
    const history = [
      ev(10_000, 'fault', 'sys20', 'site site-relay failed'),
      ev(12_000, 'pair-state', 'pair-sync', 'pair pair-sync: the fence on V11 is lifted; host writes are accepted and recorded for the resync'),
      ps(13_000, 'pair-delta', 'PAIR: delta resync: 83 record(s) the remote lacks, sent in order'),
      ps(20_000, 'pair-delta', 'PFUL: journal cg-delta is 81% full'),
      ps(30_000, 'pair-sync', 'SSWS: the secondary V12 took over and accepts writes'),
    ];
    const refused = gradeExercise(ex, { events: history }, inSync({ hosts: [{ id: 'host1', writesFailed: 1593 }] }), t);
    expect(refused.checks.map((c) => [c.ok, checkLine(c)])).toEqual([
      [true, 'site site-relay fails: at 00:10.000'],
      [true, 'a write of host host1 is refused: 1,593 write(s) were refused'],
      [true, 'the data fence of pair pair-sync is lifted: at 00:12.000'],
      [true, 'pair pair-delta is delta-resynchronised (only the records the remote lacks): at 00:13.000, 83 record(s) the remote lacks, sent in order'],
      [true, 'the journal of pair pair-delta fills up (PFUL, PFUS or suspended full): at 00:20.000, PFUL'],
      [true, 'the secondary of pair pair-sync takes over (SSWS): at 00:30.000'],
    ]);
    expect(refused).toMatchObject({ passed: true, score: 9, total: 9 });
    // No refused write on the counters: that check fails and its 2 points are not earned.
    const none = gradeExercise(ex, { events: history }, inSync(), t);
    expect(none).toMatchObject({ passed: false, score: 7, total: 9 });
  });

  it('RPO bound, never-state, identical copies and no acknowledged write lost', () => {
    const ex = exercise({
      task: 'x',
      atEnd: [
        { check: 'rpoBound', pairId: 'pair-async', maxMs: 1000 },
        { check: 'neverState', pairId: 'pair-async', states: ['PFUS', 'PSUE'] },
        { check: 'identical', volumeA: 'V11', volumeB: 'V22' },
        { check: 'noAckedWriteLost', pairId: 'pair-sync' },
        { check: 'pairState', pairId: 'pair-sync', state: 'SSWS', side: 'secondary' },
        { check: 'noWriteRefused' },
      ],
    });
    expect(volumesToHash(ex, t).sort()).toEqual(['V11', 'V12', 'V22']);
    const good = inSync({
      pairs: [
        { id: 'pair-sync', state: 'SSWS', primaryState: 'PSUE', secondaryState: 'SSWS' },
        { id: 'pair-async', state: 'PAIR', maxRpoMs: 800 },
      ],
      hashes: { V11: 'aa', V12: 'aa', V22: 'aa' },
    });
    expect(gradeExercise(ex, { events: started }, good, t).passed).toBe(true);

    const bad = inSync({ pairs: [{ id: 'pair-sync', state: 'PSUE', secondaryState: 'PAIR' }, { id: 'pair-async', state: 'PAIR', maxRpoMs: 65_820 }], hashes: { V11: 'aa', V12: 'bb' }, hosts: [{ id: 'host1', writesFailed: 3 }] });
    const g = gradeExercise(ex, { events: [...started, ps(52_534, 'pair-async', 'PSUE: journal cg1 is full (128.0 MiB) and inflow control is off'), ps(60_000, 'pair-async', 'PAIR: copy complete (10 track(s) sent)')] }, bad, t);
    expect(g.checks.map((c) => [c.ok, c.why])).toEqual([
      [false, 'its largest RPO was 1 min 6 s'],
      [false, 'it went PSUE at 00:52.534'],
      [false, 'the content of V22 was not compared (run Verify)'],
      [false, 'their content differs (aa… vs bb…)'],
      [false, 'it is PAIR'],
      [false, '3 write(s) were refused'],
    ]);
    expect(g.score).toBe(0);
  });

  it('an exercise without checks does not pass', () => {
    const g = gradeExercise(exercise({ task: 'nothing to check' }), { events: done }, inSync(), t);
    expect(g).toMatchObject({ passed: false, score: 0, total: 0 });
  });
});
