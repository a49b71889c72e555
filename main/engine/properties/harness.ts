// Model-based checking of the engine: drives random writes, faults and pair commands through its public API and checks the replication invariants after every step.
import type { CommandResult, EngineCommand, PairOp, PairState } from '../../../app/engine/api';
import type { Topology } from '../../../app/model/schema';
import { sameBytes } from '../../../app/tables/translate';
import { Engine } from '../engine';
import { upstreamOf } from '../pair-states';
import { LOAD_RUN_MAX_US, groupPairs, vary, withPathGroups, type Variation } from './variations';

export { LOAD_RUN_MAX_US, groupPairs, vary, withPathGroups, type Variation } from './variations';

/** Bytes of one checked write; its first four bytes carry the write's sequence number (little endian). */
export const WRITE_BYTES = 4096;
const TRACK = 262144;
const BLOCKS_PER_LU = 10;

export type Action =
  | { kind: 'write'; target: number; block: number }
  | { kind: 'run'; us: number }
  | { kind: 'settle' }
  | { kind: 'cutCable'; index: number }
  | { kind: 'restoreCable'; index: number }
  | { kind: 'failSystem'; index: number }
  | { kind: 'restoreSystem'; index: number }
  | { kind: 'failSite'; index: number }
  | { kind: 'restoreSite'; index: number }
  | { kind: 'pair'; index: number; op: PairOp; readWrite: boolean }
  | { kind: 'fillJournal'; index: number }
  | { kind: 'fillCache'; index: number };

export interface Violation {
  step: number;
  action: Action | { kind: 'final' };
  invariant:
    | 'no-throw'
    | 'refusal-names-state'
    | 'sync-acked-on-secondary'
    | 'async-consistent-image'
    | 'copies-match-after-resync'
    | 'fenced-acks-nothing'
    | 'rpo-never-shrinks-while-suspended'
    | 'remote-inconsistent-during-upstream-copy'
    | 'paths-at-minimum-never-suspend'
    | 'settles-after-repair';
  detail: string;
}

export interface RunStats {
  steps: number;
  writesIssued: number;
  writesAcked: number;
  writesFailed: number;
  commandsAccepted: number;
  commandsRefused: number;
  faults: number;
  resyncsCompleted: number;
  virtualMs: number;
  statesSeen: Set<PairState>;
}

interface Target {
  hostId: string;
  luId: string;
  /** Offsets (in the LU) of the checked blocks. */
  offsets: number[];
  /** For each block: every (volume, offset) the write should end up on, down the stacks and across the pairs. */
  landings: Map<string, number>[];
}

interface WriteRecord {
  seq: number;
  target: number;
  block: number;
  issuedUs: number;
  ackedUs?: number;
  ok?: boolean;
}

const locKey = (volumeId: string, offset: number) => `${volumeId}@${offset}`;

/** One model-checked run. Never throws: everything that goes wrong is a Violation. */
export class EngineModel {
  engine: Engine;
  readonly violations: Violation[] = [];
  readonly stats: RunStats = {
    steps: 0,
    writesIssued: 0,
    writesAcked: 0,
    writesFailed: 0,
    commandsAccepted: 0,
    commandsRefused: 0,
    faults: 0,
    resyncsCompleted: 0,
    virtualMs: 0,
    statesSeen: new Set(),
  };
  private readonly targets: Target[] = [];
  private readonly writes: WriteRecord[] = [];
  /** Block in flight per target, so two writes never race for the same bytes (the host keeps its own order). */
  private readonly busy = new Set<string>();
  /** Sync pair -> primary location -> newest seq acknowledged while the pair was in PAIR. */
  private readonly syncAcked = new Map<string, Map<string, number>>();
  /** Async pair -> for each write seq seen on the primary, the seqs the primary showed before it (observed order). */
  private readonly primaryOrder = new Map<string, { firstSeenStep: Map<number, number>; newestAt?: Map<number, number> }>();
  private readonly cableIds: string[];
  private readonly systemIds: string[];
  private readonly siteIds: string[];
  private readonly pairIds: string[];
  private readonly cacheIds: string[];
  private nextSeq = 1;
  private previousState = new Map<string, PairState>();
  /** Sync pair -> when the model first saw its P-VOL fenced (cleared when the fence goes). */
  private readonly fencedSince = new Map<string, number>();
  /** Async pair -> its RPO at the last check while suspended (same suspension: same state and since). */
  private readonly suspendedRpo = new Map<string, { since: number; state: PairState; rpoMs: number }>();

