// relaylab export / import as a user runs them: files written, what does not map printed, round trips, located errors, usage.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { parseTopologyText } from '../../app/model/file';
import { main } from '../cli';

function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  return main(argv, { out: (t) => (out += t), err: (t) => (err += t) }).then((code) => ({ code, out, err }));
}
const root = path.resolve(__dirname, '../..');
const FIG1 = path.join(root, 'assets/topologies/fig01-loop-cascade.relaylab.json');
const work = mkdtempSync(path.join(tmpdir(), 'relaylab-interop-cli-'));

describe('relaylab export', () => {
  it('--to cci writes the horcm files and an executable pairs.sh', async () => {
    const out = path.join(work, 'cci');
    const r = await run(['export', FIG1, '--to', 'cci', '--out', out]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(readdirSync(out).sort()).toEqual(['horcm0.conf', 'horcm1.conf', 'horcm2.conf', 'pairs.sh']);
    expect(statSync(path.join(out, 'pairs.sh')).mode & 0o111).not.toBe(0);
    expect(r.out).toContain(`wrote ${path.join(out, 'pairs.sh')}`);
  });

  it('--to drbd prints what does not map', async () => {
    const out = path.join(work, 'drbd');
    const r = await run(['export', FIG1, '--to', 'drbd', '--out', out]);
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['r0-pair-sync.res']);
    expect(r.out).toMatch(/^not mapped: pair-async: the relay sys20 forwards .* direct connection sys10 -> sys30/m);
    expect(r.out).toMatch(/^not mapped: virtual volume stacks/m);
  });

  it('--to drawio writes FILE.drawio', async () => {
    const out = path.join(work, 'drawio');
    expect((await run(['export', FIG1, '--to', 'drawio', '--out', out])).code).toBe(0);
    expect(readFileSync(path.join(out, 'fig01-loop-cascade.drawio'), 'utf8')).toMatch(/^<mxfile /);
  });

  it('wrong usage exits 2 with the help', async () => {
    expect((await run(['export', FIG1, '--to', 'pdf', '--out', work])).code).toBe(2);
    expect((await run(['export', FIG1, '--out', work])).code).toBe(2);
    const unknown = await run(['export', FIG1, '--to', 'cci', '--out', work, '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/--frobnicate: unknown option/);
  });
});

describe('relaylab import', () => {
  it('CCI files back to a topology with the same pairs, laid out, warnings on stderr', async () => {
    const dir = path.join(work, 'cci-rt');
    await run(['export', FIG1, '--to', 'cci', '--out', dir]);
    const target = path.join(work, 'back.relaylab.json');
    const r = await run(['import', dir, '--out', target]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning \$\.cables\[0\] \(CN-sys10-sys20\): distance and bandwidth .* \[import-default\]/);
    const back = parseTopologyText(readFileSync(target, 'utf8'));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.topology.pairs.map((p) => [p.id, p.primaryVolumeId, p.secondaryVolumeId, p.mode, p.fence, p.consistencyGroup])).toEqual([
      ['pair-sync', 'V11', 'V12', 'sync', 'data', undefined],
      ['pair-async', 'V21', 'V22', 'async', 'never', 'cg1'],
    ]);
    // elk placed every system: positions are stored, and no two systems of a site overlap.
    for (const s of back.topology.systems) expect(back.topology.layout.nodes[s.id]).toBeDefined();
    expect((await run(['validate', target])).code).toBe(0);
  });

  it('DRBD .res files (guessed from the extension) print a topology', async () => {
    const dir = path.join(work, 'drbd-rt');
    await run(['export', FIG1, '--to', 'drbd', '--out', dir]);
    const r = await run(['import', path.join(dir, 'r0-pair-sync.res')]);
    expect(r.code).toBe(0);
    const back = parseTopologyText(r.out);
    expect(back.ok && back.topology.systems.map((s) => s.id)).toEqual(['sys10', 'sys20', 'sys30']);
  });

  it('bad input: the file, the line and what was expected, exit 1', async () => {
    const dir = mkdtempSync(path.join(work, 'bad-'));
    writeFileSync(path.join(dir, 'horcm0.conf'), 'HORCM_LDEV\ng d 12345 01:00 0\ng2 d2 notaserial 01:01 0\n');
    writeFileSync(path.join(dir, 'pairs.sh'), 'paircreate -g g -vl -f data -I0\n');
    const r = await run(['import', dir]);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toBe('horcm0.conf:3: a serial number (1-999999) in the third field, found "notaserial"\n');
    expect((await run(['import', path.join(dir, 'missing.conf')])).err).toMatch(/missing\.conf.*no such file/);
    expect((await run(['import'])).code).toBe(2);
  });

  it('the CLI survives hostile files as a separate process (no internal error, exit 1)', async () => {
    // The current source, bundled, so the test checks this checkout and not a stale dist/.
    const cli = path.join(work, 'cli.mjs');
    await build({ entryPoints: [path.join(root, 'main/cli.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
    const dir = mkdtempSync(path.join(work, 'hostile-'));
    writeFileSync(path.join(dir, 'horcm0.conf'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
    writeFileSync(path.join(dir, 'x.res'), 'resource r {' + ' a {'.repeat(50_000));
    for (const args of [['import', dir, '--from', 'cci'], ['import', dir, '--from', 'drbd']]) {
      const p = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(p.status, p.stderr).toBe(1);
      expect(p.stderr).toMatch(/^\S+:\d+: /);
      expect(p.stderr).not.toMatch(/internal error/);
    }
  }, 60_000);
});
