import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { DataStructureError } from './errors';
import { HASH_BLOCK_BYTES, SparseVolume, composedContentHash, equalContent } from './sparse-volume';

const KiB = 1024;
const MiB = 1024 * KiB;
const TiB = 1024 * 1024 * MiB;

function filled(length: number, value: number): Uint8Array {
  return new Uint8Array(length).fill(value);
}

/** The hash as documented, computed the slow way over a fully materialised buffer. */
function referenceHash(content: Uint8Array): string {
  const hasher = sha256.create();
  const tag = Uint8Array.from('relaylab-volume-v1\0', (c) => c.charCodeAt(0));
  const header = new Uint8Array(tag.length + 12);
  header.set(tag);
  const view = new DataView(header.buffer);
  view.setBigUint64(tag.length, BigInt(content.length));
  view.setUint32(tag.length + 8, HASH_BLOCK_BYTES);
  hasher.update(header);
  for (let block = 0; block * HASH_BLOCK_BYTES < content.length; block++) {
    const bytes = content.subarray(block * HASH_BLOCK_BYTES, Math.min(content.length, (block + 1) * HASH_BLOCK_BYTES));
    if (bytes.every((b) => b === 0)) continue;
    const entry = new Uint8Array(40);
    new DataView(entry.buffer).setBigUint64(0, BigInt(block));
    entry.set(sha256(bytes), 8);
    hasher.update(entry);
  }
  return bytesToHex(hasher.digest());
}

