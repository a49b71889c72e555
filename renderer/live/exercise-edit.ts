// Pure edits of a document's exercises, as the Exercise editor makes them (each one an undoable document edit).
import { Exercise, type ExerciseEnd, type ExerciseEvent, type Topology } from '../../app/model/schema';

export type EventKind = ExerciseEvent['event'];
export type EndKind = ExerciseEnd['check'];

export const EVENT_KINDS: { kind: EventKind; label: string }[] = [
  { kind: 'fault', label: 'fault (cut / fail)' },
  { kind: 'repair', label: 'repair (restore)' },
  { kind: 'pairState', label: 'pair goes state' },
  { kind: 'differentialResync', label: 'differential resync' },
  { kind: 'takeover', label: 'takeover (SSWS)' },
  { kind: 'fenceLifted', label: 'fence lifted' },
  { kind: 'deltaResync', label: 'delta resync' },
  { kind: 'journalFull', label: 'journal full' },
  { kind: 'writeRefused', label: 'host write refused' },
];

export const END_KINDS: { kind: EndKind; label: string }[] = [
  { kind: 'pairState', label: 'pair state' },
  { kind: 'rpoBound', label: 'RPO bound' },
  { kind: 'neverState', label: 'pair never in state' },
  { kind: 'identical', label: 'identical volumes' },
  { kind: 'noAckedWriteLost', label: 'no acknowledged write lost' },
  { kind: 'noFullCopy', label: 'no full copy' },
  { kind: 'noWriteRefused', label: 'no host write refused' },
];

/** Elements a fault or repair may name: cables, systems, sites. */
export function faultTargets(t: Topology): string[] {
  return [...t.cables.map((c) => c.id), ...t.systems.map((s) => s.id), ...t.sites.map((s) => s.id)];
}

/** A new required event of this kind, naming the first fitting element of the document. */
export function newEvent(kind: EventKind, t: Topology, points = 1): ExerciseEvent {
  const pairId = t.pairs[0]?.id ?? 'pair';
  switch (kind) {
    case 'fault':
    case 'repair':
      return { event: kind, elementId: faultTargets(t)[0] ?? 'element', points };
    case 'pairState':
      return { event: kind, pairId, state: 'PSUE', points };
    case 'writeRefused':
      return { event: kind, points };
    default:
      return { event: kind, pairId, points };
  }
}

/** A new end condition of this kind, naming the first fitting elements of the document. */
export function newEnd(kind: EndKind, t: Topology, points = 1): ExerciseEnd {
  const pairId = t.pairs[0]?.id ?? 'pair';
  const asyncPair = t.pairs.find((p) => p.mode === 'async')?.id ?? pairId;
  switch (kind) {
    case 'pairState':
      return { check: kind, pairId, state: 'PAIR', side: 'pair', points };
    case 'rpoBound':
      return { check: kind, pairId: asyncPair, maxMs: 60_000, points };
    case 'neverState':
      return { check: kind, pairId, states: ['PSUE'], points };
    case 'identical': {
      const p = t.pairs[0];
      return { check: kind, volumeA: p?.primaryVolumeId ?? t.volumes[0]?.id ?? 'A', volumeB: p?.secondaryVolumeId ?? t.volumes[1]?.id ?? 'B', points };
    }
    case 'noAckedWriteLost':
      return { check: kind, pairId, points };
    case 'noFullCopy':
    case 'noWriteRefused':
      return { check: kind, points };
  }
}

export function newExercise(): Exercise {
  return Exercise.parse({ title: 'New exercise', task: 'Describe what the student must do.' });
}

/** The document with exercise `index` replaced by `change(exercise)` (the scenario created when missing). */
export function withExercise(t: Topology, index: number, change: (ex: Exercise) => Exercise | null): Topology {
  const scenario = t.scenario ?? { timeline: [], script: [], exercises: [] };
  const current = scenario.exercises[index];
  if (!current) return t;
  const next = change(current);
  const exercises = next === null ? scenario.exercises.filter((_, i) => i !== index) : scenario.exercises.map((e, i) => (i === index ? next : e));
  return { ...t, scenario: { ...scenario, exercises } };
}

/** The document with one more exercise at the end. */
export function addExercise(t: Topology): Topology {
  const scenario = t.scenario ?? { timeline: [], script: [], exercises: [] };
  return { ...t, scenario: { ...scenario, exercises: [...scenario.exercises, newExercise()] } };
}

export const replaceAt = <T>(list: readonly T[], i: number, value: T): T[] => list.map((x, k) => (k === i ? value : x));
export const removeAt = <T>(list: readonly T[], i: number): T[] => list.filter((_, k) => k !== i);
