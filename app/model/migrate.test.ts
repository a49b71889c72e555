// Format version 2: a version-1 file (FIG. 1 as shipped before the bump) opens, is migrated, and says so.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTopologyText, parseTopologyValue } from './file';
import { FORMAT_VERSION } from './schema';
import { validateTopology } from '../validate';

const V1 = readFileSync(join(__dirname, 'testdata/fig01-formatVersion1.relaylab.json'), 'utf8');

describe('formatVersion 1 -> 2', () => {
  it('opens FIG. 1 as saved by version 1, says it was migrated, and keeps its exercise as the one entry of exercises', () => {
    const raw = JSON.parse(V1) as { formatVersion: number; scenario: { exercise: { task: string; requiredEvents: unknown[] } } };
    expect(raw.formatVersion).toBe(1);
    const r = parseTopologyText(V1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(FORMAT_VERSION).toBe(2);
    expect(r.migratedFrom).toBe(1);
    expect(r.topology.formatVersion).toBe(2);
    expect(r.topology.scenario).not.toHaveProperty('exercise');
    const [ex, ...more] = r.topology.scenario!.exercises;
    expect(more).toEqual([]);
    expect(ex!.task).toBe(raw.scenario.exercise.task);
    // The events are kept in order, each worth 1 point; expected states and the no-full-copy rule become end conditions.
    expect(ex!.mustHappen).toEqual(raw.scenario.exercise.requiredEvents.map((e) => ({ ...(e as object), points: 1 })));
    expect(ex!.atEnd).toEqual([
      { check: 'pairState', pairId: 'pair-sync', state: 'PAIR', side: 'pair', points: 1 },
      { check: 'pairState', pairId: 'pair-async', state: 'PAIR', side: 'pair', points: 1 },
      { check: 'noFullCopy', points: 1 },
    ]);
    expect(ex!.hints).toEqual([]);
    expect(validateTopology(r.topology).filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('a version-1 exercise expecting an unknown state, or of the wrong shape, is a located error after migration', () => {
    const raw = JSON.parse(V1);
    raw.scenario.exercise.expectPairStates['pair-async'] = 'SLEEPING';
    const r = parseTopologyValue(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.path).toEqual(['scenario', 'exercises', 0, 'atEnd', 1, 'state']);
    const odd = JSON.parse(V1);
    odd.scenario.exercise = 'not an exercise';
    const r2 = parseTopologyValue(odd);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.problems.some((p) => p.path.join('.').startsWith('scenario'))).toBe(true);
  });

  it('a version-1 file without a scenario, or without an exercise, migrates to no exercises', () => {
    const raw = JSON.parse(V1);
    delete raw.scenario.exercise;
    const r = parseTopologyValue(raw);
    expect(r.ok && r.topology.scenario?.exercises).toEqual([]);
    delete raw.scenario;
    const r2 = parseTopologyValue(raw);
    expect(r2.ok && r2.migratedFrom).toBe(1);
  });
});
