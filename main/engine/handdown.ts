// Hand-down inside a system after S14: the FIG. 1 loop cable, FIG. 7 intercache copy, FIG. 9 shared cache, FIG. 12 fan-out to siblings, and the destage to the real volume (internal or external over CN5).
import type { Payload } from './data/payload';
import type { EngineState } from './state';
import type { Volume } from '../../app/model/schema';
import { suspend } from './pair-states';
import type { PairRt } from './pairs';
import { MSG_US, type CacheRt } from './runtime';
import { FLOW_ENDED, newArrival, part, type AnswerTo, type Arrival, type Io, type PendingAnswer, type Sender, type SentTo, type SlotHold, type StoredTo } from './state';
import { arrive, deliver, resumeHostWritesIfFree, type Arriving } from './write';
import { servePair, storeInCache } from './serve';
import { deltaSettled } from './delta-resync';
import { NO_PAIRS } from './pair-facts';
import { destage } from './destage';
import type { LinkRt } from './links';
import type { Extent } from './mapping';

/**
 * Hands the data down the mapping stack inside one system: through the loop cable (FIG. 1), by intercache copy
 * (FIG. 7) or within one shared cache (FIG. 9), then destaged to the real volume; virtual volumes sharing the
 * same real bytes (fan-out, FIG. 12) get the update too.
 */
export function handDown(core: EngineState, systemId: string, volumeId: string, offset: number, length: number, data: Payload | null, io: Io, holds: SlotHold[], top: boolean, syncAnswers?: AnswerFlow): void {
  const v = core.volume(volumeId);
  if (top) fanOut(core, systemId, volumeId, offset, length, data, io, syncAnswers);
  if (v.kind === 'real') return destage(core, v, offset, length, io, holds);
  if (v.kind === 'virtual' && v.ranges.length === 1) {
    // One range (the common stack): the piece worked out here, with no list of pieces made for every write.
    const r = v.ranges[0]!;
    const b = Math.min(offset + length, r.lengthBytes);
    if (offset >= b) return core.release(holds);
    return handDownPiece(core, systemId, volumeId, r.lowerId, r.startBytes + offset, b - offset, data && b - offset < length ? part(data, 0, b - offset) : data, io, holds);
  }
  const lower = lowerPieces(v, offset, length);
  if (lower.length === 0) return core.release(holds);
  for (const piece of lower) handDownPiece(core, systemId, volumeId, piece.lowerId, piece.lowerOffset, piece.length, data ? part(data, piece.dataOffset, piece.length) : null, io, holds);
}

/** One piece of a hand-down: to the lower volume `lowerId` at `lowerOffset`, by the loop, shared memory or a destage. */
function handDownPiece(core: EngineState, systemId: string, volumeId: string, lowerId: string, lowerOffset: number, length: number, sub: Payload | null, io: Io, holds: SlotHold[]): void {
  const lv = core.stack.volumes.get(lowerId);
  if (lv?.kind === 'virtualReal' && lv.path) return loopFlow(core, systemId, volumeId, lv, lowerOffset, length, sub, io, holds);
  if (lv?.kind === 'virtualReal') return internalFlow(core, systemId, volumeId, lv.id, lv.aliasOfId, lowerOffset, length, sub, io, holds);
  const lu = core.stack.lus.get(lowerId);
  if (lu) return internalFlow(core, systemId, volumeId, lu.id, lu.volumeId, lu.startBytes + lowerOffset, length, sub, io, holds);
  if (lv?.kind === 'virtual') return internalFlow(core, systemId, volumeId, lv.id, lv.id, lowerOffset, length, sub, io, holds);
  if (lv?.kind === 'real') return destage(core, lv, lowerOffset, length, io, holds);
}

/** The pieces of a hand-down below a volume (handDown takes a one-range virtual volume's single piece itself). */
function lowerPieces(v: Volume, offset: number, length: number): { lowerId: string; lowerOffset: number; dataOffset: number; length: number }[] {
  if (v.kind === 'virtualReal') return [{ lowerId: v.aliasOfId, lowerOffset: offset, dataOffset: 0, length }];
  if (v.kind !== 'virtual') return [];
  const out: { lowerId: string; lowerOffset: number; dataOffset: number; length: number }[] = [];
  let at = 0;
  const end = offset + length;
  for (const r of v.ranges) {
    const a = Math.max(offset, at);
    const b = Math.min(end, at + r.lengthBytes);
    if (a < b) out.push({ lowerId: r.lowerId, lowerOffset: r.startBytes + (a - at), dataOffset: a - offset, length: b - a });
    at += r.lengthBytes;
  }
  return out;
}

