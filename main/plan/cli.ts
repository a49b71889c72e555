// `relaylab plan FILE`: reads a topology, prints its sizing plan (table or JSON), checks with advice, and optional sweeps.
import type { Topology } from '../../app/model/schema';
import { planTopology, type Check, type HopPlan, type Plan, type PlanOptions } from '../../app/planning/plan';
import { parseSweepSpec, runSweep, SWEEP_BASE_UNIT, SWEEP_UNITS, SweepSpecError, SweepTargetError, type SweepResult, type SweepSpec } from '../../app/planning/sweep';
import { CliUsageError, type CliOutput, type CommandSpec, type HelpSection, type OptionSpec, lastValue, type ParsedArgs, parseCommandArgs, parseDuration, parseNumberAtLeast, withUsageErrors, formatHelp } from '../cli/args';
import { loadCheckedTopology } from '../cli/load';
import { crossCheck, type CrossCheckReport } from './crosscheck';
import { bytes, num, seconds } from '../../app/units';

/** The options plan and report share: the planning assumptions and the sweeps. */
export const PLANNING_OPTIONS = {
  outage: { kind: 'value', value: 'DURATION', help: 'outage the journals must ride through and the resync is estimated for (default 60s; a bare number is seconds)' },
  'target-latency': { kind: 'value', value: 'DURATION', help: "host write latency target (default the file's syncLatencyBoundMs; a bare number is milliseconds, e.g. 5ms)" },
  peak: { kind: 'value', value: 'FACTOR', help: 'peak write rate over the average, for link sizing (default 1)' },
  overhead: { kind: 'value', value: 'FACTOR', help: 'protocol overhead, wire bytes per data byte (default 1.1)' },
  sweep: { kind: 'value', value: 'SPEC', multiple: true, help: 'vary one parameter and tabulate the results: PARAM[@ID]=FROM..TO[UNIT][:POINTS], e.g. distance=10..500km:10, bandwidth@CN4=100..10000Mbps' },
} as const satisfies Record<string, OptionSpec>;

/** The --sweep parameters and their units, from the sweep module's own table. */
export const SWEEP_SECTION: HelpSection = {
  title: '--sweep parameters (PARAM=FROM..TO[UNIT][:POINTS])',
  rows: Object.entries(SWEEP_UNITS).map(([param, units]) => [param, `in ${SWEEP_BASE_UNIT[param as keyof typeof SWEEP_BASE_UNIT]}; units: ${Object.keys(units).filter(Boolean).join(', ')}`]),
};

export const PLAN_SPEC: CommandSpec = {
  name: 'plan',
  usage: 'FILE [options]',
  summary: 'size links, journals and latencies for the workloads, with checks and advice; optional what-if sweeps',
  description:
    'Sizes the topology\'s replication for the workloads on its canvas: per-pair write rate, bandwidth needed, synchronous response or asynchronous RPO, journal for an outage, initial copy and resync times; then checks with advice (sync hop too long for the latency target, link too small, journal overflow, single copy location).',
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    json: { kind: 'flag', help: 'print the plan (and sweeps) as JSON' },
    ...PLANNING_OPTIONS,
    explain: { kind: 'flag', help: 'print how every figure was computed' },
    crosscheck: { kind: 'flag', help: 'also run the engine for 2 virtual seconds and compare its host latency and async lag with the formulas' },
  },
  sections: [SWEEP_SECTION],
  exitCodes: '0 planned (warnings allowed), 1 the file has errors (as relaylab validate reports them) or a check is an error, 2 wrong usage.',
};

export interface PlanArgs {
  file: string;
  json: boolean;
  explain: boolean;
  crosscheck: boolean;
  options: Omit<PlanOptions, 'routeOf'>;
  sweeps: SweepSpec[];
  help: boolean;
}

/** The planning assumptions and sweeps plan and report share, read from parsed arguments. */
export function planningOptions(args: ParsedArgs): { options: Omit<PlanOptions, 'routeOf'>; sweeps: SweepSpec[] } {
  const options: Omit<PlanOptions, 'routeOf'> = {};
  const outage = lastValue(args, 'outage');
  if (outage !== undefined) options.outageSeconds = parseDuration(outage, '--outage', { bareUnit: 's' }) / 1000;
  const latency = lastValue(args, 'target-latency');
  if (latency !== undefined) options.targetLatencyMs = parseDuration(latency, '--target-latency', { bareUnit: 'ms', example: '5ms' });
  const peak = lastValue(args, 'peak');
  if (peak !== undefined) options.peakToAverage = parseNumberAtLeast(peak, '--peak', 1);
  const overhead = lastValue(args, 'overhead');
  if (overhead !== undefined) options.protocolOverhead = parseNumberAtLeast(overhead, '--overhead', 1);
  const sweeps = (args.values.get('sweep') ?? []).map((text) => {
    try {
      return parseSweepSpec(text);
    } catch (e) {
      if (e instanceof SweepSpecError) throw new CliUsageError(`--sweep ${text}`, e.message);
      throw e;
    }
  });
  return { options, sweeps };
}

/** Reads the command line; throws CliUsageError naming the argument. */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
  const args = parseCommandArgs(PLAN_SPEC, argv);
  const help = args.flags.has('help');
  const { options, sweeps } = help ? { options: {}, sweeps: [] } : planningOptions(args);
  return { file: args.positionals[0] ?? '', json: args.flags.has('json'), explain: args.flags.has('explain'), crosscheck: args.flags.has('crosscheck'), options, sweeps, help };
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

const processOutput: CliOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** `relaylab plan FILE [--json] [--outage 60s] [--sweep distance=10..500km[:points]]`; returns the exit code, never exits. */
export function planMain(argv: string[], io: CliOutput = processOutput): Promise<number> {
  return withUsageErrors('plan', io, () => plan(argv, io));
}

async function plan(argv: string[], io: CliOutput): Promise<number> {
  const args = parsePlanArgs(argv);
  if (args.help) {
    io.out(formatHelp(PLAN_SPEC));
    return 0;
  }
  const topology: Topology | null = await loadCheckedTopology(args.file, 'plan', io);
  if (!topology) return 1;
  const plan = planTopology(topology, args.options);
  const sweeps: SweepResult[] = [];
  for (const spec of args.sweeps) {
    try {
      sweeps.push(runSweep(topology, spec, args.options));
    } catch (e) {
      if (e instanceof SweepTargetError) throw new CliUsageError(`--sweep`, e.message);
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
