// `relaylab plan FILE`: reads a topology, prints its sizing plan (table or JSON), checks with advice, and optional sweeps.
import { parseTopologyText } from '../../app/model/file';
import { formatProblem } from '../../app/model/problem';
import type { Topology } from '../../app/model/schema';
import { planTopology, type Check, type HopPlan, type Plan, type PlanOptions } from '../../app/planning/plan';
import { parseSweepSpec, runSweep, SweepSpecError, SweepTargetError, type SweepResult, type SweepSpec } from '../../app/planning/sweep';
import { FileError, readDocumentFile } from '../files';
import { crossCheck, type CrossCheckReport } from './crosscheck';
import { bytes, num, seconds } from '../../app/units';

export const PLAN_HELP = `relaylab plan FILE [options]

Sizes the topology's replication for the workloads on its canvas: per-pair write rate, bandwidth needed,
synchronous response or asynchronous RPO, journal for an outage, initial copy and resync times; then checks
with advice (sync hop too long for the latency target, link too small, journal overflow, single copy location).

Options:
  --json                   print the plan (and sweeps) as JSON
  --outage DURATION        outage the journals must ride through and the resync is estimated for (default 60s; ms, s, min, h)
  --target-latency TIME    host write latency target (default the file's syncLatencyBoundMs; e.g. 5ms)
  --peak FACTOR            peak write rate over the average, for link sizing (default 1)
  --overhead FACTOR        protocol overhead, wire bytes per data byte (default 1.1)
  --sweep SPEC             vary one parameter and tabulate the results; repeatable. SPEC is
                           PARAM[@ID]=FROM..TO[UNIT][:POINTS], PARAM one of distance (km), bandwidth (Mbps, Gbps),
                           iops, block (B, KiB), journal (MiB, GiB); e.g. distance=10..500km:10, bandwidth@CN4=100..10000Mbps
  --explain                print how every figure was computed
  --crosscheck             also run the engine for 2 virtual seconds and compare its host latency and async lag with the formulas

Exit codes: 0 planned (warnings allowed), 1 the file cannot be read or a check is an error, 2 wrong usage.
`;

