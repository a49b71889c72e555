// Where a traced write goes between two shown steps: over a cable (the step names it), through shared memory inside a system, or nowhere.
import type { StepEvent } from '../../app/engine/api';
import type { Topology } from '../../app/model/schema';

/** One hop of a write token, from one step's element to the next step's. */
export interface TokenHop {
  fromId: string;
  toId: string;
  /** The cable the data travels over, when the hop crosses one (drawn along that cable's edge). */
  cableId?: string;
  /** The pair this write is carried by at that point (colours the token), when known. */
  pairId?: string;
  mode: 'sync' | 'async' | 'host';
  /** Wall time the animation takes at the class's pace. */
  durationMs: number;
}

/** Training pace: a cable hop is slow enough to follow with the eye; a hop through shared memory is quicker. */
export const CABLE_HOP_MS = 900;
export const INTERNAL_HOP_MS = 450;

/**
 * The hop that brings the write to the step shown now (`walk` ends with it), or null when it did not move.
 * A step that sends names its cable in relatedIds (S1 over CN2, S22 over the loop, S44 over CN4), and the data arrives
 * where that cable ends, possibly a few steps later (the local system stores its own copy in between): so a step at a
 * cable's far port rides that cable from its sender. Any other change of element is a hop inside one system.
 */
export function tokenHop(t: Topology, walk: readonly StepEvent[]): TokenHop | null {
  const current = walk.at(-1);
  const previous = walk.at(-2);
  if (!current || !previous || previous.elementId === current.elementId) return null;
  let cable: { id: string; from: string } | undefined;
  for (let i = walk.length - 2; i >= 0 && !cable; i--) {
    for (const id of walk[i]!.relatedIds ?? []) {
      const c = t.cables.find((x) => x.id === id);
      if (c && (c.aPortId === current.elementId || c.bPortId === current.elementId)) {
        cable = { id: c.id, from: c.aPortId === current.elementId ? c.bPortId : c.aPortId };
        break;
      }
    }
  }
  // The pair carrying the write is the last one a step of the walk named (S1: the sync pair; S42: the async pair).
  let pairId: string | undefined;
  for (let i = walk.length - 1; i >= 0 && !pairId; i--) pairId = walk[i]!.relatedIds?.find((id) => t.pairs.some((p) => p.id === id));
  const pair = pairId ? t.pairs.find((p) => p.id === pairId) : undefined;
  return {
    fromId: cable ? cable.from : previous.elementId,
    toId: current.elementId,
    ...(cable ? { cableId: cable.id } : {}),
    ...(pairId ? { pairId } : {}),
    mode: pair ? pair.mode : 'host',
    durationMs: cable ? CABLE_HOP_MS : INTERNAL_HOP_MS,
  };
}
