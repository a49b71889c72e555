// Pair state changes and the rules around them: set state, suspend a consistency group, abandon a copy, swap roles, and what a copy may overwrite.
import type { EngineState } from './state';
import { NO_HAND_DOWNS } from './handdown';
import type { PairState } from '../../app/engine/api';
import type { PairRt } from './pairs';
import { releaseHeld } from './journal';
import { defineEvent } from './sim';
import { startCopy } from './copy';
import { trackLockFreed } from './path-groups';

export function setState(core: EngineState, p: PairRt, state: PairState, reason: string): void {
  if (p.state === state && p.reason === reason) return;
  if (p.mode === 'async') sampleRpo(core, p);
  p.primarySide = undefined;
  p.secondarySide = undefined;
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

/**
 * Records in the pair's primary bitmap the writes whose bytes its primary already holds (through a shared real volume)
 * but whose hand-down has not reached it yet: they are in no journal, so a suspend or a swap must not lose them.
 */
function recordPendingHandDowns(core: EngineState, p: PairRt): void {
  for (const h of core.handDowns.get(p.primaryId) ?? NO_HAND_DOWNS) p.markTracks(p.primaryBitmap, h.offset, h.length);
}

/**
 * The pair's updates start a new generation (a takeover, a swap of roles, a copy started): what is on its way under the
 * old one no longer lands. The hand-downs on their way to its primary no longer serve it either (handDownServes), so
 * their tracks go into its primary bitmap first, whatever its state: a takeover of a pair already split (PSUS, not
 * suspended again) skipped the suspend that records them, the hand-downs arrived after the swap-resync had copied
 * the bitmap, served nobody, and the pair said PAIR over different copies (prop-long 1500 8181 --load --sample, FIG. 7:
 * the intercache copy waiting for a slot in the relay's full cache).
 */
export function newUpdateGeneration(core: EngineState, p: PairRt): void {
  recordPendingHandDowns(core, p);
  p.updateGen++;
}

/** Suspends a pair and its consistency group; unapplied journal records become bitmap bits. */
export function suspend(core: EngineState, p: PairRt, state: 'PSUE' | 'PSUS' | 'PFUS', reason: string, cause?: PairRt['suspendedCause']): void {
  for (const q of groupOf(core, p)) {
    if (!q.rules.suspendable) continue;
    if (q.state === state) continue;
    if (state === 'PSUE' && cause?.kind !== 'takeover' && fencesOnError(core, q)) q.fenced = true;
    // Frozen while it holds writes fed from an inconsistent relay image: inconsistent until its next copy completes.
    if (q.mode === 'async' && fedWhileUpstreamCopying(core, q)) q.secondaryInconsistent = true;
    q.taintedUntilSeq = undefined;
    if (q.rules.paired && !q.rules.secondaryConsistent) q.secondaryInconsistent = true;
    q.markSyncInFlight();
    recordPendingHandDowns(core, q);
    abandonCopy(core, q);
    q.suspendedCause = cause;
    // The frozen image is consistent only up to its oldest missing write (writes can be journaled out of host-time
    // order), so its RPO goes on from there: it never drops at the suspend below what it was while replicating.
    const oldest = q.mode === 'async' ? oldestUnappliedUs(q) : undefined;
    if (oldest !== undefined && oldest < q.lastAppliedWrittenUs) q.lastAppliedWrittenUs = oldest;
    const [, secondaryBefore] = sideStates(q);
    setState(core, q, state, q === p ? reason : `${reason} (consistency group ${p.cfg.consistencyGroup})`);
    // PSUE reaches the S-VOL only "if possible" (TrueCopy pair status definitions): a primary that cannot reach the
    // secondary (its own system, the link or the secondary's system down) cannot change it.
    if (state === 'PSUE' && !canReachSecondary(core, q)) q.secondarySide = secondaryBefore;
  }
  const j = p.journal;
  if (j) {
    for (const rec of j.drop()) rec.pair.markTracks(rec.pair.primaryBitmap, rec.offset, rec.length);
    releaseHeld(core, j);
  }
  // A takeover that was flushing the journal completes with what arrived (the primary became unreachable meanwhile).
  for (const q of groupOf(core, p)) if (q.takeoverPending && q.state === 'PSUE') takeOver(core, q);
}

/**
 * 3DC cascade (DOMAIN.md): while the sync leg copies, the relay's image is not consistent, so neither is the remote
 * image fed from it, until the records fed during that copy have been applied.
 */
export function fedWhileUpstreamCopying(core: EngineState, p: PairRt, index?: UpstreamIndex): boolean {
  for (const q of upstreamOf(core, p, index)) if (q.state === 'COPY' || q.secondaryInconsistent) return true;
  const j = p.journal;
  if (p.taintedUntilSeq === undefined || !j) return false;
  if (j.applyNext - 1 >= p.taintedUntilSeq) {
    p.taintedUntilSeq = undefined;
    return false;
  }
  return true;
}

/** An upstream copy completed: the next legs stay inconsistent until they have applied what it fed them so far. */
export function upstreamCopyCompleted(core: EngineState, q: PairRt): void {
  for (const d of downstreamOf(core, q.secondaryId)) {
    if (d === q || !d.journal || !d.rules.replicating) continue;
    const last = d.journal.nextSeq - 1;
    if (last >= d.journal.applyNext) d.taintedUntilSeq = Math.max(d.taintedUntilSeq ?? 0, last);
  }
}

/**
 * RPO in us (DOMAIN.md): now minus the host time of the newest write in the secondary's image. Replicating: the age
 * of the pair's oldest unapplied write, queued or on the link or arrived (0 when there is none). Otherwise (suspended,
 * copying, taken over): it keeps growing from the image's last write, not from the suspend.
 */
export function rpoUs(core: EngineState, p: PairRt): number {
  if (!p.rules.forwardsUpdates) return Math.max(0, core.nowUs - p.lastAppliedWrittenUs);
  if (p.mode === 'sync') return 0;
  const oldest = oldestUnappliedUs(p);
  return oldest === undefined ? 0 : core.nowUs - oldest;
}

/** Host time of the pair's oldest write not yet applied at the secondary (queued, on the link or arrived), if any. */
function oldestUnappliedUs(p: PairRt): number | undefined {
  const j = p.journal;
  if (!j) return undefined;
  let oldest = Infinity;
  for (let i = j.queueHead; i < j.queue.length; i++) {
    const r = j.queue[i]!;
    if (r.pair === p) {
      oldest = r.writtenUs;
      break;
    }
  }
  // Records on the link or waiting to apply are older than any queued one.
  // Applied records stay in `sent` until the primary hears of it; they are in the image already.
  for (const r of j.sent.values()) if (r.pair === p && !r.discarded && r.seq >= j.applyNext && r.writtenUs < oldest) oldest = r.writtenUs;
  return oldest === Infinity ? undefined : oldest;
}

/** Records the current RPO into the pair's maximum (and returns it). */
export function sampleRpo(core: EngineState, p: PairRt): number {
  const rpo = rpoUs(core, p);
  if (rpo > p.maxRpoUs) p.maxRpoUs = rpo;
  return rpo;
}

/** The pairs feeding this pair's primary (a cascade's upstream leg: its secondary shares bytes with our primary in the same system). */
export function upstreamOf(core: EngineState, p: PairRt, index?: UpstreamIndex): readonly PairRt[] {
  if (index) return index.get(p) ?? [];
  return core.pairList.filter((q) => q !== p && q.state !== 'SMPL' && downstreamOf(core, q.secondaryId).includes(p));
}

/** Every pair's upstream legs (as upstreamOf gives them, in the same order), for callers that ask about every pair. */
export type UpstreamIndex = ReadonlyMap<PairRt, readonly PairRt[]>;

/**
 * upstreamOf for all pairs in one pass: a snapshot asks it of every pair (three times each, with the end-to-end RPO's
 * walk), and one call walks every pair's downstream volumes, so asking pair by pair cost pairs^2 walks: 19% of a
 * 216-volume run's CPU at 30 snapshots a second. Valid until a pair changes state or direction.
 */
export function upstreamIndex(core: EngineState): UpstreamIndex {
  const out = new Map<PairRt, PairRt[]>();
  for (const q of core.pairList) {
    if (q.state === 'SMPL') continue;
    for (const d of downstreamOf(core, q.secondaryId)) {
      if (d === q) continue;
      const list = out.get(d);
      if (list) list.push(q);
      else out.set(d, [q]);
    }
  }
  return out;
}

/** RPO of the farthest copy, from the host's writes: the oldest image along the chain of legs feeding it. */
export function endToEndRpoUs(core: EngineState, p: PairRt, seen = new Set<PairRt>(), index?: UpstreamIndex): number {
  seen.add(p);
  let rpo = rpoUs(core, p);
  for (const q of upstreamOf(core, p, index)) if (!seen.has(q)) rpo = Math.max(rpo, endToEndRpoUs(core, q, seen, index));
  return rpo;
}

/** The P-VOL's and the S-VOL's own status (CCI's pairdisplay shows both): a split is PSUS / SSUS, a takeover SSWS on the S-VOL. */
export function sideStates(p: PairRt): [PairState, PairState] {
  const primary = p.primarySide ?? (p.state === 'SSWS' ? 'PSUS' : p.state === 'SSUS' ? 'PSUS' : p.state);
  const secondary = p.secondarySide ?? (p.state === 'PSUS' ? 'SSUS' : p.state);
  return [primary, secondary];
}

/** Whether the primary can still reach the secondary to mark it suspended (its system, the route's link, the secondary's system). */
export function canReachSecondary(core: EngineState, p: PairRt): boolean {
  return core.systemUp(core.volume(p.primaryId).systemId) && (p.route?.link.up ?? false) && core.systemUp(core.volume(p.secondaryId).systemId);
}

/**
 * A sync pair suspended by an error fences its P-VOL by the fence level (TrueCopy user guide, "fence level options";
 * DOMAIN.md): data always; status only when the primary cannot mark the S-VOL suspended (link or secondary system
 * down); never not at all. An operator split never fences.
 */
export function fencesOnError(core: EngineState, p: PairRt): boolean {
  if (p.mode !== 'sync') return false;
  if (p.cfg.fence === 'data') return true;
  if (p.cfg.fence === 'status') return !canReachSecondary(core, p);
  return false;
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
  // Its transfers still on the wire are dropped where they land (another copy generation): nothing to wait for.
  trackLockFreed(core, p);
}

export function swapRoles(core: EngineState, p: PairRt): void {
  newUpdateGeneration(core, p);
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
    // A swap-takeover flushing its journal replicates into its current primary once the roles swap (the remote took over
    // and will copy back what the relay recorded): a resync into the same bytes from the other side would be overwritten
    // and leave that pair PAIR over different copies (prop-long seed 909, the local site back during the flush).
    if (q.swapPending && q.state === 'suspending' && sharing.has(q.primaryId)) {
      return `${target} shares its data with ${q.primaryId}, which pair ${q.id} (${q.state}) replicates into once its swap-takeover completes; wait for it or split ${q.id} first`;
    }
    if (!sharing.has(q.secondaryId)) continue;
    if (q.rules.replicating) {
      return `${target} shares its data with ${q.secondaryId}, the secondary of pair ${q.id} (${q.state}); split or suspend ${q.id} first`;
    }
    // After a takeover the secondary is the copy that serves the host: a copy would overwrite its live data.
    if (q.rules.secondaryWrites === 'accepted') return `${target} shares its data with ${q.secondaryId}, which took over from pair ${q.id} (${q.state}) and serves the host; fail back or swap ${q.id} first`;
    if (q.syncInFlight > 0) return `${target} shares its data with ${q.secondaryId}, which still has ${q.syncInFlight} update(s) of pair ${q.id} on the way; try again when they have landed`;
  }
  const loop = replicationLoop(core, p, target);
  if (loop) return `replication from ${target} already reaches ${loop.join(' -> ')}, the bytes ${p.id} copies from: the copy would close a loop; split or delete one of those pairs first`;
  return undefined;
}

