// Pair and journal records at run time: state, differential bitmaps per side, copy progress, and the async journal of a consistency group.
import type { PathWatch } from './path-groups';
import { SeqRing } from './data/seq-ring';
import type { Pair } from '../../app/model/schema';
import type { PairState } from '../../app/engine/api';
import { PAIR_STATE_RULES, type PairStateRule } from '../../app/engine/pair-rules';
import { DifferentialBitmap } from './data/bitmap';
import { doubleFields, withDoubleFields } from './data/double-fields';
import type { Payload } from './data/payload';
import type { LinkRt } from './runtime';
import type { AnswerTo } from './state';

/**
 * Async journal records sent but not yet acknowledged, per journal: at least this many, and beyond it as many as the
 * link's bandwidth x round trip holds (DOMAIN.md: records in flight are bounded by the link, not by a fixed count).
 */
export const JOURNAL_WINDOW = 256;
/** Journal fill above which an async pair shows PFUL. */
export const PFUL_THRESHOLD = 0.8;
/** How long a journal may stay above the threshold before its pairs suspend (Hitachi's overflow watch). */
export const OVERFLOW_WATCH_US = 60_000_000;

export interface PairRoute {
  fromPortId: string;
  link: LinkRt;
  toPortId: string;
}

export interface JournalRecord {
  seq: number;
  gen: number;
  pair: PairRt;
  offset: number;
  length: number;
  /** The bytes as written (a generated payload stays a recipe); null means zeros. */
  data: Payload | null;
  /** Time of the write at the primary (for RPO). */
  writtenUs: number;
  /** The host write it carries (every write, traced or not): a delta-resync standby drops it once the remote applied it. */
  hostIoId?: number;
  /** Not sent before this time (a record appended ahead of its hand-down's MSG). */
  readyUs: number;
  ioId: number | undefined;
  sendStep: string | undefined;
  /**
   * It writes nothing: it frees its space (and its place in the sequence) when it arrives. Its pair was deleted after
   * it was sent, or a copy of its pair sent its tracks with newer bytes (supersedeJournaled).
   */
  discarded?: boolean;
}

/** A host write held back by inflow control until the journal has room. */
export interface HeldWrite {
  pair: PairRt;
  offset: number;
  length: number;
  data: Payload | null;
  io: { id: number; traced: boolean };
  sendStep: string;
  /** Told (ok) when the write went into the journal or into the bitmap. */
  answered: AnswerTo;
}

/** One journal per consistency group (or per async pair without a group): sequence numbers and in-order apply. */
export class JournalRt {
  readonly pairs: PairRt[] = [];
  nextSeq = 1;
  /** The next sequence number the secondary may apply; records only apply as an unbroken run. */
  applyNext = 1;
  /** Bumped on every suspend: records of an older generation are dropped wherever they are. */
  gen = 0;
  usedBytes = 0;
  /** Bytes held by the fillJournal fault, released on suspend. */
  phantomBytes = 0;
  readonly queue: JournalRecord[] = [];
  queueHead = 0;
  inFlight = 0;
  /** Bytes of the records in flight (sent, not yet freed). */
  inFlightBytes = 0;
  /** Records arrived at the secondary and waiting for their turn to apply, by sequence number. */
  readonly arrived = new SeqRing<JournalRecord>();
  /** Records taken off the queue and not yet freed: on the link, arrived, or being applied. A suspend must turn these into bitmap bits too. */
  readonly sent = new SeqRing<JournalRecord>();
  /** Sequence numbers of records taken out before they were sent (their pair was deleted): apply steps over them. */
  readonly skipped = new Set<number>();
  /** Set while host writes are held back because the journal is full (inflow control): the Data Overflow Watch counts from here. */
  fullSinceUs: number | undefined;
  /** Host writes held back by inflow control, oldest first. */
  readonly held: HeldWrite[] = [];

  constructor(
    readonly id: string,
    readonly capacityBytes: number,
  ) {}

  get fill(): number {
    return Math.min(1, (this.usedBytes + this.phantomBytes) / this.capacityBytes);
  }

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  shift(): JournalRecord | undefined {
    const r = this.queue[this.queueHead];
    if (r === undefined) return undefined;
    this.queueHead++;
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    return r;
  }

  /** Drops every record not yet applied and returns them (to be turned into bitmap bits). */
  drop(): JournalRecord[] {
    const out = this.queue.slice(this.queueHead);
    // `arrived` is a subset of `sent`; records still on the link or being applied were lost from the bitmap before.
    for (const r of this.sent.values()) out.push(r);
    this.sent.clear();
    this.skipped.clear();
    this.queue.length = 0;
    this.queueHead = 0;
    this.arrived.clear();
    this.gen++;
    this.inFlight = 0;
    this.inFlightBytes = 0;
    this.usedBytes = 0;
    this.phantomBytes = 0;
    this.applyNext = this.nextSeq;
    return out;
  }

