// Web mode (`npm run web`): serves the built renderer and carries the IPC contract over a WebSocket at /rpc.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { contentSecurityPolicy } from './csp';
import type { WebSocket } from 'ws';
import type { EventEnvelope } from '../app/ipc/contract';
import { MAX_FILE_BYTES } from '../app/model/file';
import { Classroom, ClassroomFullError, SESSION_KEY } from './classroom';
import type { ClassHandlers, StudentLink, StudentSession } from './classroom';
import { CrossCheckRunner } from './crosscheck-host';
import { EngineHost } from './engine-host';
import { findPackageVersion } from './files';
import { consoleLogger, createDispatcher, createHandlers, defaultValidator } from './rpc';
import type { DocumentValidator, Logger } from './rpc';

export const DEFAULT_PORT = 4173;
/** A topology may be up to MAX_FILE_BYTES; one request carries at most one, plus its envelope. */
export const MAX_MESSAGE_BYTES = MAX_FILE_BYTES + 1024 * 1024;
/** Snapshots are dropped (not queued) for a client this far behind: the next one supersedes them anyway. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const TOKEN_COOKIE = 'relaylab_token';
const INSTRUCTOR_COOKIE = 'relaylab_instructor';
/** The instructor's page in class mode; everything else is the students' app. */
const INSTRUCTOR_PAGE = /^\/instructor\/?$/;
/** A socket closed with this code was taken over by another tab of the same session: its client must not reconnect. */
export const CLOSE_SESSION_REPLACED = 4001;

/** The desktop window's policy (main/csp.ts), with 'self' as the default source. */
export const WEB_CSP = contentSecurityPolicy("'self'");

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export interface ServerOptions {
  port: number;
  host: string;
  /** Required when host is not loopback: checked on page loads and on the WebSocket upgrade. */
  token?: string;
  /**
   * Class mode: the instructor's own secret (it must differ from token, which students use). The instructor opens
   * /instructor with it; students keep their engine across reconnects and report to the instructor's roster.
   */
  instructorToken?: string;
  /** Class mode: how long a disconnected student's engine waits for them (default two minutes). */
  sessionGraceMs?: number;
  /** The built renderer (dist/renderer). */
  root: string;
  /** The bundled engine worker (dist/main/engine-worker.mjs); it also runs plan.crosscheck, one thread per request. */
  engineWorkerFile: string;
  /** Cross-checks running at once across all connections (default: cores - 1, at least 1); more wait in a queue. */
  maxConcurrentCrossChecks?: number;
  validate?: DocumentValidator;
  /** Each connection runs its own engine worker, so their number is bounded. */
  maxConnections?: number;
  log?: Logger;
}

export interface RunningServer {
  url: string;
  /** Class mode: the instructor's link. */
  instructorUrl?: string;
  port: number;
  close(): Promise<void>;
}

/** Why the server refused to start with these options. */
export class ServerConfigError extends Error {
  override readonly name = 'ServerConfigError';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Parses `--port N --host H --token T --instructor-token I --root DIR` with RELAYLAB_PORT / RELAYLAB_TOKEN / RELAYLAB_INSTRUCTOR_TOKEN as fallbacks. */
export function parseServerArgs(argv: string[], env: Record<string, string | undefined>, bundleDir: string): ServerOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--(port|host|token|instructor-token|root)(?:=(.*))?$/.exec(arg);
    if (!match) throw new ServerConfigError(`unknown argument "${arg}" (expected --port, --host, --token, --instructor-token, --root)`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new ServerConfigError(`--${match[1]} needs a value`);
    flags.set(match[1] ?? '', value);
  }
  const portText = flags.get('port') ?? env.RELAYLAB_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ServerConfigError(`port "${portText}" is not a port number`);
  const host = flags.get('host') ?? '127.0.0.1';
  const token = flags.get('token') ?? env.RELAYLAB_TOKEN;
  if (!isLoopback(host) && !token)
    throw new ServerConfigError(`listening on ${host} exposes RelayLab beyond this machine: give --token (or RELAYLAB_TOKEN) so only those with the link can connect`);
  const instructorToken = flags.get('instructor-token') ?? env.RELAYLAB_INSTRUCTOR_TOKEN;
  checkClassTokens(token, instructorToken);
  const options: ServerOptions = {
    port,
    host,
    root: path.resolve(flags.get('root') ?? path.join(bundleDir, '../renderer')),
    engineWorkerFile: path.join(bundleDir, 'engine-worker.mjs'),
  };
  if (token) options.token = token;
  if (instructorToken) options.instructorToken = instructorToken;
  return options;
}