/**
 * Why the pair's secondary may not take over now (SSWS: the copy the hosts run on), or undefined: another pair
 * replicates into the same bytes (FIG. 1: pair-async swapped to V22 -> V21 replicates into V12's real volume; taken
 * over, V12 changed under the relay's hosts with every record the remote sent; prop-long --relay --sibling seed 106,
 * TRUST.md bug 41).
 */
export function takeoverConflict(core: EngineState, p: PairRt): string | undefined {
  for (const q of core.pairList) {
    if (q === p || !q.rules.replicating) continue;
    if (core.stack.sharesBytes(p.secondaryId, q.secondaryId))
      return `${p.secondaryId} shares its data with ${q.secondaryId}, which pair ${q.id} (${q.state}) replicates into; split ${q.id} first`;
  }
  return undefined;
}

/**
 * Whether replication from `target` (through the other pairs, across shared real volumes) reaches the volume `p`
 * copies from: a copy into `target` would then close a loop (FIG. 1's delta-resync variant with pair-delta swapped
 * V22 -> V11 and pair-async re-created V21 -> V22: V21 -> V22 -> V11 -> V12 = V21), whose pairs could all show PAIR
 * over different copies (prop-long 5000 1205 400). Returns the chain of volumes, or undefined.
 */
function replicationLoop(core: EngineState, p: PairRt, target: string): string[] | undefined {
  const source = target === p.secondaryId ? p.primaryId : p.secondaryId;
  const sourceStores = new Set(core.stack.extentsOf(source).map((e) => e.storeId));
  const sharesSource = (v: string): boolean => v === source || core.stack.extentsOf(v).some((e) => sourceStores.has(e.storeId));
  const seen = new Set<string>([target]);
  const queue: string[][] = [[target]];
  while (queue.length) {
    const chain = queue.shift()!;
    for (const q of downstreamOf(core, chain[chain.length - 1]!)) {
      if (q === p || q.rules.standsBy || seen.has(q.secondaryId)) continue;
      const next = [...chain, q.secondaryId];
      if (sharesSource(q.secondaryId)) return next;
      seen.add(q.secondaryId);
      queue.push(next);
    }
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
    // A delta-resync standby's kept writes were what the remote lacked before this copy replaced its image.
    if (q.state === 'HOLD') q.deltaGap ??= `pair ${p.id} copied into ${target} while ${q.id} stood by`;
  }
}