/** The target port through which a volume of this system is written (an LU of it on a target port of the system), for step tags. */
function targetPortOf(core: EngineState, volumeId: string, systemId: string): string | undefined {
  for (const lu of core.stack.lus.values()) if (lu.volumeId === volumeId && core.wiring.ownerOf(lu.portId) === systemId) return lu.portId;
  return undefined;
}

/** FIG. 1: V12 -> R2 goes out of IP21, over the loop cable, into TP22 as V21 (S15, S16, S21, S22, then S31-S35 at TP22). */
export function loopFlow(core: EngineState, systemId: string, fromVolumeId: string, r2: Extract<Volume, { kind: 'virtualReal' }>, offset: number, length: number, data: Payload | null, io: Io, holds: SlotHold[]): void {
  const path = r2.path!;
  const { lu, link } = loopRoute(core, r2);
  // The patent performs S15 and S16 at the port that received the write (TP21), not at the loop's target port.
  const receivingPort = io.traced ? (targetPortOf(core, fromVolumeId, systemId) ?? systemId) : systemId;
  if (io.traced) core.step('S15', receivingPort, `the address in ${fromVolumeId} is converted to ${r2.id} (WWN/LU#/LBA#) with table T4`, io, [r2.id]);
  const pending = lu ? handDownStarted(core, lu.volumeId, lu.startBytes + offset, length, fromVolumeId) : undefined;
  // The message to IP21 (S16, S21) and the loop hop are one event: the command leaves IP21 MSG_US from now.
  if (io.traced) core.step('S16', receivingPort, `${receivingPort} issues a message (MSG) through shared memory to ${path.initiatorPortId}`, io, [path.initiatorPortId]);
  if (io.traced) core.step('S21', path.initiatorPortId, `${path.initiatorPortId} receives the message`, io);
  if (!lu || !link || !link.up) {
    core.release(holds);
    handDownEnded(core, pending);
    return suspendBelow(core, systemId, lu?.volumeId ?? r2.aliasOfId, offset, length, `loop cable from ${path.initiatorPortId} is ${link ? 'cut' : 'missing'}`, link?.id);
  }
  if (io.traced) core.step('S22', path.initiatorPortId, `${path.initiatorPortId} issues a write command for ${r2.id} to ${lu.portId} over ${link.id}`, io, [link.id]);
  link.inFlight++;
  core.activeFlows++;
  const arrival = newArrival(systemId, lu.portId, lu.volumeId, lu.startBytes + offset, length, data, io, 'loop', undefined, undefined, undefined, pending);
  link.send(core, core.nowUs + MSG_US, path.initiatorPortId, length, new LoopFlow(systemId, lu, link, link.epoch, offset, length, arrival, holds, pending));
}

/** The loop's LU and cable of a virtualReal volume with a path (fixed for the engine's life; the cable may be cut). */
function loopRoute(core: EngineState, r2: Extract<Volume, { kind: 'virtualReal' }>): { lu: { id: string; portId: string; volumeId: string; startBytes: number } | undefined; link: LinkRt | undefined } {
  let route = core.loopRoutes.get(r2.id);
  if (route) return route;
  const path = r2.path!;
  const lu = core.stack.lus.get(path.luId);
  const links = core.wiring.linksByPort.get(path.initiatorPortId) ?? [];
  route = { lu, link: lu ? links.find((l) => l.otherEnd(path.initiatorPortId) === lu.portId) : undefined };
  core.loopRoutes.set(r2.id, route);
  return route;
}

/** FIG. 1's hand-down over the loop cable: the slots it holds in the relay's cache until V21 has it, and its hand-down entry. */
class LoopFlow implements Sender, SentTo, Arriving {
  arriveUs = 0;

  constructor(
    readonly systemId: string,
    readonly lu: { volumeId: string; startBytes: number },
    readonly link: LinkRt,
    readonly epoch: number,
    readonly offset: number,
    readonly length: number,
    readonly arrival: Arrival,
    readonly holds: SlotHold[],
    readonly pending: HandDown | undefined,
  ) {}

