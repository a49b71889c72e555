// Runs the engine off the main thread: the worker side (serveEngine) and the host side (EngineHost, an async EngineService over messages).
import { Worker } from 'node:worker_threads';
import type { CommandResult, DriverHost, EngineCommand, EngineService, RunControl, Snapshot, VerifyResult } from '../app/engine/api';
import type { Problem } from '../app/model/problem';

/** The engine as main holds it: every call is a message to the worker, so every result is a promise. */
export interface AsyncEngine {
  load(topology: unknown, seed?: number): Promise<{ problems: Problem[]; loaded: boolean }>;
  control(control: RunControl): Promise<Snapshot>;
  command(command: EngineCommand): Promise<CommandResult>;
  snapshot(): Promise<Snapshot>;
  hashes(volumeIds: string[]): Promise<Record<string, string>>;
  verify(volumeIds: string[]): Promise<VerifyResult>;
}

type Op = 'load' | 'control' | 'command' | 'snapshot' | 'hashes' | 'verify';
const OPS: readonly Op[] = ['load', 'control', 'command', 'snapshot', 'hashes', 'verify'];

/** Host -> worker. */
export type EngineRequest = { id: number; op: Op; args: unknown[] } | { id: number; op: 'dispose' };
/** Worker -> host. */
export type EngineMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string }
  | { kind: 'snapshot'; snapshot: Snapshot };

/** The part of a worker_threads port (parentPort, MessagePort, Worker) both sides use; lets tests use a MessageChannel. */
export interface MessageEndpoint {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** Raised on the host when the worker answered with an error, died, or was terminated. */
export class EngineHostError extends Error {
  override readonly name = 'EngineHostError';
  constructor(
    readonly op: string,
    readonly reason: 'engine-threw' | 'worker-exited' | 'terminated',
    message: string,
  ) {
    super(`engine ${op}: ${message}`);
  }
}

/**
 * Worker side: builds the driver with a real clock and timer and answers requests in order.
 * The driver decides when to emit snapshots (about 30 a second while running); they are posted as they come.
 */
export function serveEngine(port: MessageEndpoint, createDriver: (host: DriverHost) => EngineService, onDisposed?: () => void): void {
  const host: DriverHost = {
    nowMs: () => Date.now(),
    setTimer: (fn, ms) => {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
    emitSnapshot: (snapshot) => port.postMessage({ kind: 'snapshot', snapshot } satisfies EngineMessage),
  };
  const driver = createDriver(host);
  port.on('message', (raw) => {
    const request = raw as EngineRequest;
    if (request.op === 'dispose') {
      driver.dispose();
      port.postMessage({ kind: 'result', id: request.id, ok: true, value: null } satisfies EngineMessage);
      onDisposed?.();
      return;
    }
    try {
      if (!OPS.includes(request.op)) throw new Error(`no engine operation "${String(request.op)}"`);
      // The op name was checked against OPS, and the args came from EngineHost's typed methods.
      const method = driver[request.op] as (...args: unknown[]) => unknown;
      const value = method.apply(driver, request.args);
      // verify answers later (it hashes in slices between the run's ticks); the others at once.
      if (value instanceof Promise)
        value.then(
          (v: unknown) => port.postMessage({ kind: 'result', id: request.id, ok: true, value: v } satisfies EngineMessage),
          (e: unknown) => port.postMessage({ kind: 'result', id: request.id, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } satisfies EngineMessage),
        );
      else port.postMessage({ kind: 'result', id: request.id, ok: true, value } satisfies EngineMessage);
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      port.postMessage({ kind: 'result', id: request.id, ok: false, error } satisfies EngineMessage);
    }
  });
}

interface Pending {
  op: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** Host side: request ids, promises, snapshot subscribers. Works over a Worker or any MessageEndpoint. */
export class EngineHost implements AsyncEngine {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly snapshotListeners = new Set<(snapshot: Snapshot) => void>();
  private closed: EngineHostError | null = null;

  constructor(
    private readonly endpoint: MessageEndpoint,
    private readonly stop: () => Promise<unknown> = async () => undefined,
  ) {
    endpoint.on('message', (raw) => this.receive(raw as EngineMessage));
  }

  /** Starts a worker thread running the bundled engine-worker.mjs (dist/main/engine-worker.mjs). */
  static start(workerFile: string): EngineHost {
    const worker = new Worker(workerFile);
    const host = new EngineHost(worker, () => worker.terminate());
    worker.on('error', (e) => host.fail(new EngineHostError('worker', 'worker-exited', e.message)));
    worker.on('exit', (code) => host.fail(new EngineHostError('worker', 'worker-exited', `the engine worker exited with code ${code}`)));
    return host;
  }

  load(topology: unknown, seed?: number) {
    return this.request<{ problems: Problem[]; loaded: boolean }>('load', seed === undefined ? [topology] : [topology, seed]);
  }
  control(control: RunControl) {
    return this.request<Snapshot>('control', [control]);
  }
  command(command: EngineCommand) {
    return this.request<CommandResult>('command', [command]);
  }
  snapshot() {
    return this.request<Snapshot>('snapshot', []);
  }
  hashes(volumeIds: string[]) {
    return this.request<Record<string, string>>('hashes', [volumeIds]);
  }

  verify(volumeIds: string[]) {
    return this.request<VerifyResult>('verify', [volumeIds]);
  }

  /** Subscribes to snapshots the driver pushes while running; returns the unsubscribe function. */
  onSnapshot(listener: (snapshot: Snapshot) => void): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  /** Asks the driver to dispose (stops its timers), then stops the worker; pending calls are rejected. */
  async terminate(): Promise<void> {
    if (this.closed) return;
    const disposed = this.send<unknown>({ id: this.nextId++, op: 'dispose' }, 'dispose');
    // A wedged engine must not keep the process alive: give dispose a short grace period.
    await Promise.race([disposed.catch(() => undefined), new Promise((r) => setTimeout(r, 500).unref?.())]);
    this.fail(new EngineHostError('terminate', 'terminated', 'the engine was terminated'));
    await this.stop();
  }

  private request<T>(op: Op, args: unknown[]): Promise<T> {
    return this.send<T>({ id: this.nextId++, op, args }, op);
  }

  private send<T>(request: EngineRequest, op: string): Promise<T> {
    if (this.closed) return Promise.reject(new EngineHostError(op, this.closed.reason, this.closed.message));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(request.id, { op, resolve: resolve as (value: unknown) => void, reject });
      this.endpoint.postMessage(request);
    });
  }

  private receive(message: EngineMessage): void {
    if (message.kind === 'snapshot') {
      for (const listener of this.snapshotListeners) listener(message.snapshot);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new EngineHostError(pending.op, 'engine-threw', message.error));
  }

  private fail(error: EngineHostError): void {
    if (this.closed) return;
    this.closed = error;
    for (const [, pending] of this.pending) pending.reject(new EngineHostError(pending.op, error.reason, error.message));
    this.pending.clear();
    this.snapshotListeners.clear();
  }
}
