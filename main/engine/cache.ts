// A cache memory at run time: track slots, dirty/clean, LRU eviction of clean slots, waiters past the write-pending threshold, disk-adapter lanes and lazy destages.
import { invariant } from './sim';
import { doubleFields } from './data/double-fields';
import type { EngineState } from './state';
import { SlotTable } from './slot-table';
import { DueQueue, doubled } from './data/due-queue';
import type { CacheSlotView } from '../../app/engine/api';
import { cacheDirtyLimit, cacheSlots } from '../../app/model/cache-slots';

/** A writer waiting for a slot; woken with the engine state it runs in. */
export interface CacheWaiter {
  wake(core: EngineState): void;
  /** Whether it can take every slot it needs now (it is woken only then: a write holds none of its slots while it waits). */
  ready(nowUs: number): boolean;
}

/** Granule in which real volumes hold their bytes (see MappingStack). */
export const STORE_CHUNK_BYTES = 4096;

/** Disk adapters destaging in parallel per cache (a system has several DKAs). */
export const DESTAGE_LANES = 4;

/** Writes waiting for a free slot, beyond which the cache refuses (the host sees a failed write). */
export const MAX_CACHE_WAITERS = 100_000;

/** Volumes one cache can key slots for (the slot key is track x this + volume index). */
const SLOT_KEY_VOLUMES = 65536;

/** A cache memory: track-sized slots, dirty until destaged or handed down, clean slots evicted oldest first. */
export class CacheRt {
  readonly id: string;
  readonly systemId: string;
  readonly slotsTotal: number;
  readonly volumeIds: ReadonlySet<string>;
  /**
   * Slots by a numeric key (track x 2^16 + volume index), as numbers in typed arrays (see SlotTable): a write looks
   * slots up several times per cache.
   */
  private readonly table = new SlotTable();
  /**
   * Clean slots, oldest first (eviction order), as a queue of (key, version) with lazy removal: a slot that turns
   * dirty again (its version bumps) or is evicted leaves a stale entry that eviction skips. A Set's delete-first /
   * add-last churn cost ~1.2 us per write on a full cache (its iterator skips the holes deletes leave).
   */
  private cleanKeys = new Float64Array(64);
  private cleanVersions = new Float64Array(64);
  /** Entries [cleanHead, cleanLength) of the two arrays (typed: a plain array's elements kind changed as keys and
   * versions read from the slot table went in, and a second engine's fresh arrays threw the optimised code away). */
  private cleanLength = 0;
  private cleanHead = 0;
  /** Clean slots now (the live entries of the queue). */
  private cleanCount = 0;
  /** Small integer per volume id, for the slot keys. */
  private readonly volumeIndex = new Map<string, number>();
  /** Volume ids by that index. */
  private readonly volumeNames: string[] = [];
  /** The volume `key` was last asked for, and its index. */
  private lastVolumeId = '';
  private lastVolumeIndex = 0;
  dirtyCount = 0;
  /** Dirty slots allowed (the write-pending threshold): a write needing one more waits for a destage. */
  readonly dirtyLimit: number;
  /** Writers waiting for a free slot, in arrival order (records: see serve.ts StoreWait); enqueue and dequeue only. */
  readonly waiters: CacheWaiter[] = [];
  /** Slots freed during a wake whose first waiters are still to be woken (EngineState.wakeOne runs them after it). */
  wakesPending = 0;
  /** The slot keys of the tracks each waiter waits for (beside `waiters`: its first and how many), and how many wait for each key. */
  private readonly waiterKeys: number[] = [];
  private readonly waiterTracks: number[] = [];
  private readonly waitingFor = new Map<number, number>();
  /** Waiters for more than one track: while any waits, every writer queues behind (see isWaitedFor). */
  private multiTrackWaiters = 0;
  /** Each disk adapter lane destages one track at a time; a system has several (DESTAGE_LANES). */
  readonly destageLanes = new Float64Array(DESTAGE_LANES);
  destaging = 0;
  /** Tracks destaged with a destage of their own, and writes that joined one already booked (write hits), so far. */
  destagesBooked = 0;
  writeHits = 0;
  /**
   * Internal destages booked to complete later ("clean at t"): (time, slot key, slot version), taken in time order,
   * ties in booking order, and applied when the cache is next looked at. No event per destage; one only when a writer
   * waits (wakeAtUs).
   */
  private readonly cleanings = new DueQueue();
  /** The latest completion time booked so far (the cache is still destaging until then). */
  lastCleaningUs = 0;
  /** Time of the earliest wake event scheduled for waiters, if any. */
  wakeAtUs: number | undefined;

