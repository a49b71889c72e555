// The live controller and store driven through a fake engine: loading once per model, refusals as toasts, training highlights, seeks and verify.
import { beforeEach, describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { CommandResult, Snapshot, StepEvent } from '../../app/engine/api';
import type { EventName, Events, Method, Params, RelayLabApi, Results } from '../../app/ipc/contract';
import type { Topology } from '../../app/model/schema';
import { command, connectLive, ensureLoaded, seek, startTrainingWrite, trainingNext, verify } from './controller';
import { liveStore, trainingWalk } from './store';

const fig1 = (): Topology => loadBuiltIn('fig01-loop-cascade.relaylab.json');

const base = (timeUs: number, events: StepEvent[] = []): Snapshot => ({ timeUs, running: false, speed: 1, seed: 1, pairs: [], caches: [], links: [], hosts: [], failedSystems: [], events });

/** A scripted engine: each method answers from a queue or a default, and every call is recorded. */
class FakeEngine {
  calls: { method: string; params: unknown }[] = [];
  timeUs = 0;
  seq = 0;
  stepScript: StepEvent[][] = [];
  commandAnswer: CommandResult = { ok: true };
  loadAnswer: Results['engine.load'] = { problems: [], loaded: true };
  hashes: Record<string, string> = {};
  listeners = new Map<string, ((d: unknown) => void)[]>();

  api(): RelayLabApi {
    return {
      call: async <M extends Method>(method: M, params: Params<M>): Promise<Results[M]> => {
        this.calls.push({ method, params });
        return this.answer(method, params) as Results[M];
      },
      on: <E extends EventName>(event: E, listener: (data: Events[E]) => void) => {
        const l = this.listeners.get(event) ?? [];
        l.push(listener as (d: unknown) => void);
        this.listeners.set(event, l);
        return () => undefined;
      },
    };
  }

  push(s: Snapshot) {
    for (const l of this.listeners.get('engine.snapshot') ?? []) l(s);
  }

  private answer(method: Method, params: unknown): unknown {
    switch (method) {
      case 'engine.load':
        return this.loadAnswer;
      case 'engine.snapshot':
        return base(this.timeUs);
      case 'engine.control': {
        const c = params as { action: string; timeMs?: number };
        if (c.action === 'seek') this.timeUs = (c.timeMs ?? 0) * 1000;
        if (c.action === 'step') {
          this.timeUs += 10;
          return { snapshot: base(this.timeUs, this.stepScript.shift() ?? []) };
        }
        return { snapshot: base(this.timeUs) };
      }
      case 'engine.command':
        return this.commandAnswer;
      case 'engine.hashes':
        return { hashes: this.hashes };
      case 'engine.verify':
        return { hashes: this.hashes, heldAtUs: this.timeUs, drainedUs: 1200, settled: true, inFlight: [], writesResumed: true, hashWallMs: 40 };
      default:
        throw new Error(`unexpected ${method}`);
    }
  }
}

let engine: FakeEngine;
let doc: Topology;
let toasts: { text: string; tone: string }[];

beforeEach(async () => {
  engine = new FakeEngine();
  doc = fig1();
  toasts = [];
  liveStore.setState({ loadedKey: null, status: 'idle', events: [], snapshot: null });
  liveStore.getState().stopTraining();
  const api = engine.api();
  await connectLive({ api: async () => api, doc: () => doc, notify: (text, tone) => toasts.push({ text, tone }) });
});

const ev = (seq: number, step: string, elementId: string, ioId?: number, relatedIds?: string[]): StepEvent => ({ seq, timeUs: seq, step, elementId, text: `${step} at ${elementId}`, ioId, relatedIds });

describe('loading the document into the engine', () => {
  it('loads once per model: moving a box on the canvas does not restart the run, an edit does', async () => {
    await ensureLoaded();
    await ensureLoaded();
    doc = { ...doc, layout: { nodes: { V12: { x: 5, y: 5 } } } };
    await ensureLoaded();
    expect(engine.calls.filter((c) => c.method === 'engine.load')).toHaveLength(1);
    doc = { ...doc, name: 'edited' };
    await ensureLoaded();
    expect(engine.calls.filter((c) => c.method === 'engine.load')).toHaveLength(2);
  });

  it('an engine that cannot build the topology says which element, in the toast', async () => {
    engine.loadAnswer = { problems: [{ severity: 'error', code: 'engine-compile', message: 'no such volume', path: [], elementId: 'V2l' }], loaded: false };
    expect(await ensureLoaded()).toBe(false);
    expect(toasts).toEqual([{ text: 'The engine cannot run this topology: V2l: no such volume', tone: 'error' }]);
  });
});

describe('commands from the canvas', () => {
  it('a refused command is shown as a toast naming the state, and nothing is thrown', async () => {
    engine.commandAnswer = { ok: false, reason: 'takeover refused: pair pair-async is COPY; the secondary is inconsistent', state: 'COPY' };
    const r = await command({ type: 'pair', pairId: 'pair-async', op: 'takeover' });
    expect(r).toEqual(engine.commandAnswer);
    expect(toasts).toEqual([{ text: 'takeover refused: pair pair-async is COPY; the secondary is inconsistent', tone: 'error' }]);
  });

  it('the effect of a command shows at once: a snapshot is fetched right after it', async () => {
    await command({ type: 'cutCable', cableId: 'CN4' });
    const methods = engine.calls.map((c) => c.method);
    expect(methods.slice(methods.indexOf('engine.command'))).toEqual(['engine.command', 'engine.snapshot']);
  });
});

describe('training mode', () => {
  it('single steps walk the traced write and highlight each acting element in order', async () => {
    await startTrainingWrite();
    const sent = engine.calls.filter((c) => c.method === 'engine.command').map((c) => c.params);
    expect(sent).toEqual([
      { type: 'setWorkloadsEnabled', enabled: false },
      { type: 'hostWrite', hostId: 'host1', luId: 'LU11', offsetBytes: 0, lengthBytes: 4096, fill: 0xab },
    ]);
    // One engine step may run several patent steps at one instant (S11 and S12): the walk still shows them one by one.
    engine.stepScript = [
      [ev(1, 'host-write', 'HBA1', 7, ['CN1'])],
      [ev(2, 'S1', 'IP11', 7, ['CN2', 'pair-sync']), ev(3, 'destage', 'C99')],
      [ev(4, 'S11', 'TP21', 7), ev(5, 'S12', 'TP21', 7, ['V12'])],
    ];
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      await trainingNext();
      const h = liveStore.getState().highlight!;
      seen.push(`${h.step}:${h.ids.join('+')}`);
    }
    expect(seen).toEqual(['host-write:HBA1+CN1', 'S1:IP11+CN2+pair-sync', 'S11:TP21', 'S12:TP21+V12']);
    expect(trainingWalk(liveStore.getState()).map((e) => e.step)).toEqual(['host-write', 'S1', 'S11', 'S12']);
    expect(engine.calls.filter((c) => c.method === 'engine.control' && (c.params as { action: string }).action === 'step')).toHaveLength(3);
  });
});

describe('the timeline', () => {
  it('seeking back drops the log after the new time', async () => {
    await ensureLoaded();
    engine.push({ ...base(5000), events: [ev(1, 'S1', 'IP11'), ev(4000, 'S11', 'TP21')] });
    expect(liveStore.getState().events).toHaveLength(2);
    await seek(2);
    expect(liveStore.getState().events.map((e) => e.seq)).toEqual([1]);
    expect(liveStore.getState().maxTimeUs).toBe(5000);
  });
});

describe('verify', () => {
  it('hashes the volumes of every pair and reports all copies identical', async () => {
    engine.hashes = { V11: 'a', V12: 'a', V21: 'b', V22: 'b' };
    await verify();
    expect(liveStore.getState().verification?.summary).toBe('All copies identical.');
    expect(liveStore.getState().verification?.point).toMatch(/host writes held at .* and resumed once the volumes were frozen; drained in 1\.2 ms, nothing in flight/);
    expect(liveStore.getState().tab).toBe('verify');
  });
});
