// Generated payloads: the recipe materialises exactly the bytes an eager fill gives, and stores holding recipes read and hash as stores holding bytes.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Prng } from '../sim';
import { ChunkedBytes, GeneratedBytes, isAllZero } from './payload';
import { SparseVolume } from './sparse-volume';

const KiB = 1024;
const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
/** Byte equality as one boolean (toEqual on large typed arrays is very slow). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

describe('GeneratedBytes', () => {
  it('materialises the bytes Prng.fill gives for the same draw, and views are slices of them', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.integer({ min: 1, max: 20_000 }), fc.nat(), fc.nat(), (seed, length, x, y) => {
        const eager = new Uint8Array(length);
        new Prng(seed).fill(eager);
        const lazy = new Prng(seed).payload(length);
        expect(lazy.length).toBe(length);
        expect(same(lazy.bytes(), eager)).toBe(true);
        const a = x % (length + 1);
        const b = a + (y % (length - a + 1));
        const view = lazy.subarray(a, b);
        expect(view.length).toBe(b - a);
        expect(same(view.bytes(), eager.subarray(a, b))).toBe(true);
        expect(view.isAllZero()).toBe(eager.subarray(a, b).every((v) => v === 0));
      }),
      { numRuns: 200 },
    );
  });

  it('a generator that made a recipe is where a fill would have left it (later draws unchanged)', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    a.fill(new Uint8Array(4096));
    b.payload(4096);
    expect(a.nextU32()).toBe(b.nextU32());
  });
});

describe('a store holding generated payloads', () => {
  it('reads and hashes exactly as a store holding the materialised bytes, also after partial writes and copies', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ chunk: fc.nat(255), chunks: fc.integer({ min: 1, max: 20 }), seed: fc.nat(), partial: fc.boolean() }), { minLength: 1, maxLength: 30 }),
        (writes) => {
          const size = 1024 * KiB;
          const lazy = new SparseVolume(size, { trackBytes: 4 * KiB, sha256 });
          const eager = new SparseVolume(size, { trackBytes: 4 * KiB, sha256 });
          const prng = new Prng(99);
          for (const w of writes) {
            const offset = w.chunk * 4 * KiB + (w.partial ? 100 : 0);
            const length = Math.min(w.chunks * 4 * KiB - (w.partial ? 200 : 0), size - offset);
            const payload = prng.payload(length);
            lazy.writeImmutable(offset, payload);
            eager.write(offset, payload.bytes().slice());
          }
          expect(lazy.contentHash()).toBe(eager.contentHash());
          expect(same(lazy.read(0, size), eager.read(0, size))).toBe(true);
          const copy = new SparseVolume(size, { trackBytes: 4 * KiB, sha256 });
          copy.copyRangeFrom(lazy, 0, size);
          expect(copy.contentHash()).toBe(eager.contentHash());
        },
      ),
      { numRuns: 40 },
    );
  });

  it('four stores of the same 4 KiB recipes hash like one (each block digest once)', () => {
    let blocks = 0;
    const counting = (d: Uint8Array) => {
      if (d.length === 64 * KiB) blocks++;
      return sha256(d);
    };
    const prng = new Prng(5);
    const payloads = Array.from({ length: 200 }, (_, i) => ({ offset: ((i * 97) % 1024) * 4 * KiB, data: prng.payload(4 * KiB) }));
    const stores = Array.from({ length: 4 }, () => new SparseVolume(4096 * KiB, { trackBytes: 4 * KiB, sha256: counting }));
    for (const s of stores) for (const p of payloads) s.writeImmutable(p.offset, p.data);
    const hash = stores[0]!.contentHash();
    const once = blocks;
    for (const s of stores) expect(s.contentHash()).toBe(hash);
    expect(blocks).toBe(once);
    expect(payloads[0]!.data).toBeInstanceOf(GeneratedBytes);
  });
});

describe('ChunkedBytes: a copy track taken from a volume by reference', () => {
  it('reads exactly the bytes the volume held when it was taken, shares whole chunks, and a later write at the sender does not change it', async () => {
    const { SparseVolume } = await import('./sparse-volume');
    const { ChunkedBytes, payloadBytes } = await import('./payload');
    const v = new SparseVolume(64 * 1024, { trackBytes: 4096 });
    const a = new Uint8Array(4096).fill(7);
    v.writeImmutable(0, a); // kept by reference
    v.write(8192, new Uint8Array(100).fill(9)); // an owned, partly written chunk
    const before = v.read(0, 16384);
    const taken = v.takeRange(0, 16384);
    expect(taken).toBeInstanceOf(ChunkedBytes);
    expect(payloadBytes(taken)).toEqual(before);
    // The immutable chunk is the very buffer; the owned one was copied, so writing it in place leaves the taken bytes alone.
    expect(taken.subarray(0, 4096)).toBe(a);
    v.write(8192, new Uint8Array(100).fill(1));
    expect(payloadBytes(taken)).toEqual(before);
    // Any cut reads the same bytes as the materialised whole; an unwritten chunk reads zeros.
    for (const [s, e] of [[100, 5000], [4096, 8192], [8000, 12000], [12288, 16384], [0, 16384]] as const) {
      expect(payloadBytes(taken.subarray(s, e))).toEqual(before.subarray(s, e));
    }
    // A receiver keeps the shared chunk: same content hash as the sender for that range, computed once.
    const w = new SparseVolume(64 * 1024, { trackBytes: 4096 });
    w.writeImmutable(0, taken);
    expect(w.read(0, 16384)).toEqual(before);
    expect(w.peekTrack(0)).toBe(a);
  });
});

describe('ChunkedBytes: unwritten chunks', () => {
  it('read as zeros from one shared buffer (a copy of a sparse track allocates nothing per unwritten chunk)', () => {
    const written = new GeneratedBytes(7, 4096);
    const run = new ChunkedBytes(4096, [undefined, written, undefined]);
    const a = run.subarray(0, 4096);
    const c = run.subarray(8192, 12288);
    expect(a).toBeInstanceOf(Uint8Array);
    expect(isAllZero(a as Uint8Array)).toBe(true);
    expect(c).toBe(a);
    expect(run.subarray(4096, 8192)).toBe(written);
    // Read whole, the zeros and the generated bytes land where they belong.
    const all = run.bytes();
    expect(isAllZero(all.subarray(0, 4096))).toBe(true);
    expect(all.subarray(4096, 8192)).toEqual(written.bytes());
    expect(isAllZero(all.subarray(8192))).toBe(true);
  });
});