  /** Whether the topology's workloads run (a sustained-load variation): started here, stopped by `finish`. */
  private readonly loaded: boolean;

  constructor(
    readonly topology: Topology,
    readonly seed: number,
  ) {
    this.engine = new Engine(topology, { seed, stepBufferSize: 64 });
    this.loaded = topology.hosts.some((h) => h.workloads.length > 0);
    if (this.loaded) this.engine.startWorkloads();
    this.cableIds = topology.cables.map((c) => c.id);
    this.systemIds = topology.systems.map((s) => s.id);
    this.siteIds = topology.sites.map((s) => s.id);
    this.pairIds = topology.pairs.map((p) => p.id);
    this.cacheIds = topology.caches.map((c) => c.id);
    for (const p of this.pairIds) this.primaryOrder.set(p, { firstSeenStep: new Map() });
  }

  /** Hosts' LUs are taken from the original topology's workloads (reachable by construction). */
  addTarget(hostId: string, luId: string): void {
    const lu = this.topology.lus.find((l) => l.id === luId);
    if (!lu) return;
    const offsets: number[] = [];
    for (let b = 0; b < BLOCKS_PER_LU; b++) {
      const offset = ((b * 3 * TRACK + (b % 2) * 8192) % Math.max(WRITE_BYTES, lu.sizeBytes - WRITE_BYTES)) & ~(WRITE_BYTES - 1);
      if (offset + WRITE_BYTES <= lu.sizeBytes && !offsets.includes(offset)) offsets.push(offset);
    }
    const landings = offsets.map((o) => this.landingsOf(luId, o));
    this.targets.push({ hostId, luId, offsets, landings });
  }

  /** Where a write to the LU lands: its stack, then across the pairs (as filed, or `pairs` as [primary, secondary] now). */
  private landingsOf(luId: string, offset: number, pairs?: [string, string][]): Map<string, number> {
    const directions = pairs ?? this.topology.pairs.map((p): [string, string] => [p.primaryVolumeId, p.secondaryVolumeId]);
    const out = new Map<string, number>();
    const queue: { id: string; offset: number }[] = [{ id: luId, offset }];
    while (queue.length) {
      const { id, offset: o } = queue.shift()!;
      for (const hop of sameBytes(this.topology, id, o, WRITE_BYTES)) {
        if (out.has(hop.elementId) || this.topology.lus.some((l) => l.id === hop.elementId)) continue;
        out.set(hop.elementId, hop.offsetBytes);
        for (const [primary, secondary] of directions) if (primary === hop.elementId) queue.push({ id: secondary, offset: hop.offsetBytes });
      }
    }
    return out;
  }

  get targetCount(): number {
    return this.targets.length;
  }

