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
 * Copies keep the engine's own hidden classes (V8 maps), so that code optimised for the run's objects runs a restored
 * run at full speed. Objects made with Object.create have other maps than the same objects made by a literal or a
 * constructor (and arrays pre-sized with new Array(n) holey elements): measured on a 10-minute FIG. 1 run, the first
 * seek back deoptimised the engine's hot code ("wrong map") and cost ~0.3 s of CPU more than a later seek replaying
 * as far. So:
 * - an array is sliced (keeps its elements kind), then its objects are replaced by their copies;
 * - restore takes over the objects of the live run it replaces (any one with the same prototype and the same fields,
 *   in the same order, each once) and overwrites every field: they have the maps the code was optimised for. Only
 *   beyond those (more records in flight at the checkpoint than now) it makes objects with Object.create.
 */
/** Objects of the replaced run a restore may take over, by prototype and field list. */
type Spares = Map<object, Map<string, object[]>>;

function fieldList(o: object): string {
  return Object.keys(o).join('\u0000');
}

/** Objects a copy shares, or copies whole by their own clone method: neither copied field by field nor taken over. */
function copiedWhole(v: object, shared: WeakSet<object>): boolean {
  return (
    shared.has(v) ||
    constants.has(v) ||
    Object.isFrozen(v) ||
    v instanceof GeneratedBytes ||
    v instanceof ChunkedBytes ||
    ArrayBuffer.isView(v) ||
    v instanceof SparseVolume ||
    v instanceof DifferentialBitmap
  );
}

/** The objects under `live` (a run about to be replaced by a restore) that a copy may take over, its root excepted. */
function sparesOf(live: object, shared: WeakSet<object>): Spares {
  const spares: Spares = new Map();
  const seen = new Set<object>([live]);
  const stack: unknown[] = Object.values(live);
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v) || copiedWhole(v, shared)) continue;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else {
      const proto = Object.getPrototypeOf(v) as object | null;
      if (proto !== null && !(v instanceof WeakMap) && !(v instanceof WeakSet)) {
        let byFields = spares.get(proto);
        if (!byFields) spares.set(proto, (byFields = new Map()));
        const fields = fieldList(v);
        const list = byFields.get(fields);
        if (list) list.push(v);
        else byFields.set(fields, [v]);
      }
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return spares;
}

/**
 * Deep-copies the object graph under `root` (identity kept: an object reached twice is copied once; class instances
 * keep their class). `memo` may map the root to an existing object in advance: restore maps the checkpoint's root to
 * the live engine, whose class instances are then taken over (see above); every field of a taken-over object is
 * overwritten and each is taken once, so nothing of the replaced run stays reachable. Volumes' stores are copied by
 * SparseVolume.clone (copy-on-write) and bitmaps by their own clone; payloads (host Uint8Arrays, immutable once
 * written; generated recipes; a copy's chunk runs) and frozen objects (step events) are shared.
 */
export function copyState<T extends object>(root: T, topology: Topology, memo = new Map<unknown, unknown>()): T {
  const shared = sharedSet(topology);
  const preset = memo.get(root) as Record<string, unknown> | undefined;
  const spares = preset ? sparesOf(preset, shared) : undefined;
  const spareFor = (v: object): Record<string, unknown> | undefined => {
    const list = spares?.get(Object.getPrototypeOf(v) as object)?.get(fieldList(v));
    return list?.pop() as Record<string, unknown> | undefined;
  };
  const fill = (v: object, o: Record<string, unknown>): void => {
    for (const k of Object.keys(v)) o[k] = copy((v as Record<string, unknown>)[k], k);
  };
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
      const a: unknown[] = v.slice();
      memo.set(v, a);
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if ((typeof x === 'object' && x !== null) || typeof x === 'function') a[i] = copy(x, key);
      }
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
      const o = spareFor(v) ?? (Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>);
      memo.set(v, o);
      fill(v, o);
      return o;
    }
    memo.set(v, out);
    return out;
  };
  const target = preset ?? (Object.create(Object.getPrototypeOf(root) as object) as Record<string, unknown>);
  if (!preset) memo.set(root, target);
  fill(root, target);
  return target as T;
}
