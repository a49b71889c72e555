// The command line as a user meets it: good files pass, broken ones fail with located messages, usage errors exit 2.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_DIR, builtInFiles, builtInText } from '../test/builtins';
import { main, topologyJsonSchema } from './cli';

function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return main(argv, { out: (t) => (out += t), err: (t) => (err += t) }).then((code) => ({ code, out, err }));
}

const dir = mkdtempSync(path.join(tmpdir(), 'relaylab-cli-'));
const good = path.join(dir, 'two-sites.relaylab.json');
writeFileSync(good, JSON.stringify({ formatVersion: 1, name: 'Two sites', sites: [{ id: 'tokyo', name: 'Tokyo' }, { id: 'osaka', name: 'Osaka' }] }));
const broken = path.join(dir, 'broken.relaylab.json');
writeFileSync(broken, JSON.stringify({ formatVersion: 1, name: 'Broken', sites: [{ id: 'tokyo', name: 'Tokyo' }, { id: 'bad id!', name: 'x' }] }));
// FIG. 1 with cable CN2 plugged into a port that does not exist: schema-valid, broken by the domain rules.
const fig1 = JSON.parse(builtInText('fig01-loop-cascade.relaylab.json')) as { cables: { id: string; bPortId: string }[] };
const cn2 = fig1.cables.findIndex((c) => c.id === 'CN2');
const cn2Cable = fig1.cables[cn2];
if (!cn2Cable) throw new Error('FIG. 1 template has no cable CN2');
cn2Cable.bPortId = 'TP-nowhere';
const dangling = path.join(dir, 'fig01-dangling.relaylab.json');
writeFileSync(dangling, JSON.stringify(fig1));
const notJson = path.join(dir, 'truncated.relaylab.json');
writeFileSync(notJson, '{"formatVersion": 1, "name": ');

