// A volume starts with the data its file says (initialFill): deterministic, and the initial copy has it to send.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { createHash } from 'node:crypto';
import { Engine } from './engine';
import { filledTracks } from './initial-fill';

const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());

const fig1 = () => loadBuiltIn('fig01-loop-cascade.relaylab.json');

describe('initial fill', () => {
  it('chooses exactly the fraction of tracks, the same ones for the same seed', () => {
    const a = filledTracks(4096, { fraction: 0.25, pattern: 'scattered' }, 7);
    expect(a).toHaveLength(1024);
    expect(new Set(a).size).toBe(1024);
    expect(a).toEqual(filledTracks(4096, { fraction: 0.25, pattern: 'scattered' }, 7));
    expect(a).not.toEqual(filledTracks(4096, { fraction: 0.25, pattern: 'scattered' }, 8));
    expect(a.at(-1)).toBeGreaterThan(3000);
    expect(filledTracks(10, { fraction: 0.3, pattern: 'front' }, 1)).toEqual([0, 1, 2]);
    expect(filledTracks(10, { fraction: 0, pattern: 'front' }, 1)).toEqual([]);
  });

  it("pairs that start paired hold the filled primary's bytes from time 0, shared, not copied (the journal-sizing exercise as shipped)", () => {
    const e = new Engine(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json'), { sha256 });
    for (const p of e.pairs.values()) expect(p.state).toBe('PAIR');
    const v11 = e.volumeHash('V11');
    expect(e.volumeHash('V12')).toBe(v11);
    expect(e.volumeHash('V22')).toBe(v11);
    // The fill is there (not three empty volumes), and the secondaries keep the same buffers: no second copy of it.
    const r11 = e.stack.stores.get('R11')!;
    expect(r11.bytesStored).toBeGreaterThan(100 * 2 ** 20);
    const before = process.memoryUsage().arrayBuffers;
    const again = new Engine(loadBuiltIn('fig01-exercise-journal-sizing.relaylab.json'), { sha256 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
    expect(again.volumeHash('V22')).toBe(v11);
  });

  it("FIG. 1 starts with a fifth of V11's tracks holding data: the initial copy sends it, and the copies end identical", () => {
    const t = fig1();
    expect(t.volumes.find((v) => v.id === 'R11')).toMatchObject({ initialFill: { fraction: 0.2 } });
    const e = new Engine(t, { seed: 3, sha256 });
    const again = new Engine(t, { seed: 99, sha256 });
    // The same bytes whatever the run's seed.
    expect(e.volumeHash('V11')).toBe(again.volumeHash('V11'));
    expect(e.volumeHash('V11')).not.toBe(new Engine({ ...t, volumes: t.volumes.map((v) => (v.kind === 'real' ? { ...v, initialFill: undefined } : v)) }, { seed: 3, sha256 }).volumeHash('V11'));
    e.command({ type: 'setWorkloadsEnabled', enabled: false });
    e.runUntil(50_000);
    const copying = e.snapshot({}).pairs;
    expect(copying.find((p) => p.id === 'pair-sync')).toMatchObject({ state: 'COPY' });
    expect(e.runUntilSettled(60_000_000)).toBe(true);
    const sent = e
      .stepEvents(0)
      .filter((s) => s.step === 'pair-state' && /copy complete/.test(s.text))
      .map((s) => Number(/\((\d+) track/.exec(s.text)![1]));
    // The sync leg's initial copy sends the data (the async leg's primary V21 starts empty: the data reaches it by the sync copy).
    expect(Math.max(...sent)).toBeGreaterThan(600);
    expect(e.volumeHash('V11')).toBe(e.volumeHash('V12'));
    expect(e.volumeHash('V21')).toBe(e.volumeHash('V22'));
  }, 120_000);
});
