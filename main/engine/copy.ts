// Paced initial and differential copy: batches of copyPace tracks from the primary's bitmap, never-written runs skipped at no cost.
import { nextPath, trackLockFreed, waitForPath, type PathWaiter } from './path-groups';
import type { EngineState } from './state';
import { beginSwapTakeover, markOverwrittenSecondaries, newUpdateGeneration, setState, suspend, upstreamCopyCompleted } from './pair-states';
import type { PairRoute, PairRt } from './pairs';
import { COPY_GAP_US_PER_PACE, newArrival, type Arrival, type Io, type Sender, type SentTo, type Wanted } from './state';
import type { LinkRt } from './links';
import { arrive, deliver, type Arriving } from './write';
import { supersedeJournaled } from './journal';
import { defineEvent } from './sim';
import { deltaUpstreamCopied } from './delta-resync';

/** The next paced batch of a copy (`gen`: the copy it belongs to; a later copy makes it a no-op). */
interface CopyBatchRec {
  p: PairRt;
  gen: number;
}
const COPY_BATCH = defineEvent<EngineState, CopyBatchRec>('copy-batch', (core, r) => copyBatch(core, r.p, r.gen));

/** A copied track's answer back at the primary, one cable hop after the secondary stored it. */
interface CopyAnsweredRec {
  p: PairRt;
  gen: number;
  track: number;
}
const COPY_ANSWERED = defineEvent<EngineState, CopyAnsweredRec>('copy-answered', (core, r) => {
  const p = r.p;
  if (p.copy.gen !== r.gen) return;
  p.copy.inFlightTracks.delete(r.track);
  trackLockFreed(core, p);
  if (--p.copy.inFlight === 0) copyBatchDone(core, p, r.gen);
});

/** Starts the initial copy (all tracks) or a differential resync (union of both sides' bitmaps). */
export function startCopy(core: EngineState, p: PairRt, initial: boolean, reason: string): void {
  markOverwrittenSecondaries(core, p);
  p.markSyncInFlight();
  newUpdateGeneration(core, p);
  if (initial) {
    p.primaryBitmap.setAll();
    p.initialCopyPending = true;
  }
  p.primaryBitmap.union(p.secondaryBitmap);
  p.secondaryBitmap.clearAll();
  p.secondaryWritable = false;
  // A resync lifts the fence (TrueCopy: the P-VOL is writable again once the pair is resynchronised).
  p.fenced = false;
  p.suspendedCause = undefined;
  p.copy.active = true;
  p.copy.gen++;
  p.copy.totalTracks = p.primaryBitmap.count;
  p.copy.startedUs = core.nowUs;
  p.copy.inFlight = 0;
  p.copy.inFlightTracks.clear();
  trackLockFreed(core, p);
  p.copy.cursor = 0;
  // "copy complete (N tracks sent)" and the progress bar are this copy's, not every copy's since the pair was created.
  p.copy.tracksSent = 0;
  p.copy.shownProgress = 0;
  // The journal's sequence is the group's: other pairs of the group may have records on the way, so it is left alone.
  setState(core, p, 'COPY', `${reason}: ${p.copy.totalTracks} track(s) to copy`);
  const gen = p.copy.gen;
  core.sched.post(core.nowUs, COPY_BATCH, { p, gen });
}

/** A copy batch held until the pair's path timeout runs out (a path of its group was cut). */
class CopyBatchWait implements PathWaiter {
  constructor(
    readonly p: PairRt,
    readonly gen: number,
  ) {}

  retry(core: EngineState): void {
    copyBatch(core, this.p, this.gen);
  }
}

/** One paced batch of the copy loop: up to copyPace tracks sent; never-written tracks count as copied at no cost. */
export function copyBatch(core: EngineState, p: PairRt, gen: number): void {
  if (p.copy.gen !== gen || p.state !== 'COPY') return;
  const route = p.route;
  const secSystem = core.volume(p.secondaryId).systemId;
  const primSystem = core.volume(p.primaryId).systemId;
  if (route && !route.link.up && waitForPath(p, new CopyBatchWait(p, gen))) return;
  if (!route || !route.link.up || !core.systemUp(secSystem) || !core.systemUp(primSystem)) {
    const why = !route ? 'no cabled route to the secondary' : !route.link.up ? `cable ${route.link.id} is cut` : 'a system of the pair is down';
    return suspend(core, p, 'PSUE', why, route && !route.link.up ? { kind: 'link', id: route.link.id } : { kind: 'system', id: core.systemUp(secSystem) ? primSystem : secSystem });
  }
  const bm = p.primaryBitmap;
  const tb = p.trackBytes;
  let sent = 0;
  while (sent < p.cfg.copyPace && !bm.isEmpty) {
    let t = bm.nextSet(p.copy.cursor);
    if (t === undefined) t = bm.nextSet(0)!;
    const offset = t * tb;
    const len = Math.min(tb, p.sizeBytes - offset);
    if (!core.stack.anyWritten(p.primaryId, offset, len) && !core.stack.anyWritten(p.secondaryId, offset, len)) {
      // Skip the whole run of never-written tracks on both sides up to the next written one.
      const a = core.stack.nextWrittenOffset(p.primaryId, offset);
      const b = core.stack.nextWrittenOffset(p.secondaryId, offset);
      const nextWritten = Math.min(a ?? p.sizeBytes, b ?? p.sizeBytes);
      const endTrack = Math.max(t + 1, Math.min(p.trackCount, Math.floor(nextWritten / tb)));
      bm.clearRange(t, endTrack);
      // Counted as copied with nothing sent: older journal records of these tracks must not land after either, as
      // after a track the copy sends (copyTrack). A record of a write the primary no longer holds (another pair's copy
      // zeroed those bytes: FIG. 12, pair-sync made again into the relay) landed on the secondary after the copy had
      // skipped the track, and the pair said PAIR over different copies (prop-long --load --sibling seed 111, TRUST.md
      // bug 42).
      if (p.mode === 'async') supersedeJournaled(core, p, offset, Math.min(p.sizeBytes, endTrack * tb) - offset);
      p.copy.cursor = endTrack;
      continue;
    }
    bm.clear(t);
    p.copy.cursor = t + 1;
    sent++;
    // Each track of the batch takes the next path of a path group that is up (the batch's own check was on the route).
    copyTrack(core, p, nextPath(core, p, offset, len) ?? route, secSystem, offset, len, gen);
  }
  if (sent === 0) copyBatchDone(core, p, gen);
}

