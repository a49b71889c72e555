// Palette kinds -> new elements, through the shared element registry (app/model/elements) and its nesting rules.
import { addElement as addModelElement, ElementCreateError, kindOfId } from '../../app/model/elements';
import type { CreateOptions, ElementKind } from '../../app/model/elements';
import type { Topology } from '../../app/model/schema';
import { indexTopology } from '../../app/model/index-topology';
import { canNestIn } from '../../app/model/rules';
import { nextRangeOn, sizeOf, takenBytes } from '../lib/topo';

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
 * A virtual volume maps onto the lower volume `underId` it was dropped on, if any (see lowerForNewVirtual).
 */
export function createPaletteElement(t: Topology, kind: PaletteKind, dropTargetId: string | undefined, underId?: string): CreateResult {
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
  if (kind === 'volume-virtual' && parentId && kindOfId(t, parentId) === 'system') {
    const lower = lowerForNewVirtual(t, parentId, underId);
    if (!lower.ok) return lower;
    if (lower.id) options.lowerId = lower.id;
  }
  try {
    const { topology, element } = addModelElement(t, modelKind, parentId, options);
    if (kind === 'externalSystem') {
      const systems = topology.systems.map((s) => (s.id === element.id ? { ...s, role: 'external' } : s));
      return { ok: true, topology: { ...topology, systems }, id: element.id, parentId };
    }
    if (kind === 'volume-virtual' && options.lowerId) {
      // Take the free part of the lower (or share it when full), as a mapping drag does.
      const range = nextRangeOn(t, options.lowerId);
      const volumes = topology.volumes.map((v) => (v.id === element.id && v.kind === 'virtual' ? { ...v, ranges: [range] } : v));
      return { ok: true, topology: { ...topology, volumes }, id: element.id, parentId };
    }
    return { ok: true, topology, id: element.id, parentId };
  } catch (e) {
    if (e instanceof ElementCreateError) return { ok: false, reason: e.reason };
    throw e;
  }
}

/**
 * The lower volume a new virtual volume of `systemId` maps onto: the real or virtual real volume it was dropped on
 * (shared if already full: the user chose it); else the first real or virtual real volume nobody maps fully yet (in
 * FIG. 1 the relay's V12 lands on R2 because V21 already fills R1). File format v1 has no unmapped virtual volume
 * (a virtual volume has at least one range), so when every lower is full the drop is refused with what to do instead.
 * `id` is undefined when the system has no lower volume at all: the registry then explains what to add first.
 */
export function lowerForNewVirtual(t: Topology, systemId: string, underId?: string): { ok: true; id: string | undefined } | { ok: false; reason: string } {
  const lowers = (indexTopology(t).volumesBySystem.get(systemId) ?? []).filter((v) => v.kind === 'real' || v.kind === 'virtualReal');
  const under = lowers.find((v) => v.id === underId);
  if (under) return { ok: true, id: under.id };
  if (!lowers.length) return { ok: true, id: undefined };
  const free = lowers.find((v) => takenBytes(t, v.id) < sizeOf(t, v.id));
  if (free) return { ok: true, id: free.id };
  return {
    ok: false,
    reason: `every lower volume of ${systemId} is already mapped in full: drop the virtual volume onto the volume it should share, or add a real volume first (then drag from the virtual volume to a lower volume to map more)`,
  };
}

function nextExternalName(t: Topology): string {
  const names = new Set(t.systems.map((s) => s.name));
  for (let n = 1; ; n++) if (!names.has(`External system ${n}`)) return `External system ${n}`;
}
