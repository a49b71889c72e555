// The replication invariants the model checks after every step (EngineModel in harness.ts drives the actions): sync
// acknowledgements on the secondary, async write order, fences, RPO while suspended, paths, labels during a copy.
import type { PairOp, PairState } from '../../../app/engine/api';
import type { Topology } from '../../../app/model/schema';
import { sameBytes } from '../../../app/tables/translate';
import { Engine } from '../engine';
import { upstreamOf } from '../pair-states';
import type { PairRt } from '../pairs';

/** Bytes of one checked write; its first four bytes carry the write's sequence number (little endian). */
export const WRITE_BYTES = 4096;

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
  | { kind: 'fillCache'; index: number }
  | { kind: 'editCable'; index: number; distanceKm: number; bandwidthMbps: number };

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
    | 'taken-over-image-stable'
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

export interface Target {
  hostId: string;
  luId: string;
  /** Offsets (in the LU) of the checked blocks. */
  offsets: number[];
  /** For each block: every (volume, offset) the write should end up on, down the stacks and across the pairs. */
  landings: Map<string, number>[];
}

export interface WriteRecord {
  seq: number;
  target: number;
  block: number;
  issuedUs: number;
  ackedUs?: number;
  ok?: boolean;
}

const locKey = (volumeId: string, offset: number) => `${volumeId}@${offset}`;

/** The invariants over a running engine and the writes the model issued; EngineModel (harness.ts) drives the actions. */
export abstract class InvariantChecks {
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
  protected readonly targets: Target[] = [];
  protected readonly writes: WriteRecord[] = [];
  /** Block in flight per target, so two writes never race for the same bytes (the host keeps its own order). */
  protected readonly busy = new Set<string>();
  /** Sync pair -> primary location -> newest seq acknowledged while the pair was in PAIR. */
  protected readonly syncAcked = new Map<string, Map<string, number>>();
  /** Async pair -> for each write seq seen on the primary, the seqs the primary showed before it (observed order). */
  protected readonly primaryOrder = new Map<string, { firstSeenStep: Map<number, number>; newestAt?: Map<number, number> }>();
  protected readonly cableIds: string[];
  protected readonly systemIds: string[];
  protected readonly siteIds: string[];
  protected readonly pairIds: string[];
  protected readonly cacheIds: string[];
  protected nextSeq = 1;
  protected previousState = new Map<string, PairState>();
  protected previousSwapped = new Map<string, boolean>();
  /** Sync pair -> when the model first saw its P-VOL fenced (cleared when the fence goes). */
  protected readonly fencedSince = new Map<string, number>();
  /** Async pair -> its RPO at the last check while suspended (same suspension: same state and since). */
  protected readonly suspendedRpo = new Map<string, { since: number; state: PairState; rpoMs: number }>();

  /**
   * Pair taken over (SSWS) -> when the model first saw it so, and each checked location of its S-VOL as it was then (or
   * when another pair last wrote into those bytes).
   */
  protected readonly takenOver = new Map<string, { sinceUs: number; seqs: Map<number, number> }>();
  /** (target, block) -> the volumes the host's LU writes directly, down its stack only (no pair). */
  private readonly directLandings = new Map<string, Map<string, number>>();

  /** Whether the topology's workloads run (a sustained-load variation): started here, stopped by `finish`. */
  protected readonly loaded: boolean;

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

