// What a system does once a write is stored: cache slots with back-pressure (writers wait as records in the cache's queue), a volume's pairs served (sync forward with fence levels as a SyncFlow record, async journal, bitmaps).
import type { EngineState } from './state';
import { journalAppend } from './journal';
import { deltaSettled, recordInBitmap } from './delta-resync';
import { suspend } from './pair-states';
import type { PairRoute, PairRt } from './pairs';
import { MAX_CACHE_WAITERS, type CacheRt, type CacheWaiter, type LinkRt } from './runtime';
import { defineEvent, EngineInvariantError } from './sim';
import { newArrival, type AnswerTo, type Arrival, type PendingAnswer, type Sender, type SentTo, type SlotHold, type StoredTo, type Wanted } from './state';
import { arrive, deliver, type Arriving } from './write';
import { countTracks, holdForTrackLock, nextPath, retryOnPath, syncMustWait, trackLocked, trackLockFreed, waitForPath, type PathWaiter } from './path-groups';

/** Writers wait for a slot: an event at the next booked destage's completion wakes them, one per free slot. */
export function scheduleWake(core: EngineState, cache: CacheRt): void {
  if (cache.waiters.length === 0) return;
  const t = cache.nextCleaningUs();
  if (t === undefined || (cache.wakeAtUs !== undefined && cache.wakeAtUs <= t)) return;
  cache.wakeAtUs = t;
  core.sched.post(Math.max(t, core.nowUs), CACHE_WAKE, { cache, t });
}

interface CacheWakeRec {
  cache: CacheRt;
  t: number;
}
const CACHE_WAKE = defineEvent<EngineState, CacheWakeRec>('cache-wake', (core, { cache, t }) => {
  if (cache.wakeAtUs === t) cache.wakeAtUs = undefined;
  cache.applyDue(core.nowUs);
  while (cache.waiters.length > 0 && cache.headReady(core.nowUs)) cache.dequeue()!.wake(core);
  scheduleWake(core, cache);
});

/** A store of a range that waits for free slots (for all of them at once), and who gets the holds. */
class StoreWait implements CacheWaiter {
  constructor(
    readonly cache: CacheRt,
    readonly volumeId: string,
    readonly first: number,
    readonly last: number,
    readonly then: StoredTo,
  ) {}

  wake(core: EngineState): void {
    core.activeFlows--;
    this.tryStore(core, true);
  }

  ready(nowUs: number): boolean {
    // One track (nearly every write): a free slot is enough (its track is not dirty, or it would not wait).
    return this.first === this.last ? this.cache.hasFree() : this.cache.canStore(this.volumeId, this.first, this.last, nowUs);
  }

  /** Takes the tracks' slots, or waits for them; `myTurn` when woken from the head of the queue (its slots are free). */
  tryStore(core: EngineState, myTurn: boolean): void {
    const { cache, volumeId, first, last } = this;
    if (first === last) {
      const version = myTurn || !cache.isWaitedFor(volumeId, first) ? cache.store(volumeId, first, core.nowUs) : -1;
      if (version >= 0) return this.then.stored(core, [{ cache, volumeId, track: first, version }]);
      return this.wait(core);
    }
    let wait = !cache.canStore(volumeId, first, last, core.nowUs);
    // Not its turn: it must not overtake a waiter for one of its tracks.
    for (let t = first; !myTurn && !wait && t <= last; t++) wait = cache.isWaitedFor(volumeId, t);
    if (wait) {
      const never = cache.neverFits(volumeId, first, last);
      if (never) throw new EngineInvariantError(cache.id, never);
      return this.wait(core);
    }
    const versions = cache.storeAll(volumeId, first, last, core.nowUs);
    this.then.stored(core, versions.map((version, i) => ({ cache, volumeId, track: first + i, version })));
  }

  /** Queues for the slots (all of them at once), behind the writers already waiting. */
  private wait(core: EngineState): void {
    const cache = this.cache;
    if (cache.waiters.length >= MAX_CACHE_WAITERS) throw new EngineInvariantError(cache.id, `more than ${MAX_CACHE_WAITERS} writes waiting for a free slot`);
    core.activeFlows++;
    cache.enqueue(this, this.volumeId, this.first, this.last);
    scheduleWake(core, cache);
  }
}

