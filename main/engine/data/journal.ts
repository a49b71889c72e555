// Async replication journal of one consistency group: the primary's sequenced record store and the secondary's restore buffer.
import type { DifferentialBitmap } from './bitmap';
import { DataStructureError, assertNonNegativeInteger } from './errors';

/** What a host write leaves in the journal. The journal keeps `bytes` as given (no copy): do not reuse the buffer. */
export interface JournalWrite {
  pairId: string;
  volumeId: string;
  offset: number;
  bytes: Uint8Array;
  /** Virtual time of the host write (RPO is measured from it). */
  timeUs: number;
}

export interface JournalRecord extends JournalWrite {
  /** Consecutive from 1 within the journal: the order the secondary must apply. */
  seq: number;
  /** Space the record holds in the journal: data plus per-record overhead. */
  sizeBytes: number;
}

export type AppendResult =
  | { ok: true; seq: number }
  | { ok: false; reason: 'overflow'; neededBytes: number; freeBytes: number };

export interface PrimaryJournalOptions {
  id?: string;
  /** Fill ratio at or above which the pair shows PFUL. Hitachi: 80%. */
  pfulThreshold?: number;
  /** Metadata bytes charged per record on top of its data. */
  recordOverheadBytes?: number;
}

export const DEFAULT_PFUL_THRESHOLD = 0.8;
/** Hitachi suspends a pair whose journal stays full for this long (the overflow watch). */
export const DEFAULT_OVERFLOW_WATCH_US = 60_000_000;

/** Records drained into bitmaps on suspend, per pair. */
export interface DrainResult {
  records: number;
  bytes: number;
  tracksMarked: number;
  /** The last sequence number issued before the drain: the restore buffer restarts after it. */
  lastSeq: number;
  pairIds: string[];
}

/**
 * The primary side. Records stay from append until the secondary acknowledges having applied them;
 * between, the transfer side takes them in sequence order (taken records still hold space).
 */
export class PrimaryJournal {
  readonly capacityBytes: number;
  readonly id: string | undefined;
  readonly pfulThreshold: number;
  readonly recordOverheadBytes: number;
  /** Unacknowledged records in seq order; index 0 is the oldest. `transferIndex` splits sent from not sent. */
  private records: JournalRecord[] = [];
  private head = 0;
  private transferIndex = 0;
  private used = 0;
  private nextSeq = 1;
  private overflowSince: number | undefined;

  constructor(capacityBytes: number, options: PrimaryJournalOptions = {}) {
    this.id = options.id;
    assertNonNegativeInteger(capacityBytes, 'capacityBytes', this.id);
    this.capacityBytes = capacityBytes;
    this.pfulThreshold = options.pfulThreshold ?? DEFAULT_PFUL_THRESHOLD;
    this.recordOverheadBytes = options.recordOverheadBytes ?? 0;
  }

  get usedBytes(): number {
    return this.used;
  }

  get freeBytes(): number {
    return this.capacityBytes - this.used;
  }

  get fillRatio(): number {
    return this.capacityBytes === 0 ? 1 : this.used / this.capacityBytes;
  }

  /** At or over the PFUL threshold (80%): the pair shows PFUL while this holds. */
  get overThreshold(): boolean {
    return this.fillRatio >= this.pfulThreshold;
  }

  /** Records appended and not yet acknowledged. */
  get recordCount(): number {
    return this.records.length - this.head;
  }

  /** Records appended and not yet taken for transfer. */
  get pendingTransferCount(): number {
    return this.records.length - this.transferIndex;
  }

  /** Sequence number the next append gets. */
  get nextSequence(): number {
    return this.nextSeq;
  }

  /** Virtual time of the first append refused since the journal last accepted one (the overflow watch start). */
  get overflowSinceUs(): number | undefined {
    return this.overflowSince;
  }

  /** True once appends have been refused for `watchUs` (default 60 s): the group must go PSUE. */
  overflowWatchExpired(nowUs: number, watchUs = DEFAULT_OVERFLOW_WATCH_US): boolean {
    return this.overflowSince !== undefined && nowUs - this.overflowSince >= watchUs;
  }

