// The pair state machine of DOMAIN.md as a table: operator operations and engine events, refusals naming the state, never throws.
import type { CommandResult, PairOp, PairState } from '../../../app/engine/api';

export type PairMode = 'sync' | 'async';
export type SecondaryData = 'inconsistent' | 'consistent' | 'up-to-date';
/** 'forward': the pair's primaryVolume is the copy source; 'reversed' after swapResync. */
export type PairDirection = 'forward' | 'reversed';

/** Everything the state machine knows about one pair; the engine keeps one per pair and replaces it on each transition. */
export interface PairRecord {
  readonly state: PairState;
  readonly mode: PairMode;
  readonly linkUp: boolean;
  readonly secondaryData: SecondaryData;
  /** Host time of the image the secondary holds, when it is consistent but behind. */
  readonly consistentAsOfUs?: number;
  readonly sinceUs: number;
  /** Why it is in this state, for the explain panel. */
  readonly reason: string;
  readonly direction: PairDirection;
  /** State reached when 'suspending' or 'deleting' completes. */
  readonly settlesTo?: PairState;
  /** Split with read/write: the secondary accepts host writes while split (recorded in its bitmap). */
  readonly secondaryWritable: boolean;
  /** What the running or last copy was. */
  readonly copyKind?: 'initial' | 'differential';
}

export type PairEvent =
  | 'copyComplete'
  | 'linkDown'
  | 'pathFault'
  | 'linkUp'
  | 'secondaryFailed'
  | 'primaryFailed'
  | 'journalOverflow'
  | 'journalFull'
  | 'journalBelow'
  | 'suspendDone'
  | 'deleteDone'
  | 'upstreamTakeover'
  | 'groupSuspend';

/** What the engine must do because of a transition, in order. */
export type PairEffect =
  /** Initial copy: set every track of the copy source's bitmap. */
  | 'setAllBitmap'
  /** Differential copy: OR the secondary's bitmap into the primary's (the union is copied), clear the secondary's. */
  | 'mergeBitmaps'
  /** Start (or restart) the copy loop from the bitmap. */
  | 'startCopy'
  /** Async split: send what is in the journal, then report 'suspendDone'. */
  | 'flushJournal'
  /**
   * Async suspend by error or takeover: unacknowledged journal records become bitmap bits and are
   * dropped (PrimaryJournal.drainToBitmaps, then SecondaryRestoreBuffer.discardAndRestartAfter). On a
   * takeover, first apply the restore buffer's unbroken run so the secondary loses as little as possible.
   */
  | 'drainJournal'
  /** Stop sending writes to the secondary; record them in bitmaps instead. */
  | 'recordChangesInBitmaps'
  /** Swap copy source and target (swapResync, failback). */
  | 'swapDirection'
  /** Release the pair's bitmaps and journal share (delete). Then report 'deleteDone'. */
  | 'releasePair'
  /** Cascade rule: suspend the pairs downstream of this pair's secondary (see downstreamPairs). */
  | 'suspendDownstream'
  /** Consistency group rule: apply 'groupSuspend' to the other pairs of the group (see pairsOfGroup). */
  | 'suspendGroup';

export interface TransitionContext {
  nowUs: number;
  /** takeover: accept even while the secondary is inconsistent (COPY). */
  force?: boolean;
  /** split: leave the secondary writable. */
  readWrite?: boolean;
  /** Async: host time of the last write applied at the secondary (the consistent image it holds). */
  consistentAsOfUs?: number;
  /** Extra words for the reason, e.g. the cable or system that failed. */
  detail?: string;
  /** groupSuspend: the state the rest of the group goes to (PSUS or PSUE). */
  groupState?: 'PSUS' | 'PSUE';
}

export type Transition =
  | { ok: true; record: PairRecord; effects: PairEffect[]; changed: boolean; message?: string }
  | { ok: false; reason: string; state: PairState };

export function newPairRecord(mode: PairMode, nowUs: number): PairRecord {
  return { state: 'SMPL', mode, linkUp: true, secondaryData: 'inconsistent', sinceUs: nowUs, reason: 'not paired', direction: 'forward', secondaryWritable: false };
}

