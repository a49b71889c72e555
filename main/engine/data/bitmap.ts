// Differential bitmap: one bit per track of a pair's volume, sparse so a 64 TiB volume costs memory only for what is set.
import { DataStructureError, assertNonNegativeInteger } from './errors';
import { LazySortedIndex } from './sorted-index';

const CHUNK_SHIFT = 12;
/** Tracks per explicit chunk (4096 bits = 128 words = 512 bytes). */
const CHUNK_BITS = 1 << CHUNK_SHIFT;
const CHUNK_WORDS = CHUNK_BITS >>> 5;
/** setRange of at least this many tracks is stored as a run (two numbers) instead of bits. */
const DEFAULT_RUN_THRESHOLD = 256;

interface Chunk {
  words: Uint32Array;
  count: number;
}

export interface DifferentialBitmapOptions {
  /** Ranges at least this long are kept as runs rather than bits (tests lower it to exercise both). */
  runThreshold?: number;
  id?: string;
}

/**
 * Set tracks are held in two disjoint parts: explicit bits in 4096-track chunks (allocated only where a
 * bit is set) and a sorted list of half-open runs [start, end) for bulk ranges. setAll is one run, so
 * the initial copy of a 268M-track volume starts with O(1) memory; count is maintained, so progress
 * never needs a scan. A track is set iff its bit is set or a run covers it; the parts never overlap.
 */
export class DifferentialBitmap implements Iterable<number> {
  readonly trackCount: number;
  readonly id: string | undefined;
  private readonly runThreshold: number;
  private readonly chunks = new Map<number, Chunk>();
  /** Ascending indices of allocated chunks, for in-order scans. */
  private chunkIndex = new LazySortedIndex(this.chunks);
  private runStarts: number[] = [];
  private runEnds: number[] = [];
  private explicitCount = 0;
  private runCount = 0;
  /** No track below this is set: lets takeNext skip the already-copied prefix. */
  private lowHint = 0;

  constructor(trackCount: number, options: DifferentialBitmapOptions = {}) {
    this.id = options.id;
    assertNonNegativeInteger(trackCount, 'trackCount', this.id);
    this.trackCount = trackCount;
    this.runThreshold = Math.max(1, options.runThreshold ?? DEFAULT_RUN_THRESHOLD);
  }

