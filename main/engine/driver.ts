// Drives an Engine against the wall clock for the UI: play/pause/speed, single steps, run-for, reset, and seek by restoring a checkpoint and replaying deterministically.
import { EngineCommand, RunControl, type CommandResult, type DriverHost, type EngineService, type ScenarioProgress, type Snapshot, type VerifyResult } from '../../app/engine/api';
import { parseTopologyValue } from '../../app/model/file';
import type { Problem } from '../../app/model/problem';
import type { ScenarioEvent, Topology } from '../../app/model/schema';
import { validateTopology } from '../../app/validate';
import { Engine } from './engine';
import { CHECKPOINT_MIN_INTERVAL_US, CheckpointLog, type DriverCheckpoint } from './driver-checkpoints';
import { TopologyError } from './runtime';
import { freeze, hashInSlices, inFlight, MAX_DRAIN_US, MAX_DRAIN_WALL_MS } from './verify';

/** Snapshots go out at most this often (30 a second). */
export const SNAPSHOT_INTERVAL_MS = 1000 / 30;
/** Wall time one tick may spend simulating, so the host stays responsive. */
export const TICK_BUDGET_MS = 20;
/** Events run between two clock checks inside a tick. */
const EVENTS_PER_CHECK = 2000;

/** A point of a run: events executed and recorded commands applied (what a Training step shows, exactly). */
interface RunPosition {
  executed: number;
  applied: number;
}

interface TimedCommand {
  timeUs: number;
  /** Events the engine had executed when the command was applied: a replay applies it after exactly as many. */
  executed: number;
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
  /** The file's scenario timeline in time order (stable: steps at one time keep the file's order); played at its times. */
  let scenario: ScenarioEvent[] = [];
  /** How many scenario steps the current engine has applied, and what the last one answered. */
  let scenarioApplied = 0;
  let scenarioLast: ScenarioProgress['last'];
  /** A Verify is hashing (one at a time). */
  let verifying = false;
  /** Checkpoints of this run (and of its recorded future after a seek back): a seek restores the nearest one. */
  const checkpoints = new CheckpointLog(host.nowMs);

  const checkpointNow = (): void => {
    if (engine) checkpoints.take(engine, { applied, scenarioApplied, scenarioLast });
  };

  /**
   * Runs events up to `targetUs`, applying the file's scenario steps at their times and recorded commands after exactly
   * the events they followed; stops early when `stop` says so, or at position `until` (no event or command beyond it). Takes checkpoints.
   */
  const runTo = (targetUs: number, stop?: () => boolean, until?: RunPosition): void => {
    const e = engine!;
    let n = 0;
    let busyFrom = host.nowMs();
    const noteBusy = (): void => {
      const now = host.nowMs();
      checkpoints.noteBusy(now - busyFrom);
      busyFrom = now;
    };
    for (;;) {
      // Up to a position (Training's step back): no event beyond its count, no command beyond its number.
      const next = until && applied >= until.applied ? undefined : timeline[applied];
      const step = scenario[scenarioApplied];
      const stepUs = step ? step.atMs * 1000 : Infinity;
      const cmdUs = next ? next.timeUs : Infinity;
      // A scenario step goes before an operator command recorded at the same time (as in relaylab simulate).
      const stepDue = step !== undefined && stepUs <= targetUs && stepUs <= cmdUs;
      // A recorded command is due once the events executed before it have run (not merely its time: events at that
      // very time may have run after it).
      const cmdDue = !stepDue && next !== undefined && cmdUs <= targetUs;
      const limit = stepDue ? stepUs : cmdDue ? cmdUs : targetUs;
      const atEvents = until !== undefined && e.sched.executed >= until.executed;
      const mayRun = !atEvents && (!cmdDue || e.sched.executed < next!.executed);
      if (atEvents && stepDue && (e.sched.peekTimeUs() ?? Infinity) <= stepUs) return;
      if (atEvents && cmdDue && e.sched.executed < next!.executed) return;
      if (atEvents && !stepDue && !cmdDue) return;
      if (mayRun && e.sched.runNext(limit)) {
        ++n;
        if (n % EVENTS_PER_CHECK === 0) {
          noteBusy();
          if (checkpoints.due(e)) checkpointNow();
          if (stop && stop()) return;
        }
        continue;
      }
      if (stepDue) {
        e.runUntil(limit);
        const r = e.command(step.command);
        scenarioLast = { index: scenarioApplied, ok: r.ok, message: r.ok ? (r.message ?? 'ok') : r.reason };
        scenarioApplied++;
        continue;
      }
      if (cmdDue) {
        // The clock moves to the command's time without running the events left at that time.
        if (cmdUs > e.sched.nowUs) e.sched.nowUs = cmdUs;
        e.command(next!.command);
        applied++;
        continue;
      }
      e.runUntil(targetUs);
      noteBusy();
      if (checkpoints.due(e)) checkpointNow();
      return;
    }
  };