  /** Where a write to the LU lands: its stack, then across the pairs (as filed, or `pairs` as [primary, secondary] now). */
  protected landingsOf(luId: string, offset: number, pairs?: [string, string][]): Map<string, number> {
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

  protected seqAt(volumeId: string, offset: number): number {
    const b = this.engine.stack.read(volumeId, offset, 4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  }

  protected guard<T>(step: number, action: Action | { kind: 'final' }, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.violations.push({ step, action, invariant: 'no-throw', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
      return undefined;
    }
  }

  /** A fenced P-VOL acknowledges nothing: a write issued after the fence was seen, acknowledged while it holds, is a violation. */
  protected checkNotFenced(rec: WriteRecord, target: Target): void {
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

  protected recordSyncAck(rec: WriteRecord, target: Target): void {
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

  protected check(step: number, action: Action | { kind: 'final' }): void {
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
      this.checkTakenOver(step, action, id, p);
      const before = this.previousState.get(id);
      if (before === 'COPY' && state === 'PAIR') this.stats.resyncsCompleted++;
      this.previousState.set(id, state);
      // Direction changes and copies start a new history for the pair; a reversed pair is checked from there on (its
      // primary's locations come from the hosts that write it, the remote hosts of Variation.remoteHosts).
      const turned = (this.previousSwapped.get(id) ?? false) !== p.swapped;
      this.previousSwapped.set(id, p.swapped);
      // The image a takeover hands over is what the DR site runs on: checked once, with the history up to the takeover
      // (the last check before it may predate the records applied while it drained), then a new history starts.
      if (state === 'SSWS' && before !== 'SSWS' && !turned && before !== undefined && this.claimsConsistent(before)) this.checkImage(step, action, id, p, state);
      if (state === 'COPY' || state === 'SSWS' || state === 'SMPL' || state === 'deleting' || turned) {
        this.syncAcked.delete(id);
        this.primaryOrder.set(id, { firstSeenStep: new Map() });
        continue;
      }
      if (this.claimsConsistent(state)) this.checkImage(step, action, id, p, state);
    }
  }

  private claimsConsistent(state: PairState): boolean {
    return state === 'PAIR' || state === 'PFUL' || state === 'PSUS' || state === 'PSUE' || state === 'SSUS' || state === 'suspending';
  }

  /** The secondary's image against the writes acknowledged (sync) or the primary's observed order (async). */
  private checkImage(step: number, action: Action | { kind: 'final' }, id: string, p: PairRt, state: PairState): void {
    // The engine says the secondary holds no consistent image (a copy was interrupted, or another pair's copy replaced
    // the shared bytes); nothing is claimed until its next copy completes, which starts a new history.
    if (p.secondaryInconsistent) return;
    // Nor while it says the image is inconsistent because the leg feeding its primary copies (DOMAIN.md, 3DC): a copy
    // into a relay that a host there had written reorders the relay's bytes (prop-long --relay seed 7, run 3701). A new
    // history starts once it claims consistency again.
    if (p.mode === 'async' && this.guard(step, action, () => this.engine.pairStatus(p).secondaryData) === 'inconsistent') {
      this.primaryOrder.set(id, { firstSeenStep: new Map() });
      return;
    }
    const acked = this.syncAcked.get(id);
    if (p.mode === 'sync' && acked)
      for (const [k, seq] of acked) {
        const offset = Number(k.slice(k.lastIndexOf('@') + 1));
        const onPrimary = this.guard(step, action, () => this.seqAt(p.primaryId, offset));
        // Another pair's copy replaced the primary's bytes with an older image (a failback of the 3DC standby into
        // V11 restores the remote's image): the primary's history there restarts, and the secondary follows it.
        // Likewise when another pair's copy or journal wrote the primary there since (a failback of pair-async into the
        // bytes V12 shares, with pair-sync reversed: prop-long --relay seed 8, FIG. 9): what the secondary shows then
        // follows those writes, on their way through this pair, not the acknowledged one. A newer write of a host that
        // writes the primary through its own LU keeps the check (the acknowledged one may not go missing meanwhile).
        if (onPrimary !== undefined && (onPrimary < seq || (onPrimary !== seq && !this.ownWrite(onPrimary, p.primaryId, offset)))) {
          acked.delete(k);
          continue;
        }
        const seen = this.guard(step, action, () => this.seqAt(p.secondaryId, offset));
        if (seen === undefined || seen >= seq) continue;
        // A host writing the secondary through its own LU (split read/write; a relay or remote host) owns those bytes now.
        if (this.ownWrite(seen, p.secondaryId, offset)) acked.delete(k);
        else
          this.violations.push({
            step,
            action,
            invariant: 'sync-acked-on-secondary',
            detail: `pair ${id} (${state}, fence ${p.cfg.fence}): write #${seq} was acknowledged while in PAIR but ${p.secondaryId}@${offset} shows #${seen}`,
          });
      }
    if (p.mode === 'async') this.checkAsync(step, action, id, p.primaryId, p.secondaryId, state);
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
      // Written by a host that writes the secondary through its own LU (split read/write): not the primary's history.
      if (this.ownWrite(shown, secondaryId, o)) continue;
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

  /**
   * An S-VOL a takeover made the production copy (SSWS) changes only by the writes of hosts that write it through their
   * own LU (which the array accepts once it arrives after the takeover): an update of the old primary still on its
   * way, or waiting for a path, must not land there (what is on its way under the old generation no longer lands;
   * TRUST.md bug 31). Bytes another pair is writing into (a copy, a delta resync into a volume sharing them) are taken
   * as they are, and checked from there.
   */
  private checkTakenOver(step: number, action: Action | { kind: 'final' }, id: string, p: PairRt): void {
    if (p.state !== 'SSWS' || p.swapped) {
      this.takenOver.delete(id);
      return;
    }
    let entry = this.takenOver.get(id);
    const fresh = entry === undefined;
    if (!entry) this.takenOver.set(id, (entry = { sinceUs: this.engine.nowUs, seqs: new Map() }));
    const vol = p.secondaryId;
    const locations = new Set([...this.pairLocations(p.primaryId), ...this.pairLocations(vol)]);
    for (const o of locations) {
      const now = this.guard(step, action, () => this.seqAt(vol, o));
      if (now === undefined) continue;
      const was = entry.seqs.get(o);
      entry.seqs.set(o, now);
      if (fresh || was === undefined || was === now || this.writtenByAnotherPair(id, vol, o)) continue;
      // A host's own write may have been issued before the takeover: it reached the array after it (a long host cable).
      if (this.ownWrite(now, vol, o)) continue;
      const w = this.writes[now - 1];
      this.violations.push({
        step,
        action,
        invariant: 'taken-over-image-stable',
        detail: `pair ${id} (SSWS since the model saw it at ${entry.sinceUs} us): ${vol}@${o} went from write #${was} to #${now}${w ? `, issued at ${w.issuedUs} us` : ''}, which no host wrote into ${vol} through its own LU`,
      });
    }
  }

  /** Another pair writes (or copies) into the bytes at `volumeId`@`offset`: a secondary sharing them that is paired or copying. */
  private writtenByAnotherPair(pairId: string, volumeId: string, offset: number): boolean {
    const sharing = new Set(sameBytes(this.topology, volumeId, offset, WRITE_BYTES).map((h) => h.elementId));
    sharing.add(volumeId);
    for (const [qid, q] of this.engine.pairs) if (qid !== pairId && sharing.has(q.secondaryId) && (q.state === 'COPY' || q.rules.replicating)) return true;
    return false;
  }

  /** Write `seq` came from a host writing `volumeId` through its own LU (not along a pair), at `offset`. */
  private ownWrite(seq: number, volumeId: string, offset: number): boolean {
    const w = this.writes[seq - 1];
    return w !== undefined && this.writesDirectly(w, volumeId, offset);
  }

  private writesDirectly(w: WriteRecord, volumeId: string, offset: number): boolean {
    const key = `${w.target}/${w.block}`;
    let direct = this.directLandings.get(key);
    if (!direct) {
      const target = this.targets[w.target]!;
      direct = this.landingsOf(target.luId, target.offsets[w.block]!, []);
      this.directLandings.set(key, direct);
    }
    return direct.get(volumeId) === offset;
  }

  private wroteAt(seq: number, volumeId: string, offset: number): boolean {
    const w = this.writes[seq - 1];
    if (!w) return false;
    return this.targets[w.target]!.landings[w.block]!.get(volumeId) === offset;
  }
}
