// The live dock under the canvas: run controls, virtual clock and timeline on its header, the live tabs below; a collapsible panel of the window, and floating controls in presentation mode.
import { memo, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Panel, useParentGroup, usePanelRef } from 'react-resizable-panels';
import './live.css';
import { documentStore, useDoc } from '../store/document';
import type { Topology } from '../../app/model/schema';
import { api } from '../services';
import { liveStore, SPEEDS, useLive } from './store';
import type { LiveTab, SpeedChoice } from './store';
import { connectLive, documentEdited, documentReplaced, modelKey, pause, play, reset, restartWithChanges, seek, setSpeed, setWorkloads, startTrainingWrite, trainingNext, verify } from './controller';
import { formatClock, liveCableEdits, modelChanges } from './model';
import { Charts } from './Charts';
import { CachePanel, EventLog, ExercisePanel, ExplainPanel, TrainingPanel, VerifyPanel } from './panels';
import { RecordButton, ScenarioMarkers, timelineScaleUs } from './ScenarioBar';
import { showProblems } from '../ui/problems';
import { formatPath } from '../../app/model/problem';

/** Why the run does not start: the document has errors. Names the first and opens Problems with one click. */
const Refusal = memo(function Refusal() {
  const refusal = useLive((s) => s.refusal);
  if (!refusal) return null;
  const first = refusal.errors[0];
  return (
    <div className="live-refusal" role="alert" data-testid="run-refusal">
      <span className="live-refusal-text">
        Not running: {refusal.message}.{first ? <> First: {first.message}{first.elementId ? ` (${first.elementId}, ${formatPath(first.path)})` : ''}.</> : null}
      </span>
      <button type="button" className="live-btn" onClick={() => showProblems(first?.elementId)} data-testid="run-refusal-problems">
        Show in Problems
      </button>
    </div>
  );
});
import { setPresenting, useLayout } from '../ui/layout';

const TABS: { id: LiveTab; label: string }[] = [
  { id: 'events', label: 'Events' },
  { id: 'charts', label: 'Charts' },
  { id: 'caches', label: 'Caches' },
  { id: 'explain', label: 'Explain' },
  { id: 'training', label: 'Training' },
  { id: 'exercise', label: 'Exercise' },
  { id: 'verify', label: 'Verify' },
];

function speedLabel(s: SpeedChoice): string {
  return s === 'max' ? 'max' : `${s}×`;
}

/** "14×" or "2.5×". */
function formatSpeed(x: number): string {
  return `${x >= 10 ? Math.round(x).toLocaleString('en') : x.toFixed(1)}×`;
}

/** The speed the engine reaches, beside the one chosen: a chosen 1000× on a busy run may reach far less. */
const AchievedSpeed = memo(function AchievedSpeed() {
  const achieved = useLive((s) => s.achievedSpeed);
  const speed = useLive((s) => s.speed);
  const running = useLive((s) => s.snapshot?.running ?? false);
  if (!running || achieved === null) return null;
  const wanted = speed === 'max' ? Infinity : speed;
  const short = achieved < wanted * 0.8;
  return (
    <span
      className={`live-achieved${short ? ' is-short' : ''}`}
      data-testid="speed-achieved"
      data-achieved={achieved.toFixed(2)}
      title={`The engine simulates ${formatSpeed(achieved)} virtual time per wall-clock second now. ${speed === 'max' ? '"max" runs as fast as this machine can.' : `The chosen ${speed}× is a ceiling:`} a busy run or a slow machine reaches less.`}
    >
      {short ? `reaching ${formatSpeed(achieved)}` : `at ${formatSpeed(achieved)}`}
    </span>
  );
});

const keys = new WeakMap<Topology, string>();
function cachedModelKey(t: Topology): string {
  let k = keys.get(t);
  if (k === undefined) keys.set(t, (k = modelKey(t)));
  return k;
}

