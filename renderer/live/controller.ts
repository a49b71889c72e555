// What the live views do to the engine: load the current document, run controls, commands and faults, verify; answers go into the live store, refusals to a toast.
import type { CommandResult, EngineCommand, RunControl, Snapshot } from '../../app/engine/api';
import type { RelayLabApi } from '../../app/ipc/contract';
import { namingElement } from '../../app/model/problem';
import type { Exercise, Topology } from '../../app/model/schema';
import { recordCommand } from './ScenarioBar';
import { liveStore, MAX_SPEED } from './store';
import type { SpeedChoice } from './store';
import { liveCableEdits, verifyPairs, verifyVolumeIds } from './model';
import { refusalToRun } from '../../app/model/problem';
import { validateTopology } from '../../app/validate';
import { gradeExercise, volumesToHash, type ExerciseGrade } from '../../app/exercise/grade';


/** Where the controller gets the engine, the document and a place to say things; injected so tests can drive it with a fake engine. */
export interface LiveDeps {
  api(): Promise<RelayLabApi | null>;
  doc(): Topology;
  notify(text: string, tone: 'info' | 'error'): void;
}

let deps: LiveDeps | null = null;
let unsubscribe: (() => void) | null = null;

/** Connects the live store to an engine; pushed snapshots flow into the store from then on. Returns a disconnect function. */
export async function connectLive(d: LiveDeps): Promise<() => void> {
  deps = d;
  unsubscribe?.();
  const api = await d.api();
  unsubscribe =
    api?.on('engine.snapshot', (s) => {
      liveStore.getState().ingest(s);
      reconcileSpeed(s);
    }) ?? null;
  return () => {
    unsubscribe?.();
    unsubscribe = null;
  };
}

function need(): LiveDeps {
  if (!deps) throw new Error('the live views are not connected to an engine (connectLive was not called)');
  return deps;
}

/** The document's model without its canvas layout: moving a box must not restart the run. */
export function modelKey(t: Topology): string {
  // The class script and the exercises are read by the views, not the engine: authoring an exercise keeps the run going.
  const { layout: _layout, scenario, ...model } = t;
  return JSON.stringify(scenario ? { ...model, timeline: scenario.timeline } : model);
}

export function speedValue(s: SpeedChoice): number {
  return s === 'max' ? MAX_SPEED : s;
}

async function engineApi(): Promise<RelayLabApi | null> {
  const d = need();
  const api = await d.api();
  if (!api) d.notify('No engine here: this page runs without the RelayLab server.', 'error');
  return api;
}

function failed(e: unknown): null {
  const message = e instanceof Error ? e.message : String(e);
  liveStore.getState().setStatus('error', message);
  need().notify(message, 'error');
  return null;
}

/** Loads the current document into the engine when the engine runs another model (or none yet). */
export async function ensureLoaded(force = false): Promise<boolean> {
  const d = need();
  const doc = d.doc();
  const key = modelKey(doc);
  const s = liveStore.getState();
  if (!force && s.loadedKey === key && s.status === 'ready') return true;
  // A run under way is never restarted behind the user's back: edits the engine cannot take mark it out of date, and the
  // dock offers the restart (restartWithChanges).
  if (!force && s.status === 'ready' && s.loadedKey !== null && runStarted()) return true;
  // As `relaylab simulate` does: a topology with errors is not run (the engine would run something the file does not say).
  const errors = validateTopology(doc).filter((p) => p.severity === 'error');
  if (errors.length) {
    const message = `${refusalToRun(`"${doc.name || 'This topology'}"`)} (${errors.length} error${errors.length === 1 ? '' : 's'} in Problems)`;
    s.refused(message, errors);
    d.notify(message, 'error');
    return false;
  }
  const api = await engineApi();
  if (!api) return false;
  s.setStatus('loading');
  try {
    const r = await api.call('engine.load', { topology: doc, seed: liveStore.getState().seed });
    liveStore.getState().loaded(key, r.problems, r.loaded, doc);
    if (!r.loaded) {
      const first = r.problems.find((p) => p.severity === 'error') ?? r.problems[0];
      d.notify(`The engine cannot run this topology${first ? `: ${namingElement(first.message, first.elementId)}` : ''}`, 'error');
      return false;
    }
    const snap = await api.call('engine.snapshot', {});
    liveStore.getState().ingest(snap);
    return true;
  } catch (e) {
    return failed(e) ?? false;
  }
}

/** Sends a run control (loading the document first); the answer's snapshot lands in the store. */
export async function control(c: RunControl): Promise<Snapshot | null> {
  if (!(await ensureLoaded())) return null;
  const api = await engineApi();
  if (!api) return null;
  try {
    const { snapshot } = await api.call('engine.control', c);
    liveStore.getState().ingest(snapshot);
    return snapshot;
  } catch (e) {
    return failed(e);
  }
}

/** Whether the loaded run has moved: its virtual clock is past zero or it plays. */
function runStarted(): boolean {
  const snap = liveStore.getState().snapshot;
  return !!snap && (snap.timeUs > 0 || snap.running);
}

