// Cables at run time: one-way delay, serialisation, FIFO per direction, round trips per write, cut epochs, and FIG. 13's switch groups.
import type { Cable } from '../../app/model/schema';
import { defineEvent, type Scheduler } from './sim';
import type { EngineState, SentTo } from './state';
import { PROTOCOL_OVERHEAD } from '../../app/model/paths';

/** One-way propagation in fibre, microseconds per km (light at ~204,000 km/s). */
export const US_PER_KM = 5;
/** A message between two ports of one system through shared memory. */
export const MSG_US = 5;
/** Time a changeover switch (FIG. 13) needs to connect the other cable. */
export const SWITCH_US = 100;

export class LinkDownError extends Error {
  constructor(readonly cableId: string) {
    super(`cable ${cableId} is down`);
    this.name = 'LinkDownError';
  }
}

/** An exchange waiting for its cable to get the switch: what to send, and whom to tell when it arrives. */
interface SwitchWaiter {
  fromPortId: string;
  bytes: number;
  roundTrips: number;
  then: SentTo;
}

/** The port of a switch group is free: the switch turns (see SwitchGroupRt.nextTurn). */
const SWITCH_TURN = defineEvent<EngineState, SwitchGroupRt>('switch-turn', (core, group) => group.nextTurn(core));

/**
 * A switch group (FIG. 13): the cables in it connect one at a time. The switch is work-conserving: the connected
 * cable keeps serving its exchanges while no other cable has any waiting; once another cable has work, new exchanges
 * wait too, and when the port's last answer is back the switch turns to the next cable with work (in cable order
 * after the connected one) and serves everything waiting for it in one turn. So a waiting exchange always joins its
 * cable's next turn, never a later one: a journal record that asks after the next writes did rides the async turn
 * that follows the sync turn under way, instead of booking behind a sync turn booked ahead of it.
 */
export class SwitchGroupRt {
  activeCableId: string | undefined = undefined;
  /** When the connected cable's last exchange (data and its answer) is over. */
  freeAtUs = 0;
  /** When the active cable is (or will be) connected. */
  connectedAtUs = 0;
  switches = 0;
  /** The group's cables, in the order the switch turns to them. */
  readonly links: LinkRt[] = [];
  /** Exchanges waiting for a turn, over all cables of the group. */
  waiting = 0;
  /** A turn change is scheduled at freeAtUs. */
  private turnPending = false;

  constructor(readonly name: string) {}

  /** Queues an exchange on `link` for its cable's next turn. */
  enqueue(sched: Scheduler, link: LinkRt, waiter: SwitchWaiter): void {
    link.switchWaiters.push(waiter);
    this.waiting++;
    if (!this.turnPending) {
      this.turnPending = true;
      sched.post(this.freeAtUs, SWITCH_TURN, this);
    }
  }

  /** The port is free: connect the next cable with work and send everything waiting for it. */
  nextTurn(core: EngineState): void {
    // Nothing extends a turn while exchanges wait (send queues them all), so the port is free exactly now.
    const now = this.freeAtUs;
    this.turnPending = false;
    const from = this.links.findIndex((l) => l.id === this.activeCableId);
    let next: LinkRt | undefined;
    for (let i = 1; i <= this.links.length && !next; i++) {
      const l = this.links[(from + i + this.links.length) % this.links.length]!;
      if (l.switchWaiters.length > 0) next = l;
    }
    if (!next) return;
    if (next.id !== this.activeCableId) {
      this.connectedAtUs = now + SWITCH_US;
      this.activeCableId = next.id;
      this.switches++;
    }
    const batch = next.switchWaiters.splice(0);
    this.waiting -= batch.length;
    for (const w of batch) w.then.sent(core, next.transmit(now, w.fromPortId, w.bytes, w.roundTrips));
    if (this.waiting > 0) {
      this.turnPending = true;
      core.sched.post(this.freeAtUs, SWITCH_TURN, this);
    }
  }
}

/** A cable at run time: full duplex, one FIFO serialisation queue per direction. */
export class LinkRt {
  readonly id: string;
  /** Mutable: a cable edited during a run applies from the next transfer booked (live-edit.ts). */
  oneWayUs: number;
  bitsPerUs: number;
  readonly roundTrips: 1 | 2;
  up = true;
  /** Bumped on every cut: a transfer sent in an older epoch never arrives. */
  epoch = 0;
  /** Virtual time of the cut that ended each epoch (index = the epoch it ended). */
  private readonly cutTimes: number[] = [];
  readonly busyUntilUs: [number, number] = [0, 0];
  /**
   * When the last transfer booked in each direction arrives: a later one never arrives before it. Only a live edit that
   * shortens the cable could make it (a copied track on the wire overtaken by a newer update of that track, which the
   * copy's older bytes then overwrote: PAIR over different copies, prop-long --edits).
   */
  readonly lastArriveUs: [number, number] = [0, 0];
  readonly busyUs: [number, number] = [0, 0];
  bytes = 0;
  inFlight = 0;
  switchGroup: SwitchGroupRt | undefined;
  /** Exchanges waiting for this cable's next turn of the switch (FIG. 13). */
  readonly switchWaiters: SwitchWaiter[] = [];

