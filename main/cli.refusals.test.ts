// Every relaylab command as a separate process on bad input: a file validate refuses is refused by every command in the same words (exit 1, no stack trace), durations read one way everywhere, and every command has --help.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtInText } from '../test/builtins';
import { cliReferenceMarkdown, COMMANDS } from './cli';
import { FAULT_KINDS } from './cli/simulate-args';

const root = path.resolve(__dirname, '..');
const work = mkdtempSync(path.join(tmpdir(), 'relaylab-cli-refusals-'));
// The current source, bundled, so the test checks this checkout and not a stale dist/.
const cli = path.join(work, 'cli.mjs');
const FIG1 = builtInText('fig01-loop-cascade.relaylab.json');

type Doc = { sites: object[]; pairs: { primaryVolumeId: string; secondaryVolumeId: string }[]; cables: Record<string, unknown>[] };
function fig1File(name: string, damage: (doc: Doc) => void): string {
  const doc = JSON.parse(FIG1) as Doc;
  damage(doc);
  const file = path.join(work, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const duplicateId = fig1File('duplicate-id.relaylab.json', (d) => d.sites.push({ ...d.sites[0] }));
const selfPair = fig1File('self-pair.relaylab.json', (d) => (d.pairs[0]!.secondaryVolumeId = d.pairs[0]!.primaryVolumeId));
const dangling = fig1File('dangling.relaylab.json', (d) => (d.pairs[0]!.secondaryVolumeId = 'V2l'));
const missingField = fig1File('missing-field.relaylab.json', (d) => delete d.cables[2]!.distanceKm);
const good = path.join(root, 'assets/topologies/fig01-loop-cascade.relaylab.json');

beforeAll(async () => {
  await build({ entryPoints: [path.join(root, 'main/cli.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning', absWorkingDir: root });
}, 60_000);

function relaylab(...argv: string[]) {
  const r = spawnSync(process.execPath, [cli, ...argv], { encoding: 'utf8', timeout: 60_000, cwd: root });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A line of a V8 stack trace. */
const STACK = /^\s+at .+\(?.*:\d+:\d+\)?$/m;

/** Each command with the arguments it needs besides the file. */
const users: [string, string[]][] = [
  ['simulate', ['--duration', '1s']],
  ['plan', []],
  ['report', ['--out', path.join(work, 'report.html'), '--no-crosscheck']],
];

describe('a file relaylab validate refuses', () => {
  it.each([
    ['a duplicate id', duplicateId, '[duplicate-id]'],
    ['a pair from a volume to itself', selfPair, '[pair-same-volume]'],
    ['a pair to a volume that does not exist', dangling, '[dangling-reference]'],
    ['a cable without its distance', missingField, '[schema-invalid_type]'],
  ])('with %s is refused by simulate, plan and report in the words of validate, exit 1, no stack trace', (_what, file, code) => {
    const validate = relaylab('validate', file);
    expect(validate.code).toBe(1);
    expect(validate.out).toContain(code);
    const problems = validate.out.trimEnd().split('\n');
    for (const [command, args] of users) {
      const r = relaylab(command, file, ...args);
      expect(r.code, `${command}: ${r.err}`).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).not.toMatch(STACK);
      expect(r.err.trimEnd().split('\n')).toEqual([...problems, `relaylab ${command}: ${file} has errors; fix them first (relaylab validate ${file})`]);
    }
  });

  it('names the dangling element, and says "missing" for a field that is not there', () => {
    expect(relaylab('report', dangling, '--out', path.join(work, 'r.html')).err).toContain(`${dangling}: error $.pairs[0].secondaryVolumeId (pair-sync): secondary volume "V2l" does not exist [dangling-reference]`);
    expect(relaylab('validate', missingField).out).toBe(`${missingField}: error $.cables[2].distanceKm (CN5): missing [schema-invalid_type]\n`);
    expect(relaylab('plan', missingField).err).toContain('$.cables[2].distanceKm (CN5): missing [schema-invalid_type]');
  });

  it('a report that cannot be written is a refusal, not a stack trace', () => {
    const r = relaylab('report', good, '--out', path.join(work, 'no-such-dir', 'r.html'), '--no-sweeps', '--no-crosscheck');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^relaylab report: cannot write --out .*no-such-dir.*ENOENT/);
    expect(r.err).not.toMatch(STACK);
  });
});

describe('one duration grammar', () => {
  it('simulate --duration 5min is accepted, as plan --outage 5min is', () => {
    const sim = relaylab('simulate', good, '--duration', '5min', '--workload', 'iops=1', '--json');
    expect(sim.err).toBe('');
    expect(sim.code).toBe(0);
    expect(JSON.parse(sim.out)).toMatchObject({ durationMs: 300_000 });
    const plan = relaylab('plan', good, '--outage', '5min', '--json');
    expect(plan.err).toBe('');
    expect(JSON.parse(plan.out)).toMatchObject({ plan: { outageSeconds: 300 } });
  });

  it('a duration it cannot read is refused naming the option, with an example, exit 2', () => {
    for (const [command, option, ...rest] of [
      ['simulate', '--duration'],
      ['plan', '--outage'],
      ['report', '--outage', '--out', 'x.html'],
    ]) {
      const r = relaylab(command!, good, option!, '5 minutes', ...rest);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(`relaylab ${command}: ${option}: "5 minutes" is not a duration; use e.g. 300s or 5min`);
    }
  });
});

describe('--help', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('relaylab %s --help lists every option of the command, exit 0', (name, spec) => {
    const r = relaylab(name, '--help');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.startsWith(`relaylab ${name} `)).toBe(true);
    for (const option of [...Object.keys(spec.options), 'help', 'debug']) expect(r.out).toContain(`--${option}`);
  });

  it('simulate --help lists every --fault kind', () => {
    const out = relaylab('simulate', '--help').out;
    for (const kind of Object.keys(FAULT_KINDS)) expect(out).toMatch(new RegExp(`^  ${kind}=[A-Z]+ `, 'm'));
  });
});

describe('the README', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  it('carries the CLI reference generated from the parser specs (npm run readme:cli rewrites it)', () => {
    const start = readme.indexOf('<!-- cli-reference:start -->\n');
    const end = readme.indexOf('<!-- cli-reference:end -->');
    expect(start, 'README has no cli-reference markers').toBeGreaterThan(0);
    expect(readme.slice(start + '<!-- cli-reference:start -->\n'.length, end)).toBe(cliReferenceMarkdown());
  });

  it('lists every --fault kind', () => {
    for (const kind of Object.keys(FAULT_KINDS)) expect(readme).toContain(`\`${kind}=`);
  });
});
