// Checkpoints through the facade: restoring a checkpoint taken mid-run and running on gives exactly what the run gave from there.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { loadFigure } from '../../test/builtins';
import type { EngineCommand, StepEvent } from '../../app/engine/api';
import { withoutInitialFill, type Topology } from '../../app/model/schema';
import { Engine, type WorkloadOverride } from './engine';

const sha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();

/** The embodiment itself (not one of its exercise variants), without starting data. */
function load(prefix: string): Topology {
  return withoutInitialFill(loadFigure(prefix));
}

type Timed = { atMs: number; command: EngineCommand };
const write = (atMs: number, offsetBytes: number, lengthBytes: number): Timed => ({ atMs, command: { type: 'hostWrite', hostId: 'host1', luId: 'LU11', offsetBytes, lengthBytes } });

const CASES: { figure: string; script: Timed[]; override?: WorkloadOverride; note?: string; pendingAtT1?: RegExp }[] = [
  {
    figure: 'fig01',
    script: [
      write(120, 0, 8192),
      { atMs: 150, command: { type: 'cutCable', cableId: 'CN4' } },
      write(201, 65536, 300_000),
      { atMs: 300, command: { type: 'restoreCable', cableId: 'CN4' } },
      { atMs: 320, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
      { atMs: 420, command: { type: 'fillJournal', pairId: 'pair-async' } },
    ],
  },
  {
    figure: 'fig07',
    script: [
      write(120, 4096, 4096),
      { atMs: 190, command: { type: 'failSystem', systemId: 'sys20' } },
      write(230, 0, 65536),
      { atMs: 320, command: { type: 'restoreSystem', systemId: 'sys20' } },
      { atMs: 340, command: { type: 'pair', pairId: 'pair-sync', op: 'resync' } },
      { atMs: 350, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
    ],
  },
  {
    // The FIG. 13 switch: exchanges wait for their cable's turn (records queued on the link) at the checkpoint.
    figure: 'fig13',
    note: 'switch turns',
    pendingAtT1: /^switch-turn$/,
    override: { iops: 3000 },
    script: [write(180, 8192, 65536), { atMs: 260, command: { type: 'pair', pairId: 'pair-async', op: 'split' } }, { atMs: 300, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } }],
  },
  {
    // Reads (hits and misses staged from the external R1 over CN5) and a pair deleted while the run goes on.
    figure: 'fig01',
    note: 'reads and a delete',
    pendingAtT1: /^(read|stage)-/,
    override: { readRatio: 0.5, iops: 8000 },
    script: [write(150, 0, 4096), { atMs: 250, command: { type: 'pair', pairId: 'pair-async', op: 'delete' } }, { atMs: 400, command: { type: 'pair', pairId: 'pair-async', op: 'create' } }],
  },
  {
    figure: 'fig12',
    script: [
      { atMs: 150, command: { type: 'cutCable', cableId: 'CN4a' } },
      write(200, 65536, 16384),
      { atMs: 300, command: { type: 'restoreCable', cableId: 'CN4a' } },
      { atMs: 320, command: { type: 'pair', pairId: 'pair-async-a', op: 'resync' } },
      { atMs: 400, command: { type: 'pair', pairId: 'pair-async-b', op: 'split' } },
    ],
  },
];

/** Everything a stretch of run shows: step events, pair states every 5 ms, command answers, host counters, volume hashes. */
function runStretch(e: Engine, steps: StepEvent[], script: Timed[], fromUs: number, toUs: number): unknown {
  steps.length = 0;
  const pairs: string[] = [];
  const answers: string[] = [];
  const todo = script.filter((c) => c.atMs * 1000 > fromUs && c.atMs * 1000 <= toUs);
  for (let t = Math.min(fromUs + 5000, toUs); t <= toUs; t = t === toUs ? Infinity : Math.min(t + 5000, toUs)) {
    while (todo.length && todo[0]!.atMs * 1000 <= t) {
      const c = todo.shift()!;
      e.runUntil(c.atMs * 1000);
      const r = e.command(c.command);
      answers.push(`${e.nowUs} ${r.ok ? r.message : r.reason}`);
    }
    e.runUntil(t);
    for (const p of e.pairs.values()) pairs.push(JSON.stringify(e.pairStatus(p)));
  }
  const hosts = e.hostTotals().map((h) => [h.id, h.writesAcked, h.writesFailed, h.latency.count, h.latency.quantileUs(0.5), h.latency.quantileUs(0.99), h.latency.maxUs]);
  const volumes = e.topology.volumes.map((v) => `${v.id} ${e.volumeHash(v.id)}`);
  return { steps: steps.map((s) => JSON.stringify(s)), pairs, answers, hosts, volumes, events: e.sched.executed, pending: e.sched.pending, nowUs: e.nowUs };
}

describe('checkpoint and restore through the engine facade', () => {
  for (const c of CASES) {
    test(`${c.figure}${c.note ? ` (${c.note})` : ''} with its workload and a fault script: restoring the checkpoint at T1 and running to T2 gives exactly the same as the run did`, () => {
      const steps: StepEvent[] = [];
      const e = new Engine(load(c.figure), { seed: 11, sha256, sampleWorkloadWritesEveryUs: 20_000, onStep: (s) => steps.push(s) });
      e.startWorkloads(c.override);
      let T1 = 233_333;
      const T2 = 500_000;
      const script = [...c.script, write(233.3, 1 << 20, 65536)].sort((a, b) => a.atMs - b.atMs);
      runStretch(e, steps, script, 0, T1);
      // Mid-flight: the write issued just before T1 (and whatever else is on its way) is in the state being copied.
      expect(e.activeFlows).toBeGreaterThan(0);
      if (c.pendingAtT1) {
        // On, one event at a time, to a moment with such an event pending (reads are short: most moments have none).
        const pending = (): boolean => e.sched.pendingEvents().some((x) => c.pendingAtT1!.test(x.kind));
        for (let n = 0; !pending() && n < 100_000; n++) e.sched.runNext(T2);
        expect(pending()).toBe(true);
        T1 = e.nowUs;
      }
      const cp = e.checkpoint();
      expect(cp.timeUs).toBe(T1);
      const straight = runStretch(e, steps, script, T1, T2) as { steps: string[]; events: number };
      expect(straight.steps.length).toBeGreaterThan(50);

      e.restore(cp);
      expect(e.nowUs).toBe(T1);
      expect(e.sched.executed).toBe(cp.executed);
      const restored = runStretch(e, steps, script, T1, T2);
      expect(restored).toEqual(straight);

      // The checkpoint was not changed by running on from it: a fresh engine from it does the same once more.
      const again = Engine.fromCheckpoint(cp);
      const agSteps: StepEvent[] = [];
      (again as { onStep: unknown }).onStep = (s: StepEvent) => agSteps.push(s);
      expect(runStretch(again, agSteps, script, T1, T2)).toEqual(straight);
    });
  }

  test('restoring into a live engine takes its objects over (the shapes its optimised code knows) and leaves the checkpoint as it was', () => {
    const e = new Engine(load('fig01'), { seed: 4 });
    e.startWorkloads();
    e.runUntil(150_000);
    const cp = e.checkpoint();
    const straight = Engine.fromCheckpoint(cp);
    straight.runUntil(400_000);
    e.runUntil(300_000);
    const sched = e.sched;
    const pair = e.pairs.get('pair-async')!;
    e.restore(cp);
    // The same objects, holding the checkpoint's state (Object.create copies had other V8 maps: a first seek back
    // deoptimised the engine's hot code).
    expect(e.sched).toBe(sched);
    expect(e.pairs.get('pair-async')).toBe(pair);
    expect(e.nowUs).toBe(150_000);
    e.runUntil(400_000);
    expect(e.sched.executed).toBe(straight.sched.executed);
    for (const v of ['V11', 'V12', 'V21', 'V22']) expect(e.volumeHash(v)).toBe(straight.volumeHash(v));
    // The checkpoint was only read: restored again, it runs the same once more.
    const again = Engine.fromCheckpoint(cp);
    again.runUntil(400_000);
    expect(again.sched.executed).toBe(straight.sched.executed);
    expect(again.volumeHash('V22')).toBe(straight.volumeHash('V22'));
  });

  test('a restored engine is independent of the one it was taken from: the original running on does not move it', () => {
    const e = new Engine(load('fig01'), { seed: 3 });
    e.startWorkloads();
    e.runUntil(100_000);
    const cp = e.checkpoint();
    const copy = Engine.fromCheckpoint(cp);
    const before = copy.volumeHash('V11');
    e.runUntil(300_000);
    expect(e.volumeHash('V11')).not.toBe(before);
    expect(copy.nowUs).toBe(100_000);
    expect(copy.volumeHash('V11')).toBe(before);
  });
});
