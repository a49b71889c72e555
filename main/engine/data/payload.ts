// Generated workload bytes kept as their recipe (a generator seed and a length) until something reads or hashes them.

/**
 * Fills `out` with the payload stream of `seed` (a nonzero xorshift32 state): word-wise when `out` is word-aligned
 * (each 32-bit word is the next state), then byte-wise (the low byte of each next state). `Prng.fill` is this with one
 * draw of the main generator as the seed, so a GeneratedBytes materialises exactly the bytes an eager fill gave.
 */
export function fillPayloadStream(out: Uint8Array, seed: number): void {
  let x = seed;
  const n = out.length;
  const words = out.byteOffset % 4 === 0 ? new Uint32Array(out.buffer, out.byteOffset, n >>> 2) : undefined;
  let i = 0;
  if (words) {
    for (let w = 0; w < words.length; w++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[w] = x;
    }
    i = words.length * 4;
  }
  for (; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 255;
  }
}

/** The most recently materialised stream: the chunks of one payload are usually read one after another. */
let lastStream: { seed: number; length: number; bytes: Uint8Array } | undefined;

function streamBytes(seed: number, length: number): Uint8Array {
  if (lastStream && lastStream.seed === seed && lastStream.length === length) return lastStream.bytes;
  const bytes = new Uint8Array(length);
  fillPayloadStream(bytes, seed);
  lastStream = { seed, length, bytes };
  return bytes;
}

/**
 * A range of a generated payload: `length` bytes from `begin` of the stream of `seed` that is `streamLength` long.
 * Immutable; costs two numbers until `bytes()` materialises it (fresh or shared: callers must not write into it).
 * Has the two members of Uint8Array the engine's write path uses on a payload: `length` and `subarray`.
 */
export class GeneratedBytes {
  readonly length: number;

  constructor(
    readonly seed: number,
    readonly streamLength: number,
    readonly begin = 0,
    length?: number,
  ) {
    this.length = length ?? streamLength - begin;
  }

  subarray(begin = 0, end = this.length): GeneratedBytes {
    const a = Math.max(0, Math.min(begin, this.length));
    const b = Math.max(a, Math.min(end, this.length));
    if (a === 0 && b === this.length) return this;
    return new GeneratedBytes(this.seed, this.streamLength, this.begin + a, b - a);
  }

  /** Whether this is the whole stream (from its first byte to its last), not a range of it. */
  get wholeStream(): boolean {
    return this.begin === 0 && this.length === this.streamLength;
  }

  /** The bytes (read-only by contract). */
  bytes(): Uint8Array {
    const all = streamBytes(this.seed, this.streamLength);
    return this.wholeStream ? all : all.subarray(this.begin, this.begin + this.length);
  }

  /** Whether every byte is zero: never, when the range holds a whole word of the stream (each word is a nonzero state). */
  isAllZero(): boolean {
    const wordEnd = this.streamLength & ~3;
    const firstWord = Math.ceil(this.begin / 4) * 4;
    if (firstWord + 4 <= Math.min(this.begin + this.length, wordEnd)) return false;
    const bytes = this.bytes();
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
    return true;
  }
}

/**
 * A run of whole store chunks taken from a volume by reference (a copy's track: 64 chunks of 4 KiB in a 256 KiB
 * track): each chunk is an immutable payload (or undefined for an unwritten one, reading as zeros). Cutting it at a
 * chunk boundary gives back the very chunk, so the receiving store keeps the same buffer as the sender, and both share
 * its cached block digests; anything else materialises. Costs one array of references until somebody looks.
 */
export class ChunkedBytes {
  readonly length: number;

  constructor(
    readonly chunkBytes: number,
    readonly chunks: readonly (StoredChunk | undefined)[],
    length?: number,
  ) {
    this.length = length ?? chunks.length * chunkBytes;
  }

  subarray(begin = 0, end = this.length): Payload {
    const a = Math.max(0, Math.min(begin, this.length));
    const b = Math.max(a, Math.min(end, this.length));
    if (a === 0 && b === this.length) return this;
    const first = Math.floor(a / this.chunkBytes);
    if (a === first * this.chunkBytes && b - a === this.chunkLength(first)) return this.chunks[first] ?? zeroChunk(b - a);
    return this.materialise(a, b);
  }

  /** The bytes, materialised afresh (read-only by contract). */
  bytes(): Uint8Array {
    return this.materialise(0, this.length);
  }

