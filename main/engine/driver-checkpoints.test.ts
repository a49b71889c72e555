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

  test('large checkpoints are fewer: their estimated memory stays within the budget (never under the minimum kept)', () => {
    const log = new CheckpointLog(() => 0);
    // 100 MiB of chunk tables per checkpoint (e.g. volumes with millions of written chunks).
    const store = { writtenTrackCount: Math.ceil((100 * 2 ** 20) / 30) };
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