  sent(core: EngineState, arriveUs: number): void {
    this.arriveUs = arriveUs;
    deliver(core, arriveUs, this.arrival, this);
  }

  arrived(core: EngineState): void {
    arrive(core, this.link, this.epoch, this.arriveUs, this.arrival, this);
  }

  landed(core: EngineState): void {
    this.link.inFlight--;
    core.activeFlows--;
  }

  lost(core: EngineState): void {
    core.release(this.holds);
    handDownEnded(core, this.pending);
    suspendBelow(core, this.systemId, this.lu.volumeId, this.offset, this.length, `loop cable ${this.link.id} was cut`, this.link.id);
  }

  answer(core: EngineState, ok: boolean, reason?: string): void {
    // Served (on success, V21's pairs were served before this answer) or lost with its system: either way the
    // pairs have it, or it is in their bitmaps.
    core.release(this.holds);
    handDownEnded(core, this.pending);
    const lu = this.lu;
    if (!ok) suspendBelow(core, this.systemId, lu.volumeId, lu.startBytes + this.offset, this.length, reason ?? `${lu.volumeId} could not take the loop write`);
  }
}

/**
 * FIG. 7 / FIG. 9: the lower volume gets the data through shared memory: an intercache copy into its own
 * cache (S53), or nothing to copy when it shares the cache (S53 omitted); then its pairs are served (S54-S56).
 */
export function internalFlow(core: EngineState, systemId: string, fromVolumeId: string, viaId: string, toVolumeId: string, offset: number, length: number, data: Payload | null, io: Io, holds: SlotHold[]): void {
  const fromCache = core.cacheOfVolume.get(fromVolumeId);
  const toCache = core.cacheOfVolume.get(toVolumeId);
  const sameCache = fromCache !== undefined && fromCache === toCache;
  if (io.traced) core.step('S15a', fromCache?.id ?? systemId, `the address in ${fromVolumeId} is converted to ${toVolumeId}${viaId !== toVolumeId ? ` (through ${viaId})` : ''} with table T4`, io, [toVolumeId]);
  const pending = handDownStarted(core, toVolumeId, offset, length, fromVolumeId);
  // The MSG through shared memory is no event of its own: what leaves the system for a pair leaves MSG_US later.
  const readyUs = core.nowUs + MSG_US;
  if (io.traced) {
    const ip = core.initiatorFor(toVolumeId, systemId);
    core.step('S16', systemId, `a message (MSG) goes through shared memory to ${ip ?? 'the initiator port'}`, io);
    core.step('S51', ip ?? systemId, `${ip ?? 'the initiator port'} receives the message`, io);
    core.step('S52', ip ?? systemId, `data reception as ${toVolumeId} (formal: the data is already in cache)`, io);
  }
  const f = new InternalFlow(systemId, fromVolumeId, toVolumeId, offset, length, data, io, holds, pending, readyUs, fromCache, toCache);
  if (sameCache || !toCache) return f.continueWith(core, holds);
  storeInCache(core, toCache, toVolumeId, offset, length, f);
}

/** FIG. 7 / FIG. 9 hand-down through shared memory: after the intercache copy (if any), the lower volume's pairs and its own hand-down. */
class InternalFlow implements StoredTo {
  constructor(
    readonly systemId: string,
    readonly fromVolumeId: string,
    readonly toVolumeId: string,
    readonly offset: number,
    readonly length: number,
    readonly data: Payload | null,
    readonly io: Io,
    readonly holds: SlotHold[],
    readonly pending: HandDown | undefined,
    readonly readyUs: number,
    readonly fromCache: CacheRt | undefined,
    readonly toCache: CacheRt | undefined,
  ) {}

  stored(core: EngineState, newHolds: SlotHold[]): void {
    const toCache = this.toCache!;
    if (this.io.traced) core.step('S53', toCache.id, `intercache copy: the data is stored in ${toCache.id} for ${this.toVolumeId}`, this.io, [this.fromCache?.id ?? this.fromVolumeId]);
    // The upper cache's slots are released once this write is served below, not before: a release wakes the next
    // writer waiting there at once, and its whole flow (a newer write to the same track) journaled ahead of this one
    // (FIG. 7 under load: the remote applied the older bytes last, PAIR over different copies).
    this.continueWith(core, newHolds);
    core.release(this.holds);
  }

