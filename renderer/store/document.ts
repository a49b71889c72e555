// The designer's document store (zustand): the Topology is the single source of truth; edits are named actions; undo/redo is a bounded history of documents.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { emptyTopology } from '../../app/model/schema';
import type { Topology } from '../../app/model/schema';
import { namingElement, type Problem } from '../../app/model/problem';
import { ActionRefused } from './actions';
import type { Fragment } from './actions';

export const HISTORY_LIMIT = 100;

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export interface DocumentState {
  doc: Topology;
  /** Earlier documents, oldest first; each entry is what undo restores. */
  past: { doc: Topology; label: string }[];
  future: { doc: Topology; label: string }[];
  /** The document as last saved or opened (dirty = doc differs from it by identity). */
  savedDoc: Topology;
  filePath: string | null;
  selection: string[];
  clipboard: Fragment | null;
  toast: Toast | null;
  /** Located problems of a file that failed to open (the current document is kept). */
  openErrors: { fileName: string; problems: Problem[] } | null;
  /** Bumped to ask the canvas to pan to an element. */
  focus: { id: string; n: number } | null;
  /** Bumped by every load (open, new, template, recovery): the canvas fits its view to a loaded document, never to an edit. */
  loads: number;
}

export interface DocumentActions {
  /**
   * Applies one named edit. A refused edit (ActionRefused) leaves the document as it was and shows its reason;
   * an edit returning the same document records nothing.
   */
  edit(label: string, perform: (t: Topology) => Topology, select?: string[]): boolean;
  undo(): void;
  redo(): void;
  /** Replaces the document (open, new, template): history is cleared and the document counts as saved. */
  load(doc: Topology, filePath: string | null, options?: { dirty?: boolean }): void;
  markSaved(filePath: string | null): void;
  select(ids: string[]): void;
  setClipboard(fragment: Fragment | null): void;
  notify(text: string, tone?: Toast['tone']): void;
  dismissToast(): void;
  setOpenErrors(errors: DocumentState['openErrors']): void;
  focusOn(id: string): void;
}

export type DocumentStore = DocumentState & DocumentActions;

let toastSeq = 0;

export function createDocumentStore(initial: Topology = emptyTopology()) {
  return createStore<DocumentStore>()((set, get) => ({
    doc: initial,
    past: [],
    future: [],
    savedDoc: initial,
    filePath: null,
    selection: [],
    clipboard: null,
    toast: null,
    openErrors: null,
    focus: null,
    loads: 0,

    edit(label, perform, select) {
      const before = get().doc;
      let after: Topology;
      try {
        after = perform(before);
      } catch (e) {
        if (e instanceof ActionRefused) {
          get().notify(namingElement(e.reason, e.elementId), 'error');
          return false;
        }
        throw e;
      }
      if (after === before) return false;
      set((s) => ({
        doc: after,
        past: [...s.past, { doc: before, label }].slice(-HISTORY_LIMIT),
        future: [],
        ...(select ? { selection: select } : {}),
      }));
      return true;
    },
    undo() {
      const { past, doc } = get();
      const last = past[past.length - 1];
      if (!last) return;
      set((s) => ({ doc: last.doc, past: past.slice(0, -1), future: [{ doc, label: last.label }, ...s.future], selection: keepExisting(s.selection, last.doc) }));
    },
    redo() {
      const { future, doc } = get();
      const next = future[0];
      if (!next) return;
      set((s) => ({ doc: next.doc, future: future.slice(1), past: [...s.past, { doc, label: next.label }].slice(-HISTORY_LIMIT), selection: keepExisting(s.selection, next.doc) }));
    },
    load(doc, filePath, options) {
      set((s) => ({ doc, savedDoc: options?.dirty ? emptyTopology() : doc, filePath, past: [], future: [], selection: [], openErrors: null, loads: s.loads + 1 }));
    },
    markSaved(filePath) {
      set((s) => ({ savedDoc: s.doc, filePath }));
    },
    select(ids) {
      const cur = get().selection;
      if (cur.length === ids.length && cur.every((id, i) => id === ids[i])) return;
      set({ selection: ids });
    },
    setClipboard(fragment) {
      set({ clipboard: fragment });
    },
    notify(text, tone = 'info') {
      set({ toast: { id: ++toastSeq, text, tone } });
    },
    dismissToast() {
      set({ toast: null });
    },
    setOpenErrors(errors) {
      set({ openErrors: errors });
    },
    focusOn(id) {
      set((s) => ({ focus: { id, n: (s.focus?.n ?? 0) + 1 }, selection: [id] }));
    },
  }));
}

function keepExisting(selection: string[], doc: Topology): string[] {
  const ids = new Set<string>();
  for (const list of ['sites', 'systems', 'hosts', 'ports', 'cables', 'volumes', 'lus', 'caches', 'pairs'] as const) for (const e of doc[list]) ids.add(e.id);
  return selection.filter((id) => ids.has(id) || id.includes(':'));
}

/** The one store of the running designer. */
export const documentStore = createDocumentStore();

export function useDoc<T>(selector: (s: DocumentStore) => T): T {
  return useStore(documentStore, selector);
}

export const isDirty = (s: DocumentState) => s.doc !== s.savedDoc;
