// The one typed contract between renderer and main: request/response methods and pushed events, both transports (Electron IPC, WebSocket).
import { z } from 'zod';
import { EngineCommand, RunControl } from '../engine/api';
import type { CommandResult, Snapshot, VerifyResult } from '../engine/api';
import type { Problem } from '../model/problem';
import type { ReportCrossCheck } from '../report/report';

/** Each method: a zod schema for its params (checked in main) and the TypeScript type of its result. */
export const methods = {
  'app.info': z.strictObject({}),
  /** The renderer listens for 'app.openFile': main sends a document the desktop shell named (command line, file association). */
  'app.ready': z.strictObject({}),
  'topology.validate': z.strictObject({ topology: z.unknown() }),
  'engine.load': z.strictObject({ topology: z.unknown(), seed: z.number().int().nonnegative().optional() }),
  'engine.control': RunControl,
  'engine.command': EngineCommand,
  'engine.snapshot': z.strictObject({}),
  'engine.hashes': z.strictObject({ volumeIds: z.array(z.string().max(128)).max(10_000) }),
  'engine.verify': z.strictObject({ volumeIds: z.array(z.string().max(128)).max(10_000) }),
  /** Desktop only: native dialogs and disk. Web mode answers 'unsupported' and the renderer uses upload/download. */
  'file.open': z.strictObject({ path: z.string().max(4096).optional() }),
  'file.save': z.strictObject({ path: z.string().max(4096).optional(), text: z.string().max(64 * 1024 * 1024), saveAs: z.boolean().optional() }),
  'file.recent': z.strictObject({}),
  /**
   * Runs the planning formulas' engine cross-check (main/plan/crosscheck) on a topology in main: the same write flow
   * simulated for `durationMs` of virtual time, formula and engine side by side. Independent of the live engine.
   */
  'plan.crosscheck': z.strictObject({
    topology: z.unknown(),
    outageSeconds: z.number().positive().max(1e7).optional(),
    targetLatencyMs: z.number().positive().max(1e6).optional(),
    durationMs: z.number().int().min(100).max(10_000).optional(),
    seed: z.number().int().nonnegative().optional(),
  }),
  /** Desktop only: prints a report (self-contained HTML from app/report) to a PDF the user picks. Web mode prints in the browser. */
  'report.pdf': z.strictObject({ html: z.string().max(64 * 1024 * 1024), suggestedName: z.string().max(200).optional() }),
} as const;
export type Method = keyof typeof methods;
export type Params<M extends Method> = z.infer<(typeof methods)[M]>;

export interface Results {
  'app.info': { mode: 'desktop' | 'web'; version: string; platform: string };
  'app.ready': Record<string, never>;
  'topology.validate': { problems: Problem[] };
  'engine.load': { problems: Problem[]; loaded: boolean };
  'engine.control': { snapshot: Snapshot };
  'engine.command': CommandResult;
  'engine.snapshot': Snapshot;
  'engine.hashes': { hashes: Record<string, string> };
  'engine.verify': VerifyResult;
  'file.open': { path: string; text: string } | { cancelled: true };
  'file.save': { path: string } | { cancelled: true };
  'file.recent': { paths: string[] };
  'plan.crosscheck': ReportCrossCheck;
  'report.pdf': { path: string } | { cancelled: true };
}

/** Events main pushes to the renderer. */
export interface Events {
  'engine.snapshot': Snapshot;
  /** Main asks the renderer for its document before closing or on menu actions. */
  'app.menu': { action: string };
  /** Desktop: a document to open that the shell named (command line, macOS open-file, a second launch), read by main. */
  'app.openFile': { path: string; text: string };
}
export type EventName = keyof Events;

export const RequestEnvelope = z.strictObject({
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  /** May be left out (or null) for methods without params: checkRequest checks `params ?? {}`. */
  params: z.unknown().optional(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

export type ErrorCode = 'bad-request' | 'unknown-method' | 'invalid-params' | 'unsupported' | 'internal';
export interface RpcError {
  code: ErrorCode;
  message: string;
  /** Zod issue paths, when params were invalid. */
  path?: (string | number)[];
}
export type ResponseEnvelope = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: RpcError };
export interface EventEnvelope {
  event: EventName;
  data: unknown;
}

/** What the renderer holds: one object whatever the transport. */
export interface RelayLabApi {
  call<M extends Method>(method: M, params: Params<M>): Promise<Results[M]>;
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void;
}

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

/** Validates a request's params against its method's schema; the shared first step of both transports in main. */
export function checkRequest(raw: unknown): { ok: true; id: number; method: Method; params: unknown } | { ok: false; id: number; error: RpcError } {
  const env = RequestEnvelope.safeParse(raw);
  if (!env.success) return { ok: false, id: -1, error: { code: 'bad-request', message: 'a request is { id, method, params? }' } };
  const { id, method, params } = env.data;
  if (!isMethod(method)) return { ok: false, id, error: { code: 'unknown-method', message: `no method "${method}"` } };
  const parsed = methods[method].safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      id,
      error: {
        code: 'invalid-params',
        message: `${method}: ${issue ? `${issue.path.join('.') || 'params'}: ${issue.message}` : 'invalid params'}`,
        path: issue?.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      },
    };
  }
  return { ok: true, id, method, params: parsed.data };
}