  continueWith(core: EngineState, newHolds: SlotHold[]): void {
    const { toVolumeId, offset, length, data, io } = this;
    handDownEnded(core, this.pending);
    const served = core.pairsWithPrimary(toVolumeId);
    for (let i = 0; i < served.length; i++) serveIfStill(core, this.pending, served[i]!, toVolumeId, offset, length, data, io, 'S56', Math.max(this.readyUs, core.nowUs));
    handDown(core, this.systemId, toVolumeId, offset, length, data, io, newHolds, false);
  }
}

/**
 * A hand-down's arrival serves the pair unless the pair started a copy (or was taken over, swapped or deleted) since
 * the hand-down started (handDownServes): then that copy carries the bytes, in no record of this write.
 */
export function serveIfStill(core: EngineState, h: HandDown | undefined, p: PairRt, volumeId: string, offset: number, length: number, data: Payload | null, io: Io, sendStep: 'S44' | 'S56', readyUs?: number): void {
  if (handDownServes(h, p)) servePairBelow(core, p, volumeId, offset, length, handedDownBytes(core, h, volumeId, offset, length, data), io, sendStep, readyUs);
  else if (core.standbyPairs.length) deltaSettled(core, p, io.id);
}

/** Serves a pair of a volume reached inside the relay: S41-S43 after the loop, S54-S55 after shared memory. */
export function servePairBelow(core: EngineState, p: PairRt, volumeId: string, offset: number, length: number, data: Payload | null, io: Io, sendStep: 'S44' | 'S56', readyUs?: number, done: AnswerTo = FLOW_ENDED): void {
  const systemIdOf = core.volume(volumeId).systemId;
  const ip = p.route?.fromPortId ?? systemIdOf;
  if (p.rules.forwardsUpdates) {
    if (sendStep === 'S44') {
      if (io.traced) core.step('S41', ip, `${ip} receives the message`, io);
      if (io.traced) core.step('S42', ip, `${ip} starts transmission as primary of ${p.secondaryId}`, io, [p.id]);
      if (io.traced) core.step('S43', ip, `${ip} converts the ${volumeId} address to ${p.secondaryId}'s with table T4`, io);
    } else {
      if (io.traced) core.step('S54', ip, `${ip} starts transmission as primary of ${p.secondaryId}`, io, [p.id]);
      if (io.traced) core.step('S55', ip, `${ip} converts the ${volumeId} address to ${p.secondaryId}'s with table T4`, io);
    }
  }
  const a = newArrival(systemIdOf, ip, volumeId, offset, length, data, io, 'loop', readyUs);
  core.activeFlows++;
  servePair(core, p, a, sendStep, done);
}

/**
 * A host write's flow that waits for more answers than its own volume's pairs (ArrivalFlow): one more is announced with
 * `waiting++` before it can come, and `answer` takes each.
 */
export interface AnswerFlow extends AnswerTo {
  waiting: number;
}

/** A sync pair served by a host write's fan-out: the flow ends here, and the host's write waits for its answer. */
class FanOutSyncAnswer implements AnswerTo {
  constructor(readonly flow: AnswerFlow) {}
  answer(core: EngineState, ok: boolean, reason?: string, pending?: PendingAnswer[]): void {
    core.activeFlows--;
    this.flow.answer(core, ok, reason, pending);
  }
}

/**
 * Whether a host write to this volume reaches, by the fan-out, a sibling that is now the primary of a sync pair (a host
 * at the relay writing V21 while pair-sync runs reversed from V12, the same real volume): its answer then waits for
 * that pair. Most volumes have no sibling (mayFanOut, cached): no search.
 */
export function fanOutServesSync(core: EngineState, volumeId: string): boolean {
  if (!mayFanOut(core, volumeId)) return false;
  const systemId = core.stack.volumes.get(volumeId)?.systemId;
  for (const e of core.fanOutSiblings.get(volumeId)!) {
    if (core.stack.volumes.get(e.volumeId)?.systemId !== systemId) continue;
    const pairs = core.pairsWithPrimary(e.volumeId);
    for (let i = 0; i < pairs.length; i++) if (pairs[i]!.mode === 'sync') return true;
  }
  return false;
}

