// A Map-like table of a sparse volume's chunk buffers by chunk number, kept in pages of 64 chunks.
import type { StoredChunk } from './payload';

/** Chunks per page: 64 x 4 KiB = one 256 KiB track per page; a lone chunk costs one 64-slot array (~0.5 KiB). */
const PAGE_CHUNKS = 64;

/**
 * Replaces a `Map<number, StoredChunk>` with one entry per 4 KiB chunk: a store of a busy run holds hundreds of
 * thousands of chunks, and every host write looked its chunk up and inserted it in that big map (hash, cache misses,
 * rehash copies as it grew). Here the map has one entry per page and the chunk is an array slot. Same operations,
 * same results; iteration is by page, in page creation order (callers that need ascending order sort or use the
 * volume's sorted index).
 */
export class ChunkTable {
  private readonly pages = new Map<number, (StoredChunk | undefined)[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(chunk: number): StoredChunk | undefined {
    const page = this.pages.get(Math.floor(chunk / PAGE_CHUNKS));
    return page === undefined ? undefined : page[chunk % PAGE_CHUNKS];
  }

  has(chunk: number): boolean {
    return this.get(chunk) !== undefined;
  }

  set(chunk: number, data: StoredChunk): void {
    const key = Math.floor(chunk / PAGE_CHUNKS);
    let page = this.pages.get(key);
    if (page === undefined) {
      page = new Array<StoredChunk | undefined>(PAGE_CHUNKS).fill(undefined);
      this.pages.set(key, page);
    }
    const slot = chunk % PAGE_CHUNKS;
    if (page[slot] === undefined) this.count++;
    page[slot] = data;
  }

  delete(chunk: number): boolean {
    const key = Math.floor(chunk / PAGE_CHUNKS);
    const page = this.pages.get(key);
    if (page === undefined) return false;
    const slot = chunk % PAGE_CHUNKS;
    if (page[slot] === undefined) return false;
    page[slot] = undefined;
    this.count--;
    if (page.every((c) => c === undefined)) this.pages.delete(key);
    return true;
  }

  /** A copy holding the same buffers (page arrays copied, buffers shared): a checkpoint's cost is per page, not per chunk. */
  clone(): ChunkTable {
    const copy = new ChunkTable();
    for (const [key, page] of this.pages) copy.pages.set(key, page.slice());
    copy.count = this.count;
    return copy;
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
