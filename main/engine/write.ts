// What a system does with a write arriving at a target port (host writes are issued in host-write.ts): T3, cache store (back-pressure), the bytes applied, its pairs served (sync forward with fence levels, async journal, bitmaps).
import type { Payload } from './data/payload';
import type { EngineState } from './state';
import { crossWritten, fanOutServesSync, handDown, serveIfStill } from './handdown';
import { recordDelta, standbySecondaryWritten, standbyWithSecondary } from './delta-resync';
import type { PairRt } from './pairs';
import type { CacheRt, LinkRt } from './runtime';
import { fencedRefusal, servePair, storeInCache } from './serve';
import { defineEvent } from './sim';
import { part, type AnswerTo, type Arrival, type PendingAnswer, type Sender, type SlotHold, type StoredTo } from './state';

/**
 * What the 'deliver' event carries: a write command that arrives (and whose CHA time has passed). A sender that sends
 * once (a host write, a sync update, a loop hand-down, a copied track) is its own record: it keeps the arrival time
 * and answers `arrived` (see arrive); no record of its own per hop.
 */
export interface Arriving {
  arrived(core: EngineState): void;
}

const DELIVER = defineEvent<EngineState, Arriving>('deliver', (core, r) => r.arrived(core));

/**
 * A write command sent over `link` (in `epoch`) arrived at `arriveUs`, and the CHA's processing time has passed (one
 * event for both). The sender's `landed` runs first (its accounting; false: the sender no longer wants it, nothing
 * more happens); `lost` if a cut took it before it arrived; a cut after it arrived does not stop it (as when arrival
 * was an event of its own). The sender gets the receiver's answer.
 */
export function arrive(core: EngineState, link: LinkRt, epoch: number, arriveUs: number, a: Arrival, sender: Sender, luId?: string): void {
  const sys = core.wiring.systems.get(a.systemId);
  if (sender.landed(core) === false) return;
  if (link.lostBefore(epoch, arriveUs)) return sender.lost(core);
  if (!sys || !arrivalSteps(core, a, sender, luId)) return;
  processArrival(core, a, sender);
}

/** Books the 'deliver' event of `r`, whose command reaches `a`'s system at `arriveUs`: at arriveUs + that system's CHA time. */
export function deliver(core: EngineState, arriveUs: number, a: Arrival, r: Arriving): void {
  const sys = core.wiring.systems.get(a.systemId);
  core.sched.post(arriveUs + (sys ? sys.chaProcessingUs : 0), DELIVER, r);
}

/** A command whose CHA time has already passed (a journal record scheduled at arrival + CHA). */
export function receiveProcessed(core: EngineState, a: Arrival, ack: AnswerTo): void {
  if (!core.wiring.systems.get(a.systemId) || !arrivalSteps(core, a, ack)) return;
  processArrival(core, a, ack);
}

/** The receiving port's steps (T3); false when its system is down (the sender is answered). */
function arrivalSteps(core: EngineState, a: Arrival, ack: AnswerTo, luId?: string): boolean {
  if (!core.systemUp(a.systemId)) {
    ack.answer(core, false, `system ${a.systemId} is down`);
    return false;
  }
  if (!a.io.traced) return true;
  if (a.source === 'loop') {
    core.step('S31', a.portId, `${a.portId} receives the write command from the loop`, a.io);
  } else if (a.source === 'journal') {
    // The remote's receipt is not S11-S14 again: the patent only says TP31 writes V22 ("not shown in the figures").
    core.step('remote-receive', a.portId, `${a.portId} receives journal record for ${a.volumeId} (the remote writes the secondary; not a numbered step of the patent)`, a.io, [a.volumeId]);
  } else if (a.source === 'sync' || a.source === 'copy') {
    core.step('S11', a.portId, `${a.portId} receives the write command`, a.io);
    core.step('S12', a.portId, `${a.portId} converts LU# to V# (${a.volumeId}) with table T3`, a.io, [a.volumeId]);
  } else {
    core.step('receive', a.portId, `${a.portId} receives the write command${luId ? ` for ${luId}` : ''}`, a.io);
    core.step('T3', a.portId, `${a.portId} converts ${luId ?? 'the LU'} to volume ${a.volumeId} with table T3`, a.io, [a.volumeId]);
  }
  return true;
}

