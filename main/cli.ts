// The `relaylab` command line: validate topology files, print the JSON Schema, run headless simulations, size plans.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { parseTopologyText } from '../app/model/file';
import { validateDocument, validateTopology } from '../app/validate/index';
import { formatProblem, refusalToRun } from '../app/model/problem';
import type { Problem } from '../app/model/problem';
import { Topology } from '../app/model/schema';
import type { Topology as TopologyDocument } from '../app/model/schema';
import { FileError, readDocumentFile } from './files';
import { runSimulation } from './engine/headless';
import type { SimulationReport } from './engine/headless';
import { SimulateArgsError, applyTrace, parseSimulateArgs, parseTraceCsv } from './engine/headless-args';
import { formatTable, planMain } from './plan/cli';
import { reportMain } from './report/cli';

const HELP = `relaylab <command> [options]

Commands:
  validate FILE...    check topology files (*.relaylab.json); exit 1 if any has an error
  schema              print the JSON Schema of the file format
  simulate FILE [--duration 60s] [--seed N] [--fault at=10s,cut=CN4] [--workload iops=800] [--trace [HOST:WORKLOAD=]T.csv] [--json]
                      run the topology headless and report pair states, latencies, links, volume hashes;
                      --trace replays a CSV (atUs,op,offsetBytes,lengthBytes) on the first host's first workload
  plan FILE [...]     size links, journals and latencies (relaylab plan --help)
  report FILE --out REPORT.html [--pdf REPORT.pdf]
                      the DR plan report: self-contained HTML, optionally PDF (relaylab report --help)
  --help              this text

Exit codes: 0 ok, 1 problems found, 2 wrong usage.
`;

/** Where the CLI writes; main() takes it so tests can capture output without spawning. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}
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

/** Reads, parses, migrates and checks one file; problems come back located (JSON path, element id). */
export async function checkFile(file: string): Promise<{ topology?: TopologyDocument; problems: Problem[] }> {
  let text: string;
  try {
    text = await readDocumentFile(file);
  } catch (e) {
    const reason = e instanceof FileError ? e.message.replace(`${file}: `, '') : String(e);
    return { problems: [{ severity: 'error', code: 'unreadable', message: reason, path: [] }] };
  }
  // The text-level guards (size, nesting depth, JSON syntax) come first; then schema, migrations and domain rules.
  const loaded = parseTopologyText(text);
  if (!loaded.ok && loaded.problems.some((p) => TEXT_LEVEL_CODES.has(p.code))) return { problems: loaded.problems };
  // parseTopologyText accepted a leading byte order mark; JSON.parse does not.
  return validateDocument(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
}
const TEXT_LEVEL_CODES = new Set(['file-too-large', 'too-deep', 'not-json']);

async function validateCommand(files: string[], io: CliOutput): Promise<number> {
  if (files.length === 0) {
    io.err('relaylab validate: give one or more files\n');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const { problems } = await checkFile(file);
    for (const problem of problems) io.out(`${file}: ${formatProblem(problem)}\n`);
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors > 0) failed = true;
    else io.out(`${file}: ok${problems.length ? ` (${problems.length} warning${problems.length === 1 ? '' : 's'})` : ''}\n`);
  }
  return failed ? 1 : 0;
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
  out.push(formatTable(['link', 'utilization', 'MB'], report.links.map((l) => [l.id, pct(l.utilization), (l.bytes / 1e6).toFixed(1)])));
  if (report.faults.length) {
    out.push('\nFaults\n');
    out.push(formatTable(['at', 'command', 'result'], report.faults.map((f) => [`${f.atMs / 1000} s`, JSON.stringify(f.command), `${f.ok ? 'ok' : 'refused'}: ${f.message}`])));
  }
  out.push('\nVolumes (sha256 of the content at the end)\n');
  out.push(formatTable(['volume', 'sha256'], report.volumes.map((v) => [v.id, v.sha256])));
  return out.join('');
}

async function simulateCommand(argv: string[], io: CliOutput): Promise<number> {
  let args;
  try {
    args = parseSimulateArgs(argv);
  } catch (e) {
    if (e instanceof SimulateArgsError) {
      io.err(`relaylab simulate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const [file, ...extra] = args.files;
  if (!file || extra.length) {
    io.err('relaylab simulate: give exactly one topology file\n');
    return 2;
  }
  const { topology, problems } = await checkFile(file);
  const errors = problems.filter((p) => p.severity === 'error');
  if (!topology || errors.length) {
    for (const p of errors) io.err(`${file}: ${formatProblem(p)}\n`);
    io.err(`relaylab simulate: ${refusalToRun(file)} (relaylab validate ${file})\n`);
    return 1;
  }
  let simulated = topology;
  try {
    for (const trace of args.traces) simulated = applyTrace(simulated, trace, parseTraceCsv(await readDocumentFile(trace.file), trace.file));
  } catch (e) {
    if (e instanceof SimulateArgsError || e instanceof FileError) {
      io.err(`relaylab simulate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (args.traces.length > 0) {
    // A trace can reach past its LU: the same located finding as in the file ('trace-out-of-range').
    const traceErrors = validateTopology(simulated).filter((p) => p.severity === 'error');
    for (const p of traceErrors) io.err(`${file}: ${formatProblem(p)}\n`);
    if (traceErrors.length) {
      io.err('relaylab simulate: the trace does not fit the topology\n');
      return 1;
    }
  }
  // node:crypto's sha256 (native, same values) keeps the volume hashes of a long run to seconds.
  const report = runSimulation(simulated, { ...args.options, sha256: (data) => createHash('sha256').update(data).digest() });
  io.out(args.json ? JSON.stringify(report, null, 2) + '\n' : formatSimulationReport(report));
  return 0;
}

/** Runs one CLI command and returns the exit code; never calls process.exit, so it can be tested in-process. */
export async function main(argv: string[], io: CliOutput = processOutput): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.out(HELP);
      return command === undefined ? 2 : 0;
    case 'validate':
      return validateCommand(rest, io);
    case 'simulate':
      return simulateCommand(rest, io);
    case 'plan':
      return planMain(rest, io);
    case 'report':
      return reportMain(rest, io);
    case 'schema':
      io.out(JSON.stringify(topologyJsonSchema(), null, 2) + '\n');
      return 0;
    default:
      io.err(`relaylab: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

// `node dist/main/cli.mjs ...` (scripts/build.mjs runs `schema` this way); bin/relaylab.mjs imports main() instead.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error('relaylab: internal error:', e);
      process.exitCode = 70;
    },
  );
}