/** Pairs downstream of a volume's bytes in the same system (a cascade's next leg). */
export function downstreamOf(core: EngineState, volumeId: string): readonly PairRt[] {
  return core.pairFacts.downstreamOf(volumeId, () => {
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
  });
}

/**
 * The secondary takes over (SSWS). In a cascade the next leg from the taken-over volume keeps replicating (3DC: business
 * continues at the relay and relay -> remote is NOT suspended; Hitachi 3DC cascade guide, DOMAIN.md).
 */
export function takeOver(core: EngineState, p: PairRt): void {
  p.takeoverPending = false;
  p.swapPending = false;
  const [primaryBefore] = sideStates(p);
  const primaryTold = canReachSecondary(core, p);
  suspend(core, p, 'PSUE', 'taken over', { kind: 'takeover', id: p.id });
  // The secondary now serves the host: updates the old primary sent before the takeover no longer land on it.
  newUpdateGeneration(core, p);
  setState(core, p, 'SSWS', `the secondary ${p.secondaryId} took over and accepts writes`);
  // A reachable P-VOL is told (PSUS, as after pairsplit -RS); an unreachable one keeps what it last knew.
  if (!primaryTold) p.primarySide = primaryBefore === 'PAIR' || primaryBefore === 'PFUL' || primaryBefore === 'suspending' ? 'PSUE' : primaryBefore;
  p.suspendedCause = { kind: 'takeover', id: p.id };
}

