// The live store (zustand): the running engine as the renderer sees it — snapshots, the event log, chart series, training and highlights. Never part of the document or its undo history.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Snapshot, StepEvent } from '../../app/engine/api';
import type { Problem } from '../../app/model/problem';
import type { Topology } from '../../app/model/schema';
import { appendEvents, highlightIds } from './model';
import { isHistoryEvent } from '../../app/exercise/grade';
import type { Verification } from './model';
import { appendSnapshot, emptySeries } from './series';
import type { SeriesSet } from './series';

export const EVENT_LOG_LIMIT = 5000;
/** Milestone events kept for exercise grading (pair states, faults, repairs: a few per fault, so this covers long runs). */
export const HISTORY_LIMIT = 50_000;
/** 'max' runs the engine as fast as it goes; the driver still sends at most ~30 snapshots a second. */
export const SPEEDS = [1, 10, 100, 1000, 'max'] as const;
export type SpeedChoice = (typeof SPEEDS)[number];
export const MAX_SPEED = 1e9;

export type LiveTab = 'events' | 'charts' | 'caches' | 'explain' | 'training' | 'exercise' | 'verify';

export interface Highlight {
  ids: string[];
  /** The one-line explanation shown with it. */
  text: string;
  step: string;
  source: 'training' | 'event' | 'slot';
}

/** A step of the walk as it was shown: the event on screen and the run's position and time then. */
export interface TrainingMark {
  cursorSeq: number;
  position: { executed: number; applied: number; stepSeq: number } | undefined;
  timeUs: number;
}

export interface TrainingState {
  active: boolean;
  /** The traced write being walked, once its first event is seen. */
  ioId: number | null;
  /** seq of the first event that belongs to the walk (events before it are older traffic). */
  fromSeq: number;
  /**
   * seq of the walk event on screen. One engine step can run several patent steps at the same instant (S11 and S12 in one
   * callback), so the walk advances one event at a time here and asks the engine for more only when it has shown them all.
   */
  cursorSeq: number | null;
  /** The engine is running the next step. */
  busy: boolean;
  /** Each step shown so far: its event and where the run was then (Back returns to exactly that). */
  trail: TrainingMark[];
}

export interface LiveState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  problems: Problem[];
  /** The document was not run because it has errors: the message (the words of `relaylab simulate`) and the errors. */
  refusal: { message: string; errors: Problem[] } | null;
  /** The document the engine runs (model and layout as loaded, with edits applied live since), to tell what changed. */
  loadedDoc: Topology | null;
  /** Virtual seconds per wall second measured over the last snapshots while playing; null when paused or not yet known. */
  achievedSpeed: number | null;
  /** Key of the document the engine runs (its model, layout excluded), to know when to reload. */
  loadedKey: string | null;
  snapshot: Snapshot | null;
  events: StepEvent[];
  series: SeriesSet;
  /** Furthest virtual time reached, the timeline's right end. */
  maxTimeUs: number;
  speed: SpeedChoice;
  seed: number;
  /** Whether the hosts' workloads are writing (the engine starts them on load). */
  workloadsEnabled: boolean;
  /** The run's history for exercise grading: its pair-state, fault and repair events (app/exercise/grade.ts), since the load. */
  history: StepEvent[];
  training: TrainingState;
  highlight: Highlight | null;
  selectedPairId: string | null;
  verification: Verification | null;
  /** A verify is computing hashes (a few seconds per GiB). */
  verifying: boolean;
  dockOpen: boolean;
  tab: LiveTab;
}

