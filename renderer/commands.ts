// The designer's commands: what toolbar buttons, menus and keyboard shortcuts call; each edit goes through a named action on the store.
import { emptyTopology } from '../app/model/schema';
import { serializeTopology } from '../app/model/file';
import { documentStore } from './store/document';
import { applyLayout, copyFragment, deleteElements, duplicate, pasteFragment } from './store/actions';
import { flowInstance } from './canvas/flow';
import { fitIfDrawn } from './canvas/viewport';
import { confirmDiscard, download, fileNameFor, openFile, saveFile } from './lib/files';
import { loadTemplate } from './lib/templates';
import { autoLayout } from './lib/autolayout';
import { exportImage, tablesCsv } from './lib/exporting';
import { exportConfiguration, importConfiguration } from './lib/interop';
import { liveStore } from './live/store';
import { layoutStore, toggleLegend, togglePresenting } from './ui/layout';

const store = () => documentStore.getState();

/** Deleting, duplicating or pasting elements while the run plays is refused with a toast (the menus show it disabled). */
function refusedWhileRunning(what: string): boolean {
  if (!liveStore.getState().snapshot?.running) return false;
  store().notify(`${what}: the run is playing: pause it to change the model`, 'error');
  return true;
}

/** Element ids in the selection (mapping edges select their upper element's id-derived edge, which is not an element). */
function selectedElements(): string[] {
  return store().selection.filter((id) => !id.startsWith('map:') && !id.startsWith('expose:'));
}

export const commands = {
  undo: () => store().undo(),
  redo: () => store().redo(),
  deleteSelection() {
    const ids = selectedElements();
    if (ids.length && refusedWhileRunning('Delete')) return;
    if (ids.length) store().edit('Delete', (t) => deleteElements(t, { ids }), []);
  },
  copy() {
    const ids = selectedElements();
    if (!ids.length) return;
    store().setClipboard(copyFragment(store().doc, ids));
    store().notify(`Copied ${ids.length} element${ids.length > 1 ? 's' : ''}`);
  },
  cut() {
    commands.copy();
    commands.deleteSelection();
  },
  paste() {
    const fragment = store().clipboard;
    if (!fragment || refusedWhileRunning('Paste')) return;
    let ids: string[] = [];
    store().edit('Paste', (t) => {
      const r = pasteFragment(t, { fragment, offset: { x: 40, y: 40 } });
      ids = r.ids;
      return r.topology;
    });
    if (ids.length) store().select(ids);
  },
  duplicate() {
    const ids = selectedElements();
    if (!ids.length || refusedWhileRunning('Duplicate')) return;
    let created: string[] = [];
    store().edit('Duplicate', (t) => {
      const r = duplicate(t, { ids });
      created = r.ids;
      return r.topology;
    });
    if (created.length) store().select(created);
  },
  clearSelection: () => store().select([]),
  selectAll() {
    const t = store().doc;
    store().select([...t.sites, ...t.systems, ...t.hosts].map((e) => e.id));
  },
  fit() {
    const flow = flowInstance();
    if (flow) void fitIfDrawn(flow, { padding: 0.06, duration: 300, maxZoom: 1.25 });
  },
  /** Presentation mode: panels hidden, large type, run controls floating (F11; Esc leaves). */
  present: () => togglePresenting(),
  legend: () => toggleLegend(),
  async autoLayout() {
    const t = store().doc;
    try {
      const nodes = await autoLayout(t);
      // Only apply if nobody edited while elk was running.
      if (store().doc === t) store().edit('Auto-layout', (d) => applyLayout(d, { nodes }));
      setTimeout(() => commands.fit(), 150);
    } catch (e) {
      store().notify(`Auto-layout failed: ${(e as Error).message}`, 'error');
    }
  },
  /** Forgets stored positions: every node goes back to the automatic placement. */
  resetLayout() {
    store().edit('Reset layout', (t) => applyLayout(t, { nodes: {} }));
    setTimeout(() => commands.fit(), 60);
  },
  newDocument() {
    if (!confirmDiscard()) return;
    store().load(emptyTopology('Untitled'), null);
  },
  open: () => void openFile().catch((e: Error) => store().notify(`Open failed: ${e.message}`, 'error')),
  save: () => void saveFile(false).catch((e: Error) => store().notify(`Save failed: ${e.message}`, 'error')),
  saveAs: () => void saveFile(true).catch((e: Error) => store().notify(`Save failed: ${e.message}`, 'error')),
  openTemplate(file: string): boolean {
    if (!confirmDiscard()) return false;
    const r = loadTemplate(file);
    if (!r.ok) {
      store().setOpenErrors({ fileName: file, problems: r.problems });
      return false;
    }
    // A template is a starting point: it opens as a new, unsaved document.
    store().load(r.topology, null);
    setTimeout(() => commands.fit(), 80);
    return true;
  },
  exportPng: () => void exportImage('png', baseName(), store().doc).catch((e: Error) => store().notify(`Export failed: ${e.message}`, 'error')),
  exportSvg: () => void exportImage('svg', baseName(), store().doc).catch((e: Error) => store().notify(`Export failed: ${e.message}`, 'error')),
  exportPdf: () => void exportImage('pdf', baseName(), store().doc).catch((e: Error) => store().notify(`Export failed: ${e.message}`, 'error')),
  exportCsv: () => download(`${baseName()}-tables.csv`, tablesCsv(store().doc), 'text/csv'),
  exportTopology: () => download(fileNameFor(store().doc), serializeTopology(store().doc), 'application/json'),
  exportCci: () => void exportConfiguration('cci').catch((e: Error) => store().notify(`Export failed: ${e.message}`, 'error')),
  exportDrbd: () => void exportConfiguration('drbd').catch((e: Error) => store().notify(`Export failed: ${e.message}`, 'error')),
  exportDrawio: () => void exportConfiguration('drawio').catch((e: Error) => store().notify(`Export failed: ${e.message}`, 'error')),
  importConfiguration: () => void importConfiguration().catch((e: Error) => store().notify(`Import failed: ${e.message}`, 'error')),
};

