// A Map-like table of a sparse volume's chunk buffers by chunk number: a flat typed array of codes for volumes up to 2 GiB, pages of 64 chunks beyond.
import { GeneratedBytes, type StoredChunk } from './payload';
import { LazySortedIndex } from './sorted-index';

/** Chunks per page: 64 x 4 KiB = one 256 KiB track per page; a lone chunk costs one 64-slot array (~0.5 KiB). */
const PAGE_CHUNKS = 64;
/** A page's memory: its 64 slots of 8 bytes and the array's headers. */
const PAGE_BYTES = PAGE_CHUNKS * 8 + 32;

/**
 * Tables of at most this many chunks (a volume up to 2 GiB of 4 KiB chunks) keep one code per chunk in an Int32Array
 * (at most 2 MiB, made at the first write; an unwritten volume and its checkpoint copies hold none).
 */
const FLAT_CHUNKS = 524_288;

/**
 * Replaces a `Map<number, StoredChunk>` with one entry per 4 KiB chunk: a store of a busy run holds hundreds of
 * thousands of chunks, and every host write looked its chunk up and inserted it in that big map (hash, cache misses,
 * rehash copies as it grew). Same operations, same results; iteration is ascending in a flat table and by page, in page
 * creation order, in a paged one (callers that need ascending order use keysFrom).
 *
 * Flat (volumes up to 2 GiB): a chunk's code in `codes` is 0 (none), odd (a whole generated stream of one chunk's
 * length: its seed, which the workload's generator always makes odd) or 2 (i + 1) (any other chunk, held in
 * `objects[i]`). FIG. 12's random writes store each workload chunk into four volumes: as objects in pages that cost two
 * cache misses each (the page array and its elements), a write barrier, and a slot the garbage collector revisits when
 * it moves the young chunk (CPU per write 12.2 us; without the stores' writes at all, 8.5). A code is one 4-byte store
 * into one array (8 bytes gave 10.2 us: four 1 GiB volumes' codes then filled twice the 4 MiB second-level cache).
 * Paged (larger, a 64 TiB volume would need 2^34 codes): a Map of 64-chunk pages.
 */
export class ChunkTable {
  private readonly flat: boolean;
  private codes: Int32Array | undefined = undefined;
  private objects: (StoredChunk | undefined)[] = [];
  private freeObjects: number[] = [];
  /** Chunks present per page of a flat table: iteration skips empty pages. */
  private pageCounts: Uint8Array | undefined = undefined;
  /** The flat arrays are shared with a clone (a checkpoint): copied before this table changes them. */
  private shared = false;

  private readonly pages = new Map<number, (StoredChunk | undefined)[]>();
  /**
   * The page looked up last: a copy reads or writes a track's 64 chunks one after another, all in one page, and a
   * table too large to be flat (a 64 TiB volume) answered each with a hash lookup (~10 us per copied track, half the
   * cost of a 64 TiB resync). Forgotten when that page goes.
   */
  private lastKey = -1;
  private lastPage: (StoredChunk | undefined)[] | undefined = undefined;
  /**
   * A paged table's ascending page numbers, for in-order iteration and "next written chunk" queries: one entry per
   * page, not per chunk, so random writes insert into it only when they open a page.
   */
  private pageIndex = new LazySortedIndex(this.pages);
  private count = 0;

  /**
   * `maxChunks`: the most chunks the table will hold (the volume's chunk count), which picks flat or paged;
   * `chunkBytes`: a chunk's length (a generated stream of that length is kept as its seed).
   */
  constructor(
    private readonly maxChunks = Infinity,
    private readonly chunkBytes = 4096,
  ) {
    this.flat = maxChunks <= FLAT_CHUNKS;
  }

  /**
   * Bytes of the table's own arrays (not the chunks: those are shared), what a checkpoint's copy of it holds once the
   * live table changes: a flat table's codes, objects and page counts; a paged table's pages.
   */
  get tableBytes(): number {
    if (this.flat) return this.codes ? this.codes.byteLength + this.objects.length * 8 + this.pageCounts!.length : 0;
    return this.pages.size * PAGE_BYTES;
  }

