// Class mode of the web server: each student's session (a private engine kept across reconnects), the roster instructors see, and the topology pushes and faults an instructor sends to every student.
import type { CommandResult, EngineCommand, RunControl, Snapshot } from '../app/engine/api';
import { describeClassFault } from '../app/ipc/contract';
import type { ClassFault, ClassFaultOutcome, ClassRoster, ClassStudent, EventEnvelope, ExerciseResult, Params, Results } from '../app/ipc/contract';
import type { Problem } from '../app/model/problem';
import type { AsyncEngine } from './engine-host';
import { RpcFailure } from './rpc';
import type { Logger } from './rpc';

/** An engine a session owns: the AsyncEngine plus its snapshot stream and an end. EngineHost is one. */
export interface SessionEngine extends AsyncEngine {
  onSnapshot(listener: (snapshot: Snapshot) => void): () => void;
  terminate(): Promise<void>;
}

/** Where a session's messages go: the student's current socket. */
export interface StudentLink {
  send(message: EventEnvelope): void;
  /** Whether the socket can take another snapshot now (a client far behind gets the next one instead). */
  canTakeSnapshot(): boolean;
  /** Another socket took this session over (a second tab with the same session key). */
  replaced(): void;
}

export interface ClassroomOptions {
  startEngine(): SessionEngine;
  log: Logger;
  /** How long a disconnected student's engine waits for them to come back (default two minutes). */
  graceMs?: number;
  /** Sessions alive or waiting at once; each may hold an engine worker. */
  maxSessions?: number;
  /** Roster pushes to instructors are coalesced over this interval (default 150 ms). */
  rosterIntervalMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => () => void;
}

/** The class handlers of one connection, by role: the rpc layer calls these for the class.* methods. */
export interface ClassHandlers {
  join(params: Params<'class.join'>): Results['class.join'];
  report(params: Params<'class.report'>): Results['class.report'];
  roster(): Results['class.roster'];
  push(params: Params<'class.push'>): Results['class.push'];
  fault(params: Params<'class.fault'>): Promise<Results['class.fault']>;
}

/** A session key is the client's own random id: long enough not to be guessed, plain enough to log nowhere. */
export const SESSION_KEY = /^[A-Za-z0-9_-]{16,100}$/;

