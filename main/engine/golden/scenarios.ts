// Golden scenarios of the engine: the nine built-in figures and fault scripts, run with traced writes and summarised (step events, latencies, pair states, hashes) so that a refactor can be checked to change nothing.
import type { EngineCommand } from '../../../app/engine/api';
import type { Topology } from '../../../app/model/schema';
import { Engine, type WorkloadOverride } from '../engine';

export interface GoldenScenario {
  name: string;
  /** Built-in figure file prefix (assets/topologies/<figure>-*.relaylab.json). */
  figure: string;
  /** Virtual time the workloads run; then they stop and the run settles (capped). */
  durationMs: number;
  commands?: { atMs: number; command: EngineCommand }[];
  workloadOverride?: WorkloadOverride;
  /** Start every pair already paired instead of running the initial copy. */
  paired?: boolean;
}

const FIGURES = ['fig01', 'fig07', 'fig09', 'fig11', 'fig12', 'fig13', 'fig14', 'fig15', 'fig16'];

const write = (atMs: number, offsetBytes: number, lengthBytes: number): { atMs: number; command: EngineCommand } => ({
  atMs,
  command: { type: 'hostWrite', hostId: 'host1', luId: 'LU11', offsetBytes, lengthBytes },
});

export const GOLDEN_SCENARIOS: GoldenScenario[] = [
  ...FIGURES.map((figure) => ({ name: `${figure} workload`, figure, durationMs: 400, commands: [write(150, 1 << 20, 300_000)] })),
  {
    name: 'fig01 CN4 cut, restore, resync',
    figure: 'fig01',
    durationMs: 900,
    commands: [
      { atMs: 200, command: { type: 'cutCable', cableId: 'CN4' } },
      write(250, 0, 8192),
      { atMs: 450, command: { type: 'restoreCable', cableId: 'CN4' } },
      { atMs: 500, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
      { atMs: 520, command: { type: 'cutCable', cableId: 'CN3' } },
      { atMs: 600, command: { type: 'restoreCable', cableId: 'CN3' } },
      { atMs: 650, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
    ],
  },
  {
    name: 'fig01 relay system fail and restore',
    figure: 'fig01',
    durationMs: 900,
    commands: [
      { atMs: 200, command: { type: 'failSystem', systemId: 'sys20' } },
      write(250, 4096, 4096),
      { atMs: 400, command: { type: 'restoreSystem', systemId: 'sys20' } },
      { atMs: 450, command: { type: 'pair', pairId: 'pair-sync', op: 'resync' } },
      { atMs: 460, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
      { atMs: 700, command: { type: 'failSystem', systemId: 'sys40' } },
      { atMs: 800, command: { type: 'restoreSystem', systemId: 'sys40' } },
    ],
  },
  {
    name: 'fig01 local site lost, takeover, swap-resync, failback',
    figure: 'fig01',
    durationMs: 1000,
    paired: true,
    commands: [
      { atMs: 100, command: { type: 'pair', pairId: 'pair-sync', op: 'takeover' } },
      { atMs: 110, command: { type: 'pair', pairId: 'pair-sync', op: 'resync' } },
      { atMs: 200, command: { type: 'failSite', siteId: 'site-local' } },
      { atMs: 250, command: { type: 'pair', pairId: 'pair-sync', op: 'takeover' } },
      { atMs: 300, command: { type: 'restoreSite', siteId: 'site-local' } },
      { atMs: 350, command: { type: 'pair', pairId: 'pair-sync', op: 'swapResync' } },
      { atMs: 600, command: { type: 'pair', pairId: 'pair-sync', op: 'failback' } },
      { atMs: 700, command: { type: 'pair', pairId: 'pair-async', op: 'split', readWrite: true } },
      { atMs: 800, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
    ],
  },
  {
    name: 'fig01 journal and cache fill',
    figure: 'fig01',
    durationMs: 800,
    commands: [
      { atMs: 100, command: { type: 'fillCache', cacheId: 'C12' } },
      { atMs: 200, command: { type: 'fillJournal', pairId: 'pair-async' } },
      write(210, 8192, 4096),
      { atMs: 400, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
      { atMs: 500, command: { type: 'pair', pairId: 'pair-sync', op: 'split' } },
      { atMs: 600, command: { type: 'pair', pairId: 'pair-sync', op: 'resync' } },
    ],
  },
  {
    name: 'fig01 reads and a pair deleted and re-created',
    figure: 'fig01',
    durationMs: 700,
    workloadOverride: { readRatio: 0.3, iops: 1500 },
    commands: [
      { atMs: 200, command: { type: 'pair', pairId: 'pair-async', op: 'delete' } },
      { atMs: 400, command: { type: 'pair', pairId: 'pair-async', op: 'create' } },
      { atMs: 500, command: { type: 'failSite', siteId: 'site-remote' } },
      { atMs: 600, command: { type: 'restoreSite', siteId: 'site-remote' } },
    ],
  },
  {
    name: 'fig12 fan-out with a suspended leg',
    figure: 'fig12',
    durationMs: 600,
    commands: [
      { atMs: 150, command: { type: 'cutCable', cableId: 'CN4a' } },
      write(200, 65536, 16384),
      { atMs: 300, command: { type: 'restoreCable', cableId: 'CN4a' } },
      { atMs: 320, command: { type: 'pair', pairId: 'pair-async-a', op: 'resync' } },
      { atMs: 400, command: { type: 'pair', pairId: 'pair-async-b', op: 'split' } },
    ],
  },
];

/** What a scenario produced: compared field by field with the recorded fixture. */
export interface GoldenOutcome {
  name: string;
  /** Step events: how many, a digest of all of them (seq, time, step, element, text, io, related), the first ones verbatim. */
  stepCount: number;
  stepDigest: string;
  firstSteps: string[];
  /** Per host: writes acked/failed and latency quantiles (us) at fixed points, reads too. */
  hosts: Record<string, { acked: number; failed: number; latencyUs: number[]; reads: number[] }>;
  /** Pair states sampled every 10 ms of virtual time: the changes ("t state reason"), and a digest of every sample's status. */
  pairChanges: Record<string, string[]>;
  pairStatusDigest: string;
  commandResults: string[];
  volumes: Record<string, string>;
  endUs: number;
  settled: boolean;
  /** Scheduler events executed (changes when phase 2 merges events; kept separately). */
  events: number;
}

const QUANTILES = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1];
const SAMPLE_US = 10_000;
const FIRST_STEPS = 120;

/** A hex digest of a text (sha256 in the test; this module stays environment-free). */
export type TextDigest = (text: string) => string;

/** Runs one scenario on the engine and summarises it. */
export function runGolden(topology: Topology, s: GoldenScenario, digest: TextDigest, sha256?: (data: Uint8Array) => Uint8Array): GoldenOutcome {
  const t = s.paired ? { ...topology, pairs: topology.pairs.map((p: Topology['pairs'][number]) => ({ ...p, initially: 'paired' as const })) } : topology;
  const steps = new Digest(digest);
  const firstSteps: string[] = [];
  let stepCount = 0;
  const engine = new Engine(t, {
    seed: 7,
    traceWorkloadWrites: true,
    stepBufferSize: 1,
    sha256,
    onStep: (e) => {
      const line = `${e.seq}|${e.timeUs}|${e.step}|${e.elementId}|${e.text}|${e.ioId ?? ''}|${(e.relatedIds ?? []).join(',')}`;
      stepCount++;
      if (firstSteps.length < FIRST_STEPS) firstSteps.push(line);
      steps.add(line);
    },
  });
  const durationUs = s.durationMs * 1000;
  engine.workloadsStopUs = durationUs;
  engine.startWorkloads(s.workloadOverride);
  const commands = [...(s.commands ?? [])].sort((a, b) => a.atMs - b.atMs);
  const statusDigest = new Digest(digest);
  const pairChanges: Record<string, string[]> = {};
  const lastState = new Map<string, string>();
  const sample = (): void => {
    for (const p of engine.pairs.values()) {
      const st = engine.pairStatus(p);
      statusDigest.add(JSON.stringify(st));
      const key = `${st.state}: ${st.reason}`;
      if (lastState.get(p.id) !== key) {
        lastState.set(p.id, key);
        (pairChanges[p.id] ??= []).push(`${engine.nowUs} ${key}`);
      }
    }
  };
  const commandResults: string[] = [];
  let next = 0;
  let sampleAt = 0;
  const settleCapUs = durationUs + 30_000_000;
  for (;;) {
    const cmd = commands[next];
    const cmdUs = cmd ? cmd.atMs * 1000 : Infinity;
    if (sampleAt <= cmdUs && sampleAt <= durationUs) {
      engine.runUntil(sampleAt);
      sample();
      sampleAt += SAMPLE_US;
      continue;
    }
    if (cmd && cmdUs <= durationUs) {
      engine.runUntil(cmdUs);
      const r = engine.command(cmd.command);
      commandResults.push(`${engine.nowUs} ${cmd.command.type} ${r.ok ? `ok ${r.message ?? ''}` : `refused ${r.reason}`}`);
      next++;
      continue;
    }
    break;
  }
  const settled = engine.runUntilSettled(settleCapUs);
  sample();
  const hosts: GoldenOutcome['hosts'] = {};
  for (const h of engine.hostTotals()) {
    hosts[h.id] = {
      acked: h.writesAcked,
      failed: h.writesFailed,
      latencyUs: QUANTILES.map((q) => h.latency.quantileUs(q)),
      reads: [h.reads.completed, h.reads.failed, h.reads.hits, ...QUANTILES.map((q) => h.reads.latency.quantileUs(q))],
    };
  }
  const volumes: Record<string, string> = {};
  for (const v of t.volumes) volumes[v.id] = engine.volumeHash(v.id);
  return {
    name: s.name,
    stepCount,
    stepDigest: steps.hex(),
    firstSteps,
    hosts,
    pairChanges,
    pairStatusDigest: statusDigest.hex(),
    commandResults,
    volumes,
    endUs: engine.nowUs,
    settled,
    events: engine.sched.executed,
  };
}

/** A running digest of lines: lines are batched and each batch is digested together with the state so far. */
class Digest {
  private state = '';
  private batch: string[] = [];
  constructor(private readonly digest: TextDigest) {}
  add(line: string): void {
    this.batch.push(line);
    if (this.batch.length >= 4096) this.flush();
  }
  private flush(): void {
    if (this.batch.length === 0) return;
    this.state = this.digest(`${this.state}\n${this.batch.join('\n')}`);
    this.batch = [];
  }
  hex(): string {
    this.flush();
    return this.state;
  }
}