/** Class mode needs both secrets, and different ones: a student must never hold the instructor's. */
function checkClassTokens(token: string | undefined, instructorToken: string | undefined): void {
  if (instructorToken === undefined) return;
  if (!instructorToken) throw new ServerConfigError('--instructor-token needs a value');
  if (!token) throw new ServerConfigError('a class needs --token for the students as well as --instructor-token for the instructor');
  if (sameSecret(token, instructorToken)) throw new ServerConfigError('--instructor-token must differ from --token: students would hold the instructor\'s secret');
}

function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  // Hash both so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', WEB_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text + '\n');
}

/** Maps a URL path to a file inside root, or null when it would leave root. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const resolved = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  return resolved === root || resolved.startsWith(root + path.sep) ? resolved : null;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? consoleLogger;
  const root = path.resolve(options.root);
  const maxConnections = options.maxConnections ?? 32;
  const loopback = isLoopback(options.host);
  if (!loopback && !options.token) throw new ServerConfigError(`a token is required to listen on ${options.host}`);
  checkClassTokens(options.token, options.instructorToken);
  const version = findPackageVersion(path.dirname(options.engineWorkerFile));
  // Shared by every connection, so a classroom starting cross-checks together queues rather than starving the machine.
  const crossChecks = new CrossCheckRunner(options.engineWorkerFile, options.maxConcurrentCrossChecks === undefined ? {} : { maxConcurrent: options.maxConcurrentCrossChecks });
  const classroom = options.instructorToken
    ? new Classroom({
        startEngine: () => EngineHost.start(options.engineWorkerFile),
        log,
        maxSessions: maxConnections,
        ...(options.sessionGraceMs === undefined ? {} : { graceMs: options.sessionGraceMs }),
      })
    : null;
  const warn = (message: string) => (log.warn ? log.warn(message) : log.error(message));

  /** On loopback, a Host header naming another host means DNS rebinding: a remote page resolving to 127.0.0.1. */
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!loopback) return true;
    const hostname = new URL(`http://${req.headers.host ?? 'invalid'}`).hostname;
    return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
  };
  /**
   * Who this request is, by the secret it carries (?token= first, then the cookie a page load set): 'open' when the
   * server has no token, 'instructor' or 'student' in class mode, 'student' for the one token otherwise; null refuses.
   */
  type Access = 'open' | 'student' | 'instructor';
  const accessOf = (req: IncomingMessage, url: URL): { access: Access | null; why: string } => {
    if (!options.token) return { access: 'open', why: '' };
    const given = url.searchParams.get('token');
    const instructor = options.instructorToken;
    if (given !== null) {
      if (instructor && sameSecret(given, instructor)) return { access: 'instructor', why: '' };
      if (sameSecret(given, options.token)) return { access: 'student', why: '' };
    }
    // A stale link (wrong ?token=) still works for a browser that holds a good cookie, as before class mode.
    if (instructor && sameSecret(cookieValue(req.headers.cookie, INSTRUCTOR_COOKIE), instructor)) return { access: 'instructor', why: '' };
    if (sameSecret(cookieValue(req.headers.cookie, TOKEN_COOKIE), options.token)) return { access: 'student', why: '' };
    return { access: null, why: given !== null ? 'a wrong token' : req.headers.cookie?.includes('relaylab_') ? 'a wrong token cookie' : 'no token' };
  };
  /** One line per refusal, with where it came from and never the secret it carried. */
  const logRefusal = (req: IncomingMessage, what: string, why: string) => warn(`refused ${what} from ${req.socket.remoteAddress ?? 'unknown address'}: ${why}`);

  const serveStatic = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    securityHeaders(res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'method not allowed');
    if (!hostAllowed(req)) return plain(res, 421, 'unexpected Host header');
    // Readiness probe for test runners and supervisors; tells nothing a stranger could use.
    if (url.pathname === '/healthz') return plain(res, 200, 'ok');
    const { access, why } = accessOf(req, url);
    if (!access) {
      logRefusal(req, `page ${url.pathname}`, why);
      return plain(res, 401, 'this RelayLab server needs the link with its ?token=');
    }
    // Students never see the instructor's page, whatever they type.
    if (classroom && INSTRUCTOR_PAGE.test(url.pathname) && access !== 'instructor') {
      logRefusal(req, 'the instructor page', 'a student token');
      return plain(res, 403, "this is the instructor's page: it needs the instructor's link");
    }
    if (options.token && url.searchParams.has('token')) {
      const [name, secret] = access === 'instructor' ? [INSTRUCTOR_COOKIE, options.instructorToken ?? ''] : [TOKEN_COOKIE, options.token];
      res.setHeader('Set-Cookie', `${name}=${encodeURIComponent(secret)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    let file = resolveInside(root, url.pathname);
    if (!file) return plain(res, 403, 'forbidden');
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory()) {
      file = path.join(file, 'index.html');
      info = await stat(file).catch(() => null);
    }
    if (!info?.isFile()) {
      // Browsers ask for /favicon.ico on their own; without one in the build, answer "nothing" rather than an error.
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        return void res.end();
      }
      // Client-side routes fall back to the app; a missing asset (with an extension) is a real 404.
      if (path.extname(url.pathname)) return plain(res, 404, 'not found');
      file = path.join(root, 'index.html');
      info = await stat(file).catch(() => null);
      if (!info?.isFile()) return plain(res, 404, 'the renderer is not built: run `npm run build`');
    }
    const isHtml = path.extname(file) === '.html';
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': isHtml ? 'no-cache' : 'public, max-age=3600',
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file)
      .on('error', (e) => {
        log.error(`reading ${file}`, e);
        res.destroy();
      })
      .pipe(res);
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    serveStatic(req, res, url).catch((e: unknown) => {
      log.error(`serving ${url.pathname}`, e);
      if (!res.headersSent) plain(res, 500, 'internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/rpc') return refuse('404 Not Found');
    if (!hostAllowed(req)) return refuse('421 Misdirected Request');
    // Browsers always send Origin on a WebSocket upgrade: another site's page must not drive this server.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) return refuse('403 Forbidden');
    const { access, why } = accessOf(req, url);
    if (!access) {
      logRefusal(req, 'a WebSocket', why);
      return refuse('401 Unauthorized');
    }
    // The instructor page asks for the instructor's role: a student's secret does not get it.
    if (classroom && url.searchParams.get('role') === 'instructor' && access !== 'instructor') {
      logRefusal(req, "the instructor's WebSocket", 'a student token');
      return refuse('403 Forbidden');
    }
    if (wss.clients.size >= maxConnections) return refuse('503 Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req, access, url));
  });

  let nextPeer = 1;
  wss.on('connection', (ws: WebSocket, req: IncomingMessage, access: Access, url: URL) => {
    const peer = `ws#${nextPeer++} ${req.socket.remoteAddress ?? ''}`;
    // One engine per connection: in a classroom every student runs, pauses and breaks their own copy of the
    // topology; a shared engine would let one student's "cut cable" land in everyone's run.
    let engine: EngineHost | null = null;
    // Ends this connection's cross-checks (running or queued) when it closes: nobody is left to read them.
    const left = new AbortController();
    const send = (message: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const validate = options.validate ?? defaultValidator;
    // Class mode: a student's engine belongs to their session (kept across reconnects), not to this socket.
    let session: StudentSession | null = null;
    let link: StudentLink | null = null;
    let classHandlers: ClassHandlers | undefined;
    let leaveClass: (() => void) | null = null;
    if (classroom && access === 'student') {
      const given = url.searchParams.get('session') ?? '';
      const studentLink: StudentLink = {
        send,
        canTakeSnapshot: () => ws.bufferedAmount < MAX_BUFFERED_BYTES,
        replaced: () => ws.close(CLOSE_SESSION_REPLACED, 'this session was opened in another tab'),
      };
      try {
        session = classroom.connect(SESSION_KEY.test(given) ? given : randomUUID(), studentLink);
      } catch (e) {
        if (!(e instanceof ClassroomFullError)) throw e;
        ws.close(1013, 'the class is full');
        return;
      }
      link = studentLink;
      classHandlers = classroom.studentHandlers(session);
    } else if (classroom && access === 'instructor') {
      classHandlers = classroom.instructorHandlers(validate);
      leaveClass = classroom.addInstructor((message) => {
        if (ws.bufferedAmount < MAX_BUFFERED_BYTES) send(message);
      });
    }
    const dispatch = createDispatcher(
      createHandlers({
        mode: 'web',
        version,
        platform: process.platform,
        validate,
        ...(classroom && (access === 'student' || access === 'instructor') ? { classRole: access } : {}),
        ...(classHandlers ? { classroom: classHandlers } : {}),
        engine: () => {
          if (session) return session.engine();
          if (!engine) {
            engine = EngineHost.start(options.engineWorkerFile);
            engine.onSnapshot((snapshot) => {
              if (ws.bufferedAmount < MAX_BUFFERED_BYTES) send({ event: 'engine.snapshot', data: snapshot } satisfies EventEnvelope);
            });
          }
          return engine;
        },
        crossCheck: (topology, crossCheckOptions) => crossChecks.run(topology, crossCheckOptions, left.signal),
      }),
      log,
    );
    ws.on('message', (data, isBinary) => {
      let raw: unknown;
      try {
        if (isBinary) throw new Error('binary');
        raw = JSON.parse(data.toString());
      } catch {
        return send({ id: -1, ok: false, error: { code: 'bad-request', message: 'a request is one JSON text message { id, method, params }' } });
      }
      dispatch(raw, { peer }).then(send, (e: unknown) => log.error(`dispatch from ${peer}`, e));
    });
    ws.on('error', (e) => log.error(`socket ${peer}`, e));
    ws.on('close', () => {
      left.abort();
      leaveClass?.();
      if (session && link) session.detach(link);
      const running = engine;
      engine = null;
      running?.terminate().catch((e: unknown) => log.error(`stopping the engine of ${peer}`, e));
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost}:${port}/${options.token ? `?token=${encodeURIComponent(options.token)}` : ''}`;
  return {
    url,
    ...(options.instructorToken ? { instructorUrl: `http://${shownHost}:${port}/instructor?token=${encodeURIComponent(options.instructorToken)}` } : {}),
    port,
    close: async () => {
      await classroom?.close();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

async function runFromCommandLine(): Promise<void> {
  const bundleDir = path.dirname(fileURLToPath(import.meta.url));
  let options: ServerOptions;
  try {
    options = parseServerArgs(process.argv.slice(2), process.env, bundleDir);
  } catch (e) {
    console.error(`relaylab web: ${(e as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const server = await startServer(options);
  console.log(`RelayLab web mode: ${server.url}`);
  if (server.instructorUrl) console.log(`  class mode: students open the link above (their name is asked), the instructor opens ${server.instructorUrl}`);
  // Bound to every interface: print the addresses students can actually type.
  if (options.host === '0.0.0.0' || options.host === '::') {
    const addresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => server.url.replace(/\/\/[^/]+\//, `//${a?.address}:${server.port}/`));
    for (const address of addresses) console.log(`  on the network: ${address}`);
    if (server.instructorUrl)
      for (const address of addresses) console.log(`  instructor on the network: ${address.replace(/\/(\?token=.*)?$/, `/instructor?token=${encodeURIComponent(options.instructorToken ?? '')}`)}`);
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run only when this bundle is the entry point (node dist/main/server.mjs), not when a test imports it.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runFromCommandLine().catch((e: unknown) => {
    console.error('relaylab web: could not start:', e);
    process.exitCode = 1;
  });
}
