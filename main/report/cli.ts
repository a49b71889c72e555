// `relaylab report FILE --out report.html [--pdf report.pdf]`: the DR plan report as a self-contained HTML file, optionally printed to PDF.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Topology } from '../../app/model/schema';
import { planTopology, type PlanOptions } from '../../app/planning/plan';
import { runSweep, SweepTargetError, type SweepResult, type SweepSpec } from '../../app/planning/sweep';
import { buildReportHtml, defaultReportSweeps } from '../../app/report/index';
import { CliUsageError, type CliOutput, type CommandSpec, formatHelp, lastValue, parseCommandArgs, withUsageErrors } from '../cli/args';
import { loadCheckedTopology } from '../cli/load';
import { crossCheck } from '../plan/crosscheck';
import { PLANNING_OPTIONS, planningOptions, SWEEP_SECTION } from '../plan/cli';
import { PdfError, printHtmlFileToPdf } from './pdf';

export const REPORT_SPEC: CommandSpec = {
  name: 'report',
  usage: 'FILE --out REPORT.html [options]',
  summary: 'write the DR plan report: one self-contained HTML file, optionally printed to PDF',
  description:
    'Writes the disaster-recovery plan of a topology as one self-contained HTML file (no external resources; prints cleanly): summary, terms, topology drawing, sites/systems/volumes/pairs, planning figures with how each was computed, what-if charts, the engine cross-check, checks with advice, and the mapping tables T1-T4 per system.',
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    out: { kind: 'value', value: 'FILE', help: 'the HTML file to write (required unless --pdf is given)' },
    pdf: { kind: 'value', value: 'FILE', help: 'also print the report to PDF with headless Chromium (RELAYLAB_CHROMIUM overrides the path)' },
    outage: PLANNING_OPTIONS.outage,
    'target-latency': PLANNING_OPTIONS['target-latency'],
    peak: PLANNING_OPTIONS.peak,
    overhead: PLANNING_OPTIONS.overhead,
    sweep: { ...PLANNING_OPTIONS.sweep, help: `a what-if chart, as in relaylab plan; default: host latency vs the sync hop's distance and RPO vs each async hop's bandwidth` },
    'no-sweeps': { kind: 'flag', help: 'no charts' },
    'no-crosscheck': { kind: 'flag', help: 'skip the engine cross-check (2 virtual seconds of simulation)' },
    'generated-at': { kind: 'value', value: 'TEXT', help: 'a date line under the title (left out by default so reports are reproducible)' },
  },
  sections: [SWEEP_SECTION],
  exitCodes: '0 written, 1 the file has errors (as relaylab validate reports them), cannot be written, or the PDF cannot be printed, 2 wrong usage.',
};

const processOutput: CliOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export interface ReportArgs {
  file: string;
  out?: string;
  pdf?: string;
  options: Omit<PlanOptions, 'routeOf'>;
  sweeps: SweepSpec[] | 'default' | 'none';
  crossCheck: boolean;
  generatedAt?: string;
  help: boolean;
}

/** Reads the command line; throws CliUsageError naming the option and why. */
export function parseReportArgs(argv: readonly string[]): ReportArgs {
  const parsed = parseCommandArgs(REPORT_SPEC, argv);
  if (parsed.flags.has('help')) return { file: '', options: {}, sweeps: 'default', crossCheck: true, help: true };
  const { options, sweeps } = planningOptions(parsed);
  const args: ReportArgs = { file: parsed.positionals[0]!, options, sweeps: parsed.flags.has('no-sweeps') ? 'none' : 'default', crossCheck: !parsed.flags.has('no-crosscheck'), help: false };
  const out = lastValue(parsed, 'out');
  const pdf = lastValue(parsed, 'pdf');
  const generatedAt = lastValue(parsed, 'generated-at');
  if (out !== undefined) args.out = out;
  if (pdf !== undefined) args.pdf = pdf;
  if (generatedAt !== undefined) args.generatedAt = generatedAt;
  if (!args.out && !args.pdf) throw new CliUsageError('--out', 'say where to write the report (--out report.html and/or --pdf report.pdf)');
  if (sweeps.length) {
    if (args.sweeps === 'none') throw new CliUsageError('--no-sweeps', 'cannot be combined with --sweep');
    args.sweeps = sweeps;
  }
  return args;
}

/** Plans, sweeps, cross-checks and renders the report HTML for a parsed topology. */
export function reportHtmlFor(t: Topology, args: Pick<ReportArgs, 'options' | 'sweeps' | 'crossCheck' | 'generatedAt'>): string {
  const plan = planTopology(t, args.options);
  const specs = args.sweeps === 'none' ? [] : args.sweeps === 'default' ? defaultReportSweeps(plan) : args.sweeps;
  const sweeps: SweepResult[] = specs.map((s) => runSweep(t, s, args.options));
  const check = args.crossCheck && t.hosts.some((h) => h.workloads.length > 0) ? crossCheck(t, args.options) : undefined;
  return buildReportHtml(t, plan, {
    sweeps,
    ...(check ? { crossCheck: check } : {}),
    ...(args.generatedAt ? { generatedAt: args.generatedAt } : {}),
  });
}

/** `relaylab report FILE --out report.html [--pdf report.pdf] ...`; returns the exit code, never exits. */
export function reportMain(argv: string[], io: CliOutput = processOutput): Promise<number> {
  return withUsageErrors('report', io, () => report(argv, io));
}

async function report(argv: string[], io: CliOutput): Promise<number> {
  const args = parseReportArgs(argv);
  if (args.help) {
    io.out(formatHelp(REPORT_SPEC));
    return 0;
  }
  const topology = await loadCheckedTopology(args.file, 'report', io);
  if (!topology) return 1;
  let html: string;
  try {
    html = reportHtmlFor(topology, args);
  } catch (e) {
    if (e instanceof SweepTargetError) throw new CliUsageError('--sweep', e.message);
    throw e;
  }
  if (args.out) {
    try {
      await writeFile(args.out, html);
    } catch (e) {
      io.err(`relaylab report: cannot write --out ${args.out}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    io.out(`wrote ${args.out} (${html.length} characters)\n`);
  }
  if (args.pdf) {
    // Chromium prints a file; without --out the HTML goes to a temporary folder first.
    const tmp = args.out ? undefined : await mkdtemp(path.join(tmpdir(), 'relaylab-report-'));
    const htmlFile = args.out ?? path.join(tmp!, 'report.html');
    try {
      if (tmp) await writeFile(htmlFile, html);
      await printHtmlFileToPdf(htmlFile, args.pdf);
      io.out(`wrote ${args.pdf}\n`);
    } catch (e) {
      if (e instanceof PdfError) {
        io.err(`relaylab report: ${e.message}\n`);
        return 1;
      }
      throw e;
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }
  return 0;
}