/** The document changed in a way the running engine cannot take: the run shows the old model until restarted. */
const OutOfDate = memo(function OutOfDate() {
  const loadedKey = useLive((s) => s.loadedKey);
  const loadedDoc = useLive((s) => s.loadedDoc);
  const started = useLive((s) => !!s.snapshot && (s.snapshot.timeUs > 0 || s.snapshot.running));
  const doc = useDoc((s) => s.doc);
  if (!loadedKey || !loadedDoc || !started || cachedModelKey(doc) === loadedKey) return null;
  // Edits the engine takes live are on their way to it.
  if (liveCableEdits(loadedDoc, doc)) return null;
  return (
    <div className="live-outdated" role="status" data-testid="run-outdated">
      <span className="live-refusal-text">The run is out of date: it still runs the model as it was when it started; changed since: {modelChanges(loadedDoc, doc)}.</span>
      <button type="button" className="live-btn primary" onClick={() => void restartWithChanges()} data-testid="run-restart">
        ↺ Restart with the changes
      </button>
    </div>
  );
});

const RunControls = memo(function RunControls() {
  const running = useLive((s) => s.snapshot?.running ?? false);
  const status = useLive((s) => s.status);
  const speed = useLive((s) => s.speed);
  const seed = useLive((s) => s.seed);
  const training = useLive((s) => s.training.active);
  const writing = useLive((s) => s.workloadsEnabled);
  const verifying = useLive((s) => s.verifying);
  const [seedText, setSeedText] = useState(String(seed));
  useEffect(() => setSeedText(String(seed)), [seed]);
  return (
    <div className="live-controls" data-testid="run-controls">
      {running ? (
        <button type="button" className="live-btn icon" onClick={() => void pause()} title="Pause" data-testid="run-pause">
          ❚❚
        </button>
      ) : (
        <button type="button" className="live-btn icon primary" onClick={() => void play()} title="Play" data-testid="run-play" disabled={status === 'loading'}>
          ▶
        </button>
      )}
      <button type="button" className="live-btn icon" onClick={() => void (training ? trainingNext() : startTrainingWrite())} title={training ? 'Single step' : 'Single step: trace one host write'} data-testid="run-step">
        ▸|
      </button>
      <div className="live-seg" role="radiogroup" aria-label="Speed">
        {SPEEDS.map((s) => (
          <button key={s} type="button" role="radio" aria-checked={speed === s} className={speed === s ? 'is-on' : ''} onClick={() => void setSpeed(s)} data-testid={`speed-${s}`}>
            {speedLabel(s)}
          </button>
        ))}
      </div>
      <AchievedSpeed />
      <label className="live-seed" title="Seed of the engine's random source: the same seed replays the same run">
        seed
        <input value={seedText} onChange={(e) => setSeedText(e.target.value.replace(/\D/g, ''))} inputMode="numeric" data-testid="run-seed" />
      </label>
      <button type="button" className="live-btn" onClick={() => void reset(Number(seedText) || 0)} title="Reload the topology and restart the run at 00:00.000 with this seed" data-testid="run-reset">
        ↺ Reset
      </button>
      <button type="button" className={`live-btn${writing ? '' : ' is-off'}`} onClick={() => void setWorkloads(!writing)} title={writing ? 'Stop the hosts writing: the pairs drain and settle' : 'Let the hosts write again'} data-testid="run-workloads" aria-pressed={writing}>
        {writing ? 'Hosts writing' : 'Hosts stopped'}
      </button>
      <button type="button" className="live-btn" onClick={() => void verify()} title="Compare content hashes of every pair's volumes" data-testid="run-verify" disabled={verifying}>
        {verifying ? 'Verifying…' : '✓ Verify'}
      </button>
      <RecordButton />
    </div>
  );
});

const Clock = memo(function Clock() {
  const timeUs = useLive((s) => s.snapshot?.timeUs ?? 0);
  const status = useLive((s) => s.status);
  return (
    <span className={`live-clock status-${status}`} data-testid="virtual-clock" title="Virtual time of the run (mm:ss.mmm)">
      {formatClock(timeUs)}
    </span>
  );
});