  private seqAt(volumeId: string, offset: number): number {
    const b = this.engine.stack.read(volumeId, offset, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  private guard<T>(step: number, action: Action | { kind: 'final' }, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.violations.push({ step, action, invariant: 'no-throw', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      return undefined;
    }
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

  /** A fenced P-VOL acknowledges nothing: a write issued after the fence was seen, acknowledged while it holds, is a violation. */
  private checkNotFenced(rec: WriteRecord, target: Target): void {
    // Along the pairs' directions now: after a swap-resync and a takeover the host's volume is the secondary (SSWS) and
    // its writes no longer reach the fenced P-VOL on the other side.
    let landings: Map<string, number> | undefined;
    for (const [id, p] of this.engine.pairs) {
      const since = this.fencedSince.get(id);
      if (!p.fenced || since === undefined || rec.issuedUs < since) continue;
      // Only the hops the host's acknowledgement waits for: sync pairs. An async pair acknowledges at its journal, so
      // what it carries on later (into a fenced P-VOL of a reversed cascade, say) was not acknowledged by that P-VOL;
      // a delta-resync standby standing by (HOLD, HOLDING, HLDE) keeps its primary's writes and sends none.
      landings ??= this.landingsOf(
        target.luId,
        target.offsets[rec.block]!,
        [...this.engine.pairs.values()].filter((q) => q.mode === 'sync' && !q.rules.standsBy).map((q): [string, string] => [q.primaryId, q.secondaryId]),
      );
      if (!landings.has(p.primaryId)) continue;
      this.violations.push({
        step: this.stats.steps,
        action: { kind: 'final' },
        invariant: 'fenced-acks-nothing',
        detail: `write #${rec.seq} issued at ${rec.issuedUs} us was acknowledged although pair ${id} (fence ${p.cfg.fence}, ${p.state}) fences ${p.primaryId} since ${since} us`,
      });
    }
  }

  private recordSyncAck(rec: WriteRecord, target: Target): void {
    const landings = target.landings[rec.block]!;
    for (const [id, p] of this.engine.pairs) {
      if (p.mode !== 'sync' || p.state !== 'PAIR') continue;
      const offset = landings.get(p.primaryId);
      if (offset === undefined) continue;
      let m = this.syncAcked.get(id);
      if (!m) this.syncAcked.set(id, (m = new Map()));
      const k = locKey(p.primaryId, offset);
      m.set(k, Math.max(m.get(k) ?? 0, rec.seq));
    }
  }

  /** The locations (primary offset) of an async or sync pair that the checked writes land on. */
  private pairLocations(primaryId: string): number[] {
    const out = new Set<number>();
    for (const t of this.targets) for (const l of t.landings) {
      const o = l.get(primaryId);
      if (o !== undefined) out.add(o);
    }
    return [...out];
  }

  private check(step: number, action: Action | { kind: 'final' }): void {
    for (const [id, p] of this.engine.pairs) {
      const state = p.state;
      this.stats.statesSeen.add(state);
      if (!p.fenced) this.fencedSince.delete(id);
      else if (!this.fencedSince.has(id)) this.fencedSince.set(id, this.engine.nowUs);
      if (p.mode === 'async' && upstreamOf(this.engine, p).some((q) => q.state === 'COPY')) {
        const data = this.guard(step, action, () => this.engine.pairStatus(p).secondaryData);
        if (data !== undefined && data !== 'inconsistent')
          this.violations.push({ step, action, invariant: 'remote-inconsistent-during-upstream-copy', detail: `pair ${id} (${state}) is labelled ${data} while the leg feeding ${p.primaryId} is copying` });
      }
      if (p.mode === 'async' && p.rules.suspended) {
        const rpoMs = this.guard(step, action, () => this.engine.pairStatus(p).rpoMs) ?? 0;
        const last = this.suspendedRpo.get(id);
        if (last && last.since === p.sinceUs && last.state === state && rpoMs < last.rpoMs)
          this.violations.push({ step, action, invariant: 'rpo-never-shrinks-while-suspended', detail: `pair ${id} (${state} since ${p.sinceUs} us): RPO went from ${last.rpoMs} ms to ${rpoMs} ms` });
        this.suspendedRpo.set(id, { since: p.sinceUs, state, rpoMs });
      } else this.suspendedRpo.delete(id);
      // A pair with at least its minimum of paths up never suspends for a loss of its own paths (it moves to a path that
      // is up); it may still suspend with its consistency group for another pair's path loss.
      const cause = p.suspendedCause;
      if (state === 'PSUE' && this.previousState.get(id) !== 'PSUE' && p.cfg.paths && cause?.kind === 'link' && p.cfg.paths.cableIds.includes(cause.id)) {
        const up = p.cfg.paths.cableIds.filter((c) => this.engine.wiring.links.get(c)?.up).length;
        if (up >= p.cfg.paths.minPaths)
          this.violations.push({ step, action, invariant: 'paths-at-minimum-never-suspend', detail: `pair ${id} suspended for a path loss with ${up} of its paths up (minimum ${p.cfg.paths.minPaths}): ${p.reason}` });
      }
      const before = this.previousState.get(id);
      if (before === 'COPY' && state === 'PAIR') this.stats.resyncsCompleted++;
      this.previousState.set(id, state);
      // Direction changes and copies start a new history for the pair.
      if (state === 'COPY' || state === 'SSWS' || state === 'SMPL' || state === 'deleting' || p.swapped) {
        this.syncAcked.delete(id);
        this.primaryOrder.set(id, { firstSeenStep: new Map() });
        continue;
      }
      const consistent = state === 'PAIR' || state === 'PFUL' || state === 'PSUS' || state === 'PSUE' || state === 'SSUS' || state === 'suspending';
      if (!consistent) continue;
      // The engine says the secondary holds no consistent image (a copy was interrupted, or another pair's copy replaced
      // the shared bytes); nothing is claimed until its next copy completes, which starts a new history.
      if (p.secondaryInconsistent) continue;
      const acked = this.syncAcked.get(id);
      if (p.mode === 'sync' && acked)
        for (const [k, seq] of acked) {
          const offset = Number(k.slice(k.lastIndexOf('@') + 1));
          // Another pair's copy replaced the primary's bytes with an older image (a failback of the 3DC standby into
          // V11 restores the remote's image): the primary's history there restarts, and the secondary follows it.
          const onPrimary = this.guard(step, action, () => this.seqAt(p.primaryId, offset));
          if (onPrimary !== undefined && onPrimary < seq) {
            acked.delete(k);
            continue;
          }
          const seen = this.guard(step, action, () => this.seqAt(p.secondaryId, offset));
          if (seen !== undefined && seen < seq)
            this.violations.push({
              step,
              action,
              invariant: 'sync-acked-on-secondary',
              detail: `pair ${id} (${state}, fence ${p.cfg.fence}): write #${seq} was acknowledged while in PAIR but ${p.secondaryId}@${offset} shows #${seen}`,
            });
        }
      if (p.mode === 'async') this.checkAsync(step, action, id, p.primaryId, p.secondaryId, state);
    }
  }

  /**
   * Write order as observed on the primary: a write seen there at an earlier check than another came first.
   * A consistent secondary showing a write must show every write the primary held before it (or a newer one in its place).
   */
  private checkAsync(step: number, action: Action | { kind: 'final' }, id: string, primaryId: string, secondaryId: string, state: PairState): void {
    const order = this.primaryOrder.get(id)!;
    const locations = this.pairLocations(primaryId);
    const onPrimary = new Map<number, number>();
    const onSecondary = new Map<number, number>();
    for (const o of locations) {
      const a = this.guard(step, action, () => this.seqAt(primaryId, o));
      const b = this.guard(step, action, () => this.seqAt(secondaryId, o));
      if (a !== undefined) onPrimary.set(o, a);
      if (b !== undefined) onSecondary.set(o, b);
    }
    // A primary location showing an older write than it did before was rolled back by a copy into it (a failback into
    // FIG. 12's shared bytes rewrites the sibling's primary, and the journal carries that to its secondary): the
    // observed order restarts from here.
    const newestAt = (order.newestAt ??= new Map());
    for (const [o, seq] of onPrimary) {
      if (seq < (newestAt.get(o) ?? 0)) {
        this.primaryOrder.set(id, { firstSeenStep: new Map(), newestAt: new Map(onPrimary) });
        return;
      }
      newestAt.set(o, seq);
    }
    for (const seq of onPrimary.values()) if (seq > 0 && !order.firstSeenStep.has(seq)) order.firstSeenStep.set(seq, step);
    // The newest write the secondary shows, by when the primary first held it.
    let newest = -1;
    let newestSeq = 0;
    for (const seq of onSecondary.values()) {
      const at = order.firstSeenStep.get(seq);
      if (at !== undefined && at > newest) {
        newest = at;
        newestSeq = seq;
      }
    }
    if (newest < 0) return;
    for (const o of locations) {
      const shown = onSecondary.get(o) ?? 0;
      // Writes the primary held at this location strictly before the newest one arrived there.
      for (const [seq, at] of order.firstSeenStep) {
        if (at >= newest || seq <= shown) continue;
        if (!this.wroteAt(seq, primaryId, o)) continue;
        this.violations.push({
          step,
          action,
          invariant: 'async-consistent-image',
          detail: `pair ${id} (${state}): ${secondaryId} shows write #${newestSeq} but at offset ${o} still #${shown}, while the primary held #${seq} there before #${newestSeq} arrived`,
        });
        return;
      }
    }
  }

  private wroteAt(seq: number, volumeId: string, offset: number): boolean {
    const w = this.writes[seq - 1];
    if (!w) return false;
    return this.targets[w.target]!.landings[w.block]!.get(volumeId) === offset;
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
  if (!variation.load) for (const h of topology.hosts) for (const w of h.workloads) model.addTarget(h.id, w.luId);
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
