// Destage: the disk adapter writes dirty tracks to the real volume, internal lazily (no event), external over its cable (CN5) as an ExternalDestage record that retries while the external volume is unreachable.
import type { Volume } from '../../app/model/schema';
import type { EngineState } from './state';
import type { CacheRt, LinkRt } from './runtime';
import { scheduleWake } from './serve';
import { defineEvent } from './sim';
import { DESTAGE_RETRY_US, type Io, type SentTo, type SlotHold } from './state';

type RealVolume = Extract<Volume, { kind: 'real' }>;
type ExternalBacking = Extract<RealVolume['backing'], { type: 'external' }>;

/** A traced write's step that happens later with no work of its own (a destage completing). */
interface StepLaterRec {
  step: string;
  elementId: string;
  text: string;
  io: Io;
  relatedIds: string[];
}
const STEP_LATER = defineEvent<EngineState, StepLaterRec>('step', (core, r) => core.step(r.step, r.elementId, r.text, r.io, r.relatedIds));

/**
 * The disk adapter writes dirty tracks to the real volume: internal after destageUsPerTrack, external over its cable
 * (CN5). A track whose destage is booked but not started yet takes this write's data along (a write hit on
 * write-pending data: the cache destages a slot's current contents once), so a track rewritten while the disk adapters
 * are behind costs one destage, not one per write; at the same load with idle adapters nothing changes (each write's
 * destage starts at once). Write-back caching: "multiple writes to a block require only one [lower-level] write"
 * (UW CSE 378, write strategy); Linux md's raid5 write-back cache likewise marks a stripe dirty and writes it back once.
 */
export function destage(core: EngineState, real: RealVolume, offset: number, length: number, io: Io, holds: SlotHold[]): void {
  if (holds.length === 0) return;
  const cache = holds[0]!.cache;
  const sys = core.wiring.systems.get(real.systemId)!;
  const now = core.nowUs;
  let joinable = 0;
  for (const hold of holds) if (joins(cache, real, hold, now)) joinable++;
  if (real.backing.type === 'internal') {
    // Destaged lazily: the slots turn clean at `done` with no event of their own (only a traced write's step needs one,
    // and writers waiting for a slot get a wake event).
    const own = holds.length - joinable;
    cache.destagesBooked += own;
    const us = sys.destageUsPerTrack * own;
    const done = own > 0 ? cache.bookDestage(now, us) : 0;
    for (const hold of holds) {
      if (joinable > 0 && joins(cache, real, hold, now) !== undefined) {
        const joinedDoneUs = cache.destageDoneUs(hold.volumeId, hold.track);
        hold.cache.cleanLater(hold.volumeId, hold.track, hold.version, joinedDoneUs);
        cache.writeHits++;
        if (io.traced) core.sched.post(joinedDoneUs, STEP_LATER, { step: 'destage', elementId: cache.id, text: `track ${hold.track} of ${real.id} was already waiting for a disk adapter: this write's data went with that destage (write hit)`, io, relatedIds: [real.id] });
        continue;
      }
      hold.cache.cleanLater(hold.volumeId, hold.track, hold.version, done);
      cache.noteDestage(hold.volumeId, hold.track, done - us, done, real);
    }
    if (own > 0 && io.traced) core.sched.post(done, STEP_LATER, { step: 'destage', elementId: cache.id, text: `a disk adapter destages ${own} track(s) of ${real.id}`, io, relatedIds: [real.id] });
    scheduleWake(core, cache);
    return;
  }
  // External: joined when every track has a pending destage of this volume (one booked ahead on its cable).
  if (joinable === holds.length) {
    for (const hold of holds) {
      const d = joins(cache, real, hold, now) as ExternalDestage;
      // The part of the write in this track (all of it when the write is within one track, the common case).
      const track = cache.trackBytes;
      const bytes = Math.min(offset + length, (hold.track + 1) * track) - Math.max(offset, hold.track * track);
      d.join(core, hold, Math.max(0, bytes), io.traced ? io : null);
      cache.writeHits++;
    }
    return;
  }
  core.pendingDestages++;
  cache.destagesBooked += holds.length;
  new ExternalDestage(real, real.backing, cache, sys.destageUsPerTrack, length, io, holds).attempt(core);
}

/**
 * The destage booked and not started for the hold's track that this write joins: only one that writes the same real
 * volume (a slot of a virtual volume over two real volumes is destaged to each of them, and only the last booking is
 * noted: the other books its own).
 */
function joins(cache: CacheRt, real: RealVolume, hold: SlotHold, now: number): unknown {
  const r = cache.pendingDestage(hold.volumeId, hold.track, now);
  return r === real || (r instanceof ExternalDestage && r.real === real) ? r : undefined;
}

/** A joined write's bytes on the cable, booked behind the destage it joined; the destage's answer covers them. */
const RIDE_ALONG: SentTo = { sent: () => undefined };

/**
 * Dirty tracks on their way to an external volume (FIG. 1's R1 over CN5), held in the cache until the external system
 * has them; also the record of its transfer on the cable (one at a time: a retry starts after the answer or the loss).
 * One record, holding the write's Io only when traced: a backlog of booked destages lives long enough to be copied by
 * every young-generation collection, and each record and Io it keeps costs that copy.
 */
class ExternalDestage implements SentTo {
  readonly io: Io | null;
  /** The transfer now on the cable: its link and epoch, the external system, and when its data arrives. */
  link: LinkRt | null = null;
  epoch = 0;
  extSystem = '';
  /** Booked ahead of the lane's completion: a cut or a failure before the answer came back counts. */
  bookedAhead = false;
  arriveUs = 0;
  /** When the disk adapter is done and the transfer leaves (booked ahead). */
  doneUs = 0;
  /** Holds of writes that joined this destage before it started (write hits); released with its own. */
  joined: SlotHold[] | null = null;