/** A pair that starts in sync ('initially: paired'). */
export function pairedRecord(mode: PairMode, nowUs: number): PairRecord {
  return {
    ...newPairRecord(mode, nowUs),
    state: 'PAIR',
    secondaryData: mode === 'sync' ? 'up-to-date' : 'consistent',
    consistentAsOfUs: nowUs,
    reason: 'paired at start',
  };
}

// ---- operations ----

type Rule = (record: PairRecord, ctx: TransitionContext) => Transition;

const SUSPENDED: readonly PairState[] = ['PSUS', 'SSUS', 'PSUE'];
const REPLICATING: readonly PairState[] = ['COPY', 'PAIR', 'PFUL'];

function refuse(record: PairRecord, reason: string): Transition {
  return { ok: false, reason, state: record.state };
}

function notAllowed(what: string, record: PairRecord, hint?: string): Transition {
  return refuse(record, `${what} is not allowed in state ${record.state}${hint ? `: ${hint}` : ''}`);
}

function go(record: PairRecord, ctx: TransitionContext, next: Partial<PairRecord> & { state: PairState; reason: string }, effects: PairEffect[], message?: string): Transition {
  const changed = next.state !== record.state;
  const merged: { -readonly [K in keyof PairRecord]: PairRecord[K] } = { ...record, ...next, sinceUs: changed ? ctx.nowUs : record.sinceUs };
  // settlesTo only means something while a suspend or delete is in progress.
  if (merged.state !== 'suspending' && merged.state !== 'deleting') delete merged.settlesTo;
  return message === undefined ? { ok: true, record: merged, effects, changed } : { ok: true, record: merged, effects, changed, message };
}

function withDetail(text: string, ctx: TransitionContext): string {
  return ctx.detail ? `${text} (${ctx.detail})` : text;
}

/** The image the secondary holds when replication stops now. */
function imageAtStop(record: PairRecord, ctx: TransitionContext): Pick<PairRecord, 'secondaryData' | 'consistentAsOfUs'> {
  if (record.state === 'COPY' || record.secondaryData === 'inconsistent') return { secondaryData: 'inconsistent', consistentAsOfUs: undefined };
  if (record.state === 'PAIR' || record.state === 'PFUL' || record.state === 'suspending') {
    // Still replicating until now: a sync secondary is current, an async one as of its last applied write.
    const asOf = record.mode === 'sync' ? ctx.nowUs : ctx.consistentAsOfUs ?? record.consistentAsOfUs ?? ctx.nowUs;
    return { secondaryData: 'consistent', consistentAsOfUs: asOf };
  }
  // Already stopped: the secondary keeps the image it had when replication stopped.
  return { secondaryData: 'consistent', consistentAsOfUs: record.consistentAsOfUs ?? ctx.consistentAsOfUs ?? ctx.nowUs };
}

