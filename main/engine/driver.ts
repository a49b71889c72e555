// Drives an Engine against the wall clock for the UI: play/pause/speed, single steps, run-for, reset and seek by deterministic replay.
import { EngineCommand, RunControl, type CommandResult, type DriverHost, type EngineService, type ScenarioProgress, type Snapshot, type VerifyResult } from '../../app/engine/api';
import { parseTopologyValue } from '../../app/model/file';
import type { Problem } from '../../app/model/problem';
import type { ScenarioEvent, Topology } from '../../app/model/schema';
import { validateTopology } from '../../app/validate';
import { Engine } from './engine';
import { TopologyError } from './runtime';
import { freeze, hashInSlices, inFlight, MAX_DRAIN_US, MAX_DRAIN_WALL_MS } from './verify';

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
  /** The file's scenario timeline in time order (stable: steps at one time keep the file's order); played at its times. */
  let scenario: ScenarioEvent[] = [];
  /** How many scenario steps the current engine has applied, and what the last one answered. */
  let scenarioApplied = 0;
  let scenarioLast: ScenarioProgress['last'];
  /** A Verify is hashing (one at a time). */
  let verifying = false;

  /** Runs events up to `targetUs`, applying recorded commands at their times; stops early when `stop` says so. */
  const runTo = (targetUs: number, stop?: () => boolean): void => {
    const e = engine!;
    let n = 0;
    for (;;) {
      const next = timeline[applied];
      const step = scenario[scenarioApplied];
      const stepUs = step ? step.atMs * 1000 : Infinity;
      // A scenario step goes before an operator command recorded at the same time (as in relaylab simulate).
      const dueUs = Math.min(stepUs, next ? next.timeUs : Infinity);
      const limit = dueUs <= targetUs ? dueUs : targetUs;
      if (e.sched.runNext(limit)) {
        if (stop && ++n % EVENTS_PER_CHECK === 0 && stop()) return;
        continue;
      }
      e.runUntil(limit);
      if (step && stepUs <= targetUs && stepUs <= (next ? next.timeUs : Infinity)) {
        const r = e.command(step.command);
        scenarioLast = { index: scenarioApplied, ok: r.ok, message: r.ok ? (r.message ?? 'ok') : r.reason };
        scenarioApplied++;
        continue;
      }
      if (next && next.timeUs <= targetUs) {
        e.command(next.command);
        applied++;
        continue;
      }
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
      // A topology with errors is not run, here as in `relaylab simulate`: the run would show what the file does not say.
      const errors = validateTopology(r.topology).filter((p) => p.severity === 'error');
      if (errors.length) return { problems: errors, loaded: false };
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
    },
  };
}
