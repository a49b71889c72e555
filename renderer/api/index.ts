// The renderer's side of the IPC contract: one RelayLabApi over Electron's preload bridge or over a WebSocket to web mode.
import type { ErrorCode, EventEnvelope, EventName, Events, Method, Params, RelayLabApi, ResponseEnvelope, Results, RpcError } from '../../app/ipc/contract';

/** What the Electron preload exposes as window.relaylab: calls answer with the response envelope, never throw. */
export interface PreloadBridge {
  call(method: string, params: unknown): Promise<ResponseEnvelope>;
  on(event: string, listener: (data: unknown) => void): () => void;
}

declare global {
  interface Window {
    relaylab?: PreloadBridge;
  }
}

/** A call main answered with an error (or that could not reach main). */
export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  readonly code: ErrorCode | 'disconnected';
  readonly path: (string | number)[] | undefined;
  constructor(
    readonly method: string,
    error: RpcError | { code: 'disconnected'; message: string },
  ) {
    super(`${method}: ${error.message}`);
    this.code = error.code;
    this.path = 'path' in error ? error.path : undefined;
  }
}

function unwrap<M extends Method>(method: M, response: ResponseEnvelope): Results[M] {
  if (response.ok) return response.result as Results[M];
  throw new RpcCallError(method, response.error);
}

/** Wraps the preload bridge into the typed api. */
export function createBridgeApi(bridge: PreloadBridge): RelayLabApi {
  return {
    call: async (method, params) => unwrap(method, await bridge.call(method, params)),
    on: (event, listener) => bridge.on(event, (data) => listener(data as Events[typeof event])),
  };
}

/** The subset of the browser WebSocket the client uses (the `ws` package's WebSocket fits too, for tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface WebSocketApiOptions {
  /** Defaults to the browser's WebSocket. */
  connect?: SocketFactory;
  /** First reconnect delay; doubles up to maxReconnectDelayMs. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Told when the connection opens or drops, for a status badge. */
  onConnectionChange?: (connected: boolean) => void;
  /** Told when the server closed this connection for good (class mode: the session was opened in another tab). */
  onEnded?: (reason: string) => void;
}

/** The close code of a class session taken over by another tab (main/server.ts CLOSE_SESSION_REPLACED): no reconnect. */
export const CLOSE_SESSION_REPLACED = 4001;

export interface WebSocketApi extends RelayLabApi {
  readonly connected: boolean;
  /** Closes for good: pending calls are rejected, no reconnect. */
  close(): void;
}

const OPEN = 1;

/**
 * A WebSocket client for web mode. Calls made while disconnected wait for the connection; calls in flight when it
 * drops are rejected (the server's engine for this connection is gone with it), and the client reconnects with backoff.
 */