const OP_RULES: Record<PairOp, Rule> = {
  create(record, ctx) {
    if (record.state !== 'SMPL') return notAllowed('create', record, 'the volumes are already paired');
    if (!record.linkUp) return refuse(record, 'create needs the link up (state SMPL, link down)');
    return go(record, ctx, { state: 'COPY', reason: 'initial copy: every track is copied', secondaryData: 'inconsistent', consistentAsOfUs: undefined, copyKind: 'initial', direction: 'forward', secondaryWritable: false }, ['setAllBitmap', 'startCopy']);
  },

  split(record, ctx) {
    if (record.state === 'COPY') return notAllowed('split', record, 'the secondary is inconsistent until the copy completes; delete the pair instead');
    if (record.state !== 'PAIR' && record.state !== 'PFUL') return notAllowed('split', record);
    const readWrite = ctx.readWrite === true;
    const reason = withDetail(`split by the operator${readWrite ? ' (secondary read/write)' : ''}`, ctx);
    if (record.mode === 'async') {
      // The journal is sent first so the secondary's image is the one at the split.
      return go(record, ctx, { state: 'suspending', settlesTo: 'PSUS', reason, secondaryWritable: readWrite }, ['recordChangesInBitmaps', 'flushJournal', 'suspendGroup']);
    }
    return go(record, ctx, { state: 'PSUS', reason, secondaryWritable: readWrite, ...imageAtStop(record, ctx) }, ['recordChangesInBitmaps', 'suspendGroup']);
  },

  resync(record, ctx) {
    if (record.state === 'SSWS') return notAllowed('resync', record, 'the secondary has taken over; use swapResync (or failback after swapResync)');
    if (!SUSPENDED.includes(record.state)) return notAllowed('resync', record);
    if (!record.linkUp) return refuse(record, `resync needs the link up (state ${record.state}, link down)`);
    return go(record, ctx, { state: 'COPY', reason: 'resync: copying the tracks changed on either side since the suspend', secondaryData: 'inconsistent', consistentAsOfUs: undefined, copyKind: 'differential', secondaryWritable: false }, ['mergeBitmaps', 'startCopy']);
  },

  takeover(record, ctx) {
    if (record.state === 'COPY' && !ctx.force) {
      return notAllowed('takeover', record, 'the secondary is inconsistent while the copy runs (force to take over anyway)');
    }
    if (record.state !== 'COPY' && !['PAIR', 'PFUL', 'PSUS', 'SSUS', 'PSUE'].includes(record.state)) return notAllowed('takeover', record);
    if (record.secondaryData === 'inconsistent' && !ctx.force) {
      return notAllowed('takeover', record, 'the secondary is inconsistent: the copy did not complete (force to take over anyway)');
    }
    const image = imageAtStop(record, ctx);
    const wasSuspended = SUSPENDED.includes(record.state);
    const effects: PairEffect[] = wasSuspended ? ['suspendDownstream'] : ['recordChangesInBitmaps', ...(record.mode === 'async' ? (['drainJournal'] as const) : []), 'suspendDownstream', 'suspendGroup'];
    const message = image.secondaryData === 'inconsistent' ? 'forced takeover: the secondary data is inconsistent' : undefined;
    return go(record, ctx, { state: 'SSWS', reason: withDetail('the secondary took over and accepts writes', ctx), ...image, secondaryWritable: true }, effects, message);
  },

  swapResync(record, ctx) {
    if (record.state !== 'SSWS') return notAllowed('swapResync', record, 'only a pair whose secondary took over (SSWS) can swap');
    if (!record.linkUp) return refuse(record, 'swapResync needs the link up (state SSWS, link down)');
    return go(record, ctx, {
      state: 'COPY',
      reason: 'swap-resync: the former secondary is now the copy source; copying changed tracks back',
      direction: record.direction === 'forward' ? 'reversed' : 'forward',
      secondaryData: 'inconsistent',
      consistentAsOfUs: undefined,
      copyKind: 'differential',
      secondaryWritable: false,
    }, ['swapDirection', 'mergeBitmaps', 'startCopy']);
  },

  failback(record, ctx) {
    if (record.state === 'SSWS') return notAllowed('failback', record, 'run swapResync first so the original primary receives the changes made since the takeover');
    if (record.direction !== 'reversed') return notAllowed('failback', record, 'the pair already runs in its original direction');
    if (![...REPLICATING, ...SUSPENDED].includes(record.state) || record.state === 'COPY') return notAllowed('failback', record);
    if (!record.linkUp) return refuse(record, `failback needs the link up (state ${record.state}, link down)`);
    return go(record, ctx, {
      state: 'COPY',
      reason: 'failback: returning to the original direction; copying changed tracks',
      direction: 'forward',
      secondaryData: 'inconsistent',
      consistentAsOfUs: undefined,
      copyKind: 'differential',
      secondaryWritable: false,
    }, ['recordChangesInBitmaps', 'swapDirection', 'mergeBitmaps', 'startCopy']);
  },

  delete(record, ctx) {
    if (record.state === 'SMPL' || record.state === 'deleting') return notAllowed('delete', record);
    return go(record, ctx, { state: 'deleting', settlesTo: 'SMPL', reason: withDetail('deleted by the operator', ctx), secondaryWritable: false }, ['recordChangesInBitmaps', 'releasePair']);
  },
};

// ---- events ----

function suspendByError(record: PairRecord, ctx: TransitionContext, reason: string, extra: Partial<PairRecord> = {}): Transition {
  const effects: PairEffect[] = ['recordChangesInBitmaps', ...(record.mode === 'async' ? (['drainJournal'] as const) : []), 'suspendGroup'];
  return go(record, ctx, { state: 'PSUE', reason: withDetail(reason, ctx), ...imageAtStop(record, ctx), ...extra }, effects);
}

function attributeOnly(record: PairRecord, ctx: TransitionContext, patch: Partial<PairRecord>): Transition {
  return go(record, ctx, { state: record.state, reason: record.reason, ...patch }, []);
}

