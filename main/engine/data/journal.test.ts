import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DifferentialBitmap } from './bitmap';
import { PrimaryJournal, SecondaryRestoreBuffer, type JournalRecord } from './journal';
import { SparseVolume } from './sparse-volume';

const KiB = 1024;

function write(pairId: string, offset: number, length: number, timeUs: number, fill = 1) {
  return { pairId, volumeId: `${pairId}-P`, offset, bytes: new Uint8Array(length).fill(fill), timeUs };
}

describe('PrimaryJournal', () => {
  it('numbers writes in order and refuses one that does not fit, starting the overflow watch', () => {
    const journal = new PrimaryJournal(100 * KiB, { id: 'JNL-1' });
    expect(journal.append(write('p1', 0, 40 * KiB, 10))).toEqual({ ok: true, seq: 1 });
    expect(journal.append(write('p2', 0, 40 * KiB, 20))).toEqual({ ok: true, seq: 2 });
    expect(journal.fillRatio).toBeCloseTo(0.8);
    expect(journal.overThreshold).toBe(true);
    expect(journal.append(write('p1', 0, 40 * KiB, 30))).toEqual({ ok: false, reason: 'overflow', neededBytes: 40 * KiB, freeBytes: 20 * KiB });
    expect(journal.overflowSinceUs).toBe(30);
    expect(journal.overflowWatchExpired(30 + 59_999_999)).toBe(false);
    expect(journal.overflowWatchExpired(30 + 60_000_000)).toBe(true);
    // Space freed by the secondary's acknowledgement ends the watch at the next accepted append.
    journal.takeForTransfer(Number.POSITIVE_INFINITY);
    expect(journal.ack(1)).toBe(40 * KiB);
    expect(journal.append(write('p1', 0, 40 * KiB, 40))).toEqual({ ok: true, seq: 3 });
    expect(journal.overflowSinceUs).toBeUndefined();
  });

  it('the 80% threshold flag follows the fill ratio both ways', () => {
    const journal = new PrimaryJournal(1000, { recordOverheadBytes: 0 });
    journal.append(write('p', 0, 799, 1));
    expect(journal.overThreshold).toBe(false);
    journal.append(write('p', 0, 1, 2));
    expect(journal.overThreshold).toBe(true);
    journal.ack(1);
    expect(journal.overThreshold).toBe(false);
  });

  it('transfer takes records in sequence order within a byte budget, at least one at a time', () => {
    const journal = new PrimaryJournal(1_000_000, { recordOverheadBytes: 64 });
    for (let i = 0; i < 5; i++) journal.append(write('p', i * 4096, 4096, i));
    expect(journal.usedBytes).toBe(5 * (4096 + 64));
    expect(journal.takeForTransfer(10_000).map((r) => r.seq)).toEqual([1, 2]);
    expect(journal.takeForTransfer(1).map((r) => r.seq)).toEqual([3]);
    expect(journal.peekTransfer()?.seq).toBe(4);
    expect(journal.pendingTransferCount).toBe(2);
    // A lost transfer is resent from the oldest unacknowledged record.
    journal.ack(1);
    expect(journal.rewindTransfer()).toBe(2);
    expect(journal.takeForTransfer(Number.POSITIVE_INFINITY).map((r) => r.seq)).toEqual([2, 3, 4, 5]);
    expect(journal.recordCount).toBe(4);
  });

  it('on suspend, unapplied records become bitmap bits of their own pair and are dropped', () => {
    const trackBytes = 256 * KiB;
    const journal = new PrimaryJournal(10_000_000);
    const bitmaps = new Map([
      ['p1', new DifferentialBitmap(100)],
      ['p2', new DifferentialBitmap(100)],
    ]);
    journal.append(write('p1', 0, 10, 1)); // acknowledged below: not drained
    journal.append(write('p1', trackBytes - 5, 10, 2)); // straddles tracks 0 and 1
    journal.append(write('p2', 7 * trackBytes, 3 * trackBytes, 3)); // tracks 7, 8, 9
    journal.takeForTransfer(Number.POSITIVE_INFINITY);
    journal.ack(1);
    const drained = journal.drainToBitmaps((id) => bitmaps.get(id), () => trackBytes);
    expect(drained).toMatchObject({ records: 2, tracksMarked: 5, lastSeq: 3, pairIds: ['p1', 'p2'] });
    expect([...bitmaps.get('p1')!]).toEqual([0, 1]);
    expect([...bitmaps.get('p2')!]).toEqual([7, 8, 9]);
    expect(journal.usedBytes).toBe(0);
    expect(journal.recordCount).toBe(0);
    // Numbering goes on after the drain, so the secondary can restart after lastSeq.
    expect(journal.append(write('p1', 0, 1, 4))).toEqual({ ok: true, seq: 4 });
  });
});

