// Web mode end to end without a browser: the real server, the renderer's WebSocket client, and raw sockets for abuse.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RpcCallError, classSessionKey, createWebSocketApi, rpcUrlFor } from '../renderer/api/index';
import type { SocketLike, WebSocketApi } from '../renderer/api/index';
import { parseServerArgs, resolveInside, startServer } from './server';
import type { RunningServer } from './server';

const silent = { error: () => undefined };
const root = mkdtempSync(path.join(tmpdir(), 'relaylab-web-'));
mkdirSync(path.join(root, 'assets'));
writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>RelayLab</title><script type="module" src="/assets/app.js"></script>');
writeFileSync(path.join(root, 'assets/app.js'), 'console.log("relaylab")');
// A secret next to the web root that traversal must not reach.
writeFileSync(path.join(path.dirname(root), `${path.basename(root)}-secret.txt`), 'secret');

const goodTopology = { formatVersion: 1, name: 'Two sites', sites: [{ id: 'tokyo', name: 'Tokyo' }, { id: 'osaka', name: 'Osaka' }] };

function client(url: string): WebSocketApi {
  return createWebSocketApi(url, { connect: (u) => new WebSocket(u) as unknown as SocketLike, reconnectDelayMs: 50 });
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
function get(port: number, pathname: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    // path is sent as written, so "/../x" really reaches the server un-normalised.
    const req = request({ host: '127.0.0.1', port, path: pathname, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a raw socket and resolves with the first message (or the refusal status). */
function rawExchange(url: string, send: string | Buffer, headers: Record<string, string> = {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => ws.send(send));
    ws.on('message', (data) => {
      resolve(JSON.parse(data.toString()));
      ws.close();
    });
    ws.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode }));
    ws.on('error', reject);
  });
}

describe('web mode on loopback', () => {
  let server: RunningServer;
  let rpc: string;
  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', root, engineWorkerFile: path.join(root, 'no-engine.mjs'), log: silent });
    rpc = `ws://127.0.0.1:${server.port}/rpc`;
  });
  afterAll(() => server.close());

  it('answers app.info and validates a good topology with no problems', async () => {
    const api = client(rpc);
    try {
      const info = await api.call('app.info', {});
      expect(info.mode).toBe('web');
      expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(await api.call('topology.validate', { topology: goodTopology })).toEqual({ problems: [] });
    } finally {
      api.close();
    }
  });

  it('reports a broken topology with located problems', async () => {
    const api = client(rpc);
    try {
      const { problems } = await api.call('topology.validate', { topology: { formatVersion: 1, name: 'x', volumes: [{ kind: 'virtual', id: 'V12' }] } });
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => p.severity === 'error' && p.path[0] === 'volumes' && p.path[1] === 0)).toBe(true);
    } finally {
      api.close();
    }
  });

  it('rejects a call with invalid params as a typed error, then keeps serving', async () => {
    const api = client(rpc);
    try {
      const refused = await api.call('engine.control', { action: 'fly' } as never).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RpcCallError);
      expect((refused as RpcCallError).code).toBe('invalid-params');
      const fileOpen = await api.call('file.open', {}).catch((e: unknown) => e);
      expect((fileOpen as RpcCallError).code).toBe('unsupported');
      expect((await api.call('app.info', {})).mode).toBe('web');
    } finally {
      api.close();
    }
  });

  it('answers malformed messages with errors instead of crashing', async () => {
    expect(await rawExchange(rpc, 'not json')).toMatchObject({ id: -1, ok: false, error: { code: 'bad-request' } });
    expect(await rawExchange(rpc, Buffer.from([1, 2, 3]))).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await rawExchange(rpc, JSON.stringify({ id: 7, method: 'rm -rf', params: {} }))).toMatchObject({ id: 7, ok: false, error: { code: 'unknown-method' } });
    expect(await rawExchange(rpc, JSON.stringify({ id: 8, method: 'app.info', params: { extra: 1 } }))).toMatchObject({ id: 8, ok: false, error: { code: 'invalid-params' } });
    expect(await rawExchange(rpc, JSON.stringify({ id: 9, method: 'app.info', params: {} }))).toMatchObject({ id: 9, ok: true });
  });

  it('refuses a WebSocket from another origin', async () => {
    const answer = await rawExchange(rpc, '{}', { Origin: 'https://evil.example' });
    expect(answer).toEqual({ refused: 403 });
  });

  it('serves the app with a strict CSP, falls back to index.html for routes, and 404s missing assets', async () => {
    const page = await get(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("object-src 'none'");
    const script = await get(server.port, '/assets/app.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(server.port, '/designs/fig1')).body).toContain('<title>RelayLab</title>');
    expect((await get(server.port, '/assets/missing.js')).status).toBe(404);
    expect(await get(server.port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get(server.port, '/favicon.ico')).status).toBe(204);
  });

  it('never serves a file outside the web root', async () => {
    const secret = `${path.basename(root)}-secret.txt`;
    for (const attempt of [`/../${secret}`, `/%2e%2e/${secret}`, `/assets/..%2f..%2f${secret}`, `/%00index.html`]) {
      const answer = await get(server.port, attempt);
      expect(answer.body, attempt).not.toContain('secret');
    }
    expect(resolveInside(root, `/../${secret}`)).toBe(path.join(root, secret));
    expect(resolveInside(root, '/%zz')).toBeNull();
  });

  it('refuses a Host header that is not loopback (DNS rebinding)', async () => {
    expect((await get(server.port, '/', { Host: 'attacker.example:4173' })).status).toBe(421);
  });
});

