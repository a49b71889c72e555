// Checkpoints: a deep copy of a run's state (everything is data: records, queues, heap arrays), with the volumes' bytes shared copy-on-write and the compiled topology shared, not copied.
import type { Topology } from '../../app/model/schema';
import { PAIR_STATE_RULES } from '../../app/engine/pair-rules';
import { DifferentialBitmap } from './data/bitmap';
import { ChunkedBytes, GeneratedBytes } from './data/payload';
import { SparseVolume } from './data/sparse-volume';
import { EngineInvariantError } from './sim';
import { pairsChanged } from './pairs';

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
 * Restore keeps the engine's own hidden classes (V8 maps) and field states, so that the code optimised for the run
 * goes on running the restored run. Measured on a 10-minute FIG. 1 run, the first seek back used to cost ~0.3 s of
 * CPU more than a later one replaying as far: objects made with Object.create have other maps than the same objects
 * made by a literal or a constructor ("wrong map" deoptimisations, then polymorphic code that ran the rest of the run
 * ~30% slower), arrays pre-sized with new Array(n) have holey elements, and writing a new value into a field V8 had
 * seen written only once (e.g. a `readonly slots = new Map()`) throws away every optimised function that relied on it.
 * So a restore takes over the live run it replaces:
 * - an object, array, Map, Set or typed array of the live run at the same place (field, index or map key) is reused
 *   when it matches (same prototype and fields in the same order; same length for a typed array), else any other
 *   object of the live run with the same prototype and fields; each at most once;
 * - a reused object gets every field of the checkpoint's, written only where the value differs (a container reused
 *   at the same place stays the same value); a reused container is refilled;
 * - only beyond those (e.g. more records in flight at the checkpoint than now) it makes new objects (Object.create;
 *   arrays sliced, which keeps their elements kind).
 * Nothing of the replaced run stays reachable unless reused, and the checkpoint itself is only read.
 */
/** Objects of the replaced run a restore may take over, by prototype and field list. */
type Spares = Map<object, Map<string, object[]>>;

function fieldList(o: object): string {
  return Object.keys(o).join('\u0000');
}

function sameFields(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false;
  return true;
}

/** Objects a copy shares, or copies whole by their own clone method: neither copied field by field nor taken over. */
function copiedWhole(v: object, shared: WeakSet<object>): boolean {
  return (
    shared.has(v) ||
    constants.has(v) ||
    Object.isFrozen(v) ||
    v instanceof GeneratedBytes ||
    v instanceof ChunkedBytes ||
    v instanceof SparseVolume ||
    v instanceof DifferentialBitmap
  );
}

function isRecord(v: object): boolean {
  return !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Map) && !(v instanceof Set) && !(v instanceof WeakMap) && !(v instanceof WeakSet);
}

