// The sandboxed preload: exposes only window.relaylab = { call, on } to the page; ipcRenderer itself never crosses the bridge.
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, RPC_CHANNEL } from './channels';

let nextId = 1;

contextBridge.exposeInMainWorld('relaylab', {
  /** Resolves with the response envelope { id, ok, result | error }; main checks method and params. */
  call: (method: unknown, params: unknown): Promise<unknown> => {
    if (typeof method !== 'string') return Promise.resolve({ id: -1, ok: false, error: { code: 'bad-request', message: 'method must be a string' } });
    return ipcRenderer.invoke(RPC_CHANNEL, { id: nextId++, method, params });
  },
  on: (event: unknown, listener: unknown): (() => void) => {
    if (typeof event !== 'string' || typeof listener !== 'function') throw new TypeError('on(event: string, listener: function)');
    const handler = (_e: IpcRendererEvent, envelope: { event?: unknown; data?: unknown }) => {
      if (envelope?.event === event) (listener as (data: unknown) => void)(envelope.data);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
});
