// The one request dispatcher behind both transports (Electron IPC and the web server's WebSocket): check, route, answer, never crash.
import { checkRequest } from '../app/ipc/contract';
import type { ErrorCode, Method, Params, ResponseEnvelope, Results, RpcError } from '../app/ipc/contract';
import { parseTopologyValue } from '../app/model/file';
import type { Problem } from '../app/model/problem';
import { validateDocument } from '../app/validate/index';
import type { Topology } from '../app/model/schema';
import type { ClassHandlers } from './classroom';
import { CrossCheckError } from './crosscheck-host';
import { EngineHostError } from './engine-host';
import type { AsyncEngine } from './engine-host';
import { crossCheck } from './plan/crosscheck';
import type { CrossCheckOptions, CrossCheckReport } from './plan/crosscheck';

/** A handler's way to answer with a typed error instead of a crash (e.g. 'unsupported' for file.* in web mode). */
export class RpcFailure extends Error {
  override readonly name = 'RpcFailure';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: (string | number)[],
  ) {
    super(message);
  }
}

export interface RequestContext {
  /** Which transport and peer the request came from, for logs. */
  peer: string;
}

export type Handlers = { [M in Method]: (params: Params<M>, context: RequestContext) => Promise<Results[M]> | Results[M] };

export interface Logger {
  error(message: string, error?: unknown): void;
  /** Security events worth a line (a refused token); falls back to error when absent. */
  warn?(message: string): void;
}
export const consoleLogger: Logger = {
  error: (message, error) => console.error(`relaylab: ${message}`, error ?? ''),
  warn: (message) => console.warn(`relaylab: ${message}`),
};

/** Turns a raw message into exactly one response envelope. Handler exceptions become 'internal' errors and are logged. */
export function createDispatcher(handlers: Handlers, log: Logger = consoleLogger): (raw: unknown, context: RequestContext) => Promise<ResponseEnvelope> {
  return async (raw, context) => {
    const checked = checkRequest(raw);
    if (!checked.ok) return { id: checked.id, ok: false, error: checked.error };
    const { id, method, params } = checked;
    try {
      // checkRequest parsed params with this method's schema, so they have this method's type.
      const handler = handlers[method] as (p: unknown, c: RequestContext) => Promise<unknown> | unknown;
      const result = await handler(params, context);
      return { id, ok: true, result };
    } catch (e) {
      // A call cut short because its client left (the engine was terminated with the connection) is not a fault.
      if (e instanceof EngineHostError && e.reason === 'terminated') return { id, ok: false, error: { code: 'internal', message: e.message } };
      // Likewise a cross-check whose client left, or one refused because too many are queued: answered, not logged.
      if (e instanceof CrossCheckError && (e.reason === 'aborted' || e.reason === 'busy')) return { id, ok: false, error: { code: 'internal', message: e.message } };
      if (e instanceof RpcFailure) {
        const error: RpcError = { code: e.code, message: e.message };
        if (e.path) error.path = e.path;
        return { id, ok: false, error };
      }
      log.error(`${method} from ${context.peer} failed`, e);
      return { id, ok: false, error: { code: 'internal', message: `${method} failed: ${e instanceof Error ? e.message : String(e)}` } };
    }
  };
}

/** Validates a raw document: schema and migrations, then the cross-reference rules when a validator is supplied. */
export type DocumentValidator = (raw: unknown) => { problems: Problem[] };

/** Schema-level validation only (parse + migrate); the rule-level validator (app/validate) is injected where available. */
export const schemaOnlyValidator: DocumentValidator = (raw) => {
  const loaded = parseTopologyValue(raw);
  return { problems: loaded.ok ? [] : loaded.problems };
};

/** What both transports validate with: schema, migrations, then the domain rules (app/validate). */
export const defaultValidator: DocumentValidator = validateDocument;

/** Desktop file access (main/electron supplies dialogs + main/files.ts); web mode has none. */
export interface FileService {
  open(params: Params<'file.open'>): Promise<Results['file.open']>;
  save(params: Params<'file.save'>): Promise<Results['file.save']>;
  recent(): Promise<Results['file.recent']>;
}

