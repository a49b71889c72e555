// `relaylab export FILE --to cci|drbd|drawio --out DIR` and `relaylab import FILE|DIR... --from cci|drbd [--out T.relaylab.json]`.
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
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
import type { CliOutput } from '../cli';
import { checkFile } from '../cli';

export const EXPORT_HELP = `relaylab export FILE --to cci|drbd|drawio --out DIR

Writes the design as real configuration into DIR (created if needed):
  cci     one horcmN.conf per storage system with pairs, and pairs.sh (paircreate in dependency order, pairdisplay checks)
  drbd    one DRBD 9 .res file per resource (protocol C for sync pairs, A for async); what DRBD cannot express is listed
  drawio  DESIGN.drawio for draw.io / diagrams.net, at the canvas positions

Exit codes: 0 written, 1 the topology has errors or a file cannot be written, 2 wrong usage.
`;
export const IMPORT_HELP = `relaylab import FILE|DIR... [--from cci|drbd] [--out TOPOLOGY.relaylab.json]

Builds a topology from array configuration, laid out with elkjs:
  cci     horcmN.conf files plus pairs.sh (paircreate commands) or pairdisplay -fcx output
  drbd    DRBD 9 .res files
A directory stands for the files in it. --from is guessed from the names when left out (.res: drbd).
What the files do not say (distances, bandwidths, sizes, journals, caches) is set to stated defaults and listed as warnings.
Without --out the topology is printed.

Exit codes: 0 imported (warnings allowed), 1 an input file is wrong (file:line: what was expected), 2 wrong usage.
`;

const ExportArgs = z.strictObject({ to: z.enum(['cci', 'drbd', 'drawio']), out: z.string().min(1) });
const ImportArgs = z.strictObject({ from: z.enum(['cci', 'drbd']).optional(), out: z.string().min(1).optional() });

/** Usage errors come back as a message; parseArgs throws on unknown options. */
function parse(argv: string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    return (e as Error).message;
  }
}

/** The canvas placement the draw.io file uses: the renderer's own geometry, so the picture matches the app. */
export function drawioFor(t: Topology, fileName: string): ExportResult {
  return exportDrawio(t, { geometry: computeGeometry(t), parentOf: (id) => canvasParentId(t, id) }, fileName);
}

export function exportTopology(t: Topology, to: 'cci' | 'drbd' | 'drawio', baseName: string): ExportResult {
  return to === 'cci' ? exportCci(t) : to === 'drbd' ? exportDrbd(t) : drawioFor(t, `${baseName}.drawio`);
}

export async function exportMain(argv: string[], io: CliOutput): Promise<number> {
  const args = parse(argv, { to: { type: 'string' }, out: { type: 'string' } });
  if (typeof args === 'string') return usage(io, 'export', args, EXPORT_HELP);
  if (args.values.help) return io.out(EXPORT_HELP), 0;
  const { help: _help, ...values } = args.values;
  const checked = ExportArgs.safeParse(values);
  const [file, ...extra] = args.positionals;
  if (!checked.success || !file || extra.length)
    return usage(io, 'export', !file || extra.length ? 'give exactly one topology file' : 'give --to cci, drbd or drawio and --out DIR', EXPORT_HELP);
  const { topology, problems } = await checkFile(file);
  const errors = problems.filter((p) => p.severity === 'error');
  if (!topology || errors.length) {
    for (const p of errors) io.err(`${file}: ${formatProblem(p)}\n`);
    io.err(`relaylab export: ${file} has errors; fix them first (relaylab validate ${file})\n`);
    return 1;
  }
  const base = path.basename(file).replace(/\.relaylab\.json$|\.json$/, '');
  const result = exportTopology(topology, checked.data.to, base);
  try {
    await mkdir(checked.data.out, { recursive: true });
    for (const [name, text] of Object.entries(result.files)) {
      const target = path.join(checked.data.out, name);
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
  const args = parse(argv, { from: { type: 'string' }, out: { type: 'string' } });
  if (typeof args === 'string') return usage(io, 'import', args, IMPORT_HELP);
  if (args.values.help) return io.out(IMPORT_HELP), 0;
  const { help: _help, ...values } = args.values;
  const checked = ImportArgs.safeParse(values);
  if (!checked.success || args.positionals.length === 0) return usage(io, 'import', checked.success ? 'give the files (or a directory) to import' : '--from is cci or drbd', IMPORT_HELP);
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
  const from = checked.data.from ?? (Object.keys(files).some((f) => f.endsWith('.res')) ? 'drbd' : 'cci');
  const result = await importAndLayOut(files, from, checked.data.out ? path.basename(checked.data.out).replace(/\.relaylab\.json$/, '') : undefined);
  if (!result.ok) {
    for (const e of result.errors) io.err(`${e.message}\n`);
    return 1;
  }
  for (const w of result.warnings) io.err(`${formatProblem(w)}\n`);
  const text = serializeTopology(result.topology);
  if (checked.data.out) {
    await writeFile(checked.data.out, text);
    io.err(`relaylab import: wrote ${checked.data.out} (${result.topology.systems.length} systems, ${result.topology.pairs.length} pairs, ${result.warnings.length} warnings to review)\n`);
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

function usage(io: CliOutput, command: string, message: string, help: string): number {
  io.err(`relaylab ${command}: ${message}\n\n${help}`);
  return 2;
}
