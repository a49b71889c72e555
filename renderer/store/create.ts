// Palette kinds -> new elements, through the shared element registry (app/model/elements) and its nesting rules.
import { addElement as addModelElement, ElementCreateError, kindOfId } from '../../app/model/elements';
import type { CreateOptions, ElementKind } from '../../app/model/elements';
import type { Topology } from '../../app/model/schema';
import { indexTopology } from '../../app/model/index-topology';
import { canNestIn } from '../../app/model/rules';

/** What the palette offers; several palette entries can make the same element kind with different options. */
export const PALETTE_KINDS = [
  'site',
  'system',
  'externalSystem',
  'host',
  'port-target',
  'port-initiator',
  'port-switchable',
  'volume-real',
  'volume-virtual',
  'volume-virtualReal',
  'lu',
  'cache',
] as const;
export type PaletteKind = (typeof PALETTE_KINDS)[number];

export function isPaletteKind(value: string): value is PaletteKind {
  return (PALETTE_KINDS as readonly string[]).includes(value);
}

const MODEL_KIND: Record<PaletteKind, ElementKind> = {
  site: 'site',
  system: 'system',
  externalSystem: 'system',
  host: 'host',
  'port-target': 'port',
  'port-initiator': 'port',
  'port-switchable': 'port',
  'volume-real': 'realVolume',
  'volume-virtual': 'virtualVolume',
  'volume-virtualReal': 'virtualRealVolume',
  lu: 'lu',
  cache: 'cache',
};

export function modelKindOf(kind: PaletteKind): ElementKind {
  return MODEL_KIND[kind];
}

export type CreateResult = { ok: true; topology: Topology; id: string; parentId: string | null } | { ok: false; reason: string };

/**
 * Makes an element for a palette drop onto `dropTargetId` (the innermost canvas container under the cursor).
 * An LU dropped on a system lands on that system's first target port (the model nests LUs in ports).
 */
export function createPaletteElement(t: Topology, kind: PaletteKind, dropTargetId: string | undefined): CreateResult {
  const modelKind = MODEL_KIND[kind];
  let parentId: string | null = dropTargetId ?? null;
  if (modelKind === 'lu' && parentId && kindOfId(t, parentId) === 'system') {
    const port = (indexTopology(t).portsByOwner.get(parentId) ?? []).find((p) => p.kind !== 'initiator');
    if (!port) return { ok: false, reason: 'an LU is exposed by a target port: add a target port to this system first' };
    parentId = port.id;
  }
  // Top-level kinds are created at the top level wherever they are dropped.
  if (modelKind === 'site') parentId = null;
  const nest = canNestIn(t, modelKind, parentId);
  if (!nest.ok) return { ok: false, reason: nest.reason };
  const options: CreateOptions = {};
  if (kind === 'port-target') options.portKind = 'target';
  if (kind === 'port-initiator') options.portKind = 'initiator';
  if (kind === 'port-switchable') options.portKind = 'switchable';
  if (kind === 'externalSystem') options.name = nextExternalName(t);
  try {
    const { topology, element } = addModelElement(t, modelKind, parentId, options);
    if (kind === 'externalSystem') {
      const systems = topology.systems.map((s) => (s.id === element.id ? { ...s, role: 'external' } : s));
      return { ok: true, topology: { ...topology, systems }, id: element.id, parentId };
    }
    return { ok: true, topology, id: element.id, parentId };
  } catch (e) {
    if (e instanceof ElementCreateError) return { ok: false, reason: e.reason };
    throw e;
  }
}

function nextExternalName(t: Topology): string {
  const names = new Set(t.systems.map((s) => s.name));
  for (let n = 1; ; n++) if (!names.has(`External system ${n}`)) return `External system ${n}`;
}
