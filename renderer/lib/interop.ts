// File > Export to Hitachi CCI, DRBD 9 and draw.io (downloads), and File > Import from CCI or DRBD files (laid out with elk, defaults listed in Problems).
import { exportCci, importCci } from '../../app/interop/cci';
import { exportDrawio } from '../../app/interop/drawio';
import { exportDrbd, importDrbd } from '../../app/interop/drbd';
import type { ExportResult, FileMap } from '../../app/interop/types';
import type { Topology } from '../../app/model/schema';
import { computeGeometry } from '../canvas/derive';
import { documentStore } from '../store/document';
import { setImportNotes } from '../ui/problems';
import { autoLayout } from './autolayout';
import { confirmDiscard, download, fileNameFor } from './files';
import { canvasParentId } from './topo';

export type ExportFormat = 'cci' | 'drbd' | 'drawio';
const store = () => documentStore.getState();

export function exportFiles(t: Topology, to: ExportFormat): ExportResult {
  if (to === 'cci') return exportCci(t);
  if (to === 'drbd') return exportDrbd(t);
  const base = fileNameFor(t).replace(/\.relaylab\.json$/, '');
  return exportDrawio(t, { geometry: computeGeometry(t), parentOf: (id) => canvasParentId(t, id) }, `${base}.drawio`);
}

const LABEL: Record<ExportFormat, string> = { cci: 'Hitachi CCI', drbd: 'DRBD 9', drawio: 'draw.io' };

/** Downloads every file of an export (one after another: browsers take one download per tick); what does not map goes in the toast. */
export async function exportConfiguration(to: ExportFormat): Promise<void> {
  const { files, notes } = exportFiles(store().doc, to);
  const names = Object.keys(files);
  for (const [name, text] of Object.entries(files)) {
    download(name, text, name.endsWith('.drawio') ? 'application/vnd.jgraph.mxfile' : 'text/plain');
    await new Promise((r) => setTimeout(r, 120));
  }
  const notMapped = to === 'drawio' ? '' : notes.length ? ` ${notes.length} thing(s) do not map (see the header comments): ${notes[0]}` : '';
  store().notify(names.length ? `${LABEL[to]}: downloaded ${names.join(', ')}.${notMapped}` : `${LABEL[to]}: nothing to export.${notMapped}`);
}

/** Picks several files at once (horcmN.conf + pairs.sh, or .res files); null when cancelled. */
function pickFiles(): Promise<File[] | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.accept = '.conf,.sh,.res,.txt,.log,text/plain';
    input.dataset.testid = 'import-input';
    input.style.display = 'none';
    input.addEventListener('change', () => {
      resolve(input.files ? [...input.files] : null);
      input.remove();
    });
    input.addEventListener('cancel', () => {
      resolve(null);
      input.remove();
    });
    document.body.appendChild(input);
    input.click();
  });
}

/** Builds a topology from configuration files: elk lays it out, it opens as a new unsaved document, and the defaults it took are listed in Problems. */
export async function importFiles(files: FileMap): Promise<boolean> {
  const names = Object.keys(files);
  const from = names.some((n) => /\.res$/i.test(n)) ? 'drbd' : 'cci';
  const name = from === 'cci' ? 'Imported from CCI' : 'Imported from DRBD';
  const result = from === 'cci' ? importCci(files, name) : importDrbd(files, name);
  if (!result.ok) {
    store().setOpenErrors({ fileName: names.join(', '), problems: result.errors.map((e) => ({ severity: 'error', code: 'import-error', message: e.message, path: [] })) });
    return false;
  }
  const topology: Topology = { ...result.topology, layout: { nodes: await autoLayout(result.topology) } };
  // Before load: the Problems of the new document are computed (and cached) as soon as it renders.
  setImportNotes(store().loads + 1, result.warnings);
  store().load(topology, null, { dirty: true });
  store().notify(`Imported ${topology.systems.length} systems and ${topology.pairs.length} pairs from ${from === 'cci' ? 'CCI' : 'DRBD'}; ${result.warnings.length} default(s) to review in Problems`);
  return true;
}

export async function importConfiguration(): Promise<void> {
  if (!confirmDiscard()) return;
  const picked = await pickFiles();
  if (!picked?.length) return;
  const files: FileMap = {};
  for (const f of picked) files[f.name] = await f.text();
  await importFiles(files);
}
