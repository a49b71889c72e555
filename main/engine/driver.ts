// Drives an Engine against the wall clock for the UI: play/pause/speed, single steps, run-for, reset and seek by deterministic replay.
import { EngineCommand, RunControl, type CommandResult, type DriverHost, type EngineService, type Snapshot } from '../../app/engine/api';
import { parseTopologyValue } from '../../app/model/file';
import type { Problem } from '../../app/model/problem';
import type { Topology } from '../../app/model/schema';
import { Engine } from './engine';
import { TopologyError } from './runtime';

/** Snapshots go out at most this often (30 a second). */
export const SNAPSHOT_INTERVAL_MS = 1000 / 30;
/** Wall time one tick may spend simulating, so the host stays responsive. */
export const TICK_BUDGET_MS = 20;
/** Events run between two clock checks inside a tick. */
const EVENTS_PER_CHECK = 2000;

interface TimedCommand {
  timeUs: number;
  command: EngineCommand;
}

export function createEngineDriver(host: DriverHost): EngineService {
  let topology: Topology | undefined;
  let engine: Engine | undefined;
  let seed = 1;
  let running = false;
  let speed = 1;
  let cancelTimer: (() => void) | undefined;
  let lastWallMs = 0;
  let lastEmitMs = -Infinity;
  let lastSeq = 0;
  /**
   * Every command with its virtual time: a seek backwards resets and replays them (the run is deterministic),
   * and a seek forwards again re-applies the later ones. A new command after seeking back drops the later ones.
   */
  let timeline: TimedCommand[] = [];
  /** How many timeline commands the current engine has applied. */
  let applied = 0;

  /** Runs events up to `targetUs`, applying recorded commands at their times; stops early when `stop` says so. */
  const runTo = (targetUs: number, stop?: () => boolean): void => {
    const e = engine!;
    let n = 0;
    for (;;) {
      const next = timeline[applied];
      const limit = next && next.timeUs <= targetUs ? next.timeUs : targetUs;
      if (e.sched.runNext(limit)) {
        if (stop && ++n % EVENTS_PER_CHECK === 0 && stop()) return;
        continue;
      }
      e.runUntil(limit);
      if (next && next.timeUs <= targetUs) {
        e.command(next.command);
        applied++;
        continue;
      }
      return;
    }
  };

  const empty = (): Snapshot => ({ timeUs: 0, running: false, speed, seed, pairs: [], caches: [], links: [], hosts: [], failedSystems: [], events: [] });

  const snap = (): Snapshot => {
    if (!engine) return empty();
    const s = engine.snapshot({ running, speed, afterSeq: lastSeq });
    lastSeq = engine.lastStepSeq;
    return s;
  };

  const build = (): void => {
    if (!topology) return;
    // One sampled write per host per virtual second: the log's Write flow and Host I/O filters have something to show.
    engine = new Engine(topology, { seed, sha256: host.sha256, sampleWorkloadWritesEveryUs: 1_000_000 });
    engine.startWorkloads();
    lastSeq = 0;
  };

  const stopTimer = (): void => {
    cancelTimer?.();
    cancelTimer = undefined;
  };

  /** Advances virtual time by speed x wall time elapsed, within the tick's budget; never builds up a debt. */
  const tick = (): void => {
    cancelTimer = undefined;
    if (!running || !engine) return;
    const now = host.nowMs();
    const target = engine.nowUs + (now - lastWallMs) * 1000 * speed;
    lastWallMs = now;
    runTo(target, () => host.nowMs() - now > TICK_BUDGET_MS);
    if (host.nowMs() - lastEmitMs >= SNAPSHOT_INTERVAL_MS) {
      lastEmitMs = host.nowMs();
      host.emitSnapshot(snap());
    }
    cancelTimer = host.setTimer(tick, SNAPSHOT_INTERVAL_MS);
  };

  const replayTo = (timeUs: number): void => {
    build();
    applied = 0;
    runTo(timeUs);
  };

  return {
    load(raw: unknown, newSeed?: number): { problems: Problem[]; loaded: boolean } {
      stopTimer();
      running = false;
      const r = parseTopologyValue(raw);
      if (!r.ok) return { problems: r.problems, loaded: false };
      const previous = { topology, engine };
      topology = r.topology;
      if (newSeed !== undefined) seed = newSeed;
      timeline = [];
      applied = 0;
      try {
        build();
      } catch (e) {
        topology = previous.topology;
        engine = previous.engine;
        if (e instanceof TopologyError) return { problems: [{ severity: 'error', code: 'engine-compile', message: e.why, path: [], elementId: e.elementId }], loaded: false };
        throw e;
      }
      return { problems: [], loaded: true };
    },

    control(raw: RunControl): Snapshot {
      const c = RunControl.parse(raw);
      if (!engine) return empty();
      switch (c.action) {
        case 'play':
          if (c.speed !== undefined) speed = c.speed;
          if (!running) {
            running = true;
            lastWallMs = host.nowMs();
            stopTimer();
            cancelTimer = host.setTimer(tick, 0);
          }
          break;
        case 'pause':
          running = false;
          stopTimer();
          break;
        case 'setSpeed':
          speed = c.speed;
          break;
        case 'step':
          running = false;
          stopTimer();
          {
            const next = timeline[applied];
            engine.stepToNextStepEvent(next ? next.timeUs : undefined);
            if (next && engine.nowUs >= next.timeUs) runTo(next.timeUs);
          }
          break;
        case 'runFor':
          runTo(engine.nowUs + c.virtualMs * 1000);
          break;
        case 'reset':
          running = false;
          stopTimer();
          if (c.seed !== undefined) seed = c.seed;
          timeline = [];
          applied = 0;
          build();
          break;
        case 'seek': {
          const target = c.timeMs * 1000;
          if (target >= engine.nowUs) runTo(target);
          else replayTo(target);
          break;
        }
      }
      return snap();
    },

    command(raw: EngineCommand): CommandResult {
      const parsed = EngineCommand.safeParse(raw);
      if (!parsed.success) return { ok: false, reason: `not a valid command: ${parsed.error.issues[0]?.message ?? 'unknown'}` };
      if (!engine) return { ok: false, reason: 'no topology is loaded' };
      // A command after seeking back starts a new branch: the recorded future is dropped.
      timeline.length = applied;
      const result = engine.command(parsed.data);
      timeline.push({ timeUs: engine.nowUs, command: parsed.data });
      applied = timeline.length;
      return result;
    },

    snapshot: snap,

    hashes(volumeIds: string[]): Record<string, string> {
      const out: Record<string, string> = {};
      if (!engine) return out;
      for (const id of volumeIds) {
        try {
          out[id] = engine.volumeHash(id);
        } catch (e) {
          if (!(e instanceof TopologyError)) throw e;
        }
      }
      return out;
    },

    dispose(): void {
      running = false;
      stopTimer();
      engine = undefined;
      topology = undefined;
      timeline = [];
    },
  };
}
