// Headless runs for `relaylab simulate`: a topology, a seed, timed faults and a duration in; the report of DOMAIN.md's "Headless report" out.
import type { EngineCommand, PairState, StepEvent } from '../../app/engine/api';
import type { Topology } from '../../app/model/schema';
import type { Sha256 } from './data/sparse-volume';
import { Engine, linkUtilization, type WorkloadOverride } from './engine';

export interface TimedFault {
  atMs: number;
  command: EngineCommand;
}

export interface SimulateOptions {
  durationMs: number;
  seed?: number;
  faults?: TimedFault[];
  workloadOverride?: WorkloadOverride;
  /** Virtual time allowed after durationMs for pairs to settle (default 1 hour). */
  settleCapMs?: number;
  /** The caller's native sha256 for the volume hashes (this module is environment-free; the CLI passes node:crypto's). */
  sha256?: Sha256;
  /** Called with every step event of the run (exercise grading keeps its history from them). */
  onStep?: (e: StepEvent) => void;
}

export interface SimulationReport {
  topology: string;
  seed: number;
  durationMs: number;
  /** Virtual time when the report was taken (after settling). */
  endMs: number;
  /** False when the settle cap ran out first (e.g. a cable stays cut). */
  settled: boolean;
  pairs: {
    id: string;
    primaryVolume: string;
    secondaryVolume: string;
    mode: 'sync' | 'async';
    state: PairState;
    /** Each side's own status (P-VOL, S-VOL), as CCI's pairdisplay shows them. */
    primaryState: PairState;
    secondaryState: PairState;
    copyProgress: number;
    differentialTracks: number;
    /** Async: the RPO at the end of --duration (before the drain), its largest value until then, and the farthest copy's (cascades). */
    rpoMs?: number;
    maxRpoMs?: number;
    endToEndRpoMs?: number;
    /** A pair with a path group: paths up at the end, in the group, and the minimum. */
    paths?: { up: number; total: number; min: number };
    reason?: string;
  }[];
  volumes: { id: string; sha256: string }[];
  hosts: {
    id: string;
    writeIops: number;
    writeLatencyMs: { p50: number; p99: number };
    writesAcked: number;
    writesFailed: number;
    /** Reads completed per second of durationMs, their latency, and how many were served wholly from the cache. */
    readIops: number;
    readLatencyMs: { p50: number; p99: number };
    readsCompleted: number;
    readsFailed: number;
    readCacheHits: number;
  }[];
  links: { id: string; utilization: number; bytes: number }[];
  /** Every scenario step and `--fault`, in the order played, with the engine's answer. */
  faults: { atMs: number; command: EngineCommand; source: 'scenario' | 'cli'; note?: string; ok: boolean; message: string }[];
  events: number;
}

/** Runs the topology for durationMs with its workloads, injecting faults on time; then hosts stop and the run continues until settled. */
export function runSimulation(topology: Topology, options: SimulateOptions): SimulationReport {
  const seed = options.seed ?? 1;
  const engine = new Engine(topology, { seed, sha256: options.sha256, ...(options.onStep ? { onStep: options.onStep } : {}) });
  const durationUs = options.durationMs * 1000;
  engine.workloadsStopUs = durationUs;
  engine.startWorkloads(options.workloadOverride);
  // The file's scenario first, then the command line's faults; a stable sort keeps that order at equal times.
  const steps: (TimedFault & { source: 'scenario' | 'cli'; note?: string })[] = [
    ...(topology.scenario?.timeline ?? []).map((ev) => ({ atMs: ev.atMs, command: ev.command, source: 'scenario' as const, ...(ev.note !== undefined ? { note: ev.note } : {}) })),
    ...(options.faults ?? []).map((f) => ({ ...f, source: 'cli' as const })),
  ].sort((a, b) => a.atMs - b.atMs);
  const faultResults: SimulationReport['faults'] = [];
  for (const f of steps) {
    const base = { atMs: f.atMs, command: f.command, source: f.source, ...(f.note !== undefined ? { note: f.note } : {}) };
    if (f.atMs > options.durationMs) {
      faultResults.push({ ...base, ok: false, message: `not played: after the end of the run (${options.durationMs / 1000} s)` });
      continue;
    }
    engine.runUntil(f.atMs * 1000);
    const r = engine.command(f.command);
    faultResults.push({ ...base, ok: r.ok, message: r.ok ? (r.message ?? 'ok') : r.reason });
  }
  if (engine.nowUs < durationUs) engine.runUntil(durationUs);
  // RPO is what the architect takes away at the end of the run, not after the journal drained.
  const atEnd = new Map([...engine.pairs.values()].map((p) => [p.id, engine.pairStatus(p)]));
  const settled = engine.runUntilSettled(durationUs + (options.settleCapMs ?? 3_600_000) * 1000);
  const now = engine.nowUs;
  const seconds = options.durationMs / 1000;
  return {
    topology: topology.name,
    seed,
    durationMs: options.durationMs,
    endMs: now / 1000,
    settled,
    pairs: [...engine.pairs.values()].map((p) => {
      const s = engine.pairStatus(p);
      const out: SimulationReport['pairs'][number] = {
        id: p.id,
        primaryVolume: p.primaryId,
        secondaryVolume: p.secondaryId,
        mode: p.mode,
        state: s.state,
        primaryState: s.primaryState ?? s.state,
        secondaryState: s.secondaryState ?? s.state,
        copyProgress: s.copyProgress,
        differentialTracks: s.differentialTracks,
        reason: s.reason,
      };
      if (s.paths) out.paths = { up: s.paths.up, total: s.paths.total, min: s.paths.min };
      const end = atEnd.get(p.id)!;
      if (p.mode === 'async' && end.rpoMs !== undefined) {
        out.rpoMs = end.rpoMs;
        out.maxRpoMs = end.maxRpoMs ?? end.rpoMs;
        if (end.endToEndRpoMs !== undefined) out.endToEndRpoMs = end.endToEndRpoMs;
      }
      return out;
    }),
    volumes: topology.volumes.map((v) => ({ id: v.id, sha256: engine.volumeHash(v.id) })),
    hosts: engine.hostTotals().map((h) => ({
      id: h.id,
      writeIops: seconds > 0 ? h.writesAcked / seconds : 0,
      writeLatencyMs: { p50: h.latency.quantileUs(0.5) / 1000, p99: h.latency.quantileUs(0.99) / 1000 },
      writesAcked: h.writesAcked,
      writesFailed: h.writesFailed,
      readIops: seconds > 0 ? h.reads.completed / seconds : 0,
      readLatencyMs: { p50: h.reads.latency.quantileUs(0.5) / 1000, p99: h.reads.latency.quantileUs(0.99) / 1000 },
      readsCompleted: h.reads.completed,
      readsFailed: h.reads.failed,
      readCacheHits: h.reads.hits,
    })),
    links: [...engine.wiring.links.values()].map((l) => ({ id: l.id, utilization: linkUtilization(l, now), bytes: l.bytes })),
    faults: faultResults,
    events: engine.sched.executed,
  };
}
