// The async journal of a consistency group: append with sequence numbers, fill (PFUL, overflow watch), transfer window, in-order apply at the secondary.
import type { Payload } from './data/payload';
import type { EngineState } from './state';
import { setState, suspend } from './pair-states';
import { JOURNAL_WINDOW, OVERFLOW_WATCH_US, PFUL_THRESHOLD, type JournalRecord, type JournalRt, type PairRt } from './pairs';
import { invariant } from './sim';
import { fmtBytes, type Io } from './state';
import { receiveProcessed } from './write';

export function journalAppend(core: EngineState, p: PairRt, offset: number, length: number, data: Payload | null, io: Io, sendStep: string, readyUs = core.nowUs): void {
  const j = p.journal!;
  if (j.usedBytes + j.phantomBytes + length > j.capacityBytes) {
    p.markTracks(p.primaryBitmap, offset, length);
    suspend(core, p, 'PSUE', `journal ${j.id} is full (${fmtBytes(j.capacityBytes)})`, { kind: 'journal', id: j.id });
    return;
  }
  const rec: JournalRecord = { seq: j.nextSeq++, gen: j.gen, pair: p, offset, length, data, writtenUs: readyUs, readyUs, ioId: io.traced ? io.id : undefined, sendStep: io.traced ? sendStep : undefined };
  j.usedBytes += length;
  j.queue.push(rec);
  if (io.traced) core.step('journal', j.id, `write gets sequence number ${rec.seq} in journal ${j.id}`, io, [p.id]);
  checkJournalFill(core, j);
  pump(core, j);
}

export function checkJournalFill(core: EngineState, j: JournalRt): void {
  const over = j.fill >= PFUL_THRESHOLD;
  for (const p of j.pairs) {
    if (over && p.state === 'PAIR') setState(core, p, 'PFUL', `journal ${j.id} is ${Math.round(j.fill * 100)}% full`);
    else if (!over && p.state === 'PFUL') setState(core, p, 'PAIR', `journal ${j.id} drained below ${PFUL_THRESHOLD * 100}%`);
  }
  if (over && j.overThresholdSinceUs === undefined) {
    j.overThresholdSinceUs = core.nowUs;
    const gen = j.gen;
    const since = core.nowUs;
    core.sched.after(OVERFLOW_WATCH_US, () => {
      if (j.gen !== gen || j.overThresholdSinceUs !== since || j.fill < PFUL_THRESHOLD) return;
      const p = j.pairs.find((q) => q.replicating);
      if (p) suspend(core, p, 'PSUE', `journal ${j.id} stayed above ${PFUL_THRESHOLD * 100}% for the ${OVERFLOW_WATCH_US / 1e6} s overflow watch`, { kind: 'journal', id: j.id });
    });
  } else if (!over) {
    j.overThresholdSinceUs = undefined;
  }
}

/** Sends queued journal records while the transfer window has room. */
export function pump(core: EngineState, j: JournalRt): void {
  while (j.inFlight < JOURNAL_WINDOW) {
    const rec = j.queue[j.queueHead];
    if (!rec) return;
    const p = rec.pair;
    const route = p.route;
    if (!route || !route.link.up || !p.rules.sendsJournal) return;
    j.shift();
    j.sent.set(rec.seq, rec);
    j.inFlight++;
    const link = route.link;
    const io: Io = { id: rec.ioId ?? 0, traced: rec.ioId !== undefined };
    if (rec.sendStep) core.step(rec.sendStep, route.fromPortId, `${route.fromPortId} sends journal record ${rec.seq} to ${p.secondaryId} over ${link.id}`, io, [link.id, p.id]);
    const epoch = link.epoch;
    const gen = j.gen;
    link.inFlight++;
    // Arrival and the secondary CHA's processing are one event; the record then applies in sequence order.
    const chaUs = core.wiring.systems.get(core.volume(p.secondaryId).systemId)?.chaProcessingUs ?? 0;
    link.send(core.sched, Math.max(core.nowUs, rec.readyUs), route.fromPortId, rec.length, (t) => core.sched.at(t + chaUs, () => {
      link.inFlight--;
      // A discarded record lost on a cut link still frees its place in the sequence (nobody suspends for a deleted pair).
      if (j.gen !== gen || (link.lostBefore(epoch, t) && !rec.discarded)) return;
      j.arrived.set(rec.seq, rec);
      applyInOrder(core, j);
    }));
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
    const io: Io = { id: rec.ioId ?? 0, traced: rec.ioId !== undefined };
    const secSystem = core.volume(p.secondaryId).systemId;
    const stillWanted = (): boolean => !rec.discarded;
    receiveProcessed(core, { systemId: secSystem, portId: route.toPortId, volumeId: p.secondaryId, offset: rec.offset, length: rec.length, data: rec.data, io, source: 'journal', stillWanted }, (ok) => {
      if (j.gen !== gen) return;
      if (rec.discarded) {
        freeJournalRecord(j, rec);
        afterJournalFreed(core, j);
        return;
      }
      if (!ok) {
        p.markTracks(p.primaryBitmap, rec.offset, rec.length);
        suspend(core, p, 'PSUE', `the secondary ${p.secondaryId} could not apply journal record ${rec.seq}`, { kind: 'system', id: secSystem });
        return;
      }
      if (io.traced) core.step('journal-apply', p.secondaryId, `record ${rec.seq} applied to ${p.secondaryId}; the primary may free it`, io, [p.id]);
      p.lastAppliedWrittenUs = Math.max(p.lastAppliedWrittenUs, rec.writtenUs);
      core.sched.after(route.link.oneWayUs, () => {
        if (j.gen !== gen) return;
        freeJournalRecord(j, rec);
        afterJournalFreed(core, j);
      });
    });
  }
  if (freed) afterJournalFreed(core, j);
}

/** The secondary reported the record applied (or it was discarded): its space and its transfer slot are free. */
function freeJournalRecord(j: JournalRt, rec: JournalRecord): void {
  j.inFlight--;
  j.sent.delete(rec.seq);
  j.usedBytes -= rec.length;
  invariant(j.usedBytes >= 0 && j.inFlight >= 0, j.id, 'journal accounting went negative');
}

function afterJournalFreed(core: EngineState, j: JournalRt): void {
  checkJournalFill(core, j);
  finishSuspendingIfDrained(core, j);
  pump(core, j);
}

export function finishSuspendingIfDrained(core: EngineState, j: JournalRt): void {
  if (!j.drained) return;
  for (const p of j.pairs) if (p.state === 'suspending') setState(core, p, 'PSUS', 'split: the journal drained, the secondary holds a consistent image');
}
