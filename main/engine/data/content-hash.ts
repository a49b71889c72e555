// The volume content hash (its definition, block digests shared by content identity, composed volumes' hash) used by SparseVolume and the engine's verify. And whether two volumes hold the same bytes.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { assertNonNegativeInteger, DataStructureError } from './errors';
import { generatedCode, isAllZero, type Payload } from './payload';
import type { SparseVolume } from './sparse-volume';

/**
 * The content hash is defined over fixed 64 KiB blocks of the logical content, NOT over tracks, so two
 * volumes with equal content hash equal even when their systems use different track sizes:
 *
 *   contentHash = sha256( "relaylab-volume-v1\0" || u64be(sizeBytes) || u32be(HASH_BLOCK_BYTES)
 *                         || for every block b, in ascending order, whose bytes are not all zero:
 *                              u64be(b) || sha256(bytes of block b) )
 *
 * The last block is hashed with its real (possibly shorter) length. All-zero blocks, whether never
 * written or explicitly written with zeros, contribute nothing, so unwritten regions cost nothing.
 */
export const HASH_BLOCK_BYTES = 64 * 1024;
// ASCII by hand: the engine's lib has no TextEncoder.
const HASH_HEADER_TAG = Uint8Array.from('relaylab-volume-v1\0', (c) => c.charCodeAt(0));

/**
 * A one-shot sha256. The host may inject a native one (node:crypto, ~10x the pure-JS speed); it must be the same
 * algorithm, so hashes are identical with and without it. The engine stays environment-free either way.
 */
export type Sha256 = (data: Uint8Array) => Uint8Array;

/** The pure-JS sha256 (@noble/hashes), used when the host gives none. */
export const pureSha256: Sha256 = (data) => sha256(data);

/** The buffer blockDigest reads a block into when the block spans several chunks. */
export const blockScratch = new Uint8Array(HASH_BLOCK_BYTES);

/**
 * A block's content by identity: the immutable chunks in each slot (0 = none), its length, and one of them as the key
 * (the chunk itself, or a generated chunk's identity number: volumes keep those as codes, not objects).
 */
export interface BlockSignature {
  key: Payload | number;
  length: number;
  ids: number[];
}

/** Identity numbers of immutable chunks (weakly held: a chunk nobody stores any more is forgotten). */
const chunkIds = new WeakMap<Payload, number>();
let nextChunkId = 1;

/**
 * A chunk's identity number: the same number, the same bytes. A whole generated stream's is minus its code (its
 * content, whichever object carries it: a volume makes a new one each time it is read); any other chunk's is a number
 * of its own, from 1 up.
 */
export function chunkIdentity(chunk: Payload): number {
  const code = generatedCode(chunk);
  if (code > 0) return -code;
  let id = chunkIds.get(chunk);
  if (id === undefined) chunkIds.set(chunk, (id = nextChunkId++));
  return id;
}

type DigestEntry = { length: number; ids: number[]; digest: Uint8Array | null };

/** Entries keyed by a generated chunk's identity kept at most (they are not weak: cleared when full). */
const GENERATED_KEYS_KEPT = 1 << 18;

/**
 * Block digests by content identity, shared by every volume (any engine, any sha256: the algorithm is the same).
 * Keyed weakly by one chunk of the block, or by a generated chunk's identity, and holding only identity numbers, so
 * it keeps no bytes alive.
 */
export const sharedDigests = {
  entries: new WeakMap<object, DigestEntry>(),
  generated: new Map<number, DigestEntry>(),
  lookup(s: BlockSignature): Uint8Array | null | undefined {
    const e = typeof s.key === 'number' ? this.generated.get(s.key) : this.entries.get(s.key);
    if (!e || e.length !== s.length || e.ids.length !== s.ids.length) return undefined;
    for (let i = 0; i < s.ids.length; i++) if (e.ids[i] !== s.ids[i]) return undefined;
    return e.digest;
  },
  remember(s: BlockSignature, digest: Uint8Array | null): void {
    const entry = { length: s.length, ids: s.ids, digest };
    if (typeof s.key !== 'number') return void this.entries.set(s.key, entry);
    if (this.generated.size >= GENERATED_KEYS_KEPT) this.generated.clear();
    this.generated.set(s.key, entry);
  },
};

/** Builds the documented content hash from (block, digest) pairs given in ascending block order. */
export class BlockHashWriter {
  private readonly hasher = sha256.create();
  private readonly entry = new Uint8Array(40);
  private readonly entryView = new DataView(this.entry.buffer);

  constructor(sizeBytes: number) {
    const header = new Uint8Array(HASH_HEADER_TAG.length + 12);
    header.set(HASH_HEADER_TAG);
    const view = new DataView(header.buffer);
    writeU64(view, HASH_HEADER_TAG.length, sizeBytes);
    view.setUint32(HASH_HEADER_TAG.length + 8, HASH_BLOCK_BYTES);
    this.hasher.update(header);
  }

