// The Exercise editor's document edits: every kind it offers makes a valid exercise on FIG. 1, and the document stays valid.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { Topology } from '../../app/model/schema';
import { validateTopology } from '../../app/validate';
import { addExercise, END_KINDS, EVENT_KINDS, newEnd, newEvent, removeAt, withExercise } from './exercise-edit';

const fig7 = (): Topology => loadBuiltIn('fig07-intercache-copy.relaylab.json');

describe('exercise editing', () => {
  it('adds an exercise to a figure without one, and every event and end kind it offers validates on the figure', () => {
    const t0 = fig7();
    expect(t0.scenario).toBeUndefined();
    let t = addExercise(t0);
    expect(t.scenario?.exercises).toHaveLength(1);
    t = withExercise(t, 0, (ex) => ({ ...ex, mustHappen: EVENT_KINDS.map((k) => newEvent(k.kind, t, 2)), atEnd: END_KINDS.map((k) => newEnd(k.kind, t)) }));
    expect(Topology.safeParse(t).success).toBe(true);
    expect(validateTopology(t).filter((p) => p.severity === 'error')).toEqual([]);
    expect(t.scenario!.exercises[0]!.mustHappen.every((e) => e.points === 2)).toBe(true);
    // The RPO bound names the asynchronous pair (a synchronous one would be a located error).
    expect(t.scenario!.exercises[0]!.atEnd.find((c) => c.check === 'rpoBound')).toMatchObject({ pairId: 'pair-async' });
  });

  it('deletes an exercise, removes a row, and leaves the input untouched (each edit is a new document for undo)', () => {
    const t = withExercise(addExercise(fig7()), 0, (ex) => ({ ...ex, mustHappen: [newEvent('fault', fig7()), newEvent('repair', fig7())] }));
    const fewer = withExercise(t, 0, (ex) => ({ ...ex, mustHappen: removeAt(ex.mustHappen, 0) }));
    expect(fewer.scenario!.exercises[0]!.mustHappen.map((e) => e.event)).toEqual(['repair']);
    expect(t.scenario!.exercises[0]!.mustHappen).toHaveLength(2);
    expect(withExercise(t, 0, () => null).scenario!.exercises).toEqual([]);
    expect(withExercise(t, 5, () => null)).toBe(t);
  });
});
