import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { StepEvent } from '../../app/engine/api';
import { tokenHop } from './tokens';

const fig1 = loadBuiltIn('fig01-loop-cascade.relaylab.json');
let seq = 0;
const ev = (step: string, elementId: string, relatedIds?: string[]): StepEvent => ({ seq: ++seq, timeUs: seq, step, elementId, text: step, ...(relatedIds ? { relatedIds } : {}) });

describe('write token hops', () => {
  it('a receive at the far port of a cable named by an earlier send rides that cable, even with local steps in between', () => {
    const walk = [ev('S1', 'IP11', ['CN2', 'pair-sync']), ev('cache', 'C11'), ev('S11', 'TP21')];
    expect(tokenHop(fig1, walk)).toMatchObject({ fromId: 'IP11', toId: 'TP21', cableId: 'CN2', pairId: 'pair-sync', mode: 'sync' });
  });

  it('a message through shared memory is a hop inside the system, without a cable, carried by the pair seen before', () => {
    const walk = [ev('S1', 'IP11', ['CN2', 'pair-sync']), ev('S11', 'TP21'), ev('S16', 'TP21', ['IP21']), ev('S21', 'IP21')];
    const hop = tokenHop(fig1, walk);
    expect(hop).toMatchObject({ fromId: 'TP21', toId: 'IP21', mode: 'sync' });
    expect(hop?.cableId).toBeUndefined();
  });

  it('a step at the same element does not move the token', () => {
    expect(tokenHop(fig1, [ev('S11', 'TP21'), ev('S12', 'TP21')])).toBeNull();
  });
});

describe('write tokens during Play', () => {
  it('a hop lasts its virtual time slowed down by the speed, within what an eye can follow', async () => {
    const { playHopMs, PLAY_HOP_MIN_MS, PLAY_HOP_MAX_MS } = await import('./tokens');
    // 2 ms of virtual time at 1x is half a second on screen; at 10x it is ten times shorter (clamped at the minimum).
    expect(playHopMs(2000, 1)).toBe(500);
    expect(playHopMs(2000, 4)).toBe(125);
    expect(playHopMs(2000, 10)).toBe(PLAY_HOP_MIN_MS);
    // A long cable (15 ms one way at 3,000 km) is slower than a short one, up to the longest hop shown.
    expect(playHopMs(15_000, 10)).toBeGreaterThan(playHopMs(500, 10));
    expect(playHopMs(15_000, 1)).toBe(PLAY_HOP_MAX_MS);
  });

  it('the hop over CN2 is timed by the virtual time between the send and the receipt', async () => {
    const { playHop } = await import('./tokens');
    const at = (e: StepEvent, timeUs: number): StepEvent => ({ ...e, timeUs });
    const walk = [at(ev('S1', 'IP11', ['CN2', 'pair-sync']), 0), at(ev('S11', 'TP21'), 1600)];
    expect(playHop(fig1, walk, 1, 1)).toMatchObject({ fromId: 'IP11', toId: 'TP21', cableId: 'CN2', durationMs: 400 });
    expect(playHop(fig1, walk, 1, 2)?.durationMs).toBe(200);
    expect(playHop(fig1, [at(ev('S11', 'TP21'), 0), at(ev('S12', 'TP21'), 50)], 1, 1)).toBeNull();
  });
});