/** Takes (or waits for) a dirty slot for every track of the range; back-pressure when the cache is full of dirty data. */
export function storeInCache(core: EngineState, cache: CacheRt | undefined, volumeId: string, offset: number, length: number, then: StoredTo): void {
  if (!cache) return then.stored(core, []);
  const first = Math.floor(offset / cache.trackBytes);
  const last = Math.floor((offset + length - 1) / cache.trackBytes);
  if (first === last && !cache.isWaitedFor(volumeId, first)) {
    // One track with a slot to spare (the common case): no waiting record needed.
    const version = cache.store(volumeId, first, core.nowUs);
    if (version >= 0) return then.stored(core, [{ cache, volumeId, track: first, version }]);
  }
  new StoreWait(cache, volumeId, first, last, then).tryStore(core, false);
}

/** Answers `done` with ok once an async write went into the journal (or the bitmap). */
class Journaled implements AnswerTo {
  constructor(readonly done: AnswerTo) {}
  answer(core: EngineState): void {
    this.done.answer(core, true);
  }
}

/** Serves one pair whose primary was just written: forward (sync), journal (async) or record in the bitmap. */
export function servePair(core: EngineState, p: PairRt, a: Arrival, sendStep: string, done: AnswerTo): void {
  const rules = p.rules;
  if (p.fenced) {
    // Fenced while this write waited in the system: it fails (its bytes may have reached the P-VOL: recorded for the resync).
    recordInBitmap(core, p, a.offset, a.length, a.io.id);
    return done.answer(core, false, fencedRefusal(p));
  }
  const inSync = p.state === 'COPY' ? (a.copyForward?.get(p) ?? a.io.copyForward?.get(p)) : undefined;
  a.io.copyForward?.delete(p);
  if (inSync) {
    // DOMAIN.md: during COPY a write to a track the copy has already sent (or never has to) is replicated like in PAIR
    // (sync: forwarded; async: journaled); the change did not mark those tracks (applyData), the update carries the data.
    if (p.mode === 'sync') return forwardSync(core, p, a, done);
    return journalAppend(core, p, a.offset, a.length, a.data, a.io, sendStep, new Journaled(done), a.readyUs);
  }
  if (rules.forwardsUpdates) {
    if (p.mode === 'sync') return forwardSync(core, p, a, done);
    return journalAppend(core, p, a.offset, a.length, a.data, a.io, sendStep, new Journaled(done), a.readyUs);
  } else if (rules.recordsOnPrimary) {
    // Recorded for the copy loop or the next resync.
    recordInBitmap(core, p, a.offset, a.length, a.io.id);
  }
  done.answer(core, true);
}

export function fencedRefusal(p: PairRt): string {
  return `${p.primaryId} is fenced: pair ${p.id} (fence level ${p.cfg.fence}) is ${p.state}; lift the fence or resync`;
}

/** Sends a sync pair's update to the secondary and answers when the secondary's cache holds it (or it failed). */
export function forwardSync(core: EngineState, p: PairRt, a: Arrival, done: AnswerTo, issued?: number): void {
  // Its place in the order of the pair's updates (kept when it is sent again): a path group retries lost ones in it.
  const order = issued ?? (p.cfg.paths ? p.pathWatch.issued++ : 0);
  if (p.cfg.paths && trackLocked(p, a.offset, a.length)) return holdForTrackLock(p, new SyncResend(p, a, done, undefined, order, true));
  // Spread over a path group's paths that are up; acknowledged when the secondary on that path has it, as on one path.
  const route = nextPath(core, p, a.offset, a.length);
  const f = new SyncFlow(p, a, done, route, core.volume(p.secondaryId).systemId, core.nowUs, order);
  if (!route) return f.fail(core, 'no cabled route from the primary to the secondary');
  // A path of its group was cut and the path timeout has not run out: the update waits, then takes the next path. So
  // does an update of a track whose older update waits so (it must not overtake it).
  if ((!route.link.up || syncMustWait(p, Math.floor(a.offset / p.trackBytes), Math.floor((a.offset + a.length - 1) / p.trackBytes))) && waitForPath(p, new SyncResend(p, a, done, undefined, order), order)) return;
  if (!route.link.up) return f.fail(core, `cable ${route.link.id} is cut`);
  if (!core.systemUp(f.secSystem)) return f.fail(core, `system ${f.secSystem} is down`);
  f.send(core, route);
}

/**
 * A sync pair's update on its way: where it goes is fixed when it is sent (a reversal before it arrives must not
 * redirect it), the pair's update generation then, the tracks it holds in flight, and who waits for its answer.
 */
