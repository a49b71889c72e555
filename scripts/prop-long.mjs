// The long property run ("nightly"): many more random engine sequences than npm test; prints totals, or the seed and path that replay a failure.
// Usage: node scripts/prop-long.mjs [RUNS=2000] [SEED] [MAX_ACTIONS=120] [--load] [--straddle] [--edits] [--remote] [--relay] [--sibling] [--filled] [--sample [--only=TEXT] [--verbose]]
// --load: every sequence runs under the figure's own workloads at sustained hotspot load with small caches (see
// Variation.load in main/engine/properties/variations.ts). Failing and slow sequences are printed on stderr as they happen.
// --filled (with --load): the figures' starting data kept, so every pair starts with a real initial copy.
// --remote: a host at each async secondary's site writes it (after a takeover: failover, then swap-resync/failback).
// --relay: a host at each sync secondary's site (a cascade's relay) writes it (after a takeover the relay site carries on).
// --sibling: a host there writes the volumes over the sync secondary's bytes that are pair primaries (FIG. 1's V21).
// --edits: live cable edits among the actions (distance and bandwidth changed mid-run).
// --straddle: writes that span a track boundary and partial chunks (Variation.writes).
// --sample: no shrinking; every sequence runs, each failing one is printed with its replay and the run goes on (exit 1
// if any failed). --only=TEXT keeps the figures whose file name contains TEXT; --verbose prints a line per sequence.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = process.argv.includes('--load');
const sample = process.argv.includes('--sample');
const straddle = process.argv.includes('--straddle');
const edits = process.argv.includes('--edits');
const remote = process.argv.includes('--remote');
const relay = process.argv.includes('--relay');
const sibling = process.argv.includes('--sibling');
const filled = process.argv.includes('--filled');
if (filled && !load) throw new Error('--filled needs --load (see the comment where the figures are loaded)');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? '';
const [runsArg, seedArg, maxArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const runs = Number(runsArg ?? 2000);
const seed = seedArg !== undefined ? Number(seedArg) : Date.now() % 2 ** 31;
const out = path.join(mkdtempSync(path.join(tmpdir(), 'relaylab-prop-')), 'long-run.mjs');
await build({ entryPoints: [path.join(root, 'main/engine/properties/long-run.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' });
const { propertyRuns, sampledRuns, parseTopologyText, withoutInitialFill } = await import(pathToFileURL(out).href);

const dir = path.join(root, 'assets/topologies');
const builtIns = readdirSync(dir)
  .filter((f) => f.endsWith('.relaylab.json') && f.includes(only))
  .sort()
  .map((file) => {
    const loaded = parseTopologyText(readFileSync(path.join(dir, file), 'utf8'));
    if (!loaded.ok) throw new Error(`${file} does not load`);
    // Empty volumes, as in the in-suite property run (arbitraries may start pairs already paired); --filled keeps the
    // figures' starting data (their pairs then start with a copy; only with --load: the model's own checked blocks
    // would read the starting data as foreign writes).
    return { file, topology: filled ? loaded.topology : withoutInitialFill(loaded.topology) };
  });

const kinds = { load, straddle, edits, remote, relay, sibling };
const started = Date.now();
if (sample) {
  const r = sampledRuns(builtIns, runs, seed, Number(maxArg ?? 120), kinds, (what) => console.warn(`prop-long: FAILED ${what}`), process.argv.includes('--verbose') ? (line) => console.log(line) : undefined);
  console.log(
    `prop-long --sample${load ? ' --load' : ''}${straddle ? ' --straddle' : ''}${edits ? ' --edits' : ''}${remote ? ' --remote' : ''}${relay ? ' --relay' : ''}${sibling ? ' --sibling' : ''}${filled ? ' --filled' : ''}${only ? ` --only=${only}` : ''}: seed ${seed}: ${r.runs} runs, ${r.failures} failed, ${r.steps} steps, ${r.writesAcked} writes acknowledged (${r.writesFailed} failed), ` +
      `${r.faults} faults, ${r.commandsRefused} commands refused, ${r.resyncs} copies/resyncs completed, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (r.failures) process.exitCode = 1;
  process.exit();
}
const report = propertyRuns(builtIns, runs, seed, Number(maxArg ?? 120), kinds, (what) => console.warn(`prop-long: ${what}`));
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(
  `prop-long${load ? ' --load' : ''}${straddle ? ' --straddle' : ''}${edits ? ' --edits' : ''}${remote ? ' --remote' : ''}${relay ? ' --relay' : ''}${sibling ? ' --sibling' : ''}${filled ? ' --filled' : ''}: seed ${seed}: ${report.runs} runs, ${report.steps} steps, ${report.writesAcked} writes acknowledged (${report.writesFailed} failed), ` +
    `${report.faults} faults, ${report.commandsRefused} commands refused, ${report.resyncs} copies/resyncs completed, states seen ${report.statesSeen.join(' ')}, ${seconds} s`,
);
if (report.failure) {
  console.log(`FAILED. Replay with: node scripts/prop-long.mjs ${runs} ${report.failure.seed}${maxArg ? ` ${maxArg}` : ''}${load ? ' --load' : ''}   (fast-check path ${report.failure.path})`);
  console.log(`counterexample [topology index, variation, engine seed, actions]: ${report.failure.counterexample}`);
  console.log(report.failure.error);
  process.exitCode = 1;
}
