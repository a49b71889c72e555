// The live dock's Exercise tab: the student's view (task, hints on request, check with points) and the instructor's editor.
import { memo, useEffect, useRef, useState, type ReactNode } from 'react';
import { checkLine, describeEnd, describeEvent, type ExerciseGrade } from '../../app/exercise/grade';
import { ExercisePairState, type Exercise, type ExerciseEnd, type ExerciseEvent, type Topology } from '../../app/model/schema';
import { documentStore, useDoc } from '../store/document';
import { reportExercise } from '../class/student';
import { gradeRun } from './controller';
import { useLive } from './store';
import { addExercise, END_KINDS, EVENT_KINDS, faultTargets, newEnd, newEvent, removeAt, replaceAt, withExercise, type EndKind, type EventKind } from './exercise-edit';

const NONE: Exercise[] = [];

export const ExercisePanel = memo(function ExercisePanel() {
  const exercises = useDoc((s) => s.doc.scenario?.exercises ?? NONE);
  const [index, setIndex] = useState(0);
  const [editing, setEditing] = useState(false);
  // Another document opened: the student's view of its first exercise.
  const loads = useDoc((s) => s.loads);
  useEffect(() => {
    setEditing(false);
    setIndex(0);
  }, [loads]);
  const at = Math.min(index, Math.max(0, exercises.length - 1));
  const exercise = exercises[at];
  const bar = (
    <div className="live-exercise-bar">
      {exercises.length > 1 ? (
        <select value={at} onChange={(e) => setIndex(Number(e.target.value))} aria-label="Exercise" data-testid="exercise-select">
          {exercises.map((ex, i) => (
            <option key={i} value={i}>
              {i + 1}. {ex.title || ex.task.slice(0, 40)}
            </option>
          ))}
        </select>
      ) : null}
      {exercise ? (
        <button type="button" className={`live-btn${editing ? ' active' : ''}`} onClick={() => setEditing(!editing)} data-testid="exercise-edit" aria-pressed={editing}>
          {editing ? 'Done editing' : '✎ Edit'}
        </button>
      ) : null}
      <button
        type="button"
        className="live-btn"
        onClick={() => {
          if (documentStore.getState().edit('Add exercise', addExercise)) {
            setIndex(exercises.length);
            setEditing(true);
          }
        }}
        data-testid="exercise-add"
      >
        + New exercise
      </button>
    </div>
  );
  if (!exercise)
    return (
      <div className="live-exercise live-scroll">
        {bar}
        <div className="live-empty">This topology carries no exercise. An instructor adds one here: a task, what must happen, what must hold at the end, hints and points, saved in the file.</div>
      </div>
    );
  return (
    <div className="live-exercise live-scroll">
      {bar}
      {editing ? <ExerciseEditor index={at} exercise={exercise} /> : <StudentView key={at} exercise={exercise} />}
    </div>
  );
});

// ------------------------------------------------------------------ student