function baseName(): string {
  return fileNameFor(store().doc).replace(/\.relaylab\.json$/, '');
}

export type CommandName = keyof typeof commands;

/** Keyboard shortcuts: one table, tested against the KeyboardEvent, Excalidraw style. */
export const SHORTCUTS: { name: Exclude<CommandName, 'openTemplate'>; label: string; test: (e: KeyboardEvent) => boolean }[] = [
  { name: 'undo', label: 'Ctrl+Z', test: (e) => mod(e) && !e.shiftKey && key(e) === 'z' },
  { name: 'redo', label: 'Ctrl+Shift+Z / Ctrl+Y', test: (e) => mod(e) && ((e.shiftKey && key(e) === 'z') || key(e) === 'y') },
  { name: 'copy', label: 'Ctrl+C', test: (e) => mod(e) && key(e) === 'c' },
  { name: 'cut', label: 'Ctrl+X', test: (e) => mod(e) && key(e) === 'x' },
  { name: 'paste', label: 'Ctrl+V', test: (e) => mod(e) && key(e) === 'v' },
  { name: 'duplicate', label: 'Ctrl+D', test: (e) => mod(e) && key(e) === 'd' },
  { name: 'selectAll', label: 'Ctrl+A', test: (e) => mod(e) && key(e) === 'a' },
  { name: 'save', label: 'Ctrl+S', test: (e) => mod(e) && !e.shiftKey && key(e) === 's' },
  { name: 'saveAs', label: 'Ctrl+Shift+S', test: (e) => mod(e) && e.shiftKey && key(e) === 's' },
  { name: 'open', label: 'Ctrl+O', test: (e) => mod(e) && key(e) === 'o' },
  { name: 'present', label: 'F11', test: (e) => e.key === 'F11' || (e.key === 'Escape' && layoutStore.getState().presenting) },
  { name: 'legend', label: 'L', test: (e) => !mod(e) && !e.shiftKey && !e.altKey && key(e) === 'l' },
  { name: 'clearSelection', label: 'Esc', test: (e) => e.key === 'Escape' },
  { name: 'deleteSelection', label: 'Delete', test: (e) => !mod(e) && (e.key === 'Delete' || e.key === 'Backspace') },
  { name: 'fit', label: 'Shift+1 / F', test: (e) => !mod(e) && ((e.shiftKey && (e.key === '!' || e.code === 'Digit1')) || (!e.shiftKey && key(e) === 'f')) },
];

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const key = (e: KeyboardEvent) => e.key.toLowerCase();

/** True when the keystroke belongs to a text field rather than to the canvas. */
function typingInField(e: KeyboardEvent): boolean {
  const el = e.target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

export function handleShortcut(e: KeyboardEvent): boolean {
  if (typingInField(e)) return false;
  const hit = SHORTCUTS.find((s) => s.test(e));
  if (!hit) return false;
  e.preventDefault();
  void commands[hit.name]();
  return true;
}