/** Play at the speed chosen when the engine is ready: a speed clicked while the document loads is not lost. */
export async function play(): Promise<Snapshot | null> {
  if (!(await ensureLoaded())) return null;
  return control({ action: 'play', speed: speedValue(liveStore.getState().speed) });
}

let reconciling = false;
/** The speed buttons show what the engine runs at: a pushed snapshot playing at another speed gets the chosen one. */
function reconcileSpeed(snap: Snapshot): void {
  const wanted = speedValue(liveStore.getState().speed);
  if (!snap.running || snap.speed === wanted || reconciling || liveStore.getState().status !== 'ready') return;
  reconciling = true;
  void control({ action: 'setSpeed', speed: wanted }).finally(() => (reconciling = false));
}
export const pause = () => control({ action: 'pause' });
export const step = () => control({ action: 'step' });
export const seek = (timeMs: number) => control({ action: 'seek', timeMs: Math.max(0, timeMs) });
export const runFor = (virtualMs: number) => control({ action: 'runFor', virtualMs });

export async function setSpeed(speed: SpeedChoice): Promise<void> {
  liveStore.getState().setSpeed(speed);
  if (liveStore.getState().status === 'ready') await control({ action: 'setSpeed', speed: speedValue(speed) });
}

let liveEdits: Promise<void> = Promise.resolve();

/**
 * The document was edited: edits the running engine can take (a cable's distance or bandwidth) are sent to it at once, so the
 * run shows them; any other change leaves the run out of date (the dock says so and offers a restart).
 */
export function documentEdited(): Promise<void> {
  liveEdits = liveEdits.then(applyLiveEdits, applyLiveEdits);
  return liveEdits;
}

async function applyLiveEdits(): Promise<void> {
  const d = need();
  const s = liveStore.getState();
  if (s.status !== 'ready' || !s.loadedDoc || !s.loadedKey) return;
  const doc = d.doc();
  const key = modelKey(doc);
  if (key === s.loadedKey) return;
  const edits = liveCableEdits(s.loadedDoc, doc);
  if (!edits) return;
  const api = await d.api();
  if (!api) return;
  try {
    for (const e of edits) {
      const r = await api.call('engine.command', e);
      if (!r.ok) {
        d.notify(`Not applied to the run: ${r.reason}`, 'error');
        return;
      }
    }
    liveStore.getState().liveEdited(key, doc);
    if (edits.length) d.notify(`Applied to the running run: ${edits.map((e) => `${e.cableId}${e.distanceKm !== undefined ? ` ${e.distanceKm} km` : ''}${e.bandwidthMbps !== undefined ? ` ${e.bandwidthMbps} Mbit/s` : ''}`).join(', ')}`, 'info');
  } catch (e) {
    failed(e);
  }
}

/** Another document was opened: the run of the previous one stops and is dropped (the next Play loads the new one). */
export async function documentReplaced(): Promise<void> {
  const s = liveStore.getState();
  if (s.status === 'idle' && !s.snapshot) return;
  const api = await need().api();
  try {
    if (s.snapshot?.running) await api?.call('engine.control', { action: 'pause' });
  } catch {
    // The engine is gone or busy: the run is dropped below all the same.
  }
  liveStore.getState().dropRun();
}

/** The run is out of date: reload the edited document and go on playing if it was playing. */
export async function restartWithChanges(): Promise<void> {
  const wasRunning = liveStore.getState().snapshot?.running ?? false;
  await reset();
  if (wasRunning && liveStore.getState().status === 'ready') await play();
}

/** Starts or stops the hosts' workloads (stopped, the pairs drain and settle: the moment to verify). */
export async function setWorkloads(enabled: boolean): Promise<void> {
  const r = await command({ type: 'setWorkloadsEnabled', enabled });
  if (r?.ok) liveStore.getState().setWorkloadsEnabled(enabled);
}

/** Reset the run with a seed: reloads the document (it may have changed), which rebuilds the engine at 00:00.000. */
export async function reset(seed = liveStore.getState().seed): Promise<void> {
  liveStore.getState().setSeed(seed);
  await ensureLoaded(true);
}

/** Sends an operator command or fault. A refusal (ok: false) is shown as a toast with its reason, never thrown. */
export async function command(c: EngineCommand): Promise<CommandResult | null> {
  if (!(await ensureLoaded())) return null;
  const api = await engineApi();
  if (!api) return null;
  try {
    const result = await api.call('engine.command', c);
    if (!result.ok) need().notify(result.reason, 'error');
    else if (result.message) need().notify(result.message, 'info');
    // Effects show at once, even while paused.
    const after = await api.call('engine.snapshot', {});
    liveStore.getState().ingest(after);
    // Record: an accepted command becomes a scenario step at the virtual time the engine reports right after it.
    if (result.ok) recordCommand(c, after.timeUs);
    return result;
  } catch (e) {
    return failed(e);
  }
}

