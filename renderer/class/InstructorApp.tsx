// The instructor's page of a class (/instructor): every student's progress and per-check results, push a topology with its scenario, fire a fault for everyone.
import { memo, useEffect, useMemo, useState } from 'react';
import { CLASS_FAULTS, describeClassFault } from '../../app/ipc/contract';
import type { ClassFault, ClassFaultOutcome, ClassRoster, ClassStudent, RelayLabApi } from '../../app/ipc/contract';
import { migrateScenario1, parseTopologyText } from '../../app/model/file';
import { Scenario } from '../../app/model/schema';
import type { Topology } from '../../app/model/schema';
import { onConnectionChange } from '../api/index';
import { api } from '../services';
import { loadTemplate, templates } from '../lib/templates';
import { formatClock } from '../live/model';

/** A run's virtual time: mm:ss.mmm as on the student's clock, hours spelled out once a run at full speed passes one. */
export function formatRunTime(timeUs: number): string {
  const hours = Math.floor(timeUs / 3.6e9);
  if (hours < 1) return formatClock(timeUs);
  const minutes = Math.floor((timeUs % 3.6e9) / 6e7);
  return `${hours} h ${String(minutes).padStart(2, '0')} min`;
}
import './class.css';

type Status = 'connecting' | 'ready' | 'not-instructor' | 'offline';

const FROM_FILE = '__file__';

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A scenario file is either a bare scenario ({ timeline, script, exercises }; formatVersion 1's { script, exercise } is migrated) or a topology file whose scenario is taken. */
export function parseScenarioText(text: string): { ok: true; scenario: Scenario } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const candidate = typeof raw === 'object' && raw !== null && 'scenario' in raw ? (raw as { scenario: unknown }).scenario : raw;
  const parsed = Scenario.safeParse(typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate) ? migrateScenario1(candidate as Record<string, unknown>) : candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `not a scenario: ${issue ? `${issue.path.join('.') || 'scenario'}: ${issue.message}` : 'invalid'}` };
  }
  return { ok: true, scenario: parsed.data };
}

function useInstructor() {
  const [client, setClient] = useState<RelayLabApi | null>(null);
  const [status, setStatus] = useState<Status>('connecting');
  const [roster, setRoster] = useState<ClassRoster>({ students: [], pushed: null });
  useEffect(() => {
    let off: (() => void) | undefined;
    const offConnection = onConnectionChange((connected) => setStatus((s) => (s === 'not-instructor' ? s : connected ? 'ready' : 'offline')));
    void api().then(async (a) => {
      if (!a) return setStatus('not-instructor');
      const info = await a.call('app.info', {}).catch(() => null);
      if (info?.classRole !== 'instructor') return setStatus('not-instructor');
      off = a.on('class.roster', setRoster);
      setRoster(await a.call('class.roster', {}));
      setClient(a);
      setStatus('ready');
    });
    return () => {
      off?.();
      offConnection();
    };
  }, []);
  return { client, status, roster };
}

export function InstructorApp() {
  const { client, status, roster } = useInstructor();
  const [pushedTopology, setPushedTopology] = useState<Topology | null>(null);
  if (status === 'not-instructor')
    return (
      <div className="instructor">
        <header className="instructor-head">
          <h1>RelayLab · Instructor</h1>
        </header>
        <p className="roster-empty" data-testid="instructor-unavailable">
          This page is for the instructor of a class. Start the server with <code>--token</code> (students) and <code>--instructor-token</code>, then open
          /instructor?token=<i>instructor token</i>.
        </p>
      </div>
    );
  const joined = roster.students.filter((s) => s.connected).length;
  return (
    <div className="instructor" data-testid="instructor-page">
      <header className="instructor-head">
        <h1>RelayLab · Instructor</h1>
        <span className="muted" data-testid="instructor-count">
          {roster.students.length} student{roster.students.length === 1 ? '' : 's'} ({joined} connected)
        </span>
        {roster.pushed ? <span className="muted">Last pushed: {roster.pushed.name}</span> : null}
        <span className="spacer" />
        <span className="instructor-conn">
          <span className={`dot ${status === 'ready' ? 'on' : 'off'}`} /> {status === 'ready' ? 'connected' : status === 'offline' ? 'reconnecting…' : 'connecting…'}
        </span>
      </header>
      <div className="instructor-main">
        <aside>
          <PushCard client={client} onPushed={setPushedTopology} />
          <FaultCard client={client} topology={pushedTopology} />
        </aside>
        <section className="instructor-card">
          <h2>Students</h2>
          <p className="hint">Each student runs a private engine. Their pair states follow the run live; exercise results appear when they press “Check my result”.</p>
          <Roster students={roster.students} />
        </section>
      </div>
    </div>
  );
}