const StudentView = memo(function StudentView({ exercise }: { exercise: Exercise }) {
  const doc = useDoc((s) => s.doc);
  const running = useLive((s) => s.snapshot !== null);
  const [checked, setChecked] = useState<ExerciseGrade | null>(null);
  const [hintsShown, setHintsShown] = useState(0);
  const [busy, setBusy] = useState(false);
  // The verdict comes into view when it arrives (the dock is often shorter than the rules and hints).
  const verdictRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Only the tab's own scroll box moves (scrollIntoView would scroll the whole app out of the window).
    const box = verdictRef.current?.closest('.live-scroll');
    if (box) box.scrollTop = box.scrollHeight;
  }, [checked]);
  const total = exercise.mustHappen.reduce((n, e) => n + e.points, 0) + exercise.atEnd.reduce((n, c) => n + c.points, 0);
  return (
    <>
      {exercise.title ? <h3 className="live-exercise-title">{exercise.title}</h3> : null}
      <p className="live-headline" data-testid="exercise-task">
        Task: {exercise.task}
      </p>
      <div className="live-exercise-rules" data-testid="exercise-rules">
        {exercise.mustHappen.length ? (
          <div>
            <b>Must happen{exercise.inOrder ? ', in this order' : ''}:</b>
            <ol>
              {exercise.mustHappen.map((ev, i) => (
                <li key={i}>
                  {describeEvent(ev, doc)} <span className="muted">({points(ev.points)})</span>
                </li>
              ))}
            </ol>
          </div>
        ) : null}
        {exercise.atEnd.length ? (
          <div>
            <b>At the end:</b>
            <ul>
              {exercise.atEnd.map((c, i) => (
                <li key={i}>
                  {describeEnd(c, doc)} <span className="muted">({points(c.points)})</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      {exercise.hints.length ? (
        <div className="live-exercise-hints">
          {exercise.hints.slice(0, hintsShown).map((h, i) => (
            <p key={i} className="live-hint" data-testid="exercise-hint">
              Hint {i + 1}: {h}
            </p>
          ))}
          {hintsShown < exercise.hints.length ? (
            <button type="button" className="live-btn" onClick={() => setHintsShown(hintsShown + 1)} data-testid="exercise-show-hint">
              {hintsShown ? 'Another hint' : 'Show a hint'} ({exercise.hints.length - hintsShown} left)
            </button>
          ) : null}
        </div>
      ) : null}
      <button
        type="button"
        className="live-btn primary"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void gradeRun(exercise)
            .then((grade) => {
              setChecked(grade);
              // Class mode: the instructor sees the same verdict (a no-op outside a class).
              if (grade)
                reportExercise({ passed: grade.passed, message: grade.message, score: grade.score, total: grade.total, checks: grade.checks.map((c) => ({ ok: c.ok, text: checkLine(c), points: c.points })) });
            })
            .finally(() => setBusy(false));
        }}
        data-testid="exercise-check"
      >
        {busy ? 'Checking…' : `Check my result (${total} point${total === 1 ? '' : 's'})`}
      </button>
      {!running && !checked ? <p className="muted">Run the topology first: the exercise is checked against the running engine.</p> : null}
      {checked ? (
        <div ref={verdictRef} className={`live-verdict ${checked.passed ? 'ok' : 'bad'}`} data-testid="exercise-verdict">
          <p>
            <b data-testid="exercise-score">
              {checked.score} / {checked.total} points
            </b>{' '}
            {checked.message}
          </p>
          <ul>
            {checked.checks.map((c, i) => (
              <li key={i} className={c.ok ? 'ok' : 'bad'} data-testid="exercise-check-line" data-ok={c.ok}>
                {c.ok ? '✓' : '✗'} {checkLine(c)} <span className="muted">{c.ok ? `+${c.points}` : `0/${c.points}`}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
});

const points = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

// ------------------------------------------------------------------ editor

/** One undoable document edit of exercise `index`. */
function editExercise(index: number, label: string, change: (ex: Exercise) => Exercise | null): void {
  documentStore.getState().edit(label, (t) => withExercise(t, index, change));
}

/** A text field that commits on blur or Enter (one undo step per change, not per keystroke). */
function CommitText(props: { value: string; onCommit: (v: string) => void; multiline?: boolean; testId: string; label: string }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  const commit = () => {
    if (text !== props.value) props.onCommit(text);
  };
  const common = { value: text, 'aria-label': props.label, 'data-testid': props.testId, onBlur: commit };
  return props.multiline ? (
    <textarea {...common} rows={3} onChange={(e) => setText(e.target.value)} />
  ) : (
    <input {...common} type="text" onChange={(e) => setText(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && commit()} />
  );
}

function Pick(props: { value: string; options: readonly string[]; onChange: (v: string) => void; testId: string; label: string }) {
  const options = props.options.includes(props.value) ? props.options : [props.value, ...props.options];
  return (
    <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId} aria-label={props.label}>
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

function PointsInput(props: { value: number; onChange: (n: number) => void; testId: string }) {
  return (
    <label className="live-exercise-points">
      <input type="number" min={0} max={1000} step={1} value={props.value} onChange={(e) => props.onChange(Math.max(0, Math.min(1000, Math.round(Number(e.target.value) || 0))))} data-testid={props.testId} aria-label="Points" />
      pt
    </label>
  );
}

function Row(props: { children: ReactNode; onRemove: () => void; testId: string }) {
  return (
    <li className="live-exercise-row" data-testid={props.testId}>
      {props.children}
      <button type="button" className="live-btn" onClick={props.onRemove} title="Remove" aria-label="Remove">
        ✕
      </button>
    </li>
  );
}

function EventFields({ ev, doc, set }: { ev: ExerciseEvent; doc: Topology; set: (ev: ExerciseEvent) => void }) {
  const pairs = doc.pairs.map((p) => p.id);
  switch (ev.event) {
    case 'fault':
    case 'repair':
      return <Pick value={ev.elementId} options={faultTargets(doc)} onChange={(elementId) => set({ ...ev, elementId })} testId="exercise-event-target" label="Element" />;
    case 'writeRefused':
      return <Pick value={ev.hostId ?? '(any host)'} options={['(any host)', ...doc.hosts.map((h) => h.id)]} onChange={(v) => set(v === '(any host)' ? { event: 'writeRefused', points: ev.points } : { ...ev, hostId: v })} testId="exercise-event-target" label="Host" />;
    case 'pairState':
      return (
        <>
          <Pick value={ev.pairId} options={pairs} onChange={(pairId) => set({ ...ev, pairId })} testId="exercise-event-target" label="Pair" />
          <Pick value={ev.state} options={ExercisePairState.options} onChange={(state) => set({ ...ev, state: state as ExercisePairState })} testId="exercise-event-state" label="State" />
        </>
      );
    default:
      return <Pick value={ev.pairId} options={pairs} onChange={(pairId) => set({ ...ev, pairId })} testId="exercise-event-target" label="Pair" />;
  }
}


function EndFields({ c, doc, set }: { c: ExerciseEnd; doc: Topology; set: (c: ExerciseEnd) => void }) {
  const pairs = doc.pairs.map((p) => p.id);
  const volumes = doc.volumes.map((v) => v.id);
  switch (c.check) {
    case 'pairState':
      return (
        <>
          <Pick value={c.pairId} options={pairs} onChange={(pairId) => set({ ...c, pairId })} testId="exercise-end-target" label="Pair" />
          <Pick value={c.side} options={['pair', 'primary', 'secondary']} onChange={(side) => set({ ...c, side: side as typeof c.side })} testId="exercise-end-side" label="Side" />
          <Pick value={c.state} options={ExercisePairState.options} onChange={(state) => set({ ...c, state: state as ExercisePairState })} testId="exercise-end-state" label="State" />
        </>
      );
    case 'rpoBound':
      return (
        <>
          <Pick value={c.pairId} options={doc.pairs.filter((p) => p.mode === 'async').map((p) => p.id)} onChange={(pairId) => set({ ...c, pairId })} testId="exercise-end-target" label="Pair" />
          <label>
            ≤ <input type="number" min={1} step={1000} value={c.maxMs} onChange={(e) => Number(e.target.value) > 0 && set({ ...c, maxMs: Number(e.target.value) })} data-testid="exercise-end-maxms" aria-label="Largest RPO (ms)" /> ms
          </label>
        </>
      );
    case 'neverState':
      return (
        <>
          <Pick value={c.pairId} options={pairs} onChange={(pairId) => set({ ...c, pairId })} testId="exercise-end-target" label="Pair" />
          <CommitText value={c.states.join(' ')} onCommit={(v) => {
              const states = v.split(/[\s,]+/).filter((s): s is ExercisePairState => (ExercisePairState.options as readonly string[]).includes(s));
              if (states.length) set({ ...c, states });
            }} testId="exercise-end-states" label="States (space-separated)" />
        </>
      );
    case 'identical':
      return (
        <>
          <Pick value={c.volumeA} options={volumes} onChange={(volumeA) => set({ ...c, volumeA })} testId="exercise-end-target" label="Volume" />
          =
          <Pick value={c.volumeB} options={volumes} onChange={(volumeB) => set({ ...c, volumeB })} testId="exercise-end-target-b" label="Other volume" />
        </>
      );
    case 'noAckedWriteLost':
      return <Pick value={c.pairId} options={pairs} onChange={(pairId) => set({ ...c, pairId })} testId="exercise-end-target" label="Pair" />;
    case 'noFullCopy':
      return <Pick value={c.pairId ?? '(any pair)'} options={['(any pair)', ...pairs]} onChange={(v) => set(v === '(any pair)' ? { check: 'noFullCopy', points: c.points } : { ...c, pairId: v })} testId="exercise-end-target" label="Pair" />;
    case 'noWriteRefused':
      return <Pick value={c.hostId ?? '(any host)'} options={['(any host)', ...doc.hosts.map((h) => h.id)]} onChange={(v) => set(v === '(any host)' ? { check: 'noWriteRefused', points: c.points } : { ...c, hostId: v })} testId="exercise-end-target" label="Host" />;
  }
}

const ExerciseEditor = memo(function ExerciseEditor({ index, exercise }: { index: number; exercise: Exercise }) {
  const doc = useDoc((s) => s.doc);
  const edit = (label: string, change: (ex: Exercise) => Exercise | null) => editExercise(index, label, change);
  const [newEventKind, setNewEventKind] = useState<EventKind>('fault');
  const [newEndKind, setNewEndKind] = useState<EndKind>('pairState');
  return (
    <div className="live-exercise-editor" data-testid="exercise-editor">
      <label>
        Title
        <CommitText value={exercise.title} onCommit={(title) => edit('Edit exercise title', (ex) => ({ ...ex, title }))} testId="exercise-edit-title" label="Title" />
      </label>
      <label>
        Task
        <CommitText multiline value={exercise.task} onCommit={(task) => edit('Edit exercise task', (ex) => ({ ...ex, task }))} testId="exercise-edit-task" label="Task" />
      </label>
      <p className="muted">The starting scenario is the file's timeline (Scenario bar): its faults fire by themselves; the student's commands come on top.</p>

      <div className="live-exercise-section">
        <b>Must happen</b>{' '}
        <label>
          <input type="checkbox" checked={exercise.inOrder} onChange={(e) => edit('Exercise order', (ex) => ({ ...ex, inOrder: e.target.checked }))} data-testid="exercise-edit-inorder" /> in this order
        </label>
        <ol>
          {exercise.mustHappen.map((ev, i) => (
            <Row key={i} testId="exercise-edit-event" onRemove={() => edit('Remove exercise event', (ex) => ({ ...ex, mustHappen: removeAt(ex.mustHappen, i) }))}>
              <Pick value={ev.event} options={EVENT_KINDS.map((k) => k.kind)} onChange={(k) => edit('Edit exercise event', (ex) => ({ ...ex, mustHappen: replaceAt(ex.mustHappen, i, newEvent(k as EventKind, doc, ev.points)) }))} testId="exercise-event-kind" label="Event" />
              <EventFields ev={ev} doc={doc} set={(next) => edit('Edit exercise event', (ex) => ({ ...ex, mustHappen: replaceAt(ex.mustHappen, i, next) }))} />
              <PointsInput value={ev.points} onChange={(p) => edit('Exercise points', (ex) => ({ ...ex, mustHappen: replaceAt(ex.mustHappen, i, { ...ev, points: p }) }))} testId="exercise-event-points" />
            </Row>
          ))}
        </ol>
        <select value={newEventKind} onChange={(e) => setNewEventKind(e.target.value as EventKind)} aria-label="New event kind" data-testid="exercise-new-event-kind">
          {EVENT_KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        <button type="button" className="live-btn" onClick={() => edit('Add exercise event', (ex) => ({ ...ex, mustHappen: [...ex.mustHappen, newEvent(newEventKind, doc)] }))} data-testid="exercise-add-event">
          + Event
        </button>
      </div>

      <div className="live-exercise-section">
        <b>At the end</b>
        <ul>
          {exercise.atEnd.map((c, i) => (
            <Row key={i} testId="exercise-edit-end" onRemove={() => edit('Remove exercise condition', (ex) => ({ ...ex, atEnd: removeAt(ex.atEnd, i) }))}>
              <Pick value={c.check} options={END_KINDS.map((k) => k.kind)} onChange={(k) => edit('Edit exercise condition', (ex) => ({ ...ex, atEnd: replaceAt(ex.atEnd, i, newEnd(k as EndKind, doc, c.points)) }))} testId="exercise-end-kind" label="Condition" />
              <EndFields c={c} doc={doc} set={(next) => edit('Edit exercise condition', (ex) => ({ ...ex, atEnd: replaceAt(ex.atEnd, i, next) }))} />
              <PointsInput value={c.points} onChange={(p) => edit('Exercise points', (ex) => ({ ...ex, atEnd: replaceAt(ex.atEnd, i, { ...c, points: p }) }))} testId="exercise-end-points" />
            </Row>
          ))}
        </ul>
        <select value={newEndKind} onChange={(e) => setNewEndKind(e.target.value as EndKind)} aria-label="New condition kind" data-testid="exercise-new-end-kind">
          {END_KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
        <button type="button" className="live-btn" onClick={() => edit('Add exercise condition', (ex) => ({ ...ex, atEnd: [...ex.atEnd, newEnd(newEndKind, doc)] }))} data-testid="exercise-add-end">
          + Condition
        </button>
      </div>

      <div className="live-exercise-section">
        <b>Hints</b> <span className="muted">(one per line, shown one at a time on request)</span>
        <CommitText multiline value={exercise.hints.join('\n')} onCommit={(v) => edit('Edit exercise hints', (ex) => ({ ...ex, hints: v.split('\n').map((h) => h.trim()).filter(Boolean).slice(0, 20) }))} testId="exercise-edit-hints" label="Hints" />
      </div>
      <button type="button" className="live-btn" onClick={() => edit('Delete exercise', () => null)} data-testid="exercise-delete">
        Delete this exercise
      </button>
    </div>
  );
});
