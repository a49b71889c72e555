// The long property run ("nightly"): many more random engine sequences than npm test; prints totals, or the seed and path that replay a failure.
// Usage: node scripts/prop-long.mjs [RUNS=2000] [SEED] [MAX_ACTIONS=120] [--load]
// --load: every sequence runs under the figure's own workloads at sustained hotspot load with small caches (see
// Variation.load in main/engine/properties/variations.ts). Failing and slow sequences are printed on stderr as they happen.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = process.argv.includes('--load');
const [runsArg, seedArg, maxArg] = process.argv.slice(2).filter((a) => a !== '--load');
const runs = Number(runsArg ?? 2000);
const seed = seedArg !== undefined ? Number(seedArg) : Date.now() % 2 ** 31;
const out = path.join(mkdtempSync(path.join(tmpdir(), 'relaylab-prop-')), 'long-run.mjs');
await build({ entryPoints: [path.join(root, 'main/engine/properties/long-run.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
const { propertyRuns, parseTopologyText, withoutInitialFill } = await import(pathToFileURL(out).href);

const dir = path.join(root, 'assets/topologies');
const builtIns = readdirSync(dir)
  .filter((f) => f.endsWith('.relaylab.json'))
  .sort()
  .map((file) => {
    const loaded = parseTopologyText(readFileSync(path.join(dir, file), 'utf8'));
    if (!loaded.ok) throw new Error(`${file} does not load`);
    // Empty volumes, as in the in-suite property run (arbitraries may start pairs already paired).
    return { file, topology: withoutInitialFill(loaded.topology) };
  });

const started = Date.now();
const report = propertyRuns(builtIns, runs, seed, Number(maxArg ?? 120), load, (what) => console.warn(`prop-long: ${what}`));
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `prop-long${load ? ' --load' : ''}: seed ${seed}: ${report.runs} runs, ${report.steps} steps, ${report.writesAcked} writes acknowledged (${report.writesFailed} failed), ` +
    `${report.faults} faults, ${report.commandsRefused} commands refused, ${report.resyncs} copies/resyncs completed, states seen ${report.statesSeen.join(' ')}, ${seconds} s`,
);
if (report.failure) {
  console.log(`FAILED. Replay with: node scripts/prop-long.mjs ${runs} ${report.failure.seed}${maxArg ? ` ${maxArg}` : ''}${load ? ' --load' : ''}   (fast-check path ${report.failure.path})`);
  console.log(`counterexample [topology index, variation, engine seed, actions]: ${report.failure.counterexample}`);
  console.log(report.failure.error);
  process.exitCode = 1;
}