  /** Number of set tracks, O(1). */
  get count(): number {
    return this.explicitCount + this.runCount;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** Memory shape, for tests and diagnostics: allocated 512-byte chunks and runs held. */
  get footprint(): { chunks: number; runs: number } {
    return { chunks: this.chunks.size, runs: this.runStarts.length };
  }

  has(track: number): boolean {
    if (!Number.isInteger(track) || track < 0 || track >= this.trackCount) return false;
    return this.hasBit(track) || this.runIndexContaining(track) >= 0;
  }

  /** Set one track; true when it was not set before. */
  set(track: number): boolean {
    this.checkTrack(track);
    if (this.has(track)) return false;
    this.setBit(track);
    if (track < this.lowHint) this.lowHint = track;
    return true;
  }

  /** Set tracks [start, end). Returns how many became set. */
  setRange(start: number, end: number): number {
    this.checkRange(start, end);
    if (start === end) return 0;
    const before = this.count;
    if (end - start >= this.runThreshold) {
      this.addRun(start, end);
    } else {
      for (let track = start; track < end; track++) if (!this.has(track)) this.setBit(track);
    }
    if (start < this.lowHint) this.lowHint = start;
    return this.count - before;
  }

  /** Set every track: O(1) memory (one run). Used when a pair is created (initial copy). */
  setAll(): void {
    this.chunks.clear();
    this.chunkIndex.clear();
    this.explicitCount = 0;
    this.runStarts = this.trackCount > 0 ? [0] : [];
    this.runEnds = this.trackCount > 0 ? [this.trackCount] : [];
    this.runCount = this.trackCount;
    this.lowHint = 0;
  }

  /** Clear one track; true when it was set. */
  clear(track: number): boolean {
    if (!Number.isInteger(track) || track < 0 || track >= this.trackCount) return false;
    if (this.clearBit(track)) return true;
    return this.cutRuns(track, track + 1) > 0;
  }

  /** Clear tracks [start, end). Returns how many were set (the progress a copy of that span makes). */
  clearRange(start: number, end: number): number {
    this.checkRange(start, end);
    if (start === end) return 0;
    return this.clearExplicitRange(start, end) + this.cutRuns(start, end);
  }

  clearAll(): void {
    this.chunks.clear();
    this.chunkIndex.clear();
    this.runStarts = [];
    this.runEnds = [];
    this.explicitCount = 0;
    this.runCount = 0;
    this.lowHint = 0;
  }

  /** How many tracks in [start, end) are set, without visiting them one by one. */
  countRange(start: number, end: number): number {
    this.checkRange(start, end);
    let total = 0;
    this.forEachChunkIn(start, end, (chunk, lo, hi) => {
      total += countWordsRange(chunk.words, lo, hi);
    });
    for (let i = this.firstRunEndingAfter(start); i < this.runStarts.length && this.runStarts[i]! < end; i++) {
      total += Math.min(end, this.runEnds[i]!) - Math.max(start, this.runStarts[i]!);
    }
    return total;
  }

  /** The first set track >= fromTrack, or undefined. */
  nextSet(fromTrack = 0): number | undefined {
    const from = Math.max(0, Math.ceil(fromTrack));
    if (from >= this.trackCount) return undefined;
    const explicit = this.nextExplicit(from);
    const runIndex = this.firstRunEndingAfter(from);
    const run = runIndex < this.runStarts.length ? Math.max(from, this.runStarts[runIndex]!) : undefined;
    if (explicit === undefined) return run;
    if (run === undefined) return explicit;
    return Math.min(explicit, run);
  }

  /** Take (clear and return) the lowest set track: one step of the copy loop. */
  takeNext(): number | undefined {
    const track = this.nextSet(this.lowHint);
    if (track === undefined) {
      this.lowHint = this.trackCount;
      return undefined;
    }
    this.clear(track);
    this.lowHint = track + 1;
    return track;
  }

  /** Set tracks in ascending order. Visits every set track: after setAll on a huge volume use nextSet / the copy plan. */
  *tracks(fromTrack = 0): IterableIterator<number> {
    let track = this.nextSet(fromTrack);
    while (track !== undefined) {
      yield track;
      track = this.nextSet(track + 1);
    }
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.tracks();
  }

  /** Set tracks among `written` (ascending track numbers, e.g. SparseVolume.writtenTracks()): cost follows `written`, not the bitmap. */
  *setAmong(written: Iterable<number>): IterableIterator<number> {
    for (const track of written) if (this.has(track)) yield track;
  }

  /** Add every track set in `other` (resync copies the union of the primary's and the secondary's bitmaps). */
  union(other: DifferentialBitmap): void {
    if (other.trackCount > this.trackCount) {
      throw new DataStructureError('INVALID_ARGUMENT', `cannot merge a bitmap of ${other.trackCount} tracks into one of ${this.trackCount}`, this.id);
    }
    for (let i = 0; i < other.runStarts.length; i++) this.setRange(other.runStarts[i]!, other.runEnds[i]!);
    for (const index of other.chunkIndex.between(0, Number.MAX_SAFE_INTEGER)) {
      const chunk = other.chunks.get(index)!;
      const base = index * CHUNK_BITS;
      for (let w = 0; w < CHUNK_WORDS; w++) {
        let word = chunk.words[w]!;
        while (word !== 0) {
          const bit = 31 - Math.clz32(word & -word);
          word = (word & (word - 1)) >>> 0;
          this.set(base + w * 32 + bit);
        }
      }
    }
  }

  clone(): DifferentialBitmap {
    const copy = new DifferentialBitmap(this.trackCount, { runThreshold: this.runThreshold, id: this.id });
    for (const [index, chunk] of this.chunks) copy.chunks.set(index, { words: chunk.words.slice(), count: chunk.count });
    copy.chunkIndex = this.chunkIndex.cloneFor(copy.chunks);
    copy.runStarts = [...this.runStarts];
    copy.runEnds = [...this.runEnds];
    copy.explicitCount = this.explicitCount;
    copy.runCount = this.runCount;
    copy.lowHint = this.lowHint;
    return copy;
  }

  // ---- explicit bits ----

  private hasBit(track: number): boolean {
    const index = Math.floor(track / CHUNK_BITS);
    const chunk = this.chunks.get(index);
    if (!chunk) return false;
    const local = track - index * CHUNK_BITS;
    return (chunk.words[local >>> 5]! & (1 << (local & 31))) !== 0;
  }

  private setBit(track: number): void {
    const index = Math.floor(track / CHUNK_BITS);
    let chunk = this.chunks.get(index);
    if (!chunk) {
      chunk = { words: new Uint32Array(CHUNK_WORDS), count: 0 };
      this.chunks.set(index, chunk);
      this.chunkIndex.add(index);
    }
    const local = track - index * CHUNK_BITS;
    chunk.words[local >>> 5]! |= 1 << (local & 31);
    chunk.count++;
    this.explicitCount++;
  }

  private clearBit(track: number): boolean {
    const index = Math.floor(track / CHUNK_BITS);
    const chunk = this.chunks.get(index);
    if (!chunk) return false;
    const local = track - index * CHUNK_BITS;
    const mask = 1 << (local & 31);
    const word = chunk.words[local >>> 5]!;
    if ((word & mask) === 0) return false;
    chunk.words[local >>> 5] = word & ~mask;
    chunk.count--;
    this.explicitCount--;
    if (chunk.count === 0) this.dropChunk(index);
    return true;
  }

  private clearExplicitRange(start: number, end: number): number {
    let removed = 0;
    const emptied: number[] = [];
    this.forEachChunkIn(start, end, (chunk, lo, hi, index) => {
      const cleared = clearWordsRange(chunk.words, lo, hi);
      chunk.count -= cleared;
      removed += cleared;
      if (chunk.count === 0) emptied.push(index);
    });
    for (const index of emptied) this.dropChunk(index);
    this.explicitCount -= removed;
    return removed;
  }

  private dropChunk(index: number): void {
    this.chunks.delete(index);
    this.chunkIndex.remove(index);
  }

  /** Calls fn for every allocated chunk overlapping [start, end) with the chunk-local half-open bit range. */
  private forEachChunkIn(start: number, end: number, fn: (chunk: Chunk, lo: number, hi: number, index: number) => void): void {
    if (start >= end || this.chunks.size === 0) return;
    const firstIndex = Math.floor(start / CHUNK_BITS);
    const lastIndex = Math.floor((end - 1) / CHUNK_BITS);
    // A snapshot array: fn may empty a chunk, and the caller drops it afterwards.
    for (const index of this.chunkIndex.between(firstIndex, lastIndex)) {
      const base = index * CHUNK_BITS;
      fn(this.chunks.get(index)!, Math.max(start, base) - base, Math.min(end, base + CHUNK_BITS) - base, index);
    }
  }

  private nextExplicit(from: number): number | undefined {
    if (this.chunks.size === 0) return undefined;
    for (const index of this.chunkIndex.from(Math.floor(from / CHUNK_BITS))) {
      const base = index * CHUNK_BITS;
      const local = nextBitInWords(this.chunks.get(index)!.words, Math.max(0, from - base));
      if (local !== undefined) return base + local;
    }
    return undefined;
  }

  // ---- runs ----

  /** Index of the first run whose end is > track (runs are disjoint and ascending, so ends are too). */
  private firstRunEndingAfter(track: number): number {
    let lo = 0;
    let hi = this.runEnds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runEnds[mid]! <= track) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private runIndexContaining(track: number): number {
    const i = this.firstRunEndingAfter(track);
    return i < this.runStarts.length && this.runStarts[i]! <= track ? i : -1;
  }

  private addRun(start: number, end: number): void {
    this.clearExplicitRange(start, end);
    // Runs touching or overlapping [start, end] merge into one.
    const first = this.firstRunEndingAfter(start - 1);
    let last = first;
    let newStart = start;
    let newEnd = end;
    let removedLength = 0;
    while (last < this.runStarts.length && this.runStarts[last]! <= end) {
      newStart = Math.min(newStart, this.runStarts[last]!);
      newEnd = Math.max(newEnd, this.runEnds[last]!);
      removedLength += this.runEnds[last]! - this.runStarts[last]!;
      last++;
    }
    this.runStarts.splice(first, last - first, newStart);
    this.runEnds.splice(first, last - first, newEnd);
    this.runCount += newEnd - newStart - removedLength;
  }

  /** Remove [start, end) from the runs; returns how many tracks were removed. */
  private cutRuns(start: number, end: number): number {
    const first = this.firstRunEndingAfter(start);
    let last = first;
    const starts: number[] = [];
    const ends: number[] = [];
    let removed = 0;
    while (last < this.runStarts.length && this.runStarts[last]! < end) {
      const runStart = this.runStarts[last]!;
      const runEnd = this.runEnds[last]!;
      removed += Math.min(end, runEnd) - Math.max(start, runStart);
      if (runStart < start) {
        starts.push(runStart);
        ends.push(start);
      }
      if (runEnd > end) {
        starts.push(end);
        ends.push(runEnd);
      }
      last++;
    }
    if (last > first) {
      this.runStarts.splice(first, last - first, ...starts);
      this.runEnds.splice(first, last - first, ...ends);
      this.runCount -= removed;
    }
    return removed;
  }

  private checkTrack(track: number): void {
    if (!Number.isSafeInteger(track) || track < 0 || track >= this.trackCount) {
      throw new DataStructureError('VOLUME_RANGE', `track ${track} is outside the bitmap (${this.trackCount} tracks)`, this.id);
    }
  }

  private checkRange(start: number, end: number): void {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > this.trackCount) {
      throw new DataStructureError('VOLUME_RANGE', `track range [${start}, ${end}) is outside the bitmap (${this.trackCount} tracks)`, this.id);
    }
  }
}

