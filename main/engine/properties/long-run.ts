// Entry of scripts/prop-long.mjs and scripts/soak.mjs: many property runs with totals, and a long soak with memory samples.
import fc from 'fast-check';
import type { Topology } from '../../../app/model/schema';
import { actionArb, actionWithEditsArb, loadVariationArb, relayHosts, remoteHosts, siblingHosts, straddling, variationArb } from './arbitraries';
import { EngineModel, runSequence, vary } from './harness';
import type { Action, Violation } from './harness';

export interface LongRunReport {
  seed: number;
  runs: number;
  steps: number;
  writesAcked: number;
  writesFailed: number;
  faults: number;
  commandsRefused: number;
  resyncs: number;
  statesSeen: string[];
  failure?: { seed: number; path: string; counterexample: string; error: string };
}

/** A sequence slower than this is handed to `onNotice` with what replays it (as is every failing one). */
const SLOW_SEQUENCE_MS = 20_000;

/** Runs `numRuns` random sequences; on failure reports the seed and path that replay it (fc's own shrinking applied). */
export function propertyRuns(builtIns: { file: string; topology: Topology }[], numRuns: number, seed: number, maxActions = 120, kinds: SequenceKinds = {}, onNotice?: (what: string) => void): LongRunReport {
  const report: LongRunReport = { seed, runs: 0, steps: 0, writesAcked: 0, writesFailed: 0, faults: 0, commandsRefused: 0, resyncs: 0, statesSeen: [] };
  const states = new Set<string>();
  const result = fc.check(
    fc.property(...sequenceArbs(builtIns.length, maxActions, kinds), (which, variation, engineSeed, actions) => {
      const started = Date.now();
      const { violations, stats } = runSequence(builtIns[which]!.topology, variation, engineSeed, actions);
      // Said as it happens, before fast-check's shrinking (which can run for many minutes on a long sequence): a
      // failing sequence, and one that took long enough to be worth a look of its own.
      const ms = Date.now() - started;
      if (ms > SLOW_SEQUENCE_MS || violations.length) onNotice?.(`run ${report.runs + 1} took ${(ms / 1000).toFixed(1)} s${violations.length ? ' and failed (fast-check shrinks it next)' : ''}: ${JSON.stringify([which, variation, engineSeed, actions])}`);
      count(report, states, stats);
      if (violations.length) throw new Error(`${builtIns[which]!.file}: ${violations.map(describe).join('\n')}`);
    }),
    { numRuns, seed },
  );
  report.statesSeen = [...states].sort();
  if (result.failed)
    report.failure = {
      seed: result.seed,
      path: result.counterexamplePath ?? '',
      counterexample: fc.stringify(result.counterexample),
      error: result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance),
    };
  return report;
}

/**
 * Like propertyRuns, without fast-check's shrinking: `numRuns` sequences drawn with fc.sample from the same arbitraries,
 * each run to its end whatever the others did; every failing one is handed to `onFailure` with what replays it
 * (`[figure index, variation, engine seed, actions]` for runSequence) and the run goes on. A shrink of a 120-action
 * load sequence can take longer than the run itself; this finds more failures per hour and leaves shrinking to a
 * replay. `onRun` hears one line per sequence.
 */
export function sampledRuns(builtIns: { file: string; topology: Topology }[], numRuns: number, seed: number, maxActions = 120, kinds: SequenceKinds, onFailure: (what: string) => void, onRun?: (line: string) => void): LongRunReport & { failures: number } {
  const report = { seed, runs: 0, steps: 0, writesAcked: 0, writesFailed: 0, faults: 0, commandsRefused: 0, resyncs: 0, statesSeen: [] as string[], failures: 0 };
  const states = new Set<string>();
  const samples = fc.sample(fc.tuple(...sequenceArbs(builtIns.length, maxActions, kinds)), { numRuns, seed });
  for (const [which, variation, engineSeed, actions] of samples) {
    const started = Date.now();
    const { violations, stats } = runSequence(builtIns[which]!.topology, variation, engineSeed, actions);
    onRun?.(`#${report.runs} ${builtIns[which]!.file}: ${Date.now() - started} ms, ${stats.writesAcked} writes acknowledged, ${actions.length} actions${violations.length ? ' FAILED' : ''}`);
    if (violations.length) {
      report.failures++;
      onFailure(`run ${report.runs} (${builtIns[which]!.file}): ${violations.map(describe).join(' | ')}\nreplay with runSequence: ${JSON.stringify([which, variation, engineSeed, actions])}`);
    }
    count(report, states, stats);
  }
  report.statesSeen = [...states].sort();
  return report;
}

/**
 * What the sequences are drawn from, beyond the default: under the figures' own load (--load), with writes across
 * track boundaries (--straddle), live cable edits among the actions (--edits), a host at each remote site (--remote),
 * a host at each relay site (--relay), a host there writing the volumes over a sync secondary's bytes (--sibling).
 */
export interface SequenceKinds {
  load?: boolean;
  straddle?: boolean;
  edits?: boolean;
  remote?: boolean;
  relay?: boolean;
  sibling?: boolean;
}