/**
 * Starts a swap-takeover of a replicating pair (the takeover command with the primary reachable, and a failback's
 * turn back to the original direction): the journal is flushed or the sync updates on their way land first, then
 * the roles swap. Swapping at once would drop the updates still on the way (their generation is gone) while the pair
 * says PAIR. Returns what the operator is told.
 */
export function beginSwapTakeover(core: EngineState, p: PairRt, what: string): string {
  p.takeoverPending = true;
  p.swapPending = true;
  const old = p.primaryId;
  if (p.mode === 'async' && p.journal && !p.journal.drained) {
    setState(core, p, 'suspending', `${what} requested: the journal is flushed to the secondary first`);
    return `flushing journal ${p.journal.id} to ${p.secondaryId}, then the roles swap (${p.secondaryId} -> ${old})`;
  }
  if (p.syncInFlight > 0) {
    setState(core, p, 'suspending', `${what} requested: the updates on the way land first`);
    swapWhenLanded(core, p);
    return `the updates on the way land, then the roles swap (${p.secondaryId} -> ${old})`;
  }
  swapTakeover(core, p);
  return `${what}: now ${p.primaryId} -> ${p.secondaryId} (${p.state})`;
}

/** A flushed takeover completes: a swap-takeover when it was asked for and is still possible, else SSWS. */
export function completeTakeover(core: EngineState, p: PairRt): void {
  if (p.swapPending && canReachSecondary(core, p)) swapTakeover(core, p);
  else takeOver(core, p);
}

