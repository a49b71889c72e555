// `relaylab validate` as a separate process on hostile files: it never crashes or hangs, and every file gets a located answer.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInText } from '../test/builtins';

const root = path.resolve(__dirname, '..');
const FIG1 = builtInText('fig01-loop-cascade.relaylab.json');
const fig1 = () => JSON.parse(FIG1) as Record<string, unknown>;
const work = mkdtempSync(path.join(tmpdir(), 'relaylab-cli-hostile-'));
// The current source, bundled with its packages, so the test checks this checkout and not a stale dist/.
const cli = path.join(work, 'cli.mjs');

function diamond(levels: number): string {
  const doc = fig1();
  const system = (doc.systems as { id: string }[])[0]!.id;
  const volumes: unknown[] = [{ id: `d${levels}`, name: '', systemId: system, kind: 'real', sizeBytes: 4096 }];
  for (let k = levels - 1; k >= 0; k--)
    volumes.push({ id: `d${k}`, name: '', systemId: system, kind: 'virtual', ranges: [0, 1].map(() => ({ lowerId: `d${k + 1}`, startBytes: 0, lengthBytes: 4096 * 2 ** (levels - k - 1), shared: true })) });
  return JSON.stringify({ ...doc, volumes: [...(doc.volumes as unknown[]), ...volumes] });
}

/** File name -> contents, one per kind of damage. */
const hostile: Record<string, string | Buffer> = {
  'empty.relaylab.json': '',
  'truncated-in-string.relaylab.json': FIG1.slice(0, 200),
  'truncated-in-number.relaylab.json': FIG1.slice(0, FIG1.indexOf('"sizeBytes": ') + 16),
  'truncated-after-brace.relaylab.json': FIG1.slice(0, FIG1.lastIndexOf('}')),
  'stray-char.relaylab.json': FIG1.replace('"name"', '"name" x'),
  'binary.relaylab.json': Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
  'bom.relaylab.json': '\uFEFF' + FIG1,
  'wrong-types.relaylab.json': JSON.stringify({ ...fig1(), sites: 'everywhere', systems: [1, 2, 3], pairs: { a: 1 } }),
  'huge-numbers.relaylab.json': FIG1.replace(/"distanceKm": [\d.]+/g, '"distanceKm": 1e400').replace(/"sizeBytes": \d+/, '"sizeBytes": 123456789012345678901234567890'),
  'nan-strings.relaylab.json': FIG1.replace(/"bandwidthMbps": [\d.]+/, '"bandwidthMbps": "NaN"').replace(/"distanceKm": [\d.]+/, '"distanceKm": "Infinity"'),
  'deep.relaylab.json': `{"formatVersion":1,"name":"x","description":${'['.repeat(200_000)}`,
  'million.relaylab.json': `{"formatVersion":1,"name":"x","sites":[${'0,'.repeat(999_999)}0]}`,
  'proto-root.relaylab.json': FIG1.replace('{', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},'),
  'proto-id.relaylab.json': FIG1.replace(/"id": "[^"]+"/, '"id": "__proto__"'),
  'duplicate-ids.relaylab.json': JSON.stringify({ ...fig1(), sites: [...(fig1().sites as unknown[]), (fig1().sites as unknown[])[0]] }),
  'newer.relaylab.json': JSON.stringify({ ...fig1(), formatVersion: 7 }),
  'older.relaylab.json': JSON.stringify({ ...fig1(), formatVersion: 0 }),
  'not-an-object.relaylab.json': '[1,2,3]',
  'diamond.relaylab.json': diamond(40),
};

beforeAll(async () => {
  await build({ entryPoints: [path.join(root, 'main/cli.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
  mkdirSync(path.join(work, 'files'));
  for (const [name, content] of Object.entries(hostile)) writeFileSync(path.join(work, 'files', name), content);
  // Sparse: above the size limit without writing 64 MB.
  writeFileSync(path.join(work, 'files', 'too-large.relaylab.json'), '');
  truncateSync(path.join(work, 'files', 'too-large.relaylab.json'), 65 * 1024 * 1024);
  mkdirSync(path.join(work, 'files', 'a-directory.relaylab.json'));
}, 60_000);

function validate(files: string[], timeoutMs: number) {
  const started = Date.now();
  const run = spawnSync(process.execPath, [cli, 'validate', ...files], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return { ...run, ms: Date.now() - started };
}

describe('relaylab validate on hostile files', () => {
  it('answers every file, each with a located message, without crashing or hanging', () => {
    const names = [...Object.keys(hostile), 'too-large.relaylab.json', 'a-directory.relaylab.json', 'missing.relaylab.json'];
    const files = names.map((n) => path.join(work, 'files', n));
    const run = validate(files, 90_000);
    expect(run.error, 'the CLI hung past its time limit').toBeUndefined();
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    for (const file of files) {
      const own = lines.filter((l) => l.startsWith(`${file}: `)).map((l) => l.slice(file.length + 2));
      expect(own.length, `no answer for ${path.basename(file)}`).toBeGreaterThan(0);
      for (const line of own) {
        if (line.startsWith('ok')) continue;
        // `error $.path: message [code]`; the root path is allowed only when the message itself says where.
        const m = /^(error|warning) (\$\S*)(?: \([^)]*\))?: (.*) \[([\w-]+)\]$/.exec(line);
        expect(m, `unexpected line for ${path.basename(file)}: ${line}`).not.toBeNull();
        const [, , where, message] = m!;
        if (where === '$') expect(message, `${path.basename(file)}: ${line}`).toMatch(/line \d+, column \d+|character \d+|the limit is|one JSON object|not a regular file|no such file|Unrecognized keys?: /);
      }
    }
    const answer = (name: string) => lines.filter((l) => l.startsWith(path.join(work, 'files', name) + ': ')).join('\n');
    expect(answer('older.relaylab.json')).toMatch(/: ok/);
    expect(answer('bom.relaylab.json')).toMatch(/: ok/);
    expect(answer('newer.relaylab.json')).toMatch(/\$\.formatVersion: this file is formatVersion 7, written by a newer RelayLab/);
    expect(answer('million.relaylab.json')).toMatch(/\$\.sites: sites has 1000000 entries/);
    expect(answer('deep.relaylab.json')).toMatch(/nesting deeper than 64 levels at character \d+/);
    expect(answer('truncated-in-number.relaylab.json')).toMatch(/not valid JSON at the end of the file \(line \d+, column \d+\)/);
    expect(answer('duplicate-ids.relaylab.json')).toMatch(/\$\.sites\[3\]\.id.*already used at sites\.0/);
    expect(answer('proto-id.relaylab.json')).toMatch(/reserved/);
    expect(answer('diamond.relaylab.json')).toMatch(/more than \d+ pieces/);
  }, 120_000);

  it('exits 0 on a clean built-in file, so the hostile run above is not failing for everyone', () => {
    const run = validate([path.join(root, 'assets/topologies/fig01-loop-cascade.relaylab.json')], 30_000);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/: ok\n$/);
  }, 60_000);
});
