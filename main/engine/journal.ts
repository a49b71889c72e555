// The async journal of a consistency group: append with sequence numbers, fill (PFUL, overflow watch), transfer window, in-order apply at the secondary.
import type { Payload } from './data/payload';
import type { EngineState } from './state';
import { completeTakeover, setState, suspend } from './pair-states';
import { JOURNAL_WINDOW, OVERFLOW_WATCH_US, PFUL_THRESHOLD, type JournalRecord, type JournalRt, type PairRoute, type PairRt } from './pairs';
import { nextPath, pathsInFlightBytes, retryOnPath, trackLocked, type PathWaiter } from './path-groups';
import { deltaJournaled, forgetApplied, recordInBitmap } from './delta-resync';
import { invariant } from './sim';
import type { LinkRt } from './links';
import { fmtBytes, newArrival, type AnswerTo, type Io, type SentTo, type Wanted } from './state';
import { receiveProcessed } from './write';
import { defineEvent } from './sim';

/** The end of a journal's Data Overflow Watch started at `since` (in generation `gen`). */
interface OverflowWatchRec {
  j: JournalRt;
  gen: number;
  since: number;
}
const OVERFLOW_WATCH_END = defineEvent<EngineState, OverflowWatchRec>('overflow-watch-end', (core, { j, gen, since }) => {
  if (j.gen !== gen || j.fullSinceUs !== since) return;
  const p = j.pairs.find((q) => q.rules.forwardsUpdates || q.state === 'suspending');
  if (p) suspend(core, p, 'PFUS', `journal ${j.id} stayed full for the ${OVERFLOW_WATCH_US / 1e6} s Data Overflow Watch`, { kind: 'journal', id: j.id });
});

/** The secondary's "applied" reached the primary: the record is freed (unless the journal was dropped since). */
interface RecordFreedRec {
  j: JournalRt;
  gen: number;
  rec: JournalRecord;
}
const RECORD_FREED = defineEvent<EngineState, RecordFreedRec>('journal-record-freed', (core, { j, gen, rec }) => {
  if (j.gen !== gen) return;
  freeJournalRecord(j, rec);
  afterJournalFreed(core, j);
});

/**
 * Journals a write; `answered` is called when the host may be answered: at once, or, with Inflow Control on and the
 * journal full, once the write fits (or the Data Overflow Watch suspended the pair, PFUS). Universal Replicator user
 * guide, "Inflow control" and "Data overflow watch" (DOMAIN.md "Journal fill").
 */
export function journalAppend(core: EngineState, p: PairRt, offset: number, length: number, data: Payload | null, io: Io, sendStep: string, answered: AnswerTo, readyUs = core.nowUs): void {
  const j = p.journal!;
  if (j.held.length > 0 || !fits(j, length)) {
    if (!p.cfg.inflowControl) {
      recordInBitmap(core, p, offset, length, io.id);
      suspend(core, p, 'PSUE', `journal ${j.id} is full (${fmtBytes(j.capacityBytes)}) and inflow control is off`, { kind: 'journal', id: j.id });
      return answered.answer(core, true);
    }
    // Inflow control: the host's write is held back (in order) until the journal has room.
    core.activeFlows++;
    j.held.push({ pair: p, offset, length, data, io, sendStep, answered });
    if (j.fullSinceUs === undefined) startOverflowWatch(core, j);
    return;
  }
  append(core, p, offset, length, data, io, sendStep, readyUs);
  answered.answer(core, true);
}

function fits(j: JournalRt, length: number): boolean {
  return j.usedBytes + j.phantomBytes + length <= j.capacityBytes;
}

function append(core: EngineState, p: PairRt, offset: number, length: number, data: Payload | null, io: Io, sendStep: string, readyUs = core.nowUs): void {
  const j = p.journal!;
  const rec: JournalRecord = { seq: j.nextSeq++, gen: j.gen, pair: p, offset, length, data, writtenUs: readyUs, readyUs, hostIoId: io.id, ioId: io.traced ? io.id : undefined, sendStep: io.traced ? sendStep : undefined, discarded: false };
  j.usedBytes += length;
  j.queue.push(rec);
  if (core.standbyPairs.length && io.id !== 0) deltaJournaled(core, p, io.id, rec.seq);
  if (io.traced) core.step('journal', j.id, `write gets sequence number ${rec.seq} in journal ${j.id}`, io, [p.id]);
  checkJournalFill(core, j);
  pump(core, j);
}

