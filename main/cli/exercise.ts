// `relaylab simulate` with an exercise: the run's history collected from the engine's step events, graded by app/exercise.
import type { StepEvent } from '../../app/engine/api';
import { gradeExercise, isHistoryEvent, type ExerciseGrade } from '../../app/exercise/grade';
import type { Topology } from '../../app/model/schema';
import { runSimulation, type SimulateOptions, type SimulationReport } from '../engine/headless';

export interface GradedSimulation {
  report: SimulationReport;
  /** One grade per exercise of the file, in file order (empty when it has none). */
  grades: ExerciseGrade[];
}

/**
 * Runs the topology as `relaylab simulate` does (the file's scenario timeline, then `options.faults`: both count as the
 * student's actions) and grades every exercise of the file on the run: its history of pair-state, fault and repair
 * events, and the report's end facts (pair states, largest RPO until --duration, host refusals, volume hashes after settling).
 */
export function simulateAndGrade(topology: Topology, options: SimulateOptions): GradedSimulation {
  const events: StepEvent[] = [];
  const report = runSimulation(topology, {
    ...options,
    onStep: (e) => {
      if (isHistoryEvent(e)) events.push(e);
      options.onStep?.(e);
    },
  });
  const end = {
    timeUs: report.endMs * 1000,
    pairs: report.pairs.map((p) => ({ id: p.id, state: p.state, primaryState: p.primaryState, secondaryState: p.secondaryState, ...(p.maxRpoMs !== undefined ? { maxRpoMs: p.maxRpoMs } : {}) })),
    hosts: report.hosts,
    hashes: Object.fromEntries(report.volumes.map((v) => [v.id, v.sha256])),
  };
  const grades = (topology.scenario?.exercises ?? []).map((ex) => gradeExercise(ex, { events }, end, topology));
  return { report, grades };
}

/** The `exercise` field of `simulate --json`: passed, score, and each check with its points and evidence. */
export function exerciseJson(grade: ExerciseGrade): { passed: boolean; score: number; total: number; message: string; checks: { text: string; ok: boolean; points: number; why: string }[] } {
  return { passed: grade.passed, score: grade.score, total: grade.total, message: grade.message, checks: grade.checks.map((c) => ({ text: c.text, ok: c.ok, points: c.points, why: c.why })) };
}
