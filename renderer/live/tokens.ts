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

/**
 * During Play at 1x-10x a sampled write is a token too, paced by the virtual time its hop really took (a cable's
 * propagation and transfer, a system's processing) slowed down enough to follow: at 1x one virtual millisecond lasts
 * PLAY_SLOW_MOTION ms on screen, at 10x a tenth of that, never shorter than PLAY_HOP_MIN_MS or longer than PLAY_HOP_MAX_MS.
 * Above PLAY_TOKENS_MAX_SPEED tokens would be a blur: the cables show their load (flow density) instead.
 */
export const PLAY_SLOW_MOTION = 250;
export const PLAY_HOP_MIN_MS = 120;
export const PLAY_HOP_MAX_MS = 1500;
export const PLAY_TOKENS_MAX_SPEED = 10;

export function playHopMs(virtualUs: number, speed: number): number {
  const ms = ((virtualUs / 1000) * PLAY_SLOW_MOTION) / Math.max(1, speed);
  return Math.min(PLAY_HOP_MAX_MS, Math.max(PLAY_HOP_MIN_MS, ms));
}

/**
 * The hop that brings the write to walk[k] during Play, timed by the virtual time from walk[k-1] to walk[k]; null when
 * the write did not move (several steps at one element).
 */
export function playHop(t: Topology, walk: readonly StepEvent[], k: number, speed: number): TokenHop | null {
  if (k < 1 || k >= walk.length) return null;
  const hop = tokenHop(t, walk.slice(0, k + 1));
  if (!hop) return null;
  return { ...hop, durationMs: playHopMs(walk[k]!.timeUs - walk[k - 1]!.timeUs, speed) };
}