  add(block: number, digest: Uint8Array | null): void {
    if (digest === null) return;
    writeU64(this.entryView, 0, block);
    this.entry.set(digest, 8);
    this.hasher.update(this.entry);
  }

  finish(): string {
    return bytesToHex(this.hasher.digest());
  }
}

/** A range of a composed (virtual) volume backed by a range of a stored volume. */
export interface ContentExtent {
  volumeOffset: number;
  length: number;
  source: SparseVolume;
  sourceOffset: number;
}

/**
 * contentHash of a volume composed of extents of stored volumes (a virtual volume over its mapping
 * stack), equal to building that volume byte by byte and hashing it, without copying: where an extent
 * maps whole 64 KiB blocks onto whole source blocks, the source's cached block digests are reused.
 * Regions no extent covers read as zeros. Extents must not overlap.
 */
export function composedContentHash(sizeBytes: number, extents: readonly ContentExtent[], id?: string, hash: Sha256 = pureSha256): string {
  assertNonNegativeInteger(sizeBytes, 'sizeBytes', id);
  const ordered = [...extents].sort((a, b) => a.volumeOffset - b.volumeOffset);
  ordered.forEach((e, i) => {
    assertNonNegativeInteger(e.volumeOffset, 'volumeOffset', id);
    assertNonNegativeInteger(e.sourceOffset, 'sourceOffset', id);
    assertNonNegativeInteger(e.length, 'length', id);
    if (e.volumeOffset + e.length > sizeBytes || e.sourceOffset + e.length > e.source.sizeBytes) {
      throw new DataStructureError('VOLUME_RANGE', `extent at ${e.volumeOffset}+${e.length} (source ${e.source.id ?? '?'} at ${e.sourceOffset}) is out of range`, id);
    }
    const previous = ordered[i - 1];
    if (previous && previous.volumeOffset + previous.length > e.volumeOffset) {
      throw new DataStructureError('INVALID_ARGUMENT', `extents overlap at ${e.volumeOffset}`, id);
    }
  });
  // Blocks that may hold data: those reached by a written track of some extent's source.
  const candidates = new Set<number>();
  for (const e of ordered) {
    if (e.length === 0) continue;
    const sourceEnd = e.sourceOffset + e.length;
    const source = e.source;
    for (const track of source.writtenTracksFrom(Math.floor(e.sourceOffset / source.trackBytes))) {
      const a = Math.max(track * source.trackBytes, e.sourceOffset);
      const b = Math.min(track * source.trackBytes + source.trackLength(track), sourceEnd);
      if (a >= sourceEnd) break;
      if (a >= b) continue;
      const start = e.volumeOffset + (a - e.sourceOffset);
      const end = start + (b - a);
      for (let block = Math.floor(start / HASH_BLOCK_BYTES); block <= Math.floor((end - 1) / HASH_BLOCK_BYTES); block++) candidates.add(block);
    }
  }
  const writer = new BlockHashWriter(sizeBytes);
  for (const block of [...candidates].sort((a, b) => a - b)) {
    const start = block * HASH_BLOCK_BYTES;
    const length = Math.min(HASH_BLOCK_BYTES, sizeBytes - start);
    const cover = ordered.find((e) => e.volumeOffset <= start && start + length <= e.volumeOffset + e.length);
    if (cover) {
      const sourceStart = start - cover.volumeOffset + cover.sourceOffset;
      if (sourceStart % HASH_BLOCK_BYTES === 0 && Math.min(HASH_BLOCK_BYTES, cover.source.sizeBytes - sourceStart) === length) {
        writer.add(block, cover.source.blockDigest(sourceStart / HASH_BLOCK_BYTES));
        continue;
      }
    }
    const bytes = new Uint8Array(length);
    for (const e of ordered) {
      const a = Math.max(start, e.volumeOffset);
      const b = Math.min(start + length, e.volumeOffset + e.length);
      if (a < b) bytes.set(e.source.read(e.sourceOffset + (a - e.volumeOffset), b - a), a - start);
    }
    writer.add(block, isAllZero(bytes) ? null : hash(bytes));
  }
  return writer.finish();
}

function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, Math.floor(value / 0x1_0000_0000));
  view.setUint32(at + 4, value >>> 0);
}

/** True when both volumes have the same size and the same logical bytes (unwritten = zeros). */
export function equalContent(a: SparseVolume, b: SparseVolume): boolean {
  if (a.sizeBytes !== b.sizeBytes) return false;
  if (a.trackBytes !== b.trackBytes) return a.contentHash() === b.contentHash();
  const tracks = new Set<number>([...a.writtenTracks(), ...b.writtenTracks()]);
  for (const track of tracks) {
    const left = a.peekTrack(track);
    const right = b.peekTrack(track);
    if (left && right) {
      if (!equalBytes(left, right)) return false;
    } else if (!isAllZero(left ?? right ?? new Uint8Array(0))) {
      return false;
    }
  }
  return true;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
