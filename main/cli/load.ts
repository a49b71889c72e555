// The one topology loader of every relaylab command: read, parse, migrate and validate exactly as `relaylab validate` does, and refuse a file with errors in the same words.
import { parseTopologyText } from '../../app/model/file';
import { formatProblem, refusalToRun, type Problem } from '../../app/model/problem';
import type { Topology } from '../../app/model/schema';
import { validateDocument } from '../../app/validate/index';
import { FileError, readDocumentFile } from '../files';
import type { CliOutput } from './args';

export type { CliOutput };


/** The text-level guards (size, nesting depth, JSON syntax) whose problems stop the check before the schema. */
const TEXT_LEVEL_CODES = new Set(['file-too-large', 'too-deep', 'not-json']);

/** Reads, parses, migrates and checks one file; problems come back located (JSON path, element id). */
export async function checkFile(file: string): Promise<{ topology?: Topology; problems: Problem[] }> {
  let text: string;
  try {
    text = await readDocumentFile(file);
  } catch (e) {
    const reason = e instanceof FileError ? e.message.replace(`${file}: `, '') : e instanceof Error ? e.message : String(e);
    return { problems: [{ severity: 'error', code: 'unreadable', message: reason, path: [] }] };
  }
  const loaded = parseTopologyText(text);
  if (!loaded.ok && loaded.problems.some((p) => TEXT_LEVEL_CODES.has(p.code))) return { problems: loaded.problems };
  // parseTopologyText accepted a leading byte order mark; JSON.parse does not.
  return validateDocument(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
}

/** One problem as `relaylab validate` prints it. */
export const problemLine = (file: string, p: Problem): string => `${file}: ${formatProblem(p)}\n`;

/**
 * The topology of `file` when it has no errors. Otherwise prints its problems as `relaylab validate` does (on stderr,
 * since stdout carries the command's output) and a closing line, and returns null: the command exits 1.
 */
export async function loadCheckedTopology(file: string, command: string, io: CliOutput): Promise<Topology | null> {
  const { topology, problems } = await checkFile(file);
  if (topology && !problems.some((p) => p.severity === 'error')) return topology;
  for (const p of problems) io.err(problemLine(file, p));
  io.err(`relaylab ${command}: ${refusalToRun(file)} (relaylab validate ${file})\n`);
  return null;
}
