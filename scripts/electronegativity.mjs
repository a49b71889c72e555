// Runs the Electronegativity scanner offline on the built Electron bundles, the renderer build and main/electron sources; fails on any unexplained finding.
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const explanationsFile = path.join(root, 'scripts/electronegativity-explained.json');
const require = createRequire(import.meta.url);
const TIME_LIMIT_MS = Number(process.env.ELECTRONEGATIVITY_TIMEOUT_MS ?? 60_000);

// Electronegativity fetches updated translations over the network on every run; answer that request with an
// immediate failure so the scan stays offline (it then uses its bundled en-US texts).
const Module = require('node:module');
const originalLoad = Module._load;
Module._load = function load(request, ...rest) {
  if (request === 'got') return () => Promise.reject(new Error('offline: relaylab runs Electronegativity without network'));
  return originalLoad.call(this, request, ...rest);
};

const inputs = [
  ['dist/main/electron-main.cjs', 'main-bundle/electron-main.js'], // .js: the scanner reads only js/ts/html,
  ['dist/main/preload.cjs', 'main-bundle/preload.js'],
  ['dist/renderer', 'renderer'],
  ['main/electron', 'main-electron-src'],
];
const missing = inputs.filter(([from]) => !existsSync(path.join(root, from))).map(([from]) => from);
if (missing.length) {
  console.error(`electronegativity: build first (node scripts/build.mjs); missing: ${missing.join(', ')}`);
  process.exit(2);
}

// One folder holding exactly what ships (bundles, renderer) and the Electron sources (tests and source maps left out).
const scan = mkdtempSync(path.join(tmpdir(), 'relaylab-electronegativity-'));
for (const [from, to] of inputs)
  cpSync(path.join(root, from), path.join(scan, to), {
    recursive: true,
    filter: (src) => !src.endsWith('.map') && !/\.test\.tsx?$/.test(src),
  });

const timer = setTimeout(() => {
  console.error(`electronegativity: no answer after ${TIME_LIMIT_MS} ms; giving up (is it waiting for the network?)`);
  process.exit(3);
}, TIME_LIMIT_MS);

const started = Date.now();
const runner = require('@doyensec/electronegativity/dist/runner.js');
const run = typeof runner === 'function' ? runner : runner.default;
const electronVersion = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies.electron.replace(/^[^\d]*/, '');
const silence = console.log;
console.log = () => undefined; // its progress chatter
const fileCount = readdirSync(scan, { recursive: true }).length;
let result;
try {
  result = await run({ input: scan, isRelative: true, electronVersionOverride: electronVersion, customScan: [], excludeFromScan: [] }, false);
} finally {
  console.log = silence;
  clearTimeout(timer);
  rmSync(scan, { recursive: true, force: true });
}

/** @type {{ check: string, file: string, reason: string }[]} */
const explained = JSON.parse(readFileSync(explanationsFile, 'utf8')).explained;
const matches = (e, issue) => e.check === issue.id && (e.file === '*' || issue.file === e.file || (e.file.endsWith('/') && issue.file.startsWith(e.file)));
const unexplained = [];
const used = new Set();
for (const issue of result.issues) {
  const e = explained.find((x) => matches(x, issue));
  if (e) used.add(e);
  else unexplained.push(issue);
}
const hardErrors = result.errors.filter((e) => !e.tolerable);

console.log(
  `electronegativity ${require('@doyensec/electronegativity/package.json').version}: ${result.globalChecks + result.atomicChecks} checks on ${fileCount} files, ` +
    `${result.issues.length} findings (${result.issues.length - unexplained.length} explained in ${path.relative(root, explanationsFile)}), ${Date.now() - started} ms`,
);
for (const issue of unexplained)
  console.log(`  UNEXPLAINED ${issue.id} ${issue.file}:${issue.location.line}:${issue.location.column} [${issue.severity.name ?? issue.severity.value}/${issue.confidence.name ?? issue.confidence.value}] ${issue.description}`);
for (const e of explained.filter((x) => !used.has(x))) console.log(`  (explanation not needed any more: ${e.check} ${e.file})`);
for (const e of hardErrors) console.log(`  could not parse ${e.file}: ${e.message}`);
process.exitCode = unexplained.length || hardErrors.length ? 1 : 0;