/** FIG. 12: other volumes of this system on the same real bytes that are primaries of pairs get the update through the shared cache or an intercache copy. */
export function fanOut(core: EngineState, systemId: string, volumeId: string, offset: number, length: number, data: Payload | null, io: Io, syncAnswers?: AnswerFlow): void {
  if (!mayFanOut(core, volumeId)) return;
  const siblings = core.fanOutSiblings.get(volumeId)!;
  // Siblings already reached (a few at most: an array, made only when there is one).
  let seen: string[] | undefined;
  for (const piece of core.stack.pieces(volumeId, offset, length)) {
    // The volumes over the piece's store bytes (stack.volumesOver), of the candidates only, without a list per write.
    for (const e of siblings) {
      if (e.storeId !== piece.storeId) continue;
      const a = Math.max(piece.storeOffset, e.storeOffset);
      const b = Math.min(piece.storeOffset + piece.length, e.storeOffset + e.length);
      if (a >= b || seen?.includes(e.volumeId)) continue;
      const ov = core.stack.volumes.get(e.volumeId);
      if (!ov || ov.systemId !== systemId) continue;
      if (core.pairsWithPrimary(e.volumeId).length === 0) continue;
      (seen ??= []).push(e.volumeId);
      const at = piece.dataOffset + (a - piece.storeOffset);
      const sub = data ? part(data, at, b - a) : null;
      siblingFlow(core, systemId, volumeId, e.volumeId, e.volumeOffset + (a - e.storeOffset), b - a, sub, io, syncAnswers);
    }
  }
}

/**
 * Whether any volume of the same system, outside this one's chain, shares stores with it and is a side of some pair
 * (either side: a swap makes a secondary the primary). The mapping is fixed for an engine's life, so this is worked
 * out once per volume, with the candidates a write then looks at (core.fanOutSiblings: the extents of other volumes
 * of the system, outside the chain, on the volume's stores, in the stack's order); most volumes have no sibling, and
 * their writes skip the search.
 */
export function mayFanOut(core: EngineState, volumeId: string): boolean {
  let may = core.fanOutPossible.get(volumeId);
  if (may !== undefined) return may;
  may = false;
  const systemId = core.stack.volumes.get(volumeId)?.systemId;
  const chain = core.chains.get(volumeId);
  const stores = new Set(core.stack.extentsOf(volumeId).map((e) => e.storeId));
  const siblings: Extent[] = [];
  for (const storeId of stores) {
    for (const e of core.stack.byStore.get(storeId) ?? []) {
      if (e.volumeId === volumeId || chain?.has(e.volumeId)) continue;
      if (core.stack.volumes.get(e.volumeId)?.systemId !== systemId) continue;
      siblings.push(e);
      if (core.pairList.some((q) => q.primaryId === e.volumeId || q.secondaryId === e.volumeId)) may = true;
    }
  }
  core.fanOutPossible.set(volumeId, may);
  core.fanOutSiblings.set(volumeId, siblings);
  return may;
}

export function siblingFlow(core: EngineState, systemId: string, fromVolumeId: string, toVolumeId: string, offset: number, length: number, data: Payload | null, io: Io, syncAnswers?: AnswerFlow): void {
  const fromCache = core.cacheOfVolume.get(fromVolumeId);
  const toCache = core.cacheOfVolume.get(toVolumeId);
  if (io.traced) core.step('S15a', fromCache?.id ?? systemId, `the address in ${fromVolumeId} is converted to ${toVolumeId} with table T4 (shared real volume)`, io, [toVolumeId]);
  const pending = handDownStarted(core, toVolumeId, offset, length, fromVolumeId);
  // As in internalFlow: the MSG is no event; the pairs' sends leave MSG_US later.
  const readyUs = core.nowUs + MSG_US;
  if (io.traced) {
    const ip = core.initiatorFor(toVolumeId, systemId) ?? systemId;
    core.step('S16', systemId, `a message (MSG) goes through shared memory to ${ip}`, io);
    core.step('S51', ip, `${ip} receives the message`, io);
    core.step('S52', ip, `data reception as ${toVolumeId} (formal)`, io);
  }
  const f = new SiblingFlow(toVolumeId, offset, length, data, io, pending, readyUs, toCache, syncAnswers);
  // The host's answer waits at least until this sibling's pairs are served (it may wait for a slot first).
  if (syncAnswers) syncAnswers.waiting++;
  if (!toCache || toCache === fromCache) return f.serve(core, []);
  storeInCache(core, toCache, toVolumeId, offset, length, f);
}

