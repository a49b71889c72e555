// Fills a real volume's store with the data the file says it starts with (volume initialFill), deterministically.
import { initialFillBytes, MAX_INITIAL_FILL_BYTES, type InitialFill } from '../../app/model/schema';
import { TopologyError } from './mapping';
import type { SparseVolume } from './data/sparse-volume';

/** Bytes of the seeded pool the filled tracks take their content from (shared by reference: memory stays this small). */
const POOL_BYTES = 4 * 1024 * 1024;

/** FNV-1a of the fill's seed (the volume id by default): a file always starts with the same bytes, whatever the run's seed. */
function seedOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0 || 1;
}

/** xorshift32: small, fast and reproducible on every platform. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Which tracks of `count` hold data: the first ones ('front'), or a seeded choice spread over the volume ('scattered'). */
export function filledTracks(count: number, fill: InitialFill, seed: number): number[] {
  const n = Math.min(count, Math.round(count * fill.fraction));
  if (n <= 0) return [];
  if (fill.pattern === 'front') return Array.from({ length: n }, (_, i) => i);
  // Floyd's sampling: exactly n distinct tracks in O(n) time and memory, whatever the volume's size (a 64 TiB volume
  // has 268M tracks; a permutation of them would not fit in memory).
  const next = xorshift(seed ^ 0x9e3779b9);
  const chosen = new Set<number>();
  for (let j = count - n; j < count; j++) {
    const t = next() % (j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/**
 * Writes the volume's starting data into its store: `fraction` of its tracks (of `trackBytes`, the system's track size),
 * each a slice of one seeded pool of bytes, kept by reference (writeImmutable), so a 1 GiB volume half full costs the
 * pool's few MiB, and copies of it to secondaries share the same buffers until written.
 */
export function fillVolume(store: SparseVolume, volumeId: string, fill: InitialFill, trackBytes: number): number {
  const count = Math.ceil(store.sizeBytes / trackBytes);
  // Validation refuses such a file (fill-too-large); this guards callers that skip it.
  if (initialFillBytes(store.sizeBytes, fill) > MAX_INITIAL_FILL_BYTES) throw new TopologyError(volumeId, `its starting data (initialFill) is over ${MAX_INITIAL_FILL_BYTES / 2 ** 30} GiB`);
  const seed = seedOf(fill.seed ?? volumeId);
  const tracks = filledTracks(count, fill, seed);
  if (!tracks.length) return 0;
  const next = xorshift(seed);
  const pool = new Uint8Array(Math.max(POOL_BYTES, trackBytes * 2));
  const words = new Uint32Array(pool.buffer);
  for (let i = 0; i < words.length; i++) words[i] = next();
  const slots = Math.floor((pool.length - trackBytes) / 4096) + 1;
  for (const track of tracks) {
    const offset = track * trackBytes;
    const length = Math.min(trackBytes, store.sizeBytes - offset);
    const from = (next() % slots) * 4096;
    store.writeImmutable(offset, pool.subarray(from, from + length));
  }
  return tracks.length;
}
