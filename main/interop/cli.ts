// `relaylab export FILE --to cci|drbd|drawio --out DIR` and `relaylab import FILE|DIR... --from cci|drbd [--out T.relaylab.json]`.
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { serializeTopology } from '../../app/model/file';
import { formatProblem } from '../../app/model/problem';
import { exportCci, importCci } from '../../app/interop/cci';
import { exportDrawio } from '../../app/interop/drawio';
import { exportDrbd, importDrbd } from '../../app/interop/drbd';
import { MAX_IMPORT_FILE_BYTES } from '../../app/interop/types';
import type { ExportResult, FileMap, ImportResult } from '../../app/interop/types';
import type { Topology } from '../../app/model/schema';
import { validateTopology } from '../../app/validate/index';
import { computeGeometry } from '../../renderer/canvas/derive';
import { autoLayout } from '../../renderer/lib/autolayout';
import { canvasParentId } from '../../renderer/lib/topo';
import { FileError, readDocumentFile } from '../files';
import { CliUsageError, type CliOutput, type CommandSpec, formatHelp, lastValue, parseCommandArgs } from '../cli/args';
import { loadCheckedTopology } from '../cli/load';

const EXPORT_FORMATS = ['cci', 'drbd', 'drawio'] as const;
const IMPORT_FORMATS = ['cci', 'drbd'] as const;

export const EXPORT_SPEC: CommandSpec = {
  name: 'export',
  usage: 'FILE --to cci|drbd|drawio --out DIR',
  summary: 'write the design as real configuration: Hitachi CCI horcmN.conf + pairs.sh, DRBD 9 .res, or draw.io',
  description:
    'Writes the design as real configuration into DIR (created if needed). cci: one horcmN.conf per storage system with pairs, and pairs.sh (paircreate in dependency order, pairdisplay checks). drbd: one DRBD 9 .res file per resource (protocol C for sync pairs, A for async); what DRBD cannot express is listed. drawio: DESIGN.drawio for draw.io / diagrams.net, at the canvas positions.',
  positionals: { name: 'FILE', min: 1, max: 1 },
  options: {
    to: { kind: 'value', value: 'FORMAT', help: 'cci, drbd or drawio (required)' },
    out: { kind: 'value', value: 'DIR', help: 'the folder to write into (required; created if needed)' },
  },
  exitCodes: '0 written, 1 the topology has errors or a file cannot be written, 2 wrong usage.',
};

export const IMPORT_SPEC: CommandSpec = {
  name: 'import',
  usage: 'FILE|DIR... [--from cci|drbd] [--out TOPOLOGY.relaylab.json]',
  summary: 'build a topology from CCI (horcmN.conf + pairs.sh or pairdisplay -fcx) or DRBD 9 .res files, laid out with elkjs',
  description:
    'A directory stands for the files in it. --from is guessed from the names when left out (.res: drbd). What the files do not say (distances, bandwidths, sizes, journals, caches) is set to stated defaults and listed as warnings. Without --out the topology is printed.',
  positionals: { name: 'FILE|DIR', min: 1, max: Infinity },
  options: {
    from: { kind: 'value', value: 'FORMAT', help: 'cci or drbd (guessed from the file names when left out)' },
    out: { kind: 'value', value: 'FILE', help: 'write the topology here instead of printing it' },
  },
  exitCodes: '0 imported (warnings allowed), 1 an input file is wrong (file:line: what was expected), 2 wrong usage.',
};

function oneOf<T extends string>(value: string | undefined, choices: readonly T[], arg: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new CliUsageError(arg, `"${value}" is not one of ${choices.join(', ')}`);
  return value as T;
}

/** The canvas placement the draw.io file uses: the renderer's own geometry, so the picture matches the app. */
export function drawioFor(t: Topology, fileName: string): ExportResult {
  return exportDrawio(t, { geometry: computeGeometry(t), parentOf: (id) => canvasParentId(t, id) }, fileName);
}

