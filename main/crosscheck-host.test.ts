// plan.crosscheck off main's thread: the web server keeps answering while a cross-check runs; the runner queues, aborts and times out.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { builtInText, loadBuiltIn } from '../test/builtins';
import { createWebSocketApi } from '../renderer/api/index';
import type { SocketLike, WebSocketApi } from '../renderer/api/index';
import { CrossCheckError, CrossCheckRunner } from './crosscheck-host';
import { startServer } from './server';
import type { RunningServer } from './server';

const fig1Raw = JSON.parse(builtInText('fig01-loop-cascade.relaylab.json')) as unknown;
const fig1 = loadBuiltIn('fig01-loop-cascade.relaylab.json');

// The worker bundle built from the sources under test (as scripts/build.mjs builds it), not a possibly stale dist/.
let workerFile = '';
beforeAll(async () => {
  workerFile = path.join(mkdtempSync(path.join(tmpdir(), 'relaylab-crosscheck-')), 'engine-worker.mjs');
  await build({ entryPoints: ['main/engine-worker.ts'], outfile: workerFile, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
}, 60_000);

describe('plan.crosscheck over web mode', () => {
  let server: RunningServer;
  let api: WebSocketApi;
  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', root: tmpdir(), engineWorkerFile: workerFile, log: { error: () => undefined } });
    api = createWebSocketApi(`ws://127.0.0.1:${server.port}/rpc`, { connect: (u) => new WebSocket(u) as unknown as SocketLike });
    await api.call('app.info', {});
  });
  afterAll(async () => {
    api.close();
    await server.close();
  });

  it('answers app.info on the same connection while a cross-check runs', async () => {
    // Ordering, not timing: had the cross-check run on the server's thread, app.info could only be
    // answered after it, so the cross-check's answer would arrive first. A long run makes that certain.
    let crossCheckAnswered = false;
    const running = api.call('plan.crosscheck', { topology: fig1Raw, durationMs: 10_000 }).then((report) => {
      crossCheckAnswered = true;
      return report;
    });
    // Let the request reach the server and the worker start before asking something else.
    await new Promise((r) => setTimeout(r, 150));
    const info = await api.call('app.info', {});
    expect(info.mode).toBe('web');
    expect(crossCheckAnswered).toBe(false);

    const report = await running;
    expect(report.durationMs).toBe(10_000);
    expect(report.rows.find((r) => r.quantity === 'host write latency')?.agrees).toBe(true);
  }, 120_000);

  it('still locates a topology that does not load, without starting a worker', async () => {
    const error = await api.call('plan.crosscheck', { topology: { formatVersion: 1, name: 'x', sites: 'no' } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-params', path: ['topology', 'sites'] });
  });
});

describe('CrossCheckRunner', () => {
  it('runs one at a time when told to, in order, and both answer', async () => {
    const runner = new CrossCheckRunner(workerFile, { maxConcurrent: 1 });
    const finished: number[] = [];
    const a = runner.run(fig1, { durationMs: 300, seed: 1 }).then((r) => (finished.push(1), r));
    const b = runner.run(fig1, { durationMs: 100, seed: 2 }).then((r) => (finished.push(2), r));
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.seed, rb.seed]).toEqual([1, 2]);
    // b is shorter but waited for a's slot.
    expect(finished).toEqual([1, 2]);
  }, 60_000);

  it('refuses beyond its queue, and drops a queued job whose caller left', async () => {
    const runner = new CrossCheckRunner(workerFile, { maxConcurrent: 1, maxQueued: 1 });
    const first = runner.run(fig1, { durationMs: 300 });
    const left = new AbortController();
    const queued = runner.run(fig1, { durationMs: 300 }, left.signal);
    await expect(runner.run(fig1, { durationMs: 300 })).rejects.toMatchObject({ reason: 'busy' });
    left.abort();
    await expect(queued).rejects.toMatchObject({ reason: 'aborted' });
    expect((await first).durationMs).toBe(300);
  }, 60_000);

  it('ends a running cross-check when its caller leaves, and one that runs past its time limit', async () => {
    const runner = new CrossCheckRunner(workerFile, { maxConcurrent: 2, timeoutMs: 200 });
    const slow = runner.run(fig1, { durationMs: 10_000 });
    await expect(slow).rejects.toBeInstanceOf(CrossCheckError);
    await expect(slow).rejects.toMatchObject({ reason: 'timeout' });

    const patient = new CrossCheckRunner(workerFile);
    const left = new AbortController();
    const abandoned = patient.run(fig1, { durationMs: 10_000 }, left.signal);
    setTimeout(() => left.abort(), 100);
    await expect(abandoned).rejects.toMatchObject({ reason: 'aborted' });
  }, 60_000);

  it('reports a worker file that does not exist as a failed worker, not a hang', async () => {
    const runner = new CrossCheckRunner(path.join(tmpdir(), 'no-such-worker.mjs'));
    await expect(runner.run(fig1, { durationMs: 100 })).rejects.toMatchObject({ reason: 'worker-exited' });
  });
});