export interface LiveActions {
  /** Takes in a snapshot from a push or a control call. */
  ingest(snapshot: Snapshot): void;
  /** The engine was (re)loaded with a document: everything about the previous run is dropped. */
  loaded(key: string, problems: Problem[], ok: boolean, doc?: Topology): void;
  /** Another document was opened: the run is forgotten and nothing is loaded. */
  dropRun(): void;
  /** Edits were applied to the running engine: it now runs this document. */
  liveEdited(key: string, doc: Topology): void;
  /** The document has errors: nothing runs, the previous run is dropped, and the dock says why. */
  refused(message: string, errors: Problem[]): void;
  setStatus(status: LiveState['status'], error?: string | null): void;
  setSpeed(speed: SpeedChoice): void;
  setSeed(seed: number): void;
  setWorkloadsEnabled(enabled: boolean): void;
  /** Reset of the run (same document): clears the log, charts and history. */
  resetRun(): void;
  startTraining(): void;
  /** Shows the next event of the walk already received; false when the engine must run another step first. */
  advanceTraining(): boolean;
  /** Shows the previous step of the walk again (the run already went back to where it was then); false at the first. */
  trainingStepBack(): boolean;
  setTrainingBusy(busy: boolean): void;
  stopTraining(): void;
  setHighlight(h: Highlight | null): void;
  selectPair(id: string | null): void;
  setVerification(v: Verification | null): void;
  setVerifying(on: boolean): void;
  setDockOpen(open: boolean): void;
  setTab(tab: LiveTab): void;
}

export type LiveStore = LiveState & LiveActions;

const freshRun = () => ({
  snapshot: null,
  events: [] as StepEvent[],
  series: emptySeries(),
  maxTimeUs: 0,
  history: [] as StepEvent[],
  training: { active: false, ioId: null, fromSeq: 0, cursorSeq: null, busy: false, trail: [] } as TrainingState,
  highlight: null,
  verification: null,
});

/** (wall ms, virtual µs) of recent snapshots while playing: the achieved speed is their slope. */
const speedSamples: { wallMs: number; timeUs: number }[] = [];
/** How far back the achieved speed looks, and the shortest span it reports on. */
const SPEED_WINDOW_MS = 2000;
const SPEED_MIN_SPAN_MS = 400;

function measureSpeed(snapshot: Snapshot, wentBack: boolean, previous: number | null): number | null {
  if (!snapshot.running || wentBack) {
    speedSamples.length = 0;
    return null;
  }
  const wallMs = performance.now();
  speedSamples.push({ wallMs, timeUs: snapshot.timeUs });
  while (speedSamples.length > 2 && wallMs - speedSamples[0]!.wallMs > SPEED_WINDOW_MS) speedSamples.shift();
  const first = speedSamples[0]!;
  const span = wallMs - first.wallMs;
  if (span < SPEED_MIN_SPAN_MS) return previous;
  return (snapshot.timeUs - first.timeUs) / 1000 / span;
}

