// Hostile configuration files never crash the importers: each answer is a topology or a located error (file:line: what was expected), in bounded time, nothing polluted.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { Topology } from '../model/schema';
import { exportCci, importCci } from './cci';
import { exportDrbd, importDrbd } from './drbd';
import type { FileMap, ImportResult } from './types';

const fig1 = loadBuiltIn('fig01-loop-cascade.relaylab.json');
const fig12 = loadBuiltIn('fig12-fan-out.relaylab.json');
const cciFiles = exportCci(fig12).files;
const drbdFiles = { ...exportDrbd(fig1).files, ...exportDrbd(fig12).files };

function expectPrototypesClean() {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}
afterEach(expectPrototypesClean);

/** The contract: an answer, not a throw; errors located as `file:line: expected`; a topology that is schema-valid. */
function expectHandled(run: () => ImportResult, files: FileMap): ImportResult {
  const started = performance.now();
  const r = run();
  expect(performance.now() - started).toBeLessThan(5000);
  if (r.ok) expect(Topology.safeParse(r.topology).success).toBe(true);
  else
    for (const e of r.errors) {
      expect(e.message).toMatch(/^.+:\d+: \S/);
      expect(Object.keys(files).includes(e.file) || e.file === '(no files)').toBe(true);
    }
  return r;
}

/** Damage to a text: a cut, a flipped character, a duplicated or deleted line, an inserted hostile token. */
const damage = (text: string) =>
  fc.oneof(
    fc.nat({ max: text.length }).map((n) => text.slice(0, n)),
    fc.tuple(fc.nat({ max: Math.max(0, text.length - 1) }), fc.string({ minLength: 1, maxLength: 3, unit: 'binary' })).map(([i, s]) => text.slice(0, i) + s + text.slice(i + 1)),
    fc.tuple(fc.nat({ max: 200 }), fc.constantFrom('{', '}', ';', '"', '#', '\n', '\u0000', '__proto__', 'constructor', '-I', '-g', '-f', 'HORCM_LDEV', 'HORCM_DEV', '99999999999999999999', 'FF:FF', 'h9', 'on', 'host', 'resource', 'protocol X;', 'node-id -1;', '\uFEFF', '\u2028'))
      .map(([n, tok]) => {
        const lines = text.split('\n');
        const i = n % Math.max(1, lines.length);
        lines[i] = `${lines[i]} ${tok}`;
        return lines.join('\n');
      }),
    fc.nat({ max: 200 }).map((n) => {
      const lines = text.split('\n');
      lines.splice(n % Math.max(1, lines.length), 1);
      return lines.join('\n');
    }),
  );

describe('CCI importer on hostile files', () => {
  it('damaged horcm.conf and pairs.sh files get an answer', () => {
    const names = Object.keys(cciFiles);
    fc.assert(
      fc.property(fc.constantFrom(...names).chain((name) => damage(cciFiles[name]!).map((text) => ({ ...cciFiles, [name]: text }))), (files) => {
        expectHandled(() => importCci(files), files);
      }),
      { numRuns: 400, seed: 14 },
    );
  });

  it('random text in any role gets an answer', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), fc.constantFrom('horcm0.conf', 'pairs.sh', 'pairdisplay.txt'), (text, name) => {
        const files = { ...cciFiles, [name]: text };
        expectHandled(() => importCci(files), files);
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('specific traps: prototype names, huge lines, thousands of devices, an instance twice, no files', () => {
    const conf = (lines: string) => `HORCM_LDEV\n${lines}\nHORCM_INST\n`;
    const cases: FileMap[] = [
      { 'horcm0.conf': conf('__proto__ constructor 1 00:01 0'), 'horcm1.conf': conf('__proto__ constructor 2 00:01 0'), 'pairs.sh': 'paircreate -g __proto__ -vl -f data -I0' },
      { 'horcm0.conf': conf('g d 1 ' + 'x'.repeat(1_000_000)), 'pairs.sh': 'paircreate -g g -vl -f data -I0' },
      {
        'horcm0.conf': conf(Array.from({ length: 20_000 }, (_, i) => `g d${i} 1 ${i % 65536} 0`).join('\n')),
        'horcm1.conf': conf(Array.from({ length: 20_000 }, (_, i) => `g d${i} 2 ${i % 65536} 0`).join('\n')),
        'pairs.sh': 'paircreate -g g -vl -f async -I0',
      },
      { 'horcm0.conf': conf('g d 1 0 0'), 'x/horcm0.conf': conf('g d 2 0 0'), 'pairs.sh': 'paircreate -g g -vl -f data -I0' },
      {},
      { 'big.conf': 'HORCM_LDEV\n' + 'a'.repeat(5 * 1024 * 1024) },
    ];
    for (const files of cases) expectHandled(() => importCci(files), files);
  });
});

describe('DRBD importer on hostile files', () => {
  it('damaged .res files get an answer', () => {
    const names = Object.keys(drbdFiles);
    fc.assert(
      fc.property(fc.constantFrom(...names).chain((name) => damage(drbdFiles[name]!).map((text) => ({ ...drbdFiles, [name]: text }))), (files) => {
        expectHandled(() => importDrbd(files), files);
      }),
      { numRuns: 400, seed: 16 },
    );
  });

  it('random text gets an answer', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (text) => {
        expectHandled(() => importDrbd({ 'x.res': text }), { 'x.res': text });
      }),
      { numRuns: 300, seed: 17 },
    );
  });

  it('specific traps: deep nesting, an unclosed string, a million braces, prototype host names, 32 nodes', () => {
    const nodes = Array.from({ length: 40 }, (_, i) => `on n${i} { node-id ${i}; }`).join('\n');
    const cases: FileMap[] = [
      { 'deep.res': 'resource r {' + ' a {'.repeat(100_000) },
      { 'str.res': 'resource "r { on a { node-id 0; }' },
      { 'braces.res': '}'.repeat(1_000_000) },
      { 'proto.res': 'resource __proto__ { on __proto__ { node-id 0; } on constructor { node-id 1; } }' },
      { 'many.res': `resource r { ${nodes} connection-mesh { hosts ${Array.from({ length: 40 }, (_, i) => `n${i}`).join(' ')}; } }` },
      { 'semi.res': ';;;;' },
    ];
    for (const files of cases) expectHandled(() => importDrbd(files), files);
  });
});

describe('exports of hostile names', () => {
  it('a line break in a name never starts a command in pairs.sh or a statement in a .res file', () => {
    const t = structuredClone(fig1);
    const evil = 'x\nrm -rf / #\r\u2028"; }';
    t.name = evil;
    t.pairs[0]!.name = evil;
    t.pairs[1]!.consistencyGroup = evil;
    t.systems.forEach((s) => ((s.name = evil), (s.role = evil)));
    t.volumes.forEach((v) => (v.name = evil));
    t.sites.forEach((s) => (s.name = evil));
    const { files } = exportCci(t);
    for (const text of Object.values(files)) for (const line of text.split(/\r\n|\r|\n|\u2028/)) expect(line).not.toMatch(/^\s*rm -rf/);
    const sh = files['pairs.sh']!.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(sh.every((l) => /^(set -e$|(paircreate|pairevtwait|pairdisplay) )/.test(l))).toBe(true);
    for (const text of Object.values(exportDrbd(t).files)) for (const line of text.split(/\r\n|\r|\n|\u2028/)) expect(line).not.toMatch(/^\s*rm -rf/);
    // And the files still import: the CCI group of the consistency group is a CCI-safe name.
    const back = importCci(files);
    expect(back.ok).toBe(true);
  });
});
