// Pair state changes and the rules around them: set state, suspend a consistency group, abandon a copy, swap roles, and what a copy may overwrite.
import { NO_HAND_DOWNS, type EngineState } from './state';
import type { PairState } from '../../app/engine/api';
import type { PairRt } from './pairs';

export function setState(core: EngineState, p: PairRt, state: PairState, reason: string): void {
  if (p.state === state && p.reason === reason) return;
  p.state = state;
  p.reason = reason;
  p.sinceUs = core.nowUs;
  core.step('pair-state', p.id, `pair ${p.id} is now ${state}: ${reason}`);
}

/** Pairs that suspend together with `p` (its consistency group). */
export function groupOf(core: EngineState, p: PairRt): PairRt[] {
  if (!p.cfg.consistencyGroup) return [p];
  return [...core.pairs.values()].filter((q) => q.cfg.consistencyGroup === p.cfg.consistencyGroup);
}

/** Suspends a pair and its consistency group; unapplied journal records become bitmap bits. */
export function suspend(core: EngineState, p: PairRt, state: 'PSUE' | 'PSUS', reason: string, cause?: PairRt['suspendedCause']): void {
  for (const q of groupOf(core, p)) {
    if (!q.rules.suspendable) continue;
    if (q.state === state) continue;
    if (q.rules.paired && !q.rules.secondaryConsistent) q.secondaryInconsistent = true;
    q.markSyncInFlight();
    for (const h of core.handDowns.get(q.primaryId) ?? NO_HAND_DOWNS) q.markTracks(q.primaryBitmap, h.offset, h.length);
    abandonCopy(core, q);
    q.suspendedCause = cause;
    setState(core, q, state, q === p ? reason : `${reason} (consistency group ${p.cfg.consistencyGroup})`);
  }
  const j = p.journal;
  if (j) for (const rec of j.drop()) rec.pair.markTracks(rec.pair.primaryBitmap, rec.offset, rec.length);
}

/**
 * Stops a running copy: its pending callbacks see a new generation and do nothing. Tracks already taken from the
 * bitmap but not yet landed go back into it, so the next resync sends them (they may or may not have arrived).
 */
export function abandonCopy(core: EngineState, p: PairRt): void {
  p.copy.active = false;
  p.copy.gen++;
  for (const t of p.copy.inFlightTracks) p.primaryBitmap.set(t);
  p.copy.inFlightTracks.clear();
}

export function swapRoles(core: EngineState, p: PairRt): void {
  p.updateGen++;
  const prim = p.primaryId;
  p.primaryId = p.secondaryId;
  p.secondaryId = prim;
  const bm = p.primaryBitmap;
  p.primaryBitmap = p.secondaryBitmap;
  p.secondaryBitmap = bm;
  p.swapped = !p.swapped;
  p.route = core.routeFor(p);
}

/**
 * Why a copy into `target` would corrupt another pair, or undefined. A copy writes `target`'s bytes, and in a
 * cascade those bytes can also be another replicating pair's secondary (V21 shares R40 with V12): that pair would
 * then differ from its own primary while still showing PAIR. Reversals copy into the old primary (target =
 * p.primaryId); create and resync copy into the secondary.
 */
export function copyTargetConflict(core: EngineState, p: PairRt, target: string): string | undefined {
  const sharing = new Set<string>([target]);
  for (const e of core.stack.extentsOf(target)) for (const o of core.stack.volumesOver(e.storeId, e.storeOffset, e.length)) sharing.add(o.volumeId);
  for (const q of core.pairList) {
    if (q === p) continue;
    // A failback under way (or suspended, to be resumed by a resync) replicates into its current primary once it
    // completes (the roles swap back).
    if (q.failbackPending && q.state !== 'SMPL' && q.state !== 'deleting' && sharing.has(q.primaryId)) {
      return `${target} shares its data with ${q.primaryId}, which pair ${q.id} (${q.state}) replicates into when its failback completes; wait for it or split ${q.id} first`;
    }
    if (!sharing.has(q.secondaryId)) continue;
    if (q.rules.replicating) {
      return `${target} shares its data with ${q.secondaryId}, the secondary of pair ${q.id} (${q.state}); split or suspend ${q.id} first`;
    }
    // After a takeover the secondary is the copy that serves the host: a copy would overwrite its live data.
    if (q.rules.secondaryWrites === 'accepted') return `${target} shares its data with ${q.secondaryId}, which took over from pair ${q.id} (${q.state}) and serves the host; fail back or swap ${q.id} first`;
    if (q.syncInFlight > 0) return `${target} shares its data with ${q.secondaryId}, which still has ${q.syncInFlight} update(s) of pair ${q.id} on the way; try again when they have landed`;
  }
  return undefined;
}

/** A resync copies into the secondary; one that resumes a failback then replicates into the primary (roles swap back). */
export function resyncConflict(core: EngineState, p: PairRt): string | undefined {
  return copyTargetConflict(core, p, p.secondaryId) ?? (p.failbackPending ? copyTargetConflict(core, p, p.primaryId) : undefined);
}

/**
 * A copy into bytes that are also a split or suspended pair's secondary (allowed: copyTargetConflict refuses only
 * replicating ones) replaces that secondary's image: it no longer holds its primary's image as of the split, so it
 * is shown inconsistent (takeover refused) until its own next copy completes. Its bitmap records the tracks.
 */
export function markOverwrittenSecondaries(core: EngineState, p: PairRt): void {
  const target = p.secondaryId;
  const sharing = new Set<string>();
  for (const e of core.stack.extentsOf(target)) for (const o of core.stack.volumesOver(e.storeId, e.storeOffset, e.length)) sharing.add(o.volumeId);
  for (const q of core.pairList) {
    if (q === p || !sharing.has(q.secondaryId)) continue;
    if (q.rules.suspended) q.secondaryInconsistent = true;
  }
}

/** Pairs downstream of a volume's bytes in the same system (a cascade's next leg). */
export function downstreamOf(core: EngineState, volumeId: string): PairRt[] {
  const sys = core.volume(volumeId).systemId;
  const out = new Set<PairRt>();
  for (const piece of core.stack.extentsOf(volumeId)) {
    for (const over of core.stack.volumesOver(piece.storeId, piece.storeOffset, piece.length)) {
      const ov = core.stack.volumes.get(over.volumeId);
      if (!ov || ov.systemId !== sys) continue;
      for (const p of core.pairsWithPrimary(over.volumeId)) out.add(p);
    }
  }
  return [...out];
}