/** After the CHA's processing time: the data stored in the volume's cache (S13/S14), its pairs served, the hand-down started. */
function processArrival(core: EngineState, a: Arrival, ack: AnswerTo): void {
  const relayNames = a.source === 'sync' || a.source === 'copy';
  if (!core.systemUp(a.systemId)) return ack.answer(core, false, `system ${a.systemId} is down`);
  const refusal = a.source === 'host' ? hostWriteRefusal(core, a.volumeId, a.offset, a.length) : undefined;
  if (refusal) return ack.answer(core, false, refusal);
  if (a.source === 'host' && core.handDownsListed > 0 && otherHandDownsPending(core, a.volumeId)) return waitForHandDowns(core, a, ack);
  if (a.io.traced && a.source === 'loop') core.step('S32', a.portId, `${a.portId} receives the data as ${a.volumeId}`, a.io);
  else if (a.io.traced && relayNames) core.step('S13', a.portId, `${a.portId} receives the data as ${a.volumeId}`, a.io);
  const cache = core.cacheOfVolume.get(a.volumeId);
  const shared = cache !== undefined && cache.volumeIds.size > 1;
  const storeStep = a.source === 'loop' ? 'S33' : relayNames ? (shared ? 'S14a' : 'S14') : a.source === 'journal' ? 'remote-store' : 'cache';
  const flow = new ArrivalFlow(a, ack, cache, storeStep);
  storeInCache(core, cache, a.volumeId, a.offset, a.length, flow);
  // Stored by now unless it waits for a slot; a later `stored` runs after other events, which may have changed the pairs.
  flow.inline = false;
}

/**
 * Whether hand-downs of other volumes' writes are on their way to this volume (FIG. 1's V12 -> V21 over the loop, seen
 * from V21): their bytes are in the shared real volume already, their records not yet in V21's journal.
 */
function otherHandDownsPending(core: EngineState, volumeId: string): boolean {
  const list = core.handDowns.get(volumeId);
  if (list === undefined) return false;
  for (let i = 0; i < list.length; i++) if (list[i]!.from !== volumeId) return true;
  return false;
}

/**
 * A host write to a volume while hand-downs of other volumes' writes are on their way to it waits for them: their bytes
 * landed before its own (in the shared real volume, at S14), so its journal record must follow theirs, else the remote
 * shows it without a write that came before it (FIG. 1 with hosts at the relay writing V12 and V21, pair-sync
 * swap-taken-over, the loop cable 3,000 km long: V22 showed V21's write without V12's older one; prop-long --relay
 * --sibling seed 105, TRUST.md bug 40). Writes to one volume thus take effect in the order its pairs record them, as
 * an array serialises a volume's updates. Resumed, in arrival order, once none is left (handDownEnded books it); the
 * checks are made again then.
 */
function waitForHandDowns(core: EngineState, a: Arrival, ack: AnswerTo): void {
  let waits = core.handDownWaits.get(a.volumeId);
  if (!waits) core.handDownWaits.set(a.volumeId, (waits = { writes: [], resuming: false }));
  waits.writes.push({ a, ack });
  core.activeFlows++;
}

/** The hand-downs a volume's host writes waited for are done: they go on, in arrival order (see waitForHandDowns). */
export const RESUME_HOST_WRITES = defineEvent<EngineState, string>('resume-host-writes', (core, volumeId) => {
  const waits = core.handDownWaits.get(volumeId);
  if (!waits) return;
  core.handDownWaits.delete(volumeId);
  for (const w of waits.writes) {
    core.activeFlows--;
    processArrival(core, w.a, w.ack);
  }
});

/** Books the resumption of a volume's waiting host writes when no other volume's hand-down is on its way to it. */
export function resumeHostWritesIfFree(core: EngineState, volumeId: string): void {
  const waits = core.handDownWaits.get(volumeId);
  if (!waits || waits.resuming || otherHandDownsPending(core, volumeId)) return;
  waits.resuming = true;
  // An event, not now: the hand-down that just ended serves its pairs after handDownEnded returns, and the waiting
  // writes' records must follow its own.
  core.sched.post(core.nowUs, RESUME_HOST_WRITES, volumeId);
}

/**
 * A write arrived at a system, from the cache store on: the volume's pairs it serves (a sync primary answers only when
 * its secondary holds the data: `waiting` answers to collect, the first failure, sync answers still on their way).
 */
class ArrivalFlow implements StoredTo, AnswerTo {
  waiting = 1;
  failure: string | undefined = undefined;
  pending: PendingAnswer[] | undefined = undefined;
  /** True while `storeInCache` runs from processArrival: a `stored` then comes at once, with nothing changed since the checks. */
  inline = true;

  constructor(
    readonly a: Arrival,
    readonly ack: AnswerTo,
    readonly cache: CacheRt | undefined,
    readonly storeStep: string,
  ) {}