  /**
   * Takes one pair's records out of the journal (the pair is deleted) while the group's other pairs keep theirs, in
   * order: queued records are skipped in the sequence, records already sent free their space on arrival.
   */
  discardPair(pair: PairRt): void {
    let kept = 0;
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const r = this.queue[i]!;
      if (r.pair === pair) {
        this.skipped.add(r.seq);
        this.usedBytes -= r.length;
      } else this.queue[kept++] = r;
    }
    this.queue.length = kept;
    this.queueHead = 0;
    for (const r of this.sent.values()) if (r.pair === pair) r.discarded = true;
  }

  get drained(): boolean {
    return this.queued === 0 && this.inFlight === 0 && this.arrived.size === 0;
  }
}

/**
 * A write a delta-resync standby keeps (delta-resync.ts). `relaySeq`: the sequence number the relay's pair to the same
 * remote journaled it at (the remote applies in that order, not in the order the writes reached the standby's
 * primary). `settledBy`: the pair whose bitmap took it instead (it reaches the remote in no record of its own, but
 * with a copy of that pair), and how many copies that pair had completed then (`settledCopies`). Neither: still on its
 * way to the relay's journal.
 */
export interface KeptWrite {
  offset: number;
  length: number;
  data: Payload | null;
  writtenUs: number;
  relaySeq: number | undefined;
  settledBy: PairRt | undefined;
  settledCopies: number;
  /**
   * Parts of its range the remote already holds newer bytes for (a newer write over them was applied there), as
   * sorted disjoint [start, end) byte offsets: a delta resync sends only the rest. `liveBytes` is what is left.
   */
  holes: [number, number][] | undefined;
  liveBytes: number;
}

export interface CopyProgress {
  active: boolean;
  gen: number;
  totalTracks: number;
  startedUs: number;
  inFlight: number;
  cursor: number;
  /** Tracks this copy sent over the link (empty tracks are skipped and not counted). */
  tracksSent: number;
  /** The progress shown so far: it only moves forward (a failed update putting a bit back does not make the bar retreat). */
  shownProgress: number;
  /** Tracks taken from the bitmap and sent but not yet landed: put back into the bitmap if the copy is abandoned. */
  inFlightTracks: Set<number>;
}

/**
 * Bumped whenever which pairs serve a volume may change (a pair's state is set, its roles swap, a pair is added, a run
 * is copied or restored). Lists of pairs kept per volume (EngineState.pairsWithPrimary) are valid only while it holds
 * the value they were made at. One counter for every engine of the process: it only ever grows, so a list made in
 * another run, or restored from a checkpoint, is never taken for current.
 */
let pairsEpoch = 0;
export function pairsChanged(): void {
  pairsEpoch++;
}
export function currentPairsEpoch(): number {
  return pairsEpoch;
}

export class PairRt {
  readonly id: string;
  private primaryVolume: string;
  private secondaryVolume: string;
  private stateValue: PairState = 'SMPL';
  /** PAIR_STATE_RULES[state], kept beside it: every write asks a pair's rules several times. */
  private rulesValue: PairStateRule = PAIR_STATE_RULES.SMPL;
  /** Sync updates sent to the secondary and not yet answered (they may land after a split). */
  syncInFlight = 0;
  /** Tracks of those updates (track -> updates): when the pair stops replicating they may or may not have landed, so they go into the bitmap. */
  readonly syncInFlightTracks = new Map<number, number>();
  /**
   * Bumped when updates sent earlier may no longer land: takeover (the secondary stops taking the old primary's updates),
   * a reversal, a new copy, delete. An update carries the generation it was sent in.
   */
  updateGen = 0;
  sinceUs = 0;
  reason = '';
  /** True after swapResync: the data flows from the original secondary to the original primary. */
  swapped = false;
  failbackPending = false;
  secondaryWritable = false;
  /**
   * A side's status when it differs from what the pair state implies (see sideStates): set when the other side could
   * not be told of a change (an S-VOL that still says PAIR after a primary-site disaster). Cleared on every state change.
   */
  primarySide: PairState | undefined;
  secondarySide: PairState | undefined;
  /**
   * Delta-resync standby (HOLD): the primary's writes the remote has not yet applied through the relay, by host I/O id
   * in write order, and their bytes; `deltaWrapped` once the journal's capacity forced the oldest out.
   */
  readonly deltaLog = new Map<number, KeptWrite>();
  deltaBytes = 0;
  deltaWrapped = false;
  /** Copies (initial or differential) this pair has completed: a write its bitmap took is at the secondary once this grows. */
  copiesCompleted = 0;
  /** Bumped when the standby's preparation (HOLDING) is started again or given up (standby.ts). */
  standbyGen = 0;
  /**
   * Why the kept writes no longer cover what the remote lacks, although none was dropped: a copy wrote the primary
   * (its tracks are no host writes) or the secondary (another pair's copy replaced the remote's image). A delta resync
   * then copies in full, as after a wrap.
   */
  deltaGap: string | undefined;
  /** A takeover waits for the journal to flush ('suspending'); when it has drained the secondary takes over. */
  takeoverPending = false;
  /** The pending takeover is a swap-takeover (the primary was reachable): the roles swap instead of SSWS. */
  swapPending = false;
  /**
   * Cascade: the upstream leg fed this pair's primary while it was copying (an inconsistent relay image): the secondary
   * is inconsistent until the journal has applied up to this sequence number (set when the upstream copy completes).
   */
  taintedUntilSeq: number | undefined;
  /** Sync: the P-VOL is write-protected by its fence level since a failed update (until liftFence or a resync). */
  fenced = false;
  /** A copy was interrupted before it completed: the secondary is a mix of old and new tracks until the next copy completes. */
  secondaryInconsistent = false;
  /**
   * Its initial copy started and has not completed: the secondary lacks data older than any write a delta-resync
   * standby keeps (deltaGapOf then falls back to a full copy).
   */
  initialCopyPending = false;
  route: PairRoute | undefined;
  /** Path group (cfg.paths): a cut path's detection pending, and the work waiting for it (path-groups.ts). */
  readonly pathWatch: PathWatch = withDoubleFields({ detectAtUs: undefined, waiters: [], waiterOrder: [], issued: 0, waitingTracks: new Map(), turn: 0, trackLinks: new Map(), lockWaiters: [], lockWakeBooked: false, journalHeld: false }, 'detectAtUs');
  primaryBitmap: DifferentialBitmap;
  secondaryBitmap: DifferentialBitmap;
  readonly copy: CopyProgress = withDoubleFields(
    { active: false, gen: 0, totalTracks: 0, startedUs: 0, inFlight: 0, cursor: 0, tracksSent: 0, shownProgress: 0, inFlightTracks: new Set() },
    'startedUs',
    'shownProgress',
  );
  journal: JournalRt | undefined;
  /** Time of the newest write the secondary has applied (async: journal records; sync: updates landed; a completed copy: its end), for RPO. */
  lastAppliedWrittenUs = 0;
  /** The largest RPO seen (us), sampled where it peaks: before each journal apply, at state changes, and when read. */
  maxRpoUs = 0;
  /** Time of the oldest write not yet applied at the secondary, when there is one. */
  suspendedCause: { kind: 'link' | 'system' | 'journal' | 'takeover' | 'loop'; id: string } | undefined;

