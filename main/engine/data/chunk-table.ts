// A Map-like table of a sparse volume's chunk buffers by chunk number, kept in pages of 64 chunks.
import type { StoredChunk } from './payload';
import { LazySortedIndex } from './sorted-index';

/** Chunks per page: 64 x 4 KiB = one 256 KiB track per page; a lone chunk costs one 64-slot array (~0.5 KiB). */
const PAGE_CHUNKS = 64;

/**
 * Pages a table looks up by index rather than by hash: a directory of at most 64 KiB (8,192 x 8 bytes, a volume up to
 * 2 GiB), made when the table takes its first page (an unwritten volume, and its checkpoint copies, hold none).
 */
const DENSE_PAGES = 8_192;

/**
 * Replaces a `Map<number, StoredChunk>` with one entry per 4 KiB chunk: a store of a busy run holds hundreds of
 * thousands of chunks, and every host write looked its chunk up and inserted it in that big map (hash, cache misses,
 * rehash copies as it grew). Here the map has one entry per page and the chunk is an array slot. Same operations,
 * same results; iteration is by page, in page creation order (callers that need ascending order sort or use the
 * volume's sorted index).
 */
export class ChunkTable {
  private readonly pages = new Map<number, (StoredChunk | undefined)[]>();
  /**
   * The same pages by page number in a plain array, for tables of at most DENSE_PAGES pages: a lookup is an index, not
   * a hash (FIG. 12's random writes look up four stores' pages each: 3-5% of their CPU). Empty until the first page,
   * and always for larger tables (a 64 TiB volume would need 2^28 entries), which look up in `pages`.
   */
  private dense: ((StoredChunk | undefined)[] | undefined)[] = [];

  /** `maxChunks`: the most chunks the table will hold (the volume's chunk count), which picks the dense lookup. */
  constructor(private readonly maxChunks = Infinity) {}

  /** Bytes of the page directory (for checkpoint size estimates). */
  get directoryBytes(): number {
    return this.dense.length * 8;
  }

  /** The directory, made at the first page of a table small enough for one. */
  private makeDirectory(): void {
    const pageCount = Math.ceil(this.maxChunks / PAGE_CHUNKS);
    if (pageCount > DENSE_PAGES) return;
    const dense = new Array<(StoredChunk | undefined)[] | undefined>(pageCount).fill(undefined);
    for (const [key, page] of this.pages) dense[key] = page;
    this.dense = dense;
  }

  /**
   * The page looked up last: a copy reads or writes a track's 64 chunks one after another, all in one page, and a
   * table too large for a directory (a 64 TiB volume) answered each with a hash lookup (~10 us per copied track,
   * half the cost of a 64 TiB resync). Forgotten when that page goes.
   */
  private lastKey = -1;
  private lastPage: (StoredChunk | undefined)[] | undefined = undefined;

  private page(key: number): (StoredChunk | undefined)[] | undefined {
    if (key === this.lastKey) return this.lastPage;
    const page = key < this.dense.length ? this.dense[key] : this.pages.get(key);
    if (page !== undefined) {
      this.lastKey = key;
      this.lastPage = page;
    }
    return page;
  }
  /**
   * Ascending page numbers, for in-order iteration and "next written chunk" queries: one entry per page, not per
   * chunk, so random writes insert into it only when they open a page (at most once per 64 chunks), not per chunk.
   */
  private pageIndex = new LazySortedIndex(this.pages);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(chunk: number): StoredChunk | undefined {
    const key = Math.floor(chunk / PAGE_CHUNKS);
    const page = this.page(key);
    return page === undefined ? undefined : page[chunk - key * PAGE_CHUNKS];
  }

  has(chunk: number): boolean {
    return this.get(chunk) !== undefined;
  }

  set(chunk: number, data: StoredChunk): void {
    this.swap(chunk, data);
  }

  /** Sets the chunk and returns the one it replaced (undefined when there was none): one lookup where get + set took two. */
  swap(chunk: number, data: StoredChunk): StoredChunk | undefined {
    const key = Math.floor(chunk / PAGE_CHUNKS);
    let page = this.page(key);
    if (page === undefined) {
      page = new Array<StoredChunk | undefined>(PAGE_CHUNKS).fill(undefined);
      this.pages.set(key, page);
      if (this.dense.length === 0) this.makeDirectory();
      if (key < this.dense.length) this.dense[key] = page;
      this.pageIndex.add(key);
    }
    // Not chunk % PAGE_CHUNKS: past 2^31 (a volume over 8 TiB) chunk numbers are doubles and % is a call to fmod,
    // which made a 64 TiB resync ~1.6x a 1 GiB one.
    const slot = chunk - key * PAGE_CHUNKS;
    const old = page[slot];
    if (old === undefined) this.count++;
    page[slot] = data;
    return old;
  }

  delete(chunk: number): boolean {
    const key = Math.floor(chunk / PAGE_CHUNKS);
    const page = this.page(key);
    if (page === undefined) return false;
    const slot = chunk - key * PAGE_CHUNKS;
    if (page[slot] === undefined) return false;
    page[slot] = undefined;
    this.count--;
    if (page.every((c) => c === undefined)) {
      this.pages.delete(key);
      if (key < this.dense.length) this.dense[key] = undefined;
      if (key === this.lastKey) {
        this.lastKey = -1;
        this.lastPage = undefined;
      }
      this.pageIndex.remove(key);
    }
    return true;
  }

  /** A copy holding the same buffers (page arrays copied, buffers shared): a checkpoint's cost is per page, not per chunk. */
  clone(): ChunkTable {
    const copy = new ChunkTable(this.maxChunks);
    for (const [key, page] of this.pages) copy.pages.set(key, page.slice());
    if (this.dense.length > 0) copy.makeDirectory();
    copy.pageIndex = this.pageIndex.cloneFor(copy.pages);
    copy.count = this.count;
    return copy;
  }

  /** Chunk numbers present from `fromChunk` on, ascending. Do not change the table while iterating. */
  *keysFrom(fromChunk: number): IterableIterator<number> {
    const firstPage = Math.floor(fromChunk / PAGE_CHUNKS);
    for (const key of this.pageIndex.from(firstPage)) {
      const page = this.pages.get(key)!;
      for (let slot = key === firstPage ? fromChunk - key * PAGE_CHUNKS : 0; slot < PAGE_CHUNKS; slot++) {
        if (page[slot] !== undefined) yield key * PAGE_CHUNKS + slot;
      }
    }
  }

  /** The first chunk number present at or after `fromChunk`, or undefined. */
  nextKey(fromChunk: number): number | undefined {
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

  /** [chunk, buffer] pairs, page by page. */
  *[Symbol.iterator](): IterableIterator<[number, StoredChunk]> {
    for (const [key, page] of this.pages) {
      for (let slot = 0; slot < PAGE_CHUNKS; slot++) {
        const data = page[slot];
        if (data !== undefined) yield [key * PAGE_CHUNKS + slot, data];
      }
    }
  }
}