const defaultTimer = (fn: () => void, ms: number) => {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

function topologyFacts(topology: unknown): { name: string | null; exerciseTask: string | null } {
  if (typeof topology !== 'object' || topology === null) return { name: null, exerciseTask: null };
  const t = topology as { name?: unknown; scenario?: { exercises?: { task?: unknown }[] } };
  const task = Array.isArray(t.scenario?.exercises) ? t.scenario.exercises[0]?.task : undefined;
  return { name: typeof t.name === 'string' ? t.name : null, exerciseTask: typeof task === 'string' ? task : null };
}

function pairsKey(progress: ClassStudent['progress']): string {
  return JSON.stringify(progress?.pairs ?? []);
}

/** One student's session: their engine and what the instructor sees of them. Lives on between their connections. */
export class StudentSession {
  name: string | null = null;
  topologyName: string | null = null;
  exerciseTask: string | null = null;
  progress: ClassStudent['progress'] = null;
  exercise: (ExerciseResult & { reportedAtMs: number; pairsAtCheck: string }) | null = null;
  /** The topology the engine runs, as the student sent it: handed back to a reloaded page. */
  loadedTopology: unknown = null;
  /** The last push this session received, so a rejoin after a reconnect does not reopen it over their work. */
  seenPushId = 0;
  link: StudentLink | null = null;
  private running: SessionEngine | null = null;
  private stopWaiting: (() => void) | null = null;

  constructor(
    readonly key: string,
    readonly id: string,
    private readonly classroom: Classroom,
  ) {}

  get hasEngine(): boolean {
    return this.running !== null;
  }

  /** The engine the rpc handlers use: started on first use; loads and snapshots also feed the roster. */
  engine(): AsyncEngine {
    const real = this.ensureEngine();
    return {
      load: async (topology: unknown, seed?: number): Promise<{ problems: Problem[]; loaded: boolean }> => {
        const result = await real.load(topology, seed);
        if (result.loaded) this.loaded(topology);
        return result;
      },
      control: async (control: RunControl) => this.observe(await real.control(control)),
      command: (command: EngineCommand): Promise<CommandResult> => real.command(command),
      snapshot: async () => this.observe(await real.snapshot()),
      hashes: (volumeIds: string[]) => real.hashes(volumeIds),
      verify: (volumeIds: string[]) => real.verify(volumeIds),
    };
  }

  private ensureEngine(): SessionEngine {
    if (!this.running) {
      const engine = this.classroom.options.startEngine();
      engine.onSnapshot((snapshot) => {
        this.observe(snapshot);
        if (this.link?.canTakeSnapshot()) this.link.send({ event: 'engine.snapshot', data: snapshot });
      });
      this.running = engine;
    }
    return this.running;
  }

  private loaded(topology: unknown): void {
    const facts = topologyFacts(topology);
    this.loadedTopology = topology;
    this.topologyName = facts.name;
    this.exerciseTask = facts.exerciseTask;
    this.progress = null;
    // A result belongs to the run it was checked on.
    this.exercise = null;
    this.classroom.changed();
  }

  /** Notes the run's progress from a snapshot, telling instructors when the pair states or run state changed. */
  observe(snapshot: Snapshot): Snapshot {
    const pairs = snapshot.pairs.map((p) => ({ id: p.id, state: p.state }));
    const before = this.progress;
    this.progress = { timeUs: snapshot.timeUs, running: snapshot.running, pairs };
    const stateChanged = !before || before.running !== snapshot.running || JSON.stringify(before.pairs) !== JSON.stringify(pairs);
    // The clock alone changes ~30 times a second: the roster follows it at its own pace, state changes at once.
    if (stateChanged) this.classroom.changed();
    else this.classroom.changed('clock');
    return snapshot;
  }

  /** Applies an instructor's fault to this student's run and shows them its effect at once, even while paused. */
  async applyFault(command: ClassFault): Promise<ClassFaultOutcome> {
    const outcome = { studentId: this.id, name: this.name ?? this.id };
    if (!this.running) return { ...outcome, ok: false, reason: 'has not started a run yet' };
    let result: CommandResult;
    try {
      result = await this.running.command(command);
    } catch (e) {
      return { ...outcome, ok: false, reason: e instanceof Error ? e.message : String(e) };
    }
    if (!result.ok) return { ...outcome, ok: false, reason: result.reason };
    this.link?.send({ event: 'class.notice', data: { text: `Your instructor: ${describeClassFault(command)}.` } });
    try {
      const snapshot = this.observe(await this.running.snapshot());
      this.link?.send({ event: 'engine.snapshot', data: snapshot });
    } catch {
      // The next pushed snapshot shows it instead.
    }
    return { ...outcome, ok: true };
  }

  attach(link: StudentLink): void {
    this.stopWaiting?.();
    this.stopWaiting = null;
    const previous = this.link;
    this.link = link;
    if (previous) previous.replaced();
    this.classroom.changed();
  }

  /** The socket left: keep the engine for the grace period, then end the session. */
  detach(link: StudentLink): void {
    if (this.link !== link) return;
    this.link = null;
    this.classroom.changed();
    this.stopWaiting = (this.classroom.options.setTimer ?? defaultTimer)(() => this.classroom.end(this), this.classroom.options.graceMs ?? 120_000);
  }

  /** Ends the engine for good. */
  async close(): Promise<void> {
    this.stopWaiting?.();
    this.stopWaiting = null;
    const engine = this.running;
    this.running = null;
    await engine?.terminate();
  }

  view(): ClassStudent {
    return {
      id: this.id,
      name: this.name ?? '',
      connected: this.link !== null,
      topologyName: this.topologyName,
      exerciseTask: this.exerciseTask,
      progress: this.progress,
      exercise: this.exercise
        ? {
            passed: this.exercise.passed,
            message: this.exercise.message,
            checks: this.exercise.checks,
            ...(this.exercise.score !== undefined ? { score: this.exercise.score } : {}),
            ...(this.exercise.total !== undefined ? { total: this.exercise.total } : {}),
            reportedAtMs: this.exercise.reportedAtMs,
            runChangedSince: pairsKey(this.progress) !== this.exercise.pairsAtCheck,
          }
        : null,
    };
  }
}

export class ClassroomFullError extends Error {
  override readonly name = 'ClassroomFullError';
}

/** The class: sessions by key, instructors listening, the last push. One per server in class mode. */
export class Classroom {
  private readonly sessions = new Map<string, StudentSession>();
  private readonly instructors = new Set<(message: EventEnvelope) => void>();
  private lastPush: { pushId: number; name: string; topology: unknown } | null = null;
  private nextStudent = 1;
  private rosterDue: (() => void) | null = null;
  private rosterDueAt = 0;
  private lastRosterAt = -Infinity;

  constructor(readonly options: ClassroomOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The session for this key (a reconnect), or a new one. Throws ClassroomFullError when the class is full. */
  connect(key: string, link: StudentLink): StudentSession {
    let session = this.sessions.get(key);
    if (!session) {
      if (this.sessions.size >= (this.options.maxSessions ?? 64)) throw new ClassroomFullError('the class is full');
      session = new StudentSession(key, `s${this.nextStudent++}`, this);
      this.sessions.set(key, session);
    }
    session.attach(link);
    return session;
  }

  /** The grace period ran out: the student is gone, their engine too. */
  end(session: StudentSession): void {
    if (this.sessions.get(session.key) !== session) return;
    this.sessions.delete(session.key);
    session.close().catch((e: unknown) => this.options.log.error(`stopping the engine of student ${session.id}`, e));
    this.changed();
  }

  addInstructor(send: (message: EventEnvelope) => void): () => void {
    this.instructors.add(send);
    send({ event: 'class.roster', data: this.roster() });
    return () => this.instructors.delete(send);
  }

  roster(): ClassRoster {
    const students = [...this.sessions.values()].filter((s) => s.name !== null).map((s) => s.view());
    return { students, pushed: this.lastPush ? { pushId: this.lastPush.pushId, name: this.lastPush.name } : null };
  }

  /**
   * Something instructors see changed. State changes reach them within rosterIntervalMs; clock-only changes at most
   * once a second, so thirty students running at full speed do not flood the instructor's page.
   */
  changed(kind: 'state' | 'clock' = 'state'): void {
    if (!this.instructors.size) return;
    const now = (this.options.now ?? Date.now)();
    const interval = this.options.rosterIntervalMs ?? 150;
    const wait = kind === 'state' ? interval : Math.max(interval, 1000 - (now - this.lastRosterAt));
    // A state change must not wait behind a clock tick scheduled for later.
    if (this.rosterDue && now + wait >= this.rosterDueAt) return;
    this.rosterDue?.();
    this.rosterDueAt = now + wait;
    this.rosterDue = (this.options.setTimer ?? defaultTimer)(() => this.flushRoster(), wait);
  }

  /** Sends the roster to every instructor now. */
  flushRoster(): void {
    this.rosterDue?.();
    this.rosterDue = null;
    this.lastRosterAt = (this.options.now ?? Date.now)();
    const message: EventEnvelope = { event: 'class.roster', data: this.roster() };
    for (const send of this.instructors) send(message);
  }

  /** Sends a topology to every connected student who has joined; later joiners get it when they join. */
  push(topology: unknown): Results['class.push'] {
    const name = topologyFacts(topology).name ?? 'topology';
    const pushId = (this.lastPush?.pushId ?? 0) + 1;
    this.lastPush = { pushId, name, topology };
    let sentTo = 0;
    for (const session of this.sessions.values()) if (this.deliverPush(session)) sentTo++;
    this.changed();
    return { pushId, name, sentTo };
  }

  private deliverPush(session: StudentSession): boolean {
    const push = this.lastPush;
    if (!push || session.name === null || !session.link || session.seenPushId >= push.pushId) return false;
    session.seenPushId = push.pushId;
    session.link.send({ event: 'class.pushed', data: push });
    return true;
  }

  /** The same fault in every joined student's engine, at once. */
  async fault(command: ClassFault): Promise<Results['class.fault']> {
    const joined = [...this.sessions.values()].filter((s) => s.name !== null);
    const outcomes = await Promise.all(joined.map((s) => s.applyFault(command)));
    this.changed();
    return { outcomes };
  }

  join(session: StudentSession, name: string): Results['class.join'] {
    session.name = name;
    // A push they had not seen wins over resuming their old run.
    const pushed = this.deliverPush(session);
    this.changed();
    return !pushed && session.hasEngine && session.loadedTopology !== null ? { studentId: session.id, resume: { topology: session.loadedTopology } } : { studentId: session.id };
  }

  report(session: StudentSession, exercise: ExerciseResult): Results['class.report'] {
    if (session.name === null) throw new RpcFailure('forbidden', 'class.report: join the class first (class.join with your name)');
    session.exercise = { ...exercise, reportedAtMs: (this.options.now ?? Date.now)(), pairsAtCheck: pairsKey(session.progress) };
    this.changed();
    return {};
  }

  /** The class.* handlers of a student's connection: join and report; the instructor's methods are refused. */
  studentHandlers(session: StudentSession): ClassHandlers {
    const instructorsOnly = (method: string): never => {
      throw new RpcFailure('forbidden', `${method} is for the instructor`);
    };
    return {
      join: ({ name }) => this.join(session, name),
      report: ({ exercise }) => this.report(session, exercise),
      roster: () => instructorsOnly('class.roster'),
      push: () => instructorsOnly('class.push'),
      fault: async () => instructorsOnly('class.fault'),
    };
  }

  /** The class.* handlers of an instructor's connection. Pushed topologies are validated first: a broken one reaches nobody. */
  instructorHandlers(validate: (topology: unknown) => { problems: Problem[] }): ClassHandlers {
    const studentsOnly = (method: string): never => {
      throw new RpcFailure('forbidden', `${method} is for students`);
    };
    return {
      join: () => studentsOnly('class.join'),
      report: () => studentsOnly('class.report'),
      roster: () => this.roster(),
      push: ({ topology }) => {
        const error = validate(topology).problems.find((p) => p.severity === 'error');
        if (error) throw new RpcFailure('invalid-params', `class.push: the topology has errors: ${error.message}`, ['topology', ...error.path]);
        return this.push(topology);
      },
      fault: ({ command }) => this.fault(command),
    };
  }

  /** Ends every session (server shutdown). */
  async close(): Promise<void> {
    this.rosterDue?.();
    this.rosterDue = null;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
  }
}
