// Problems of the current document from the shared validator, computed once per document version and shared by the panel and the node badges.
import type { Problem } from '../../app/model/problem';
import type { Topology } from '../../app/model/schema';
import { Topology as TopologySchema } from '../../app/model/schema';
import { useDoc } from '../store/document';

type Validate = (t: Topology) => Problem[];
// The shared validator (app/validate) lands separately; until it does, schema checks alone are shown.
const validators = import.meta.glob<Validate>('../../app/validate/index.ts', { eager: true, import: 'validateTopology' });
const sharedValidate: Validate | undefined = Object.values(validators)[0];

function schemaOnly(t: Topology): Problem[] {
  const r = TopologySchema.safeParse(t);
  if (r.success) return [];
  return r.error.issues.map((i) => ({ severity: 'error', code: `schema-${i.code}`, message: i.message, path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) }));
}

const cache = new WeakMap<Topology, { problems: Problem[]; byElement: Map<string, Problem> }>();

export function problemsOf(t: Topology): { problems: Problem[]; byElement: Map<string, Problem> } {
  let hit = cache.get(t);
  if (!hit) {
    let problems: Problem[];
    try {
      problems = (sharedValidate ?? schemaOnly)(t);
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