/** Scrub through the run: the engine restores the nearest checkpoint and replays to the chosen time. */
const Timeline = memo(function Timeline() {
  const timeUs = useLive((s) => s.snapshot?.timeUs ?? 0);
  const reachedUs = useLive((s) => s.maxTimeUs);
  // The scenario's later steps widen the timeline so their markers show (seeking forward to them runs the engine there).
  const maxUs = useDoc((s) => timelineScaleUs(reachedUs, s.doc));
  const [drag, setDrag] = useState<number | null>(null);
  const rewind = useLive((s) => s.snapshot?.rewind);
  const value = drag ?? timeUs / 1000;
  const scaleUs = Math.max(1000, Math.ceil(maxUs / 1000) * 1000);
  // How far back a jump is instant: from the earliest checkpoint on, each jump restores the nearest one and replays the rest.
  const rewindText = rewind?.checkpointsUs.length
    ? ` · instant jumps back to ${formatClock(rewind.earliestUs)} and later (${rewind.checkpointsUs.length} checkpoint${rewind.checkpointsUs.length === 1 ? '' : 's'})`
    : '';
  const stoppedText = rewind?.stopped ? ` · checkpoints stopped (${rewind.stopped}): jumps further back replay from the last one` : '';
  return (
    <div className="live-timeline-wrap">
    <ScenarioMarkers scaleUs={scaleUs} />
    {rewind?.checkpointsUs.length ? (
      <div className="live-checkpoint-marks" aria-hidden="true" data-testid="rewind-marks" data-earliest-us={rewind.earliestUs}>
        {rewind.checkpointsUs.map((t) => (
          <span key={t} className="live-checkpoint-mark" style={{ left: `${Math.min(100, (t / scaleUs) * 100)}%` }} title={`checkpoint at ${formatClock(t)}`} />
        ))}
      </div>
    ) : null}
    <input
      className="live-timeline"
      type="range"
      min={0}
      max={Math.max(1, Math.ceil(maxUs / 1000))}
      step={1}
      value={value}
      disabled={maxUs <= 0}
      onChange={(e) => setDrag(Number(e.target.value))}
      onPointerUp={() => {
        if (drag !== null) void seek(drag).finally(() => setDrag(null));
      }}
      onKeyUp={() => {
        if (drag !== null) void seek(drag).finally(() => setDrag(null));
      }}
      title={drag !== null ? `seek to ${formatClock(drag * 1000)}` : `Drag to go back (or forward) in the run${rewindText}${stoppedText}`}
      aria-label="Timeline"
      data-testid="timeline"
    />
    </div>
  );
});

const TabBody = memo(function TabBody({ tab }: { tab: LiveTab }) {
  switch (tab) {
    case 'events':
      return <EventLog />;
    case 'charts':
      return <Charts />;
    case 'caches':
      return <CachePanel />;
    case 'explain':
      return <ExplainPanel />;
    case 'training':
      return <TrainingPanel />;
    case 'exercise':
      return <ExercisePanel />;
    case 'verify':
      return <VerifyPanel />;
  }
});

/** The dock's height when folded: its header and tab row. */
export const DOCK_FOLDED_PX = 78;

/**
 * The window panel that holds the dock: folded to its header and tabs or open, by its toggle, its tabs or a drag of the
 * splitter above it; the live store's dockOpen and the panel's size follow each other.
 */