export interface HandlerOptions {
  mode: 'desktop' | 'web';
  version: string;
  platform: string;
  validate: DocumentValidator;
  /** The engine of this client, started on first use (a worker thread costs ~30 ms and some MB, so only when needed). */
  engine: () => AsyncEngine;
  files?: FileService;
  /** Desktop report printing (main/electron/report-pdf.ts); web mode prints in the browser instead. */
  reports?: ReportService;
  /**
   * Runs plan.crosscheck: both transports pass a CrossCheckRunner (a worker thread per cross-check), because a
   * cross-check takes seconds of CPU. Without one it runs on the calling thread, which only tests and tools should do.
   */
  crossCheck?: (topology: Topology, options: CrossCheckOptions) => Promise<CrossCheckReport>;
  /** Class mode (web server with --instructor-token): what this connection is, and its class.* handlers. */
  classRole?: 'student' | 'instructor';
  classroom?: ClassHandlers;
  /** Desktop: the renderer listens for 'app.openFile' now, so a document waiting to be opened can be sent. */
  onRendererReady?: () => void;
}

/** Prints report HTML to a PDF file the user chooses. */
export interface ReportService {
  savePdf(params: Params<'report.pdf'>): Promise<Results['report.pdf']>;
}

const unsupported = (method: Method): never => {
  throw new RpcFailure('unsupported', `${method} is not available in web mode: use upload and download in the browser`);
};

const noClass = (method: Method): never => {
  throw new RpcFailure('unsupported', `${method}: this server is not running a class (start it with --instructor-token)`);
};

export function createHandlers(options: HandlerOptions): Handlers {
  const { files, classroom } = options;
  return {
    'app.info': () => ({ mode: options.mode, version: options.version, platform: options.platform, ...(options.classRole ? { classRole: options.classRole } : {}) }),
    'app.ready': () => {
      options.onRendererReady?.();
      return {};
    },
    'topology.validate': ({ topology }) => ({ problems: options.validate(topology).problems }),
    'engine.load': ({ topology, seed }) => options.engine().load(topology, seed),
    'engine.control': async (control) => ({ snapshot: await options.engine().control(control) }),
    'engine.command': (command) => options.engine().command(command),
    'engine.snapshot': () => options.engine().snapshot(),
    'engine.hashes': async ({ volumeIds }) => ({ hashes: await options.engine().hashes(volumeIds) }),
    'engine.verify': ({ volumeIds }) => options.engine().verify(volumeIds),
    'file.open': (params) => (files ? files.open(params) : unsupported('file.open')),
    'file.save': (params) => (files ? files.save(params) : unsupported('file.save')),
    'file.recent': () => (files ? files.recent() : unsupported('file.recent')),
    'report.pdf': (params) => {
      if (!options.reports) throw new RpcFailure('unsupported', 'report.pdf is desktop only: in the browser use Print / Save as PDF');
      return options.reports.savePdf(params);
    },
    'plan.crosscheck': async ({ topology, durationMs, ...rest }) => {
      const loaded = parseTopologyValue(topology);
      if (!loaded.ok) {
        const first = loaded.problems[0];
        throw new RpcFailure('invalid-params', `plan.crosscheck: the topology does not load${first ? `: ${first.message}` : ''}`, ['topology', ...(first?.path ?? [])]);
      }
      // Parsing stays here (fast, and its errors are located); the run itself (about 1-1.5 s of wall time per
      // virtual second on the built-in figures) goes to options.crossCheck's worker.
      const run = options.crossCheck ?? (async (t: Topology, o: CrossCheckOptions) => crossCheck(t, o));
      return run(loaded.topology, { ...rest, durationMs: durationMs ?? 1000 });
    },
    'class.join': (params) => (classroom ? classroom.join(params) : noClass('class.join')),
    'class.report': (params) => (classroom ? classroom.report(params) : noClass('class.report')),
    'class.roster': () => (classroom ? classroom.roster() : noClass('class.roster')),
    'class.push': (params) => (classroom ? classroom.push(params) : noClass('class.push')),
    'class.fault': (params) => (classroom ? classroom.fault(params) : noClass('class.fault')),
  };
}