/** FIG. 12's fan-out to a sibling volume on the same real bytes: after the intercache copy (if any), its pairs. */
class SiblingFlow implements StoredTo {
  constructor(
    readonly toVolumeId: string,
    readonly offset: number,
    readonly length: number,
    readonly data: Payload | null,
    readonly io: Io,
    readonly pending: HandDown | undefined,
    readonly readyUs: number,
    readonly toCache: CacheRt | undefined,
    /** The host write's flow, when its answer waits for this sibling's sync pairs (fanOutServesSync). */
    readonly syncAnswers: AnswerFlow | undefined,
  ) {}

  stored(core: EngineState, holds: SlotHold[]): void {
    if (this.io.traced) core.step('S53', this.toCache!.id, `intercache copy into ${this.toCache!.id} for ${this.toVolumeId}`, this.io);
    this.serve(core, holds);
  }

  serve(core: EngineState, holds: SlotHold[]): void {
    const { toVolumeId, offset, length, data, io } = this;
    handDownEnded(core, this.pending);
    // As every hand-down: only the pairs it started with, in the generation it started in (handDownServes).
    const pairs = core.pairsWithPrimary(toVolumeId);
    const flow = this.syncAnswers;
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i]!;
      if (flow && p.mode === 'sync' && handDownServes(this.pending, p)) {
        flow.waiting++;
        servePairBelow(core, p, toVolumeId, offset, length, handedDownBytes(core, this.pending, toVolumeId, offset, length, data), io, 'S56', Math.max(this.readyUs, core.nowUs), new FanOutSyncAnswer(flow));
      } else serveIfStill(core, this.pending, p, toVolumeId, offset, length, data, io, 'S56', Math.max(this.readyUs, core.nowUs));
    }
    core.release(holds);
    flow?.answer(core, true);
  }
}

/** Pairs below a broken internal path lose the update: they are suspended and the change is recorded. */
export function suspendBelow(core: EngineState, systemId: string, volumeId: string, offset: number, length: number, why: string, cableId?: string): void {
  for (const p of core.pairsWithPrimary(volumeId)) {
    p.markTracks(p.primaryBitmap, offset, length);
    if (p.replicating) suspend(core, p, 'PSUE', why, cableId ? { kind: 'loop', id: cableId } : { kind: 'system', id: systemId });
  }
}

/** Bytes a write already changed in a volume (stored higher up the stack) whose hand-down has not yet reached that volume's pairs. */
export interface HandDown {
  volumeId: string;
  offset: number;
  length: number;
  /** Its place in the volume's list (core.handDowns), so that it leaves by a swap with the last, not a search. */
  at: number;
  /**
   * The volume's pairs when it started, and their update generations then (`gen`: the first's; `gens`: all of them,
   * only when there are several). It serves a pair on arrival only if that pair has not started a copy (or been taken
   * over, swapped or deleted) since: its bytes were in the shared store before it started, so such a copy sent them,
   * or newer ones; a journal record of them from a hand-down that waited long in a full cache put the old bytes over
   * the newer (the loop's real volume unreachable: FIG. 1's local-disaster and journal-sizing exercises under load,
   * PAIR over different copies). A suspend meanwhile recorded it in the pair's bitmap (recordPendingHandDowns).
   */
  pairs: readonly PairRt[];
  gen: number;
  gens: number[] | undefined;
  /** The volume whose write it hands down (its later writes hand down behind it, in order). */
  from: string;
  /**
   * A write that came another way (a host writing a volume over the same bytes) changed them since it started: it
   * carries the bytes as they are when it serves its pairs, not its own, which that write has overtaken (see
   * crossWritten).
   */
  stale: boolean;
}

/**
 * A hand-down that started when its volume was the primary of no pair: it serves none on arrival either. A pair made
 * meanwhile copied the bytes (they were in the shared store already); a record of them, from a hand-down that waited
 * in a full cache past that copy, put older bytes over the copy's (prop-long 1500 8181 --load --sample: FIG. 1's
 * journal-sizing and delta-resync figures, pair-async deleted and made again while the relay's external array was
 * down, PAIR over different copies). Shared and never listed in core.handDowns (no suspend has anything to record).
 */
