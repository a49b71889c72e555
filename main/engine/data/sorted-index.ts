// An ascending list of integer keys (written tracks, bitmap chunks) with cheap random inserts and removals, rebuilt lazily.

/** What a LazySortedIndex asks whether a key is still present: its owner's map. */
export interface KeyOwner {
  has(key: number): boolean;
}

/**
 * Keeps the keys of a Map in ascending order for "next key >= x" queries without re-sorting on
 * every insert or splicing a large array on every removal:
 * - appends in ascending order go straight to the end (the sequential-write case);
 * - other inserts go into a small sorted side list (a binary search and a short splice), which queries read
 *   beside the main list, and which is merged into it only once it holds a sixteenth of the main list: random
 *   inserts between queries (a copy scanning for written tracks while hosts write at random) cost O(1) amortised
 *   instead of a whole rebuild per query;
 * - removals leave a stale entry that queries skip, and the lists are rebuilt once stale entries
 *   outnumber half of them, so removal stays amortised O(1).
 * `owner.has(key)` tells whether a key is still present in the owner's map. The owner is the map itself, not a
 * closure over it: every index calling its own closure made those calls polymorphic across engines, and a second
 * engine's first query threw the optimised code away ("wrong call target").
 */
export class LazySortedIndex {
  private sorted: number[] = [];
  private side: number[] = [];
  private stale = 0;

  constructor(private readonly owner: KeyOwner) {}

  /** Call when `key` becomes present. */
  add(key: number): void {
    const sorted = this.sorted;
    const side = this.side;
    if (side.length > 0) {
      const inSide = lowerBound(side, key);
      if (side[inSide] === key) {
        this.stale--; // a removed key coming back: its entry is live again
        return;
      }
      if (sorted.length === 0 || sorted[sorted.length - 1]! < key) {
        if (inSide === side.length) {
          sorted.push(key);
          return;
        }
      }
      const at = lowerBound(sorted, key);
      if (sorted[at] === key) {
        this.stale--;
        return;
      }
      side.splice(inSide, 0, key);
      // Bounded here too, not only at query time: writes with nobody asking (random host writes, no copy running)
      // would otherwise grow the side list to the whole volume and make every insert a long splice.
      if (side.length > Math.max(64, sorted.length >> 4)) this.fold();
      return;
    }
    if (sorted.length === 0 || sorted[sorted.length - 1]! < key) {
      sorted.push(key);
      return;
    }
    const at = lowerBound(sorted, key);
    if (sorted[at] === key) this.stale--;
    else side.push(key);
  }

  /** Call when `key` stops being present. */
  remove(_key: number): void {
    this.stale++;
  }

  /** First live key >= from, or undefined. */
  next(from: number): number | undefined {
    this.tidy();
    const a = this.firstLive(this.sorted, from);
    if (this.side.length === 0) return a;
    const b = this.firstLive(this.side, from);
    if (a === undefined) return b;
    return b === undefined || a < b ? a : b;
  }

  /** Live keys >= from, ascending. Do not add keys while iterating. */
  *from(from: number): IterableIterator<number> {
    this.tidy();
    const sorted = this.sorted;
    const side = this.side;
    let i = lowerBound(sorted, from);
    let j = side.length === 0 ? 0 : lowerBound(side, from);
    while (i < sorted.length || j < side.length) {
      const key = j >= side.length || (i < sorted.length && sorted[i]! < side[j]!) ? sorted[i++]! : side[j++]!;
      if (this.owner.has(key)) yield key;
    }
  }

  /** Live keys in [first, last], ascending, as an array (safe to mutate the owner afterwards). */
  between(first: number, last: number): number[] {
    const out: number[] = [];
    for (const key of this.from(first)) {
      if (key > last) break;
      out.push(key);
    }
    return out;
  }

  clear(): void {
    this.sorted = [];
    this.side = [];
    this.stale = 0;
  }

  /** A copy for an owner whose map was copied (same keys), bound to the new owner's liveness. */
  cloneFor(owner: KeyOwner): LazySortedIndex {
    const copy = new LazySortedIndex(owner);
    copy.sorted = [...this.sorted];
    copy.side = [...this.side];
    copy.stale = this.stale;
    return copy;
  }

  private firstLive(list: readonly number[], from: number): number | undefined {
    for (let i = lowerBound(list, from); i < list.length; i++) {
      const key = list[i]!;
      if (this.owner.has(key)) return key;
    }
    return undefined;
  }

  /**
   * Merges at query time, never inside add/remove: an owner may call add before its map holds the key (and remove
   * before it lets go), so liveness is only read when someone asks.
   */
  private tidy(): void {
    if (this.side.length > Math.max(64, this.sorted.length >> 4) || this.stale > Math.max(64, (this.sorted.length + this.side.length) >> 1)) this.merge();
  }

  /** Folds the side list into the main list without reading liveness (add may run before the owner's map has the key). */
  private fold(): void {
    const side = this.side;
    const sorted = this.sorted;
    // Built by push, as every list here is: a list made with new Array(n) has another elements kind (holey), and code
    // optimised for one kind is thrown away when it meets the other (a fresh index of a second engine).
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    while (i < sorted.length || j < side.length) merged.push(j >= side.length || (i < sorted.length && sorted[i]! < side[j]!) ? sorted[i++]! : side[j++]!);
    this.sorted = merged;
    this.side = [];
  }

  /** One ascending list of the live keys, no side list, nothing stale. */
  private merge(): void {
    const side = this.side;
    const sorted = this.sorted;
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    while (i < sorted.length || j < side.length) {
      const key = j >= side.length || (i < sorted.length && sorted[i]! <= side[j]!) ? sorted[i++]! : side[j++]!;
      if (merged[merged.length - 1] !== key && this.owner.has(key)) merged.push(key);
    }
    this.sorted = merged;
    this.side = [];
    this.stale = 0;
  }
}

/** Index of the first element >= value in an ascending array. */
export function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