describe('SecondaryRestoreBuffer', () => {
  function record(seq: number, timeUs = seq * 10): JournalRecord {
    return { ...write('p', seq * 512, 512, timeUs, seq & 0xff), seq, sizeBytes: 512 };
  }

  it('an out-of-order arrival waits until the gap before it is filled', () => {
    const buffer = new SecondaryRestoreBuffer();
    buffer.receive(record(1));
    buffer.receive(record(3));
    buffer.receive(record(4));
    expect(buffer.takeApplicable().map((r) => r.seq)).toEqual([1]);
    expect(buffer.blockedByGap).toBe(true);
    expect(buffer.takeApplicable()).toEqual([]);
    expect(buffer.lastAppliedSeq).toBe(1);
    expect(buffer.lastAppliedTimeUs).toBe(10);
    buffer.receive(record(2));
    expect(buffer.takeApplicable().map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(buffer.lastAppliedTimeUs).toBe(40);
    expect(buffer.receive(record(3))).toBe('duplicate');
  });

  it('refuses records past its capacity and restarts after a drain', () => {
    const buffer = new SecondaryRestoreBuffer({ capacityBytes: 1024 });
    expect(buffer.receive(record(2))).toBe('accepted');
    expect(buffer.receive(record(3))).toBe('accepted');
    expect(buffer.receive(record(4))).toBe('full');
    expect(buffer.discardAndRestartAfter(4)).toBe(2);
    expect(buffer.expectedSeq).toBe(5);
    expect(buffer.bufferedBytes).toBe(0);
    buffer.receive(record(5));
    expect(buffer.takeApplicable().map((r) => r.seq)).toEqual([5]);
  });

  it('property: whatever the arrival order, the secondary only ever applies a prefix and ends equal to the primary', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.integer({ min: 0, max: 60_000 }), length: fc.integer({ min: 1, max: 5000 }), fill: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 30 }),
        fc.infiniteStream(fc.nat()),
        (writes, randomness) => {
          const primaryVolume = new SparseVolume(65_536 + 5000, { trackBytes: 4096 });
          const secondaryVolume = new SparseVolume(65_536 + 5000, { trackBytes: 4096 });
          const journal = new PrimaryJournal(10_000_000);
          writes.forEach((w, i) => {
            const bytes = new Uint8Array(w.length).fill(w.fill);
            primaryVolume.write(w.offset, bytes);
            journal.append({ pairId: 'p', volumeId: 'P', offset: w.offset, bytes, timeUs: i });
          });
          // The link delivers the records shuffled.
          const inFlight = journal.takeForTransfer(Number.POSITIVE_INFINITY);
          const rng = randomness[Symbol.iterator]();
          for (let i = inFlight.length - 1; i > 0; i--) {
            const j = rng.next().value! % (i + 1);
            [inFlight[i], inFlight[j]] = [inFlight[j]!, inFlight[i]!];
          }
          const buffer = new SecondaryRestoreBuffer();
          const appliedOrder: number[] = [];
          for (const r of inFlight) {
            buffer.receive(r);
            for (const applied of buffer.takeApplicable()) {
              secondaryVolume.write(applied.offset, applied.bytes);
              appliedOrder.push(applied.seq);
            }
            // Always an unbroken prefix 1..n.
            expect(appliedOrder).toEqual(appliedOrder.map((_, k) => k + 1));
            journal.ack(buffer.lastAppliedSeq);
          }
          expect(appliedOrder.length).toBe(writes.length);
          expect(journal.usedBytes).toBe(0);
          expect(secondaryVolume.contentHash()).toBe(primaryVolume.contentHash());
        },
      ),
      { numRuns: 100 },
    );
  });
});
