// The file's scenario during a run: its steps as markers on the timeline, a banner with each step's note as it fires, and Record to make one.
import { memo, useEffect, useState } from 'react';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { EngineCommand } from '../../app/engine/api';
import { OperatorCommand, type ScenarioEvent, type Topology } from '../../app/model/schema';
import { documentStore, useDoc } from '../store/document';
import { formatClock } from './model';
import { liveStore, useLive } from './store';

/** How long a step's banner stays up (wall time) unless the next step replaces it. */
const BANNER_MS = 8000;

/** One line for a step: its note, or what the command does. */
export function describeStep(ev: ScenarioEvent): string {
  if (ev.note) return ev.note;
  const c = ev.command;
  switch (c.type) {
    case 'pair':
      return `${c.op} pair ${c.pairId}`;
    case 'cutCable':
      return `cable ${c.cableId} is cut`;
    case 'restoreCable':
      return `cable ${c.cableId} is restored`;
    case 'failSystem':
      return `storage system ${c.systemId} fails`;
    case 'restoreSystem':
      return `storage system ${c.systemId} is restored`;
    case 'failSite':
      return `site ${c.siteId} fails`;
    case 'restoreSite':
      return `site ${c.siteId} is restored`;
    case 'fillJournal':
      return `the journal of ${c.pairId} fills up`;
    case 'fillCache':
      return `cache ${c.cacheId} fills with dirty data`;
    case 'setWorkloadsEnabled':
      return c.enabled ? 'the hosts start writing' : 'the hosts stop writing';
    case 'setCable':
      return `cable ${c.cableId} changes${c.distanceKm !== undefined ? ` to ${c.distanceKm} km` : ''}${c.bandwidthMbps !== undefined ? ` at ${c.bandwidthMbps} Mbit/s` : ''}`;
  }
}

/** The scenario's steps in the order the driver plays them (by time; the file's order at equal times). */
export function stepsInTimeOrder(t: Topology): ScenarioEvent[] {
  return [...(t.scenario?.timeline ?? [])].sort((a, b) => a.atMs - b.atMs);
}

/** Markers of the scenario's steps over the timeline; `scaleUs` is the timeline's right end. */
export const ScenarioMarkers = memo(function ScenarioMarkers({ scaleUs }: { scaleUs: number }) {
  const doc = useDoc((s) => s.doc);
  const applied = useLive((s) => s.snapshot?.scenario?.applied ?? 0);
  const steps = stepsInTimeOrder(doc);
  if (!steps.length || scaleUs <= 0) return null;
  return (
    <div className="live-scenario-markers" aria-hidden="true">
      {steps.map((ev, i) => (
        <span
          key={i}
          className={`live-scenario-marker${i < applied ? ' is-done' : ''}`}
          style={{ left: `${Math.min(100, (ev.atMs * 1000 * 100) / scaleUs)}%` }}
          title={`${formatClock(ev.atMs * 1000)} · ${describeStep(ev)}`}
          data-testid="scenario-marker"
          data-at-ms={ev.atMs}
        />
      ))}
    </div>
  );
});

/** The right end of the timeline: the furthest time reached, or the scenario's last step if it lies further. */
export function timelineScaleUs(maxUs: number, t: Topology): number {
  const last = stepsInTimeOrder(t).at(-1);
  return Math.max(maxUs, last ? last.atMs * 1000 * 1.05 : 0);
}

/** The note of the step that just fired, over the canvas, for the class. */
export const ScenarioBanner = memo(function ScenarioBanner() {
  const doc = useDoc((s) => s.doc);
  const progress = useLive((s) => s.snapshot?.scenario);
  const [shown, setShown] = useState<number | null>(null);
  const index = progress?.last?.index;
  useEffect(() => {
    if (index === undefined) return setShown(null);
    setShown(index);
    const t = setTimeout(() => setShown(null), BANNER_MS);
    return () => clearTimeout(t);
  }, [index, progress?.applied]);
  if (shown === null || !progress?.last) return null;
  const ev = stepsInTimeOrder(doc)[shown];
  if (!ev) return null;
  return (
    <div className={`live-scenario-banner${progress.last.ok ? '' : ' is-refused'}`} role="status" data-testid="scenario-banner" data-step={shown}>
      <span className="live-scenario-time">{formatClock(ev.atMs * 1000)}</span>
      <span className="live-scenario-note">{describeStep(ev)}</span>
      {!progress.last.ok ? <span className="live-scenario-refused">refused: {progress.last.message}</span> : null}
      <span className="live-scenario-count">
        step {shown + 1} of {progress.total}
      </span>
    </div>
  );
});

// ------------------------------------------------------------------ record

interface Recording {
  active: boolean;
  steps: ScenarioEvent[];
}

/** What the operator does while Record is on: every accepted fault or command, at the virtual time it was given. */
export const recordingStore = createStore<Recording>(() => ({ active: false, steps: [] }));

/** Called by the controller for every command the engine accepted. Host writes of Training are not scenario steps. */
export function recordCommand(c: EngineCommand, atUs: number): void {
  const r = recordingStore.getState();
  if (!r.active) return;
  const parsed = OperatorCommand.safeParse(c);
  if (!parsed.success) return;
  recordingStore.setState({ steps: [...r.steps, { atMs: Math.round(atUs) / 1000, command: parsed.data }] });
}

/** Stops recording and, when something was recorded, makes it the document's scenario timeline (one undoable edit). */
export function stopRecording(): number {
  const { steps } = recordingStore.getState();
  recordingStore.setState({ active: false, steps: [] });
  if (!steps.length) return 0;
  documentStore.getState().edit(`Record scenario (${steps.length} step${steps.length === 1 ? '' : 's'})`, (t) => ({
    ...t,
    scenario: { script: [], exercises: [], ...t.scenario, timeline: steps },
  }));
  return steps.length;
}

export const RecordButton = memo(function RecordButton() {
  const { active, steps } = useStore(recordingStore);
  const atUs = useLive((s) => s.snapshot?.timeUs ?? 0);
  return (
    <button
      type="button"
      className={`live-btn live-record${active ? ' is-recording' : ''}`}
      onClick={() => {
        if (!active) {
          recordingStore.setState({ active: true, steps: [] });
          return;
        }
        const n = stopRecording();
        documentStore.getState().notify(n ? `Saved ${n} step${n === 1 ? '' : 's'} as the scenario: Reset and Play replays them` : 'Nothing was recorded', 'info');
      }}
      title={
        active
          ? 'Stop recording and save what you did as the scenario of this file (Undo takes it back)'
          : 'Record: the faults and pair operations you give from now on become the scenario of this file, at their virtual times'
      }
      data-testid="run-record"
      aria-pressed={active}
    >
      {active ? `■ Stop (${steps.length})` : '● Record'}
      {active ? <span className="live-record-at">{formatClock(atUs)}</span> : null}
    </button>
  );
});

/** For tests and the controller: the run's virtual time now. */
export function currentTimeUs(): number {
  return liveStore.getState().snapshot?.timeUs ?? 0;
}
