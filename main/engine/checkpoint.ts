// Checkpoints: a deep copy of a run's state (everything is data: records, queues, heap arrays), with the volumes' bytes shared copy-on-write and the compiled topology shared, not copied.
import type { Topology } from '../../app/model/schema';
import { PAIR_STATE_RULES } from '../../app/engine/pair-rules';
import { DifferentialBitmap } from './data/bitmap';
import { ChunkedBytes, GeneratedBytes } from './data/payload';
import { SparseVolume } from './data/sparse-volume';
import { EngineInvariantError } from './sim';

/**
 * Functions a run's state may hold, by field name: the host's callbacks and hash function (shared by a copy, never
 * state). Any other function found while copying is a closure holding state, a bug: the copy refuses it.
 */
const SHARED_FUNCTION_FIELDS = new Set(['onStep', 'sha256', 'done']);

/** Objects a copy shares: the topology (immutable during a run) and the constant tables. Filled per topology. */
const sharedByTopology = new WeakMap<Topology, WeakSet<object>>();
const constants = new WeakSet<object>();
for (const row of Object.values(PAIR_STATE_RULES)) constants.add(row);

/** Marks an immutable object (e.g. a trace's compiled schedule) so that copies share it. */
export function shareInCopies(o: object): void {
  constants.add(o);
}

function sharedSet(topology: Topology): WeakSet<object> {
  let set = sharedByTopology.get(topology);
  if (set) return set;
  set = new WeakSet();
  const stack: unknown[] = [topology];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || set.has(v)) continue;
    set.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (typeof x === 'object' && x !== null) stack.push(x);
  }
  sharedByTopology.set(topology, set);
  return set;
}

/**
 * Deep-copies the object graph under `root` (identity kept: an object reached twice is copied once; class instances
 * keep their class). `memo` may map objects to their copies in advance (restore maps the checkpoint's root to the
 * live engine). Volumes' stores are copied by SparseVolume.clone (copy-on-write) and bitmaps by their own clone;
 * payloads (host Uint8Arrays, immutable once written; generated recipes; a copy's chunk runs) and frozen objects (step
 * events) are shared.
 */
export function copyState<T extends object>(root: T, topology: Topology, memo = new Map<unknown, unknown>()): T {
  const shared = sharedSet(topology);
  const copy = (v: unknown, key: string): unknown => {
    if (typeof v === 'function') {
      if (SHARED_FUNCTION_FIELDS.has(key)) return v;
      throw new EngineInvariantError('checkpoint', `a function in field ${key} holds state that cannot be copied`);
    }
    if (typeof v !== 'object' || v === null) return v;
    const known = memo.get(v);
    if (known !== undefined) return known;
    if (shared.has(v) || constants.has(v) || Object.isFrozen(v) || v instanceof GeneratedBytes || v instanceof ChunkedBytes || v instanceof Uint8Array) return v;
    let out: unknown;
    if (v instanceof SparseVolume) out = v.clone();
    else if (v instanceof DifferentialBitmap) out = v.clone();
    else if (ArrayBuffer.isView(v)) out = (v as unknown as { slice(): unknown }).slice();
    else if (Array.isArray(v)) {
      const a: unknown[] = new Array(v.length);
      memo.set(v, a);
      for (let i = 0; i < v.length; i++) a[i] = copy(v[i], key);
      return a;
    } else if (v instanceof Map) {
      const m = new Map();
      memo.set(v, m);
      for (const [k, x] of v) m.set(copy(k, key), copy(x, key));
      return m;
    } else if (v instanceof Set) {
      const s = new Set();
      memo.set(v, s);
      for (const x of v) s.add(copy(x, key));
      return s;
    } else if (v instanceof WeakMap || v instanceof WeakSet) {
      throw new EngineInvariantError('checkpoint', `field ${key} is a weak collection and cannot be copied`);
    } else {
      const o = Object.create(Object.getPrototypeOf(v) as object) as Record<string, unknown>;
      memo.set(v, o);
      for (const k of Object.keys(v)) o[k] = copy((v as Record<string, unknown>)[k], k);
      return o;
    }
    memo.set(v, out);
    return out;
  };
  const out = Object.create(Object.getPrototypeOf(root) as object) as Record<string, unknown>;
  if (!memo.has(root)) memo.set(root, out);
  const target = memo.get(root) as Record<string, unknown>;
  for (const k of Object.keys(root)) target[k] = copy((root as Record<string, unknown>)[k], k);
  return target as T;
}
