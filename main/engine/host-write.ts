// Host writes: issued over a cable to the LU's target port, and the host's answer (with the sync answers riding on it),
// latency and counts. What the target system does with the write is write.ts.
import type { Payload } from './data/payload';
import type { EngineState, HostRt } from './state';
import type { CommandResult } from '../../app/engine/api';
import type { LinkRt } from './runtime';
import { defineEvent } from './sim';
import { fmtUs, newArrival, type Arrival, type Io, type PendingAnswer, type Sender, type SentTo } from './state';
import { arrive, deliver, type Arriving } from './write';

/** Whether a workload write is traced: all of them with traceWorkloadWrites, else one per host per sampling interval. */
export function traceWorkload(core: EngineState, hostId: string): boolean | 'sampled' {
  if (core.traceWorkloadWrites) return true;
  if (core.sampleEveryUs <= 0) return false;
  const last = core.lastSampleUs.get(hostId);
  if (last !== undefined && core.nowUs - last < core.sampleEveryUs) return false;
  core.lastSampleUs.set(hostId, core.nowUs);
  return 'sampled';
}

/** A host write issued over its cable to the LU's port: undefined when issued, else the refusal (workloads call this per write). */
export function issueWrite(core: EngineState, hostId: string, luId: string, offset: number, data: Payload, tracing: boolean | 'sampled', done?: (ok: boolean, reason?: string) => void): CommandResult | undefined {
  const traced = tracing !== false;
  const h = core.hosts.get(hostId);
  const lu = core.stack.lus.get(luId);
  if (!h) return { ok: false, reason: `no host ${hostId}` };
  if (!lu) return { ok: false, reason: `no LU ${luId}` };
  if (offset + data.length > lu.sizeBytes) return { ok: false, reason: `write ${offset}+${data.length} runs past the end of ${luId} (${lu.sizeBytes} bytes)` };
  const cables = core.cablesToLu(hostId, luId);
  let cable = cables[0];
  for (const l of cables) {
    if (!l.up) continue;
    cable = l;
    break;
  }
  if (!cable) return { ok: false, reason: `host ${hostId} has no cable to port ${lu.portId} of ${luId}` };
  const link = cable;
  const hostPort = link.otherEnd(lu.portId);
  const io: Io = { id: tracing === 'sampled' ? -core.nextIoId++ : core.nextIoId++, traced, copyForward: undefined };
  h.outstanding++;
  core.activeFlows++;
  const systemId = core.wiring.ownerOf(lu.portId);
  const arrival = newArrival(systemId, lu.portId, lu.volumeId, lu.startBytes + offset, data.length, data, io, 'host');
  const w = new HostWrite(h, link, arrival, luId, core.nowUs, done);
  if (h.failed || !link.up) {
    core.sched.post(core.nowUs, HOST_WRITE_REFUSED, { w, reason: h.failed ? `host ${hostId} is down` : `cable ${link.id} is cut` });
    return undefined;
  }
  if (io.traced) core.step('host-write', hostPort, `the host sends a ${data.length}-byte write for ${luId} over ${link.id}`, io, [link.id, luId]);
  w.epoch = link.epoch;
  link.inFlight++;
  link.send(core, core.nowUs, hostPort, data.length, w);
  return undefined;
}

/** A host write from its issue to the host's answer: the host, the cable it took (and its epoch), what arrives, who else waits. */
class HostWrite implements Sender, SentTo, Arriving {
  epoch = 0;
  arriveUs = 0;
  /** The target system's answer, on its way to the host (HOST_ANSWER). */
  ok = false;
  reason: string | undefined = undefined;
  pending: PendingAnswer[] | undefined = undefined;

  constructor(
    readonly h: HostRt,
    readonly link: LinkRt,
    readonly arrival: Arrival,
    readonly luId: string,
    readonly startUs: number,
    readonly done: ((ok: boolean, reason?: string) => void) | undefined,
  ) {}

  sent(core: EngineState, arriveUs: number): void {
    this.arriveUs = arriveUs;
    deliver(core, arriveUs, this.arrival, this);
  }

  arrived(core: EngineState): void {
    arrive(core, this.link, this.epoch, this.arriveUs, this.arrival, this, this.luId);
  }

  landed(): void {
    this.link.inFlight--;
  }

  lost(core: EngineState): void {
    this.finish(core, false, `cable ${this.link.id} was cut`);
  }

  /** The target system answered; the answer (and any sync answers riding with it) reaches the host one hop later. */
  answer(core: EngineState, ok: boolean, reason?: string, pending?: PendingAnswer[]): void {
    let at = core.nowUs;
    if (pending) for (const x of pending) at = Math.max(at, x.atUs);
    // Answered once: the write itself carries the answer to the host (no record of its own).
    this.ok = ok;
    this.reason = reason;
    this.pending = pending;
    core.sched.post(at + this.link.oneWayUs, HOST_ANSWER, this);
  }

  finish(core: EngineState, ok: boolean, reason?: string): void {
    const h = this.h;
    const io = this.arrival.io;
    h.outstanding--;
    core.activeFlows--;
    if (ok) {
      h.writesAcked++;
      h.bytesAcked += this.arrival.length;
      h.latency.record(core.nowUs - this.startUs);
      if (io.traced) core.step('host-ack', h.host.id, `the host gets the write completion after ${fmtUs(core.nowUs - this.startUs)}`, io);
    } else {
      h.writesFailed++;
      if (io.traced) core.step('host-error', h.host.id, `the write failed: ${reason ?? 'unknown'}`, io);
    }
    this.done?.(ok, reason);
  }
}

const HOST_WRITE_REFUSED = defineEvent<EngineState, { w: HostWrite; reason: string }>('host-write-refused', (core, { w, reason }) => w.finish(core, false, reason));

/** The host's answer arrives (with the sync answers that rode along: a cut before they were back fails the write). */
const HOST_ANSWER = defineEvent<EngineState, HostWrite>('host-answer', (core, w) => {
  let { ok, reason } = w;
  if (w.pending) {
    for (const x of w.pending) {
      const lost = x.lost(core);
      if (lost !== undefined && ok) {
        ok = false;
        reason = lost;
      }
    }
  }
  // The reason text only when the write failed (it used to be built for every acknowledged write).
  if (ok && w.link.epoch === w.epoch) w.finish(core, true);
  else w.finish(core, false, ok ? `cable ${w.link.id} was cut` : reason);
});
