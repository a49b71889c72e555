import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StepEvent } from '../../app/engine/api';
import { parseTopologyText } from '../../app/model/file';
import { tokenHop } from './tokens';

const loaded = parseTopologyText(readFileSync('assets/topologies/fig01-loop-cascade.relaylab.json', 'utf8'));
if (!loaded.ok) throw new Error('FIG. 1 does not load');
const fig1 = loaded.topology;
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