export function LiveDockPanel({ children }: { children: ReactNode }) {
  const open = useLive((s) => s.dockOpen);
  const panel = usePanelRef();
  const syncing = useRef(false);
  const group = useParentGroup();
  /** The dock's share of the column when last open, to open it again at that size. */
  const openShare = useRef<number | null>(null);
  useEffect(() => {
    // A frame later, so the group has its size. Folding or opening moves the room to or from the canvas above (the panel's
    // own collapse() would give it to the panel below).
    const frame = requestAnimationFrame(() => {
      const p = panel.current;
      const height = group ? document.getElementById(group.id)?.clientHeight ?? 0 : 0;
      if (!p || !group || height <= 0) return;
      const layout = group.getLayout();
      const dock = layout['panel-dock'] ?? 0;
      const canvas = layout['panel-canvas'] ?? 0;
      const folded = (DOCK_FOLDED_PX / height) * 100;
      syncing.current = true;
      try {
        if (!open && !p.isCollapsed()) {
          openShare.current = dock;
          group.setLayout({ ...layout, 'panel-dock': folded, 'panel-canvas': canvas + dock - folded });
        } else if (open && p.isCollapsed()) {
          const want = Math.min(openShare.current ?? 25, canvas + dock - 15);
          group.setLayout({ ...layout, 'panel-dock': want, 'panel-canvas': canvas + dock - want });
        }
      } finally {
        syncing.current = false;
      }
    });
    return () => cancelAnimationFrame(frame);
  }, [open, panel, group]);
  return (
    <Panel
      id="panel-dock"
      panelRef={panel}
      className="panel-dock"
      defaultSize="25%"
      minSize={170}
      collapsible
      collapsedSize={DOCK_FOLDED_PX}
      onResize={(size) => {
        if (syncing.current) return;
        const folded = size.inPixels <= DOCK_FOLDED_PX + 1;
        if (folded === liveStore.getState().dockOpen) liveStore.getState().setDockOpen(!folded);
      }}
    >
      {children}
    </Panel>
  );
}

/** In presentation mode: the run controls, clock and timeline float over the bottom of the canvas, with the way out. */
export const PresentationControls = memo(function PresentationControls() {
  return (
    <div className="presentation-controls" data-testid="presentation-controls">
      <RunControls />
      <Clock />
      <Timeline />
      <button type="button" className="live-btn" onClick={() => setPresenting(false)} title="Leave presentation mode (Esc)" data-testid="presentation-exit">
        ✕ Exit
      </button>
    </div>
  );
});

/** Mounted once in the dock panel: connects the live store to the engine and draws the dock. */
export const LiveDock = memo(function LiveDock() {
  const open = useLive((s) => s.dockOpen);
  const tab = useLive((s) => s.tab);
  const status = useLive((s) => s.status);
  const error = useLive((s) => s.error);
  const presenting = useLayout((s) => s.presenting);

  useEffect(() => {
    let disconnect: (() => void) | undefined;
    void connectLive({
      api,
      doc: () => documentStore.getState().doc,
      notify: (text, tone) => documentStore.getState().notify(text, tone),
    }).then((d) => (disconnect = d));
    // Edits reach the running engine when it can take them; a newly opened document drops the old run.
    const unwatch = documentStore.subscribe((now, before) => {
      if (now.loads !== before.loads) void documentReplaced();
      else if (now.doc !== before.doc) void documentEdited();
    });
    return () => {
      disconnect?.();
      unwatch();
    };
  }, []);

  return (
    <section className={`live-dock${open ? ' is-open' : ''}`} data-testid="live-dock" aria-label="Live run">
      <header className="live-dock-head">
        {/* In presentation mode the controls float over the canvas instead (one set in the page, for the tests' sake too). */}
        {presenting ? null : (
          <>
            <RunControls />
            <Clock />
            <Timeline />
          </>
        )}
        <button type="button" className="live-btn icon" onClick={() => liveStore.getState().setDockOpen(!open)} title={open ? 'Collapse' : 'Expand'} data-testid="live-dock-toggle">
          {open ? '▾' : '▴'}
        </button>
      </header>
      <nav className="live-tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={open && tab === t.id} className={open && tab === t.id ? 'is-on' : ''} onClick={() => (open && tab === t.id ? liveStore.getState().setDockOpen(false) : liveStore.getState().setTab(t.id))} data-testid={`live-tab-${t.id}`}>
            {t.label}
          </button>
        ))}
      </nav>
      {status === 'error' && error ? <div className="live-error">{error}</div> : null}
      <Refusal />
      <OutOfDate />
      {open ? (
        <div className="live-dock-body" data-testid={`live-body-${tab}`}>
          <TabBody tab={tab} />
        </div>
      ) : null}
    </section>
  );
});
