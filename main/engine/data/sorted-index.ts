// An ascending list of integer keys (written tracks, bitmap chunks) with cheap random inserts and removals, rebuilt lazily.

/**
 * Keeps the keys of a Map in ascending order for "next key >= x" queries without re-sorting on
 * every insert or splicing a large array on every removal:
 * - appends in ascending order go straight to the end (the sequential-write case);
 * - other inserts wait in a small unsorted buffer, merged at the next query;
 * - removals leave a stale entry that queries skip, and the list is rebuilt once stale entries
 *   outnumber half of it, so removal stays amortised O(1).
 * `isLive(key)` tells whether a key is still present in the owner's map.
 */
export class LazySortedIndex {
  private sorted: number[] = [];
  private pending: number[] = [];
  private stale = 0;

  constructor(private readonly isLive: (key: number) => boolean) {}

  /** Call when `key` becomes present. */
  add(key: number): void {
    const sorted = this.sorted;
    if (this.pending.length === 0 && (sorted.length === 0 || sorted[sorted.length - 1]! < key)) {
      sorted.push(key);
      return;
    }
    const at = lowerBound(sorted, key);
    if (sorted[at] === key) this.stale--; // a removed key coming back: its entry is live again
    else this.pending.push(key);
  }

  /** Call when `key` stops being present. */
  remove(_key: number): void {
    this.stale++;
  }

  /** First live key >= from, or undefined. */
  next(from: number): number | undefined {
    const sorted = this.view();
    for (let i = lowerBound(sorted, from); i < sorted.length; i++) {
      const key = sorted[i]!;
      if (this.isLive(key)) return key;
    }
    return undefined;
  }

  /** Live keys >= from, ascending. Do not add keys while iterating. */
  *from(from: number): IterableIterator<number> {
    const sorted = this.view();
    for (let i = lowerBound(sorted, from); i < sorted.length; i++) {
      const key = sorted[i]!;
      if (this.isLive(key)) yield key;
    }
  }

  /** Live keys in [first, last], ascending, as an array (safe to mutate the owner afterwards). */
  between(first: number, last: number): number[] {
    const sorted = this.view();
    const out: number[] = [];
    for (let i = lowerBound(sorted, first); i < sorted.length && sorted[i]! <= last; i++) {
      if (this.isLive(sorted[i]!)) out.push(sorted[i]!);
    }
    return out;
  }

  clear(): void {
    this.sorted = [];
    this.pending = [];
    this.stale = 0;
  }

  /** A copy for an owner whose map was copied (same keys), bound to the new owner's liveness. */
  cloneFor(isLive: (key: number) => boolean): LazySortedIndex {
    const copy = new LazySortedIndex(isLive);
    copy.sorted = [...this.sorted];
    copy.pending = [...this.pending];
    copy.stale = this.stale;
    return copy;
  }

  private view(): number[] {
    if (this.pending.length > 0 || this.stale > Math.max(64, this.sorted.length >> 1)) this.rebuild();
    return this.sorted;
  }

  private rebuild(): void {
    const pending = this.pending.sort((a, b) => a - b);
    const sorted = this.sorted;
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    while (i < sorted.length || j < pending.length) {
      const key = j >= pending.length || (i < sorted.length && sorted[i]! <= pending[j]!) ? sorted[i++]! : pending[j++]!;
      if (merged[merged.length - 1] !== key && this.isLive(key)) merged.push(key);
    }
    this.sorted = merged;
    this.pending = [];
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