/** Looks again whether the sync updates on their way have landed. */
const SWAP_WHEN_LANDED = defineEvent<EngineState, PairRt>('swap-when-landed', (core, p) => swapWhenLanded(core, p));

/** Sync swap-takeover: the updates already sent land first (the host's writes meanwhile are recorded), then the swap. */
export function swapWhenLanded(core: EngineState, p: PairRt): void {
  if (!p.takeoverPending || p.state !== 'suspending') return;
  if (p.syncInFlight > 0) return core.sched.post(core.nowUs + 100, SWAP_WHEN_LANDED, p);
  completeTakeover(core, p);
}

/**
 * Swap-takeover (CCI horctakeover with the primary reachable; DOMAIN.md "Takeover"): once the journal is flushed (or
 * the sync updates have landed) the roles swap: the old S-VOL is the P-VOL and the pair stays paired the other way.
 * Tracks the old primary recorded meanwhile are copied from the new primary (pairresync -swaps), then PAIR.
 */
export function swapTakeover(core: EngineState, p: PairRt): void {
  p.takeoverPending = false;
  p.swapPending = false;
  p.markSyncInFlight();
  // Bytes the old primary already holds through a shared real volume but whose hand-down has not reached it yet (FIG. 1:
  // V12's write on R2 = V21, the loop to V21 still on CN3) are in no journal: recorded, so the copy back from the new
  // primary makes the old one equal again, as suspend() records them (prop-long seed 909: PAIR with V21 != V22).
  recordPendingHandDowns(core, p);
  swapRoles(core, p);
  p.suspendedCause = undefined;
  const reason = `swap-takeover: ${p.primaryId} took over as the P-VOL and replicates to ${p.secondaryId}`;
  if (p.primaryBitmap.isEmpty && p.secondaryBitmap.isEmpty) {
    p.lastAppliedWrittenUs = core.nowUs;
    setState(core, p, 'PAIR', reason);
  } else startCopy(core, p, false, `${reason}; differential copy of what the old P-VOL recorded`);
}