  constructor(
    readonly cfg: Pair,
    readonly trackBytes: number,
    readonly sizeBytes: number,
  ) {
    this.id = cfg.id;
    this.primaryVolume = cfg.primaryVolumeId;
    this.secondaryVolume = cfg.secondaryVolumeId;
    const tracks = Math.ceil(sizeBytes / trackBytes);
    this.primaryBitmap = new DifferentialBitmap(tracks, { id: `${cfg.id}.primary` });
    this.secondaryBitmap = new DifferentialBitmap(tracks, { id: `${cfg.id}.secondary` });
    doubleFields(this, 'sinceUs', 'lastAppliedWrittenUs', 'maxRpoUs');
  }

  get mode(): 'sync' | 'async' {
    return this.cfg.mode;
  }

  get trackCount(): number {
    return this.primaryBitmap.trackCount;
  }

  /** What the pair's state means and allows (the one table, app/engine/pair-rules.ts). */
  get rules(): PairStateRule {
    return this.rulesValue;
  }

  get state(): PairState {
    return this.stateValue;
  }

  set state(state: PairState) {
    this.stateValue = state;
    this.rulesValue = PAIR_STATE_RULES[state];
    pairsEpoch++;
  }

  get primaryId(): string {
    return this.primaryVolume;
  }

  set primaryId(id: string) {
    this.primaryVolume = id;
    pairsEpoch++;
  }

  get secondaryId(): string {
    return this.secondaryVolume;
  }

  set secondaryId(id: string) {
    this.secondaryVolume = id;
    pairsEpoch++;
  }

  /** States in which updates flow to the secondary (or are tracked for the running copy). */
  get replicating(): boolean {
    return this.rulesValue.replicating;
  }

  /** The tracks of sync updates still on their way become differences: the secondary may not have them. */
  markSyncInFlight(): void {
    for (const t of this.syncInFlightTracks.keys()) this.primaryBitmap.set(t);
    // And those of updates held by the track lock (not sent yet: they will not be, see SyncResend.retry).
    for (const w of this.pathWatch.lockWaiters) for (let t = w.firstTrack!; t <= w.lastTrack!; t++) this.primaryBitmap.set(t);
    // And those of updates waiting for the path timeout (never sent, or lost on the cut path): sent after a split, or
    // not at all after a new generation (SyncResend.retry), the secondary may never get them.
    for (const t of this.pathWatch.waitingTracks.keys()) this.primaryBitmap.set(t);
  }

  markTracks(bitmap: DifferentialBitmap, offset: number, length: number): void {
    const first = Math.floor(offset / this.trackBytes);
    const last = Math.floor((offset + length - 1) / this.trackBytes);
    if (first === last) bitmap.set(first);
    else bitmap.setRange(first, Math.min(last + 1, bitmap.trackCount));
  }
}
