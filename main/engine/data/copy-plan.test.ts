import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DifferentialBitmap } from './bitmap';
import { CopyJob, nextCopyStep } from './copy-plan';
import { SparseVolume, equalContent } from './sparse-volume';

const KiB = 1024;
const MiB = 1024 * KiB;
const TiB = 1024 * 1024 * MiB;

describe('CopyJob', () => {
  it('the initial copy of a mostly empty 64 TiB volume transfers only written tracks and completes quickly', () => {
    const primary = new SparseVolume(64 * TiB, { id: 'V11' });
    const secondary = new SparseVolume(64 * TiB, { id: 'V12' });
    const written = [0, 17, 4096, 100_000_000, primary.trackCount - 1];
    for (const track of written) primary.write(track * 256 * KiB + 3, Uint8Array.of(track % 251, 1, 2));
    const bitmap = new DifferentialBitmap(primary.trackCount);
    bitmap.setAll();
    const job = new CopyJob(bitmap, primary, secondary);
    expect(job.progress).toBe(0);

    const started = performance.now();
    const round = job.run({ transfers: 1000 });
    expect(performance.now() - started).toBeLessThan(500);

    expect(round.done).toBe(true);
    expect(round.transferred).toEqual(written);
    expect(round.zeroTracks).toBe(primary.trackCount - written.length);
    expect(job.progress).toBe(1);
    expect(job.copiedTracks).toBe(primary.trackCount);
    expect(secondary.contentHash()).toBe(primary.contentHash());
  });

  it('progress is known at every step without visiting untouched tracks', () => {
    const primary = new SparseVolume(1 * TiB);
    const secondary = new SparseVolume(1 * TiB);
    primary.write(10 * 256 * KiB, new Uint8Array(4 * 256 * KiB).fill(1)); // tracks 10..13
    const bitmap = new DifferentialBitmap(primary.trackCount);
    bitmap.setAll();
    const job = new CopyJob(bitmap, primary, secondary);
    // Pace the zero spans too: 5 tracks of "nothing" per round, 1 transfer per round.
    const round1 = job.run({ transfers: 1, zeroTracks: 5 });
    expect(round1).toMatchObject({ transferred: [], zeroTracks: 5, done: false });
    expect(job.progress).toBeCloseTo(5 / primary.trackCount, 12);
    const round2 = job.run({ transfers: 1, zeroTracks: 5 });
    expect(round2).toMatchObject({ transferred: [10], zeroTracks: 5 });
    expect(job.remainingTracks).toBe(primary.trackCount - 11);
  });

  it('a differential copy erases tracks written only on the target (after a takeover) and picks up writes behind the cursor', () => {
    const primary = new SparseVolume(16 * MiB, { trackBytes: 64 * KiB });
    const secondary = new SparseVolume(16 * MiB, { trackBytes: 64 * KiB });
    primary.write(0, new Uint8Array(64 * KiB).fill(1));
    secondary.write(0, new Uint8Array(64 * KiB).fill(1));
    secondary.write(100 * 64 * KiB, new Uint8Array(10).fill(9)); // changed at the secondary while split
    primary.write(50 * 64 * KiB, new Uint8Array(10).fill(5)); // changed at the primary
    const bitmap = new DifferentialBitmap(primary.trackCount);
    bitmap.set(50);
    bitmap.set(100);
    const job = new CopyJob(bitmap, primary, secondary);
    expect(job.peek()).toEqual({ kind: 'track', track: 50 });
    job.run({ transfers: 1 });
    // A host write lands on track 2 behind the cursor while the copy runs.
    primary.write(2 * 64 * KiB, Uint8Array.of(7));
    bitmap.set(2);
    const round = job.run({ transfers: 10 });
    expect(round.transferred).toEqual([100, 2]);
    expect(round.done).toBe(true);
    expect(equalContent(primary, secondary)).toBe(true);
  });

  it('nextCopyStep reports a zero span up to the next track holding data', () => {
    const primary = new SparseVolume(10 * MiB, { trackBytes: 256 * KiB });
    const secondary = new SparseVolume(10 * MiB, { trackBytes: 64 * KiB });
    secondary.write(30 * 64 * KiB, Uint8Array.of(1)); // inside source track 7
    const bitmap = new DifferentialBitmap(primary.trackCount);
    bitmap.setRange(2, 20);
    expect(nextCopyStep(bitmap, primary, secondary)).toEqual({ kind: 'zeroSpan', start: 2, end: 7, tracks: 5 });
    expect(nextCopyStep(bitmap, primary, secondary, 7)).toEqual({ kind: 'track', track: 7 });
    expect(nextCopyStep(bitmap, primary, secondary, 8)).toEqual({ kind: 'zeroSpan', start: 8, end: 40, tracks: 12 });
    bitmap.clearAll();
    expect(nextCopyStep(bitmap, primary, secondary)).toEqual({ kind: 'done' });
  });

  it('property: after the copy the target equals the source wherever the bitmap covered the differences', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ offset: fc.integer({ min: 0, max: 1_000_000 }), length: fc.integer({ min: 1, max: 20_000 }), onPrimary: fc.boolean() }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 50 }),
        (writes, transfersPerRound, zeroPerRound) => {
          const size = 1_020_000;
          const primary = new SparseVolume(size, { trackBytes: 16 * KiB });
          const secondary = new SparseVolume(size, { trackBytes: 16 * KiB });
          const bitmap = new DifferentialBitmap(primary.trackCount, { runThreshold: 8 });
          for (const [i, w] of writes.entries()) {
            const length = Math.min(w.length, size - w.offset);
            (w.onPrimary ? primary : secondary).write(w.offset, new Uint8Array(length).fill(i + 1));
            bitmap.setRange(Math.floor(w.offset / primary.trackBytes), Math.floor((w.offset + length - 1) / primary.trackBytes) + 1);
          }
          const job = new CopyJob(bitmap, primary, secondary);
          let rounds = 0;
          let lastProgress = job.progress;
          while (!job.done) {
            job.run({ transfers: Math.max(1, transfersPerRound), zeroTracks: Math.max(1, zeroPerRound) });
            expect(job.progress).toBeGreaterThanOrEqual(lastProgress);
            lastProgress = job.progress;
            expect(++rounds).toBeLessThan(10_000);
          }
          expect(equalContent(primary, secondary)).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  });
});