  append(write: JournalWrite): AppendResult {
    assertNonNegativeInteger(write.offset, 'offset', this.id);
    const sizeBytes = write.bytes.length + this.recordOverheadBytes;
    if (sizeBytes > this.freeBytes) {
      if (this.overflowSince === undefined) this.overflowSince = write.timeUs;
      return { ok: false, reason: 'overflow', neededBytes: sizeBytes, freeBytes: this.freeBytes };
    }
    this.overflowSince = undefined;
    const record: JournalRecord = { ...write, seq: this.nextSeq++, sizeBytes };
    this.records.push(record);
    this.used += sizeBytes;
    return { ok: true, seq: record.seq };
  }

  /** The next record to send, without taking it. */
  peekTransfer(): JournalRecord | undefined {
    return this.records[this.transferIndex];
  }

  /**
   * Take records for transfer in sequence order, up to `maxBytes` of record size. Always takes at least
   * one record when any is pending, so a record larger than the budget cannot stall the link.
   */
  takeForTransfer(maxBytes: number): JournalRecord[] {
    const taken: JournalRecord[] = [];
    let bytes = 0;
    while (this.transferIndex < this.records.length) {
      const record = this.records[this.transferIndex]!;
      if (taken.length > 0 && bytes + record.sizeBytes > maxBytes) break;
      taken.push(record);
      bytes += record.sizeBytes;
      this.transferIndex++;
    }
    return taken;
  }

  /** Put records taken but not acknowledged back to be sent again (after a transfer was lost on a failed link). */
  rewindTransfer(): number {
    const rewound = this.transferIndex - this.head;
    this.transferIndex = this.head;
    return rewound;
  }

  /** The secondary applied every record up to and including `seq`: free their space. Returns the bytes freed. */
  ack(seq: number): number {
    let freed = 0;
    while (this.head < this.records.length && this.records[this.head]!.seq <= seq) {
      freed += this.records[this.head]!.sizeBytes;
      this.head++;
    }
    if (this.transferIndex < this.head) this.transferIndex = this.head;
    this.used -= freed;
    this.compact();
    return freed;
  }

  /**
   * On suspend: every record not yet acknowledged becomes bits in its pair's bitmap (the tracks its
   * bytes touch) and is dropped. Write order is lost until the resync completes.
   * `bitmapFor` returns the primary-side differential bitmap of a pair (undefined skips the record).
   * `trackBytesFor` gives the track size of the pair's volume.
   */
  drainToBitmaps(bitmapFor: (pairId: string) => DifferentialBitmap | undefined, trackBytesFor: (pairId: string) => number): DrainResult {
    const result: DrainResult = { records: 0, bytes: 0, tracksMarked: 0, lastSeq: this.nextSeq - 1, pairIds: [] };
    const pairs = new Set<string>();
    for (let i = this.head; i < this.records.length; i++) {
      const record = this.records[i]!;
      result.records++;
      result.bytes += record.sizeBytes;
      pairs.add(record.pairId);
      const bitmap = bitmapFor(record.pairId);
      if (!bitmap || record.bytes.length === 0) continue;
      const trackBytes = trackBytesFor(record.pairId);
      if (!Number.isSafeInteger(trackBytes) || trackBytes <= 0) {
        throw new DataStructureError('TRACK_SIZE', `track size ${trackBytes} for pair ${record.pairId}`, this.id);
      }
      const first = Math.min(Math.floor(record.offset / trackBytes), bitmap.trackCount);
      const last = Math.floor((record.offset + record.bytes.length - 1) / trackBytes);
      result.tracksMarked += bitmap.setRange(first, Math.min(last + 1, bitmap.trackCount));
    }
    result.pairIds = [...pairs];
    this.records = [];
    this.head = 0;
    this.transferIndex = 0;
    this.used = 0;
    this.overflowSince = undefined;
    return result;
  }

