// A cache's track slots as numbers: one typed-array record per slot, an open-addressing index by slot key, creation order as a linked list.

/** Fields of a slot record, each a Float64 in one stride of the record array (a slot is one 64-byte cache line). */
const KEY = 0;
const VERSION = 1;
const SINCE = 2;
const DIRTY = 3;
const DESTAGE_START = 4;
const DESTAGE_DONE = 5;
const TRACK = 6;
const VOLUME = 7;
const STRIDE = 8;

/**
 * The slots of one cache: what a Map of slot records was (key -> { volume, track, dirty, since, version, booked
 * destage }), as numbers. A write looks its slot up in every cache it crosses, and under random writes it opens a new
 * one each time, evicting a clean one: the Map's hash buckets, a record per slot and the record's fields were three
 * cache misses and an allocation per write per cache (a tenth of FIG. 12's CPU). Here:
 * - a slot is a stride of one Float64Array (key, version, since, dirty, destage start/done, track, volume index);
 * - the index is open addressing with linear probing over a Float64Array of (key, slot number + 1) entries (0: empty):
 *   a probe reads only the index, and a key not present (a random write's new track) never touches the records;
 *   deletes shift the run back (no tombstones);
 * - slots keep the order they were made in (a Map's iteration order: the live view samples the first ones), as a
 *   doubly linked list through two Int32Arrays; an evicted slot's number is taken by the slot that replaces it and
 *   moves to the end of that order, as a Map delete followed by a set does.
 * The booked destage's record (an object) is kept beside, in a plain array. Arrays grow by doubling as slots are
 * made, up to the cache's slot count.
 */
export class SlotTable {
  private rec = new Float64Array(16 * STRIDE);
  private records: unknown[] = new Array<unknown>(16).fill(null);
  private next = new Int32Array(16).fill(-1);
  private prev = new Int32Array(16).fill(-1);
  private head = -1;
  private tail = -1;
  /** Open addressing: entry h is (key, slot number + 1) at [2h, 2h + 1]; slot number 0 is empty. */
  private index = new Float64Array(64);
  private shift = 27;
  size = 0;

  /** The slot number of `key`, or -1. */
  find(key: number): number {
    const index = this.index;
    const mask = (index.length >> 1) - 1;
    for (let h = this.hash(key); ; h = (h + 1) & mask) {
      const at = index[2 * h + 1]!;
      if (at === 0) return -1;
      if (index[2 * h] === key) return at - 1;
    }
  }

  /** Makes a slot for a key not present (clean, version 0), at the end of the creation order; returns its number. */
  add(key: number, track: number, volume: number, sinceUs: number): number {
    if (this.size * STRIDE === this.rec.length) this.grow();
    const s = this.size++;
    this.place(s, key, track, volume, sinceUs);
    return s;
  }

  /** Evicts slot `s` and makes it the slot of `key` (clean, version 0), moved to the end of the creation order. */
  replace(s: number, key: number, track: number, volume: number, sinceUs: number): void {
    this.unindex(this.rec[s * STRIDE + KEY]!);
    // Unlink from the creation order.
    const p = this.prev[s]!;
    const n = this.next[s]!;
    if (p >= 0) this.next[p] = n;
    else this.head = n;
    if (n >= 0) this.prev[n] = p;
    else this.tail = p;
    this.place(s, key, track, volume, sinceUs);
  }

  private place(s: number, key: number, track: number, volume: number, sinceUs: number): void {
    const r = s * STRIDE;
    const rec = this.rec;
    rec[r + KEY] = key;
    rec[r + VERSION] = 0;
    rec[r + SINCE] = sinceUs;
    rec[r + DIRTY] = 0;
    rec[r + DESTAGE_START] = 0;
    rec[r + DESTAGE_DONE] = 0;
    rec[r + TRACK] = track;
    rec[r + VOLUME] = volume;
    this.records[s] = null;
    this.prev[s] = this.tail;
    this.next[s] = -1;
    if (this.tail >= 0) this.next[this.tail] = s;
    else this.head = s;
    this.tail = s;
    const index = this.index;
    const mask = (index.length >> 1) - 1;
    let h = this.hash(key);
    while (index[2 * h + 1] !== 0) h = (h + 1) & mask;
    index[2 * h] = key;
    index[2 * h + 1] = s + 1;
  }

