// What the engine accepts and reports: commands, run controls, snapshots and step events (shared by engine, main and renderer).
import { z } from 'zod';
import { Id, OperatorCommandOptions, type PairOp } from '../model/schema';

/** Pair states, Hitachi CCI names (see DOMAIN.md). 'suspending' and 'deleting' are shown while they last. */
export const PairState = z.enum(['SMPL', 'COPY', 'PAIR', 'PFUL', 'PSUS', 'SSUS', 'PSUE', 'PFUS', 'SSWS', 'HOLD', 'HOLDING', 'HLDE', 'suspending', 'deleting']);
export type PairState = z.infer<typeof PairState>;

/** Look-alike names of other vendors, for tooltips. */
export const PAIR_STATE_EQUIVALENTS: Record<PairState, { meaning: string; srdf: string; ibm: string; drbd: string }> = {
  SMPL: { meaning: 'not paired; volumes independent', srdf: '-', ibm: '-', drbd: 'StandAlone' },
  COPY: { meaning: 'initial copy or differential resync running; the secondary is inconsistent', srdf: 'SyncInProg', ibm: 'InconsistentCopying', drbd: 'SyncSource/SyncTarget' },
  PAIR: { meaning: 'in sync (sync pair) or replicating with a lag (async pair)', srdf: 'Synchronized / Consistent', ibm: 'ConsistentSynchronized', drbd: 'Established + UpToDate' },
  PFUL: { meaning: 'async: journal over its 80% threshold; still copying', srdf: '-', ibm: '-', drbd: '-' },
  PSUS: { meaning: 'split by the operator (seen from the primary); changes recorded in bitmaps', srdf: 'Split', ibm: 'ConsistentStopped / Idling', drbd: '-' },
  SSUS: { meaning: 'split by the operator (seen from the secondary)', srdf: 'Split', ibm: 'ConsistentStopped / Idling', drbd: '-' },
  PSUE: { meaning: 'suspended by an error: link down, secondary failed or journal overflow', srdf: 'Suspended / Partitioned', ibm: 'ConsistentStopped', drbd: 'NetworkFailure / Outdated' },
  PFUS: { meaning: 'async: suspended because the journal stayed full past the Data Overflow Watch while inflow control held host writes back', srdf: 'Suspended (SRDF/A cache full)', ibm: 'Suspended', drbd: '-' },
  SSWS: { meaning: 'the secondary has taken over and accepts writes; changes recorded for failback', srdf: 'Failed Over', ibm: 'stop -access', drbd: 'promoted' },
  HOLD: { meaning: 'delta-resync standby: ready to send the remote only what it lacks if the relay is lost', srdf: 'SRDF/Star: Protected (recovery leg)', ibm: '-', drbd: '-' },
  HOLDING: { meaning: 'delta-resync standby being prepared: its journal is being set up with the remote (at creation, or after its path came back); a delta resync waits for HOLD', srdf: 'SRDF/Star: Connected (recovery leg not yet protected)', ibm: '-', drbd: '-' },
  HLDE: { meaning: 'delta-resync standby in error: its path to the remote is down or its journal wrapped, so its journal cannot be used; a delta resync falls back to a full copy while the journal is wrapped', srdf: 'SRDF/Star: PathFail / Isolated (recovery leg)', ibm: '-', drbd: '-' },
  suspending: { meaning: 'suspend in progress', srdf: '-', ibm: '-', drbd: '-' },
  deleting: { meaning: 'delete in progress', srdf: '-', ibm: '-', drbd: '-' },
};

export { PairOp } from '../model/schema';

/** Operator commands and faults (defined once in the model, shared with scenario timelines) plus one traced host write. */
export const EngineCommand = z.discriminatedUnion('type', [
  ...OperatorCommandOptions,
  /** One host write, e.g. for single-stepping a class through the write flow. */
  z.strictObject({
    type: z.literal('hostWrite'),
    hostId: Id,
    luId: Id,
    offsetBytes: z.number().int().nonnegative(),
    lengthBytes: z.number().int().positive().max(16 * 1024 * 1024),
    /** Byte value to fill with; random bytes from the seeded source when absent. */
    fill: z.number().int().min(0).max(255).optional(),
  }),
]);
export type EngineCommand = z.infer<typeof EngineCommand>;

export type CommandResult = { ok: true; message?: string } | { ok: false; reason: string; state?: PairState };