  /** Unacknowledged records, oldest first (for views and tests). */
  pending(): readonly JournalRecord[] {
    return this.records.slice(this.head);
  }

  /** Time of the oldest unacknowledged write, for lag display. */
  get oldestPendingTimeUs(): number | undefined {
    return this.records[this.head]?.timeUs;
  }

  private compact(): void {
    // Amortised O(1): drop the acknowledged prefix once it is at least half the array.
    if (this.head > 1024 && this.head * 2 >= this.records.length) {
      this.records = this.records.slice(this.head);
      this.transferIndex -= this.head;
      this.head = 0;
    }
  }
}

export type ReceiveResult = 'accepted' | 'duplicate' | 'full';

export interface SecondaryRestoreBufferOptions {
  id?: string;
  /** Bytes of received records it can hold before refusing more; unbounded when absent. */
  capacityBytes?: number;
}

/**
 * The secondary side: records arrive in any order; only an unbroken run of sequence numbers after the
 * last applied one can be applied, so the secondary always holds an earlier consistent image.
 */
export class SecondaryRestoreBuffer {
  readonly id: string | undefined;
  readonly capacityBytes: number;
  private readonly waiting = new Map<number, JournalRecord>();
  private buffered = 0;
  private lastApplied = 0;
  private lastAppliedTime: number | undefined;

  constructor(options: SecondaryRestoreBufferOptions = {}) {
    this.id = options.id;
    this.capacityBytes = options.capacityBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Highest sequence number applied; everything up to it is applied. Acknowledge this to the primary. */
  get lastAppliedSeq(): number {
    return this.lastApplied;
  }

  /** Host time of the newest write applied: the secondary is consistent as of this time. RPO = now - this. */
  get lastAppliedTimeUs(): number | undefined {
    return this.lastAppliedTime;
  }

  /** The sequence number the secondary is waiting for. */
  get expectedSeq(): number {
    return this.lastApplied + 1;
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** True when records are waiting but the next expected one has not arrived (an out-of-order gap). */
  get blockedByGap(): boolean {
    return this.waiting.size > 0 && !this.waiting.has(this.expectedSeq);
  }

  receive(record: JournalRecord): ReceiveResult {
    if (record.seq <= this.lastApplied || this.waiting.has(record.seq)) return 'duplicate';
    if (this.buffered + record.sizeBytes > this.capacityBytes) return 'full';
    this.waiting.set(record.seq, record);
    this.buffered += record.sizeBytes;
    return 'accepted';
  }

  /**
   * Remove and return the records that can be applied now: the unbroken run after the last applied
   * sequence number, at most `maxRecords`. Records after a gap keep waiting.
   * The caller writes them to the secondary volume in the returned order.
   */
  takeApplicable(maxRecords = Number.POSITIVE_INFINITY): JournalRecord[] {
    const run: JournalRecord[] = [];
    while (run.length < maxRecords) {
      const record = this.waiting.get(this.lastApplied + 1);
      if (!record) break;
      this.waiting.delete(record.seq);
      this.buffered -= record.sizeBytes;
      this.lastApplied = record.seq;
      this.lastAppliedTime = record.timeUs;
      run.push(record);
    }
    return run;
  }

  /**
   * Drop every waiting record and continue after `seq` (the primary's DrainResult.lastSeq): used on
   * suspend, where the primary turned those records into bitmap bits, and on takeover.
   * Returns the number of records dropped.
   */
  discardAndRestartAfter(seq: number): number {
    assertNonNegativeInteger(seq, 'seq', this.id);
    const dropped = this.waiting.size;
    this.waiting.clear();
    this.buffered = 0;
    this.lastApplied = Math.max(this.lastApplied, seq);
    return dropped;
  }

  /** Mark the secondary consistent as of `timeUs` after a copy completes outside the journal (initial copy, resync). */
  markConsistentAsOf(timeUs: number): void {
    this.lastAppliedTime = timeUs;
  }
}
