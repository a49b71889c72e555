// Verify at a consistent point, off the run's path: hold host writes, drain, freeze the volumes (copy-on-write), resume, hash the frozen copies in slices between the run's ticks.
import type { Engine } from './engine';
import { composedContentHash, HASH_BLOCK_BYTES, SparseVolume, type Sha256 } from './data/sparse-volume';

/** Longest the drain may run in virtual time, and in wall time, before Verify hashes anyway and says what is in flight. */
export const MAX_DRAIN_US = 10_000_000;
export const MAX_DRAIN_WALL_MS = 1500;
/** Wall time one hashing slice may take before the run's tick gets its turn. */
export const HASH_SLICE_MS = 8;

/** What keeps the run from being settled, in words. */
export function inFlight(engine: Engine): string[] {
  const out: string[] = [];
  for (const p of engine.snapshot({ afterSeq: engine.lastStepSeq }).pairs) {
    if (p.state === 'COPY') out.push(`pair ${p.id} is copying (${Math.floor(p.copyProgress * 100)}% done)`);
    else if (p.state === 'suspending' || p.state === 'deleting') out.push(`pair ${p.id} is ${p.state}`);
    else if (p.mode === 'async' && (p.lagBytes ?? 0) > 0) out.push(`pair ${p.id} still has ${p.lagBytes} bytes in its journal`);
  }
  if (!out.length && !engine.settled()) out.push('writes or destages were still in flight');
  return out;
}

/** The content of some volumes frozen at one moment: copy-on-write clones of the stores under them (cheap: buffers are shared). */
export interface FrozenVolumes {
  stores: Map<string, SparseVolume>;
  volumes: { id: string; size: number; extents: { volumeOffset: number; length: number; storeId: string; storeOffset: number }[] }[];
}

export function freeze(engine: Engine, volumeIds: readonly string[]): FrozenVolumes {
  const stores = new Map<string, SparseVolume>();
  const volumes: FrozenVolumes['volumes'] = [];
  for (const id of volumeIds) {
    if (!engine.stack.volumes.has(id)) continue;
    const extents = engine.stack.extentsOf(id).map((e) => ({ volumeOffset: e.volumeOffset, length: e.length, storeId: e.storeId, storeOffset: e.storeOffset }));
    for (const e of extents) if (!stores.has(e.storeId)) stores.set(e.storeId, engine.stack.stores.get(e.storeId)!.clone());
    volumes.push({ id, size: engine.stack.sizeOf(id), extents });
  }
  return { stores, volumes };
}

/**
 * Hashes frozen volumes a slice at a time, awaiting `yieldToRun` between slices so the run's ticks go on (the run writes
 * to its own stores, not to the frozen clones). Same hashes as Engine.volumeHash at the moment of freezing.
 */
export async function hashInSlices(frozen: FrozenVolumes, sha256: Sha256 | undefined, nowMs: () => number, yieldToRun: () => Promise<void>): Promise<Record<string, string>> {
  let sliceStart = nowMs();
  for (const v of frozen.volumes) {
    for (const e of v.extents) {
      const store = frozen.stores.get(e.storeId)!;
      const last = Math.floor((e.storeOffset + e.length - 1) / HASH_BLOCK_BYTES);
      for (let block = Math.floor(e.storeOffset / HASH_BLOCK_BYTES); block <= last; block++) {
        store.blockDigest(block);
        if ((block & 15) === 0 && nowMs() - sliceStart > HASH_SLICE_MS) {
          await yieldToRun();
          sliceStart = nowMs();
        }
      }
    }
  }
  const out: Record<string, string> = {};
  for (const v of frozen.volumes) {
    const only = v.extents[0];
    const store = only ? frozen.stores.get(only.storeId)! : undefined;
    if (v.extents.length === 1 && only && only.storeOffset === 0 && store && store.sizeBytes === v.size) out[v.id] = store.contentHash();
    else out[v.id] = composedContentHash(v.size, v.extents.map((e) => ({ volumeOffset: e.volumeOffset, length: e.length, source: frozen.stores.get(e.storeId)!, sourceOffset: e.storeOffset })), v.id, sha256);
  }
  return out;
}