/** The Data Overflow Watch counts from FULL (not from the threshold): still full when it ends, the group suspends PFUS. */
function startOverflowWatch(core: EngineState, j: JournalRt): void {
  const since = core.nowUs;
  const gen = j.gen;
  j.fullSinceUs = since;
  core.step('journal', j.id, `journal ${j.id} is full: host writes are held back (inflow control); the ${OVERFLOW_WATCH_US / 1e6} s Data Overflow Watch starts`);
  core.sched.post(core.nowUs + OVERFLOW_WATCH_US, OVERFLOW_WATCH_END, { j, gen, since });
}

/**
 * Room was freed: held writes go in, oldest first, while they fit. A held write of a pair that no longer sends (split:
 * suspending while the journal drains) goes to its bitmap and takes no room, so it need not fit: a write larger than
 * the whole journal (a 256 KiB copied track, a 64 KiB journal) waited for room it could never get, held for good after
 * the split with the pair PSUS, then PAIR after a resync with the write in no journal and no bitmap (prop-long 1500
 * 9191 --load --sample, FIG. 9).
 */
function admitHeld(core: EngineState, j: JournalRt): void {
  while (j.held.length > 0 && (!j.held[0]!.pair.rules.forwardsUpdates || fits(j, j.held[0]!.length))) {
    const h = j.held.shift()!;
    core.activeFlows--;
    if (h.pair.rules.forwardsUpdates) append(core, h.pair, h.offset, h.length, h.data, h.io, h.sendStep);
    else recordInBitmap(core, h.pair, h.offset, h.length, h.io.id);
    h.answered.answer(core, true);
  }
  if (j.held.length === 0) j.fullSinceUs = undefined;
}

/** A suspend dropped the journal: held writes are recorded in the bitmap and answered. */
export function releaseHeld(core: EngineState, j: JournalRt): void {
  const held = j.held.splice(0);
  j.fullSinceUs = undefined;
  for (const h of held) {
    core.activeFlows--;
    recordInBitmap(core, h.pair, h.offset, h.length, h.io.id);
    h.answered.answer(core, true);
  }
}

/**
 * One pair left a group's journal (deleted while the others keep replicating): its held writes are answered (their
 * bytes are on the primary; the pair no longer replicates them) and the others' may fit in the room its records left.
 */
export function releaseHeldOf(core: EngineState, j: JournalRt, pair: PairRt): void {
  const mine = takeHeld(j, (h) => h.pair === pair);
  if (mine.length === 0) return;
  for (const h of mine) {
    core.activeFlows--;
    h.answered.answer(core, true);
  }
  admitHeld(core, j);
  checkJournalFill(core, j);
  pump(core, j);
}

/** Takes the held writes `which` picks out of the journal's queue (the others keep their order). */
function takeHeld(j: JournalRt, which: (h: JournalRt['held'][number]) => boolean): JournalRt['held'] {
  const taken = j.held.filter(which);
  if (taken.length > 0) j.held.splice(0, j.held.length, ...j.held.filter((h) => !which(h)));
  return taken;
}

export function checkJournalFill(core: EngineState, j: JournalRt): void {
  const over = j.fill >= PFUL_THRESHOLD;
  for (const p of j.pairs) {
    if (over && p.state === 'PAIR') setState(core, p, 'PFUL', `journal ${j.id} is ${Math.round(j.fill * 100)}% full`);
    else if (!over && p.state === 'PFUL') setState(core, p, 'PAIR', `journal ${j.id} drained below ${PFUL_THRESHOLD * 100}%`);
  }
}

/** What the link holds in flight: its bandwidth x the round trips a record takes until the secondary frees it. */
export function bandwidthDelayBytes(link: LinkRt): number {
  return (link.bitsPerUs / 8) * 2 * link.roundTrips * link.oneWayUs;
}

/** Sends queued journal records while the transfer window (bandwidth x round trip, at least JOURNAL_WINDOW records) has room. */
export function pump(core: EngineState, j: JournalRt): void {
  for (;;) {
    const rec = j.queue[j.queueHead];
    if (!rec) return;
    const p = rec.pair;
    if (!p.route || !p.route.link.up || !p.rules.sendsJournal) return;
    // A path group's window is what all its paths that are up hold; the records are spread over them (nextPath) and may
    // arrive out of order: the secondary still applies only an unbroken run of sequence numbers (applyInOrder).
    if (j.inFlight >= JOURNAL_WINDOW && j.inFlightBytes + rec.length > pathsInFlightBytes(core, p, bandwidthDelayBytes)) return;
    // Its tracks' copies on the wire on two paths (a record across a track boundary): it waits for them, and so do the
    // records after it (trackLocked; the copy's answer pumps again).
    if (p.cfg.paths && trackLocked(p, rec.offset, rec.length)) {
      p.pathWatch.journalHeld = true;
      return;
    }
    j.shift();
    j.sent.set(rec.seq, rec);
    j.inFlight++;
    j.inFlightBytes += rec.length;
    transmitRecord(core, j, rec, nextPath(core, p, rec.offset, rec.length)!);
  }
}