  constructor(
    id: string,
    systemId: string,
    sizeBytes: number,
    readonly trackBytes: number,
    volumeIds: string[],
    readonly writePendingThreshold = 1,
  ) {
    this.id = id;
    this.systemId = systemId;
    this.slotsTotal = cacheSlots(sizeBytes, trackBytes);
    this.dirtyLimit = cacheDirtyLimit(sizeBytes, trackBytes, writePendingThreshold);
    this.volumeIds = new Set(volumeIds);
    doubleFields(this, 'lastCleaningUs');
  }

  get slotsUsed(): number {
    return this.table.size;
  }

  /** Marks the track dirty, taking a slot if needed; returns the slot version, or -1 when the write-pending threshold is reached (or every slot is dirty). */
  store(volumeId: string, track: number, nowUs: number): number {
    this.observe(nowUs);
    const t = this.table;
    const key = this.key(volumeId, track);
    let s = t.find(key);
    // Write-pending throttling: a track not already dirty needs a dirty slot under the threshold.
    if ((s < 0 || !t.dirty(s)) && this.dirtyCount >= this.dirtyLimit) return -1;
    if (s < 0) {
      if (t.size >= this.slotsTotal) {
        const victim = this.oldestClean();
        if (victim < 0) return -1;
        this.cleanCount--;
        s = victim;
        t.replace(s, key, track, key % SLOT_KEY_VOLUMES, nowUs);
      } else s = t.add(key, track, key % SLOT_KEY_VOLUMES, nowUs);
    }
    if (!t.dirty(s)) {
      t.setDirty(s, true);
      this.dirtyCount++;
      // Was clean: its queue entry goes stale (the version bump below); a new slot had no entry.
      if (t.version(s) > 0) this.cleanCount--;
    }
    t.setSinceUs(s, nowUs);
    const version = t.version(s) + 1;
    t.setVersion(s, version);
    return version;
  }

  /** Whether the track has a slot (dirty or clean). */
  has(volumeId: string, track: number): boolean {
    return this.table.find(this.key(volumeId, track)) >= 0;
  }

  /** The slots in the order they were made (oldest first), as the live view shows them; at most `max`. */
  slotViews(max: number, nowUs: number): CacheSlotView[] {
    const t = this.table;
    const out: CacheSlotView[] = [];
    for (const s of t.inOrder()) {
      if (out.length >= max) break;
      out.push({ volumeId: this.volumeNames[t.volume(s)]!, track: t.track(s), dirty: t.dirty(s), ageUs: nowUs - t.sinceUs(s) });
    }
    return out;
  }

  private key(volumeId: string, track: number): number {
    // Most caches serve one or two volumes and a write asks several times in a row for the same one: the last answer
    // first (a string compare, no hash lookup).
    if (volumeId === this.lastVolumeId) return track * SLOT_KEY_VOLUMES + this.lastVolumeIndex;
    let index = this.volumeIndex.get(volumeId);
    if (index === undefined) {
      index = this.volumeIndex.size;
      invariant(index < SLOT_KEY_VOLUMES, this.id, `more than ${SLOT_KEY_VOLUMES} volumes in one cache`);
      this.volumeIndex.set(volumeId, index);
      this.volumeNames.push(volumeId);
    }
    this.lastVolumeId = volumeId;
    this.lastVolumeIndex = index;
    // Exact while track x 2^16 < 2^53, i.e. below 2^37 tracks (64 TiB of 512-byte tracks).
    return track * SLOT_KEY_VOLUMES + index;
  }

  /** Queues a writer waiting for slots for tracks track..lastTrack (one track unless given). */
  enqueue(w: CacheWaiter, volumeId: string, track: number, lastTrack = track): void {
    this.waiters.push(w);
    this.waiterKeys.push(this.key(volumeId, track));
    this.waiterTracks.push(lastTrack - track + 1);
    if (lastTrack > track) this.multiTrackWaiters++;
    for (let t = track; t <= lastTrack; t++) {
      const key = this.key(volumeId, t);
      this.waitingFor.set(key, (this.waitingFor.get(key) ?? 0) + 1);
    }
  }

  /** The first writer waiting (its turn has come), if any. */
  dequeue(): CacheWaiter | undefined {
    const w = this.waiters.shift();
    if (w === undefined) return undefined;
    const first = this.waiterKeys.shift()!;
    const tracks = this.waiterTracks.shift()!;
    if (tracks > 1) this.multiTrackWaiters--;
    for (let i = 0; i < tracks; i++) {
      const key = first + i * SLOT_KEY_VOLUMES;
      const n = this.waitingFor.get(key)! - 1;
      if (n > 0) this.waitingFor.set(key, n);
      else this.waitingFor.delete(key);
    }
    return w;
  }