  constructor(readonly cable: Cable) {
    this.id = cable.id;
    this.oneWayUs = cable.distanceKm * US_PER_KM;
    this.bitsPerUs = cable.bandwidthMbps;
    this.roundTrips = cable.roundTripsPerWrite;
  }

  /** The port at the other end. */
  otherEnd(portId: string): string {
    return portId === this.cable.aPortId ? this.cable.bPortId : this.cable.aPortId;
  }

  /** Data bytes on the wire with the protocol overhead (the planner's constant: one model, one overhead). */
  serialisationUs(bytes: number): number {
    return (bytes * 8 * PROTOCOL_OVERHEAD) / this.bitsPerUs;
  }

  /**
   * Schedules a write of `bytes` sent from `fromPortId` at `nowUs`. Returns when the data has fully arrived
   * at the far end; the answer takes one more one-way delay. Plain SCSI (2 round trips) first exchanges the
   * command and transfer-ready, then streams the data; the serialisation waits behind earlier data (FIFO).
   * Books at once: flows go through `send`, which holds an exchange on a switched cable until the cable's turn.
   */
  transmit(nowUs: number, fromPortId: string, bytes: number, roundTrips: number = this.roundTrips): number {
    const dir = fromPortId === this.cable.aPortId ? 0 : 1;
    // A write's exchange has `roundTrips`; a read's command and its data each pass with 1 (no transfer-ready).
    const handshakeUs = (2 * roundTrips - 2) * this.oneWayUs;
    let ready = nowUs + handshakeUs;
    const group = this.switchGroup;
    if (group && group.activeCableId !== this.id) {
      // The other cable's exchanges finish first; the command handshake only starts once this cable is connected.
      group.connectedAtUs = Math.max(nowUs, group.freeAtUs) + SWITCH_US;
      ready = group.connectedAtUs + handshakeUs;
      group.activeCableId = this.id;
      group.switches++;
    } else if (group) {
      // Same cable, but it may not be connected yet (a switch to it is pending).
      ready = Math.max(ready, group.connectedAtUs + handshakeUs);
    }
    const ser = this.serialisationUs(bytes);
    const start = Math.max(ready, this.busyUntilUs[dir]);
    this.busyUntilUs[dir] = start + ser;
    this.busyUs[dir] += ser;
    this.bytes += bytes;
    const arrive = Math.max(start + ser + this.oneWayUs, this.lastArriveUs[dir]);
    this.lastArriveUs[dir] = arrive;
    if (group) group.freeAtUs = Math.max(group.freeAtUs, arrive + this.oneWayUs);
    return arrive;
  }

  /**
   * Sends a write (or a read's leg) over this cable and calls `then` with its arrival time: at once on a plain cable,
   * and behind a changeover switch when the switch gives this cable its turn (see SwitchGroupRt).
   */
  send(core: EngineState, nowUs: number, fromPortId: string, bytes: number, then: SentTo, roundTrips: number = this.roundTrips): void {
    const group = this.switchGroup;
    if (group) {
      const rides = group.activeCableId === this.id && group.waiting === 0;
      const idle = group.waiting === 0 && group.freeAtUs <= nowUs;
      if (!rides && !idle) return group.enqueue(core.sched, this, { fromPortId, bytes, roundTrips, then });
    }
    then.sent(core, this.transmit(nowUs, fromPortId, bytes, roundTrips));
  }

  /** Cuts the cable: transfers of the current epoch that have not arrived yet never will. */
  cut(nowUs: number): void {
    this.up = false;
    this.cutTimes[this.epoch] = nowUs;
    this.epoch++;
  }

  /** Whether a transfer sent in `epoch` and due at `arriveUs` was lost to a cut before it arrived. */
  lostBefore(epoch: number, arriveUs: number): boolean {
    return this.epoch !== epoch && this.cutTimes[epoch]! < arriveUs;
  }

  /** Serialisations queued behind the current one, by direction, as a rough depth. */
  queueDepth(nowUs: number): number {
    return Math.max(0, this.inFlight - (Math.max(this.busyUntilUs[0], this.busyUntilUs[1]) > nowUs ? 1 : 0));
  }
}