  get size(): number {
    return this.count;
  }

  get(chunk: number): StoredChunk | undefined {
    if (this.flat) {
      const code = this.codes === undefined ? 0 : (this.codes[chunk] ?? 0);
      if (code === 0) return undefined;
      return (code & 1) === 1 ? new GeneratedBytes(code, this.chunkBytes) : this.objects[(code >> 1) - 1];
    }
    const key = Math.floor(chunk / PAGE_CHUNKS);
    const page = this.page(key);
    return page === undefined ? undefined : page[chunk - key * PAGE_CHUNKS];
  }

  has(chunk: number): boolean {
    if (this.flat) return this.codes !== undefined && (this.codes[chunk] ?? 0) !== 0;
    return this.get(chunk) !== undefined;
  }

  set(chunk: number, data: StoredChunk): void {
    this.put(chunk, data);
  }

  /** Sets the chunk; true when the table held none there (one lookup where has + set took two). */
  put(chunk: number, data: StoredChunk): boolean {
    if (!this.flat) return this.putPaged(chunk, data);
    const codes = this.writableCodes();
    const old = codes[chunk]!;
    if (old !== 0 && (old & 1) === 0) this.freeObject((old >> 1) - 1);
    codes[chunk] = this.isSeedOnly(data) ? data.seed : (this.holdObject(data) + 1) * 2;
    if (old !== 0) return false;
    this.count++;
    const counts = this.pageCounts!;
    const key = Math.floor(chunk / PAGE_CHUNKS);
    counts[key] = counts[key]! + 1;
    return true;
  }

  delete(chunk: number): boolean {
    if (!this.flat) return this.deletePaged(chunk);
    if (this.codes === undefined || this.codes[chunk] === 0) return false;
    const codes = this.writableCodes();
    const old = codes[chunk]!;
    if ((old & 1) === 0) this.freeObject((old >> 1) - 1);
    codes[chunk] = 0;
    this.count--;
    const counts = this.pageCounts!;
    const key = Math.floor(chunk / PAGE_CHUNKS);
    counts[key] = counts[key]! - 1;
    return true;
  }

  /** A copy holding the same buffers: a flat table's arrays are shared until either side changes (copy-on-write), a paged one's page arrays copied. */
  clone(): ChunkTable {
    const copy = new ChunkTable(this.maxChunks, this.chunkBytes);
    copy.count = this.count;
    if (this.flat) {
      if (this.codes === undefined) return copy;
      copy.codes = this.codes;
      copy.objects = this.objects;
      copy.freeObjects = this.freeObjects;
      copy.pageCounts = this.pageCounts;
      this.shared = copy.shared = true;
      return copy;
    }
    for (const [key, page] of this.pages) copy.pages.set(key, page.slice());
    copy.pageIndex = this.pageIndex.cloneFor(copy.pages);
    return copy;
  }

  /** Chunk numbers present from `fromChunk` on, ascending. Do not change the table while iterating. */
  *keysFrom(fromChunk: number): IterableIterator<number> {
    const firstPage = Math.floor(fromChunk / PAGE_CHUNKS);
    if (this.flat) {
      for (let c = this.nextKey(fromChunk); c !== undefined; c = this.nextKey(c + 1)) yield c;
      return;
    }
    for (const key of this.pageIndex.from(firstPage)) {
      const page = this.pages.get(key)!;
      for (let slot = key === firstPage ? fromChunk - key * PAGE_CHUNKS : 0; slot < PAGE_CHUNKS; slot++) {
        if (page[slot] !== undefined) yield key * PAGE_CHUNKS + slot;
      }
    }
  }

