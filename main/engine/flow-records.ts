// What flows are made of: a write's I/O, its arrival at a port and the cache slots it holds; and, since a flow is a record (a class instance holding what a closure used to capture) with a method per step, the interfaces senders, receivers and waiters implement.
import type { EngineState } from './state';
import type { Payload } from './data/payload';
import type { PairRt } from './pairs';
import type { HandDown } from './handdown';
import type { CacheRt } from './runtime';

/*
 * Flows are records, not closures: what a closure captured is a record's fields, and what it did is a method of the
 * record's class (dispatch by kind). A pending event or a waiter holds the record, so the whole run is data that a
 * checkpoint can copy (engine.ts `checkpoint`).
 */

/**
 * An answer still on its way back over a cable (a sync pair's acknowledgement): it arrives at `atUs`; `lost(core)`, run
 * after that, records what a cut before then means and gives the failure the sender sees (undefined: none).
 */
export interface PendingAnswer {
  atUs: number;
  lost(core: EngineState): string | undefined;
}

/** Whoever waits for a receiver's answer; answers still on the way back may ride along (the host's answer carries them). */
export interface AnswerTo {
  answer(core: EngineState, ok: boolean, reason?: string, pending?: PendingAnswer[]): void;
}

/** The sender of a command over a cable: its accounting when it lands (false: no longer wanted), a loss to a cut, the answer. */
export interface Sender extends AnswerTo {
  landed(core: EngineState): boolean | void;
  lost(core: EngineState): void;
}

/** Told the arrival time of what it sent once the cable books it (at once, or at its turn of a FIG. 13 switch). */
export interface SentTo {
  sent(core: EngineState, arriveUs: number): void;
}

/** Gets the slots a cache store took for a range (after waiting for free slots, if it had to). */
export interface StoredTo {
  stored(core: EngineState, holds: SlotHold[]): void;
}

/** An update's sender says whether it still wants the bytes to land (false once its pair moved on). */
export interface Wanted {
  stillWanted(): boolean;
}

/** Nobody waits for the answer but the count of flows in motion (hand-downs serving a pair below the relay). */
export const FLOW_ENDED: AnswerTo = Object.freeze({
  answer(core: EngineState) {
    core.activeFlows--;
  },
});

/** Where a write arrived from: decides the step names and whether the bytes are applied here. */
export type Source = 'host' | 'sync' | 'journal' | 'copy' | 'loop';

export interface Io {
  id: number;
  traced: boolean;
  /**
   * Pairs in COPY over the bytes this write changed whose copy had already sent those tracks, with the tracks: the
   * write is replicated to them as in PAIR when its flow reaches their primary (at once, or after a relay's hand-down).
   */
  copyForward?: Map<PairRt, number[]>;
}

export interface Arrival {
  systemId: string;
  portId: string;
  volumeId: string;
  offset: number;
  length: number;
  data: Payload | null;
  io: Io;
  source: Source;
  /** When the data may leave for a pair's secondary, if later than now (a hand-down's MSG through shared memory). */
  readyUs?: number;
  /** For updates of a pair (sync forward, copy, journal record): false once the pair moved on, so the bytes must not land any more. */
  wanted?: Wanted;
  /** Sync pairs of this volume in COPY -> the tracks of this write already in sync (copied, or never to copy): forwarded. */
  copyForward?: Map<PairRt, number[]>;
  /** A hand-down's arrival (FIG. 1's loop): its entry, which says which pairs it still serves (handDownServes). */
  handDown?: HandDown;
}

/**
 * An Arrival with every field present, in one order: arrivals are read on every hop of every write, and objects of
 * one shape keep those reads monomorphic (literals with optional fields left out, and a spread copy, made several).
 */
export function newArrival(systemId: string, portId: string, volumeId: string, offset: number, length: number, data: Payload | null, io: Io, source: Source, readyUs?: number, wanted?: Wanted, copyForward?: Map<PairRt, number[]>, handDown?: HandDown): Arrival {
  return { systemId, portId, volumeId, offset, length, data, io, source, readyUs, wanted, copyForward, handDown };
}

/** A cache slot held by a write on its way down the stack, released when the data is destaged or handed to the next cache. */
export interface SlotHold {
  cache: CacheRt;
  volumeId: string;
  track: number;
  version: number;
}