/** Puts one taken record on the link; the secondary takes it in sequence order. */
function transmitRecord(core: EngineState, j: JournalRt, rec: JournalRecord, route: PairRoute): void {
  const p = rec.pair;
  const link = route.link;
  if (rec.sendStep) {
    const io: Io = { id: rec.ioId ?? 0, traced: rec.ioId !== undefined, copyForward: undefined };
    core.step(rec.sendStep, route.fromPortId, `${route.fromPortId} sends journal record ${rec.seq} to ${p.secondaryId} over ${link.id}`, io, [link.id, p.id]);
  }
  const epoch = link.epoch;
  const gen = j.gen;
  link.inFlight++;
  // Arrival and the secondary CHA's processing are one event; the record then applies in sequence order.
  const chaUs = core.wiring.systems.get(core.volume(p.secondaryId).systemId)?.chaProcessingUs ?? 0;
  link.send(core, Math.max(core.nowUs, rec.readyUs), route.fromPortId, rec.length, new JournalSend(j, rec, link, epoch, gen, chaUs));
}

/** A journal record on the link: booked when the cable takes it; its arrival and the secondary CHA's processing are one event. */
class JournalSend implements SentTo, PathWaiter {
  arriveUs = 0;

  constructor(
    readonly j: JournalRt,
    readonly rec: JournalRecord,
    readonly link: LinkRt,
    readonly epoch: number,
    readonly gen: number,
    readonly chaUs: number,
  ) {}

  sent(core: EngineState, arriveUs: number): void {
    this.arriveUs = arriveUs;
    core.sched.post(arriveUs + this.chaUs, JOURNAL_ARRIVED, this);
  }

  /** Lost on a cut path of a path group: sent again on the pair's path (if the journal is still the same one). */
  retry(core: EngineState): void {
    const p = this.rec.pair;
    const route = nextPath(core, p, this.rec.offset, this.rec.length);
    if (this.j.gen === this.gen && route?.link.up) transmitRecord(core, this.j, this.rec, route);
  }
}

const JOURNAL_ARRIVED = defineEvent<EngineState, JournalSend>('journal-arrived', (core, s) => {
  const { j, rec, link } = s;
  link.inFlight--;
  if (j.gen !== s.gen) return;
  if (link.lostBefore(s.epoch, s.arriveUs) && !rec.discarded) {
    // Lost on a cut path of a path group: sent again on the next path once the path timeout runs out.
    retryOnPath(core, rec.pair, s);
    return;
  }
  // A discarded record lost on a cut link still frees its place in the sequence (nobody suspends for a deleted pair).
  j.arrived.set(rec.seq, rec);
  applyInOrder(core, j);
});

/** A journal record being applied at the secondary: its answer frees it at the primary one hop later. */
class JournalApply implements AnswerTo, Wanted {
  constructor(
    readonly j: JournalRt,
    readonly gen: number,
    readonly rec: JournalRecord,
    readonly secSystem: string,
    readonly io: Io,
    readonly route: PairRoute,
  ) {}

  stillWanted(): boolean {
    // Not once its pair was deleted, nor once a suspend dropped the journal (a new generation): the record is in the
    // bitmap then, and landing late it changed a secondary the split had fixed, or the bytes another pair copies into
    // (TRUST.md bug 39).
    return !this.rec.discarded && this.j.gen === this.gen;
  }

  answer(core: EngineState, ok: boolean): void {
    const { j, gen, rec, io } = this;
    const p = rec.pair;
    if (j.gen !== gen) return;
    if (rec.discarded) {
      freeJournalRecord(j, rec);
      afterJournalFreed(core, j);
      return;
    }
    if (!ok) {
      p.markTracks(p.primaryBitmap, rec.offset, rec.length);
      suspend(core, p, 'PSUE', `the secondary ${p.secondaryId} could not apply journal record ${rec.seq}`, { kind: 'system', id: this.secSystem });
      return;
    }
    if (io.traced) core.step('journal-apply', p.secondaryId, `record ${rec.seq} applied to ${p.secondaryId}; the primary may free it`, io, [p.id]);
    // Just before it applied, this record was the pair's oldest unapplied write: the RPO peaked at its age.
    if (core.nowUs - rec.writtenUs > p.maxRpoUs) p.maxRpoUs = core.nowUs - rec.writtenUs;
    p.lastAppliedWrittenUs = Math.max(p.lastAppliedWrittenUs, rec.writtenUs);
    if (core.standbyPairs.length && rec.hostIoId !== undefined) forgetApplied(core, p, rec.hostIoId, rec.seq);
    // The apply record itself carries what the free needs (j, gen, rec): no record of its own.
    core.sched.post(core.nowUs + this.route.link.oneWayUs, RECORD_FREED, this);
  }
}