  /** The first chunk number present at or after `fromChunk`, or undefined. */
  nextKey(fromChunk: number): number | undefined {
    if (this.flat) {
      const { codes, pageCounts } = this;
      if (codes === undefined) return undefined;
      for (let key = Math.floor(fromChunk / PAGE_CHUNKS); key < pageCounts!.length; key++) {
        if (pageCounts![key] === 0) continue;
        const end = Math.min(codes.length, (key + 1) * PAGE_CHUNKS);
        for (let c = Math.max(fromChunk, key * PAGE_CHUNKS); c < end; c++) if (codes[c] !== 0) return c;
      }
      return undefined;
    }
    let key = this.pageIndex.next(Math.floor(fromChunk / PAGE_CHUNKS));
    let slot = key === undefined ? 0 : Math.max(0, fromChunk - key * PAGE_CHUNKS);
    while (key !== undefined) {
      const page = this.pages.get(key)!;
      for (; slot < PAGE_CHUNKS; slot++) if (page[slot] !== undefined) return key * PAGE_CHUNKS + slot;
      key = this.pageIndex.next(key + 1);
      slot = 0;
    }
    return undefined;
  }

  /** [chunk, buffer] pairs: ascending in a flat table, page by page in a paged one. */
  *[Symbol.iterator](): IterableIterator<[number, StoredChunk]> {
    if (this.flat) {
      for (const chunk of this.keysFrom(0)) yield [chunk, this.get(chunk)!];
      return;
    }
    for (const [key, page] of this.pages) {
      for (let slot = 0; slot < PAGE_CHUNKS; slot++) {
        const data = page[slot];
        if (data !== undefined) yield [key * PAGE_CHUNKS + slot, data];
      }
    }
  }

  // ---------------------------------------------------------------- flat

  /** A whole generated stream of one chunk with an odd seed (every workload payload): kept as its seed. */
  private isSeedOnly(data: StoredChunk): data is GeneratedBytes {
    return data instanceof GeneratedBytes && data.wholeStream && data.streamLength === this.chunkBytes && (data.seed & 1) === 1 && (data.seed | 0) === data.seed;
  }

  /** The codes, made at the first write and copied first if a clone shares them. */
  private writableCodes(): Int32Array {
    if (this.codes === undefined) {
      this.codes = new Int32Array(this.maxChunks);
      this.pageCounts = new Uint8Array(Math.ceil(this.maxChunks / PAGE_CHUNKS));
    } else if (this.shared) {
      this.codes = this.codes.slice();
      this.objects = this.objects.slice();
      this.freeObjects = this.freeObjects.slice();
      this.pageCounts = this.pageCounts!.slice();
      this.shared = false;
    }
    return this.codes;
  }

  private holdObject(data: StoredChunk): number {
    const i = this.freeObjects.pop();
    if (i === undefined) return this.objects.push(data) - 1;
    this.objects[i] = data;
    return i;
  }

  private freeObject(i: number): void {
    this.objects[i] = undefined;
    this.freeObjects.push(i);
  }

  // ---------------------------------------------------------------- paged

  private page(key: number): (StoredChunk | undefined)[] | undefined {
    if (key === this.lastKey) return this.lastPage;
    const page = this.pages.get(key);
    if (page !== undefined) {
      this.lastKey = key;
      this.lastPage = page;
    }
    return page;
  }

  private putPaged(chunk: number, data: StoredChunk): boolean {
    const key = Math.floor(chunk / PAGE_CHUNKS);
    let page = this.page(key);
    if (page === undefined) {
      page = new Array<StoredChunk | undefined>(PAGE_CHUNKS).fill(undefined);
      this.pages.set(key, page);
      this.pageIndex.add(key);
    }
    // Not chunk % PAGE_CHUNKS: past 2^31 (a volume over 8 TiB) chunk numbers are doubles and % is a call to fmod,
    // which made a 64 TiB resync ~1.6x a 1 GiB one.
    const slot = chunk - key * PAGE_CHUNKS;
    const fresh = page[slot] === undefined;
    if (fresh) this.count++;
    page[slot] = data;
    return fresh;
  }

  private deletePaged(chunk: number): boolean {
    const key = Math.floor(chunk / PAGE_CHUNKS);
    const page = this.page(key);
    if (page === undefined) return false;
    const slot = chunk - key * PAGE_CHUNKS;
    if (page[slot] === undefined) return false;
    page[slot] = undefined;
    this.count--;
    if (page.every((c) => c === undefined)) {
      this.pages.delete(key);
      if (key === this.lastKey) {
        this.lastKey = -1;
        this.lastPage = undefined;
      }
      this.pageIndex.remove(key);
    }
    return true;
  }
}
