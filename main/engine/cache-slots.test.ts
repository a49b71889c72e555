// Cache slots: the write-pending threshold and eviction of clean slots oldest first, against a plain model.
import { describe, expect, it, test } from 'vitest';
import fc from 'fast-check';
import { CacheRt } from './cache';
import { Engine } from './engine';
import { loadFigure } from '../../test/builtins';
import { validateTopology } from '../../app/validate';

const TRACK = 256 * 1024;

/** The model: slots in a Map, clean keys in insertion order (a Set), evicting the first clean one. */
class ModelCache {
  slots = new Map<number, { dirty: boolean; version: number }>();
  clean = new Set<number>();
  dirty = 0;
  constructor(
    readonly total: number,
    readonly dirtyLimit: number,
  ) {}
  store(track: number): number {
    let s = this.slots.get(track);
    if (!s?.dirty && this.dirty >= this.dirtyLimit) return -1;
    if (!s) {
      if (this.slots.size >= this.total) {
        const victim = this.clean.values().next();
        if (victim.done) return -1;
        this.clean.delete(victim.value);
        this.slots.delete(victim.value);
      }
      s = { dirty: false, version: 0 };
      this.slots.set(track, s);
    }
    if (!s.dirty) {
      s.dirty = true;
      this.dirty++;
      this.clean.delete(track);
    }
    return ++s.version;
  }
  markClean(track: number, version: number): boolean {
    const s = this.slots.get(track);
    if (!s || !s.dirty || s.version !== version) return false;
    s.dirty = false;
    this.dirty--;
    this.clean.add(track);
    return true;
  }
}

describe('cache slots', () => {
  it('evicts the slot that turned clean first, and never one written again since', () => {
    const c = new CacheRt('C', 'sys', 3 * TRACK, TRACK, ['V']);
    const v = [0, 1, 2].map((t) => c.store('V', t, 0));
    c.markClean('V', 1, v[1]!, 1);
    c.markClean('V', 0, v[0]!, 2);
    c.markClean('V', 2, v[2]!, 3);
    c.store('V', 1, 4); // track 1 is dirty again: not a victim any more
    c.store('V', 3, 5); // full: evicts the oldest clean, track 0
    expect(c.has('V', 0)).toBe(false);
    expect(c.has('V', 2)).toBe(true);
    c.store('V', 4, 6); // then track 2
    expect(c.has('V', 2)).toBe(false);
    expect(c.store('V', 5, 7)).toBe(-1); // every slot dirty: refused
  });

  it('property: the same slots, versions and refusals as the model over any mix of stores and cleans', () => {
    const op = fc.record({ clean: fc.boolean(), track: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.double({ min: 0.3, max: 1, noNaN: true }), fc.array(op, { maxLength: 600 }), (slots, threshold, ops) => {
        const c = new CacheRt('C', 'sys', slots * TRACK, TRACK, ['V'], threshold);
        const m = new ModelCache(slots, c.dirtyLimit);
        const versions = new Map<number, number>();
        for (const o of ops) {
          if (o.clean) {
            const version = versions.get(o.track) ?? 0;
            expect(c.markClean('V', o.track, version, 0)).toBe(m.markClean(o.track, version));
          } else {
            const got = c.store('V', o.track, 0);
            expect(got).toBe(m.store(o.track));
            if (got > 0) versions.set(o.track, got);
          }
          expect(c.slotsUsed).toBe(m.slots.size);
          expect(c.dirtyCount).toBe(m.dirty);
        }
        for (let t = 0; t <= 40; t++) expect(c.has('V', t)).toBe(m.slots.has(t));
      }),
      { numRuns: 300 },
    );
  });
});

describe('a write larger than the room a cache has for write-pending data', () => {
  // Caches take a write's slots all at once (replication-bugs: writes across a track boundary under cache pressure);
  // one over more tracks than may be dirty could never be stored: refused with why, not left waiting for ever.
  test('a host write of 16 MiB into a 4 MiB cache is refused, saying how much the cache can hold', () => {
    const t = loadFigure('fig01');
    const small = { ...t, caches: t.caches.map((c) => (c.volumeIds.includes('V11') ? { ...c, sizeBytes: 4 * 2 ** 20 } : c)) };
    const e = new Engine(small, { seed: 1 });
    const r = e.command({ type: 'hostWrite', hostId: 'host1', luId: 'LU11', offsetBytes: 0, lengthBytes: 16 * 2 ** 20 });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.reason).toMatch(/can never be stored in cache C11: it lets at most 11 track\(s\) hold write-pending data/);
    expect(e.command({ type: 'hostWrite', hostId: 'host1', luId: 'LU11', offsetBytes: 0, lengthBytes: 2 * 2 ** 20 })).toMatchObject({ ok: true });
    expect(e.runUntilSettled(60e6)).toBe(true);
  });

  test('validation says which workload and cache, before a run', () => {
    const t = loadFigure('fig01');
    const small = { ...t, caches: t.caches.map((c) => (c.volumeIds.includes('V11') ? { ...c, sizeBytes: 2 ** 20 } : c)), hosts: t.hosts.map((h) => ({ ...h, workloads: h.workloads.map((w) => ({ ...w, blockBytes: 600 * 1024 })) })) };
    const problems = validateTopology(small).filter((p) => p.code === 'write-exceeds-cache');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/writes 600 KiB at a time, up to 4 tracks of 256 KiB; cache C11 lets only 2 track\(s\)/);
    expect(validateTopology(t).filter((p) => p.code === 'write-exceeds-cache')).toEqual([]);
  });
});
