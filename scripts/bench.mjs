// `npm run bench`: builds the bench bundles, runs each performance target in its own process, profiles the engine and writes docs/PERFORMANCE.md.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/bench');
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const skipCanvas = args.includes('--skip-canvas');
const want = (name) => !only || only.includes(name);
const started = Date.now();

mkdirSync(path.join(out, 'canvas'), { recursive: true });
await build({ entryPoints: [path.join(root, 'bench/engine.ts')], outfile: path.join(out, 'engine.mjs'), bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
await build({
  entryPoints: [path.join(root, 'bench/canvas/plain.tsx')],
  outfile: path.join(out, 'canvas/plain.js'),
  bundle: true,
  format: 'esm',
  jsx: 'automatic',
  minify: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
copyFileSync(path.join(root, 'bench/canvas/index.html'), path.join(out, 'canvas/index.html'));

// --report-only re-renders docs/PERFORMANCE.md from the last run's dist/bench/results.json.
const reportOnly = args.includes('--report-only');
// --only=a,b runs those cases and merges them into the previous run's figures when there is one.
const previous = path.join(out, 'results.json');
const results = (reportOnly || only) && existsSync(previous) ? JSON.parse(readFileSync(previous, 'utf8')) : {};
let runSeconds = 0;
const env = { ...process.env, RELAYLAB_ROOT: root };

/** Runs one engine case in a fresh process (so memory and JIT state do not leak between cases); returns its JSON line. */
function engineCase(name, extra = [], nodeFlags = [], timeoutMs = 240_000) {
  const t0 = Date.now();
  process.stdout.write(`bench: ${name} ${extra.join(' ')} ... `);
  const text = execFileSync(process.execPath, [...nodeFlags, path.join(out, 'engine.mjs'), name, ...extra], { cwd: root, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(text.trim().split('\n').at(-1));
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

function tryCase(key, fn) {
  if (!want(key)) return;
  try {
    results[key] = fn();
  } catch (e) {
    console.log(`FAILED: ${e.message.split('\n')[0]}`);
    results[key] = { error: String(e.message).slice(0, 2000) };
  }
}

if (!reportOnly) {
tryCase('datapath', () => engineCase('datapath', ['100000', '--warmup=130000']));
tryCase('profile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'relaylab-prof-'));
  const file = 'timed.cpuprofile';
  const r = engineCase('datapath', ['100000', '--warmup=130000', '--no-verify', '--no-baseline', `--profile-timed=${path.join(dir, file)}`]);
  return { run: r, top: summariseProfile(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), path.join(out, 'engine.mjs')), profileFile: path.join(dir, file) };
});
tryCase('resync', () => engineCase('resync'));
tryCase('initial', () => engineCase('initial'));
tryCase('virtual', () => engineCase('virtual', ['10', 'random', '--warmup=10']));
tryCase('memory', () => engineCase('memory', [], ['--expose-gc']));
tryCase('snapshots', () => engineCase('snapshots'));
tryCase('longer', () => {
  const short = engineCase('longer', ['5']);
  const long = engineCase('longer', ['20']);
  return { short, long, extraCpuMs: long.cpuMs - short.cpuMs, budgetMs: 20_000 / 20 };
});
tryCase('seek', () => engineCase('seek', ['10'], [], 600_000));
if (!skipCanvas && want('canvas')) {
  const topologyFile = path.join(out, 'bench-1000.relaylab.json');
  tryCase('topology', () => engineCase('topology', [topologyFile]));
  process.stdout.write('bench: canvas (Chromium) ... ');
  const t0 = Date.now();
  try {
    const { runCanvasBench } = await import('../bench/canvas.mjs');
    results.canvas = await runCanvasBench({ root, topologyFile, rounds: 3 });
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.log(`FAILED: ${e.message.split('\n')[0]}`);
    results.canvas = { error: String(e.message).slice(0, 2000) };
  }
}

results.machine = machine();
runSeconds = (Date.now() - started) / 1000;
// A partial run keeps the full run's duration; it says which cases it refreshed.
// Cases re-run earlier with --only stay listed, so the report says which figures are newer than the full run.
if (only && results.totalSeconds !== undefined) results.refreshed = { cases: [...new Set([...(results.refreshed?.cases ?? []), ...only])], seconds: (results.refreshed?.seconds ?? 0) + runSeconds };
else results.totalSeconds = runSeconds;
writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2));
}
const report = renderReport(results);
const complete = ['datapath', 'profile', 'resync', 'initial', 'virtual', 'memory', 'snapshots', 'canvas'].every((k) => results[k]);
if (complete) writeFileSync(path.join(root, 'docs/PERFORMANCE.md'), report);
console.log('\n' + summaryLines(results).join('\n'));
console.log(`\nbench: done in ${runSeconds.toFixed(0)} s; ${complete ? 'wrote docs/PERFORMANCE.md' : 'some cases have never run, docs/PERFORMANCE.md not rewritten'}; raw figures in dist/bench/results.json`);

// ------------------------------------------------------------------ profile

/** Self time per function of a .cpuprofile, each located in its source module (from esbuild's `// path.ts` markers in the bundle). */
function summariseProfile(profile, bundlePath) {
  const bundleLines = readFileSync(bundlePath, 'utf8').split('\n');
  const moduleAt = [];
  let current = '';
  for (const line of bundleLines) {
    const m = /^\/\/ ((?:app|main|bench|node_modules)\/\S+)$/.exec(line);
    if (m) current = m[1];
    moduleAt.push(current);
  }
  const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000;
  const self = new Map();
  let total = 0;
  for (const n of profile.nodes) {
    const f = n.callFrame;
    let where = f.url ? f.url.replace(/^.*\//, '') : '';
    if (f.url.endsWith('engine.mjs')) where = moduleAt[f.lineNumber] ?? where;
    const key = `${f.functionName || '(anonymous)'}\t${where}`;
    const ms = n.hitCount * interval;
    total += ms;
    self.set(key, (self.get(key) ?? 0) + ms);
  }
  return {
    totalMs: total,
    functions: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([key, ms]) => {
        const [fn, where] = key.split('\t');
        return { fn, where, ms, share: ms / total };
      }),
  };
}

// ------------------------------------------------------------------ report

function machine() {
  const cpus = JSON.parse(execFileSync(process.execPath, ['-e', 'const os=require("os");console.log(JSON.stringify({cpus:os.cpus().length,model:os.cpus()[0]?.model,load:os.loadavg(),mem:os.totalmem()}))'], { encoding: 'utf8' }));
  return { node: process.version, ...cpus };
}

function fmt(x, digits = 1) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) : String(x);
}
function pct(x) {
  return `${fmt(x * 100, 1)}%`;
}
function gib(b) {
  return `${fmt(b / 1024 ** 3, 2)} GiB`;
}

/** One line per target: figure, target, verdict. */
function verdicts(r) {
  const v = [];
  const line = (n, name, figure, target, ok, miss, caveat) => v.push({ n, name, figure, target, ok, miss, caveat });
  const d = r.datapath;
  if (d && !d.error) {
    // Per write against the bare scheduler's cost per event, both measured in this run (the old Buffer.copy ratio is
    // only shown: with payloads kept as recipes the engine copies no bytes, so it no longer measures the engine).
    const perEvent = d.cpuUsPerWrite / d.schedulerUsPerEvent;
    line(1, 'Engine data path, FIG. 1', `${fmt(d.cpuUsPerWrite, 1)} us CPU per write of ${fmt(d.eventsPerWrite, 1)} events = ${fmt(perEvent, 0)}x the bare scheduler's ${fmt(d.schedulerUsPerEvent, 2)} us per event (${fmt(d.writes, 0)} writes after ${fmt(d.warmupWrites, 0)} untimed warm-up writes, ${fmt(d.warmupCpuUsPerWrite, 1)} us each on average while V8 tiered up; ${fmt(d.writesPerSec, 0)} writes per CPU second; Buffer.copy of the same bytes: ${fmt(d.baselinePerSec, 0)}/s, shown only); Verify after the run: V11, V12, V22 hashes ${d.hashesEqual ? 'equal' : '**differ**'} (${fmt(d.hashMs / 1000, 1)} s, pure-JS sha256)`, '<= 40x the scheduler per event', perEvent <= 40, `${fmt(perEvent / 40, 1)}x over`);
  }
  const s = r.resync;
  if (s && !s.error) line(2, 'Resync, 64 TiB vs 1 GiB', `${fmt(s.hugeCpuMs, 0)} ms vs ${fmt(s.smallCpuMs, 0)} ms = ${fmt(s.ratio, 2)}x`, '<= 1.5x', s.ratio <= 1.5, `${fmt(s.ratio, 2)}x`);
  const i = r.initial;
  if (i && !i.error) line(2, 'Initial copy, mostly-empty 64 TiB', `${fmt(i.copyMs / 1000, 2)} s wall (${fmt(i.copyCpuMs / 1000, 2)} s CPU)`, 'seconds', i.settled && i.copyMs < 10_000, 'over 10 s');
  const t = r.virtual;
  if (t && !t.error) line(3, `Virtual time, FIG. 12 at 10k IOPS (${t.pattern ?? 'sequential'}, ${fmt(t.virtualSeconds, 0)} s after the initial copies)`, `${fmt(t.speedupCpu, 2)}x real time per CPU second (${fmt(t.speedup, 2)}x wall; ${fmt(t.writesAcked, 0)} writes acknowledged, ${fmt(t.cpuUsPerWrite, 1)} us CPU each${t.warmupSeconds ? `, after ${fmt(t.warmupSeconds, 0)} untimed virtual seconds on a throwaway engine at ${fmt(t.warmupCpuUsPerWrite, 1)} us per write` : ''})`, '>= 20x per CPU second', t.speedupCpu >= 20, `${fmt(20 / t.speedupCpu, 1)}x short`);
  const m = r.memory;
  if (m && !m.error) line(4, 'Memory, 64 TiB with 1 GiB written', `${gib(m.rssBytes)} RSS (the 3 real volumes hold ${gib(m.storedBytes)} of chunks, sharing the host's buffers copy-on-write: ${gib(m.arrayBuffersBytes)} of array buffers)`, '< 2 GiB', m.rssBytes < 2 * 1024 ** 3, `over by ${gib(m.rssBytes - 2 * 1024 ** 3)}`);
  const c = r.canvas;
  if (c && !c.error) {
    line(5, 'Canvas open + first paint', `${fmt(c.relaylab.medianMs, 0)} ms vs ${fmt(c.plain.medianMs, 0)} ms plain = ${fmt(c.ratio, 2)}x (${c.relaylab.nodesShown} nodes in view at the readable fit vs ${c.plain.nodesShown})`, '<= 1.5x', c.ratio <= 1.5, `${fmt(c.ratio, 2)}x`);
    const pan = c.relaylab.pan?.p95BusyMs;
    const drag = c.relaylab.drag?.p95BusyMs;
    // The machine's load moves these by 10x between runs: the ratio to plain React Flow in the same run is the comparable figure.
    const dragRatio = drag / c.plain.drag?.p95BusyMs;
    const vsPlain = `${fmt(pan / c.plain.pan?.p95BusyMs, 2)}x / ${fmt(dragRatio, 2)}x of plain`;
    line(5, 'Canvas pan / drag frame work p95', `pan ${fmt(pan, 1)} ms, drag ${fmt(drag, 1)} ms (plain: ${fmt(c.plain.pan?.p95BusyMs, 1)} / ${fmt(c.plain.drag?.p95BusyMs, 1)} ms; ${vsPlain})`, 'drag <= 1.2x plain', dragRatio <= 1.2, `drag ${fmt(dragRatio, 2)}x`);
    const w = c.relaylabWhole;
    if (w?.drag) {
      const wDrag = w.drag.p95BusyMs / c.plain.drag?.p95BusyMs;
      line(5, `Canvas zoomed out to ${w.zoom ?? 0.1}`, `${w.nodesShown} nodes painted ${fmt(w.zoomOutPaintMs, 0)} ms after zooming out (plain opens ${c.plain.nodesShown} in ${fmt(c.plain.medianMs, 0)} ms = ${fmt(w.zoomOutPaintMs / c.plain.medianMs, 2)}x); pan ${fmt(w.pan?.p95BusyMs, 1)} ms, drag ${fmt(w.drag.p95BusyMs, 1)} ms p95 = ${fmt(w.pan?.p95BusyMs / c.plain.pan?.p95BusyMs, 2)}x / ${fmt(wDrag, 2)}x of plain`, 'drag <= 1.2x plain', wDrag <= 1.2, `drag ${fmt(wDrag, 2)}x`);
    }
  }
  const n = r.snapshots;
  if (n && !n.error) line(6, 'Snapshots at 30 Hz, 216 volumes', `${pct(n.cost)} of a core (${fmt(n.isolatedSnapshotCpuMs, 2)} ms CPU, ${fmt(n.meanSnapshotBytes / 1024, 0)} KiB each, x 30/s); in the run: ${pct(n.inRunShare)} of CPU inside snapshots, events per CPU ms ${n.throughputDrop > 0 ? '-' : '+'}${pct(Math.abs(n.throughputDrop))} vs without`, '< 5%', n.cost < 0.05, `${pct(n.cost)}`, n.inRunShare >= 0.05 ? `on the isolated cost; inside the run ${pct(n.inRunShare)} of CPU landed in snapshots (GC included)` : undefined);
  const g = r.longer;
  if (g && !g.error && g.short && g.long)
    line(7, 'FIG. 12 at 10k IOPS: 20 s vs 5 s, hash included', `+${fmt(g.extraCpuMs / 1000, 1)} s CPU (5 s: ${fmt(g.short.cpuMs / 1000, 1)} s, of which hash ${fmt(g.short.hashCpuMs / 1000, 1)} s; 20 s: ${fmt(g.long.cpuMs / 1000, 1)} s, hash ${fmt(g.long.hashCpuMs / 1000, 1)} s); after settling, every volume's hash ${g.short.equalHashes && g.long.equalHashes ? 'equal in both runs' : '**NOT equal: replicas differ**'}`, '<= +1 s', g.extraCpuMs <= g.budgetMs, `${fmt(g.extraCpuMs / g.budgetMs, 0)}x over`);
  const k = r.seek;
  if (k && !k.error) line(8, `Seek in a ${fmt(k.minutes, 0)}-minute FIG. 1 run (${k.checkpoints} checkpoints)`, `${(k.seeks ?? []).map((s) => `to ${fmt(s.toMs / 1000, 0)} s ${fmt(s.cpuMs / 1000, 2)} s`).join(', ')} CPU, vs ${fmt(k.replayFrom0CpuMs / 1000, 1)} s to run from 0: worst ${pct(k.seekRatio)}`, '< 10% of a replay from 0', k.seekRatio < 0.1, `worst seek ${pct(k.seekRatio)} of a replay from 0`);
  return v;
}

function summaryLines(r) {
  const lines = verdicts(r).map((x) => `${x.ok ? (x.caveat ? 'MET*  ' : 'MET   ') : 'MISSED'} ${x.n}. ${x.name}: ${x.figure} (target ${x.target}${x.ok ? (x.caveat ? `; ${x.caveat}` : '') : `; ${x.miss}`})`);
  for (const [k, val] of Object.entries(r)) if (val && val.error) lines.push(`ERROR  ${k}: ${val.error.split('\n')[0]}`);
  return lines;
}

function renderReport(r) {
  const rows = verdicts(r)
    .map((x) => `| ${x.n} | ${x.name} | ${x.figure} | ${x.target} | ${x.ok ? (x.caveat ? `met ${x.caveat}` : 'met') : `**missed** (${x.miss})`} |`)
    .join('\n');
  const prof = r.profile && !r.profile.error ? r.profile.top : undefined;
  const profRows = prof ? prof.functions.map((f) => `| ${fmt(f.ms, 0)} | ${pct(f.share)} | \`${f.fn}\` | ${f.where} |`).join('\n') : '(profile failed)';
  const template = readFileSync(path.join(root, 'bench/PERFORMANCE.template.md'), 'utf8');
  const errors = Object.entries(r).filter(([, v]) => v && v.error).map(([k, v]) => `- ${k}: ${v.error.split('\n')[0]}`).join('\n');
  return template
    .replace('{{date}}', new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC')
    .replace('{{machine}}', `node ${r.machine.node}, ${r.machine.cpus} x ${r.machine.model}, load average ${r.machine.load.map((x) => x.toFixed(1)).join(' / ')} when the run ended`)
    .replace('{{total}}', `${fmt(r.totalSeconds, 0)} s` + (r.refreshed ? ` (then ${r.refreshed.cases.join(', ')} re-run with \`--only\`)` : ''))
    .replace('{{table}}', rows)
    .replace('{{errors}}', errors ? `\nCases that failed to run:\n${errors}\n` : '')
    .replace('{{profile}}', profRows)
    .replace('{{raw}}', '```json\n' + JSON.stringify(r, (k, v) => (k === 'functions' || k === 'deltas' || k === 'busy' ? undefined : typeof v === 'number' ? Math.round(v * 1000) / 1000 : v), 2) + '\n```');
}