describe('web mode beyond loopback', () => {
  it('will not listen on another interface without a token', () => {
    expect(() => parseServerArgs(['--host', '0.0.0.0'], {}, '/x/dist/main')).toThrow(/--token/);
    expect(parseServerArgs(['--host', '0.0.0.0'], { RELAYLAB_TOKEN: 's3cret' }, '/x/dist/main').token).toBe('s3cret');
    expect(parseServerArgs([], { RELAYLAB_PORT: '5000' }, '/x/dist/main')).toMatchObject({ port: 5000, host: '127.0.0.1', root: '/x/dist/renderer' });
  });

  it('with a token, pages and sockets need it', async () => {
    // Bound to loopback here so the test needs no network, but with a token set the checks are the same.
    const server = await startServer({ port: 0, host: '127.0.0.1', token: 'classroom-42', root, engineWorkerFile: path.join(root, 'none.mjs'), log: silent });
    try {
      expect((await get(server.port, '/')).status).toBe(401);
      const page = await get(server.port, '/?token=classroom-42');
      expect(page.status).toBe(200);
      const cookie = String(page.headers['set-cookie']).split(';')[0] ?? '';
      expect((await get(server.port, '/assets/app.js', { Cookie: cookie })).status).toBe(200);
      expect(await rawExchange(`ws://127.0.0.1:${server.port}/rpc`, '{}')).toEqual({ refused: 401 });
      expect(await rawExchange(`ws://127.0.0.1:${server.port}/rpc?token=wrong`, '{}')).toEqual({ refused: 401 });
      const api = client(`ws://127.0.0.1:${server.port}/rpc?token=classroom-42`);
      expect((await api.call('app.info', {})).mode).toBe('web');
      api.close();
    } finally {
      await server.close();
    }
  });
});

describe('the WebSocket client', () => {
  it('waits for the server, and rejects calls in flight when the connection drops, then reconnects', async () => {
    const first = await startServer({ port: 0, host: '127.0.0.1', root, engineWorkerFile: path.join(root, 'none.mjs'), log: silent });
    const port = first.port;
    const changes: boolean[] = [];
    const api = createWebSocketApi(`ws://127.0.0.1:${port}/rpc`, {
      connect: (u) => new WebSocket(u) as unknown as SocketLike,
      reconnectDelayMs: 20,
      onConnectionChange: (c) => changes.push(c),
    });
    try {
      expect((await api.call('app.info', {})).mode).toBe('web');
      await first.close();
      await new Promise((r) => setTimeout(r, 50));
      expect(api.connected).toBe(false);
      const second = await startServer({ port, host: '127.0.0.1', root, engineWorkerFile: path.join(root, 'none.mjs'), log: silent });
      try {
        // Made while disconnected: queued until the client reconnects.
        expect((await api.call('app.info', {})).mode).toBe('web');
        expect(changes).toEqual([true, false, true]);
      } finally {
        await second.close();
      }
    } finally {
      api.close();
    }
  });
});