/**
 * Training: stop the background workloads, issue one traced host write (to the first workload's LU, or the first LU a host
 * can reach) and let single steps walk it. Returns false with a toast when the topology has no host write to trace.
 */
export async function startTrainingWrite(): Promise<boolean> {
  const d = need();
  const doc = d.doc();
  const target = traceTarget(doc);
  if (!target) {
    d.notify('Training needs a host with a workload (its LU is where the traced write goes).', 'error');
    return false;
  }
  if (!(await ensureLoaded())) return false;
  await pause();
  await setWorkloads(false);
  liveStore.getState().startTraining();
  const r = await command({ type: 'hostWrite', hostId: target.hostId, luId: target.luId, offsetBytes: 0, lengthBytes: 4096, fill: 0xab });
  // The write's first event (the host sending it) is on screen at once.
  if (r?.ok) liveStore.getState().advanceTraining();
  return !!r?.ok;
}

/** Training's "next step": the next event of the traced write, running the engine one step at a time until there is one. */
export async function trainingNext(maxEngineSteps = 50): Promise<boolean> {
  // A second click while the engine is still stepping would skip a step the trainee has not seen.
  if (liveStore.getState().training.busy) return false;
  liveStore.getState().setTrainingBusy(true);
  try {
    for (let i = 0; i < maxEngineSteps; i++) {
      if (liveStore.getState().advanceTraining()) return true;
      if (!(await step())) return false;
    }
    return liveStore.getState().advanceTraining();
  } finally {
    liveStore.getState().setTrainingBusy(false);
  }
}

/**
 * Training's Back: the previous step exactly as it was shown. When the run moved since (the engine ran events or
 * commands), it goes back to that step's position: the driver restores its nearest checkpoint and replays to exactly
 * the events and commands of then; the walk's cursor and highlight follow.
 */
export async function trainingBack(): Promise<boolean> {
  const s = liveStore.getState();
  if (s.training.busy || s.training.trail.length < 2) return false;
  const prev = s.training.trail[s.training.trail.length - 2]!;
  liveStore.getState().setTrainingBusy(true);
  try {
    const now = s.snapshot?.position;
    const p = prev.position;
    if (p && now && (p.executed !== now.executed || p.applied !== now.applied)) {
      const snap = await control({ action: 'seekPosition', executed: p.executed, applied: p.applied, timeMs: prev.timeUs / 1000 });
      if (!snap) return false;
    }
    return liveStore.getState().trainingStepBack();
  } finally {
    liveStore.getState().setTrainingBusy(false);
  }
}

export async function stopTraining(): Promise<void> {
  liveStore.getState().stopTraining();
  await setWorkloads(true);
}

/** The host and LU of the first workload: where a trainee's write goes. */
export function traceTarget(t: Topology): { hostId: string; luId: string } | null {
  for (const h of t.hosts) {
    const w = h.workloads[0];
    if (w) return { hostId: h.id, luId: w.luId };
  }
  return null;
}

/** Hashes both volumes of every pair at a consistent point and says plainly whether they match, and why not. One at a time. */
export async function verify(): Promise<void> {
  const d = need();
  if (liveStore.getState().verifying) return;
  if (!(await ensureLoaded())) return;
  const api = await engineApi();
  if (!api) return;
  liveStore.getState().setVerifying(true);
  liveStore.getState().setTab('verify');
  try {
    const doc = d.doc();
    // Held writes, drained, hashed in slices while the clock goes on, writes resumed: a consistent point of the run.
    const point = await api.call('engine.verify', { volumeIds: verifyVolumeIds(doc) });
    // The pairs as they were when hashed (the writes are running again by now, but the drain may have changed states).
    const snap = await api.call('engine.snapshot', {});
    liveStore.getState().ingest(snap);
    liveStore.getState().setVerification(verifyPairs(doc, point.hashes, snap, point));
  } catch (e) {
    failed(e);
  } finally {
    liveStore.getState().setVerifying(false);
  }
}

/**
 * Grades an exercise on the run as it is now (app/exercise/grade.ts, the same function as `relaylab simulate`): the
 * run's history from the live store, the pairs and hosts from a fresh snapshot, and, when the exercise compares
 * volumes, their hashes at a consistent point (as Verify takes them). Null when nothing runs.
 */
export async function gradeRun(exercise: Exercise): Promise<ExerciseGrade | null> {
  const d = need();
  const api = await engineApi();
  if (!api || !liveStore.getState().snapshot) return null;
  try {
    const doc = d.doc();
    const volumes = volumesToHash(exercise, doc);
    const hashes = volumes.length ? (await api.call('engine.verify', { volumeIds: volumes })).hashes : {};
    const snap = await api.call('engine.snapshot', {});
    liveStore.getState().ingest(snap);
    const end = { timeUs: snap.timeUs, pairs: snap.pairs, hosts: snap.hosts, hashes };
    return gradeExercise(exercise, { events: liveStore.getState().history }, end, doc);
  } catch (e) {
    return failed(e);
  }
}
