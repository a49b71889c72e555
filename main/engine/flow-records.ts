// What flows are made of: a flow is a record (a class instance holding what a closure used to capture) and each of its steps a method; these are the interfaces senders, receivers and waiters implement.
import type { EngineState, SlotHold } from './state';

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

