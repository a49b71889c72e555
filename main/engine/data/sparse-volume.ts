// A volume's real bytes held sparsely in track-sized chunks, with a content hash that is cheap for sparse volumes.
import { DataStructureError, assertNonNegativeInteger } from './errors';
import { BlockHashWriter, HASH_BLOCK_BYTES, blockScratch, chunkIdentity, pureSha256, sharedDigests, type BlockSignature, type Sha256 } from './content-hash';
import { ChunkTable } from './chunk-table';
import { ChunkedBytes, GeneratedBytes, isAllZero, payloadBytes, copyPayloadInto, storedChunk, type Payload, type StoredChunk } from './payload';

export { isAllZero } from './payload';
// The content hash lives in content-hash.ts; its names stay importable from here.
export { HASH_BLOCK_BYTES, composedContentHash, equalContent, pureSha256, type ContentExtent, type Sha256 } from './content-hash';

export const DEFAULT_TRACK_BYTES = 256 * 1024;

/** Anything whose logical content can be read (a SparseVolume; the engine may wrap others). */
export interface VolumeContent {
  readonly sizeBytes: number;
  read(offset: number, length: number): Uint8Array;
}

export interface SparseVolumeOptions {
  trackBytes?: number;
  /** Volume id, used in error messages. */
  id?: string;
  /** Block digests use this sha256 (default: pure JS). */
  sha256?: Sha256;
}

export class SparseVolume implements VolumeContent {
  readonly sizeBytes: number;
  readonly trackBytes: number;
  readonly trackCount: number;
  readonly id: string | undefined;
  private readonly sha256: Sha256;

  /**
   * Track buffers by track number (paged: a busy store holds hundreds of thousands; see ChunkTable). A buffer may be a
   * generated payload not yet materialised (GeneratedBytes): read, hashed or copied, it gives its bytes then.
   */
  private tracks: ChunkTable;
  /**
   * Track buffers this volume allocated itself and shares with nobody: written in place. Any other buffer in `tracks`
   * (a payload kept by writeImmutable, or one shared with a clone) is copied before its first write (copy-on-write).
   * Kept as a set of the private buffers rather than of the shared track numbers: the immutable-write path (every
   * host write, into every store of a cascade) then touches no second collection.
   */
  private owned = new WeakSet<Uint8Array>();
  /** Per 64 KiB block: its digest, or null when the block is all zeros. Dropped by writes that touch the block. */
  private readonly blockDigests = new Map<number, Uint8Array | null>();
  private cachedHash: string | null = null;
  private storedBytes = 0;

  constructor(sizeBytes: number, options: SparseVolumeOptions = {}) {
    const trackBytes = options.trackBytes ?? DEFAULT_TRACK_BYTES;
    this.id = options.id;
    this.sha256 = options.sha256 ?? pureSha256;
    assertNonNegativeInteger(sizeBytes, 'sizeBytes', this.id);
    if (!Number.isSafeInteger(trackBytes) || trackBytes <= 0) {
      throw new DataStructureError('TRACK_SIZE', `trackBytes must be a positive integer, got ${trackBytes}`, this.id);
    }
    this.sizeBytes = sizeBytes;
    this.trackBytes = trackBytes;
    this.trackCount = Math.ceil(sizeBytes / trackBytes);
    this.tracks = new ChunkTable(this.trackCount, trackBytes);
  }

  /** Bytes held in memory (written tracks, whole tracks each, the last track possibly shorter). */
  get bytesStored(): number {
    return this.storedBytes;
  }

  get writtenTrackCount(): number {
    return this.tracks.size;
  }

  /** Bytes of the chunk table's own arrays (what a checkpoint's copy of it holds; the chunks are shared). */
  get tableBytes(): number {
    return this.tracks.tableBytes;
  }

  /** Length in bytes of track `track` (the last track may be shorter). */
  trackLength(track: number): number {
    return Math.min(this.trackBytes, this.sizeBytes - track * this.trackBytes);
  }

  isTrackWritten(track: number): boolean {
    return this.tracks.has(track);
  }

  /**
   * Track numbers that hold data, ascending. Zeros written to a never-written track are not stored, but
   * a stored track may hold zeros after later writes. Do not write this volume while iterating.
   */
  writtenTracks(): IterableIterator<number> {
    return this.tracks.keysFrom(0);
  }

  /** Written track numbers >= `fromTrack`, ascending (binary search, no scan of the prefix). */
  writtenTracksFrom(fromTrack: number): IterableIterator<number> {
    return this.tracks.keysFrom(fromTrack);
  }

