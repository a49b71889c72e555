// The live dock's tab bodies: event log, cache grids, explain, training, exercise and verify.
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { documentStore, useDoc } from '../store/document';
import { liveStore, trainingShown, useLive } from './store';
import { cacheCells, explainPair, filterEvents, formatClock, isPatentStep, pairBadge, slotLocations } from './model';
import type { EventFilter, SlotCell } from './model';
import { startTrainingWrite, stopTraining, trainingBack, trainingNext, verify } from './controller';
import type { StepEvent } from '../../app/engine/api';

// ------------------------------------------------------------------ event log

const FILTERS: { id: EventFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'steps', label: 'Write flow' },
  { id: 'pairs', label: 'Pairs & journals' },
  { id: 'faults', label: 'Faults' },
  { id: 'host', label: 'Host I/O' },
];

function showEvent(e: StepEvent) {
  liveStore.getState().setHighlight({ ids: [e.elementId, ...(e.relatedIds ?? [])], text: e.text, step: e.step, source: 'event' });
  if (documentStore.getState().doc.pairs.some((p) => p.id === e.elementId)) liveStore.getState().selectPair(e.elementId);
  documentStore.getState().focusOn(e.elementId);
}

export const EventLog = memo(function EventLog() {
  const events = useLive((s) => s.events);
  const highlighted = useLive((s) => s.highlight);
  const [filter, setFilter] = useState<EventFilter>('all');
  const [search, setSearch] = useState('');
  const matching = useMemo(() => filterEvents(events, filter, search), [events, filter, search]);
  // The newest first, and only the last few hundred rendered: the log keeps thousands.
  const rows = useMemo(() => matching.slice(-300).reverse(), [matching]);
  const filtered = filter !== 'all' || search.trim() !== '';
  return (
    <div className="live-events">
      <div className="live-row">
        <div className="live-seg" role="radiogroup" aria-label="Event filter">
          {FILTERS.map((f) => (
            <button key={f.id} type="button" role="radio" aria-checked={filter === f.id} className={filter === f.id ? 'is-on' : ''} onClick={() => setFilter(f.id)} data-testid={`event-filter-${f.id}`}>
              {f.label}
            </button>
          ))}
        </div>
        <input className="live-search" type="search" placeholder="Search events (text, step, element)…" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="event-search" />
        {/* The count follows the filter: what matches, out of what the log holds. */}
        <span className="muted" data-testid="event-count" data-matching={matching.length}>
          {filtered ? `${matching.length.toLocaleString('en')} of ${events.length.toLocaleString('en')} events` : `${events.length.toLocaleString('en')} events`}
        </span>
      </div>
      <div className="live-scroll">
        <table className="grid live-event-table">
          <tbody>
            {rows.map((e) => (
              <tr key={e.seq} className={`clickable${highlighted?.ids[0] === e.elementId && highlighted.text === e.text ? ' is-hl' : ''}`} onClick={() => showEvent(e)} data-testid="event-row" title="Highlight on the canvas">
                <td className="mono">{formatClock(e.timeUs)}</td>
                <td>
                  <span className={`step-chip${isPatentStep(e.step) ? ' patent' : ''} step-${e.step}`}>{e.step}</span>
                </td>
                <td className="mono">{e.elementId}</td>
                <td>{e.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!rows.length ? <div className="live-empty">{events.length ? 'No event matches.' : 'No events yet: play the run or single-step a write.'}</div> : null}
      </div>
    </div>
  );
});

// ------------------------------------------------------------------ caches

const SlotGrid = memo(function SlotGrid({ cells, onHover }: { cells: SlotCell[]; onHover: (c: SlotCell | null) => void }) {
  return (
    <div className="live-slots" onMouseLeave={() => onHover(null)}>
      {cells.map((c) => (
        <span
          key={c.key}
          className={`live-slot${c.dirty ? ' dirty' : ' clean'}`}
          style={{ opacity: 1 - c.ageShade * 0.55 }}
          title={`${c.volumeId} track ${c.track} · ${c.dirty ? 'dirty' : 'clean'} · age ${c.ageText}`}
          onMouseEnter={() => onHover(c)}
          data-testid="cache-slot"
        >
          {c.track}
        </span>
      ))}
    </div>
  );
});

export const CachePanel = memo(function CachePanel() {
  const caches = useLive((s) => s.snapshot?.caches);
  const doc = useDoc((s) => s.doc);
  const [hover, setHover] = useState<SlotCell | null>(null);
  const locations = useMemo(() => (hover ? slotLocations(doc, hover) : []), [doc, hover]);
  const onHover = (c: SlotCell | null) => {
    setHover(c);
    if (!c) return liveStore.getState().setHighlight(null);
    const ids = slotLocations(doc, c).map((l) => l.elementId);
    liveStore.getState().setHighlight({ ids, text: `${c.volumeId} track ${c.track}`, step: 'slot', source: 'slot' });
  };
  if (!caches?.length) return <div className="live-empty">No caches in this run.</div>;
  return (
    <div className="live-caches">
      {/* Every cache at once, one card each, side by side; a card scrolls its own slots. */}
      <div className="live-cache-list" data-testid="cache-list">
        {caches.map((c) => (
          <section key={c.id} className="live-cache" data-testid={`cache-grid-${c.id}`} data-cache-id={c.id}>
            <h4 title={`${c.id}: ${c.slotsUsed} of ${c.slotsTotal} slots used, ${c.dirtySlots} dirty (not yet destaged)`}>
              {c.id}{' '}
              <span className="muted">
                {c.slotsUsed}/{c.slotsTotal} · {c.dirtySlots} dirty
              </span>
            </h4>
            {c.destages > 0 ? (
              <p
                className="muted small live-cache-destages"
                data-testid={`cache-destages-${c.id}`}
                title={`Destages: tracks a disk adapter wrote to the volume with a destage of their own. Write hits: writes to a track already waiting for its destage, which went with it (a write-back cache destages a slot's current contents once): ${Math.round((100 * c.writeHits) / (c.writeHits + c.destages))}% of the writes destaged so far.`}
              >
                {c.destages.toLocaleString('en-US')} destages · {c.writeHits.toLocaleString('en-US')} write hits
                {c.destaging ? (
                  <span className="live-destage-dot" data-testid={`cache-destaging-${c.id}`} title="destaging now: a disk adapter is writing dirty tracks">
                    ●
                  </span>
                ) : null}
              </p>
            ) : null}
            {c.slots.length ? <SlotGrid cells={cacheCells(c)} onHover={onHover} /> : <div className="live-empty small">empty</div>}
          </section>
        ))}
      </div>
      <aside className="live-slot-where" data-testid="slot-locations">
        {hover ? (
          <>
            <h4>
              {hover.volumeId} track {hover.track} ({hover.dirty ? 'dirty' : 'clean'}, {hover.ageText})
            </h4>
            <p className="muted">The same bytes, in every element of the stack:</p>
            <ul>
              {locations.map((l) => (
                <li key={`${l.elementId}${l.range}`}>
                  <b>{l.elementId}</b> <span className="muted">{l.kind} in {l.systemId || '—'}</span> · {l.range}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="muted">Hover a slot to see where its data is in every volume of the stack. Dark slots are dirty (not yet destaged); faded slots are older.</p>
        )}
      </aside>
    </div>
  );
});

// ------------------------------------------------------------------ explain

export const ExplainPanel = memo(function ExplainPanel() {
  const pairs = useDoc((s) => s.doc.pairs);
  const selection = useDoc((s) => s.selection);
  const chosen = useLive((s) => s.selectedPairId);
  const status = useLive((s) => s.snapshot?.pairs);
  const events = useLive((s) => s.events);
  // The pair selected on the canvas wins over the one picked here.
  const fromCanvas = selection.find((id) => pairs.some((p) => p.id === id));
  const pairId = fromCanvas ?? chosen ?? pairs[0]?.id ?? null;
  const st = status?.find((p) => p.id === pairId);
  const x = useMemo(() => (st ? explainPair(st, events) : null), [st, events]);
  return (
    <div className="live-explain">
      <div className="live-row">
        <label>
          Pair{' '}
          <select value={pairId ?? ''} onChange={(e) => liveStore.getState().selectPair(e.target.value)} data-testid="explain-pair">
            {pairs.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name || p.id}
              </option>
            ))}
          </select>
        </label>
        {st ? <span className={`live-badge tone-${pairBadge(st).tone}`} title={pairBadge(st).tooltip}><span className="live-badge-state">{st.state}</span></span> : null}
      </div>
      {x && st ? (
        <div className="live-scroll">
          <p className="live-headline" data-testid="explain-headline">{x.headline}</p>
          <ul className="live-details">
            {x.details.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
          <h4>History</h4>
          <ol className="live-history">
            {x.history.map((h, i) => (
              <li key={i}>
                <span className="mono">{h.time}</span> {h.text}
              </li>
            ))}
          </ol>
        </div>
      ) : (
        <div className="live-empty">{pairs.length ? 'Play the run to see the pair states.' : 'This topology has no pairs.'}</div>
      )}
    </div>
  );
});

// ------------------------------------------------------------------ training

/** One shared empty script: a selector must return the same value for the same state. */
const NO_SCRIPT: { title: string; text: string; question?: string }[] = [];

export const TrainingPanel = memo(function TrainingPanel() {
  const training = useLive((s) => s.training);
  const events = useLive((s) => s.events);
  const walk = useMemo(() => trainingShown({ events, training }), [events, training]);
  const script = useDoc((s) => s.doc.scenario?.script ?? NO_SCRIPT);
  const [scriptIndex, setScriptIndex] = useState(0);
  const current = walk.at(-1);
  const list = useRef<HTMLOListElement>(null);
  // Keep the step on screen in view as the walk grows.
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
  }, [walk.length]);
  return (
    <div className="live-training">
      <div className="live-training-walk">
        <div className="live-row">
          {training.active ? (
            <>
              <button type="button" className="live-btn" onClick={() => void trainingBack()} data-testid="training-back" disabled={training.busy || training.trail.length < 2} title="Back to the previous step, exactly as it was (the run returns to that moment)">
                ◂ Back
              </button>
              <button type="button" className="live-btn primary" onClick={() => void trainingNext()} data-testid="training-step" disabled={training.busy}>
                Next step ▸
              </button>
              <button type="button" className="live-btn" onClick={() => void stopTraining()} data-testid="training-stop">
                End training
              </button>
            </>
          ) : (
            <button type="button" className="live-btn primary" onClick={() => void startTrainingWrite()} data-testid="training-start">
              Trace one host write
            </button>
          )}
          <span className="muted">
            {training.active ? `${walk.length} step${walk.length === 1 ? '' : 's'} of this write so far` : 'Pauses the run, stops the workloads, and sends one 4 KiB write you can walk through step by step.'}
          </span>
        </div>
        {current ? (
          <p className="live-headline" data-testid="training-current">
            <span className={`step-chip${isPatentStep(current.step) ? ' patent' : ''}`}>{current.step}</span> {current.text}
          </p>
        ) : null}
        <ol className="live-walk live-scroll" data-testid="training-walk" ref={list}>
          {walk.map((e) => (
            <li key={e.seq} className={e === current ? 'is-current' : ''} data-step={e.step} onClick={() => showEvent(e)}>
              <span className={`step-chip${isPatentStep(e.step) ? ' patent' : ''}`}>{e.step}</span>
              <span className="mono">{e.elementId}</span> {e.text}
            </li>
          ))}
        </ol>
      </div>
      {script.length ? (
        <aside className="live-script" data-testid="scenario-script">
          <h4>
            Script · step {Math.min(scriptIndex + 1, script.length)} of {script.length}
          </h4>
          <p>
            <b>{script[scriptIndex]?.title}</b>
          </p>
          <p>{script[scriptIndex]?.text}</p>
          {script[scriptIndex]?.question ? <p className="live-question">Question: {script[scriptIndex]?.question}</p> : null}
          <div className="live-row">
            <button type="button" className="live-btn" disabled={scriptIndex === 0} onClick={() => setScriptIndex(scriptIndex - 1)}>
              ◂ Back
            </button>
            <button type="button" className="live-btn" disabled={scriptIndex >= script.length - 1} onClick={() => setScriptIndex(scriptIndex + 1)}>
              Next ▸
            </button>
          </div>
        </aside>
      ) : null}
    </div>
  );
});

export { ExercisePanel } from './ExercisePanel';

// ------------------------------------------------------------------ verify

export const VerifyPanel = memo(function VerifyPanel() {
  const v = useLive((s) => s.verification);
  const verifying = useLive((s) => s.verifying);
  return (
    <div className="live-verify live-scroll">
      <div className="live-row">
        <button type="button" className="live-btn primary" onClick={() => void verify()} data-testid="verify-run" disabled={verifying}>
          {verifying ? 'Hashing volumes…' : 'Compare content hashes'}
        </button>
        <span className="muted">sha256 of each pair's primary and secondary volume at a consistent point: host writes held, the run drained, then resumed.</span>
      </div>
      {v && !verifying ? (
        <div className={`live-verdict ${v.allIdentical ? 'ok' : 'bad'}`} data-testid="verify-result">
          <p className="live-headline">{v.summary}</p>
          {v.point ? (
            <p className="muted" data-testid="verify-point">
              {v.point}
            </p>
          ) : null}
          <ul>
            {v.pairs.map((p) => (
              <li key={p.pairId} className={p.identical ? 'ok' : 'bad'}>
                {p.identical ? '✓' : '✗'} <b>{p.pairId}</b>: {p.text}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
});