const SERVES_NO_PAIR: HandDown = Object.freeze({ volumeId: '', offset: 0, length: 0, at: -1, pairs: NO_PAIRS, gen: 0, gens: undefined, from: '', stale: false });

/** Whether a hand-down arriving now still serves pair `p` (see HandDown.pairs); undefined: no hand-down (a flow of its own). */
export function handDownServes(h: HandDown | undefined, p: PairRt): boolean {
  if (!h) return true;
  if (h.pairs[0] === p) return p.updateGen === h.gen;
  const i = h.pairs.indexOf(p);
  return i >= 0 && h.gens !== undefined && p.updateGen === h.gens[i];
}

export const NO_HAND_DOWNS: readonly HandDown[] = Object.freeze([]);

/**
 * A write's bytes are applied where the first cache of a system stores them (S14), so a lower volume on the same
 * bytes (FIG. 1's V21 under V12, FIG. 12's V21a/V21b) has changed before the hand-down reaches it and serves its
 * pairs. A pair of that volume that suspends in between must record the change (suspend reads these), else a
 * hand-down lost with its system, or arriving after a reversal, leaves the change in no journal and no bitmap.
 */
export function handDownStarted(core: EngineState, volumeId: string, offset: number, length: number, from: string): HandDown {
  const pairs = core.pairsWithPrimary(volumeId);
  if (pairs.length === 0) return SERVES_NO_PAIR;
  let list = core.handDowns.get(volumeId);
  if (!list) core.handDowns.set(volumeId, (list = []));
  const h: HandDown = { volumeId, offset, length, at: list.length, pairs, gen: pairs[0]!.updateGen, gens: pairs.length > 1 ? pairs.map((p) => p.updateGen) : undefined, from, stale: false };
  list.push(h);
  core.handDownsListed++;
  return h;
}

export function handDownEnded(core: EngineState, h: HandDown | undefined): void {
  if (!h || h.at < 0) return;
  const list = core.handDowns.get(h.volumeId)!;
  const last = list.pop()!;
  if (last !== h) {
    list[h.at] = last;
    last.at = h.at;
  }
  h.at = -1;
  core.handDownsListed--;
  if (core.handDownWaits.size > 0) resumeHostWritesIfFree(core, h.volumeId);
}

/**
 * A write stored in `volumeId` another way than a hand-down (a host's, a sync update, a copy, a journal record) changed
 * the bytes of hand-downs still on their way to it or to a volume over the same bytes, unless they hand down that
 * volume's own writes (those come in order behind them). Such a hand-down would carry older bytes to its pairs after
 * this write's own update: FIG. 1 with hosts at the relay writing V12 and V21, pair-sync swap-taken-over; V12's write
 * reached pair-async through the loop after V21's later one had been journaled, and V22 kept the older bytes (prop-long
 * --relay --sibling seed 101: PAIR over different copies). Marked stale, it carries the bytes as they are then. A host
 * write waits for such hand-downs before it is stored (write.ts waitForHandDowns), but one that waited for a cache slot
 * meanwhile lands after them (FIG. 13, C12 full: V21's fan-out to V12, waiting for a slot too, then forwarded V21's older
 * bytes to V11 after V12's write; the named test in replication-bugs.test.ts), and so do other pairs' updates.
 * Conservative: every such hand-down of those volumes is marked, not only the overlapping ones (a stale one sends the
 * same bytes or newer). In the figures as filed nothing writes where a hand-down from another volume is on its way.
 */
export function crossWritten(core: EngineState, volumeId: string): void {
  if (core.handDownsListed === 0) return;
  markStale(core.handDowns.get(volumeId), volumeId);
  const sharers = core.stack.sharersOf(volumeId);
  for (let i = 0; i < sharers.length; i++) markStale(core.handDowns.get(sharers[i]!), volumeId);
}

function markStale(list: HandDown[] | undefined, writtenId: string): void {
  if (list === undefined) return;
  for (let i = 0; i < list.length; i++) if (list[i]!.from !== writtenId) list[i]!.stale = true;
}

/** The bytes a hand-down gives its pairs: its write's, or, once stale (crossWritten), the volume's as they are now. */
function handedDownBytes(core: EngineState, h: HandDown | undefined, volumeId: string, offset: number, length: number, data: Payload | null): Payload | null {
  return h !== undefined && h.stale ? core.stack.read(volumeId, offset, length) : data;
}