  /** True when any track overlapping [offset, offset + length) holds data (it may still be zeros). */
  anyWrittenIn(offset: number, length: number): boolean {
    if (length <= 0) return false;
    const first = Math.floor(offset / this.trackBytes);
    const next = this.nextWrittenTrack(first);
    return next !== undefined && next * this.trackBytes < offset + length;
  }

  /** The lowest byte position >= offset inside a written track, or undefined: where the next data can be. */
  nextWrittenOffset(offset: number): number | undefined {
    const next = this.nextWrittenTrack(Math.floor(offset / this.trackBytes));
    return next === undefined ? undefined : Math.max(offset, next * this.trackBytes);
  }

  /** The first written track >= fromTrack, or undefined. */
  nextWrittenTrack(fromTrack: number): number | undefined {
    return this.tracks.nextKey(fromTrack);
  }

  write(offset: number, bytes: Uint8Array): void {
    this.checkRange(offset, bytes.length);
    let done = 0;
    while (done < bytes.length) {
      const position = offset + done;
      const track = Math.floor(position / this.trackBytes);
      const inTrack = position - track * this.trackBytes;
      const count = Math.min(bytes.length - done, this.trackLength(track) - inTrack);
      const part = bytes.subarray(done, done + count);
      // Zeros onto a never-written track change no content: keep the volume sparse.
      if (this.tracks.has(track) || !isAllZero(part)) this.writableTrack(track).set(part, inTrack);
      done += count;
    }
    this.invalidate(offset, bytes.length);
  }

  /**
   * Like write, but `bytes` is an immutable payload (nobody writes into it afterwards, by contract): whole tracks are
   * kept by reference instead of copied, marked shared so that a later partial write here copies first. The engine
   * applies one host write to every store of a cascade this way, so the bytes are held once, not once per store.
   */
  writeImmutable(offset: number, bytes: Payload): void {
    this.checkRange(offset, bytes.length);
    let done = 0;
    while (done < bytes.length) {
      const position = offset + done;
      const track = Math.floor(position / this.trackBytes);
      const inTrack = position - track * this.trackBytes;
      const length = this.trackLength(track);
      const count = Math.min(bytes.length - done, length - inTrack);
      // The payload itself when it is exactly one chunk (the common 4 KiB write): no view to make.
      const part = done === 0 && count === bytes.length ? bytes : bytes.subarray(done, done + count);
      if (count === length) {
        // One lookup: set, then undo in the rare case of zeros written to a never-written track (it stays unwritten).
        if (this.tracks.put(track, storedChunk(part))) {
          if (payloadIsAllZero(part)) this.tracks.delete(track);
          else this.storedBytes += length;
        }
      } else if (this.tracks.has(track) || !payloadIsAllZero(part)) {
        this.writableTrack(track).set(payloadBytes(part), inTrack);
      }
      done += count;
    }
    this.invalidate(offset, bytes.length);
  }

  /** A fresh copy of the logical bytes; unwritten regions read as zeros. */
  read(offset: number, length: number): Uint8Array {
    this.checkRange(offset, length);
    const out = new Uint8Array(length);
    this.readInto(offset, out);
    return out;
  }