export function createWebSocketApi(url: string, options: WebSocketApiOptions = {}): WebSocketApi {
  const connect: SocketFactory = options.connect ?? ((u) => new WebSocket(u) as unknown as SocketLike);
  const firstDelay = options.reconnectDelayMs ?? 250;
  const maxDelay = options.maxReconnectDelayMs ?? 5000;
  const pending = new Map<number, { method: string; resolve: (response: ResponseEnvelope) => void; reject: (e: Error) => void }>();
  /** Requests not yet sent, waiting for a connection (id and text). */
  const queued: { id: number; text: string }[] = [];
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let connected = false;
  let closed = false;
  let delay = firstDelay;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  const open = () => {
    const s = connect(url);
    socket = s;
    s.onopen = () => {
      connected = true;
      delay = firstDelay;
      options.onConnectionChange?.(true);
      for (const request of queued.splice(0)) s.send(request.text);
    };
    s.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message: ResponseEnvelope | EventEnvelope;
      try {
        message = JSON.parse(event.data) as ResponseEnvelope | EventEnvelope;
      } catch {
        return;
      }
      if ('event' in message) {
        for (const listener of listeners.get(message.event) ?? []) listener(message.data);
        return;
      }
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      call.resolve(message);
    };
    s.onerror = () => {
      // The close event follows and does the work.
    };
    s.onclose = (event) => {
      if (socket !== s) return;
      const code = (event as { code?: number } | null)?.code;
      if (code === CLOSE_SESSION_REPLACED) {
        // Reconnecting would take the session back from the other tab, which would take it back again.
        closed = true;
        options.onEnded?.('this class session was opened in another tab');
      }
      socket = null;
      const wasConnected = connected;
      connected = false;
      if (wasConnected) options.onConnectionChange?.(false);
      // Calls already sent are lost with the connection; queued ones wait for the next.
      const waiting = new Set(queued.map((request) => request.id));
      for (const [id, call] of pending) {
        if (waiting.has(id)) continue;
        pending.delete(id);
        call.reject(new RpcCallError(call.method, { code: 'disconnected', message: 'the connection to the RelayLab server was lost' }));
      }
      if (!closed) {
        reconnectTimer = setTimeout(open, delay);
        delay = Math.min(delay * 2, maxDelay);
      }
    };
  };
  open();

  return {
    get connected() {
      return connected;
    },
    call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]> {
      if (closed) return Promise.reject(new RpcCallError(method, { code: 'disconnected', message: 'the client was closed' }));
      const id = nextId++;
      const text = JSON.stringify({ id, method, params });
      return new Promise<ResponseEnvelope>((resolve, reject) => {
        pending.set(id, { method, resolve, reject });
        if (socket && socket.readyState === OPEN) socket.send(text);
        else queued.push({ id, text });
      }).then((response) => unwrap(method, response));
    },
    on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const untyped = listener as (data: unknown) => void;
      set.add(untyped);
      return () => set.delete(untyped);
    },
    close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      queued.length = 0;
      for (const [, call] of pending) call.reject(new RpcCallError(call.method, { code: 'disconnected', message: 'the client was closed' }));
      pending.clear();
      socket?.close();
    },
  };
}

/**
 * The /rpc URL of the server this page came from, carrying the page's ?token= when there is one, the class session
 * key (a server in class mode gives a reconnecting student their own engine back) and the instructor's role.
 */
export function rpcUrlFor(location: { protocol: string; host: string; search: string }, extra: { session?: string; role?: 'instructor' } = {}): string {
  const query = new URLSearchParams();
  const token = new URLSearchParams(location.search).get('token');
  if (token) query.set('token', token);
  if (extra.session) query.set('session', extra.session);
  if (extra.role) query.set('role', extra.role);
  const text = query.toString();
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/rpc${text ? `?${text}` : ''}`;
}

const SESSION_KEY_STORAGE = 'relaylab.classSession';

/** This tab's class session key: kept in sessionStorage, so a reload or a dropped connection finds the same engine. */
export function classSessionKey(storage: Pick<Storage, 'getItem' | 'setItem'> | null = globalThis.sessionStorage ?? null): string {
  const saved = storage?.getItem(SESSION_KEY_STORAGE);
  if (saved && /^[A-Za-z0-9_-]{16,100}$/.test(saved)) return saved;
  // getRandomValues, not randomUUID: a classroom server on a LAN address is not a secure context.
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  const key = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  storage?.setItem(SESSION_KEY_STORAGE, key);
  return key;
}

/** Whether this page is the instructor's (web mode, class mode): /instructor. */
export function isInstructorPage(pathname: string = window.location.pathname): boolean {
  return /\/instructor\/?$/.test(pathname);
}

let api: RelayLabApi | null = null;
const connectionListeners = new Set<(connected: boolean) => void>();
const endedListeners = new Set<(reason: string) => void>();

/** Told when the web-mode connection opens or drops (class mode rejoins on a reconnect). */
export function onConnectionChange(listener: (connected: boolean) => void): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}
/** Told when the server ended this connection for good. */
export function onConnectionEnded(listener: (reason: string) => void): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

/** The api for this window, whatever the transport: the Electron preload's bridge when present, else the web server's WebSocket. */
export function getApi(): RelayLabApi {
  if (!api) {
    const instructor = isInstructorPage();
    api = window.relaylab
      ? createBridgeApi(window.relaylab)
      : createWebSocketApi(rpcUrlFor(window.location, instructor ? { role: 'instructor' } : { session: classSessionKey() }), {
          onConnectionChange: (connected) => connectionListeners.forEach((l) => l(connected)),
          onEnded: (reason) => endedListeners.forEach((l) => l(reason)),
        });
  }
  return api;
}