const STOPPABLE: readonly PairState[] = ['COPY', 'PAIR', 'PFUL', 'suspending'];

const EVENT_RULES: Record<PairEvent, Rule> = {
  copyComplete(record, ctx) {
    if (record.state !== 'COPY') return notAllowed('copyComplete', record);
    const secondaryData: SecondaryData = record.mode === 'sync' ? 'up-to-date' : 'consistent';
    return go(record, ctx, { state: 'PAIR', reason: record.copyKind === 'initial' ? 'initial copy complete' : 'resync complete', secondaryData, consistentAsOfUs: ctx.consistentAsOfUs ?? ctx.nowUs }, []);
  },
  linkDown(record, ctx) {
    if (STOPPABLE.includes(record.state)) return suspendByError(record, ctx, 'link down', { linkUp: false });
    return attributeOnly(record, ctx, { linkUp: false });
  },
  pathFault(record, ctx) {
    if (STOPPABLE.includes(record.state)) return suspendByError(record, ctx, 'path fault', { linkUp: false });
    return attributeOnly(record, ctx, { linkUp: false });
  },
  linkUp(record, ctx) {
    return attributeOnly(record, ctx, { linkUp: true });
  },
  secondaryFailed(record, ctx) {
    if (!STOPPABLE.includes(record.state)) return notAllowed('secondaryFailed', record);
    return suspendByError(record, ctx, 'secondary system failed');
  },
  primaryFailed(record, ctx) {
    if (!STOPPABLE.includes(record.state)) return notAllowed('primaryFailed', record);
    return suspendByError(record, ctx, 'primary system failed');
  },
  journalOverflow(record, ctx) {
    if (record.mode !== 'async') return notAllowed('journalOverflow', record, 'a sync pair has no journal');
    if (!STOPPABLE.includes(record.state)) return notAllowed('journalOverflow', record);
    return suspendByError(record, ctx, 'journal stayed full past the overflow watch');
  },
  journalFull(record, ctx) {
    if (record.mode !== 'async' || record.state !== 'PAIR') return notAllowed('journalFull', record);
    return go(record, ctx, { state: 'PFUL', reason: withDetail('journal over its threshold', ctx) }, []);
  },
  journalBelow(record, ctx) {
    if (record.state !== 'PFUL') return notAllowed('journalBelow', record);
    return go(record, ctx, { state: 'PAIR', reason: 'journal back under its threshold' }, []);
  },
  suspendDone(record, ctx) {
    if (record.state !== 'suspending') return notAllowed('suspendDone', record);
    return go(record, ctx, { state: record.settlesTo ?? 'PSUS', reason: record.reason, ...imageAtStop(record, ctx), settlesTo: undefined }, []);
  },
  deleteDone(record, ctx) {
    if (record.state !== 'deleting') return notAllowed('deleteDone', record);
    return go(record, ctx, { state: 'SMPL', reason: 'not paired (deleted)', direction: 'forward', secondaryData: record.secondaryData, settlesTo: undefined, copyKind: undefined }, []);
  },
  upstreamTakeover(record, ctx) {
    if (!STOPPABLE.includes(record.state)) return notAllowed('upstreamTakeover', record);
    const effects: PairEffect[] = ['recordChangesInBitmaps', ...(record.mode === 'async' ? (['drainJournal'] as const) : []), 'suspendGroup'];
    return go(record, ctx, { state: 'PSUS', reason: withDetail('suspended: the upstream pair was taken over', ctx), ...imageAtStop(record, ctx) }, effects);
  },
  groupSuspend(record, ctx) {
    if (!STOPPABLE.includes(record.state)) return notAllowed('groupSuspend', record);
    const state = ctx.groupState ?? 'PSUE';
    const effects: PairEffect[] = ['recordChangesInBitmaps', ...(record.mode === 'async' ? (['drainJournal'] as const) : [])];
    return go(record, ctx, { state, reason: withDetail('suspended with its consistency group', ctx), ...imageAtStop(record, ctx) }, effects);
  },
};

/** Apply an operator operation. Refusals name the state; nothing here throws. */
export function applyPairOp(record: PairRecord, op: PairOp, ctx: TransitionContext): Transition {
  const rule = OP_RULES[op];
  if (!rule) return refuse(record, `unknown operation ${String(op)}`);
  if (record.state === 'suspending' && op !== 'delete') return notAllowed(op, record, 'wait until the suspend completes');
  if (record.state === 'deleting') return notAllowed(op, record, 'the pair is being deleted');
  return rule(record, ctx);
}

