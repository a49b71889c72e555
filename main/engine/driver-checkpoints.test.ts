// The driver's checkpoint log: bounded, evenly spread over the run, found by time and by position.
import { describe, expect, test } from 'vitest';
import { CHECKPOINT_BUDGET, CHECKPOINT_MIN_KEPT, CheckpointLog } from './driver-checkpoints';
import type { Engine } from './engine';
import { EngineInvariantError } from './sim';

/** An engine stand-in at a virtual time: what the log reads of one (its clock, executed count, checkpoint). */
function at(timeUs: number, executed: number): Engine {
  return { nowUs: timeUs, sched: { executed }, stack: { stores: new Map() }, checkpoint: () => ({ timeUs, executed, state: null }) } as unknown as Engine;
}

describe('checkpoint log', () => {
  test('a long run keeps at most the budget, from the start on, evenly spread: no stretch of the run is left without one', () => {
    const log = new CheckpointLog(() => 0);
    const endUs = 600e6;
    let executed = 0;
    for (let t = 0; t <= endUs; t += 100_000) {
      executed += 80;
      const e = at(t, executed);
      if (log.due(e)) log.take(e, { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    }
    const times = log.describe().checkpointsUs;
    expect(times.length).toBeLessThanOrEqual(CHECKPOINT_BUDGET);
    expect(times.length).toBeGreaterThan(CHECKPOINT_BUDGET / 2);
    expect(times[0]).toBe(0);
    expect(log.describe().earliestUs).toBe(0);
    const gaps = times.slice(1).map((t, i) => t - times[i]!).concat(endUs - times.at(-1)!);
    // Halving the older half again and again would leave minutes uncovered; even spacing leaves ~2/BUDGET of the run at most.
    expect(Math.max(...gaps)).toBeLessThanOrEqual((3 * endUs) / CHECKPOINT_BUDGET);
    // A seek anywhere finds the one at or before it.
    expect(log.atOrBefore(300e6)!.engine.timeUs).toBeLessThanOrEqual(300e6);
    expect(300e6 - log.atOrBefore(300e6)!.engine.timeUs).toBeLessThanOrEqual((3 * endUs) / CHECKPOINT_BUDGET);
  });

  /**
   * A 10-minute run as the driver sees it: 0.1 s of virtual time per tick at `busyMsPerS` of wall time per virtual
   * second; each checkpoint takes `costMs(t)` of wall time. Returns the log and how many copies were taken.
   */
  function simulatedRun(costMs: (timeUs: number) => number, endUs = 600e6, busyMsPerS = 14): { log: CheckpointLog; copies: number } {
    let clockMs = 0;
    let copies = 0;
    const log = new CheckpointLog(() => clockMs);
    for (let t = 0; t <= endUs; t += 100_000) {
      const e = timedAt(t, () => {
        copies++;
        clockMs += costMs(t);
      });
      clockMs += busyMsPerS / 10;
      log.noteBusy(busyMsPerS / 10);
      if (log.due(e)) log.take(e, { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    }
    return { log, copies };
  }
  /** A stand-in engine at `t` (executed events grow with time, as in simulatedRun) whose copy calls `onCopy`. */
  function timedAt(t: number, onCopy: () => void): Engine {
    const e = at(t, (t / 100_000) * 80);
    return { ...e, checkpoint: () => (onCopy(), e.checkpoint()) } as unknown as Engine;
  }
  const gapsOf = (times: number[], endUs: number): number[] => times.slice(1).map((t, i) => t - times[i]!).concat(endUs - times.at(-1)!);

  test('no gap between kept checkpoints grows past 1.6x the even spacing, even when one copy met a long GC pause', () => {
    // Copies cost 12 ms; the one at 110 s took 400 ms (a major collection landed in it). Guessing the next copy's cost
    // from that one alone held checkpoints back until the run had spent 5 x 400 ms: a hole of minutes.
    const endUs = 600e6;
    let paused: number | undefined;
    const { log } = simulatedRun((t) => {
      if (t < 110e6 || paused !== undefined) return 12;
      paused = t;
      return 400;
    }, endUs);
    expect(paused).toBeLessThan(130e6);
    const times = log.describe().checkpointsUs;
    expect(times.length).toBe(CHECKPOINT_BUDGET);
    const even = endUs / (CHECKPOINT_BUDGET - 1);
    expect(Math.max(...gapsOf(times, endUs))).toBeLessThanOrEqual(1.6 * even);
  });

  test('replaying after a seek back takes no copy where checkpoints are close enough, and fills a hole at the even spacing', () => {
    const { log } = simulatedRun(() => 12);
    const before = log.describe().checkpointsUs;
    // Replay 120 s to 300 s (the UI seeked back there): the kept checkpoints already cover it.
    let copies = 0;
    for (let t = 120e6; t <= 300e6; t += 100_000) {
      log.noteBusy(1.4);
      const e = timedAt(t, () => copies++);
      if (log.due(e)) log.take(e, { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    }
    expect(copies).toBe(0);
    expect(log.describe().checkpointsUs).toEqual(before);

    // A log with a hole from 100 s to 300 s (e.g. left by checkpoints a refused state stopped): the replay fills it.
    const holed = new CheckpointLog(() => 0);
    for (let t = 0; t <= 100e6; t += 5e6) holed.take(timedAt(t, () => undefined), { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    holed.take(timedAt(300e6, () => undefined), { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    const copiedAt: number[] = [];
    for (let t = 0; t <= 300e6; t += 100_000) {
      const e = timedAt(t, () => copiedAt.push(t));
      if (holed.due(e)) holed.take(e, { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    }
    expect(copiedAt.filter((t) => t <= 100e6)).toEqual([]);
    expect(copiedAt.length).toBeGreaterThan(5);
    const filled = holed.describe().checkpointsUs;
    expect(filled.length).toBeLessThanOrEqual(CHECKPOINT_BUDGET);
    expect(Math.max(...gapsOf(filled, 300e6))).toBeLessThanOrEqual((2 * 300e6) / (CHECKPOINT_BUDGET - 1));
  });

  test('large checkpoints are fewer: their estimated memory stays within the budget (never under the minimum kept)', () => {
    const log = new CheckpointLog(() => 0);
    // 100 MiB of chunk tables per checkpoint (e.g. volumes with millions of written chunks).
    const store = { writtenTrackCount: 1_000_000, tableBytes: 100 * 2 ** 20 };
    const big = (t: number, executed: number): Engine => ({ ...at(t, executed), stack: { stores: new Map([['R', store]]) } }) as unknown as Engine;
    for (let i = 0; i < 100; i++) log.take(big(i * 10e6, i * 1000), { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    expect(log.size).toBe(CHECKPOINT_MIN_KEPT);
    expect(log.describe().checkpointsUs[0]).toBe(0);
  });

  test('a state the copy refuses stops checkpoints for the run (it goes on) and the snapshot says why', () => {
    const log = new CheckpointLog(() => 0);
    log.take(at(0, 0), { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    const broken = { ...at(5e6, 500), checkpoint: () => { throw new EngineInvariantError('checkpoint', 'a function in field x holds state that cannot be copied'); } } as unknown as Engine;
    log.take(broken, { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    expect(log.describe()).toEqual({ earliestUs: 0, checkpointsUs: [0], stopped: expect.stringContaining('field x') });
    log.take(at(9e6, 900), { applied: 0, scenarioApplied: 0, scenarioLast: undefined });
    expect(log.size).toBe(1);
  });

  test('a new command after a seek back drops the checkpoints of the abandoned future', () => {
    const log = new CheckpointLog(() => 0);
    for (let i = 0; i < 6; i++) log.take(at(i * 10e6, i * 1000), { applied: i, scenarioApplied: 0, scenarioLast: undefined });
    log.dropAfter(2500, 2);
    expect(log.describe().checkpointsUs).toEqual([0, 10e6, 20e6]);
    expect(log.atOrBeforePosition(1999, 5)!.engine.timeUs).toBe(10e6);
  });
});
