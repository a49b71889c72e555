// The host side of the engine worker protocol over a real MessageChannel: ids, ordering, errors, snapshots, termination.
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriverHost, EngineService, Snapshot } from '../app/engine/api';
import { EngineHost, EngineHostError, serveEngine } from './engine-host';

/** A tiny stand-in driver (the real one lives in main/engine): counts time in control calls and refuses unknown pairs. */
function countingDriver(host: DriverHost): EngineService {
  let timeUs = 0;
  let disposed = false;
  const snapshot = (): Snapshot => ({ timeUs, running: false, speed: 1, seed: 7, pairs: [], caches: [], links: [], hosts: [], failedSystems: [], events: [] });
  return {
    load: (topology) => ({ problems: [], loaded: typeof topology === 'object' && topology !== null }),
    control: (control) => {
      if (control.action === 'runFor') timeUs += control.virtualMs * 1000;
      if (control.action === 'play') host.setTimer(() => host.emitSnapshot(snapshot()), 5);
      return snapshot();
    },
    command: (command) => {
      if (command.type === 'pair') throw new Error(`no pair ${command.pairId}`);
      return { ok: true };
    },
    snapshot,
    hashes: (ids) => Object.fromEntries(ids.map((id) => [id, disposed ? 'gone' : `sha-${id}`])),
    verify: async (ids) => ({ hashes: Object.fromEntries(ids.map((id) => [id, `sha-${id}`])), heldAtUs: timeUs, drainedUs: 0, settled: true, inFlight: [], writesResumed: false, hashWallMs: 0 }),
    dispose: () => {
      disposed = true;
    },
  };
}

const ports: MessagePort[] = [];
afterEach(() => {
  for (const port of ports.splice(0)) port.close();
});

function connect(): EngineHost {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  serveEngine(port2, countingDriver, () => port2.close());
  return new EngineHost(port1);
}

describe('the engine host', () => {
  it('answers concurrent calls each with its own result', async () => {
    const engine = connect();
    const [loaded, after, hashes] = await Promise.all([
      engine.load({ formatVersion: 1 }, 3),
      engine.control({ action: 'runFor', virtualMs: 250 }),
      engine.hashes(['V12', 'R1']),
    ]);
    expect(loaded).toEqual({ problems: [], loaded: true });
    expect(after.timeUs).toBe(250_000);
    expect(hashes).toEqual({ V12: 'sha-V12', R1: 'sha-R1' });
  });

  it('turns an exception in the engine into a rejected call, and keeps going', async () => {
    const engine = connect();
    const failure = await engine.command({ type: 'pair', pairId: 'P9', op: 'split' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(EngineHostError);
    expect((failure as EngineHostError).reason).toBe('engine-threw');
    expect((failure as Error).message).toContain('no pair P9');
    expect(await engine.command({ type: 'cutCable', cableId: 'CN4' })).toEqual({ ok: true });
  });

  it('forwards snapshots the driver emits on its timer to subscribers', async () => {
    const engine = connect();
    const received = new Promise<Snapshot>((resolve) => engine.onSnapshot(resolve));
    await engine.control({ action: 'play' });
    expect((await received).seed).toBe(7);
  });

  it('rejects calls after termination instead of hanging', async () => {
    const engine = connect();
    await engine.terminate();
    await expect(engine.snapshot()).rejects.toMatchObject({ reason: 'terminated' });
  });
});
