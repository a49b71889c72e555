// The ONE table of what each pair state means and allows: read by the engine, the canvas menus and validation.
import type { PairOp, PairState } from './api';

/** What a pair state means for the data path (TrueCopy/UR pair status definitions, DOMAIN.md "Pair state machine"). */
export interface PairStateRule {
  /** The volumes are a pair at all (every state but SMPL): the pair's flows and lookups consider it. */
  paired: boolean;
  /** Updates flow to the secondary (or are tracked by the running copy): the pair forwards or journals host writes. */
  replicating: boolean;
  /** A host write on the primary sets a bit in the primary's differential bitmap instead of (or as well as) being sent. */
  recordsOnPrimary: boolean;
  /** A write on the secondary side (a split read/write S-VOL or a taken-over S-VOL) sets a bit in the secondary's bitmap. */
  recordsOnSecondary: boolean;
  /** The state lasts only until the engine finishes something (a copy, a drain, a delete): the run has not settled. */
  busy: boolean;
  /** The state is a suspension: the secondary's image is frozen and the pair can be resynchronised. */
  suspended: boolean;
  /** Host writes on the primary are sent on at once: forwarded (sync) or journaled (async). */
  forwardsUpdates: boolean;
  /** Journal records already taken keep going to the secondary (an async split drains first). */
  sendsJournal: boolean;
  /** A suspend applies to it: a fault (PSUE) or a split of its group (PSUS). An operator-split pair (PSUS) stays PSUS on a fault. */
  suspendable: boolean;
  /** The secondary holds a usable image (not while copying, not when there is no pair). */
  secondaryConsistent: boolean;
  /** Host writes to the secondary: refused, accepted, or accepted when the split was read/write. */
  secondaryWrites: 'refused' | 'accepted' | 'if-split-read-write';
  /**
   * A delta-resync standby (Hitachi 3DC): it carries nothing, and keeps its primary's writes until the remote has
   * applied them through the relay, for a delta resync. HOLD (ready), HOLDING (being prepared), HLDE (its journal
   * cannot be used).
   */
  standsBy: boolean;
}

const NONE = { forwardsUpdates: false, sendsJournal: false, suspendable: false } as const;

export const PAIR_STATE_RULES: Record<PairState, PairStateRule> = {
  SMPL: { paired: false, replicating: false, recordsOnPrimary: false, recordsOnSecondary: false, busy: false, suspended: false, ...NONE, secondaryConsistent: false, secondaryWrites: 'refused', standsBy: false },
  // An async pair in COPY sends its update journal beside the base copy (writes to tracks the copy already sent).
  COPY: { paired: true, replicating: true, recordsOnPrimary: true, recordsOnSecondary: false, busy: true, suspended: false, ...NONE, sendsJournal: true, suspendable: true, secondaryConsistent: false, secondaryWrites: 'refused', standsBy: false },
  PAIR: { paired: true, replicating: true, recordsOnPrimary: false, recordsOnSecondary: false, busy: false, suspended: false, forwardsUpdates: true, sendsJournal: true, suspendable: true, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: false },
  PFUL: { paired: true, replicating: true, recordsOnPrimary: false, recordsOnSecondary: false, busy: false, suspended: false, forwardsUpdates: true, sendsJournal: true, suspendable: true, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: false },
  // A split pair stays PSUS when its link or secondary then fails (nothing is being sent that could fail).
  PSUS: { paired: true, replicating: false, recordsOnPrimary: true, recordsOnSecondary: true, busy: false, suspended: true, ...NONE, secondaryConsistent: true, secondaryWrites: 'if-split-read-write', standsBy: false },
  SSUS: { paired: true, replicating: false, recordsOnPrimary: true, recordsOnSecondary: true, busy: false, suspended: true, ...NONE, secondaryConsistent: true, secondaryWrites: 'if-split-read-write', standsBy: false },
  PSUE: { paired: true, replicating: false, recordsOnPrimary: true, recordsOnSecondary: true, busy: false, suspended: true, ...NONE, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: false },
  PFUS: { paired: true, replicating: false, recordsOnPrimary: true, recordsOnSecondary: true, busy: false, suspended: true, ...NONE, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: false },
  SSWS: { paired: true, replicating: false, recordsOnPrimary: true, recordsOnSecondary: true, busy: false, suspended: false, ...NONE, secondaryConsistent: true, secondaryWrites: 'accepted', standsBy: false },
  HOLD: { paired: false, replicating: false, recordsOnPrimary: false, recordsOnSecondary: false, busy: false, suspended: false, ...NONE, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: true },
  HOLDING: { paired: false, replicating: false, recordsOnPrimary: false, recordsOnSecondary: false, busy: true, suspended: false, ...NONE, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: true },
  HLDE: { paired: false, replicating: false, recordsOnPrimary: false, recordsOnSecondary: false, busy: false, suspended: false, ...NONE, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: true },
  suspending: { paired: true, replicating: true, recordsOnPrimary: true, recordsOnSecondary: false, busy: true, suspended: false, ...NONE, sendsJournal: true, suspendable: true, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: false },
  deleting: { paired: true, replicating: false, recordsOnPrimary: false, recordsOnSecondary: false, busy: true, suspended: false, ...NONE, secondaryConsistent: true, secondaryWrites: 'refused', standsBy: false },
};