const PushCard = memo(function PushCard({ client, onPushed }: { client: RelayLabApi | null; onPushed: (t: Topology) => void }) {
  const list = useMemo(() => templates(), []);
  const [choice, setChoice] = useState(list[0]?.file ?? FROM_FILE);
  const [fromFile, setFromFile] = useState<{ name: string; topology: Topology } | null>(null);
  const [scenario, setScenario] = useState<{ name: string; scenario: Scenario } | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const base = useMemo((): Topology | null => {
    if (choice === FROM_FILE) return fromFile?.topology ?? null;
    const r = loadTemplate(choice);
    return r.ok ? r.topology : null;
  }, [choice, fromFile]);
  const topology = useMemo(() => (base && scenario ? { ...base, scenario: scenario.scenario } : base), [base, scenario]);
  const task = topology?.scenario?.exercises[0]?.task;

  const readTopology = async (file: File | undefined) => {
    if (!file) return;
    const r = parseTopologyText(await file.text());
    if (r.ok) {
      setFromFile({ name: file.name, topology: r.topology });
      setMessage(null);
    } else setMessage({ ok: false, text: `${file.name} does not open: ${r.problems[0]?.message ?? 'invalid'}` });
  };
  const readScenario = async (file: File | undefined) => {
    if (!file) return setScenario(null);
    const r = parseScenarioText(await file.text());
    if (r.ok) {
      setScenario({ name: file.name, scenario: r.scenario });
      setMessage(null);
    } else setMessage({ ok: false, text: `${file.name}: ${r.message}` });
  };
  const push = async () => {
    if (!client || !topology) return;
    setBusy(true);
    try {
      const r = await client.call('class.push', { topology });
      onPushed(topology);
      setMessage({ ok: true, text: `Sent “${r.name}” to ${r.sentTo} student${r.sentTo === 1 ? '' : 's'}; students who join later get it too.` });
    } catch (e) {
      setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="instructor-card" data-testid="push-card">
      <h2>Push a topology</h2>
      <p className="hint">Every student’s designer opens it and loads it into their engine, replacing what they had open.</p>
      <label className="instructor-field">
        Topology
        <select value={choice} onChange={(e) => setChoice(e.target.value)} data-testid="push-template">
          {list.map((t) => (
            <option key={t.file} value={t.file}>
              {t.figure && !t.title.startsWith(t.figure) ? `${t.figure}: ` : ''}
              {t.title}
            </option>
          ))}
          <option value={FROM_FILE}>From a .relaylab.json file…</option>
        </select>
      </label>
      {choice === FROM_FILE ? (
        <label className="instructor-field">
          Topology file
          <input type="file" accept=".json,application/json" onChange={(e) => void readTopology(e.target.files?.[0])} data-testid="push-topology-file" />
        </label>
      ) : null}
      <label className="instructor-field">
        Scenario file (optional: replaces the topology’s script and exercise)
        <input type="file" accept=".json,application/json" onChange={(e) => void readScenario(e.target.files?.[0])} data-testid="push-scenario-file" />
      </label>
      <p className="instructor-task" data-testid="push-task">
        {task ? (
          <>
            <b>Exercise{scenario ? ` (${scenario.name})` : ''}:</b> {task}
          </>
        ) : (
          'No exercise in this topology: students can run it, but there is nothing to check.'
        )}
      </p>
      <button type="button" className="primary-button" disabled={!client || !topology || busy} onClick={() => void push()} data-testid="push-send">
        Push to every student
      </button>
      {message ? <p className={`instructor-outcome ${message.ok ? 'ok' : 'bad'}`} data-testid="push-outcome">{message.text}</p> : null}
    </section>
  );
});

const FaultCard = memo(function FaultCard({ client, topology }: { client: RelayLabApi | null; topology: Topology | null }) {
  const [faultIndex, setFaultIndex] = useState(0);
  const fault = CLASS_FAULTS[faultIndex] ?? CLASS_FAULTS[0];
  const elements = useMemo(() => (topology ? topology[fault.list].map((e) => ({ id: e.id, label: e.name && e.name !== e.id ? `${e.id} · ${e.name}` : e.id })) : []), [topology, fault]);
  const [elementId, setElementId] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string; misses: ClassFaultOutcome[] } | null>(null);
  const chosen = elements.some((e) => e.id === elementId) ? elementId : (elements[0]?.id ?? '');

  const fire = async () => {
    if (!client || !chosen) return;
    const command = { type: fault.type, [fault.key]: chosen } as ClassFault;
    try {
      const { outcomes } = await client.call('class.fault', { command });
      const applied = outcomes.filter((o) => o.ok).length;
      setOutcome({ ok: applied === outcomes.length && applied > 0, text: `${capitalize(describeClassFault(command))}: applied in ${applied} of ${outcomes.length} student runs.`, misses: outcomes.filter((o) => !o.ok) });
    } catch (e) {
      setOutcome({ ok: false, text: e instanceof Error ? e.message : String(e), misses: [] });
    }
  };

  return (
    <section className="instructor-card" data-testid="fault-card">
      <h2>Fire a fault for everyone</h2>
      <p className="hint">{topology ? `In every student’s run of “${topology.name}”, at the same moment.` : 'Push a topology first: the fault names one of its elements.'}</p>
      <label className="instructor-field">
        Fault
        <select value={faultIndex} onChange={(e) => setFaultIndex(Number(e.target.value))} data-testid="fault-type">
          {CLASS_FAULTS.map((f, i) => (
            <option key={f.type} value={i}>
              {f.label}
            </option>
          ))}
        </select>
      </label>
      <label className="instructor-field">
        Which
        <select value={chosen} onChange={(e) => setElementId(e.target.value)} disabled={!elements.length} data-testid="fault-element">
          {elements.map((e) => (
            <option key={e.id} value={e.id}>
              {e.label}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="danger-button" disabled={!client || !chosen} onClick={() => void fire()} data-testid="fault-fire">
        Fire for everyone
      </button>
      {outcome ? (
        <div className={`instructor-outcome ${outcome.ok ? 'ok' : 'bad'}`} data-testid="fault-outcome">
          {outcome.text}
          {outcome.misses.map((m) => (
            <div key={m.studentId}>
              {m.name}: {m.reason}
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
});

function Verdict({ student }: { student: ClassStudent }) {
  const r = student.exercise;
  if (!r)
    return (
      <span className="verdict none" data-testid="student-verdict" data-verdict="none">
        {student.exerciseTask ? 'not checked yet' : 'no exercise'}
      </span>
    );
  return (
    <>
      <span className={`verdict ${r.passed ? 'passed' : 'failed'}`} data-testid="student-verdict" data-verdict={r.passed ? 'passed' : 'failed'} title={r.message}>
        {r.passed ? 'Passed' : 'Failed'}
      </span>
      {r.total !== undefined ? (
        <span className="sub" data-testid="student-score">
          {' '}
          {r.score ?? 0} / {r.total} points
        </span>
      ) : null}
      <ul className="checks">
        {r.checks.map((c) => (
          <li key={c.text} className={c.ok ? 'ok' : 'bad'} data-testid="student-check" data-ok={c.ok}>
            {c.text}
          </li>
        ))}
      </ul>
      <div className="sub" data-testid="student-checked-at">
        checked at {new Date(r.reportedAtMs).toLocaleTimeString()}
        {r.runChangedSince ? <b className="changed"> · pair states changed since</b> : null}
      </div>
    </>
  );
}

const Roster = memo(function Roster({ students }: { students: ClassStudent[] }) {
  if (!students.length)
    return (
      <div className="roster-empty" data-testid="roster-empty">
        No student yet. Students open the class link (with the students’ token) and type their name.
      </div>
    );
  return (
    <table className="roster" data-testid="roster">
      <thead>
        <tr>
          <th>Student</th>
          <th>Topology and run</th>
          <th>Pairs</th>
          <th>Exercise</th>
        </tr>
      </thead>
      <tbody>
        {students.map((s) => (
          <tr key={s.id} data-testid="student-row" data-student={s.name}>
            <td>
              <div className="who">
                <span className={`dot ${s.connected ? 'on' : 'off'}`} title={s.connected ? 'connected' : 'disconnected: their run waits for them'} /> {s.name}
              </div>
              <div className="sub">{s.connected ? 'connected' : 'disconnected'}</div>
            </td>
            <td>
              <div>{s.topologyName ?? <span className="muted">nothing loaded yet</span>}</div>
              {s.progress ? (
                <div className="sub" data-testid="student-progress">
                  {s.progress.running ? '▶ running' : '❚❚ paused'} · {formatRunTime(s.progress.timeUs)} virtual
                </div>
              ) : null}
            </td>
            <td>
              {s.progress?.pairs.map((p) => (
                <span key={p.id} className={`pair-chip ${p.state === 'PAIR' ? 'is-ok' : /PSUE|PFUL|SSWS/.test(p.state) ? 'is-bad' : ''}`} title={p.id}>
                  {p.id} {p.state}
                </span>
              ))}
            </td>
            <td>
              <Verdict student={s} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
});