/** The records (plain objects and class instances) under `live`, a run about to be replaced by a restore; its root excepted. */
function sparesOf(live: object, shared: WeakSet<object>): Spares {
  const spares: Spares = new Map();
  const seen = new Set<object>([live]);
  const stack: unknown[] = Object.values(live);
  while (stack.length) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || seen.has(v) || copiedWhole(v, shared) || ArrayBuffer.isView(v)) continue;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (isRecord(v)) {
      const proto = Object.getPrototypeOf(v) as object | null;
      if (proto !== null) {
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
 * the live engine, and the rest of the live run is taken over (see above). Volumes' stores are copied by
 * SparseVolume.clone (copy-on-write) and bitmaps by their own clone; payloads (host Uint8Arrays, immutable once
 * written; generated recipes; a copy's chunk runs) and frozen objects (step events) are shared.
 */
export function copyState<T extends object>(root: T, topology: Topology, memo = new Map<unknown, unknown>()): T {
  // Lists of pairs kept per volume are made again after a restore (their fields are written without the setters).
  pairsChanged();
  const shared = sharedSet(topology);
  const preset = memo.get(root) as Record<string, unknown> | undefined;
  const spares = preset ? sparesOf(preset, shared) : undefined;
  /** Objects of the live run taken over. */
  const taken = new Set<unknown>();
  /** `live` when the copy of `v` may take it over. */
  const takeable = (live: unknown): live is object => spares !== undefined && typeof live === 'object' && live !== null && !taken.has(live) && !copiedWhole(live, shared);
  const spareFor = (v: object, live: unknown): Record<string, unknown> | undefined => {
    if (takeable(live) && isRecord(live) && Object.getPrototypeOf(live) === Object.getPrototypeOf(v) && sameFields(live, v)) return live as Record<string, unknown>;
    const list = spares?.get(Object.getPrototypeOf(v) as object)?.get(fieldList(v));
    while (list?.length) {
      const o = list.pop()!;
      if (!taken.has(o)) return o as Record<string, unknown>;
    }
    return undefined;
  };
  /** Copies `v`'s fields into `o`; `reusing` when `o` is of the live run (its current values are the live ones at those places). */
  const fill = (v: object, o: Record<string, unknown>, reusing: boolean): void => {
    for (const k of Object.keys(v)) {
      const x = copy((v as Record<string, unknown>)[k], k, reusing ? o[k] : undefined);
      if (!reusing || o[k] !== x) o[k] = x;
    }
  };
  const copy = (v: unknown, key: string, live: unknown): unknown => {
    if (typeof v === 'function') {
      if (SHARED_FUNCTION_FIELDS.has(key)) return v;
      throw new EngineInvariantError('checkpoint', `a function in field ${key} holds state that cannot be copied`);
    }
    if (typeof v !== 'object' || v === null) return v;
    const known = memo.get(v);
    if (known !== undefined) return known;
    if (shared.has(v) || constants.has(v) || Object.isFrozen(v) || v instanceof GeneratedBytes || v instanceof ChunkedBytes || v instanceof Uint8Array) return v;
    if (v instanceof SparseVolume || v instanceof DifferentialBitmap) {
      const out = v.clone();
      memo.set(v, out);
      return out;
    }
    if (ArrayBuffer.isView(v)) {
      const typed = v as unknown as { length: number; slice(): unknown; constructor: unknown };
      if (takeable(live) && !(v instanceof DataView) && ArrayBuffer.isView(live) && live.constructor === typed.constructor && (live as unknown as { length: number }).length === typed.length) {
        taken.add(live);
        (live as unknown as { set(a: unknown): void }).set(v);
        memo.set(v, live);
        return live;
      }
      const out = typed.slice();
      memo.set(v, out);
      return out;
    }
    if (Array.isArray(v)) {
      if (takeable(live) && Array.isArray(live)) {
        taken.add(live);
        memo.set(v, live);
        const items = v.slice();
        for (let i = 0; i < items.length; i++) {
          const x = items[i];
          if ((typeof x === 'object' && x !== null) || typeof x === 'function') items[i] = copy(x, key, live[i]);
        }
        if (live.length > items.length) live.length = items.length;
        for (let i = 0; i < items.length; i++) {
          if (i >= live.length) live.push(items[i]);
          else if (live[i] !== items[i]) live[i] = items[i];
        }
        return live;
      }
      const a: unknown[] = v.slice();
      memo.set(v, a);
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if ((typeof x === 'object' && x !== null) || typeof x === 'function') a[i] = copy(x, key, undefined);
      }
      return a;
    }
    if (v instanceof Map) {
      const reuse = takeable(live) && live instanceof Map;
      const m = reuse ? (live as Map<unknown, unknown>) : new Map();
      if (reuse) taken.add(m);
      memo.set(v, m);
      const entries: [unknown, unknown][] = [];
      for (const [k, x] of v) entries.push([copy(k, key, undefined), copy(x, key, reuse && (typeof k !== 'object' || k === null) ? m.get(k) : undefined)]);
      if (reuse) m.clear();
      for (const [k, x] of entries) m.set(k, x);
      return m;
    }
    if (v instanceof Set) {
      const reuse = takeable(live) && live instanceof Set;
      const s = reuse ? (live as Set<unknown>) : new Set();
      if (reuse) taken.add(s);
      memo.set(v, s);
      const items: unknown[] = [];
      for (const x of v) items.push(copy(x, key, undefined));
      if (reuse) s.clear();
      for (const x of items) s.add(x);
      return s;
    }
    if (v instanceof WeakMap || v instanceof WeakSet) throw new EngineInvariantError('checkpoint', `field ${key} is a weak collection and cannot be copied`);
    const spare = spareFor(v, live);
    if (spare) taken.add(spare);
    const o = spare ?? (Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>);
    memo.set(v, o);
    fill(v, o, spare !== undefined);
    return o;
  };
  const target = preset ?? (Object.create(Object.getPrototypeOf(root) as object) as Record<string, unknown>);
  if (!preset) memo.set(root, target);
  else taken.add(preset);
  fill(root, target, preset !== undefined);
  return target as T;
}