  constructor(
    readonly real: RealVolume,
    readonly backing: ExternalBacking,
    readonly cache: CacheRt,
    readonly destageUsPerTrack: number,
    /** Bytes to send: the first write's, plus those of writes that joined. */
    public length: number,
    io: Io,
    readonly holds: SlotHold[],
  ) {
    this.io = io.traced ? io : null;
  }

  attempt(core: EngineState): void {
    const us = this.destageUsPerTrack * this.holds.length;
    const done = this.cache.bookDestage(core.nowUs, us);
    this.cache.destaging++;
    if (this.bookedAheadAt(core, done)) {
      // Writes to these tracks before the disk adapter starts on them join this destage (see destage()).
      this.doneUs = done;
      for (const h of this.holds) this.cache.noteDestage(h.volumeId, h.track, done - us, done, this);
      return;
    }
    core.sched.post(done, DESTAGE_LANE_DONE, this);
  }

  /** A write to a track of this destage before it started: its bytes follow on the cable, its hold is released with ours. */
  join(core: EngineState, hold: SlotHold, bytes: number, io: Io | null): void {
    (this.joined ??= []).push(hold);
    // A retry after a loss sends what joined too.
    this.length += bytes;
    const link = this.link!;
    const ip = this.backing.initiatorPortId;
    if (io) core.sched.post(this.doneUs, STEP_LATER, { step: 'destage', elementId: ip, text: `track ${hold.track} of ${this.real.id} was already waiting for a disk adapter: this write's data goes to external system ${this.extSystem} over ${link.id} with that destage (write hit)`, io, relatedIds: [link.id, this.real.id] });
    if (bytes > 0) link.send(core, this.doneUs, ip, bytes, RIDE_ALONG);
  }

  /** The cable to the external volume and its system, if the mapping has them. */
  target(core: EngineState): { link: LinkRt | undefined; extSystem: string | undefined } {
    const backing = this.backing;
    const extLu = core.stack.lus.get(backing.luId);
    const link = extLu ? core.wiring.linksByPort.get(backing.initiatorPortId)?.find((l) => l.otherEnd(backing.initiatorPortId) === extLu.portId) : undefined;
    const extSystem = extLu ? core.wiring.ownerOf(extLu.portId) : undefined;
    return { link, extSystem };
  }

  /**
   * External destage without an event at the lane's completion: the transfer over CN5 is booked now to start when the
   * disk adapter is done, and one event at its answer releases the slots (or retries if the cable was cut or the
   * external system failed meanwhile). Not for a cable of a FIG. 13 switch group (its turns are taken in real order).
   */
  bookedAheadAt(core: EngineState, done: number): boolean {
    const { link, extSystem } = this.target(core);
    if (!link || link.switchGroup || !link.up || !extSystem || !core.systemUp(extSystem)) return false;
    const ip = this.backing.initiatorPortId;
    if (this.io) core.sched.post(done, STEP_LATER, { step: 'destage', elementId: ip, text: `${ip} writes ${this.real.id} in external system ${extSystem} over ${link.id}`, io: this.io, relatedIds: [link.id, this.real.id] });
    this.sendOn(core, done, link, extSystem, true);
    return true;
  }

  /** The disk adapter is done (a transfer not booked ahead): send over the cable now, or retry later if it cannot. */
  laneDone(core: EngineState): void {
    const { link, extSystem } = this.target(core);
    if (!link || !link.up || !extSystem || !core.systemUp(extSystem)) {
      this.cache.destaging--;
      // The dirty data stays in cache until the external volume is reachable again.
      core.sched.post(core.nowUs + DESTAGE_RETRY_US, DESTAGE_RETRY, this);
      return;
    }
    const ip = this.backing.initiatorPortId;
    if (this.io) core.step('destage', ip, `${ip} writes ${this.real.id} in external system ${extSystem} over ${link.id}`, this.io, [link.id, this.real.id]);
    this.sendOn(core, core.nowUs, link, extSystem, false);
  }

  private sendOn(core: EngineState, atUs: number, link: LinkRt, extSystem: string, bookedAhead: boolean): void {
    this.link = link;
    this.epoch = link.epoch;
    this.extSystem = extSystem;
    this.bookedAhead = bookedAhead;
    link.send(core, atUs, this.backing.initiatorPortId, this.length, this);
  }

  /** Its transfer is on the cable; the answer is back one hop after the data arrived. */
  sent(core: EngineState, arriveUs: number): void {
    this.arriveUs = arriveUs;
    core.sched.post(arriveUs + this.link!.oneWayUs, DESTAGE_ANSWERED, this);
  }
}

const DESTAGE_RETRY = defineEvent<EngineState, ExternalDestage>('destage-retry', (core, d) => d.attempt(core));
const DESTAGE_LANE_DONE = defineEvent<EngineState, ExternalDestage>('destage-lane-done', (core, d) => d.laneDone(core));

const DESTAGE_ANSWERED = defineEvent<EngineState, ExternalDestage>('destage-answered', (core, d) => {
  const link = d.link!;
  d.cache.destaging--;
  const lost = d.bookedAhead ? link.lostBefore(d.epoch, d.arriveUs + link.oneWayUs) || !core.systemUp(d.extSystem) : link.epoch !== d.epoch;
  if (lost) return void core.sched.post(core.nowUs + DESTAGE_RETRY_US, DESTAGE_RETRY, d);
  core.pendingDestages--;
  core.release(d.holds);
  if (d.joined) core.release(d.joined);
});
