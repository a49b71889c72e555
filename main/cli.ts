// The `relaylab` command line: validate topology files, print the JSON Schema, run headless simulations, size plans, write reports.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { validateTopology } from '../app/validate/index';
import { Topology } from '../app/model/schema';
import { bytes } from '../app/units';
import { FileError, readDocumentFile } from './files';
import { simulateAndGrade, exerciseJson } from './cli/exercise';
import { checkLine, type ExerciseGrade } from '../app/exercise/grade';
import type { SimulationReport } from './engine/headless';
import { CliUsageError, type CommandSpec, formatHelp, formatMarkdownReference, parseCommandArgs, withUsageErrors } from './cli/args';
import { checkFile, type CliOutput, loadCheckedTopology, problemLine } from './cli/load';
import { applyTrace, parseSimulateArgs, parseTraceCsv, SIMULATE_SPEC } from './cli/simulate-args';
import { formatTable, PLAN_SPEC, planMain } from './plan/cli';
import { REPORT_SPEC, reportMain } from './report/cli';
import { EXPORT_SPEC, exportMain, IMPORT_SPEC, importMain } from './interop/cli';

export { checkFile, type CliOutput };

const VALIDATE_SPEC: CommandSpec = {
  name: 'validate',
  usage: 'FILE... [options]',
  summary: 'check topology files (*.relaylab.json): schema, migrations and every domain rule, each problem with its JSON path and element',
  positionals: { name: 'FILE', min: 1, max: Infinity },
  options: {},
  exitCodes: '0 every file is ok (warnings allowed), 1 a file has an error, 2 wrong usage.',
};

const SCHEMA_SPEC: CommandSpec = {
  name: 'schema',
  usage: '[options]',
  summary: 'print the JSON Schema of the file format (also in assets/relaylab.schema.json)',
  positionals: { name: 'argument', min: 0, max: 0 },
  options: {},
  exitCodes: '0 printed, 2 wrong usage.',
};

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [VALIDATE_SPEC, SIMULATE_SPEC, PLAN_SPEC, REPORT_SPEC, EXPORT_SPEC, IMPORT_SPEC, SCHEMA_SPEC];

const HELP =
  'relaylab <command> [options]\n\nCommands:\n' +
  COMMANDS.map((c) => `  ${c.name} ${c.usage}\n      ${c.summary}\n`).join('') +
  '\n`relaylab <command> --help` lists the options of a command; every command takes --help and --debug.\n' +
  'Exit codes: 0 ok, 1 problems found (a file with errors is refused the same way by every command), 2 wrong usage, 70 internal error.\n';

/** The README's CLI reference, from the same specs as the parsers and the help. */
export function cliReferenceMarkdown(): string {
  return formatMarkdownReference(COMMANDS);
}

/** Where the CLI writes by default; main() takes a CliOutput so tests can capture output without spawning. */
const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The JSON Schema other tools (editors, CI) validate *.relaylab.json with, generated from the zod schema. */
export function topologyJsonSchema(): Record<string, unknown> {
  // 'input' describes files as written by hand: fields with defaults may be left out.
  const schema = z.toJSONSchema(Topology, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://relaylab.dev/schema/relaylab.schema.json', title: 'RelayLab topology (*.relaylab.json)' };
}

/** `relaylab validate FILE...`: every problem of every file, located; exit 1 when any file has an error. */
async function validateCommand(argv: string[], io: CliOutput): Promise<number> {
  const args = parseCommandArgs(VALIDATE_SPEC, argv);
  if (args.flags.has('help')) return help(VALIDATE_SPEC, io);
  let failed = false;
  for (const file of args.positionals) {
    const { problems } = await checkFile(file);
    for (const problem of problems) io.out(problemLine(file, problem));
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors > 0) failed = true;
    else io.out(`${file}: ok${problems.length ? ` (${problems.length} warning${problems.length === 1 ? '' : 's'})` : ''}\n`);
  }
  return failed ? 1 : 0;
}

