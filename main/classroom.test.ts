// The class: sessions that outlive a dropped socket, the roster an instructor sees, pushes and faults reaching every student's own engine.
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { builtInText } from '../test/builtins';
import type { ClassRoster, EventEnvelope } from '../app/ipc/contract';
import { checkRequest } from '../app/ipc/contract';
import { Classroom } from './classroom';
import type { StudentLink } from './classroom';
import { createEngineDriver } from './engine/driver';
import { EngineHost, serveEngine } from './engine-host';
import { RpcFailure, defaultValidator } from './rpc';

const fig1 = JSON.parse(builtInText('fig01-loop-cascade.relaylab.json')) as { name: string };

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

/** The real engine driver, on this thread over a MessageChannel (the server runs it in a worker). */
function realEngine(): EngineHost {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  serveEngine(port2, (host) => createEngineDriver(host), () => port2.close());
  return new EngineHost(port1);
}

/** Timers the test fires by hand: the grace period and the roster's coalescing. */
function manualTimers() {
  const due: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    setTimer: (fn: () => void, ms: number) => {
      const t = { fn, ms, cancelled: false };
      due.push(t);
      return () => void (t.cancelled = true);
    },
    fire(ms?: number) {
      for (const t of due.splice(0)) if (!t.cancelled && (ms === undefined || t.ms === ms)) t.fn();
        else if (!t.cancelled) due.push(t);
    },
  };
}

function student() {
  const received: EventEnvelope[] = [];
  let replaced = false;
  const link: StudentLink = { send: (m) => received.push(m), canTakeSnapshot: () => true, replaced: () => void (replaced = true) };
  return { link, received, wasReplaced: () => replaced, events: (name: string) => received.filter((m) => m.event === name) };
}

function setUp() {
  const timers = manualTimers();
  const engines: EngineHost[] = [];
  const classroom = new Classroom({
    startEngine: () => {
      const e = realEngine();
      engines.push(e);
      return e;
    },
    log: { error: () => undefined },
    graceMs: 60_000,
    rosterIntervalMs: 10,
    setTimer: timers.setTimer,
  });
  const rosters: ClassRoster[] = [];
  classroom.addInstructor((m) => rosters.push(m.data as ClassRoster));
  const lastRoster = () => {
    classroom.flushRoster();
    return rosters.at(-1)!;
  };
  return { classroom, timers, engines, lastRoster };
}