/** Apply an engine event (copy finished, fault, journal threshold ...). An event that does not fit the state is refused, not thrown. */
export function applyPairEvent(record: PairRecord, event: PairEvent, ctx: TransitionContext): Transition {
  const rule = EVENT_RULES[event];
  if (!rule) return refuse(record, `unknown event ${String(event)}`);
  return rule(record, ctx);
}

export function toCommandResult(transition: Transition): CommandResult {
  if (!transition.ok) return { ok: false, reason: transition.reason, state: transition.state };
  const text = transition.message ?? `${transition.record.state}: ${transition.record.reason}`;
  return { ok: true, message: text };
}

export const PAIR_OPS: readonly PairOp[] = ['create', 'split', 'resync', 'takeover', 'swapResync', 'failback', 'delete'];
export const PAIR_EVENTS: readonly PairEvent[] = Object.keys(EVENT_RULES) as PairEvent[];

/** Operations the operator may run now (for menus); takeover is listed in COPY only when forced. */
export function allowedOps(record: PairRecord, nowUs: number): PairOp[] {
  return PAIR_OPS.filter((op) => applyPairOp(record, op, { nowUs }).ok);
}

/** State as CCI shows it from one side: a split pair is PSUS at the primary and SSUS at the secondary. */
export function stateSeenFrom(record: PairRecord, side: 'primary' | 'secondary'): PairState {
  if (side === 'secondary' && record.state === 'PSUS') return 'SSUS';
  if (side === 'primary' && record.state === 'SSUS') return 'PSUS';
  if (side === 'primary' && record.state === 'SSWS') return 'PSUS';
  return record.state;
}

/** Host writes to the copy source are sent to the target (sync) or journalled (async). */
export function isReplicating(record: PairRecord): boolean {
  return REPLICATING.includes(record.state);
}

/** Host writes are recorded in bitmaps instead of being sent. */
export function recordsChanges(record: PairRecord): boolean {
  return ['PSUS', 'SSUS', 'PSUE', 'SSWS', 'suspending', 'deleting'].includes(record.state);
}

// ---- pairs that change together ----

export interface PairLink {
  id: string;
  primaryVolumeId: string;
  secondaryVolumeId: string;
  consistencyGroup?: string;
}

/** The pairs of `pairId`'s consistency group (itself included); only itself when it has no group. */
export function pairsOfGroup(pairId: string, pairs: readonly PairLink[]): string[] {
  const pair = pairs.find((p) => p.id === pairId);
  if (!pair) return [];
  if (!pair.consistencyGroup) return [pair.id];
  return pairs.filter((p) => p.consistencyGroup === pair.consistencyGroup).map((p) => p.id);
}

/**
 * Pairs whose primary holds the same data as `pairId`'s secondary: the next hop of a cascade.
 * `sameData(secondaryVolumeId, primaryVolumeId)` says whether two volumes are one data image; in the
 * seed's relay V12 -> R2 -> V21 -> V22 they are different volume ids, so the engine passes its mapping
 * stack resolver. Defaults to id equality.
 */
export function downstreamPairs(pairId: string, pairs: readonly PairLink[], sameData: (secondaryVolumeId: string, primaryVolumeId: string) => boolean = (a, b) => a === b): string[] {
  const pair = pairs.find((p) => p.id === pairId);
  if (!pair) return [];
  return pairs.filter((p) => p.id !== pairId && sameData(pair.secondaryVolumeId, p.primaryVolumeId)).map((p) => p.id);
}

/**
 * Every other pair that must suspend when `pairId` is taken over: its downstream pairs and the rest of
 * their consistency groups, plus the rest of its own group. Sorted, without `pairId`.
 */
export function pairsSuspendedByTakeover(pairId: string, pairs: readonly PairLink[], sameData?: (secondaryVolumeId: string, primaryVolumeId: string) => boolean): string[] {
  const result = new Set<string>(pairsOfGroup(pairId, pairs));
  for (const downstream of downstreamPairs(pairId, pairs, sameData)) for (const id of pairsOfGroup(downstream, pairs)) result.add(id);
  result.delete(pairId);
  return [...result].sort();
}
