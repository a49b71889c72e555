// The app plays the file's scenario timeline: each step at its virtual time, again after seeking back, beside the operator's own commands.
import { describe, expect, test } from 'vitest';
import { builtInText } from '../../test/builtins';
import type { DriverHost, Snapshot } from '../../app/engine/api';
import { createEngineDriver } from './driver';

const raw = JSON.parse(builtInText('fig01-loop-cascade.relaylab.json')) as { volumes: Record<string, unknown>[] };
// Empty volumes (no starting data): the initial copies finish at once and the test is about the timeline.
const fig01 = { ...raw, volumes: raw.volumes.map(({ initialFill: _fill, ...v }) => v) } as Record<string, unknown>;

const host: DriverHost = { nowMs: () => 0, setTimer: () => () => {}, emitSnapshot: () => {} };

const withTimeline = (timeline: unknown[]) => ({ ...fig01, scenario: { ...(fig01.scenario as object), timeline } });
const asyncState = (s: Snapshot) => s.pairs.find((p) => p.id === 'pair-async')!.state;

describe('scenario timeline in the app', () => {
  test('a cut at 300 ms suspends the async pair at that virtual time, and the snapshot says which step played', () => {
    const d = createEngineDriver(host);
    expect(d.load(withTimeline([{ atMs: 300, command: { type: 'cutCable', cableId: 'CN4' }, note: 'the WAN fails' }])).loaded).toBe(true);
    let s = d.control({ action: 'runFor', virtualMs: 299 });
    expect(s.scenario).toEqual({ applied: 0, total: 1 });
    expect(asyncState(s)).not.toBe('PSUE');
    s = d.control({ action: 'runFor', virtualMs: 2 });
    expect(s.scenario).toMatchObject({ applied: 1, last: { index: 0, ok: true } });
    expect(asyncState(s)).toBe('PSUE');
  });

  test('seeking back before a step undoes it, and playing on applies it again at the same time', () => {
    const d = createEngineDriver(host);
    d.load(withTimeline([{ atMs: 300, command: { type: 'cutCable', cableId: 'CN4' } }]));
    d.control({ action: 'runFor', virtualMs: 500 });
    let s = d.control({ action: 'seek', timeMs: 100 });
    expect(s.scenario?.applied).toBe(0);
    expect(asyncState(s)).not.toBe('PSUE');
    s = d.control({ action: 'seek', timeMs: 400 });
    expect(s.scenario?.applied).toBe(1);
    expect(asyncState(s)).toBe('PSUE');
  });

  test("the operator's command between two steps keeps its place; the file's restore still comes later", () => {
    const d = createEngineDriver(host);
    d.load(withTimeline([
      { atMs: 300, command: { type: 'cutCable', cableId: 'CN4' } },
      { atMs: 900, command: { type: 'restoreCable', cableId: 'CN4' } },
    ]));
    d.control({ action: 'runFor', virtualMs: 500 });
    // The operator resyncs while CN4 is down: refused, as the arrays do.
    expect(d.command({ type: 'pair', pairId: 'pair-async', op: 'resync' }).ok).toBe(false);
    const s = d.control({ action: 'runFor', virtualMs: 500 });
    expect(s.scenario).toMatchObject({ applied: 2, last: { index: 1, ok: true } });
    expect(s.links.find((l) => l.id === 'CN4')?.up).toBe(true);
  });
});
