// Runs the planning cross-check (main/plan/crosscheck) in a short-lived worker thread, so main's thread keeps answering.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Topology } from '../app/model/schema';
import { crossCheck } from './plan/crosscheck';
import type { CrossCheckOptions, CrossCheckReport } from './plan/crosscheck';

/** What the engine-worker bundle receives as workerData when started for one cross-check instead of a live engine. */
export interface CrossCheckJob {
  task: 'crosscheck';
  /** Already parsed and migrated by main (parseTopologyValue), so the worker trusts its shape. */
  topology: Topology;
  options: CrossCheckOptions;
}
/** Worker -> host: the one message a cross-check worker posts before it ends. */
export type CrossCheckAnswer = { ok: true; report: CrossCheckReport } | { ok: false; error: string };

export function isCrossCheckJob(data: unknown): data is CrossCheckJob {
  return typeof data === 'object' && data !== null && (data as { task?: unknown }).task === 'crosscheck';
}

/** Worker side: runs the job and turns an exception into an answer, so the host always gets exactly one message. */
export function answerCrossCheck(job: CrossCheckJob): CrossCheckAnswer {
  try {
    return { ok: true, report: crossCheck(job.topology, job.options) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

/** Why a cross-check produced no report; 'aborted' means its caller left and is not a fault. */
export class CrossCheckError extends Error {
  override readonly name = 'CrossCheckError';
  constructor(
    readonly reason: 'threw' | 'worker-exited' | 'timeout' | 'aborted' | 'busy',
    message: string,
  ) {
    super(`cross-check: ${message}`);
  }
}

export interface CrossCheckRunnerOptions {
  /** Cross-checks running at once (each is one busy thread). Default: one less than the cores, at least one. */
  maxConcurrent?: number;
  /** Cross-checks waiting for a free slot before new ones are refused as 'busy'. Default 16. */
  maxQueued?: number;
  /**
   * Wall time a cross-check may take from its start. Default 120 s: the longest allowed run (10 s of virtual time)
   * takes about 15 s on a free core, so this only stops a wedged or badly starved one.
   */
  timeoutMs?: number;
}

interface Waiting {
  start: () => void;
  signal: AbortSignal | undefined;
  reject: (e: CrossCheckError) => void;
}

/**
 * Starts one worker thread (the engine-worker bundle, told by workerData to run a cross-check) per job, at most
 * maxConcurrent at a time across all clients, and ends it when the job is done, times out, or its caller aborts.
 */
export class CrossCheckRunner {
  private running = 0;
  private readonly queue: Waiting[] = [];
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly workerFile: string,
    options: CrossCheckRunnerOptions = {},
  ) {
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? availableParallelism() - 1);
    this.maxQueued = options.maxQueued ?? 16;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  run(topology: Topology, options: CrossCheckOptions, signal?: AbortSignal): Promise<CrossCheckReport> {
    if (signal?.aborted) return Promise.reject(new CrossCheckError('aborted', 'the caller left before it started'));
    if (this.running >= this.maxConcurrent && this.queue.length >= this.maxQueued)
      return Promise.reject(new CrossCheckError('busy', `${this.running} cross-checks running and ${this.queue.length} waiting: try again shortly`));
    return new Promise<CrossCheckReport>((resolve, reject) => {
      const start = () => {
        this.running++;
        this.execute({ task: 'crosscheck', topology, options }, signal).then(resolve, reject).finally(() => {
          this.running--;
          this.next();
        });
      };
      if (this.running < this.maxConcurrent) return start();
      const waiting: Waiting = { start, signal, reject };
      this.queue.push(waiting);
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.queue.indexOf(waiting);
          if (at < 0) return;
          this.queue.splice(at, 1);
          reject(new CrossCheckError('aborted', 'the caller left while it waited'));
        },
        { once: true },
      );
    });
  }

  private next(): void {
    while (this.running < this.maxConcurrent) {
      const waiting = this.queue.shift();
      if (!waiting) return;
      if (waiting.signal?.aborted) waiting.reject(new CrossCheckError('aborted', 'the caller left while it waited'));
      else waiting.start();
    }
  }

  private execute(job: CrossCheckJob, signal: AbortSignal | undefined): Promise<CrossCheckReport> {
    return new Promise<CrossCheckReport>((resolve, reject) => {
      let settled = false;
      const worker = new Worker(this.workerFile, { workerData: job });
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
        void worker.terminate();
      };
      const onAbort = () => finish(() => reject(new CrossCheckError('aborted', 'the caller left while it ran')));
      const timer = setTimeout(() => finish(() => reject(new CrossCheckError('timeout', `no answer after ${this.timeoutMs} ms`))), this.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.once('message', (raw: unknown) => {
        const answer = raw as CrossCheckAnswer;
        finish(() => (answer.ok ? resolve(answer.report) : reject(new CrossCheckError('threw', answer.error))));
      });
      worker.once('error', (e) => finish(() => reject(new CrossCheckError('worker-exited', e.message))));
      worker.once('exit', (code) => finish(() => reject(new CrossCheckError('worker-exited', `the worker exited with code ${code} before answering`))));
    });
  }
}