describe('SparseVolume', () => {
  it('a 64 TiB volume costs nothing until written, and reads zeros where unwritten', () => {
    const volume = new SparseVolume(64 * TiB);
    expect(volume.trackCount).toBe(268_435_456);
    expect(volume.bytesStored).toBe(0);
    expect(volume.read(40 * TiB, 8)).toEqual(new Uint8Array(8));
    volume.write(40 * TiB + 10, filled(4, 7));
    expect(volume.bytesStored).toBe(256 * KiB);
    expect([...volume.read(40 * TiB + 8, 8)]).toEqual([0, 0, 7, 7, 7, 7, 0, 0]);
  });

  it('a write across a track boundary lands in both tracks, which are listed in order', () => {
    const volume = new SparseVolume(10 * MiB, { trackBytes: 64 * KiB });
    volume.write(5 * 64 * KiB - 2, filled(4, 9));
    volume.write(0, filled(1, 1));
    expect([...volume.writtenTracks()]).toEqual([0, 4, 5]);
    expect([...volume.read(5 * 64 * KiB - 3, 6)]).toEqual([0, 9, 9, 9, 9, 0]);
    expect([...volume.writtenTracksFrom(3)]).toEqual([4, 5]);
    expect(volume.nextWrittenTrack(5)).toBe(5);
    expect(volume.nextWrittenTrack(6)).toBeUndefined();
  });

  it('tells where data can be, so the copy loop can skip never-written spans', () => {
    const volume = new SparseVolume(100 * MiB, { trackBytes: 1 * MiB });
    volume.write(40 * MiB + 5, filled(1, 1));
    expect(volume.anyWrittenIn(0, 40 * MiB)).toBe(false);
    expect(volume.anyWrittenIn(39 * MiB, 1 * MiB + 1)).toBe(true);
    expect(volume.nextWrittenOffset(3)).toBe(40 * MiB);
    expect(volume.nextWrittenOffset(40 * MiB + 9)).toBe(40 * MiB + 9);
    expect(volume.nextWrittenOffset(41 * MiB)).toBeUndefined();
  });

  it('refuses a range beyond the end with a typed error naming the volume', () => {
    const volume = new SparseVolume(1 * MiB, { id: 'V12' });
    expect(() => volume.write(1 * MiB - 1, filled(2, 1))).toThrow(DataStructureError);
    try {
      volume.read(1 * MiB, 1);
    } catch (error) {
      expect(error).toBeInstanceOf(DataStructureError);
      expect((error as DataStructureError).code).toBe('VOLUME_RANGE');
      expect((error as DataStructureError).message).toContain('V12');
    }
  });

  it('handles a size that is not a multiple of the track size (short last track)', () => {
    const volume = new SparseVolume(100_000, { trackBytes: 65_536 });
    expect(volume.trackCount).toBe(2);
    volume.write(99_990, filled(10, 3));
    expect(volume.bytesStored).toBe(34_464);
    expect(volume.trackLength(1)).toBe(34_464);
    expect([...volume.read(99_988, 12)]).toEqual([0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
  });

  it('hashes as documented: matches the reference computed over the materialised content', () => {
    const volume = new SparseVolume(1 * MiB + 123, { trackBytes: 48 * KiB });
    const content = new Uint8Array(volume.sizeBytes);
    const writes: Array<[number, Uint8Array]> = [
      [0, filled(10, 1)],
      [70_000, filled(200_000, 2)],
      [volume.sizeBytes - 5, filled(5, 3)],
    ];
    for (const [offset, bytes] of writes) {
      volume.write(offset, bytes);
      content.set(bytes, offset);
    }
    expect(volume.contentHash()).toBe(referenceHash(content));
  });

  it('equal logical content hashes equal whatever the track size, explicit zeros included', () => {
    const a = new SparseVolume(4 * MiB, { trackBytes: 256 * KiB });
    const b = new SparseVolume(4 * MiB, { trackBytes: 4 * KiB });
    const c = new SparseVolume(4 * MiB, { trackBytes: 100_000 });
    a.write(1 * MiB + 17, filled(300 * KiB, 0xab));
    b.write(1 * MiB + 17, filled(300 * KiB, 0xab));
    c.write(1 * MiB + 17, filled(300 * KiB, 0xab));
    b.write(3 * MiB, filled(64 * KiB, 0)); // an explicit all-zero write
    expect(b.contentHash()).toBe(a.contentHash());
    expect(c.contentHash()).toBe(a.contentHash());
    expect(equalContent(a, b)).toBe(true);
    expect(equalContent(a, c)).toBe(true);
    c.write(2 * MiB, filled(1, 1));
    expect(c.contentHash()).not.toBe(a.contentHash());
    expect(equalContent(a, c)).toBe(false);
  });

  it('zeros written where nothing was written take no memory', () => {
    const volume = new SparseVolume(1 * MiB, { trackBytes: 64 * KiB });
    volume.write(0, filled(200 * KiB, 0));
    expect(volume.bytesStored).toBe(0);
    volume.write(70 * KiB, filled(1, 1));
    volume.write(64 * KiB, filled(64 * KiB, 0)); // zeros over a stored track do overwrite it
    expect(volume.bytesStored).toBe(64 * KiB);
    expect(volume.read(70 * KiB, 1)[0]).toBe(0);
    expect(volume.contentHash()).toBe(new SparseVolume(1 * MiB).contentHash());
  });

  it('volumes of different sizes never hash equal, even when both are empty', () => {
    expect(new SparseVolume(1 * MiB).contentHash()).not.toBe(new SparseVolume(2 * MiB).contentHash());
    expect(equalContent(new SparseVolume(1 * MiB), new SparseVolume(2 * MiB))).toBe(false);
  });

  it('copyTrackFrom copies data, and an unwritten source track erases the target track', () => {
    const primary = new SparseVolume(8 * MiB, { id: 'P' });
    const secondary = new SparseVolume(8 * MiB, { id: 'S' });
    primary.write(256 * KiB + 5, filled(100, 4));
    secondary.write(3 * 256 * KiB, filled(100, 9)); // written only at the secondary (e.g. after takeover)
    secondary.copyTrackFrom(primary, 1);
    secondary.copyTrackFrom(primary, 3);
    expect([...secondary.writtenTracks()]).toEqual([1]);
    expect(equalContent(primary, secondary)).toBe(true);
    expect(secondary.contentHash()).toBe(primary.contentHash());
    // The copy is independent of the source buffer.
    primary.write(256 * KiB + 5, filled(1, 5));
    expect(secondary.read(256 * KiB + 5, 1)[0]).toBe(4);
  });

  it('copyTrackFrom between different track sizes copies the source track byte range', () => {
    const primary = new SparseVolume(2 * MiB, { trackBytes: 256 * KiB });
    const secondary = new SparseVolume(2 * MiB, { trackBytes: 64 * KiB });
    primary.write(256 * KiB, filled(256 * KiB, 6));
    secondary.write(600 * KiB, filled(10, 1));
    secondary.copyTrackFrom(primary, 1);
    secondary.copyTrackFrom(primary, 2);
    expect(equalContent(primary, secondary)).toBe(true);
  });

  it('a clone shares buffers until either side writes (copy-on-write)', () => {
    const volume = new SparseVolume(4 * MiB);
    volume.write(0, filled(10, 1));
    const checkpoint = volume.clone();
    const hashAtCheckpoint = checkpoint.contentHash();
    volume.write(0, filled(5, 2));
    expect(checkpoint.read(0, 10)).toEqual(filled(10, 1));
    expect(checkpoint.contentHash()).toBe(hashAtCheckpoint);
    checkpoint.write(1 * MiB, filled(1, 3));
    expect(volume.read(1 * MiB, 1)[0]).toBe(0);
    expect(volume.read(0, 6)).toEqual(Uint8Array.from([2, 2, 2, 2, 2, 1]));
  });

  it('zeroRange drops tracks it wholly covers and zeroes the edges', () => {
    const volume = new SparseVolume(1 * MiB, { trackBytes: 64 * KiB });
    volume.write(0, filled(1 * MiB, 1));
    volume.zeroRange(10, 200 * KiB);
    expect(volume.bytesStored).toBe(1 * MiB - 2 * 64 * KiB);
    expect(volume.read(8, 4)).toEqual(Uint8Array.from([1, 1, 0, 0]));
    expect(volume.read(10 + 200 * KiB - 1, 2)).toEqual(Uint8Array.from([0, 1]));
  });

  it('re-hashing after a small write costs only the touched block, not the whole 64 MiB written', () => {
    const volume = new SparseVolume(1 * TiB);
    const data = new Uint8Array(1 * MiB);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    for (let i = 0; i < 64; i++) volume.write(i * 16 * MiB, data);
    const first = volume.contentHash();
    volume.write(5 * 16 * MiB + 3, filled(1, 0xff));
    const started = performance.now();
    const second = volume.contentHash();
    const elapsedMs = performance.now() - started;
    expect(second).not.toBe(first);
    // A full re-hash of 64 MiB takes ~700 ms in pure JS; the incremental one a few ms.
    expect(elapsedMs).toBeLessThan(100);
    expect(volume.contentHash()).toBe(second);
  });

  it('property: reads and hashes agree with a flat byte-array model under random writes', () => {
    const size = 300_000;
    const write = fc.record({
      offset: fc.integer({ min: 0, max: size - 1 }),
      length: fc.integer({ min: 0, max: 70_000 }),
      value: fc.integer({ min: 0, max: 255 }),
      zero: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.constantFrom(4096, 65_536, 100_000), fc.array(write, { maxLength: 12 }), (trackBytes, writes) => {
        const volume = new SparseVolume(size, { trackBytes });
        const model = new Uint8Array(size);
        for (const w of writes) {
          const length = Math.min(w.length, size - w.offset);
          const value = w.zero ? 0 : w.value;
          if (w.zero) volume.zeroRange(w.offset, length);
          else volume.write(w.offset, filled(length, value));
          model.fill(value, w.offset, w.offset + length);
          volume.contentHash(); // exercise cache invalidation between writes
        }
        const written = [...volume.writtenTracks()];
        expect(written).toEqual([...written].sort((a, b) => a - b));
        expect(written.reduce((sum, t) => sum + volume.trackLength(t), 0)).toBe(volume.bytesStored);
        expect(Buffer.compare(volume.read(0, size), model)).toBe(0);
        expect(volume.contentHash()).toBe(referenceHash(model));
      }),
      { numRuns: 40 },
    );
  });

  it('a virtual volume over two real ones hashes like the same bytes stored in one volume', () => {
    const r1 = new SparseVolume(4 * MiB, { id: 'R1' });
    const r2 = new SparseVolume(2 * MiB, { trackBytes: 64 * KiB, id: 'R2' });
    r1.write(1 * MiB, filled(300 * KiB, 1));
    r2.write(10, filled(100, 2));
    // V = R1[1 MiB, +2 MiB) then a 1 KiB hole then R2[0, +1 MiB)
    const extents = [
      { volumeOffset: 0, length: 2 * MiB, source: r1, sourceOffset: 1 * MiB },
      { volumeOffset: 2 * MiB + 1 * KiB, length: 1 * MiB, source: r2, sourceOffset: 0 },
    ];
    const flat = new SparseVolume(3 * MiB + 1 * KiB);
    flat.write(0, r1.read(1 * MiB, 2 * MiB));
    flat.write(2 * MiB + 1 * KiB, r2.read(0, 1 * MiB));
    expect(composedContentHash(flat.sizeBytes, extents)).toBe(flat.contentHash());
    expect(() => composedContentHash(flat.sizeBytes, [extents[0]!, { ...extents[0]!, volumeOffset: 1 * MiB, length: 1 * MiB }])).toThrow(/overlap/);
  });

  it('writeImmutable keeps whole tracks of a payload by reference in several volumes, and a later write to one copies first', () => {
    const payload = new Uint8Array(40 * KiB);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 255;
    const a = new SparseVolume(1 * MiB, { trackBytes: 4 * KiB, id: 'R11' });
    const b = new SparseVolume(1 * MiB, { trackBytes: 4 * KiB, id: 'R3' });
    const copied = new SparseVolume(1 * MiB, { trackBytes: 4 * KiB, id: 'copy' });
    // 2 KiB into a track: a partial head, nine whole tracks, a partial tail.
    for (const v of [a, b]) v.writeImmutable(2 * KiB, payload);
    copied.write(2 * KiB, payload);
    expect(a.contentHash()).toBe(copied.contentHash());
    expect(a.bytesStored).toBe(copied.bytesStored);
    // One buffer (the payload's), two volumes; the partial head was copied.
    expect(a.peekTrack(1)!.buffer).toBe(payload.buffer);
    expect(b.peekTrack(1)!.buffer).toBe(payload.buffer);
    expect(a.peekTrack(1)!.byteOffset).toBe(2 * KiB);
    expect(a.peekTrack(0)!.buffer).not.toBe(payload.buffer);
    // Copy-on-write: a small write to one volume leaves the other (and the payload) as they were.
    a.write(5 * KiB, filled(10, 0xee));
    expect(b.read(5 * KiB, 10)).toEqual(payload.subarray(3 * KiB, 3 * KiB + 10));
    expect(payload[3 * KiB]).toBe((3 * KiB * 7) & 255);
    expect(a.read(5 * KiB, 10)).toEqual(filled(10, 0xee));
    expect(b.contentHash()).toBe(copied.contentHash());
    // Zeros onto never-written tracks stay unstored, as with write.
    b.writeImmutable(512 * KiB, new Uint8Array(8 * KiB));
    expect(b.isTrackWritten(128)).toBe(false);
    expect(b.bytesStored).toBe(copied.bytesStored);
  });

  it('an injected native sha256 gives the same volume and composed hashes as the pure-JS one, and is the one used', () => {
    let calls = 0;
    const native = (data: Uint8Array): Uint8Array => {
      calls++;
      return createHash('sha256').update(data).digest();
    };
    const plain = new SparseVolume(8 * MiB, { trackBytes: 4 * KiB, id: 'plain' });
    const fast = new SparseVolume(8 * MiB, { trackBytes: 4 * KiB, id: 'fast', sha256: native });
    for (const [offset, value] of [[0, 1], [70 * KiB, 2], [3 * MiB + 5, 3], [8 * MiB - 12 * KiB, 4]] as const) {
      plain.write(offset, filled(12 * KiB, value));
      fast.write(offset, filled(12 * KiB, value));
    }
    expect(fast.contentHash()).toBe(plain.contentHash());
    expect(calls).toBeGreaterThanOrEqual(4);
    // A clone keeps the host's hash; a composed (virtual) volume over the stores too, aligned and unaligned.
    const clone = fast.clone();
    clone.write(1 * MiB, filled(100, 9));
    const before = calls;
    plain.write(1 * MiB, filled(100, 9));
    expect(clone.contentHash()).toBe(plain.contentHash());
    expect(calls).toBeGreaterThan(before);
    for (const sourceOffset of [0, 1000]) {
      const extents = (source: SparseVolume) => [{ volumeOffset: 64 * KiB, length: 4 * MiB, source, sourceOffset }];
      expect(composedContentHash(5 * MiB, extents(clone), 'V', native)).toBe(composedContentHash(5 * MiB, extents(plain), 'V'));
    }
  });

  it('property: a composed hash equals the hash of the composed bytes, aligned or not', () => {
    const size = 400_000;
    const extent = fc.record({ at: fc.integer({ min: 0, max: size - 1 }), length: fc.integer({ min: 0, max: 200_000 }), sourceOffset: fc.integer({ min: 0, max: 300_000 }), source: fc.integer({ min: 0, max: 1 }) });
    fc.assert(
      fc.property(
        fc.array(extent, { maxLength: 4 }),
        fc.array(fc.record({ source: fc.integer({ min: 0, max: 1 }), offset: fc.integer({ min: 0, max: 499_000 }), length: fc.integer({ min: 1, max: 90_000 }), value: fc.integer({ min: 1, max: 255 }) }), { maxLength: 6 }),
        fc.boolean(),
        (rawExtents, writes, aligned) => {
          const sources = [new SparseVolume(500_000, { trackBytes: 65_536 }), new SparseVolume(500_000, { trackBytes: 4096 })];
          for (const w of writes) {
            // Position-dependent bytes, so no two blocks share a digest by accident.
            const bytes = new Uint8Array(Math.min(w.length, 500_000 - w.offset));
            for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.imul(w.offset + i, 2654435761) >>> 24) ^ w.value;
            sources[w.source]!.write(w.offset, bytes);
          }
          // Non-overlapping extents, optionally block-aligned to exercise the digest-reuse path.
          const extents = [];
          let cursor = 0;
          for (const r of rawExtents) {
            let at = Math.max(cursor, r.at);
            let sourceOffset = r.sourceOffset;
            if (aligned) {
              at = Math.ceil(at / HASH_BLOCK_BYTES) * HASH_BLOCK_BYTES;
              sourceOffset = Math.floor(sourceOffset / HASH_BLOCK_BYTES) * HASH_BLOCK_BYTES;
            }
            const length = Math.min(r.length, size - at, 500_000 - sourceOffset);
            if (length <= 0) continue;
            extents.push({ volumeOffset: at, length, source: sources[r.source]!, sourceOffset });
            cursor = at + length;
          }
          const flat = new SparseVolume(size, { trackBytes: 32_768 });
          for (const e of extents) flat.write(e.volumeOffset, e.source.read(e.sourceOffset, e.length));
          expect(composedContentHash(size, extents)).toBe(flat.contentHash());
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('block digests shared by every store holding the same buffers', () => {
  /** A sha256 that counts the 64 KiB block digests it computes. */
  function countingSha256(): { sha: (d: Uint8Array) => Uint8Array; blocks: () => number } {
    let n = 0;
    return {
      sha: (d) => {
        if (d.length === HASH_BLOCK_BYTES) n++;
        return new Uint8Array(createHash('sha256').update(d).digest());
      },
      blocks: () => n,
    };
  }

  /** Immutable 4 KiB payloads at scattered chunk offsets, as the engine hands one host write to every store. */
  function payloads(count: number, seed: number): { offset: number; bytes: Uint8Array }[] {
    return Array.from({ length: count }, (_, i) => {
      const bytes = new Uint8Array(4 * KiB);
      for (let k = 0; k < bytes.length; k++) bytes[k] = (Math.imul(i * 4096 + k + seed, 2654435761) >>> 24) | 1;
      return { offset: ((i * 37) % 256) * 4 * KiB + Math.floor(i / 256) * MiB, bytes };
    });
  }

  it('hashing four stores of the same payloads computes each block digest once, with the hash of the materialised bytes', () => {
    const counter = countingSha256();
    const writes = payloads(300, 1);
    const stores = Array.from({ length: 4 }, (_, i) => new SparseVolume(8 * MiB, { trackBytes: 4 * KiB, id: `R${i}`, sha256: counter.sha }));
    for (const s of stores) for (const w of writes) s.writeImmutable(w.offset, w.bytes);
    const first = stores[0]!.contentHash();
    const afterFirst = counter.blocks();
    expect(afterFirst).toBeGreaterThan(0);
    for (const s of stores.slice(1)) expect(s.contentHash()).toBe(first);
    expect(counter.blocks()).toBe(afterFirst);
    // The same bytes copied into a fresh volume (owned buffers: nothing shared) hash the same, computed on their own.
    const copied = new SparseVolume(8 * MiB, { trackBytes: 4 * KiB });
    for (const w of writes) copied.write(w.offset, w.bytes.slice());
    expect(copied.contentHash()).toBe(first);
  });

  it('a store that differs in one chunk of a block, or writes a shared chunk in place, gets its own digest', () => {
    const writes = payloads(64, 2);
    const a = new SparseVolume(2 * MiB, { trackBytes: 4 * KiB });
    const b = new SparseVolume(2 * MiB, { trackBytes: 4 * KiB });
    for (const w of writes) {
      a.writeImmutable(w.offset, w.bytes);
      b.writeImmutable(w.offset, w.bytes);
    }
    expect(b.contentHash()).toBe(a.contentHash());
    // A partial write copies the shared chunk first (copy-on-write): b changes, a does not.
    b.write(writes[0]!.offset + 10, filled(100, 7));
    expect(b.contentHash()).not.toBe(a.contentHash());
    const expected = new SparseVolume(2 * MiB, { trackBytes: 4 * KiB });
    for (const w of writes) expected.write(w.offset, w.bytes);
    expect(a.contentHash()).toBe(expected.contentHash());
    expected.write(writes[0]!.offset + 10, filled(100, 7));
    expect(b.contentHash()).toBe(expected.contentHash());
    // One more chunk in a block of c: not the digest a and b share.
    const c = new SparseVolume(2 * MiB, { trackBytes: 4 * KiB });
    for (const w of writes) c.writeImmutable(w.offset, w.bytes);
    const extra = filled(4 * KiB, 9);
    const free = [...Array(512).keys()].map((k) => k * 4 * KiB).find((o) => !writes.some((w) => w.offset === o) && writes.some((w) => Math.floor(w.offset / HASH_BLOCK_BYTES) === Math.floor(o / HASH_BLOCK_BYTES)))!;
    c.writeImmutable(free, extra);
    const cExpected = new SparseVolume(2 * MiB, { trackBytes: 4 * KiB });
    for (const w of writes) cExpected.write(w.offset, w.bytes);
    cExpected.write(free, extra);
    expect(c.contentHash()).toBe(cExpected.contentHash());
  });
});