  /** The next time a recorded command or a scenario step is due, if any. */
  const nextDueUs = (): number | undefined => {
    const t = Math.min(timeline[applied]?.timeUs ?? Infinity, scenario[scenarioApplied] ? scenario[scenarioApplied]!.atMs * 1000 : Infinity);
    return Number.isFinite(t) ? t : undefined;
  };

  const empty = (): Snapshot => ({ timeUs: 0, running: false, speed, seed, pairs: [], caches: [], links: [], hosts: [], failedSystems: [], events: [] });

  const snap = (): Snapshot => {
    if (!engine) return empty();
    const s = engine.snapshot({ running, speed, afterSeq: lastSeq });
    lastSeq = engine.lastStepSeq;
    s.rewind = checkpoints.describe();
    s.position = { executed: engine.sched.executed, applied, stepSeq: engine.lastStepSeq };
    if (scenario.length) s.scenario = { applied: scenarioApplied, total: scenario.length, ...(scenarioLast ? { last: scenarioLast } : {}) };
    return s;
  };

  const build = (): void => {
    if (!topology) return;
    // One sampled write per host per virtual second: the log's Write flow and Host I/O filters have something to show.
    engine = new Engine(topology, { seed, sha256: host.sha256, sampleWorkloadWritesEveryUs: 1_000_000 });
    engine.startWorkloads();
    lastSeq = 0;
    scenario = [...(topology.scenario?.timeline ?? [])].sort((a, b) => a.atMs - b.atMs);
    scenarioApplied = 0;
    scenarioLast = undefined;
  };

