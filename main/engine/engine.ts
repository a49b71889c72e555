// The engine facade: the public API the driver, CLI, bench and tests use, over EngineState and the modules that act on it.
import { prepareStandby } from './standby';
import type { CommandResult, EngineCommand, PairStatus, Snapshot } from '../../app/engine/api';
import type { Topology } from '../../app/model/schema';
import type { PairRt } from './pairs';
import type { LatencyHistogram } from './sim';
import type { ReadStats } from './workload';
import { EngineState, type EngineOptions, type WorkloadOverride } from './state';
import { issueWrite } from './host-write';
import { command } from './commands';
import { setState } from './pair-states';
import { startCopy } from './copy';
import { startWorkloads } from './workload-run';
import { hostRead } from './reads';
import { hostTotals, pairStatus, snapshot, volumeHash } from './observe';
import { copyState } from './checkpoint';

/** A run's state at one moment, to go back to (`Engine.restore`); opaque, and never changed by the run it came from. */
export interface EngineCheckpoint {
  readonly timeUs: number;
  /** Events executed up to this moment (commands recorded by this count replay at the same place). */
  readonly executed: number;
  /** The copy itself: a dormant engine. */
  readonly state: Engine;
}

export type { EngineOptions, WorkloadOverride } from './state';
export { MAX_HOST_OUTSTANDING, STEP_LIMIT_EVENTS, STEP_LIMIT_US } from './state';
export { linkUtilization, snapshotSlotsPerCache, SNAPSHOT_SLOT_BUDGET } from './observe';

export class Engine extends EngineState {
  constructor(topology: Topology, options: EngineOptions = {}) {
    super(topology, options);
    // Pairs start as the file says: 'create' runs the initial copy from time 0; 'paired' means that copy is done, so
    // the secondary starts with the primary's bytes (a primary's initialFill included).
    seedPairedSecondaries(this);
    for (const p of this.pairs.values()) {
      if (p.cfg.standby && p.mode === 'async') prepareStandby(this, p, 'created');
      else if (p.cfg.initially === 'paired') setState(this, p, 'PAIR', 'formed when the run started (initial copy assumed done)');
      else if (p.cfg.initially === 'create') startCopy(this, p, true, 'initial copy started');
    }
    // The initial copies are the baseline a standby keeps writes from (they run from time 0, as the standby starts).
    for (const p of this.standbyPairs) p.deltaGap = undefined;
  }

  /**
   * Issues one host write now; `done` gets the outcome when the host sees the answer. The engine keeps `data` (the
   * journal and the volumes' stores hold it by reference, copy-on-write): do not change it afterwards.
   */
  hostWrite(hostId: string, luId: string, offset: number, data: Uint8Array, traced: boolean, done?: (ok: boolean, reason?: string) => void): CommandResult {
    return issueWrite(this, hostId, luId, offset, data, traced, done) ?? { ok: true, message: `write ${this.nextIoId - 1} issued` };
  }

  /** Issues one host read now (see reads.ts); reads touch no pair, bitmap or byte. */
  hostRead(hostId: string, luId: string, offset: number, length: number, done?: (ok: boolean, reason?: string) => void): CommandResult {
    return hostRead(this, hostId, luId, offset, length, done);
  }

  command(c: EngineCommand): CommandResult {
    return command(this, c);
  }

  /** Starts the workloads of every host (Poisson arrivals from the seeded PRNG). */
  startWorkloads(override?: WorkloadOverride): void {
    startWorkloads(this, override);
  }

  /** Puts bytes straight into a volume's stores, outside any flow (test fixtures and preloaded data before a run). */
  preload(volumeId: string, offset: number, data: Uint8Array): void {
    this.volume(volumeId);
    this.stack.write(volumeId, offset, data);
  }

  volumeHash(volumeId: string): string {
    return volumeHash(this, volumeId);
  }

  pairStatus(p: PairRt): PairStatus {
    return pairStatus(this, p);
  }

  snapshot(extra: { running?: boolean; speed?: number; afterSeq?: number; maxEvents?: number } = {}): Snapshot {
    return snapshot(this, extra);
  }

  /**
   * A copy of the whole run as it is now: clock, PRNG, pending events and their records, flows, caches, pairs,
   * journals, hosts, step events; the volumes' bytes shared copy-on-write; the compiled topology shared.
   */
  checkpoint(): EngineCheckpoint {
    return { timeUs: this.nowUs, executed: this.sched.executed, state: copyState<Engine>(this, this.topology) };
  }

  /** Puts this engine back where `cp` was taken (the checkpoint stays as it is: it can be restored again). */
  restore(cp: EngineCheckpoint): void {
    if (cp.state.topology !== this.topology) throw new Error('a checkpoint restores only into an engine of the same topology');
    copyState<Engine>(cp.state, this.topology, new Map<unknown, unknown>([[cp.state, this]]));
  }

  /** A new engine at the checkpoint's moment (the same as constructing one and restoring it, without running the start). */
  static fromCheckpoint(cp: EngineCheckpoint): Engine {
    return copyState<Engine>(cp.state, cp.state.topology);
  }

  /** Per-host counters over the whole run (headless report). */
  hostTotals(): { id: string; writesAcked: number; writesFailed: number; latency: LatencyHistogram; reads: ReadStats }[] {
    return hostTotals(this);
  }
}

/**
 * 'paired' at the start means the initial copy is done: each such secondary holds its primary's bytes (upstream legs
 * first, so a cascade's remote gets what the relay got). Before, a primary with an initialFill left its secondaries
 * empty and the pair said PAIR over different copies from time 0 (the journal-sizing exercise as shipped).
 */
function seedPairedSecondaries(core: EngineState): void {
  const paired = [...core.pairs.values()].filter((p) => p.cfg.initially === 'paired' && !(p.cfg.standby && p.mode === 'async'));
  const stores = (volumeId: string): Set<string> => new Set(core.stack.extentsOf(volumeId).map((e) => e.storeId));
  const seen = new Set<PairRt>();
  const seed = (p: PairRt): void => {
    if (seen.has(p)) return;
    seen.add(p);
    // A pair feeding this one's primary seeds first.
    const primaryStores = stores(p.primaryId);
    for (const q of paired) if (q !== p && [...stores(q.secondaryId)].some((s) => primaryStores.has(s))) seed(q);
    core.stack.shareCopy(p.primaryId, p.secondaryId, 0, Math.min(p.sizeBytes, core.stack.sizeOf(p.primaryId), core.stack.sizeOf(p.secondaryId)));
  };
  for (const p of paired) seed(p);
}