/** The secondary applies only an unbroken run of sequence numbers, so it always holds an earlier consistent image. */
export function applyInOrder(core: EngineState, j: JournalRt): void {
  let freed = false;
  for (;;) {
    if (j.skipped.size > 0 && j.skipped.delete(j.applyNext)) {
      j.applyNext++;
      continue;
    }
    const rec = j.arrived.get(j.applyNext);
    if (!rec) break;
    j.arrived.delete(j.applyNext);
    j.applyNext++;
    if (rec.discarded) {
      // Its pair was deleted: nothing lands, the space is freed and the group's sequence moves on.
      freeJournalRecord(j, rec);
      freed = true;
      continue;
    }
    const p = rec.pair;
    const route = p.route!;
    const gen = j.gen;
    const io: Io = { id: rec.ioId ?? 0, traced: rec.ioId !== undefined, copyForward: undefined };
    const secSystem = core.volume(p.secondaryId).systemId;
    const applied = new JournalApply(j, gen, rec, secSystem, io, route);
    receiveProcessed(core, newArrival(secSystem, route.toPortId, p.secondaryId, rec.offset, rec.length, rec.data, io, 'journal', undefined, applied), applied);
  }
  if (freed) afterJournalFreed(core, j);
}

/**
 * A copy is sending one of the pair's tracks with the primary's bytes as they are now. The pair's journal records of
 * older writes to it that have not landed (queued, on a link, arrived or waiting for a cache slot at the secondary)
 * must not land after those bytes: they are superseded, and free their place in the sequence when they arrive.
 * Universal Replicator sends the initial copy itself as journal data ("Journal copy (initial and update copy)",
 * Hitachi UR user guide, "How Universal Replicator works"), so the secondary restores copy and updates in sequence
 * order; our copy is not sequenced, and this keeps that order's result. Without it a record lost on a cut path of
 * the pair's group and sent again after the copy re-sent its track landed older bytes over the copy's, and the pair
 * said PAIR over different copies (prop-long 5000 9090 400). A record that also covers other tracks puts them back
 * into the copy's bitmap (the copy sends them again, with their newest bytes).
 */
export function supersedeJournaled(core: EngineState, p: PairRt, offset: number, length: number): void {
  const j = p.journal;
  if (!j) return;
  const end = offset + length;
  const supersede = (r: JournalRecord): void => {
    if (r.pair !== p || r.discarded || r.offset >= end || r.offset + r.length <= offset) return;
    r.discarded = true;
    if (r.offset < offset || r.offset + r.length > end) p.markTracks(p.primaryBitmap, r.offset, r.length);
  };
  for (let i = j.queueHead; i < j.queue.length; i++) supersede(j.queue[i]!);
  for (const r of j.sent.values()) supersede(r);
  // Writes held back by inflow control are older than the copy's bytes too, and journaled later they landed after it
  // (a 64 KiB journal, 44 KiB writes across two tracks: the older write over the newer one, PAIR with V21 != V22;
  // prop-long --load --straddle --remote --edits seed 2525). They leave the queue answered: the copy carries them.
  if (j.held.length === 0) return;
  const superseded = takeHeld(j, (h) => h.pair === p && h.offset < end && h.offset + h.length > offset);
  if (superseded.length === 0) return;
  if (j.held.length === 0) j.fullSinceUs = undefined;
  for (const h of superseded) {
    if (h.offset < offset || h.offset + h.length > end) p.markTracks(p.primaryBitmap, h.offset, h.length);
    core.activeFlows--;
    h.answered.answer(core, true);
  }
}

/** The secondary reported the record applied (or it was discarded): its space and its transfer slot are free. */
function freeJournalRecord(j: JournalRt, rec: JournalRecord): void {
  j.inFlight--;
  j.inFlightBytes -= rec.length;
  j.sent.delete(rec.seq);
  j.usedBytes -= rec.length;
  invariant(j.usedBytes >= 0 && j.inFlight >= 0, j.id, 'journal accounting went negative');
}

function afterJournalFreed(core: EngineState, j: JournalRt): void {
  admitHeld(core, j);
  checkJournalFill(core, j);
  finishSuspendingIfDrained(core, j);
  pump(core, j);
}

export function finishSuspendingIfDrained(core: EngineState, j: JournalRt): void {
  if (!j.drained) return;
  for (const p of j.pairs) {
    if (p.state !== 'suspending') continue;
    if (p.takeoverPending) completeTakeover(core, p);
    else setState(core, p, 'PSUS', 'split: the journal drained, the secondary holds a consistent image');
  }
}
