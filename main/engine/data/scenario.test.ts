// The data structures working together the way the engine core drives them: an async pair through a cable cut and a resync.
import { describe, expect, it } from 'vitest';
import { DifferentialBitmap } from './bitmap';
import { CopyJob } from './copy-plan';
import { PrimaryJournal, SecondaryRestoreBuffer } from './journal';
import { applyPairEvent, applyPairOp, newPairRecord, type PairRecord, type Transition } from './pair-state';
import { SparseVolume } from './sparse-volume';

const KiB = 1024;
const MiB = 1024 * KiB;

function ok(t: Transition): Extract<Transition, { ok: true }> {
  if (!t.ok) throw new Error(`refused: ${t.reason}`);
  return t;
}

describe('an async pair through a cable cut', () => {
  it('suspends with the journal drained into the bitmap, and a resync makes the secondary equal again', () => {
    const trackBytes = 256 * KiB;
    const primary = new SparseVolume(64 * MiB, { trackBytes, id: 'V22' });
    const secondary = new SparseVolume(64 * MiB, { trackBytes, id: 'V31' });
    const primaryBitmap = new DifferentialBitmap(primary.trackCount, { id: 'UR-1.primary' });
    const secondaryBitmap = new DifferentialBitmap(secondary.trackCount, { id: 'UR-1.secondary' });
    const journal = new PrimaryJournal(4 * MiB, { id: 'JNL-1' });
    const restore = new SecondaryRestoreBuffer({ id: 'JNL-1.restore' });
    let now = 0;
    let pair: PairRecord = newPairRecord('async', now);

    // Data already on the primary before the pair is formed.
    primary.write(3 * MiB, new Uint8Array(600 * KiB).fill(1));

    // create: initial copy of every track, of which only the written ones move data.
    const created = ok(applyPairOp(pair, 'create', { nowUs: now }));
    pair = created.record;
    expect(created.effects).toContain('setAllBitmap');
    primaryBitmap.setAll();
    const initial = new CopyJob(primaryBitmap, primary, secondary);
    while (!initial.done) initial.run({ transfers: 2 });
    expect(initial.transferredTracks).toBe(3);
    pair = ok(applyPairEvent(pair, 'copyComplete', { nowUs: (now += 1000) })).record;
    expect(pair.state).toBe('PAIR');

    // Host writes go to the primary and, in order, into the journal.
    const hostWrite = (offset: number, length: number, fill: number) => {
      const bytes = new Uint8Array(length).fill(fill);
      primary.write(offset, bytes);
      if (pair.state === 'PAIR' || pair.state === 'PFUL') {
        expect(journal.append({ pairId: 'UR-1', volumeId: 'V22', offset, bytes, timeUs: now })).toMatchObject({ ok: true });
      } else {
        primaryBitmap.setRange(Math.floor(offset / trackBytes), Math.floor((offset + length - 1) / trackBytes) + 1);
      }
    };
    for (let i = 0; i < 6; i++) {
      now += 100;
      hostWrite(i * 5 * MiB, 8 * KiB, 10 + i);
    }

    // The link delivers records 1-4 out of order; record 3 is lost in flight, so only 1-2 apply.
    const sent = journal.takeForTransfer(Number.POSITIVE_INFINITY).slice(0, 4);
    for (const record of [sent[1]!, sent[0]!, sent[3]!]) restore.receive(record);
    for (const record of restore.takeApplicable()) secondary.write(record.offset, record.bytes);
    journal.ack(restore.lastAppliedSeq);
    expect(restore.lastAppliedSeq).toBe(2);
    expect(restore.blockedByGap).toBe(true);

    // The cable is cut: PSUE, consistent as of the last applied write; unapplied records become bits.
    const cut = ok(applyPairEvent(pair, 'linkDown', { nowUs: (now += 100), consistentAsOfUs: restore.lastAppliedTimeUs, detail: 'cable CN4 cut' }));
    pair = cut.record;
    expect(pair).toMatchObject({ state: 'PSUE', secondaryData: 'consistent', consistentAsOfUs: 1200, linkUp: false });
    expect(cut.effects).toContain('drainJournal');
    const drained = journal.drainToBitmaps(() => primaryBitmap, () => trackBytes);
    restore.discardAndRestartAfter(drained.lastSeq);
    expect(drained.records).toBe(4);
    expect(primaryBitmap.count).toBe(4);

    // The secondary's image is the consistent one of time 1200: writes 1-2 but not 3-6.
    expect(secondary.read(5 * MiB, 1)[0]).toBe(11);
    expect(secondary.read(10 * MiB, 1)[0]).toBe(0);

    // Writes while suspended are recorded in the bitmap.
    now += 100;
    hostWrite(40 * MiB, 300 * KiB, 99);
    expect(primaryBitmap.count).toBe(6);

    // Repair, resync: the union of both bitmaps is copied, then the pair is back in PAIR.
    pair = ok(applyPairEvent(pair, 'linkUp', { nowUs: (now += 100) })).record;
    const resync = ok(applyPairOp(pair, 'resync', { nowUs: now }));
    pair = resync.record;
    expect(resync.effects).toEqual(['mergeBitmaps', 'startCopy']);
    primaryBitmap.union(secondaryBitmap);
    secondaryBitmap.clearAll();
    const differential = new CopyJob(primaryBitmap, primary, secondary);
    differential.run({ transfers: 3 });
    expect(differential.progress).toBeCloseTo(0.5);
    differential.run({ transfers: 3 });
    expect(differential.done).toBe(true);
    pair = ok(applyPairEvent(pair, 'copyComplete', { nowUs: (now += 1000) })).record;
    expect(pair.state).toBe('PAIR');
    expect(secondary.contentHash()).toBe(primary.contentHash());

    // Journal numbering continues after the drain and the secondary accepts it.
    now += 100;
    hostWrite(0, 512, 7);
    const [next] = journal.takeForTransfer(Number.POSITIVE_INFINITY);
    expect(next!.seq).toBe(drained.lastSeq + 1);
    expect(restore.receive(next!)).toBe('accepted');
    expect(restore.takeApplicable().map((r) => r.seq)).toEqual([next!.seq]);
  });
});
