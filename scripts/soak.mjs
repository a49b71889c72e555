// Soak: the engine under a steady write stream with periodic faults for many virtual hours; samples RSS and checks every invariant.
// Usage: node scripts/soak.mjs [VIRTUAL_HOURS=12] [TOPOLOGY=fig01] [SEED=1]
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [hoursArg, nameArg, seedArg] = process.argv.slice(2);
const hours = Number(hoursArg ?? 12);
const seed = Number(seedArg ?? 1);
const out = path.join(mkdtempSync(path.join(tmpdir(), 'relaylab-soak-')), 'long-run.mjs');
await build({ entryPoints: [path.join(root, 'main/engine/properties/long-run.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
const { soak, describe, parseTopologyText } = await import(pathToFileURL(out).href);

const dir = path.join(root, 'assets/topologies');
const file = readdirSync(dir).find((f) => f.startsWith(nameArg ?? 'fig01') && f.endsWith('.relaylab.json'));
if (!file) throw new Error(`no built-in topology starting with ${nameArg}`);
const loaded = parseTopologyText(readFileSync(path.join(dir, file), 'utf8'));
if (!loaded.ok) throw new Error(`${file} does not load`);

const started = Date.now();
const result = soak(loaded.topology, {
  virtualHours: hours,
  seed,
  faultEveryS: 60,
  sampleEveryH: Math.max(hours / 12, 0.01),
  memory: () => {
    globalThis.gc?.();
    return process.memoryUsage();
  },
});
console.log(`soak ${file}, seed ${seed}: ${hours} virtual hours in ${((Date.now() - started) / 1000).toFixed(1)} s wall, ${result.actions} actions, ${result.writesAcked} writes acknowledged, ${result.faults} faults, ${result.violations.length} violations`);
console.log('virtual h | RSS MB | heap MB | writes acked | faults');
for (const s of result.samples) console.log(`${s.virtualHours.toFixed(2).padStart(9)} | ${s.rssMB.toFixed(1).padStart(6)} | ${s.heapMB.toFixed(1).padStart(7)} | ${String(s.writesAcked).padStart(12)} | ${s.faults}`);
for (const v of result.violations) console.log('VIOLATION', describe(v));
process.exitCode = result.violations.length ? 1 : 0;
