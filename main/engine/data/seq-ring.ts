// Records keyed by a sequence number whose live keys stay within a window (a journal's records sent or arrived): a ring array instead of a Map.
import { assertNonNegativeInteger } from './errors';

/**
 * A map from sequence number to record for keys that live in a sliding window (a journal's records on the link or
 * arrived: taken in order, freed nearly in order). A ring of slots indexed by `seq & mask`, grown when the window of
 * live keys outgrows it. A Map under the same churn (one set and one delete per record) rebuilt its table every time
 * it shrank: a tenth of what FIG. 12's data path allocated.
 */
export class SeqRing<T> {
  private keys: number[] = new Array<number>(16).fill(-1);
  private values_: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  private mask = 15;
  /** Every live key is in [lo, hi). */
  private lo = 0;
  private hi = 0;
  size = 0;

  get(seq: number): T | undefined {
    const i = seq & this.mask;
    return this.keys[i] === seq ? this.values_[i] : undefined;
  }

  has(seq: number): boolean {
    return this.keys[seq & this.mask] === seq;
  }

  set(seq: number, value: T): this {
    assertNonNegativeInteger(seq, 'a sequence number');
    if (this.size === 0) {
      this.lo = seq;
      this.hi = seq + 1;
    } else {
      if (seq < this.lo) this.lo = seq;
      if (seq >= this.hi) this.hi = seq + 1;
      while (this.hi - this.lo > this.mask + 1) this.grow();
    }
    const i = seq & this.mask;
    if (this.keys[i] !== seq) {
      this.keys[i] = seq;
      this.size++;
    }
    this.values_[i] = value;
    return this;
  }

  delete(seq: number): boolean {
    const i = seq & this.mask;
    if (this.keys[i] !== seq) return false;
    this.keys[i] = -1;
    this.values_[i] = undefined;
    this.size--;
    if (this.size === 0) {
      this.lo = this.hi = 0;
      return true;
    }
    // Keep the window tight: the lowest live key moves up past freed ones (each slot is passed once per round).
    if (seq === this.lo) while (this.keys[this.lo & this.mask] !== this.lo) this.lo++;
    if (seq === this.hi - 1) while (this.keys[(this.hi - 1) & this.mask] !== this.hi - 1) this.hi--;
    return true;
  }

  clear(): void {
    if (this.size === 0) return;
    this.keys.fill(-1);
    this.values_.fill(undefined);
    this.size = 0;
    this.lo = this.hi = 0;
  }

  /** The records in key order. */
  *values(): IterableIterator<T> {
    for (let seq = this.lo; seq < this.hi; seq++) {
      const i = seq & this.mask;
      if (this.keys[i] === seq) yield this.values_[i]!;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values_;
    const size = keys.length * 2;
    this.keys = new Array<number>(size).fill(-1);
    this.values_ = new Array<T | undefined>(size).fill(undefined);
    this.mask = size - 1;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k < 0) continue;
      this.keys[k & this.mask] = k;
      this.values_[k & this.mask] = values[i];
    }
  }
}