export function createLiveStore() {
  return createStore<LiveStore>()((set, get) => ({
    status: 'idle',
    error: null,
    problems: [],
    loadedKey: null,
    loadedDoc: null,
    achievedSpeed: null,
    refusal: null,
    speed: 1,
    seed: 1,
    workloadsEnabled: true,
    verifying: false,
    selectedPairId: null,
    dockOpen: true,
    tab: 'events',
    ...freshRun(),

    ingest(snapshot) {
      const s = get();
      // A seek back: events after the new time belong to a timeline that no longer exists; so do events newer than the
      // run's newest (a step back to an earlier event of the same instant).
      const newest = snapshot.position?.stepSeq ?? Infinity;
      const wentBack = (s.snapshot !== null && snapshot.timeUs < s.snapshot.timeUs) || (s.events.at(-1)?.seq ?? 0) > newest;
      const kept = wentBack ? s.events.filter((e) => e.timeUs <= snapshot.timeUs && e.seq <= newest) : s.events;
      const events = appendEvents(kept, snapshot.events, EVENT_LOG_LIMIT);
      let training = s.training;
      if (training.active) {
        if (training.ioId === null) {
          const first = events.find((e) => e.seq >= training.fromSeq && e.ioId !== undefined);
          if (first?.ioId !== undefined) training = { ...training, ioId: first.ioId };
        }
      }
      set({
        snapshot,
        achievedSpeed: measureSpeed(snapshot, wentBack, s.achievedSpeed),
        events,
        series: appendSnapshot(s.series, snapshot),
        maxTimeUs: Math.max(s.maxTimeUs, snapshot.timeUs),
        history: appendEvents(wentBack ? s.history.filter((e) => e.timeUs <= snapshot.timeUs && e.seq <= newest) : s.history, snapshot.events.filter(isHistoryEvent), HISTORY_LIMIT),
        training,
        status: s.status === 'idle' ? 'ready' : s.status,
      });
    },

    loaded(key, problems, ok, doc) {
      speedSamples.length = 0;
      set({ ...freshRun(), workloadsEnabled: true, loadedKey: ok ? key : null, loadedDoc: ok ? (doc ?? null) : null, refusal: null, problems, status: ok ? 'ready' : 'error', error: ok ? null : 'the engine did not load this topology' });
    },
    dropRun() {
      speedSamples.length = 0;
      set({ ...freshRun(), loadedKey: null, loadedDoc: null, achievedSpeed: null, refusal: null, status: 'idle', error: null, workloadsEnabled: true });
    },
    liveEdited(loadedKey, loadedDoc) {
      set({ loadedKey, loadedDoc });
    },
    refused(message, errors) {
      set({ ...freshRun(), loadedKey: null, loadedDoc: null, refusal: { message, errors }, problems: errors, status: 'error', error: null });
    },
    setStatus(status, error = null) {
      set({ status, error });
    },
    setSpeed(speed) {
      set({ speed });
    },
    setSeed(seed) {
      set({ seed });
    },
    setWorkloadsEnabled(workloadsEnabled) {
      set({ workloadsEnabled });
    },
    resetRun() {
      set({ ...freshRun() });
    },
    startTraining() {
      const last = get().events.at(-1);
      set({ training: { active: true, ioId: null, fromSeq: last ? last.seq + 1 : 0, cursorSeq: null, busy: false, trail: [] }, highlight: null, tab: 'training', dockOpen: true });
    },
    advanceTraining() {
      const s = get();
      const walk = trainingWalk(s);
      const i = walk.findIndex((e) => e.seq === s.training.cursorSeq);
      const next = walk[i + 1];
      if (!next) return false;
      const mark: TrainingMark = { cursorSeq: next.seq, position: s.snapshot?.position, timeUs: s.snapshot?.timeUs ?? 0 };
      set({ training: { ...s.training, cursorSeq: next.seq, trail: [...s.training.trail, mark] }, highlight: trainingHighlight(next) });
      return true;
    },
    trainingStepBack() {
      const s = get();
      const trail = s.training.trail.slice(0, -1);
      const mark = trail.at(-1);
      const e = mark ? s.events.find((x) => x.seq === mark.cursorSeq) : undefined;
      if (!mark || !e) return false;
      set({ training: { ...s.training, cursorSeq: mark.cursorSeq, trail }, highlight: trainingHighlight(e) });
      return true;
    },
    setTrainingBusy(busy) {
      set({ training: { ...get().training, busy } });
    },
    stopTraining() {
      set({ training: { active: false, ioId: null, fromSeq: 0, cursorSeq: null, busy: false, trail: [] }, highlight: null });
    },
    setHighlight(highlight) {
      set({ highlight });
    },
    selectPair(selectedPairId) {
      set({ selectedPairId });
    },
    setVerification(verification) {
      set({ verification });
    },
    setVerifying(verifying) {
      set({ verifying });
    },
    setDockOpen(dockOpen) {
      set({ dockOpen });
    },
    setTab(tab) {
      set({ tab, dockOpen: true });
    },
  }));
}

export const liveStore = createLiveStore();

export function useLive<T>(selector: (s: LiveStore) => T): T {
  return useStore(liveStore, selector);
}

/** Events of the current training walk, oldest first. */
export function trainingWalk(s: Pick<LiveState, 'events' | 'training'>): StepEvent[] {
  if (!s.training.active || s.training.ioId === null) return [];
  return s.events.filter((e) => e.ioId === s.training.ioId);
}

/** The walk up to the event on screen: what a trainee has seen so far. */
export function trainingShown(s: Pick<LiveState, 'events' | 'training'>): StepEvent[] {
  const walk = trainingWalk(s);
  const i = walk.findIndex((e) => e.seq === s.training.cursorSeq);
  return walk.slice(0, i + 1);
}

function trainingHighlight(e: StepEvent): Highlight {
  return { ids: highlightIds(e), text: e.text, step: e.step, source: 'training' };
}