  /** Reads `out.length` bytes from `offset` into `out` (which must read as zeros where nothing is written: fresh, or cleared). */
  private readInto(offset: number, out: Uint8Array): void {
    const length = out.length;
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const track = Math.floor(position / this.trackBytes);
      const inTrack = position - track * this.trackBytes;
      const count = Math.min(length - done, this.trackLength(track) - inTrack);
      const data = this.tracks.get(track);
      if (data && inTrack === 0 && count === data.length) copyPayloadInto(data, out.subarray(done, done + count));
      else if (data) out.set(payloadBytes(data).subarray(inTrack, inTrack + count), done);
      done += count;
    }
  }

  /**
   * The bytes of a range to send over a link (a copy's track), taken now: when the range is whole chunks, the stored
   * chunks themselves by reference (a chunk this volume writes in place is copied first, so what was taken cannot
   * change); otherwise a fresh copy. The receiver keeps the same buffers, so its block digests are the sender's.
   */
  takeRange(offset: number, length: number): Payload {
    this.checkRange(offset, length);
    const chunkBytes = this.trackBytes;
    if (offset % chunkBytes !== 0 || (length % chunkBytes !== 0 && offset + length !== this.sizeBytes)) return this.read(offset, length);
    const first = offset / chunkBytes;
    const count = Math.ceil(length / chunkBytes);
    const chunks: (StoredChunk | undefined)[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const data = this.tracks.get(first + i);
      chunks[i] = data === undefined ? undefined : data instanceof Uint8Array && this.owned.has(data) ? data.slice() : data;
    }
    return count === 1 && length === this.trackLength(first) && chunks[0] ? chunks[0] : new ChunkedBytes(chunkBytes, chunks, length);
  }

  /** The stored bytes of one track (read-only by contract), or undefined when never written. */
  peekTrack(track: number): Uint8Array | undefined {
    const data = this.tracks.get(track);
    return data === undefined ? undefined : payloadBytes(data);
  }

  /**
   * Copy one track of `source` (same track number, same byte range) onto this volume: the copy step of
   * initial and differential copy. An unwritten source track makes the target's track unwritten (zeros).
   */
  copyTrackFrom(source: SparseVolume, track: number): void {
    assertNonNegativeInteger(track, 'track', this.id);
    if (source.trackBytes !== this.trackBytes) {
      const start = track * source.trackBytes;
      this.copyRangeFrom(source, start, Math.min(source.trackBytes, source.sizeBytes - start, this.sizeBytes - start));
      return;
    }
    if (track >= this.trackCount || track >= source.trackCount) {
      throw new DataStructureError('VOLUME_RANGE', `track ${track} is outside the volume (${Math.min(this.trackCount, source.trackCount)} tracks)`, this.id);
    }
    const length = Math.min(this.trackLength(track), source.trackLength(track));
    const data = source.tracks.get(track);
    if (!data) {
      if (length === this.trackLength(track)) this.dropTrack(track);
      else if (this.tracks.has(track)) this.writableTrack(track).fill(0, 0, length);
    } else if (length === this.trackLength(track) && data.length === length && (data instanceof GeneratedBytes || !source.owned.has(data))) {
      // An immutable buffer (a host write's payload, a volume's initial data): shared, as writeImmutable does; whichever side
      // writes into the track later copies it first (neither owns it).
      if (!this.tracks.has(track)) {
        this.storedBytes += length;
      }
      this.tracks.set(track, data);
    } else {
      const target = this.writableTrack(track);
      target.set(payloadBytes(data).subarray(0, length));
    }
    this.invalidate(track * this.trackBytes, length);
  }

  /** Copy a byte range of `source` onto this volume; unwritten source regions become zeros here. */
  copyRangeFrom(source: VolumeContent, offset: number, length: number): void {
    if (length === 0) return;
    this.checkRange(offset, length);
    if (source instanceof SparseVolume) {
      // Walk the source tracks so unwritten parts are dropped here rather than materialised as zeros.
      let done = 0;
      while (done < length) {
        const position = offset + done;
        const sourceTrack = Math.floor(position / source.trackBytes);
        const inSource = position - sourceTrack * source.trackBytes;
        const count = Math.min(length - done, source.trackLength(sourceTrack) - inSource);
        const data = source.tracks.get(sourceTrack);
        if (data) this.write(position, payloadBytes(data).subarray(inSource, inSource + count));
        else this.zeroRange(position, count);
        done += count;
      }
      return;
    }
    this.write(offset, source.read(offset, length));
  }

  /** Make a range read as zeros, dropping tracks that become wholly unwritten. */
  zeroRange(offset: number, length: number): void {
    this.checkRange(offset, length);
    let done = 0;
    while (done < length) {
      const position = offset + done;
      const track = Math.floor(position / this.trackBytes);
      const inTrack = position - track * this.trackBytes;
      const count = Math.min(length - done, this.trackLength(track) - inTrack);
      if (this.tracks.has(track)) {
        if (count === this.trackLength(track)) this.dropTrack(track);
        else this.writableTrack(track).fill(0, inTrack, inTrack + count);
      }
      done += count;
    }
    this.invalidate(offset, length);
  }

  /** A copy that shares track buffers until either side writes them (for checkpoints and snapshots). */
  clone(): SparseVolume {
    const copy = new SparseVolume(this.sizeBytes, { trackBytes: this.trackBytes, id: this.id, sha256: this.sha256 });
    copy.tracks = this.tracks.clone();
    // Every buffer is now shared by both: neither may write one in place any more.
    this.owned = new WeakSet();
    copy.storedBytes = this.storedBytes;
    for (const [block, digest] of this.blockDigests) copy.blockDigests.set(block, digest);
    copy.cachedHash = this.cachedHash;
    return copy;
  }

  /**
   * sha256 of the logical content as defined at HASH_BLOCK_BYTES, hex. Block digests are cached and
   * dropped only for blocks a write touches, so re-hashing after a few writes costs those blocks plus
   * one pass over the 40-byte entries of the non-zero blocks.
   */
  contentHash(): string {
    if (this.cachedHash !== null) return this.cachedHash;
    const writer = new BlockHashWriter(this.sizeBytes);
    let lastBlock = -1;
    for (const track of this.tracks.keysFrom(0)) {
      const start = track * this.trackBytes;
      const first = Math.max(Math.floor(start / HASH_BLOCK_BYTES), lastBlock + 1);
      const last = Math.floor((start + this.trackLength(track) - 1) / HASH_BLOCK_BYTES);
      for (let block = first; block <= last; block++) writer.add(block, this.blockDigest(block));
      lastBlock = Math.max(lastBlock, last);
    }
    this.cachedHash = writer.finish();
    return this.cachedHash;
  }

  /** sha256 of 64 KiB block `block` of the logical content, or null when it is all zeros (cached until written). */
  blockDigest(block: number): Uint8Array | null {
    const cached = this.blockDigests.get(block);
    if (cached !== undefined) return cached;
    const start = block * HASH_BLOCK_BYTES;
    const length = Math.min(HASH_BLOCK_BYTES, this.sizeBytes - start);
    // Stores of a cascade hold the same immutable chunks at the same places: one digest serves them all.
    const signature = this.sharedBlockSignature(start, length);
    if (signature) {
      const known = sharedDigests.lookup(signature);
      if (known !== undefined) {
        this.blockDigests.set(block, known);
        return known;
      }
    }
    const track = Math.floor(start / this.trackBytes);
    const inTrack = start - track * this.trackBytes;
    let bytes: Uint8Array;
    if (inTrack + length <= this.trackLength(track)) {
      const data = this.tracks.get(track);
      bytes = data ? payloadBytes(data).subarray(inTrack, inTrack + length) : new Uint8Array(0);
    } else {
      // Into one buffer reused block after block (the sha256 reads it and keeps nothing): hashing a volume made a
      // 64 KiB buffer per block.
      bytes = blockScratch.subarray(0, length);
      bytes.fill(0);
      this.checkRange(start, length);
      this.readInto(start, bytes);
    }
    const digest = isAllZero(bytes) ? null : this.sha256(bytes);
    this.blockDigests.set(block, digest);
    if (signature) sharedDigests.remember(signature, digest);
    return digest;
  }

  /**
   * What a 64 KiB block is made of, by identity, when that decides its bytes: every stored chunk in it is immutable
   * (a payload kept by writeImmutable or a buffer shared with a clone; none this volume writes in place) and the
   * chunks tile the block. Undefined otherwise (owned chunks, tracks larger than a block, an empty block).
   */
  private sharedBlockSignature(start: number, length: number): BlockSignature | undefined {
    if (HASH_BLOCK_BYTES % this.trackBytes !== 0 || start % this.trackBytes !== 0) return undefined;
    const first = start / this.trackBytes;
    const count = Math.ceil(length / this.trackBytes);
    let key: Payload | number | undefined;
    const ids: number[] = new Array<number>(count);
    for (let i = 0; i < count; i++) {
      const chunk = this.tracks.get(first + i);
      if (chunk === undefined) {
        ids[i] = 0;
        continue;
      }
      if (chunk instanceof Uint8Array && this.owned.has(chunk)) return undefined;
      ids[i] = chunkIdentity(chunk);
      key ??= ids[i]! < 0 ? ids[i]! : chunk;
    }
    return key === undefined ? undefined : { key, length, ids };
  }

  private invalidate(offset: number, length: number): void {
    this.cachedHash = null;
    if (length === 0) return;
    const first = Math.floor(offset / HASH_BLOCK_BYTES);
    const last = Math.floor((offset + length - 1) / HASH_BLOCK_BYTES);
    if (last - first > this.blockDigests.size) {
      for (const block of this.blockDigests.keys()) if (block >= first && block <= last) this.blockDigests.delete(block);
    } else {
      for (let block = first; block <= last; block++) this.blockDigests.delete(block);
    }
  }

  private writableTrack(track: number): Uint8Array {
    let data = this.tracks.get(track);
    if (!data) {
      data = new Uint8Array(this.trackLength(track));
      this.owned.add(data);
      this.tracks.set(track, data);
      this.storedBytes += data.length;
    } else if (data instanceof GeneratedBytes || !this.owned.has(data)) {
      const own = payloadBytes(data).slice();
      this.owned.add(own);
      this.tracks.set(track, own);
      return own;
    }
    return data;
  }

  private dropTrack(track: number): void {
    const data = this.tracks.get(track);
    if (!data) return;
    this.tracks.delete(track);
    this.storedBytes -= data.length;
  }

  private checkRange(offset: number, length: number): void {
    assertNonNegativeInteger(offset, 'offset', this.id);
    assertNonNegativeInteger(length, 'length', this.id);
    if (offset + length > this.sizeBytes) {
      throw new DataStructureError('VOLUME_RANGE', `range ${offset}+${length} ends beyond the volume size ${this.sizeBytes}`, this.id);
    }
  }
}

function payloadIsAllZero(p: Payload): boolean {
  return p instanceof Uint8Array ? isAllZero(p) : p.isAllZero();
}
