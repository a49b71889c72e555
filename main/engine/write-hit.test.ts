// A write-back cache destages a slot's current contents: writes to a track whose destage is booked but not started yet
// (the disk adapters busy with earlier work) go with that destage instead of each booking one of its own.
import { describe, expect, it } from 'vitest';
import { Engine } from './engine';
import { loadFigure } from '../../test/builtins';
import { withoutInitialFill, type Topology } from '../../app/model/schema';

const TRACK = 256 * 1024;
const WRITE = 4096;

/** FIG. 1 without starting data or workloads, its pairs paired from the start. */
function quietFig1(): Topology {
  const t = withoutInitialFill(loadFigure('fig01'));
  return { ...t, hosts: t.hosts.map((h) => ({ ...h, workloads: [] })), pairs: t.pairs.map((p) => ({ ...p, initially: 'paired' as const })) };
}

function cache(e: Engine, id: string): { dirtySlots: number; destaging: boolean; destages: number; writeHits: number } {
  return e.snapshot().caches.find((c) => c.id === id)!;
}

/** Virtual time (us) at which cache `id` has no dirty slot left, stepping 100 us at a time. */
function cleanAt(e: Engine, id: string, limitUs: number): number {
  while (e.nowUs < limitUs) {
    if (cache(e, id).dirtySlots === 0) return e.nowUs;
    e.runFor(100);
  }
  return Infinity;
}

/**
 * 400 writes to 400 tracks book 100 destages on each of C11's 4 disk adapter lanes (500 us each: ~50 ms of work);
 * then 40 writes to one more track while the lanes are still busy with the backlog.
 */
function backlogThenRewrites(): { e: Engine; acked: number } {
  const e = new Engine(quietFig1(), { seed: 1 });
  let acked = 0;
  const write = (track: number, k: number): void => {
    const data = new Uint8Array(WRITE).fill((track + k) % 251);
    expect(e.hostWrite('host1', 'LU11', track * TRACK + (k % 64) * WRITE, data, false, (ok) => (acked += ok ? 1 : 0)).ok).toBe(true);
  };
  for (let t = 0; t < 400; t++) write(t, 0);
  e.runFor(2_000);
  for (let k = 0; k < 40; k++) {
    write(500, k);
    e.runFor(50);
  }
  return { e, acked };
}

describe('write hits on write-pending tracks', () => {
  it('rewrites of a track waiting for its destage go with that destage: the cache is clean one destage after the backlog, not forty', () => {
    const { e } = backlogThenRewrites();
    // The backlog alone: 400 tracks / 4 lanes x 500 us = 50 ms from the first write. One destage for track 500 adds
    // 0.5 ms on one lane; forty (one per write) would add 40 / 4 x 0.5 = 5 ms.
    const at = cleanAt(e, 'C11', 200_000);
    // The cache counts them: 401 tracks destaged with a destage of their own, 39 rewrites that went with track 500's.
    expect(cache(e, 'C11')).toMatchObject({ destages: 401, writeHits: 39 });
    expect(at).toBeGreaterThan(49_000);
    expect(at).toBeLessThan(52_000);
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
    expect(e.volumeHash('R11')).toBe(e.volumeHash('V11'));
  });

  it('an external destage that rewrites join still carries every write over its cable, and R1 gets the newest bytes', () => {
    const { e } = backlogThenRewrites();
    expect(e.runUntilSettled(e.nowUs + 60e6)).toBe(true);
    const cn5 = e.snapshot().links.find((l) => l.id === 'CN5')!;
    // 440 writes of 4 KiB reach R1 in system 40 over CN5 (the relay's destage of R2 = R1): joined ones ride along.
    expect(cn5.bytes).toBeGreaterThanOrEqual(440 * WRITE);
    expect(e.volumeHash('R40')).toBe(e.volumeHash('V12'));
    expect(cache(e, 'C21').dirtySlots + cache(e, 'C12').dirtySlots).toBe(0);
  });

  it('with the disk adapters idle each write has its own destage at once (light load is unchanged)', () => {
    const e = new Engine(quietFig1(), { seed: 1 });
    for (let k = 0; k < 5; k++) {
      e.hostWrite('host1', 'LU11', k * WRITE, new Uint8Array(WRITE).fill(k + 1), false);
      e.runFor(5_000);
    }
    // Each write's destage started when it was stored, so each was done within ~2 ms of it: clean again already.
    expect(cache(e, 'C11')).toMatchObject({ dirtySlots: 0, destages: 5, writeHits: 0 });
  });
});