  stored(core: EngineState, holds: SlotHold[]): void {
    const { a, ack, cache, storeStep } = this;
    if (!core.systemUp(a.systemId)) {
      // The slots this write just took hold no data of it: freed, else they stay dirty for ever and, once the system is
      // back, every later write to that cache waits for a slot nobody frees (a relay failed under load: the stuck loop
      // writes never reached pair-async, which said PAIR over different copies).
      core.release(holds);
      return ack.answer(core, false, `system ${a.systemId} is down`);
    }
    if (a.wanted && !a.wanted.stillWanted()) {
      // The pair was split, suspended or reversed while this waited for a slot: its target is no longer ours to write.
      core.release(holds);
      return ack.answer(core, false, 'the pair changed state before the update was stored');
    }
    if (!this.inline && a.source === 'host') {
      // A host write that waited for a slot is checked again: a swap-takeover may have made its volume the S-VOL
      // meanwhile (write-protected), and storing it there would leave the pair PAIR with bytes its P-VOL never had.
      const refusal = hostWriteRefusal(core, a.volumeId, a.offset, a.length);
      if (refusal) {
        core.release(holds);
        return ack.answer(core, false, refusal);
      }
    }
    if (cache && a.io.traced) {
      const text =
        storeStep === 'S14a'
          ? `${a.portId} writes the data straight into the shared cache ${cache.id}`
          : `${a.portId} stores the data in cache ${cache.id}`;
      core.step(storeStep, cache.id, text, a.io, [a.volumeId]);
    }
    if (a.source !== 'loop') {
      // Before the bytes change (which marks copying pairs' bitmaps): which copying sync pairs already hold these tracks.
      a.copyForward = copyingPairsAlreadySent(core, a.volumeId, a.offset, a.length, a.source === 'host' || a.source === 'sync');
      if (a.copyForward) for (const [q, tracks] of a.copyForward) (a.io.copyForward ??= new Map()).set(q, tracks);
      applyData(core, a.volumeId, a.offset, a.length, a.data, a.copyForward);
      crossWritten(core, a.volumeId);
      if (core.standbyPairs.length) {
        recordDelta(core, a.volumeId, a.offset, a.length, a.data, a.io.id);
        if (a.source === 'host') standbySecondaryWritten(core, a.volumeId);
      }
    }
    // A host write to a secondary (SSWS, or split read/write) marks the S-VOL bitmaps of its pairs in applyData
    // (recordSharedChange): every state that lets the write through records on the secondary (pair-rules.ts).
    if (a.source === 'loop') {
      if (a.io.traced) {
        // The port names are only needed for the step texts: untraced writes skip the lookup.
        core.step('S34', a.portId, `${a.portId} converts LU# to V# (${a.volumeId}) with table T3`, a.io);
        const ip = core.initiatorFor(a.volumeId, a.systemId) ?? 'the initiator port';
        core.step('S35', a.portId, `${a.portId} issues a message to ${ip}`, a.io);
      }
      // Below the relay's receiving volume nobody waits: the sync leg was answered at S14.
      // Indexed, not for-of: the lists are shared (one of them frozen), and for-of over them allocated an iterator and
      // its results on every write (~200 bytes per FIG. 12 write).
      const below = core.pairsWithPrimary(a.volumeId);
      for (let i = 0; i < below.length; i++) serveIfStill(core, a.handDown, below[i]!, a.volumeId, a.offset, a.length, a.data, a.io, 'S44');
    } else {
      const served = core.pairsWithPrimary(a.volumeId);
      for (let i = 0; i < served.length; i++) {
        this.waiting++;
        servePair(core, served[i]!, a, 'S1', this);
      }
    }
    // A host write whose bytes are also a sync primary's (another volume on the same real volume: a host at the relay
    // writing V21 while pair-sync runs reversed from V12) is answered only once that pair's secondary has them too, as
    // for its own volume's pairs: the fan-out's sync pairs answer this flow (TRUST.md bug 36). One answer held here
    // until the fan-out has started them all.
    const syncFanOut = a.source === 'host' && fanOutServesSync(core, a.volumeId) ? this : undefined;
    if (syncFanOut) this.waiting++;
    this.answer(core, true);
    handDown(core, a.systemId, a.volumeId, a.offset, a.length, a.data, a.io, holds, a.source !== 'loop', syncFanOut);
    if (syncFanOut) this.answer(core, true);
  }