describe('a class', () => {
  it('lists students by the name they typed, with the topology they run, its exercise and their pair states', async () => {
    const { classroom, lastRoster } = setUp();
    const ana = classroom.connect('ana-session-key-0001', student().link);
    classroom.studentHandlers(ana).join({ name: 'Ana' });
    // A socket that never joined is not on the roster.
    classroom.connect('lurker-session-key-01', student().link);
    expect(lastRoster().students.map((s) => s.name)).toEqual(['Ana']);

    const engine = ana.engine();
    expect((await engine.load(fig1, 1)).loaded).toBe(true);
    await engine.control({ action: 'runFor', virtualMs: 50 });
    const [row] = lastRoster().students;
    expect(row).toMatchObject({ id: 's1', name: 'Ana', connected: true, topologyName: fig1.name });
    expect(row?.exerciseTask).toMatch(/CN4/);
    expect(row?.progress?.timeUs).toBeGreaterThan(0);
    expect(row?.progress?.pairs.map((p) => p.id)).toEqual(['pair-sync', 'pair-async']);
    await classroom.close();
  });

  it('shows each check a student reported, and clears it when they load another run', async () => {
    const { classroom, lastRoster } = setUp();
    const ben = classroom.connect('ben-session-key-00001', student().link);
    const handlers = classroom.studentHandlers(ben);
    expect(() => handlers.report({ exercise: { passed: true, message: 'ok', checks: [] } })).toThrow(/join the class first/);
    handlers.join({ name: 'Ben' });
    await ben.engine().load(fig1, 1);
    handlers.report({ exercise: { passed: false, message: 'Not yet: 1 of 3 checks not met.', checks: [{ ok: true, text: 'pair pair-sync is PAIR (expected PAIR)' }, { ok: false, text: 'pair pair-async is PSUE (expected PAIR)' }] } });
    expect(lastRoster().students[0]?.exercise).toMatchObject({ passed: false, checks: [{ ok: true }, { ok: false, text: 'pair pair-async is PSUE (expected PAIR)' }] });
    expect(lastRoster().students[0]?.exercise?.runChangedSince).toBe(false);
    // The run moves on after the check: the instructor is told the verdict may no longer hold.
    await ben.engine().control({ action: 'runFor', virtualMs: 5000 });
    expect(lastRoster().students[0]?.exercise?.runChangedSince).toBe(true);
    await ben.engine().load(fig1, 2);
    expect(lastRoster().students[0]?.exercise).toBeNull();
    await classroom.close();
  });

  it('a student who reconnects within the grace period gets their own engine back, run and all', async () => {
    const { classroom, timers, engines, lastRoster } = setUp();
    const first = student();
    const cara = classroom.connect('cara-session-key-0001', first.link);
    classroom.studentHandlers(cara).join({ name: 'Cara' });
    await cara.engine().load(fig1, 1);
    const before = await cara.engine().control({ action: 'runFor', virtualMs: 100 });
    cara.detach(first.link);
    expect(lastRoster().students[0]?.connected).toBe(false);

    const again = classroom.connect('cara-session-key-0001', student().link);
    expect(again).toBe(cara);
    // A reloaded page joins again and is handed the topology its engine runs.
    expect(classroom.studentHandlers(again).join({ name: 'Cara' })).toEqual({ studentId: 's1', resume: { topology: fig1 } });
    timers.fire(60_000);
    expect(engines).toHaveLength(1);
    expect((await again.engine().snapshot()).timeUs).toBe(before.timeUs);
    expect(lastRoster().students[0]).toMatchObject({ name: 'Cara', connected: true });
    await classroom.close();
  });

  it('after the grace period the session and its engine are gone', async () => {
    const { classroom, timers, lastRoster } = setUp();
    const link = student().link;
    const dan = classroom.connect('dan-session-key-00001', link);
    classroom.studentHandlers(dan).join({ name: 'Dan' });
    await dan.engine().load(fig1, 1);
    dan.detach(link);
    timers.fire(60_000);
    expect(lastRoster().students).toEqual([]);
    expect(dan.hasEngine).toBe(false);
    expect(classroom.connect('dan-session-key-00001', student().link)).not.toBe(dan);
    await classroom.close();
  });

  it('a second tab with the same session takes it over and the first is told', async () => {
    const { classroom } = setUp();
    const tab1 = student();
    const s = classroom.connect('eve-session-key-00001', tab1.link);
    expect(classroom.connect('eve-session-key-00001', student().link)).toBe(s);
    expect(tab1.wasReplaced()).toBe(true);
    await classroom.close();
  });

  it('pushes a topology to every joined student once, and to a late joiner when they join', async () => {
    const { classroom, lastRoster } = setUp();
    const a = student();
    const b = student();
    const sa = classroom.connect('push-a-session-key-01', a.link);
    classroom.studentHandlers(sa).join({ name: 'A' });
    const result = classroom.instructorHandlers(defaultValidator).push({ topology: fig1 });
    expect(result).toEqual({ pushId: 1, name: fig1.name, sentTo: 1 });
    expect(a.events('class.pushed')).toHaveLength(1);
    const sb = classroom.connect('push-b-session-key-01', b.link);
    classroom.studentHandlers(sb).join({ name: 'B' });
    expect(b.events('class.pushed')[0]?.data).toMatchObject({ pushId: 1, name: fig1.name });
    // Joining again after a reconnect does not reopen it over their work.
    classroom.studentHandlers(sa).join({ name: 'A' });
    expect(a.events('class.pushed')).toHaveLength(1);
    expect(lastRoster().pushed).toEqual({ pushId: 1, name: fig1.name });
    await classroom.close();
  });

  it('refuses to push a topology with errors', async () => {
    const { classroom } = setUp();
    const broken = structuredClone(fig1) as unknown as { pairs: { primaryVolumeId: string }[] };
    broken.pairs[0]!.primaryVolumeId = 'nowhere';
    expect(() => classroom.instructorHandlers(defaultValidator).push({ topology: broken })).toThrow(RpcFailure);
    await classroom.close();
  });

  it('fires a cable cut in every student engine at once: the remote pair suspends in each run, and says who had no run', async () => {
    const { classroom } = setUp();
    const runs = [student(), student()];
    const sessions = runs.map((r, i) => classroom.connect(`fault-session-key-0${i}`, r.link));
    sessions.forEach((s, i) => classroom.studentHandlers(s).join({ name: `Student ${i}` }));
    await sessions[0]!.engine().load(fig1, 1);
    await sessions[0]!.engine().control({ action: 'runFor', virtualMs: 200 });
    const late = classroom.connect('fault-session-key-09', student().link);
    classroom.studentHandlers(late).join({ name: 'Late' });
    await sessions[1]!.engine().load(fig1, 1);
    await sessions[1]!.engine().control({ action: 'runFor', virtualMs: 200 });

    const { outcomes } = await classroom.instructorHandlers(defaultValidator).fault({ command: { type: 'cutCable', cableId: 'CN4' } });
    expect(outcomes.map((o) => [o.name, o.ok])).toEqual([
      ['Student 0', true],
      ['Student 1', true],
      ['Late', false],
    ]);
    expect(outcomes[2]?.reason).toMatch(/not started a run/);
    for (const [i, s] of sessions.entries()) {
      await s.engine().control({ action: 'runFor', virtualMs: 100 });
      const pair = (await s.engine().snapshot()).pairs.find((p) => p.id === 'pair-async');
      expect(pair?.linkUp, `student ${i}`).toBe(false);
      expect(runs[i]!.events('class.notice')[0]?.data).toEqual({ text: 'Your instructor: cable CN4 was cut.' });
    }
    await classroom.close();
  });

  it('a student cannot use the instructor methods, nor the instructor the student ones', async () => {
    const { classroom } = setUp();
    const s = classroom.connect('role-session-key-0001', student().link);
    const asStudent = classroom.studentHandlers(s);
    expect(() => asStudent.push({ topology: fig1 })).toThrow(/for the instructor/);
    await expect(asStudent.fault({ command: { type: 'cutCable', cableId: 'CN4' } })).rejects.toThrow(/for the instructor/);
    expect(() => classroom.instructorHandlers(defaultValidator).join({ name: 'x' })).toThrow(/for students/);
    await classroom.close();
  });

  it('a state change reaches the instructor at the short interval even when a clock tick is due later', async () => {
    const due: { ms: number; cancelled: boolean }[] = [];
    let now = 10_000;
    const classroom = new Classroom({
      startEngine: () => realEngine(),
      log: { error: () => undefined },
      rosterIntervalMs: 100,
      now: () => now,
      setTimer: (_fn, ms) => {
        const t = { ms, cancelled: false };
        due.push(t);
        return () => void (t.cancelled = true);
      },
    });
    classroom.addInstructor(() => undefined);
    classroom.flushRoster();
    now += 50;
    classroom.changed('clock');
    expect(due.map((t) => t.ms)).toEqual([950]);
    classroom.changed('state');
    expect(due.map((t) => [t.ms, t.cancelled])).toEqual([
      [950, true],
      [100, false],
    ]);
    // Another clock tick does not push the state change back.
    classroom.changed('clock');
    expect(due.filter((t) => !t.cancelled).map((t) => t.ms)).toEqual([100]);
    await classroom.close();
  });

  it('the contract refuses a fault that is not a cut or fail, and a blank name', () => {
    expect(checkRequest({ id: 1, method: 'class.fault', params: { command: { type: 'hostWrite', hostId: 'h', luId: 'l', offsetBytes: 0, lengthBytes: 1 } } })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(checkRequest({ id: 2, method: 'class.fault', params: { command: { type: 'failSite', siteId: 'site-relay' } } })).toMatchObject({ ok: true });
    expect(checkRequest({ id: 3, method: 'class.join', params: { name: '   ' } })).toMatchObject({ ok: false });
  });
});
