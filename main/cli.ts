// The `relaylab` command line: validate topology files, print the JSON Schema, run headless simulations, size plans.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { parseTopologyText } from '../app/model/file';
import { validateDocument } from '../app/validate/index';
import { formatProblem } from '../app/model/problem';
import type { Problem } from '../app/model/problem';
import { Topology } from '../app/model/schema';
import { FileError, readDocumentFile } from './files';
import { planMain } from './plan/cli';

const HELP = `relaylab <command> [options]

Commands:
  validate FILE...    check topology files (*.relaylab.json); exit 1 if any has an error
  schema              print the JSON Schema of the file format
  plan FILE [...]     size links, journals and latencies (relaylab plan --help)
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
export async function checkFile(file: string): Promise<Problem[]> {
  let text: string;
  try {
    text = await readDocumentFile(file);
  } catch (e) {
    const reason = e instanceof FileError ? e.message.replace(`${file}: `, '') : String(e);
    return [{ severity: 'error', code: 'unreadable', message: reason, path: [] }];
  }
  // The text-level guards (size, nesting depth, JSON syntax) come first; then schema, migrations and domain rules.
  const loaded = parseTopologyText(text);
  if (!loaded.ok && loaded.problems.some((p) => TEXT_LEVEL_CODES.has(p.code))) return loaded.problems;
  return validateDocument(JSON.parse(text)).problems;
}
const TEXT_LEVEL_CODES = new Set(['file-too-large', 'too-deep', 'not-json']);

async function validateCommand(files: string[], io: CliOutput): Promise<number> {
  if (files.length === 0) {
    io.err('relaylab validate: give one or more files\n');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    const problems = await checkFile(file);
    for (const problem of problems) io.out(`${file}: ${formatProblem(problem)}\n`);
    const errors = problems.filter((p) => p.severity === 'error').length;
    if (errors > 0) failed = true;
    else io.out(`${file}: ok${problems.length ? ` (${problems.length} warning${problems.length === 1 ? '' : 's'})` : ''}\n`);
  }
  return failed ? 1 : 0;
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
    case 'plan':
      return planMain(rest, io);
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