  /** Whether the first writer waiting can take its slots now. */
  headReady(nowUs: number): boolean {
    const w = this.waiters[0];
    return w !== undefined && w.ready(nowUs);
  }

  /**
   * Whether tracks first..last can all be stored now: each one not dirty needs a dirty slot under the write-pending
   * threshold, each one without a slot a free or clean one (not one of its own). A write across tracks takes its slots
   * all at once or none: taking them one by one, writes holding some and waiting for more filled the dirty allowance
   * between them and nobody could go on (FIG. 1 with 6 KiB writes over 1 MiB caches: 0 events pending, 210 writes
   * waiting for ever; prop-long --straddle --load).
   */
  canStore(volumeId: string, first: number, last: number, nowUs: number): boolean {
    this.observe(nowUs);
    const { needDirty, newSlots, ownClean } = this.slotNeeds(volumeId, first, last);
    return this.dirtyCount + needDirty <= this.dirtyLimit && newSlots <= this.slotsTotal - this.table.size + (this.cleanCount - ownClean);
  }

  /**
   * Why tracks first..last can never be stored at once (more of them need a dirty slot than the cache lets be dirty,
   * or a new slot than it has), or undefined. Validation refuses workloads that would write so (write-exceeds-cache).
   */
  neverFits(volumeId: string, first: number, last: number): string | undefined {
    const { needDirty, newSlots } = this.slotNeeds(volumeId, first, last);
    if (needDirty <= this.dirtyLimit && newSlots <= this.slotsTotal) return undefined;
    return `a write to ${last - first + 1} tracks of ${volumeId} can never be stored in cache ${this.id}: it lets at most ${this.dirtyLimit} track(s) hold write-pending data (${this.slotsTotal} slots x the write-pending threshold ${this.writePendingThreshold})`;
  }

  /** What storing tracks first..last takes: dirty slots (tracks not dirty yet), new slots, and clean slots of its own. */
  private slotNeeds(volumeId: string, first: number, last: number): { needDirty: number; newSlots: number; ownClean: number } {
    const t = this.table;
    let needDirty = 0;
    let newSlots = 0;
    let ownClean = 0;
    for (let track = first; track <= last; track++) {
      const s = t.find(this.key(volumeId, track));
      if (s < 0) {
        needDirty++;
        newSlots++;
      } else if (!t.dirty(s)) {
        needDirty++;
        if (t.version(s) > 0) ownClean++;
      }
    }
    return { needDirty, newSlots, ownClean };
  }

  /** Stores tracks first..last (canStore said yes): those with a slot first, so taking a new one evicts none of them. */
  storeAll(volumeId: string, first: number, last: number, nowUs: number): number[] {
    const versions: number[] = [];
    for (let track = first; track <= last; track++) if (this.has(volumeId, track)) versions[track - first] = this.store(volumeId, track, nowUs);
    for (let track = first; track <= last; track++) if (versions[track - first] === undefined) versions[track - first] = this.store(volumeId, track, nowUs);
    invariant(versions.every((v) => v >= 0), this.id, `tracks ${first}-${last} of ${volumeId} could not all be stored`);
    return versions;
  }

  /**
   * Whether a writer waits for this track: a later write to it must queue behind, even when it could take the track
   * at once (once an earlier waiter made it dirty), else the two land in the other order. Writes to one track land in
   * the order they arrived (a journal restores in sequence order: FIG. 12's remote applied an older record's bytes
   * over a newer one's this way, and the pair said PAIR over different copies).
   */
  isWaitedFor(volumeId: string, track: number): boolean {
    // A freed slot promised to the first waiter (its wake is due once the wake running now returns) is not free to take.
    if (this.wakesPending > 0) return true;
    // A write across tracks waits for all its slots at once; writers behind it must not take them one at a time.
    if (this.multiTrackWaiters > 0) return true;
    return this.waitingFor.size > 0 && this.waitingFor.has(this.key(volumeId, track));
  }

  /** Marks the track clean if nothing newer was stored since `version`; true when that freed a slot (the caller wakes one waiter). */
  markClean(volumeId: string, track: number, version: number, nowUs: number): boolean {
    return this.cleanSlot(this.key(volumeId, track), version, nowUs);
  }

  /** Takes the oldest clean slot off the queue (skipping stale entries): its slot number, or -1 when none is clean. */
  private oldestClean(): number {
    const keys = this.cleanKeys;
    const versions = this.cleanVersions;
    const t = this.table;
    while (this.cleanHead < this.cleanLength) {
      const i = this.cleanHead++;
      const s = t.find(keys[i]!);
      if (s >= 0 && !t.dirty(s) && t.version(s) === versions[i]) {
        if (this.cleanHead > 1024 && this.cleanHead * 2 > this.cleanLength) this.compactClean();
        return s;
      }
    }
    return -1;
  }

