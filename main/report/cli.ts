// `relaylab report FILE --out report.html [--pdf report.pdf]`: the DR plan report as a self-contained HTML file, optionally printed to PDF.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Topology } from '../../app/model/schema';
import { planTopology, type PlanOptions } from '../../app/planning/plan';
import { parseSweepSpec, runSweep, SweepSpecError, SweepTargetError, type SweepResult, type SweepSpec } from '../../app/planning/sweep';
import { buildReportHtml, defaultReportSweeps } from '../../app/report/index';
import { crossCheck } from '../plan/crosscheck';
import { loadTopology, parseDuration, PlanUsageError } from '../plan/cli';
import { PdfError, printHtmlFileToPdf } from './pdf';

export const REPORT_HELP = `relaylab report FILE --out REPORT.html [options]

Writes the disaster-recovery plan of a topology as one self-contained HTML file (no external resources; prints
cleanly): summary, terms, topology drawing, sites/systems/volumes/pairs, planning figures with how each was
computed, what-if charts, the engine cross-check, checks with advice, and the mapping tables T1-T4 per system.

Options:
  --out FILE               the HTML file to write (required unless --pdf is given)
  --pdf FILE               also print the report to PDF with headless Chromium (RELAYLAB_CHROMIUM overrides the path)
  --outage DURATION        outage the journals must ride through, and the resync estimate (default 60s)
  --target-latency TIME    host write latency target (default the file's syncLatencyBoundMs)
  --peak FACTOR            peak write rate over the average (default 1)
  --sweep SPEC             a what-if chart, as in relaylab plan (repeatable); default: host latency vs the sync hop's
                           distance and RPO vs each async hop's bandwidth
  --no-sweeps              no charts
  --no-crosscheck          skip the engine cross-check (2 virtual seconds of simulation)
  --generated-at TEXT      a date line under the title (left out by default so reports are reproducible)

Exit codes: 0 written, 1 the file cannot be read or the PDF cannot be printed, 2 wrong usage.
`;

export interface ReportOutput {
  out(text: string): void;
  err(text: string): void;
}
const processOutput: ReportOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export interface ReportArgs {
  file: string;
  out?: string;
  pdf?: string;
  options: Omit<PlanOptions, 'routeOf'>;
  sweeps: SweepSpec[] | 'default' | 'none';
  crossCheck: boolean;
  generatedAt?: string;
}

/** Reads the command line; throws PlanUsageError or SweepSpecError naming the option and why. */
export function parseReportArgs(argv: readonly string[]): ReportArgs {
  const files: string[] = [];
  const args: ReportArgs = { file: '', options: {}, sweeps: 'default', crossCheck: true };
  const given: SweepSpec[] = [];
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
      case '--out':
        args.out = value();
        break;
      case '--pdf':
        args.pdf = value();
        break;
      case '--outage':
        args.options.outageSeconds = parseDuration(name, value(), 's', 1);
        break;
      case '--target-latency':
        args.options.targetLatencyMs = parseDuration(name, value(), 'ms', 1e-3);
        break;
      case '--peak': {
        const text = value();
        const n = Number(text);
        if (!Number.isFinite(n) || n < 1) throw new PlanUsageError(name, text, 'expected a number of at least 1');
        args.options.peakToAverage = n;
        break;
      }
      case '--sweep':
        given.push(parseSweepSpec(value()));
        break;
      case '--no-sweeps':
        args.sweeps = 'none';
        break;
      case '--no-crosscheck':
        args.crossCheck = false;
        break;
      case '--generated-at':
        args.generatedAt = value();
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new PlanUsageError(arg, '', 'unknown option');
        files.push(arg);
    }
  }
  if (files.length !== 1) throw new PlanUsageError('FILE', files.join(' '), files.length ? 'give exactly one topology file' : 'give a topology file');
  if (!args.out && !args.pdf) throw new PlanUsageError('--out', '', 'say where to write the report (--out report.html and/or --pdf report.pdf)');
  args.file = files[0]!;
  if (given.length) {
    if (args.sweeps === 'none') throw new PlanUsageError('--no-sweeps', '', 'cannot be combined with --sweep');
    args.sweeps = given;
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
export async function reportMain(argv: string[], io: ReportOutput = processOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(REPORT_HELP);
    return 0;
  }
  let args: ReportArgs;
  try {
    args = parseReportArgs(argv);
  } catch (e) {
    if (e instanceof PlanUsageError || e instanceof SweepSpecError) {
      io.err(`relaylab report: ${e.message}\n\n${REPORT_HELP}`);
      return 2;
    }
    throw e;
  }
  const topology = await loadTopology(args.file, io, 'report');
  if (!topology) return 1;
  let html: string;
  try {
    html = reportHtmlFor(topology, args);
  } catch (e) {
    if (e instanceof SweepTargetError) {
      io.err(`relaylab report: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.out) {
    await writeFile(args.out, html);
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
