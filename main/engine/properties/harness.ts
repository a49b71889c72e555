// Model-based checking of the engine: drives random writes, faults and pair commands through its public API and checks the replication invariants after every step.
import type { CommandResult, EngineCommand } from '../../../app/engine/api';
import type { Topology } from '../../../app/model/schema';
import { Engine } from '../engine';
import { InvariantChecks, WRITE_BYTES, type Action, type RunStats, type Violation, type WriteRecord } from './invariants';
import { LOAD_RUN_MAX_US, groupPairs, vary, withPathGroups, withRelayHosts, withSiblingHosts, withRemoteHosts, type Variation } from './variations';

export { LOAD_RUN_MAX_US, groupPairs, vary, withPathGroups, type Variation } from './variations';
export { WRITE_BYTES, type Action, type RunStats, type Violation } from './invariants';

const TRACK = 262144;
const BLOCKS_PER_LU = 10;

/** One model-checked run. Never throws: everything that goes wrong is a Violation. */
export class EngineModel extends InvariantChecks {
  /**
   * Hosts' LUs are taken from the original topology's workloads (reachable by construction). `straddling`: the odd
   * blocks straddle a track boundary (2 KiB before it, 2 KiB after; see Variation.writes).
   */
  addTarget(hostId: string, luId: string, straddling = false): void {
    const lu = this.topology.lus.find((l) => l.id === luId);
    if (!lu) return;
    const offsets: number[] = [];
    for (let b = 0; b < BLOCKS_PER_LU; b++) {
      const aligned = ((b * 3 * TRACK + (b % 2) * 8192) % Math.max(WRITE_BYTES, lu.sizeBytes - WRITE_BYTES)) & ~(WRITE_BYTES - 1);
      const offset = straddling && b % 2 === 1 && (b * 3 + 1) * TRACK + WRITE_BYTES / 2 <= lu.sizeBytes ? (b * 3 + 1) * TRACK - WRITE_BYTES / 2 : aligned;
      if (offset + WRITE_BYTES <= lu.sizeBytes && !offsets.includes(offset)) offsets.push(offset);
    }
    const landings = offsets.map((o) => this.landingsOf(luId, o));
    this.targets.push({ hostId, luId, offsets, landings });
  }

  get targetCount(): number {
    return this.targets.length;
  }

  private answer(step: number, action: Action, c: EngineCommand): void {
    const r: CommandResult | undefined = this.guard(step, action, () => this.engine.command(c));
    if (!r) return;
    if (r.ok) this.stats.commandsAccepted++;
    else {
      this.stats.commandsRefused++;
      if (!r.reason) this.violations.push({ step, action, invariant: 'refusal-names-state', detail: 'refused without a reason' });
      if (c.type === 'pair' && this.engine.pairs.has(c.pairId) && !(r.state && r.reason.includes(r.state)))
        this.violations.push({ step, action, invariant: 'refusal-names-state', detail: `refusal does not name the state: ${r.reason}` });
    }
  }

  apply(action: Action): void {
    const step = ++this.stats.steps;
    const pick = <T>(list: T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);
    switch (action.kind) {
      case 'write': {
        const target = this.targets[action.target % Math.max(1, this.targets.length)];
        if (!target || !target.offsets.length) break;
        const block = action.block % target.offsets.length;
        const key = `${target.hostId}>${target.luId}#${block}`;
        if (this.busy.has(key)) break;
        const seq = this.nextSeq++;
        const data = new Uint8Array(WRITE_BYTES);
        data[0] = seq & 255;
        data[1] = (seq >>> 8) & 255;
        data[2] = (seq >>> 16) & 255;
        data[3] = (seq >>> 24) & 255;
        data.fill(seq % 251, 4);
        const rec: WriteRecord = { seq, target: this.targets.indexOf(target), block, issuedUs: this.engine.nowUs };
        this.writes.push(rec);
        this.busy.add(key);
        this.stats.writesIssued++;
        const issued = this.guard(step, action, () =>
          this.engine.hostWrite(target.hostId, target.luId, target.offsets[block]!, data, false, (ok) => {
            this.busy.delete(key);
            rec.ok = ok;
            rec.ackedUs = this.engine.nowUs;
            if (ok) {
              this.checkNotFenced(rec, target);
              this.stats.writesAcked++;
              this.recordSyncAck(rec, target);
            } else this.stats.writesFailed++;
          }),
        );
        if (!issued?.ok) {
          this.busy.delete(key);
          rec.ok = false;
        }
        break;
      }
      case 'run':
        this.guard(step, action, () => this.engine.runFor(this.loaded ? Math.min(action.us, LOAD_RUN_MAX_US) : action.us));
        break;
      case 'settle':
        this.guard(step, action, () => (this.loaded ? this.engine.runFor(LOAD_RUN_MAX_US) : this.engine.runUntilSettled(this.engine.nowUs + 120e6)));
        break;
      case 'cutCable':
      case 'restoreCable': {
        const id = pick(this.cableIds, action.index);
        if (id) this.answer(step, action, { type: action.kind, cableId: id });
        this.stats.faults++;
        break;
      }
      case 'failSystem':
      case 'restoreSystem': {
        const id = pick(this.systemIds, action.index);
        if (id) this.answer(step, action, { type: action.kind, systemId: id });
        this.stats.faults++;
        break;
      }
      case 'failSite':
      case 'restoreSite': {
        const id = pick(this.siteIds, action.index);
        if (id) this.answer(step, action, { type: action.kind, siteId: id });
        this.stats.faults++;
        break;
      }
      case 'pair': {
        const id = pick(this.pairIds, action.index);
        if (id) this.answer(step, action, { type: 'pair', pairId: id, op: action.op, readWrite: action.readWrite });
        break;
      }
      case 'editCable': {
        // A live edit (the cable inspector during a run): from the next transfer booked on.
        const id = pick(this.cableIds, action.index);
        if (id) this.answer(step, action, { type: 'setCable', cableId: id, distanceKm: action.distanceKm, bandwidthMbps: action.bandwidthMbps });
        break;
      }
      case 'fillJournal': {
        const id = pick(this.pairIds, action.index);
        if (id) this.answer(step, action, { type: 'fillJournal', pairId: id });
        this.stats.faults++;
        break;
      }
      case 'fillCache': {
        const id = pick(this.cacheIds, action.index);
        if (id) this.answer(step, action, { type: 'fillCache', cacheId: id });
        this.stats.faults++;
        break;
      }
    }
    this.check(step, action);
  }