  /** Drops the queue's stale entries and the consumed head. */
  private compactClean(): void {
    // In place: the live entries move to the front, in order.
    const keys = this.cleanKeys;
    const versions = this.cleanVersions;
    const t = this.table;
    let kept = 0;
    for (let i = this.cleanHead; i < this.cleanLength; i++) {
      const s = t.find(keys[i]!);
      if (s >= 0 && !t.dirty(s) && t.version(s) === versions[i]) {
        keys[kept] = keys[i]!;
        versions[kept] = versions[i]!;
        kept++;
      }
    }
    this.cleanLength = kept;
    this.cleanHead = 0;
  }

  private cleanSlot(key: number, version: number, atUs: number): boolean {
    const t = this.table;
    const s = t.find(key);
    if (s < 0 || !t.dirty(s) || t.version(s) !== version) return false;
    t.setDirty(s, false);
    t.setSinceUs(s, atUs);
    this.dirtyCount--;
    this.cleanCount++;
    if (this.cleanLength === this.cleanKeys.length) {
      this.cleanKeys = doubled(this.cleanKeys, 0, this.cleanLength);
      this.cleanVersions = doubled(this.cleanVersions, 0, this.cleanLength);
    }
    this.cleanKeys[this.cleanLength] = key;
    this.cleanVersions[this.cleanLength] = version;
    this.cleanLength++;
    // Compact when stale entries outnumber live ones, so the queue stays proportional to the clean slots.
    if (this.cleanLength - this.cleanHead > 2 * this.cleanCount + 64) this.compactClean();
    invariant(this.dirtyCount >= 0, this.id, 'negative dirty slot count');
    return true;
  }

  /** The track turns clean at `atUs` (a destage that needs no event), unless something newer is stored first. */
  cleanLater(volumeId: string, track: number, version: number, atUs: number): void {
    this.cleanings.push(atUs, this.key(volumeId, track), version);
    if (atUs > this.lastCleaningUs) this.lastCleaningUs = atUs;
  }

  /** Completion time of the earliest booked destage, if any. */
  nextCleaningUs(): number | undefined {
    const t = this.cleanings.nextUs;
    return t < Infinity ? t : undefined;
  }

  /** Applies every destage due by `nowUs`, in time order. */
  applyDue(nowUs: number): void {
    const q = this.cleanings;
    while (q.popDue(nowUs)) this.cleanSlot(q.poppedKey, q.poppedVersion, q.poppedAt);
  }

  /** Brings the slots up to `nowUs` before they are read or taken; not while writers wait (their wake event does it, so they keep their turn). */
  observe(nowUs: number): void {
    if (this.waiters.length === 0 && this.cleanings.nextUs <= nowUs) this.applyDue(nowUs);
  }

  /**
   * The destage booked for this dirty track that has not started yet (the disk adapters are still busy with earlier
   * work): its record (what it writes: the real volume, or an external destage), or undefined. A write-back cache
   * destages a slot's current contents: data written to a write-pending track before its destage starts goes with
   * that destage (a write hit), it does not need one of its own. Once the destage has started, newer data needs another.
   */
  pendingDestage(volumeId: string, track: number, nowUs: number): unknown {
    const t = this.table;
    const s = t.find(this.key(volumeId, track));
    return s >= 0 && t.dirty(s) && t.destageStartUs(s) > nowUs ? t.destageRecord(s) : undefined;
  }

  /** When the destage booked last for the track completes (0: none booked, or no slot). */
  destageDoneUs(volumeId: string, track: number): number {
    const t = this.table;
    const s = t.find(this.key(volumeId, track));
    return s >= 0 ? t.destageDoneUs(s) : 0;
  }

  /** Notes the destage booked for a track (its disk adapter busy from `startUs` to `doneUs`), for writes that join it. */
  noteDestage(volumeId: string, track: number, startUs: number, doneUs: number, record: unknown): void {
    const t = this.table;
    const s = t.find(this.key(volumeId, track));
    if (s >= 0) t.setDestage(s, startUs, doneUs, record);
  }

  /** Books `us` of destage work on the lane free first; returns when it completes. */
  bookDestage(nowUs: number, us: number): number {
    let lane = 0;
    for (let i = 1; i < this.destageLanes.length; i++) if (this.destageLanes[i]! < this.destageLanes[lane]!) lane = i;
    const done = Math.max(nowUs, this.destageLanes[lane]!) + us;
    this.destageLanes[lane] = done;
    return done;
  }

  hasFree(): boolean {
    return this.dirtyCount < this.dirtyLimit && (this.table.size < this.slotsTotal || this.cleanCount > 0);
  }
}

/** A piece of a volume's address space resolved down to the bytes of one internal real volume. */