  /** One of the answers this arrival waits for (its own, then one per pair served). */
  answer(core: EngineState, ok: boolean, reason?: string, answers?: PendingAnswer[]): void {
    if (!ok) this.failure ??= reason;
    if (answers) (this.pending ??= []).push(...answers);
    if (--this.waiting > 0) return;
    const pending = this.pending;
    if (!pending) return this.ack.answer(core, this.failure === undefined, this.failure);
    // A host's answer carries the sync answers still on their way (one event for both); anyone else waits for them.
    if (this.a.source === 'host') return this.ack.answer(core, this.failure === undefined, this.failure, pending);
    let at = core.nowUs;
    for (const x of pending) at = Math.max(at, x.atUs);
    core.activeFlows++;
    core.sched.post(at, ANSWERS_BACK, this);
  }
}

/** The sync answers a non-host arrival waited for are back: the sender is answered. */
const ANSWERS_BACK = defineEvent<EngineState, ArrivalFlow>('answers-back', (core, f) => {
  core.activeFlows--;
  for (const x of f.pending!) {
    const lost = x.lost(core);
    if (lost !== undefined) f.failure ??= lost;
  }
  f.ack.answer(core, f.failure === undefined, f.failure);
});

/**
 * Pairs of the volume in COPY whose bitmap is clear for some track of the range (the copy has sent it, or needs not),
 * with those tracks: the write to those tracks is replicated as in PAIR (sync: forwarded; async: journaled, the
 * "update journal" beside the base copy in Universal Replicator), so the copy never has to send them again.
 */
export function copyingPairsAlreadySent(core: EngineState, volumeId: string, offset: number, length: number, overShared: boolean): Map<PairRt, number[]> | undefined {
  // Every write arrival asks: answer "none copying" without allocating, the common case.
  if (!core.anyPairCopying()) return undefined;
  let out: Map<PairRt, number[]> | undefined;
  const copying = core.pairList.filter((p) => p.state === 'COPY' && (overShared || p.primaryId === volumeId));
  if (copying.length === 0) return undefined;
  // The volume written and every volume over the same bytes (a relay's V21 over V12's real volume: its pair is served
  // when the hand-down reaches it).
  for (const piece of core.stack.pieces(volumeId, offset, length)) {
    for (const over of core.stack.volumesOver(piece.storeId, piece.storeOffset, piece.length)) {
      for (const p of copying) {
        if (p.primaryId !== over.volumeId || out?.has(p)) continue;
        const first = Math.floor(over.offset / p.trackBytes);
        const last = Math.floor((over.offset + over.length - 1) / p.trackBytes);
        const clear: number[] = [];
        for (let t = first; t <= last; t++) if (!p.primaryBitmap.has(t)) clear.push(t);
        if (clear.length) (out ??= new Map()).set(p, clear);
      }
    }
  }
  return out;
}

/**
 * Why a host may not write this range of the volume now (it is, or shares its bytes with, the protected secondary of a
 * pair or a fenced primary), or undefined.
 */
export function hostWriteRefusal(core: EngineState, volumeId: string, offset: number, length: number): string | undefined {
  const own = volumeRefusal(core, volumeId);
  if (own !== undefined) return own;
  // Bytes shared with another volume are that volume's too: a host at the relay writing V12 writes V21, the S-VOL of
  // pair-async once reversed (V22 -> V21, after a swap-takeover); let through, the write changed a PAIR secondary
  // behind its pair's back (prop-long --relay seed 1: pair-async.twin PAIR, V21.twin != V22.twin). So are a fenced
  // P-VOL's: the fence keeps its bytes what its S-VOL has (fence data), and a write through another volume over them
  // changed them behind the fence (TRUST.md bug 37).
  // A cheap look first (most volumes share nothing: no closure made per write); which bytes are shared only when some
  // sharer refuses.
  const sharers = core.stack.sharersOf(volumeId);
  if (sharers.length === 0 || !sharers.some((v) => volumeRefusal(core, v) !== undefined)) return undefined;
  for (const piece of core.stack.pieces(volumeId, offset, length))
    for (const over of core.stack.volumesOver(piece.storeId, piece.storeOffset, piece.length)) {
      if (over.volumeId === volumeId) continue;
      const why = volumeRefusal(core, over.volumeId);
      if (why !== undefined) return `${volumeId} shares these bytes with ${over.volumeId}: ${why}`;
    }
  return undefined;
}

/** Why the volume's pairs refuse a host write to it (a fenced primary, a protected secondary), or undefined. */
function volumeRefusal(core: EngineState, volumeId: string): string | undefined {
  const primaryOf = core.pairsWithPrimary(volumeId);
  for (let i = 0; i < primaryOf.length; i++) if (primaryOf[i]!.fenced) return fencedRefusal(primaryOf[i]!);
  return protectedSecondary(core, volumeId);
}