describe('relaylab validate', () => {
  it('says ok for a good file and exits 0', async () => {
    const result = await run(['validate', good]);
    expect(result).toMatchObject({ code: 0, out: `${good}: ok\n` });
  });

  it('fails a broken file with the JSON path of the problem', async () => {
    const result = await run(['validate', good, broken]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${good}: ok`);
    expect(result.out).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: error \\$\\.sites\\[1\\]\\.id( \\(bad id!\\))?: .+ \\[schema-.+\\]$`, 'm'));
  });

  it('fails a file whose cable names a missing port, naming the cable', async () => {
    const result = await run(['validate', dangling]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${dangling}: error $.cables[${cn2}].bPortId (CN2): `);
    expect(result.out).toContain('[dangling-reference]');
  });

  it('passes all fourteen built-in templates (ten figures, four exercises)', async () => {
    const templates = builtInFiles().map((f) => path.join(BUILT_IN_DIR, f));
    expect(templates).toHaveLength(14);
    const result = await run(['validate', ...templates]);
    expect(result.code, result.out).toBe(0);
    expect(result.out.trim().split('\n').filter((line) => line.endsWith(': ok'))).toHaveLength(14);
  });

  it('reports unreadable and truncated files as errors, not crashes', async () => {
    const missing = await run(['validate', path.join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('[unreadable]');
    const truncated = await run(['validate', notJson]);
    expect(truncated.code).toBe(1);
    expect(truncated.out).toContain('[not-json]');
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['validate'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['--help'])).out).toContain('validate FILE...');
  });
});

describe('relaylab plan', () => {
  it('is reachable from the main CLI', async () => {
    const result = await run(['plan', 'assets/topologies/fig01-loop-cascade.relaylab.json', '--json']);
    expect(result.err).toBe('');
    expect(JSON.parse(result.out)).toHaveProperty('plan');
  });
});

describe('relaylab simulate', () => {
  it('runs FIG. 1 headless and reports every pair in PAIR with identical volume hashes', async () => {
    const result = await run(['simulate', 'assets/topologies/fig01-loop-cascade.relaylab.json', '--duration', '1s', '--seed', '3', '--json']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as { seed: number; pairs: { id: string; state: string }[]; volumes: { id: string; sha256: string }[] };
    expect(report.seed).toBe(3);
    expect(report.pairs.map((p) => p.state)).toEqual(['PAIR', 'PAIR']);
    const hash = (id: string) => report.volumes.find((v) => v.id === id)?.sha256;
    // V11 (local primary), V12 (relay) and V22 (remote) hold the same bytes once the cascade has settled.
    expect(hash('V11')).toMatch(/^[0-9a-f]{64}$/);
    expect(hash('V12')).toBe(hash('V11'));
    expect(hash('V22')).toBe(hash('V11'));
  });

  it("grades the file's exercise: the file's timeline and --fault are the student's actions", { timeout: 300_000 }, async () => {
    type Graded = { exercise?: { passed: boolean; score: number; total: number; checks: { text: string; ok: boolean; points: number; why: string }[] } };
    const file = 'assets/topologies/fig01-exercise-local-disaster.relaylab.json';
    // The file's timeline fails the local site at 10 s; nobody takes over.
    const bare = await run(['simulate', file, '--duration', '15s', '--json']);
    expect(bare.code).toBe(0);
    const notDone = (JSON.parse(bare.out) as Graded).exercise!;
    expect(notDone.passed).toBe(false);
    expect(notDone.checks.find((c) => c.text.includes('takes over'))).toMatchObject({ ok: false, why: 'this has not happened in this run', points: 3 });
    expect(notDone.checks.find((c) => c.text === 'site site-local fails')).toMatchObject({ ok: true, why: 'at 00:10.000' });
    expect(notDone.score).toBeLessThan(notDone.total);

    const withTakeover = await run(['simulate', file, '--duration', '15s', '--fault', 'at=12s,takeover=pair-sync', '--json']);
    const done = (JSON.parse(withTakeover.out) as Graded).exercise!;
    expect(done.checks.filter((c) => !c.ok)).toEqual([]);
    expect(done).toMatchObject({ passed: true, score: done.total });

    // The table for people ends with the grade, check by check.
    const text = await run(['simulate', file, '--duration', '15s', '--fault', 'at=12s,takeover=pair-sync']);
    expect(text.out).toMatch(/Exercise 1: Local disaster: take over at the relay, keep the remote protected: PASSED, (\d+) of \1 points/);
    expect(text.out).toContain('[x] the secondary of pair pair-sync takes over (SSWS): at 00:12.000 (3/3)');
  });

  it('reports no exercise for a file without one', async () => {
    const result = await run(['simulate', 'assets/topologies/fig07-intercache-copy.relaylab.json', '--duration', '0.2s', '--json']);
    expect(JSON.parse(result.out)).not.toHaveProperty('exercise');
  });

  it('refuses a broken topology with its located errors, and bad arguments with exit 2', async () => {
    const broken = await run(['simulate', dangling, '--duration', '1s']);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('[dangling-reference]');
    expect((await run(['simulate', good, '--duration', 'soon'])).code).toBe(2);
    expect((await run(['simulate'])).code).toBe(2);
  });
});

describe('an internal error', () => {
  it('prints relaylab: <message> and exits 70 without a stack trace; --debug adds the stack', async () => {
    let err = '';
    const broken = { out: () => { throw new Error('stdout is gone'); }, err: (t: string) => (err += t) };
    expect(await main(['schema'], broken)).toBe(70);
    expect(err).toMatch(/^relaylab: stdout is gone\n/);
    expect(err).not.toMatch(/^\s+at /m);
    err = '';
    expect(await main(['schema', '--debug'], broken)).toBe(70);
    expect(err).toMatch(/^\s+at /m);
  });
});

describe('relaylab schema', () => {
  it('describes the file format, with the element lists and the version', () => {
    const schema = topologyJsonSchema() as { type: string; properties: Record<string, unknown>; required: string[] };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['formatVersion', 'sites', 'volumes', 'pairs', 'layout']));
    expect(schema.required).toEqual(expect.arrayContaining(['formatVersion', 'name']));
  });
});

describe('the built CLI', () => {
  const bundle = path.resolve('dist/main/cli.mjs');
  it.skipIf(!existsSync(bundle))('runs as a process via bin/relaylab.mjs with the same exit codes', () => {
    expect(execFileSync(process.execPath, ['bin/relaylab.mjs', 'validate', good], { encoding: 'utf8' })).toBe(`${good}: ok\n`);
    const failed = spawnSync(process.execPath, ['bin/relaylab.mjs', 'validate', broken], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('$.sites[1].id');
  });
});