export function copyTrack(core: EngineState, p: PairRt, route: PairRoute, secSystem: string, offset: number, len: number, gen: number): void {
  const data = core.stack.anyWritten(p.primaryId, offset, len) ? core.stack.readForTransfer(p.primaryId, offset, len) : null;
  // These bytes include every write so far: journal records of older writes to the track must not land after them.
  if (p.mode === 'async') supersedeJournaled(core, p, offset, len);
  const link = route.link;
  const track = offset / p.trackBytes;
  p.copy.inFlight++;
  p.copy.tracksSent++;
  p.copy.inFlightTracks.add(track);
  link.inFlight++;
  const t = new CopyTrack(p, gen, link, link.epoch, secSystem, offset, len, track);
  const io: Io = { id: 0, traced: false, copyForward: undefined };
  t.arrival = newArrival(secSystem, route.toPortId, p.secondaryId, offset, len, data, io, 'copy', undefined, t);
  link.send(core, core.nowUs, route.fromPortId, len, t);
}

/** One copied track on its way to the secondary (`gen`: the copy it belongs to; an abandoned copy's tracks do not land). */
class CopyTrack implements Sender, SentTo, Wanted, Arriving {
  arrival: Arrival | undefined;
  arriveUs = 0;

  constructor(
    readonly p: PairRt,
    readonly gen: number,
    readonly link: LinkRt,
    readonly epoch: number,
    readonly secSystem: string,
    readonly offset: number,
    readonly len: number,
    readonly track: number,
  ) {}

  sent(core: EngineState, arriveUs: number): void {
    this.arriveUs = arriveUs;
    deliver(core, arriveUs, this.arrival!, this);
  }

  arrived(core: EngineState): void {
    arrive(core, this.link, this.epoch, this.arriveUs, this.arrival!, this);
  }

  stillWanted(): boolean {
    return this.p.copy.gen === this.gen;
  }

  landed(): boolean {
    this.link.inFlight--;
    return this.p.copy.gen === this.gen;
  }

  lost(core: EngineState): void {
    const p = this.p;
    p.markTracks(p.primaryBitmap, this.offset, this.len);
    if (p.cfg.paths && p.copy.gen === this.gen) {
      // Lost on a cut path of its path group: the track goes back to the bitmap and the copy loop sends it again on
      // the next path (it waits for the path timeout in copyBatch, or suspends there when too few paths are left).
      p.copy.tracksSent--;
      p.copy.inFlightTracks.delete(this.track);
      trackLockFreed(core, p);
      if (--p.copy.inFlight === 0) copyBatchDone(core, p, this.gen);
      return;
    }
    suspend(core, p, 'PSUE', `cable ${this.link.id} was cut during the copy`, { kind: 'link', id: this.link.id });
  }

  /** The secondary stored the track (or could not): its answer comes back one hop later. */
  answer(core: EngineState, ok: boolean, reason?: string): void {
    const p = this.p;
    if (p.copy.gen !== this.gen) return;
    if (!ok) {
      p.markTracks(p.primaryBitmap, this.offset, this.len);
      return suspend(core, p, 'PSUE', `copy to ${p.secondaryId} failed: ${reason ?? ''}`, { kind: 'system', id: this.secSystem });
    }
    core.sched.post(core.nowUs + this.link.oneWayUs, COPY_ANSWERED, { p, gen: this.gen, track: this.track });
  }
}

export function copyBatchDone(core: EngineState, p: PairRt, gen: number): void {
  if (p.copy.gen !== gen || p.state !== 'COPY') return;
  if (p.primaryBitmap.isEmpty && p.copy.inFlight === 0) {
    p.copy.active = false;
    p.secondaryInconsistent = false;
    p.initialCopyPending = false;
    p.copiesCompleted++;
    upstreamCopyCompleted(core, p);
    if (core.standbyPairs.length) deltaUpstreamCopied(core, p);
    p.lastAppliedWrittenUs = core.nowUs;
    if (p.failbackPending) {
      p.failbackPending = false;
      // The changes are back; the original direction returns as a swap-takeover does: a write forwarded during the
      // copy may still be on its way, and swapping under it dropped it while the pair said PAIR (prop-long seed 4242).
      setState(core, p, 'PAIR', 'failback: the changes are copied back');
      beginSwapTakeover(core, p, 'failback');
    } else {
      setState(core, p, 'PAIR', `copy complete (${p.copy.tracksSent} track(s) sent)`);
    }
    return;
  }
  core.sched.post(core.nowUs + (15 - p.cfg.copyPace) * COPY_GAP_US_PER_PACE, COPY_BATCH, { p, gen });
}