/** Mask of bits lo..hi-1 of one word (0 <= lo < hi <= 32). */
function wordMask(lo: number, hi: number): number {
  const width = hi - lo;
  return width >= 32 ? 0xffffffff : (((1 << width) - 1) << lo) >>> 0;
}

function popcount(x: number): number {
  let v = x >>> 0;
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Visit each word touched by local bit range [lo, hi) with the mask of the bits inside the range. */
function forEachWordMask(lo: number, hi: number, fn: (word: number, mask: number) => void): void {
  for (let w = lo >>> 5; w <= (hi - 1) >>> 5; w++) {
    const base = w * 32;
    fn(w, wordMask(Math.max(lo, base) - base, Math.min(hi, base + 32) - base));
  }
}

function countWordsRange(words: Uint32Array, lo: number, hi: number): number {
  let total = 0;
  forEachWordMask(lo, hi, (w, mask) => {
    total += popcount(words[w]! & mask);
  });
  return total;
}

function clearWordsRange(words: Uint32Array, lo: number, hi: number): number {
  let total = 0;
  forEachWordMask(lo, hi, (w, mask) => {
    const word = words[w]!;
    total += popcount(word & mask);
    words[w] = word & ~mask;
  });
  return total;
}

function nextBitInWords(words: Uint32Array, fromLocal: number): number | undefined {
  for (let w = fromLocal >>> 5; w < words.length; w++) {
    let word = words[w]!;
    if (w === fromLocal >>> 5) word = (word & (0xffffffff << (fromLocal & 31))) >>> 0;
    if (word !== 0) return w * 32 + (31 - Math.clz32(word & -word));
  }
  return undefined;
}