  /** Bytes [a, b) built from the chunks that overlap them (not the whole run for a small piece). */
  private materialise(a: number, b: number): Uint8Array {
    const out = new Uint8Array(b - a);
    for (let i = Math.floor(a / this.chunkBytes); i * this.chunkBytes < b; i++) {
      const c = this.chunks[i];
      if (!c) continue;
      const start = i * this.chunkBytes;
      const from = Math.max(a, start);
      const to = Math.min(b, start + this.chunkLength(i));
      out.set(payloadBytes(c).subarray(from - start, to - start), from - a);
    }
    return out;
  }

  isAllZero(): boolean {
    return this.chunks.every((c) => c === undefined || (c instanceof GeneratedBytes ? c.isAllZero() : isAllZero(c)));
  }

  private chunkLength(i: number): number {
    return Math.min(this.chunkBytes, this.length - i * this.chunkBytes);
  }
}

/** Bytes a write carries: real bytes, a generated payload not yet materialised, or chunks shared with a volume. */
export type Payload = Uint8Array | GeneratedBytes | ChunkedBytes;

/** What a volume stores per chunk: bytes or a generated recipe (a chunked payload is unpacked into its chunks). */
export type StoredChunk = Uint8Array | GeneratedBytes;

/** A payload as one stored chunk: the chunk itself when a chunked payload holds exactly one, else its bytes. */
export function storedChunk(p: Payload): StoredChunk {
  if (!(p instanceof ChunkedBytes)) return p;
  const only = p.chunks.length === 1 ? p.chunks[0] : undefined;
  return only && only.length === p.length ? only : p.bytes();
}

/**
 * Writes a payload's bytes into `out` (exactly its length): a whole generated stream is generated straight into it,
 * with no buffer of its own and no copy (hashing a volume reads every chunk once, and each used to be made, then copied).
 */
export function copyPayloadInto(p: Payload, out: Uint8Array): void {
  if (p instanceof GeneratedBytes && p.wholeStream && out.byteOffset % 4 === 0) fillPayloadStream(out, p.seed);
  else out.set(p instanceof Uint8Array ? p : p.bytes());
}

/** The bytes of a payload (materialised if generated or chunked; read-only by contract). */
export function payloadBytes(p: Payload): Uint8Array {
  return p instanceof Uint8Array ? p : p.bytes();
}

/**
 * An unwritten chunk of a chunked payload, as bytes: one shared buffer of zeros (read-only, as every payload). A copy's
 * track of 64 chunks, most of them never written, made a fresh 4 KiB buffer for each: replaying FIG. 1's initial copy
 * after a seek allocated ~1 GiB of zeros, and the stores only checked that they were zeros and dropped them.
 */
const ZERO_CHUNK = new Uint8Array(4096);

function zeroChunk(length: number): Uint8Array {
  return length === ZERO_CHUNK.length ? ZERO_CHUNK : new Uint8Array(length);
}

/** Whether every byte is zero: word-wise for the aligned bulk (track buffers are allocated aligned), byte-wise for the tail. */
export function isAllZero(bytes: Uint8Array): boolean {
  if (bytes === ZERO_CHUNK) return true;
  // Data is rarely zero: its first bytes answer before a word view is made (making one costs more than the check).
  const head = Math.min(bytes.length, 16);
  for (let k = 0; k < head; k++) if (bytes[k] !== 0) return false;
  let i = 0;
  if (bytes.byteOffset % 4 === 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4));
    for (let w = 0; w < words.length; w++) if (words[w] !== 0) return false;
    i = words.length * 4;
  }
  for (; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Codes below 2^53: the seed in the low 32 bits, the stream's length (under 2^21 bytes) above them. */
const SEED_SPAN = 2 ** 32;
const CODED_LENGTH_LIMIT = 2 ** 21;

/**
 * A whole generated stream (begin 0, every byte of it) as one positive number, its content's identity: the same code,
 * the same bytes. 0 for any other chunk. Volumes keep workload chunks as their seeds (ChunkTable) and give back a new
 * object each time one is read; block digests are shared by this identity, not by the object.
 */
export function generatedCode(p: Payload): number {
  if (!(p instanceof GeneratedBytes) || !p.wholeStream || p.streamLength <= 0 || p.streamLength >= CODED_LENGTH_LIMIT) return 0;
  return (p.seed >>> 0) + p.streamLength * SEED_SPAN;
}