export const RunControl = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('play'), speed: z.number().positive().max(1e9).optional() }),
  z.strictObject({ action: z.literal('pause') }),
  /** Advance to the next step event of the write flow (training). */
  z.strictObject({ action: z.literal('step') }),
  /** Run as fast as possible for this much virtual time. */
  z.strictObject({ action: z.literal('runFor'), virtualMs: z.number().positive().max(1e10) }),
  z.strictObject({ action: z.literal('setSpeed'), speed: z.number().positive().max(1e9) }),
  z.strictObject({ action: z.literal('reset'), seed: z.number().int().nonnegative().optional() }),
  /** Back (or on) to an exact point of the run: events executed and recorded commands applied, as a snapshot's `position` said (Training's step back). */
  z.strictObject({ action: z.literal('seekPosition'), executed: z.number().int().nonnegative(), applied: z.number().int().nonnegative(), timeMs: z.number().nonnegative() }),
  /** Jump to an earlier (or later) virtual time: forwards runs on; backwards restores the nearest checkpoint at or before it and replays the recorded commands from there. */
  z.strictObject({ action: z.literal('seek'), timeMs: z.number().nonnegative() }),
]);
export type RunControl = z.infer<typeof RunControl>;

/** One executed step of the data path, named with the patent's step number where it has one. */
export interface StepEvent {
  seq: number;
  timeUs: number;
  /** 'S1', 'S11' ... 'S56', or a named engine action such as 'destage', 'journal-apply', 'pair-state'. */
  step: string;
  /** Element where it happened (port, cache, cable, volume, pair, system). */
  elementId: string;
  /** Other elements involved (table row's volume, cable, ...), for highlighting. */
  relatedIds?: string[];
  /** One line a trainee understands. */
  text: string;
  /** The host write this belongs to, when it belongs to one. */
  ioId?: number;
  /**
   * A sampled workload write's number (one per host per virtual second): its events carry no ioId, so Training never
   * walks it, but a view can still follow it (write tokens during Play).
   */
  sampleId?: number;
}

export interface PairStatus {
  id: string;
  state: PairState;
  /**
   * Each side's own status, as CCI shows the P-VOL's and the S-VOL's: a split is PSUS / SSUS; an error is PSUE on the
   * S-VOL only when the primary could tell it (after a primary-site disaster the S-VOL still says PAIR until takeover).
   */
  primaryState?: PairState;
  secondaryState?: PairState;
  mode: 'sync' | 'async';
  linkUp: boolean;
  secondaryData: 'inconsistent' | 'consistent' | 'up-to-date';
  /** Time of the image the secondary holds, when it is consistent but behind. */
  consistentAsOfUs?: number;
  copyProgress: number;
  copyEtaMs?: number;
  differentialTracks: number;
  /**
   * Sync: the P-VOL is fenced (write-protected) by its fence level after a failed update: every host write fails until
   * the fence is lifted (P-VOL takeover) or the pair is resynchronised (TrueCopy "fence level options").
   */
  fenced?: boolean;
  /**
   * Async: now minus the host time of the newest write in the secondary's consistent image (DOMAIN.md "RPO"): while
   * replicating the age of the oldest unapplied write (queued or in flight), 0 when none; after a suspend it keeps
   * growing from the image's last write. `maxRpoMs` is the largest seen so far.
   */
  rpoMs?: number;
  maxRpoMs?: number;
  /** Async pair fed by an upstream pair (a cascade's far leg): the RPO of this, the farthest copy, counted from the host's writes. */
  endToEndRpoMs?: number;
  /**
   * A pair with a path group (TrueCopy/UR remote connection): paths up now, in the group, the minimum; `detecting` while a
   * cut path's timeout runs (the array has not noticed yet and the pair's sync updates wait).
   */
  paths?: { up: number; total: number; min: number; detecting: boolean };
  lagBytes?: number;
  journalFill?: number;
  /**
   * A delta-resync standby (HOLD, HOLDING, HLDE): the primary's writes it keeps because the remote has not yet applied
   * them through the relay, their bytes, and the standby journal's capacity (past it the oldest go: HLDE, and a delta
   * resync becomes a full copy). A delta resync sends exactly these (Hitachi 3DC delta resync).
   */
  standbyKept?: { writes: number; bytes: number; capacityBytes: number };
  /** Async: the last journal sequence number applied at the secondary (an unbroken run up to it), and the last one issued. */
  appliedSeq?: number;
  issuedSeq?: number;
  /** Why it is in this state, newest last (for the "explain" panel). */
  reason?: string;
  sinceUs: number;
}

export interface CacheSlotView {
  volumeId: string;
  /** Track number within the volume. */
  track: number;
  dirty: boolean;
  ageUs: number;
}