  /** Repairs every fault, resyncs what is suspended, lets it settle, and checks that every pair's copies match. */
  finish(): void {
    const step = ++this.stats.steps;
    const action = { kind: 'final' } as const;
    this.guard(step, action, () => {
      this.engine.workloadsStopUs = this.engine.nowUs;
      for (const c of this.cableIds) this.engine.command({ type: 'restoreCable', cableId: c });
      for (const s of this.siteIds) this.engine.command({ type: 'restoreSite', siteId: s });
      for (const s of this.systemIds) this.engine.command({ type: 'restoreSystem', systemId: s });
      this.engine.runUntilSettled(this.engine.nowUs + 600e6);
      for (let round = 0; round < 3; round++) {
        for (const id of this.pairIds) {
          const st = this.engine.pairs.get(id)!.state;
          if (st === 'PSUS' || st === 'PSUE' || st === 'SSUS') this.engine.command({ type: 'pair', pairId: id, op: 'resync' });
        }
        this.engine.runUntilSettled(this.engine.nowUs + 600e6);
      }
    });
    this.check(step, action);
    // Every fault repaired and every suspended pair resynchronised: nothing may still wait. A write flow that never
    // answers, a destage never done or a journal never drained is stuck for good (no event will move it).
    const e = this.engine;
    if (!e.settled()) {
      const busy = [...e.pairs.values()].filter((p) => p.rules.busy).map((p) => `${p.id} ${p.state}`);
      const journals = [...e.journals.values()].filter((j) => !j.drained).map((j) => j.id);
      const waiting = [...e.caches.values()].filter((c) => c.waiters.length > 0).map((c) => `${c.id} (${c.waiters.length})`);
      this.violations.push({
        step,
        action,
        invariant: 'settles-after-repair',
        detail: `not settled at ${e.nowUs} us with ${e.sched.pending} events pending: ${e.activeFlows} write flows in flight, ${e.pendingDestages} destages pending, busy pairs [${busy.join(', ')}], journals not drained [${journals.join(', ')}], caches with waiters [${waiting.join(', ')}]`,
      });
    }
    for (const [id, p] of this.engine.pairs) {
      if (p.state !== 'PAIR') continue;
      const a = this.guard(step, action, () => this.engine.volumeHash(p.primaryId));
      const b = this.guard(step, action, () => this.engine.volumeHash(p.secondaryId));
      if (a !== undefined && b !== undefined && a !== b)
        this.violations.push({ step, action, invariant: 'copies-match-after-resync', detail: `pair ${id} is PAIR after settling but ${p.primaryId} and ${p.secondaryId} differ` });
    }
    this.stats.virtualMs = this.engine.nowUs / 1000;
    if (this.loaded)
      for (const h of this.engine.hostTotals()) {
        this.stats.writesAcked += h.writesAcked;
        this.stats.writesFailed += h.writesFailed;
      }
  }
}

/**
 * Runs one sequence of actions on a varied topology; the result lists any violation with the step it appeared at.
 * `between(engine, i)`, when given, runs before action i and may hand back another engine to go on with (a restored
 * checkpoint, in the checkpoint property).
 */
export function runSequence(
  topology: Topology,
  variation: Variation,
  seed: number,
  actions: Action[],
  between?: (engine: Engine, index: number) => Engine | undefined,
): { violations: Violation[]; stats: RunStats; engine?: Engine } {
  let model: EngineModel;
  topology = groupPairs(topology, variation.grouping);
  if (variation.paths) topology = withPathGroups(topology);
  if (variation.remoteHosts) topology = withRemoteHosts(topology);
  if (variation.relayHosts) topology = withRelayHosts(topology);
  if (variation.siblingHosts) topology = withSiblingHosts(topology);
  try {
    model = new EngineModel(vary(topology, variation), seed);
  } catch (e) {
    return {
      violations: [{ step: 0, action: { kind: 'final' }, invariant: 'no-throw', detail: `constructing the engine threw: ${(e as Error).message}` }],
      stats: emptyStats(),
    };
  }
  // Targets come from the original workloads (the varied topology has none, so every write is ours). Under load the
  // workloads write those LUs, so the model checks no block of its own.
  if (!variation.load) for (const h of topology.hosts) for (const w of h.workloads) model.addTarget(h.id, w.luId, variation.writes === 'straddling');
  for (const [i, a] of actions.entries()) {
    const swapped = between?.(model.engine, i);
    if (swapped) model.engine = swapped;
    model.apply(a);
    if (model.violations.length) break;
  }
  if (!model.violations.length) model.finish();
  return { violations: model.violations, stats: model.stats, engine: model.engine };
}

function emptyStats(): RunStats {
  return { steps: 0, writesIssued: 0, writesAcked: 0, writesFailed: 0, commandsAccepted: 0, commandsRefused: 0, faults: 0, resyncsCompleted: 0, virtualMs: 0, statesSeen: new Set() };
}