class SyncFlow implements Sender, SentTo, Wanted, Arriving {
  readonly secondaryId: string;
  readonly gen: number;
  /** Counted in the pair's sync-in-flight tracks (from the send until answered). */
  counted = false;
  firstTrack = 0;
  lastTrack = -1;
  link: LinkRt | undefined;
  epoch = 0;
  arriveUs = 0;
  update: Arrival | undefined;

  constructor(
    readonly p: PairRt,
    readonly a: Arrival,
    readonly done: AnswerTo,
    readonly route: PairRoute | undefined,
    readonly secSystem: string,
    readonly writtenUs: number,
    /** Its place in the order of the pair's updates (path groups only; see forwardSync). */
    readonly issued: number,
  ) {
    this.secondaryId = p.secondaryId;
    this.gen = p.updateGen;
  }

  send(core: EngineState, route: PairRoute): void {
    const { p, a } = this;
    if (a.io.traced) core.step('S1', route.fromPortId, `${route.fromPortId} sends the write to ${p.secondaryId} over ${route.link.id} (sync pair ${p.id})`, a.io, [route.link.id, p.id]);
    // Counted until answered: a split lets them land (they were sent first), but no copy may target those bytes meanwhile.
    p.syncInFlight++;
    this.counted = true;
    this.firstTrack = Math.floor(a.offset / p.trackBytes);
    this.lastTrack = Math.floor((a.offset + a.length - 1) / p.trackBytes);
    countTracks(p.syncInFlightTracks, this.firstTrack, this.lastTrack, 1);
    const link = route.link;
    this.link = link;
    this.epoch = link.epoch;
    link.inFlight++;
    core.activeFlows++;
    this.update = newArrival(this.secSystem, route.toPortId, this.secondaryId, a.offset, a.length, a.data, a.io, 'sync', a.readyUs, this, a.copyForward);
    link.send(core, Math.max(core.nowUs, a.readyUs ?? 0), route.fromPortId, a.length, this);
  }

  sent(core: EngineState, arriveUs: number): void {
    this.arriveUs = arriveUs;
    deliver(core, arriveUs, this.update!, this);
  }

  arrived(core: EngineState): void {
    arrive(core, this.link!, this.epoch, this.arriveUs, this.update!, this);
  }

  stillWanted(): boolean {
    return this.p.updateGen === this.gen;
  }

  landed(core: EngineState): void {
    this.link!.inFlight--;
    core.activeFlows--;
  }

  /** Lost on a cut cable: sent again on the next path once the path timeout runs out, or failed as before. */
  lost(core: EngineState): void {
    if (this.p.updateGen === this.gen && retryOnPath(core, this.p, new SyncResend(this.p, this.a, this.done, this, this.issued), this.issued)) return;
    this.fail(core, `cable ${this.link!.id} was cut`);
  }

  /** Takes the update out of the pair's in-flight tracks (once): answered, or handed to a resend. */
  release(core: EngineState): void {
    if (!this.counted) return;
    this.counted = false;
    const p = this.p;
    p.syncInFlight--;
    countTracks(p.syncInFlightTracks, this.firstTrack, this.lastTrack, -1);
    trackLockFreed(core, p);
  }

  /** The secondary answered. */
  answer(core: EngineState, ok: boolean, reason?: string): void {
    if (!ok) return this.fail(core, reason ?? 'the secondary refused the write');
    const link = this.link!;
    // The secondary's image now holds this write (for the cascade's end-to-end RPO).
    if (this.writtenUs > this.p.lastAppliedWrittenUs) this.p.lastAppliedWrittenUs = this.writtenUs;
    if (this.a.io.traced) core.step('ack', this.route!.toPortId, `${this.route!.toPortId} acknowledges: the secondary's cache holds the data`, this.a.io);
    // The answer's way back is no event of its own: it rides with the answer it is part of (the host's, usually).
    this.finish(core, true, undefined, [new SyncAnswerBack(this, core.nowUs + link.oneWayUs)]);
  }

  /** The update did not make it: suspend (unless the pair moved on) and say what the host sees by the fence level. */
  failure(core: EngineState, why: string): string | undefined {
    const { p, route } = this;
    // Either way its track is in the bitmap: the write reaches the secondary with the resync's copy, in no update.
    if (core.standbyPairs.length) deltaSettled(core, p, this.a.io.id);
    // The pair moved on (takeover, reversal, new copy, delete) while this update was on its way; its track was
    // recorded when the pair stopped replicating. Nothing to suspend; the host is answered by the fence level.
    if (p.updateGen !== this.gen) return movedOnRefusal(p, this.secondaryId, why);
    p.markTracks(p.primaryBitmap, this.a.offset, this.a.length);
    suspend(core, p, 'PSUE', why, route && !route.link.up ? { kind: 'link', id: route.link.id } : { kind: 'system', id: this.secSystem });
    // The failed update itself is the first write the fence refuses (data; status when the S-VOL could not be marked).
    return p.fenced ? `pair ${p.id} (fence ${p.cfg.fence}) could not update ${p.secondaryId}: ${why}` : undefined;
  }

