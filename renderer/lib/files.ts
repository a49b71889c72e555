// Open, save and save-as: native dialogs through the api in desktop mode, upload and download in a browser; recent files; a confirm before losing changes.
import { parseTopologyText, serializeTopology } from '../../app/model/file';
import { FILE_EXTENSION } from '../../app/model/schema';
import type { Topology } from '../../app/model/schema';
import { api, appMode } from '../services';
import { documentStore, isDirty } from '../store/document';

const RECENT_KEY = 'relaylab.recent';
const RECENT_MAX = 6;

interface RecentWeb {
  name: string;
  text: string;
}

export function confirmDiscard(): boolean {
  if (!isDirty(documentStore.getState())) return true;
  return window.confirm('The current topology has unsaved changes. Discard them?');
}

/** Parses file text and, if it is a topology, makes it the document; otherwise shows the located errors and keeps the current one. */
export function openText(fileName: string, text: string, path: string | null): boolean {
  const result = parseTopologyText(text);
  const store = documentStore.getState();
  if (!result.ok) {
    store.setOpenErrors({ fileName, problems: result.problems });
    return false;
  }
  store.load(result.topology, path);
  store.notify(result.migratedFrom !== undefined ? `Opened ${fileName} (upgraded from format ${result.migratedFrom})` : `Opened ${fileName}`);
  rememberRecent(path ?? fileName, text);
  return true;
}

export async function openFile(): Promise<void> {
  if (!confirmDiscard()) return;
  if ((await appMode()) === 'desktop') {
    const a = await api();
    const r = await a!.call('file.open', {});
    if ('cancelled' in r) return;
    openText(baseName(r.path), r.text, r.path);
    return;
  }
  const file = await pickFile();
  if (file) openText(file.name, await file.text(), null);
}

/**
 * A document the desktop shell named (command line, file association), read by main: opened like a dialog's choice,
 * after the usual confirm when the current one has unsaved changes. Returns whether it became the document.
 */
export function openFromShell(file: { path: string; text: string }, confirm: () => boolean = confirmDiscard): boolean {
  if (!confirm()) return false;
  return openText(baseName(file.path), file.text, file.path);
}

/**
 * Desktop: listens for 'app.openFile', then tells main it does ('app.ready'), so a document named at launch is sent
 * only once someone receives it. Returns the unsubscribe function (a no-op in web mode, where main names no files).
 */
export async function listenForShellOpens(): Promise<() => void> {
  if ((await appMode()) !== 'desktop') return () => undefined;
  const a = await api();
  if (!a) return () => undefined;
  const off = a.on('app.openFile', (file) => void openFromShell(file));
  await a.call('app.ready', {}).catch(() => undefined);
  return off;
}

export async function openRecent(entry: string): Promise<void> {
  if (!confirmDiscard()) return;
  if ((await appMode()) === 'desktop') {
    const a = await api();
    const r = await a!.call('file.open', { path: entry });
    if ('cancelled' in r) return;
    openText(baseName(r.path), r.text, r.path);
    return;
  }
  const hit = readRecentWeb().find((r) => r.name === entry);
  if (hit) openText(hit.name, hit.text, null);
}

export async function recentFiles(): Promise<string[]> {
  if ((await appMode()) === 'desktop') {
    try {
      return (await (await api())!.call('file.recent', {})).paths;
    } catch {
      return [];
    }
  }
  return readRecentWeb().map((r) => r.name);
}

export async function saveFile(saveAs = false): Promise<void> {
  const store = documentStore.getState();
  const text = serializeTopology(store.doc);
  if ((await appMode()) === 'desktop') {
    const r = await (await api())!.call('file.save', { path: saveAs ? undefined : (store.filePath ?? undefined), text, saveAs: saveAs || !store.filePath });
    if ('cancelled' in r) return;
    store.markSaved(r.path);
    store.notify(`Saved ${baseName(r.path)}`);
    return;
  }
  const name = fileNameFor(store.doc);
  download(name, text, 'application/json');
  store.markSaved(name);
  rememberRecent(name, text);
  store.notify(`Downloaded ${name}`);
}

export function fileNameFor(t: Topology): string {
  const stem = (t.name || 'topology').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'topology';
  return `${stem}${FILE_EXTENSION}`;
}

export function download(name: string, data: string | Blob, type = 'application/octet-stream'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function pickFile(): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = `${FILE_EXTENSION},.json,application/json`;
    input.dataset.testid = 'file-input';
    input.style.display = 'none';
    input.addEventListener('change', () => {
      resolve(input.files?.[0] ?? null);
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

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

function readRecentWeb(): RecentWeb[] {
  try {
    const raw = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(raw) ? raw.filter((r): r is RecentWeb => typeof r?.name === 'string' && typeof r?.text === 'string') : [];
  } catch {
    return [];
  }
}

function rememberRecent(name: string, text: string): void {
  // Desktop keeps its own list in main; the browser keeps small documents in local storage.
  if (text.length > 512 * 1024) return;
  try {
    const list = [{ name, text }, ...readRecentWeb().filter((r) => r.name !== name)].slice(0, RECENT_MAX);
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    /* storage full or disabled: recent files are a convenience */
  }
}