  /** Takes `key` out of the index, shifting the rest of its probe run back (linear probing without tombstones). */
  private unindex(key: number): void {
    const index = this.index;
    const mask = (index.length >> 1) - 1;
    let h = this.hash(key);
    while (index[2 * h] !== key || index[2 * h + 1] === 0) h = (h + 1) & mask;
    let hole = h;
    for (let j = (hole + 1) & mask; index[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = this.hash(index[2 * j]!);
      // Entry j may move into the hole if its home is not cyclically within (hole, j].
      if (hole <= j ? home <= hole || home > j : home <= hole && home > j) {
        index[2 * hole] = index[2 * j]!;
        index[2 * hole + 1] = index[2 * j + 1]!;
        hole = j;
      }
    }
    index[2 * hole] = 0;
    index[2 * hole + 1] = 0;
  }

  private hash(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const slots = this.next.length * 2;
    const rec = new Float64Array(slots * STRIDE);
    rec.set(this.rec);
    this.rec = rec;
    const next = new Int32Array(slots).fill(-1);
    next.set(this.next);
    this.next = next;
    const prev = new Int32Array(slots).fill(-1);
    prev.set(this.prev);
    this.prev = prev;
    for (let i = this.records.length; i < slots; i++) this.records.push(null);
    // The index stays at most half full.
    this.index = new Float64Array(slots * 4);
    this.shift = 32 - Math.log2(slots * 2);
    const index = this.index;
    const mask = slots * 2 - 1;
    for (let s = 0; s < this.size; s++) {
      const key = this.rec[s * STRIDE + KEY]!;
      let h = this.hash(key);
      while (index[2 * h + 1] !== 0) h = (h + 1) & mask;
      index[2 * h] = key;
      index[2 * h + 1] = s + 1;
    }
  }

  key(s: number): number {
    return this.rec[s * STRIDE + KEY]!;
  }
  version(s: number): number {
    return this.rec[s * STRIDE + VERSION]!;
  }
  setVersion(s: number, version: number): void {
    this.rec[s * STRIDE + VERSION] = version;
  }
  sinceUs(s: number): number {
    return this.rec[s * STRIDE + SINCE]!;
  }
  setSinceUs(s: number, us: number): void {
    this.rec[s * STRIDE + SINCE] = us;
  }
  dirty(s: number): boolean {
    return this.rec[s * STRIDE + DIRTY] === 1;
  }
  setDirty(s: number, dirty: boolean): void {
    this.rec[s * STRIDE + DIRTY] = dirty ? 1 : 0;
  }
  track(s: number): number {
    return this.rec[s * STRIDE + TRACK]!;
  }
  volume(s: number): number {
    return this.rec[s * STRIDE + VOLUME]!;
  }
  destageStartUs(s: number): number {
    return this.rec[s * STRIDE + DESTAGE_START]!;
  }
  destageDoneUs(s: number): number {
    return this.rec[s * STRIDE + DESTAGE_DONE]!;
  }
  destageRecord(s: number): unknown {
    return this.records[s];
  }
  setDestage(s: number, startUs: number, doneUs: number, record: unknown): void {
    this.rec[s * STRIDE + DESTAGE_START] = startUs;
    this.rec[s * STRIDE + DESTAGE_DONE] = doneUs;
    this.records[s] = record;
  }

  /** Slot numbers in the order the slots were made (the order a Map of them iterated in). */
  *inOrder(): IterableIterator<number> {
    for (let s = this.head; s >= 0; s = this.next[s]!) yield s;
  }
}