  /** A new run (load, reset): no checkpoint of the previous one applies; the first is its start. */
  const buildFresh = (): void => {
    build();
    checkpoints.clear();
    checkpointNow();
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

  /**
   * The run as it was at `cp`. Restored into the current engine (checkpoints are only of this topology's runs): its
   * objects are reused where they match, so the engine's optimised code keeps its object shapes (see copyState).
   */
  const restore = (cp: DriverCheckpoint): void => {
    if (engine) engine.restore(cp.engine);
    else engine = Engine.fromCheckpoint(cp.engine);
    applied = cp.driver.applied;
    scenarioApplied = cp.driver.scenarioApplied;
    scenarioLast = cp.driver.scenarioLast;
  };

  /** Back to `timeUs`: the nearest checkpoint at or before it is restored, then the run replays from there. */
  const replayTo = (timeUs: number): void => {
    const cp = checkpoints.atOrBefore(timeUs);
    if (!cp) {
      build();
      applied = 0;
      runTo(timeUs);
      return;
    }
    restore(cp);
    lastSeq = 0;
    runTo(timeUs);
  };

  /** Back to a position (Training's step back): from the nearest checkpoint before it, replayed to exactly there. */
  const replayToPosition = (until: RunPosition, timeUs: number): void => {
    const cp = checkpoints.atOrBeforePosition(until.executed, until.applied);
    if (cp) restore(cp);
    else {
      build();
      applied = 0;
    }
    lastSeq = 0;
    runTo(timeUs, undefined, until);
  };

  return {
    load(raw: unknown, newSeed?: number): { problems: Problem[]; loaded: boolean } {
      stopTimer();
      running = false;
      const r = parseTopologyValue(raw);
      if (!r.ok) return { problems: r.problems, loaded: false };
      // A topology with errors is not run, here as in `relaylab simulate`: the run would show what the file does not say.
      const errors = validateTopology(r.topology).filter((p) => p.severity === 'error');
      if (errors.length) return { problems: errors, loaded: false };
      const previous = { topology, engine };
      topology = r.topology;
      if (newSeed !== undefined) seed = newSeed;
      timeline = [];
      applied = 0;
      try {
        buildFresh();
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
            const due = nextDueUs();
            engine.stepToNextStepEvent(due);
            if (due !== undefined && engine.nowUs >= due) runTo(due);
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
          buildFresh();
          break;
        case 'seekPosition': {
          running = false;
          stopTimer();
          const current = { executed: engine.sched.executed, applied };
          if (c.executed !== current.executed || c.applied !== current.applied) replayToPosition({ executed: c.executed, applied: c.applied }, c.timeMs * 1000);
          break;
        }
        case 'seek': {
          const target = c.timeMs * 1000;
          // Forwards past a checkpoint of the recorded future (after a seek back), that checkpoint is the shorter way.
          const ahead = checkpoints.atOrBefore(target);
          if (target >= engine.nowUs && !(ahead && ahead.engine.timeUs > engine.nowUs + CHECKPOINT_MIN_INTERVAL_US)) runTo(target);
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
      // A command after seeking back starts a new branch: the recorded future is dropped, and its checkpoints.
      if (timeline.length > applied) checkpoints.dropAfter(engine.sched.executed, applied);
      timeline.length = applied;
      const executed = engine.sched.executed;
      const result = engine.command(parsed.data);
      timeline.push({ timeUs: engine.nowUs, executed, command: parsed.data });
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

    async verify(volumeIds: string[]): Promise<VerifyResult> {
      const e = engine;
      if (!e) return { hashes: {}, heldAtUs: 0, drainedUs: 0, settled: true, inFlight: [], writesResumed: false, hashWallMs: 0 };
      if (verifying) throw new Error('a verify is already running');
      verifying = true;
      try {
        // 1. Hold host writes (recorded on the timeline like the operator's own command, so a replay holds them too).
        const writing = e.workloadsEnabled;
        if (writing) this.command({ type: 'setWorkloadsEnabled', enabled: false });
        const heldAtUs = e.nowUs;
        // 2. Drain: run until nothing is in flight, in 1 ms steps of virtual time, within a virtual and a wall budget.
        const wall0 = host.nowMs();
        while (!e.settled() && e.nowUs - heldAtUs < MAX_DRAIN_US && host.nowMs() - wall0 < MAX_DRAIN_WALL_MS) runTo(e.nowUs + 1000);
        const drainedUs = e.nowUs - heldAtUs;
        const settled = e.settled();
        const still = settled ? [] : inFlight(e);
        // 3. Freeze the volumes' content at this point (copy-on-write clones) and let the writes go on at once.
        const frozen = freeze(e, volumeIds);
        let writesResumed = false;
        if (writing && !e.workloadsEnabled) {
          this.command({ type: 'setWorkloadsEnabled', enabled: true });
          writesResumed = true;
        }
        // 4. Hash the frozen copies in slices; the run's ticks go on between them.
        const hash0 = host.nowMs();
        const hashes = await hashInSlices(frozen, host.sha256, host.nowMs, () => new Promise<void>((r) => host.setTimer(r, 0)));
        const hashWallMs = host.nowMs() - hash0;
        return { hashes, heldAtUs, drainedUs, settled, inFlight: still, writesResumed, hashWallMs };
      } finally {
        verifying = false;
      }
    },

    dispose(): void {
      running = false;
      stopTimer();
      engine = undefined;
      topology = undefined;
      timeline = [];
      checkpoints.clear();
    },
  };
}