/** Why the volume, as the secondary of its pairs, refuses host writes now, or undefined. */
function protectedSecondary(core: EngineState, volumeId: string): string | undefined {
  // Every pair the volume is the secondary of must allow it: a split with S-VOL write enabled on one pair does not
  // open the S-VOL of another that replicates into it (prop-long --load --remote seed 8484: pair-async split
  // read/write, pair-delta made again and copying into V22, the remote host wrote V22: PAIR with V11 != V22).
  const secondaryOf = core.pairFacts.allWithSecondary(volumeId);
  for (let i = 0; i < secondaryOf.length; i++) if (!secondaryWritable(secondaryOf[i]!)) return writeProtected(volumeId, secondaryOf[i]!);
  if (secondaryOf.length > 0) return undefined;
  const standby = standbyWithSecondary(core, volumeId);
  return standby && !secondaryWritable(standby) ? writeProtected(volumeId, standby) : undefined;
}

function secondaryWritable(p: PairRt): boolean {
  const writes = p.rules.secondaryWrites;
  return writes === 'accepted' || (writes === 'if-split-read-write' && p.secondaryWritable);
}

function writeProtected(volumeId: string, p: PairRt): string {
  return `${volumeId} is the secondary of pair ${p.id} (${p.state}) and is write-protected`;
}

export function applyData(core: EngineState, volumeId: string, offset: number, length: number, data: Payload | null, replicatedLater?: Map<PairRt, number[]>): void {
  const extents = core.stack.extentsOf(volumeId);
  if (extents.length === 1) {
    // One extent (most volumes): the piece worked out here, with no list of pieces made for every write.
    const e = extents[0]!;
    const a = Math.max(offset, e.volumeOffset);
    const b = Math.min(offset + length, e.volumeOffset + e.length);
    if (a >= b) return;
    const store = core.stack.stores.get(e.storeId)!;
    const storeOffset = e.storeOffset + (a - e.volumeOffset);
    if (data) store.writeImmutable(storeOffset, part(data, a - offset, b - a));
    else store.zeroRange(storeOffset, b - a);
    if (core.anyPairRecording()) recordSharedChange(core, e.storeId, storeOffset, b - a, replicatedLater);
    return;
  }
  const pieces = core.stack.pieces(volumeId, offset, length);
  // Payloads are immutable once handed to hostWrite (and copies read fresh buffers): every store of the cascade
  // keeps the same chunks by reference (the same as stack.writeImmutable, without computing the pieces twice).
  for (const piece of pieces) {
    if (data) piece.store.writeImmutable(piece.storeOffset, part(data, piece.dataOffset, piece.length));
    else piece.store.zeroRange(piece.storeOffset, piece.length);
  }
  if (!core.anyPairRecording()) return;
  for (const piece of pieces) recordSharedChange(core, piece.storeId, piece.storeOffset, piece.length, replicatedLater);
}

/**
 * Bitmaps follow the bytes: the moment bytes change, every pair with a side over them that is recording changes
 * marks them, in that side's own addresses. The flows mark too when they reach a volume, but in a cascade that can
 * be later than the bytes changed (the loop hand-down to V21 trails the store at S14), and by then the pair may have
 * been reversed (swap-resync) and would miss the change. Replicating pairs are left to their flows.
 */
export function recordSharedChange(core: EngineState, storeId: string, storeOffset: number, length: number, replicatedLater?: Map<PairRt, number[]>): void {
  for (const over of core.stack.volumesOver(storeId, storeOffset, length)) {
    for (const q of core.pairList) {
      if (q.primaryId === over.volumeId) {
        if (!q.rules.recordsOnPrimary) continue;
        // Tracks a copying pair already sent: the write's own flow replicates them (servePair), no bit to set.
        const skip = replicatedLater?.get(q);
        if (!skip) q.markTracks(q.primaryBitmap, over.offset, over.length);
        else {
          const first = Math.floor(over.offset / q.trackBytes);
          const last = Math.floor((over.offset + over.length - 1) / q.trackBytes);
          for (let t = first; t <= last; t++) if (!skip.includes(t)) q.primaryBitmap.set(t);
        }
      } else if (q.secondaryId === over.volumeId) {
        if (q.rules.recordsOnSecondary) q.markTracks(q.secondaryBitmap, over.offset, over.length);
      }
    }
  }
}

