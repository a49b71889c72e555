// The one typed contract between renderer and main: request/response methods and pushed events, both transports (Electron IPC, WebSocket).
import { z } from 'zod';
import { EngineCommand, RunControl } from '../engine/api';
import type { CommandResult, PairState, Snapshot, VerifyResult } from '../engine/api';
import { ISSUE_WORDING, type Problem } from '../model/problem';
import type { ReportCrossCheck } from '../report/report';

/**
 * The faults an instructor may fire for the whole class: the cut/fail and restore commands of cables, systems and
 * sites. One table for the contract, the instructor's picker (label, which list of the topology, which id field) and
 * the notice students read ("cable CN4 was cut").
 */
export const CLASS_FAULTS = [
  { type: 'cutCable', label: 'Cut a cable', list: 'cables', key: 'cableId', noun: 'cable', happened: 'was cut' },
  { type: 'failSystem', label: 'Fail a storage system', list: 'systems', key: 'systemId', noun: 'system', happened: 'failed' },
  { type: 'failSite', label: 'Fail a whole site', list: 'sites', key: 'siteId', noun: 'site', happened: 'failed' },
  { type: 'restoreCable', label: 'Restore a cable', list: 'cables', key: 'cableId', noun: 'cable', happened: 'was restored' },
  { type: 'restoreSystem', label: 'Restore a storage system', list: 'systems', key: 'systemId', noun: 'system', happened: 'was restored' },
  { type: 'restoreSite', label: 'Restore a site', list: 'sites', key: 'siteId', noun: 'site', happened: 'was restored' },
] as const satisfies readonly { type: EngineCommand['type']; label: string; list: 'cables' | 'systems' | 'sites'; key: string; noun: string; happened: string }[];
export const CLASS_FAULT_TYPES: readonly string[] = CLASS_FAULTS.map((f) => f.type);
export const ClassFault = EngineCommand.refine((c) => CLASS_FAULT_TYPES.includes(c.type), {
  message: 'a class fault cuts or restores a cable, or fails or restores a system or site',
});
export type ClassFault = z.infer<typeof ClassFault>;

/** What happened, in a student's words: "cable CN4 was cut". */
export function describeClassFault(c: ClassFault): string {
  const fault = CLASS_FAULTS.find((f) => f.type === c.type);
  const id = fault ? (c as Record<string, unknown>)[fault.key] : undefined;
  return fault && typeof id === 'string' ? `${fault.noun} ${id} ${fault.happened}` : c.type;
}

/** A student's exercise verdict as the Exercise panel shows it: passed, one line per check, a message. */
export const ExerciseResult = z.strictObject({
  passed: z.boolean(),
  message: z.string().max(1000),
  /** Points earned and the most there are (app/exercise/grade.ts); absent from a result without points. */
  score: z.number().int().min(0).max(1_000_000).optional(),
  total: z.number().int().min(0).max(1_000_000).optional(),
  checks: z.array(z.strictObject({ ok: z.boolean(), text: z.string().max(1000), points: z.number().int().min(0).max(1000).optional() })).max(200),
});
export type ExerciseResult = z.infer<typeof ExerciseResult>;

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
  /** Class mode, student: the name the student typed; joins the roster the instructor sees. */
  'class.join': z.strictObject({ name: z.string().trim().min(1).max(60) }),
  /** Class mode, student: the result of their last exercise check. */
  'class.report': z.strictObject({ exercise: ExerciseResult }),
  /** Class mode, instructor: the roster now (it is also pushed as 'class.roster' on every change). */
  'class.roster': z.strictObject({}),
  /** Class mode, instructor: sends a topology (with its scenario) to every student; each opens it and loads it in their engine. */
  'class.push': z.strictObject({ topology: z.unknown() }),
  /** Class mode, instructor: the same fault in every student's engine at once. */
  'class.fault': z.strictObject({ command: ClassFault }),
} as const;
export type Method = keyof typeof methods;
export type Params<M extends Method> = z.infer<(typeof methods)[M]>;

/** One student as the instructor sees them. `id` is public (s1, s2 ...); the session key that owns the engine never leaves the server. */
export interface ClassStudent {
  id: string;
  name: string;
  connected: boolean;
  /** The topology their engine runs, and its exercise task, once they loaded one. */
  topologyName: string | null;
  exerciseTask: string | null;
  /** From their engine's latest snapshot. */
  progress: { timeUs: number; running: boolean; pairs: { id: string; state: PairState }[] } | null;
  /**
   * Their last exercise check (cleared when they load another topology), with the server's wall time of the report and
   * whether their pair states have changed since (the verdict may no longer hold).
   */
  exercise: (ExerciseResult & { reportedAtMs: number; runChangedSince: boolean }) | null;
}
export interface ClassRoster {
  students: ClassStudent[];
  /** The last topology pushed to the class. */
  pushed: { pushId: number; name: string } | null;
}
export interface ClassFaultOutcome {
  studentId: string;
  name: string;
  ok: boolean;
  /** Why it did not apply (no engine yet, another topology, refused by the engine). */
  reason?: string;
}

export interface Results {
  /** classRole is set when the server runs a class (--instructor-token): what this connection is. */
  'app.info': { mode: 'desktop' | 'web'; version: string; platform: string; classRole?: 'student' | 'instructor' };
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
  /** resume: the topology this session's engine runs, when it runs one (a reloaded page takes it back instead of starting over). */
  'class.join': { studentId: string; resume?: { topology: unknown } };
  'class.report': Record<string, never>;
  'class.roster': ClassRoster;
  'class.push': { pushId: number; name: string; sentTo: number };
  'class.fault': { outcomes: ClassFaultOutcome[] };
}

/** Events main pushes to the renderer. */
export interface Events {
  'engine.snapshot': Snapshot;
  /** Main asks the renderer for its document before closing or on menu actions. */
  'app.menu': { action: string };
  /** Desktop: a document to open that the shell named (command line, macOS open-file, a second launch), read by main. */
  'app.openFile': { path: string; text: string };
  /** Class mode, to instructors: the roster changed. */
  'class.roster': ClassRoster;
  /** Class mode, to students: the instructor sent a topology to open and run. */
  'class.pushed': { pushId: number; name: string; topology: unknown };
  /** Class mode, to students: something the instructor did to their run ("cable CN4 was cut by your instructor"). */
  'class.notice': { text: string };
}
export type EventName = keyof Events;

export const RequestEnvelope = z.strictObject({
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  /** May be left out (or null) for methods without params: checkRequest checks `params ?? {}`. */
  params: z.unknown().optional(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

export type ErrorCode = 'bad-request' | 'unknown-method' | 'invalid-params' | 'unsupported' | 'forbidden' | 'internal';
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
  const parsed = methods[method].safeParse(params ?? {}, ISSUE_WORDING);
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