function help(spec: CommandSpec, io: CliOutput): number {
  io.out(formatHelp(spec));
  return 0;
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;

/** The report as a person reads it; --json gives the full report for tools. */
export function formatSimulationReport(report: SimulationReport): string {
  const out: string[] = [];
  out.push(
    `Simulated "${report.topology}" for ${report.durationMs / 1000} s (seed ${report.seed}); ` +
      (report.settled ? `all pairs settled at ${(report.endMs / 1000).toFixed(1)} s` : `NOT settled by ${(report.endMs / 1000).toFixed(1)} s (a fault is still in effect?)`) +
      '\n',
  );
  out.push('\nPairs\n');
  out.push(
    formatTable(
      ['pair', 'mode', 'state', 'copied', 'diff tracks', 'RPO', 'why'],
      report.pairs.map((p) => [p.id, p.mode, p.state, pct(p.copyProgress), String(p.differentialTracks), p.rpoMs === undefined ? '-' : ms(p.rpoMs), p.reason ?? '']),
    ),
  );
  out.push('\nHosts\n');
  out.push(
    formatTable(
      ['host', 'write IOPS', 'p50', 'p99', 'acked', 'failed', 'read IOPS', 'read p50', 'read p99', 'cache hits'],
      report.hosts.map((h) => [
        h.id,
        h.writeIops.toFixed(0),
        ms(h.writeLatencyMs.p50),
        ms(h.writeLatencyMs.p99),
        String(h.writesAcked),
        String(h.writesFailed),
        h.readIops.toFixed(0),
        h.readsCompleted ? ms(h.readLatencyMs.p50) : '-',
        h.readsCompleted ? ms(h.readLatencyMs.p99) : '-',
        h.readsCompleted ? pct(h.readCacheHits / h.readsCompleted) : '-',
      ]),
    ),
  );
  out.push('\nLinks\n');
  out.push(formatTable(['link', 'utilization', 'sent'], report.links.map((l) => [l.id, pct(l.utilization), bytes(l.bytes)])));
  if (report.faults.length) {
    out.push('\nScenario steps and faults\n');
    out.push(
      formatTable(
        ['at', 'from', 'command', 'result', 'note'],
        report.faults.map((f) => [`${f.atMs / 1000} s`, f.source === 'scenario' ? 'file' : '--fault', JSON.stringify(f.command), `${f.ok ? 'ok' : 'refused'}: ${f.message}`, f.note ?? '']),
      ),
    );
  }
  out.push('\nVolumes (sha256 of the content at the end)\n');
  out.push(formatTable(['volume', 'sha256'], report.volumes.map((v) => [v.id, v.sha256])));
  return out.join('');
}

/** The exercises' grades as a person reads them, after the report. */
function formatGrades(t: Topology, grades: ExerciseGrade[]): string {
  return grades
    .map((g, i) => {
      const ex = t.scenario!.exercises[i]!;
      const head = `\nExercise ${i + 1}${ex.title ? `: ${ex.title}` : ''}: ${g.passed ? 'PASSED' : 'NOT PASSED'}, ${g.score} of ${g.total} points\n`;
      return head + g.checks.map((c) => `  ${c.ok ? '[x]' : '[ ]'} ${checkLine(c)} (${c.ok ? c.points : 0}/${c.points})\n`).join('');
    })
    .join('');
}

async function simulateCommand(argv: string[], io: CliOutput): Promise<number> {
  const args = parseSimulateArgs(argv);
  if (args.help) return help(SIMULATE_SPEC, io);
  const [file, ...extra] = args.files;
  if (!file || extra.length) throw new CliUsageError('FILE', file ? `give exactly one topology file (got ${args.files.join(' ')})` : 'give a topology file');
  const topology = await loadCheckedTopology(file, 'simulate', io);
  if (!topology) return 1;
  let simulated = topology;
  for (const trace of args.traces) {
    let text: string;
    try {
      text = await readDocumentFile(trace.file);
    } catch (e) {
      if (e instanceof FileError) throw new CliUsageError('--trace', e.message);
      throw e;
    }
    simulated = applyTrace(simulated, trace, parseTraceCsv(text, trace.file));
  }
  if (args.traces.length > 0) {
    // A trace can reach past its LU: the same located finding as in the file ('trace-out-of-range').
    const traceErrors = validateTopology(simulated).filter((p) => p.severity === 'error');
    for (const p of traceErrors) io.err(problemLine(file, p));
    if (traceErrors.length) {
      io.err('relaylab simulate: the trace does not fit the topology\n');
      return 1;
    }
  }
  // node:crypto's sha256 (native, same values) keeps the volume hashes of a long run to seconds.
  const { report, grades } = simulateAndGrade(simulated, { ...args.options, sha256: (data) => createHash('sha256').update(data).digest() });
  // The file's exercises graded on this run: `exercise` is the first one's (the one the app opens), `exercises` every one's when several.
  const graded = grades.length ? { exercise: exerciseJson(grades[0]!), ...(grades.length > 1 ? { exercises: grades.map(exerciseJson) } : {}) } : {};
  io.out(args.json ? JSON.stringify({ ...report, ...graded }, null, 2) + '\n' : formatSimulationReport(report) + formatGrades(simulated, grades));
  return 0;
}

const RUN: Record<string, (argv: string[], io: CliOutput) => Promise<number>> = {
  validate: validateCommand,
  simulate: simulateCommand,
  plan: planMain,
  report: reportMain,
  export: exportMain,
  import: importMain,
  schema: async (argv, io) => {
    if (parseCommandArgs(SCHEMA_SPEC, argv).flags.has('help')) return help(SCHEMA_SPEC, io);
    io.out(JSON.stringify(topologyJsonSchema(), null, 2) + '\n');
    return 0;
  },
};

/**
 * Runs one CLI command and returns the exit code; never calls process.exit, so it can be tested in-process. Never
 * throws either: usage errors exit 2 naming the argument, anything unexpected prints `relaylab: <message>` and exits 70
 * (with the stack trace only under --debug).
 */
export async function main(argv: string[], io: CliOutput = processOutput): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const spec = COMMANDS.find((c) => c.name === rest[0]);
    io.out(spec ? formatHelp(spec) : HELP);
    return command === undefined ? 2 : 0;
  }
  const run = Object.hasOwn(RUN, command) ? RUN[command] : undefined;
  if (!run) {
    io.err(`relaylab: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await withUsageErrors(command, io, () => run(rest, io));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    io.err(`relaylab: ${message}\n`);
    io.err(rest.includes('--debug') && e instanceof Error && e.stack ? `${e.stack}\n` : `(an internal error; run again with --debug for the stack trace)\n`);
    return 70;
  }
}

// `node dist/main/cli.mjs ...` (scripts/build.mjs runs `schema` this way); bin/relaylab.mjs imports main() instead.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      // main() catches everything; this is for a failure to even start.
      process.stderr.write(`relaylab: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