/** Where the command writes; the same shape as the main CLI's output so it can be passed straight through. */
export interface PlanOutput {
  out(text: string): void;
  err(text: string): void;
}
const processOutput: PlanOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A command-line value that cannot be read: which option, the text, and why. */
export class PlanUsageError extends Error {
  override readonly name = 'PlanUsageError';
  constructor(
    readonly option: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${option} ${JSON.stringify(value)}: ${reason}`);
  }
}

const DURATION_SECONDS: Record<string, number> = { ms: 1e-3, s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** Parses `60s`, `500ms`, `5min`, `1h` (a bare number is in `bareUnit`) into the unit given by `toSeconds` (1 for s, 1e-3 for ms). */
export function parseDuration(option: string, text: string, bareUnit: 's' | 'ms', resultUnitSeconds: number): number {
  const m = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-z]*)$/.exec(text.trim());
  if (!m) throw new PlanUsageError(option, text, 'expected a number with an optional unit, e.g. 60s');
  const unit = m[2] || bareUnit;
  const factor = DURATION_SECONDS[unit];
  if (factor === undefined) throw new PlanUsageError(option, text, `unknown unit "${unit}"; one of ${Object.keys(DURATION_SECONDS).join(', ')}`);
  const seconds = Number(m[1]) * factor;
  if (!(seconds > 0) || !Number.isFinite(seconds)) throw new PlanUsageError(option, text, 'must be above 0');
  return seconds / resultUnitSeconds;
}

function parseFactor(option: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min) throw new PlanUsageError(option, text, `expected a number of at least ${min}`);
  return n;
}

export interface PlanArgs {
  file: string;
  json: boolean;
  explain: boolean;
  crosscheck: boolean;
  options: Omit<PlanOptions, 'routeOf'>;
  sweeps: SweepSpec[];
}

/** Reads the command line; throws PlanUsageError or SweepSpecError. */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  const files: string[] = [];
  const args: PlanArgs = { file: '', json: false, explain: false, crosscheck: false, options: {}, sweeps: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new PlanUsageError(name, '', 'needs a value');
      return next;
    };
    switch (name) {
      case '--json':
        args.json = true;
        break;
      case '--explain':
        args.explain = true;
        break;
      case '--crosscheck':
        args.crosscheck = true;
        break;
      case '--outage':
        args.options.outageSeconds = parseDuration(name, value(), 's', 1);
        break;
      case '--target-latency':
        args.options.targetLatencyMs = parseDuration(name, value(), 'ms', 1e-3);
        break;
      case '--peak':
        args.options.peakToAverage = parseFactor(name, value(), 1);
        break;
      case '--overhead':
        args.options.protocolOverhead = parseFactor(name, value(), 1);
        break;
      case '--sweep':
        args.sweeps.push(parseSweepSpec(value()));
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new PlanUsageError(arg, '', 'unknown option');
        files.push(arg);
    }
  }
  if (files.length !== 1) throw new PlanUsageError('FILE', files.join(' '), files.length ? 'give exactly one topology file' : 'give a topology file');
  args.file = files[0]!;
  return args;
}

// Figures are printed in the same units as the report and the planning panel.


/** Lays out rows as a plain-text table with left-aligned columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

const figureValue = (hop: HopPlan, key: string): number | null | undefined => hop.figures.find((f) => f.key === key)?.value;

/** The plan as a human reads it: workloads, hops, checks (and every figure's derivation with `explain`). */
export function formatPlan(plan: Plan, explain = false): string {
  let text = `Plan for "${plan.topologyName}": outage ${seconds(plan.outageSeconds)}, host latency target ${num(plan.targetLatencyMs)} ms, peak ${plan.peakToAverage}x average, protocol overhead ${plan.protocolOverhead}\n\n`;
  text += 'Workloads\n';
  text += formatTable(
    ['host/workload', 'LU', 'write IOPS', 'block', 'host latency', 'waits for (sync)', 'copies at sites'],
    plan.workloads.map((w) => [
      `${w.hostId}/${w.workloadId}`,
      w.luId,
      num(w.writeIops),
      bytes(w.blockBytes),
      w.hostLatencyMs === null ? '-' : `${num(w.hostLatencyMs)} ms`,
      w.syncChain.join(' -> ') || '-',
      w.copySiteIds.join(', ') || 'none',
    ]),
  );
  text += '\nPairs (hops)\n';
  text += formatTable(
    ['pair', 'mode', 'route', 'km', 'Mbit/s', 'writes/s', 'MB/s', 'need Mbit/s', 'util', 'response / RPO', 'journal need', 'journal lasts', 'initial copy', 'resync'],
    plan.hops.map((h) => [
      h.pairId,
      h.mode,
      h.route ? h.route.cableIds.join('+') || '(internal)' : 'NO ROUTE',
      h.route ? num(h.route.distanceKm) : '-',
      h.route?.cableIds.length ? num(h.route.bandwidthMbps) : '-',
      num(h.writeIops),
      num(h.writeBytesPerSec / 1e6),
      num(figureValue(h, 'requiredMbps')),
      h.utilisation === null ? '-' : `${num(h.utilisation * 100)}%`,
      h.mode === 'sync'
        ? h.responseMs === null
          ? '-'
          : `+${num(h.responseMs)} ms`
        : h.rpo === null
          ? '-'
          : h.rpo.bounded
            ? `RPO ${num(h.rpo.rpoMs)} ms`
            : `RPO grows ${num(h.rpo.growthMsPerSecond)} ms/s`,
      h.mode === 'async' ? bytes(figureValue(h, 'journalNeededBytes')) : '-',
      h.mode === 'async' ? (figureValue(h, 'journalRideThroughS') === undefined ? 'unsized' : seconds(figureValue(h, 'journalRideThroughS'))) : '-',
      h.route ? seconds(figureValue(h, 'initialCopyS')) : '-',
      h.route ? seconds(figureValue(h, 'resyncS')) : '-',
    ]),
  );
  if (explain) {
    text += '\nHow each figure was computed\n';
    for (const w of plan.workloads) for (const f of w.figures) text += `  ${w.hostId}/${w.workloadId} ${f.label}: ${num(f.value)} ${f.unit} = ${f.explanation}\n`;
    for (const h of plan.hops) for (const f of h.figures) text += `  ${h.pairId} ${f.label}: ${f.key.endsWith('Bytes') ? bytes(f.value) : `${num(f.value)} ${f.unit}`} = ${f.explanation}\n`;
  }
  text += '\nChecks\n';
  if (plan.checks.length === 0) text += '  none: the plan meets its targets\n';
  for (const c of plan.checks) text += formatCheck(c);
  return text;
}

function formatCheck(c: Check): string {
  const value = c.figure.value === null ? '' : ` [${c.figure.label}: ${c.figure.unit === 'B' ? bytes(c.figure.value) : `${num(c.figure.value)} ${c.figure.unit}`.trim()}]`;
  return `  ${c.severity.padEnd(7)} ${c.code} (${c.elementId}): ${c.message}${value}\n          advice: ${c.advice}\n`;
}

/** A sweep as a table: one row per point, one column per series. */
export function formatSweep(result: SweepResult): string {
  // Only the series the swept parameter moves get a column; the others are named below the table.
  const varies = (values: readonly (number | null)[]) => values.some((v) => v !== values[0]);
  const shown = result.series.filter((s) => varies(s.values));
  const constant = result.series.filter((s) => !varies(s.values));
  const header = [`${result.xLabel} (${result.xUnit})`, ...shown.map((s) => `${s.key}${s.unit ? ` (${s.unit})` : ''}`), 'checks'];
  const rows = result.x.map((x, i) => [
    num(x, 4),
    ...shown.map((s) => {
      const v = s.values[i];
      return v === null || v === undefined ? (s.key.startsWith('rpoMs') ? 'unbounded' : '-') : num(v, 4);
    }),
    (result.checkCodes[i] ?? []).filter((c) => c !== 'fc-distance').join(',') || '-',
  ]);
  const unchanged = constant.length
    ? `unchanged over the sweep: ${constant.map((s) => `${s.key} = ${s.values[0] === null || s.values[0] === undefined ? '-' : num(s.values[0], 4)}${s.unit ? ` ${s.unit}` : ''}`).join('; ')}\n`
    : '';
  return `Sweep ${result.xLabel} ${num(result.spec.from, 4)}..${num(result.spec.to, 4)} ${result.xUnit}, ${result.spec.points} points\n` + formatTable(header, rows) + unchanged;
}

/** Formula and engine side by side, with the difference and whether it is within the stated tolerance. */
export function formatCrossCheck(report: CrossCheckReport): string {
  return (
    `Cross-check against the engine (seed ${report.seed}, ${report.durationMs} ms measured after ${report.warmupMs} ms; agree when within max(${report.tolerance.relative * 100}%, ${report.tolerance.absoluteMs * 1000} us): ${report.tolerance.why})\n` +
    formatTable(
      ['quantity', 'element', 'formula ms', 'engine mean ms', 'p50', 'p99', 'difference ms', 'writes', 'agrees'],
      report.rows.map((r) => [r.quantity, r.elementId, num(r.formula, 4), num(r.engine, 4), num(r.engineP50, 4), num(r.engineP99, 4), num(r.difference, 3), String(r.samples), r.agrees ? 'yes' : 'NO']),
    ) +
    // Switched relay ports are compared with the formula + the cycles the engine ran behind: say so under the table.
    report.rows
      .filter((r) => r.switchCyclesBehind !== undefined)
      .map((r) => `${r.quantity} ${r.elementId}: ${r.note}\n`)
      .join('')
  );
}

/** Reads and parses a topology file for a CLI command, printing located problems to `io.err`; null when it does not load. */
export async function loadTopology(file: string, io: PlanOutput, command = 'plan'): Promise<Topology | null> {
  let text: string;
  try {
    text = await readDocumentFile(file);
  } catch (e) {
    io.err(`relaylab ${command}: ${e instanceof FileError ? e.message : String(e)}\n`);
    return null;
  }
  const loaded = parseTopologyText(text);
  if (!loaded.ok) {
    for (const p of loaded.problems) io.err(`${file}: ${formatProblem(p)}\n`);
    return null;
  }
  return loaded.topology;
}

/** `relaylab plan FILE [--json] [--outage 60s] [--sweep distance=10..500km[:points]]`; returns the exit code, never exits. */
export async function planMain(argv: string[], io: PlanOutput = processOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(PLAN_HELP);
    return 0;
  }
  let args: PlanArgs;
  try {
    args = parsePlanArgs(argv);
  } catch (e) {
    if (e instanceof PlanUsageError || e instanceof SweepSpecError) {
      io.err(`relaylab plan: ${e.message}\n\n${PLAN_HELP}`);
      return 2;
    }
    throw e;
  }
  const topology = await loadTopology(args.file, io);
  if (!topology) return 1;
  const plan = planTopology(topology, args.options);
  const sweeps: SweepResult[] = [];
  for (const spec of args.sweeps) {
    try {
      sweeps.push(runSweep(topology, spec, args.options));
    } catch (e) {
      if (e instanceof SweepTargetError) {
        io.err(`relaylab plan: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  const check = args.crosscheck ? crossCheck(topology, args.options) : undefined;
  if (args.json) {
    io.out(JSON.stringify({ plan, ...(args.sweeps.length ? { sweeps } : {}), ...(check ? { crossCheck: check } : {}) }, null, 2) + '\n');
  } else {
    io.out(formatPlan(plan, args.explain));
    for (const s of sweeps) io.out('\n' + formatSweep(s));
    if (check) io.out('\n' + formatCrossCheck(check));
  }
  return plan.checks.some((c) => c.severity === 'error') ? 1 : 0;
}
