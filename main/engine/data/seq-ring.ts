// Records keyed by a sequence number whose live keys stay within a window (a journal's records sent or arrived): a ring array instead of a Map.
import { assertNonNegativeInteger } from './errors';

/**
 * A map from sequence number to record for keys that live in a sliding window (a journal's records on the link or
 * arrived: taken in order, freed nearly in order). A ring of slots indexed by `seq & mask`, grown when the window of
 * live keys outgrows it. A Map under the same churn (one set and one delete per record) rebuilt its table every time
 * it shrank: a tenth of what FIG. 12's data path allocated.
 */
export class SeqRing<T> {
  private seqs: number[] = new Array<number>(16).fill(-1);
  private items: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  private mask = 15;
  /** Every live key is in [lo, hi). */
  private lo = 0;
  private hi = 0;
  size = 0;

  get(seq: number): T | undefined {
    const i = seq & this.mask;
    return this.seqs[i] === seq ? this.items[i] : undefined;
  }

  has(seq: number): boolean {
    return this.seqs[seq & this.mask] === seq;
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
    if (this.seqs[i] !== seq) {
      this.seqs[i] = seq;
      this.size++;
    }
    this.items[i] = value;
    return this;
  }

  delete(seq: number): boolean {
    const i = seq & this.mask;
    if (this.seqs[i] !== seq) return false;
    this.seqs[i] = -1;
    this.items[i] = undefined;
    this.size--;
    if (this.size === 0) {
      this.lo = this.hi = 0;
      return true;
    }
    // Keep the window tight: the lowest live key moves up past freed ones (each slot is passed once per round).
    if (seq === this.lo) while (this.seqs[this.lo & this.mask] !== this.lo) this.lo++;
    if (seq === this.hi - 1) while (this.seqs[(this.hi - 1) & this.mask] !== this.hi - 1) this.hi--;
    return true;
  }

  clear(): void {
    if (this.size === 0) return;
    this.seqs.fill(-1);
    this.items.fill(undefined);
    this.size = 0;
    this.lo = this.hi = 0;
  }

  /** The records in key order. */
  *values(): IterableIterator<T> {
    for (let seq = this.lo; seq < this.hi; seq++) {
      const i = seq & this.mask;
      if (this.seqs[i] === seq) yield this.items[i]!;
    }
  }

  private grow(): void {
    const seqs = this.seqs;
    const items = this.items;
    const size = seqs.length * 2;
    this.seqs = new Array<number>(size).fill(-1);
    this.items = new Array<T | undefined>(size).fill(undefined);
    this.mask = size - 1;
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      if (seq < 0) continue;
      this.seqs[seq & this.mask] = seq;
      this.items[seq & this.mask] = items[i];
    }
  }
}
