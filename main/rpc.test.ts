// The dispatcher both transports share, driven through the renderer's bridge api the way the Electron preload drives it.
import { describe, expect, it } from 'vitest';
import { builtInText } from '../test/builtins';
import { RpcCallError, createBridgeApi } from '../renderer/api/index';
import type { PreloadBridge } from '../renderer/api/index';
import { EngineHostError } from './engine-host';
import type { AsyncEngine } from './engine-host';
import { RpcFailure, createDispatcher, createHandlers, defaultValidator } from './rpc';
import type { FileService } from './rpc';

const fig1 = JSON.parse(builtInText('fig01-loop-cascade.relaylab.json')) as unknown;

function desktop(overrides: { engine?: () => AsyncEngine; files?: FileService } = {}) {
  const logged: string[] = [];
  const dispatch = createDispatcher(
    createHandlers({
      mode: 'desktop',
      version: '9.9.9',
      platform: 'test',
      validate: defaultValidator,
      engine:
        overrides.engine ??
        (() => {
          throw new Error('engine exploded');
        }),
      ...(overrides.files ? { files: overrides.files } : {}),
    }),
    { error: (message) => logged.push(message) },
  );
  let nextId = 1;
  // What preload.ts does: wrap method and params into an envelope and hand back the response envelope.
  const bridge: PreloadBridge = { call: (method, params) => dispatch({ id: nextId++, method, params }, { peer: 'test' }), on: () => () => undefined };
  return { api: createBridgeApi(bridge), dispatch, logged };
}

describe('the request dispatcher', () => {
  it('validates the FIG. 1 template clean and finds a pair that points nowhere', async () => {
    const { api } = desktop();
    expect(await api.call('topology.validate', { topology: fig1 })).toEqual({ problems: [] });
    const broken = structuredClone(fig1) as { pairs: { primaryVolumeId?: string }[] };
    const pair = broken.pairs[0];
    if (!pair) throw new Error('FIG. 1 has no pair');
    pair.primaryVolumeId = 'V-missing';
    const { problems } = await api.call('topology.validate', { topology: broken });
    expect(problems.some((p) => p.code === 'dangling-reference' && p.path[0] === 'pairs')).toBe(true);
  });

  it('turns a crashing handler into an internal error and logs it', async () => {
    const { api, logged } = desktop();
    const error = await api.call('engine.snapshot', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcCallError);
    expect((error as RpcCallError).code).toBe('internal');
    expect((error as RpcCallError).message).toContain('engine exploded');
    expect(logged).toEqual(['engine.snapshot from test failed']);
  });

  it('does not log a call cut short by its client leaving', async () => {
    const terminated = new EngineHostError('hashes', 'terminated', 'the engine was terminated');
    const engine = { hashes: () => Promise.reject(terminated) } as unknown as AsyncEngine;
    const { api, logged } = desktop({ engine: () => engine });
    await expect(api.call('engine.hashes', { volumeIds: ['V11'] })).rejects.toMatchObject({ code: 'internal' });
    expect(logged).toEqual([]);
  });

  it('passes a typed failure through with its code', async () => {
    const files: FileService = {
      open: async () => {
        throw new RpcFailure('unsupported', 'no dialogs in this test');
      },
      save: async ({ text }) => ({ path: `/tmp/${text.length}.relaylab.json` }),
      recent: async () => ({ paths: [] }),
    };
    const { api, logged } = desktop({ files });
    await expect(api.call('file.open', {})).rejects.toMatchObject({ code: 'unsupported' });
    expect(await api.call('file.save', { text: 'abc' })).toEqual({ path: '/tmp/3.relaylab.json' });
    expect(logged).toEqual([]);
  });

  it('answers every malformed request with an error envelope', async () => {
    const { dispatch } = desktop();
    for (const raw of [null, 42, 'app.info', { id: -1, method: 'app.info' }, { id: 1, method: 'app.info', params: {}, extra: true }]) {
      expect(await dispatch(raw, { peer: 'test' })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(await dispatch({ id: 3, method: '__proto__', params: {} }, { peer: 'test' })).toMatchObject({ id: 3, ok: false, error: { code: 'unknown-method' } });
    expect(await dispatch({ id: 4, method: 'engine.hashes', params: { volumeIds: [1] } }, { peer: 'test' })).toMatchObject({
      id: 4,
      ok: false,
      error: { code: 'invalid-params', path: ['volumeIds', 0] },
    });
    expect(await dispatch({ id: 5, method: 'app.info', params: {} }, { peer: 'test' })).toEqual({ id: 5, ok: true, result: { mode: 'desktop', version: '9.9.9', platform: 'test' } });
  });

  it('takes a request without params (or with null) as empty params, and still checks required ones', async () => {
    const { dispatch } = desktop();
    expect(await dispatch({ id: 6, method: 'app.info' }, { peer: 'test' })).toEqual({ id: 6, ok: true, result: { mode: 'desktop', version: '9.9.9', platform: 'test' } });
    expect(await dispatch({ id: 7, method: 'file.recent', params: null }, { peer: 'test' })).toMatchObject({ id: 7, ok: false, error: { code: 'unsupported' } });
    expect(await dispatch({ id: 8, method: 'engine.hashes' }, { peer: 'test' })).toMatchObject({ id: 8, ok: false, error: { code: 'invalid-params', path: ['volumeIds'] } });
  });

  it('hands engine work to the engine (its worker) and keeps answering while it is busy', async () => {
    const asked: string[] = [];
    let finishHashes: (hashes: Record<string, string>) => void = () => undefined;
    const engine: AsyncEngine = {
      load: async () => (asked.push('load'), { problems: [], loaded: true }),
      control: async () => {
        throw new Error('not used');
      },
      command: async () => {
        throw new Error('not used');
      },
      snapshot: async () => {
        throw new Error('not used');
      },
      hashes: (volumeIds) => {
        asked.push(`hashes ${volumeIds.join(',')}`);
        return new Promise((resolve) => (finishHashes = resolve));
      },
      verify: async () => {
        throw new Error('not used');
      },
    };
    const { api } = desktop({ engine: () => engine });
    expect(await api.call('engine.load', { topology: fig1 })).toEqual({ problems: [], loaded: true });
    const hashes = api.call('engine.hashes', { volumeIds: ['V11', 'V21'] });
    // The hashes are the worker's to compute: main only forwards, so another request answers in the meantime.
    expect(await api.call('app.info', {})).toMatchObject({ mode: 'desktop' });
    expect(asked).toEqual(['load', 'hashes V11,V21']);
    finishHashes({ V11: 'aa', V21: 'aa' });
    expect(await hashes).toEqual({ hashes: { V11: 'aa', V21: 'aa' } });
  });
});
