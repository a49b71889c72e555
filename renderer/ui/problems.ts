// Problems of the current document from the shared validator, computed once per document version and shared by the panel and the node badges.
import type { Problem } from '../../app/model/problem';
import type { Topology } from '../../app/model/schema';
import { validateTopology } from '../../app/validate';
import { documentStore, useDoc } from '../store/document';

/**
 * What an import could not read from its files and set to stated defaults: listed with the document's problems until
 * another document is loaded (keyed by the store's load counter), each dropped once its element is gone.
 */
let importNotes: { loads: number; problems: Problem[] } | null = null;
export function setImportNotes(loads: number, problems: Problem[]): void {
  importNotes = { loads, problems };
}
function importNotesFor(t: Topology): Problem[] {
  if (!importNotes || importNotes.loads !== documentStore.getState().loads) return [];
  const ids = new Set<string>([...t.sites, ...t.systems, ...t.ports, ...t.cables, ...t.volumes, ...t.pairs].map((e) => e.id));
  return importNotes.problems.filter((p) => !p.elementId || ids.has(p.elementId));
}

const cache = new WeakMap<Topology, { problems: Problem[]; byElement: Map<string, Problem> }>();

export function problemsOf(t: Topology): { problems: Problem[]; byElement: Map<string, Problem> } {
  let hit = cache.get(t);
  if (!hit) {
    let problems: Problem[];
    try {
      problems = [...validateTopology(t), ...importNotesFor(t)];
    } catch (e) {
      problems = [{ severity: 'error', code: 'validator-crashed', message: `the validator failed: ${(e as Error).message}`, path: [] }];
    }
    const byElement = new Map<string, Problem>();
    for (const p of problems) {
      if (!p.elementId) continue;
      const prev = byElement.get(p.elementId);
      if (!prev || (prev.severity === 'warning' && p.severity === 'error')) byElement.set(p.elementId, p);
    }
    hit = { problems, byElement };
    cache.set(t, hit);
  }
  return hit;
}

export function useProblems(): Problem[] {
  return useDoc((s) => problemsOf(s.doc).problems);
}

/** The worst problem per element id (for the small badge on each node). */
export function useProblemsByElement(): Map<string, Problem> {
  return useDoc((s) => problemsOf(s.doc).byElement);
}

/** Asks the bottom panel to show its Problems tab (and the canvas to show the element), e.g. from a refusal to run. */
export const SHOW_PROBLEMS_EVENT = 'relaylab:show-problems';

export function showProblems(elementId?: string): void {
  window.dispatchEvent(new CustomEvent(SHOW_PROBLEMS_EVENT));
  if (elementId) documentStore.getState().focusOn(elementId);
}