/** The arbitraries of one sequence, [figure index, variation, engine seed, actions], for both kinds of run. */
function sequenceArbs(figures: number, maxActions: number, kinds: SequenceKinds) {
  let variation = kinds.load ? loadVariationArb : variationArb;
  if (kinds.straddle) variation = straddling(variation);
  if (kinds.remote) variation = remoteHosts(variation);
  if (kinds.relay) variation = relayHosts(variation);
  if (kinds.sibling) variation = siblingHosts(variation);
  const actions = fc.array(kinds.edits ? actionWithEditsArb : actionArb, { minLength: 5, maxLength: maxActions, size: 'max' });
  return [fc.nat(figures - 1), variation, fc.nat(1_000_000), actions] as const;
}

/** One more sequence's figures added to the totals. */
function count(report: LongRunReport, states: Set<string>, stats: ReturnType<typeof runSequence>['stats']): void {
  report.runs++;
  report.steps += stats.steps;
  report.writesAcked += stats.writesAcked;
  report.writesFailed += stats.writesFailed;
  report.faults += stats.faults;
  report.commandsRefused += stats.commandsRefused;
  report.resyncs += stats.resyncsCompleted;
  for (const s of stats.statesSeen) states.add(s);
}

export const describe = (v: Violation) => `step ${v.step} ${JSON.stringify(v.action)}: [${v.invariant}] ${v.detail}`;

export interface SoakSample {
  virtualHours: number;
  rssMB: number;
  heapMB: number;
  writesAcked: number;
  faults: number;
}

/**
 * A steady write stream with a fault every `faultEveryS` virtual seconds (cut/restore a cable, fail/restore a system,
 * split/resync), invariants checked after every action, memory sampled every `sampleEveryH` virtual hours.
 */
export function soak(
  topology: Topology,
  opts: { virtualHours: number; seed: number; faultEveryS: number; sampleEveryH: number; memory: () => { rss: number; heapUsed: number } },
): { samples: SoakSample[]; violations: Violation[]; actions: number; writesAcked: number; faults: number } {
  const model = new EngineModel(vary(topology, { distanceScale: 1, bandwidthScale: 1, fence: 'never', initially: 'paired', journalBytes: 64 * 1024 * 1024, autoResync: true }), opts.seed);
  for (const h of topology.hosts) for (const w of h.workloads) model.addTarget(h.id, w.luId);
  const rng = fc.sample(fc.infiniteStream(fc.nat(1_000_000)), { numRuns: 1, seed: opts.seed })[0]!;
  const it = rng[Symbol.iterator]();
  const next = (n: number) => (it.next().value as number) % n;
  const samples: SoakSample[] = [];
  const endUs = opts.virtualHours * 3600e6;
  let nextFaultUs = opts.faultEveryS * 1e6;
  let nextSampleUs = 0;
  let actions = 0;
  let faultOpen: Action | undefined;
  while (model.engine.nowUs < endUs && model.violations.length === 0) {
    // Ten writes spread over a virtual second: steady load, small enough to run hours of virtual time quickly.
    for (let i = 0; i < 10; i++) {
      model.apply({ kind: 'write', target: next(8), block: next(16) });
      model.apply({ kind: 'run', us: 100_000 });
      actions += 2;
    }
    if (model.engine.nowUs >= nextFaultUs) {
      nextFaultUs += opts.faultEveryS * 1e6;
      const kinds: Action[] = faultOpen
        ? [repairOf(faultOpen)]
        : [
            { kind: 'cutCable', index: next(16) },
            { kind: 'failSystem', index: next(8) },
            { kind: 'pair', index: next(8), op: 'split', readWrite: false },
            { kind: 'fillJournal', index: next(8) },
          ];
      const fault = kinds[next(kinds.length)]!;
      model.apply(fault);
      actions++;
      faultOpen = faultOpen ? undefined : fault;
      if (!faultOpen) for (let p = 0; p < 8; p++) model.apply({ kind: 'pair', index: p, op: 'resync', readWrite: false });
    }
    if (model.engine.nowUs >= nextSampleUs) {
      nextSampleUs += opts.sampleEveryH * 3600e6;
      const m = opts.memory();
      samples.push({ virtualHours: model.engine.nowUs / 3600e6, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20, writesAcked: model.stats.writesAcked, faults: model.stats.faults });
    }
  }
  if (!model.violations.length) model.finish();
  return { samples, violations: model.violations, actions, writesAcked: model.stats.writesAcked, faults: model.stats.faults };
}

function repairOf(fault: Action): Action {
  switch (fault.kind) {
    case 'cutCable':
      return { kind: 'restoreCable', index: fault.index };
    case 'failSystem':
      return { kind: 'restoreSystem', index: fault.index };
    case 'pair':
      return { kind: 'pair', index: fault.index, op: 'resync', readWrite: false };
    default:
      return { kind: 'run', us: 1 };
  }
}
export { parseTopologyText } from '../../../app/model/file';
export { withoutInitialFill } from '../../../app/model/schema';