describe('class mode', () => {
  it('needs a student token and a different instructor token', () => {
    const bundle = '/x/dist/main';
    expect(() => parseServerArgs(['--instructor-token', 'I'], {}, bundle)).toThrow(/--token for the students/);
    expect(() => parseServerArgs(['--token', 'same', '--instructor-token', 'same'], {}, bundle)).toThrow(/must differ/);
    expect(parseServerArgs(['--host', '0.0.0.0', '--token', 'S'], { RELAYLAB_INSTRUCTOR_TOKEN: 'I' }, bundle)).toMatchObject({ token: 'S', instructorToken: 'I' });
  });

  it('gives the instructor page only to the instructor token, refuses and logs wrong tokens without the secret', async () => {
    const logged: string[] = [];
    const log = { error: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) };
    const server = await startServer({ port: 0, host: '127.0.0.1', token: 'student-secret', instructorToken: 'teacher-secret', root, engineWorkerFile: path.join(root, 'none.mjs'), log });
    const rpc = `ws://127.0.0.1:${server.port}/rpc`;
    try {
      expect(server.instructorUrl).toBe(`http://127.0.0.1:${server.port}/instructor?token=teacher-secret`);
      // A student with the instructor's URL but their own token.
      expect((await get(server.port, '/instructor?token=student-secret')).status).toBe(403);
      expect(await rawExchange(`${rpc}?token=student-secret&role=instructor`, '{}')).toEqual({ refused: 403 });
      expect((await get(server.port, '/instructor?token=guess')).status).toBe(401);
      expect(await rawExchange(`${rpc}?token=guess`, '{}')).toEqual({ refused: 401 });
      const page = await get(server.port, '/instructor?token=teacher-secret');
      expect(page.status).toBe(200);
      expect(String(page.headers['set-cookie'])).toMatch(/^relaylab_instructor=/);
      // The student cookie does not open the instructor page either.
      expect((await get(server.port, '/instructor', { Cookie: 'relaylab_token=student-secret' })).status).toBe(403);
      expect((await get(server.port, '/?token=student-secret')).status).toBe(200);

      expect(logged.filter((m) => m.startsWith('refused'))).toHaveLength(5);
      expect(logged.some((m) => /refused the instructor page from 127\.0\.0\.1: a student token/.test(m))).toBe(true);
      expect(logged.some((m) => /refused a WebSocket from 127\.0\.0\.1: a wrong token/.test(m))).toBe(true);
      expect(logged.join('\n')).not.toMatch(/secret|guess/);

      const teacher = client(`${rpc}?token=teacher-secret&role=instructor`);
      const pupil = client(`${rpc}?token=student-secret&session=pupil-session-key-001`);
      try {
        expect((await teacher.call('app.info', {})).classRole).toBe('instructor');
        expect((await pupil.call('app.info', {})).classRole).toBe('student');
        const joined = new Promise<unknown>((resolve) => teacher.on('class.roster', (r) => r.students.length && resolve(r)));
        expect(await pupil.call('class.join', { name: 'Ana' })).toEqual({ studentId: 's1' });
        expect(await joined).toMatchObject({ students: [{ id: 's1', name: 'Ana', connected: true }] });
        const refused = await pupil.call('class.push', { topology: goodTopology }).catch((e: unknown) => e);
        expect((refused as RpcCallError).code).toBe('forbidden');
        const pushed = new Promise<unknown>((resolve) => pupil.on('class.pushed', resolve));
        expect(await teacher.call('class.push', { topology: goodTopology })).toEqual({ pushId: 1, name: 'Two sites', sentTo: 1 });
        expect(await pushed).toMatchObject({ pushId: 1, topology: goodTopology });
      } finally {
        teacher.close();
        pupil.close();
      }
    } finally {
      await server.close();
    }
  });

  it('a second tab with the same session takes it over; the first one stops instead of taking it back', async () => {
    const server = await startServer({ port: 0, host: '127.0.0.1', token: 'S', instructorToken: 'I', root, engineWorkerFile: path.join(root, 'none.mjs'), log: silent });
    const url = `ws://127.0.0.1:${server.port}/rpc?token=S&session=same-session-key-0001`;
    const ended: string[] = [];
    const first = createWebSocketApi(url, { connect: (u) => new WebSocket(u) as unknown as SocketLike, reconnectDelayMs: 20, onEnded: (r) => ended.push(r) });
    let second: WebSocketApi | null = null;
    try {
      expect((await first.call('class.join', { name: 'Tab one' })).studentId).toBe('s1');
      second = client(url);
      expect((await second.call('class.join', { name: 'Tab two' })).studentId).toBe('s1');
      await new Promise((r) => setTimeout(r, 150));
      expect(ended).toEqual(['this class session was opened in another tab']);
      expect(first.connected).toBe(false);
      expect((await second.call('app.info', {})).classRole).toBe('student');
    } finally {
      first.close();
      second?.close();
      await server.close();
    }
  });

  it('the page builds its socket URL with its token, its session key and, on /instructor, the role', () => {
    const where = { protocol: 'http:', host: '10.0.0.5:8080', search: '?token=S%20x' };
    expect(rpcUrlFor(where, { session: 'abcdefabcdefabcdef' })).toBe('ws://10.0.0.5:8080/rpc?token=S+x&session=abcdefabcdefabcdef');
    expect(rpcUrlFor({ ...where, search: '?token=I' }, { role: 'instructor' })).toBe('ws://10.0.0.5:8080/rpc?token=I&role=instructor');
    expect(rpcUrlFor({ protocol: 'https:', host: 'h', search: '' })).toBe('wss://h/rpc');
    const saved = new Map<string, string>();
    const storage = { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => void saved.set(k, v) };
    const key = classSessionKey(storage);
    expect(key).toMatch(/^[0-9a-f]{36}$/);
    expect(classSessionKey(storage)).toBe(key);
  });

  it('a loopback server without tokens answers class methods as unsupported', async () => {
    const server = await startServer({ port: 0, host: '127.0.0.1', root, engineWorkerFile: path.join(root, 'none.mjs'), log: silent });
    const api = client(`ws://127.0.0.1:${server.port}/rpc`);
    try {
      expect((await api.call('app.info', {})).classRole).toBeUndefined();
      expect(((await api.call('class.join', { name: 'x' }).catch((e: unknown) => e)) as RpcCallError).code).toBe('unsupported');
    } finally {
      api.close();
      await server.close();
    }
  });
});