  fail(core: EngineState, why: string): void {
    const seen = this.failure(core, why);
    this.finish(core, seen === undefined, seen);
  }

  /** Answers whoever waits, after taking the update out of the pair's in-flight count (once sent). */
  finish(core: EngineState, ok: boolean, reason?: string, pending?: PendingAnswer[]): void {
    this.release(core);
    this.done.answer(core, ok, reason, pending);
  }
}

/**
 * A sync update waiting for its pair's path timeout (or lost on a cut path of the group): forwarded again, on the path
 * the pair then has. `lostFlow`, if any, is the send that was lost: its in-flight tracks are released first.
 */
class SyncResend implements PathWaiter {
  constructor(
    readonly p: PairRt,
    readonly a: Arrival,
    readonly done: AnswerTo,
    readonly lostFlow: SyncFlow | undefined,
    readonly issued: number,
    /**
     * Held by the track lock (trackLocked): counted among the pair's updates on their way (a swap waits for it), its
     * tracks recorded by a suspend meanwhile (PairRt.markSyncInFlight); not sent if the pair moved on.
     */
    readonly held = false,
  ) {
    this.firstTrack = Math.floor(a.offset / p.trackBytes);
    this.lastTrack = Math.floor((a.offset + a.length - 1) / p.trackBytes);
    this.gen = p.updateGen;
    if (held) p.syncInFlight++;
  }

  readonly firstTrack: number;
  readonly lastTrack: number;
  readonly gen: number;

  retry(core: EngineState): void {
    this.lostFlow?.release(core);
    const p = this.p;
    if (this.held) p.syncInFlight--;
    if (p.updateGen !== this.gen) {
      // Taken over, swapped or copied again while it waited (for the track lock or the path timeout): its tracks are in
      // the bitmap (PairRt.markSyncInFlight, when the pair stopped replicating); the host is answered by the fence
      // level, as for an update lost on its way. Sent anyway, a waiting update landed on the S-VOL a takeover had just
      // made the production copy (TRUST.md bug 31).
      if (core.standbyPairs.length) deltaSettled(core, p, this.a.io.id);
      const seen = movedOnRefusal(p, p.secondaryId, `the pair changed state while the update waited for ${this.held ? 'the track lock' : 'the path timeout'}`);
      return this.done.answer(core, seen === undefined, seen);
    }
    // Sent again with what the primary holds there now, as an array's update copy sends the track from cache: the
    // original bytes could land after a newer update of the same track that went ahead meanwhile (the loss noticed only
    // when the slow transfer would have arrived, after the path timeout had moved the pair to its other path: PAIR over
    // different copies; the sustained-load property run, FIG. 11). Newer updates sent after this one follow its path.
    const a = this.a;
    const data = core.stack.anyWritten(a.volumeId, a.offset, a.length) ? core.stack.readForTransfer(a.volumeId, a.offset, a.length) : null;
    const now = newArrival(a.systemId, a.portId, a.volumeId, a.offset, a.length, data, a.io, a.source, a.readyUs, a.wanted, a.copyForward);
    forwardSync(core, p, now, this.done, this.issued);
  }
}

/** What the host hears of an update its pair no longer wanted (it moved on): a failure under fence data, else nothing. */
function movedOnRefusal(p: PairRt, secondaryId: string, why: string): string | undefined {
  return p.cfg.fence === 'data' ? `pair ${p.id} (fence data) could not update ${secondaryId}: ${why}` : undefined;
}

/** A sync answer on its way back: lost if the cable was cut before it arrived. */
class SyncAnswerBack implements PendingAnswer {
  constructor(
    readonly flow: SyncFlow,
    readonly atUs: number,
  ) {}

  lost(core: EngineState): string | undefined {
    const link = this.flow.link!;
    return link.lostBefore(this.flow.epoch, this.atUs) && !this.flow.p.cfg.paths ? this.flow.failure(core, `cable ${link.id} was cut before the answer came back`) : undefined;
  }
}