export function exportTopology(t: Topology, to: 'cci' | 'drbd' | 'drawio', baseName: string): ExportResult {
  return to === 'cci' ? exportCci(t) : to === 'drbd' ? exportDrbd(t) : drawioFor(t, `${baseName}.drawio`);
}

export async function exportMain(argv: string[], io: CliOutput): Promise<number> {
  const args = parseCommandArgs(EXPORT_SPEC, argv);
  if (args.flags.has('help')) return io.out(formatHelp(EXPORT_SPEC)), 0;
  const to = oneOf(lastValue(args, 'to'), EXPORT_FORMATS, '--to');
  const out = lastValue(args, 'out');
  if (!to) throw new CliUsageError('--to', 'say which format to write: cci, drbd or drawio');
  if (!out) throw new CliUsageError('--out', 'say which folder to write into');
  const file = args.positionals[0]!;
  const topology = await loadCheckedTopology(file, 'export', io);
  if (!topology) return 1;
  const base = path.basename(file).replace(/\.relaylab\.json$|\.json$/, '');
  const result = exportTopology(topology, to, base);
  try {
    await mkdir(out, { recursive: true });
    for (const [name, text] of Object.entries(result.files)) {
      const target = path.join(out, name);
      await writeFile(target, text, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
      io.out(`wrote ${target}\n`);
    }
  } catch (e) {
    io.err(`relaylab export: ${(e as Error).message}\n`);
    return 1;
  }
  for (const note of result.notes) io.out(`not mapped: ${note}\n`);
  return 0;
}

/** The files named on the command line; a directory stands for its files (not recursive). */
async function readInputs(names: string[]): Promise<FileMap> {
  const files: FileMap = {};
  for (const name of names) {
    const st = await stat(name).catch(() => undefined);
    if (!st) throw new FileError(name, 'read', 'no such file or directory');
    const list = st.isDirectory() ? (await readdir(name)).sort().map((f) => path.join(name, f)) : [name];
    for (const f of list) {
      if (st.isDirectory() && !(await stat(f)).isFile()) continue;
      if (st.isDirectory() && !/\.(conf|sh|res|txt|log)$/i.test(f)) continue;
      files[path.basename(f)] = await readDocumentFile(f, MAX_IMPORT_FILE_BYTES);
    }
  }
  return files;
}

export async function importMain(argv: string[], io: CliOutput): Promise<number> {
  const args = parseCommandArgs(IMPORT_SPEC, argv);
  if (args.flags.has('help')) return io.out(formatHelp(IMPORT_SPEC)), 0;
  const fromArg = oneOf(lastValue(args, 'from'), IMPORT_FORMATS, '--from');
  const outFile = lastValue(args, 'out');
  let files: FileMap;
  try {
    files = await readInputs(args.positionals);
  } catch (e) {
    if (e instanceof FileError) {
      io.err(`relaylab import: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const from = fromArg ?? (Object.keys(files).some((f) => f.endsWith('.res')) ? 'drbd' : 'cci');
  const result = await importAndLayOut(files, from, outFile ? path.basename(outFile).replace(/\.relaylab\.json$/, '') : undefined);
  if (!result.ok) {
    for (const e of result.errors) io.err(`${e.message}\n`);
    return 1;
  }
  for (const w of result.warnings) io.err(`${formatProblem(w)}\n`);
  const text = serializeTopology(result.topology);
  if (outFile) {
    await writeFile(outFile, text);
    io.err(`relaylab import: wrote ${outFile} (${result.topology.systems.length} systems, ${result.topology.pairs.length} pairs, ${result.warnings.length} warnings to review)\n`);
  } else io.out(text);
  return 0;
}

/** Imports, then places everything with the app's own elk auto-layout; the warnings include validation's. */
export async function importAndLayOut(files: FileMap, from: 'cci' | 'drbd', name?: string): Promise<ImportResult> {
  const result = from === 'cci' ? importCci(files, name) : importDrbd(files, name);
  if (!result.ok) return result;
  const topology = { ...result.topology, layout: { nodes: await autoLayout(result.topology) } };
  return { ok: true, topology, warnings: [...result.warnings, ...validateTopology(topology)] };
}