export interface CacheStatus {
  id: string;
  slotsTotal: number;
  slotsUsed: number;
  dirtySlots: number;
  /** Up to a few hundred slots for the live grid. */
  slots: CacheSlotView[];
  destaging: boolean;
  /** Tracks destaged so far with a destage of their own, and writes that went with a destage already booked for their track (write hits). */
  destages: number;
  writeHits: number;
}

export interface LinkStatus {
  id: string;
  up: boolean;
  utilization: number;
  bytes: number;
  queueDepth: number;
}

export interface HostStatus {
  id: string;
  writeIops: number;
  throughputMBps: number;
  writeLatencyMs: { p50: number; p99: number };
  writesAcked: number;
  writesFailed: number;
  /** Host reads (the workload's read share, trace reads); optional so older snapshots still type-check. */
  readIops?: number;
  readLatencyMs?: { p50: number; p99: number };
  readsCompleted?: number;
  readsFailed?: number;
  /** Reads served wholly from the cache (the rest staged at least one track from the real volume). */
  readCacheHits?: number;
}

/** How far the file's scenario timeline has played (the driver applies its steps at their virtual times). */
export interface ScenarioProgress {
  /** Steps applied so far, in time order (scenario.timeline sorted by atMs). */
  applied: number;
  total: number;
  /** The engine's answer to the last step applied; `index` is its position in time order. */
  last?: { index: number; ok: boolean; message: string };
}

export interface Snapshot {
  /** Present when the topology carries a scenario timeline. */
  scenario?: ScenarioProgress;
  timeUs: number;
  running: boolean;
  speed: number;
  seed: number;
  pairs: PairStatus[];
  caches: CacheStatus[];
  links: LinkStatus[];
  hosts: HostStatus[];
  failedSystems: string[];
  /** Step events since the previous snapshot (bounded). */
  events: StepEvent[];
  /** How far back the run can jump without replaying from its start, and the checkpoints a jump restores (driver runs). */
  rewind?: RewindStatus;
  /**
   * Where the run is: events executed and recorded commands applied (a `seekPosition` comes back to exactly here), and
   * the newest step event's seq (a log holding newer ones is of a future the run went back from).
   */
  position?: { executed: number; applied: number; stepSeq: number };
}

/**
 * Checkpoints of a run: a seek restores the nearest one at or before the target and replays from there. Older
 * checkpoints are thinned (kept further apart) so memory stays bounded.
 */
export interface RewindStatus {
  /** The earliest moment a jump restores directly (0 while the run's start is kept). */
  earliestUs: number;
  /** Virtual times of the checkpoints kept, ascending. */
  checkpointsUs: number[];
  /** Checkpoints stopped for this run (a state that could not be copied: an engine bug), and why; seeks replay further. */
  stopped?: string;
}

/**
 * The engine as main sees it (implemented by main/engine/driver.ts, hosted in a worker thread by main).
 * Pacing to the wall clock is the driver's job, through the injected clock and timer; the engine itself reads no clock.
 */
export interface EngineService {
  load(topology: unknown, seed?: number): { problems: import('../model/problem').Problem[]; loaded: boolean };
  control(control: RunControl): Snapshot;
  command(command: EngineCommand): CommandResult;
  snapshot(): Snapshot;
  hashes(volumeIds: string[]): Record<string, string>;
  /** Hashes at a consistent point: host writes held, the run drained, the volumes frozen (copy-on-write), writes resumed, the frozen copies hashed in slices while the clock goes on. */
  verify(volumeIds: string[]): Promise<VerifyResult>;
  dispose(): void;
}

/** What Verify compared, and at which point of the run. */
export interface VerifyResult {
  hashes: Record<string, string>;
  /** Virtual time host writes were held at, and how long the run took to drain after that (copies, journals, flows). */
  heldAtUs: number;
  drainedUs: number;
  /** The run had nothing in flight when hashed (no copy, journal or write under way). */
  settled: boolean;
  /** What was still under way when the drain gave up, in words (empty when settled). */
  inFlight: string[];
  /** Host writes were running before and are running again. */
  writesResumed: boolean;
  /** Wall time spent hashing the frozen copies (in slices, between the run's ticks; commands meanwhile do not touch them). */
  hashWallMs: number;
}

/** What a host of the driver supplies: a wall clock, a timer, and where snapshots go (at most ~30 a second). */
export interface DriverHost {
  nowMs(): number;
  setTimer(fn: () => void, ms: number): () => void;
  emitSnapshot(snapshot: Snapshot): void;
  /** Optional native sha256 (e.g. node:crypto's) for volume hashes: same values as the engine's pure-JS one, faster. */
  sha256?: (data: Uint8Array) => Uint8Array;
}
