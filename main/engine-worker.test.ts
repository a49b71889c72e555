// The real engine in its worker thread, reached through web mode: one engine per connection, snapshots pushed, stopped on close.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { builtInText, loadBuiltIn } from '../test/builtins';
import type { Snapshot } from '../app/engine/api';
import { createWebSocketApi } from '../renderer/api/index';
import type { SocketLike, WebSocketApi } from '../renderer/api/index';
import { CrossCheckRunner } from './crosscheck-host';
import { EngineHost } from './engine-host';
import { startServer } from './server';
import type { RunningServer } from './server';

const workerFile = path.resolve('dist/main/engine-worker.mjs');
const built = existsSync(workerFile);
const fig1 = JSON.parse(builtInText('fig01-loop-cascade.relaylab.json')) as unknown;

describe.skipIf(!built)('the engine worker (built bundle)', () => {
  let server: RunningServer;
  const clients: WebSocketApi[] = [];
  const connect = () => {
    const api = createWebSocketApi(`ws://127.0.0.1:${server.port}/rpc`, { connect: (u) => new WebSocket(u) as unknown as SocketLike });
    clients.push(api);
    return api;
  };
  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', root: path.resolve('dist/renderer'), engineWorkerFile: workerFile, log: { error: () => undefined } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await server.close();
  });

  it('loads FIG. 1, runs virtual time and reports pairs, in a worker per connection', async () => {
    const alice = connect();
    const bob = connect();
    expect(await alice.call('engine.load', { topology: fig1, seed: 5 })).toMatchObject({ loaded: true });
    expect(await bob.call('engine.load', { topology: fig1, seed: 6 })).toMatchObject({ loaded: true });
    const { snapshot } = await alice.call('engine.control', { action: 'runFor', virtualMs: 200 });
    expect(snapshot.timeUs).toBeGreaterThanOrEqual(200_000);
    expect(snapshot.pairs.map((p) => p.id).sort()).toEqual(['pair-async', 'pair-sync']);
    // Bob's engine did not move with Alice's: each connection has its own.
    const bobs = await bob.call('engine.snapshot', {});
    expect(bobs.timeUs).toBe(0);
    expect(bobs.seed).toBe(6);
  });

  it('pushes snapshots while playing', async () => {
    const api = connect();
    await api.call('engine.load', { topology: fig1 });
    const pushed = new Promise<Snapshot>((resolve) => {
      const off = api.on('engine.snapshot', (s) => {
        off();
        resolve(s);
      });
    });
    await api.call('engine.control', { action: 'play', speed: 10 });
    expect((await pushed).running).toBe(true);
    await api.call('engine.control', { action: 'pause' });
  });

  it('refuses a command that does not fit, naming the reason, without breaking the engine', async () => {
    const api = connect();
    await api.call('engine.load', { topology: fig1 });
    const answer = await api.call('engine.command', { type: 'cutCable', cableId: 'no-such-cable' });
    expect(answer.ok).toBe(false);
    expect((await api.call('engine.snapshot', {})).pairs).toHaveLength(2);
  });
});

describe.skipIf(!built)('EngineHost.start', () => {
  it('terminates its worker and rejects later calls', async () => {
    const engine = EngineHost.start(workerFile);
    expect((await engine.load(fig1)).loaded).toBe(true);
    await engine.terminate();
    await expect(engine.snapshot()).rejects.toMatchObject({ reason: 'terminated' });
  });
});

describe.skipIf(!built)('the built worker bundle running a cross-check', () => {
  it('answers FIG. 1 with formula and engine side by side, then its thread ends', async () => {
    const report = await new CrossCheckRunner(workerFile, { maxConcurrent: 1 }).run(loadBuiltIn('fig01-loop-cascade.relaylab.json'), { durationMs: 200, seed: 3 });
    expect(report.seed).toBe(3);
    expect(report.rows.some((r) => r.quantity === 'host write latency' && r.engine !== null && r.formula !== null)).toBe(true);
  });
});