/** Facts beyond the state that decide an operation (kept small: what the menu can know from a snapshot). */
export interface PairFacts {
  /** The pair runs in the reverse direction after a swap-resync. */
  swapped?: boolean;
  /** The P-VOL of a sync pair is fenced by its fence level (writes fail until lifted or resynchronised). */
  fenced?: boolean;
}

export interface PairOpRule {
  /** Menu label. */
  label: string;
  /** What the operation does, for the tooltip of an enabled item. */
  does: string;
  /** States in which the operation is accepted. */
  allowedIn: readonly PairState[];
  /** Why it is refused in the other states (completes "pair X is STATE; ..."). */
  refusedBecause: string;
  /** A more precise reason for some states. */
  refusedIn?: Partial<Record<PairState, string>>;
  /** An extra state it is accepted in only when a fact holds. */
  alsoWhen?: { state: PairState; fact: keyof PairFacts };
  /** A fact without which the operation is refused even in an allowed state, and why. */
  needs?: { fact: keyof PairFacts; refusedBecause: string };
}

export const PAIR_OP_RULES: Record<PairOp, PairOpRule> = {
  create: {
    label: 'Create (initial copy)',
    does: 'forms the pair: every track is marked and copied to the secondary',
    allowedIn: ['SMPL'],
    refusedBecause: 'only a simplex pair can be created',
  },
  split: {
    label: 'Split',
    does: 'suspends the pair by the operator (PSUS/SSUS); changes are recorded in bitmaps',
    allowedIn: ['PAIR', 'PFUL', 'COPY'],
    refusedBecause: 'only a pair in PAIR, PFUL or COPY can be split',
  },
  resync: {
    label: 'Resync',
    does: 'copies the union of both bitmaps to the secondary, then PAIR',
    allowedIn: ['PSUS', 'PSUE', 'PFUS', 'SSUS'],
    refusedBecause: 'only a split or suspended pair can be resynchronised',
  },
  takeover: {
    label: 'Take over at the secondary',
    does: 'with the primary reachable and the pair replicating, a swap-takeover: the journal is flushed (or the updates on the way land), the roles swap and the pair stays paired the other way; otherwise (or asked read/write: CCI pairsplit -RS) the secondary becomes writable (SSWS), its changes recorded for failback',
    allowedIn: ['PAIR', 'PFUL', 'PSUS', 'SSUS', 'PSUE', 'PFUS', 'suspending'],
    refusedBecause: 'there is nothing to take over',
    refusedIn: { COPY: 'the secondary is inconsistent while copying and cannot take over' },
  },
  swapResync: {
    label: 'Swap-resync (reverse direction)',
    does: 'reverses the direction and copies the changes made since the takeover',
    allowedIn: ['SSWS'],
    refusedBecause: 'swap-resync follows a takeover (SSWS)',
  },
  failback: {
    label: 'Failback',
    does: 'copies the changes back to the original primary and restores the original direction',
    allowedIn: ['SSWS'],
    refusedBecause: 'failback needs a taken-over (SSWS) or swapped pair',
    alsoWhen: { state: 'PAIR', fact: 'swapped' },
  },
  delete: {
    label: 'Delete',
    does: 'dissolves the pair (SMPL): the volumes become independent',
    allowedIn: ['COPY', 'PAIR', 'PFUL', 'PSUS', 'SSUS', 'PSUE', 'PFUS', 'SSWS', 'HOLD', 'HOLDING', 'HLDE', 'suspending', 'deleting'],
    refusedBecause: 'it is not paired',
  },
  deltaResync: {
    label: 'Delta resync (3DC)',
    does: 'after the relay is lost: sends the remote only the journal records it has not applied, in order, and the pair replicates local -> remote (from HLDE with a wrapped journal: a full copy, and it says so)',
    allowedIn: ['HOLD', 'HLDE'],
    refusedBecause: 'only a delta-resync standby pair (HOLD, or HLDE) can be delta-resynchronised',
    refusedIn: { HOLDING: 'the standby is still being prepared (its journal is being set up with the remote); wait for HOLD' },
  },
  liftFence: {
    label: 'Lift the fence (P-VOL takeover)',
    does: 'makes the fenced P-VOL writable again while the pair stays suspended; its writes are recorded in the bitmap for the resync',
    allowedIn: ['PSUE'],
    refusedBecause: 'only a pair suspended by an error (PSUE) can be fenced',
    needs: { fact: 'fenced', refusedBecause: 'its P-VOL is not fenced' },
  },
};

export type OpAvailability = { allowed: true } | { allowed: false; reason: string };

/** Why the table refuses an operation in this state (the part after "pair is STATE; "), or undefined when it fits. */
export function pairOpRefusal(op: PairOp, state: PairState, facts: PairFacts = {}): string | undefined {
  const rule = PAIR_OP_RULES[op];
  if (rule.allowedIn.includes(state)) return rule.needs && !facts[rule.needs.fact] ? rule.needs.refusedBecause : undefined;
  if (rule.alsoWhen && rule.alsoWhen.state === state && facts[rule.alsoWhen.fact]) return undefined;
  return rule.refusedIn?.[state] ?? rule.refusedBecause;
}

/** Whether an operation fits the state, by the table alone (the engine may still refuse for a fact it alone knows, e.g. a down link). */
export function pairOpAvailability(op: PairOp, state: PairState, facts: PairFacts = {}): OpAvailability {
  const why = pairOpRefusal(op, state, facts);
  return why === undefined ? { allowed: true } : { allowed: false, reason: `pair is ${state}; ${why}` };
}
