// Work booked to complete at a time (a cache's destages that need no event): taken earliest first, ties in booking order.
import { doubleFields } from './double-fields';

/**
 * Entries of (time, key, version), kept as numbers in parallel typed arrays: a backlog of booked destages lives long
 * enough to be copied by every young-generation collection, and a record per entry costs that copy. Two stores:
 * a plain queue for entries not earlier than the last one queued there, and a heap for the rest. The disk-adapter
 * lanes hand out completion times in order (the lane free first, plus the same destage time), so nearly every entry
 * goes to the queue and costs no sifting; a write hit joining an earlier destage goes to the heap. `popDue` takes from
 * whichever holds the earliest (time, then booking order): the order one heap alone gives.
 */
export class DueQueue {
  private heapAt = new Float64Array(64);
  private heapSeq = new Float64Array(64);
  private heapKey = new Float64Array(64);
  private heapVer = new Float64Array(64);
  private heapSize = 0;
  private fifoAt = new Float64Array(64);
  private fifoSeq = new Float64Array(64);
  private fifoKey = new Float64Array(64);
  private fifoVer = new Float64Array(64);
  private fifoHead = 0;
  private fifoTail = 0;
  private seq = 0;
  /** The entry the last successful `popDue` took. */
  poppedAt = 0;
  poppedKey = 0;
  poppedVersion = 0;

  constructor() {
    doubleFields(this, 'poppedAt', 'poppedKey', 'poppedVersion');
  }

  get size(): number {
    return this.heapSize + this.fifoTail - this.fifoHead;
  }

  /** The earliest entry's time, or Infinity when empty. */
  get nextUs(): number {
    const q = this.fifoTail > this.fifoHead ? this.fifoAt[this.fifoHead]! : Infinity;
    const h = this.heapSize > 0 ? this.heapAt[0]! : Infinity;
    return q < h ? q : h;
  }

  push(atUs: number, key: number, version: number): void {
    const seq = this.seq++;
    if (this.fifoTail === this.fifoHead || atUs >= this.fifoAt[this.fifoTail - 1]!) {
      if (this.fifoTail === this.fifoAt.length) this.growFifo();
      const t = this.fifoTail++;
      this.fifoAt[t] = atUs;
      this.fifoSeq[t] = seq;
      this.fifoKey[t] = key;
      this.fifoVer[t] = version;
      return;
    }
    if (this.heapSize === this.heapAt.length) this.growHeap();
    // Sift up from the end.
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.earlier(parent, atUs, seq)) break;
      this.heapMove(i, parent);
      i = parent;
    }
    this.heapSet(i, atUs, seq, key, version);
  }

  /** Takes the earliest entry if it is due by `nowUs` (its fields in poppedAt/poppedKey/poppedVersion); false if none is. */
  popDue(nowUs: number): boolean {
    const h = this.fifoHead;
    const at = this.heapAt;
    if (h < this.fifoTail) {
      const qt = this.fifoAt[h]!;
      if (qt <= nowUs && (this.heapSize === 0 || qt < at[0]! || (qt === at[0]! && this.fifoSeq[h]! < this.heapSeq[0]!))) {
        this.poppedAt = qt;
        this.poppedKey = this.fifoKey[h]!;
        this.poppedVersion = this.fifoVer[h]!;
        this.fifoHead++;
        if (this.fifoHead === this.fifoTail) this.fifoHead = this.fifoTail = 0;
        return true;
      }
    }
    if (this.heapSize === 0 || at[0]! > nowUs) return false;
    this.poppedAt = at[0]!;
    this.poppedKey = this.heapKey[0]!;
    this.poppedVersion = this.heapVer[0]!;
    this.removeHeapTop();
    return true;
  }

  private removeHeapTop(): void {
    const n = --this.heapSize;
    if (n === 0) return;
    // Sift the last entry down from the root.
    const at = this.heapAt;
    const sq = this.heapSeq;
    const lt = at[n]!;
    const ls = sq[n]!;
    const lk = this.heapKey[n]!;
    const lv = this.heapVer[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.earlier(r, at[l]!, sq[l]!) ? r : l;
      if (!this.earlier(m, lt, ls)) break;
      this.heapMove(i, m);
      i = m;
    }
    this.heapSet(i, lt, ls, lk, lv);
  }

  /** Whether heap entry `i` comes before (atUs, seq): earlier, or as early and booked before. */
  private earlier(i: number, atUs: number, seq: number): boolean {
    const t = this.heapAt[i]!;
    return t < atUs || (t === atUs && this.heapSeq[i]! < seq);
  }

  private heapMove(to: number, from: number): void {
    this.heapAt[to] = this.heapAt[from]!;
    this.heapSeq[to] = this.heapSeq[from]!;
    this.heapKey[to] = this.heapKey[from]!;
    this.heapVer[to] = this.heapVer[from]!;
  }

  private heapSet(i: number, atUs: number, seq: number, key: number, version: number): void {
    this.heapAt[i] = atUs;
    this.heapSeq[i] = seq;
    this.heapKey[i] = key;
    this.heapVer[i] = version;
  }

  private growHeap(): void {
    this.heapAt = doubled(this.heapAt, 0, this.heapSize);
    this.heapSeq = doubled(this.heapSeq, 0, this.heapSize);
    this.heapKey = doubled(this.heapKey, 0, this.heapSize);
    this.heapVer = doubled(this.heapVer, 0, this.heapSize);
  }

  /** Room at the queue's tail: the consumed head is dropped; the arrays double only when over half of them is live. */
  private growFifo(): void {
    const head = this.fifoHead;
    const live = this.fifoTail - head;
    if (live * 2 > this.fifoAt.length) {
      this.fifoAt = doubled(this.fifoAt, head, this.fifoTail);
      this.fifoSeq = doubled(this.fifoSeq, head, this.fifoTail);
      this.fifoKey = doubled(this.fifoKey, head, this.fifoTail);
      this.fifoVer = doubled(this.fifoVer, head, this.fifoTail);
    } else {
      this.fifoAt.copyWithin(0, head, this.fifoTail);
      this.fifoSeq.copyWithin(0, head, this.fifoTail);
      this.fifoKey.copyWithin(0, head, this.fifoTail);
      this.fifoVer.copyWithin(0, head, this.fifoTail);
    }
    this.fifoHead = 0;
    this.fifoTail = live;
  }
}

/** A typed array twice as long holding `a[from, to)` at its start. */
export function doubled(a: Float64Array<ArrayBuffer>, from: number, to: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a.subarray(from, to));
  return b;
}
