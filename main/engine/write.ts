// Host writes and what a system does with a write arriving at a target port: T3, cache store (back-pressure), the bytes applied, its pairs served (sync forward with fence levels, async journal, bitmaps).
import { retryOnPath, waitForPath } from './path-groups';
import type { Payload } from './data/payload';
import type { EngineState } from './state';
import type { CommandResult } from '../../app/engine/api';
import { handDown, servePairBelow } from './handdown';
import { journalAppend, recordDelta } from './journal';
import { suspend } from './pair-states';
import type { PairRt } from './pairs';
import { MAX_CACHE_WAITERS, type CacheRt, type LinkRt } from './runtime';
import { EngineInvariantError } from './sim';
import { fmtUs, part, type Answer, type Arrival, type Io, type PendingAnswer, type SlotHold } from './state';

/** hostWrite without building its result: undefined when issued, else the refusal (workloads call this per write). */
/** Whether a workload write is traced: all of them with traceWorkloadWrites, else one per host per sampling interval. */
export function traceWorkload(core: EngineState, hostId: string): boolean | 'sampled' {
  if (core.traceWorkloadWrites) return true;
  if (core.sampleEveryUs <= 0) return false;
  const last = core.lastSampleUs.get(hostId);
  if (last !== undefined && core.nowUs - last < core.sampleEveryUs) return false;
  core.lastSampleUs.set(hostId, core.nowUs);
  return 'sampled';
}

export function issueWrite(core: EngineState, hostId: string, luId: string, offset: number, data: Payload, tracing: boolean | 'sampled', done?: (ok: boolean, reason?: string) => void): CommandResult | undefined {
  const traced = tracing !== false;
  const h = core.hosts.get(hostId);
  const lu = core.stack.lus.get(luId);
  if (!h) return { ok: false, reason: `no host ${hostId}` };
  if (!lu) return { ok: false, reason: `no LU ${luId}` };
  if (offset + data.length > lu.sizeBytes) return { ok: false, reason: `write ${offset}+${data.length} runs past the end of ${luId} (${lu.sizeBytes} bytes)` };
  const cables = core.cablesToLu(hostId, luId);
  const cable = cables.find((l) => l.up) ?? cables[0];
  if (!cable) return { ok: false, reason: `host ${hostId} has no cable to port ${lu.portId} of ${luId}` };
  const link = cable;
  const hostPort = link.otherEnd(lu.portId);
  const io: Io = { id: tracing === 'sampled' ? -core.nextIoId++ : core.nextIoId++, traced };
  const startUs = core.nowUs;
  h.outstanding++;
  core.activeFlows++;
  const finish = (ok: boolean, reason?: string): void => {
    h.outstanding--;
    core.activeFlows--;
    if (ok) {
      h.writesAcked++;
      h.bytesAcked += data.length;
      h.latency.record(core.nowUs - startUs);
      if (io.traced) core.step('host-ack', hostId, `the host gets the write completion after ${fmtUs(core.nowUs - startUs)}`, io);
    } else {
      h.writesFailed++;
      if (io.traced) core.step('host-error', hostId, `the write failed: ${reason ?? 'unknown'}`, io);
    }
    done?.(ok, reason);
  };
  if (h.failed || !link.up) {
    core.sched.after(0, () => finish(false, h.failed ? `host ${hostId} is down` : `cable ${link.id} is cut`));
    return undefined;
  }
  if (io.traced) core.step('host-write', hostPort, `the host sends a ${data.length}-byte write for ${luId} over ${link.id}`, io, [link.id, luId]);
  const epoch = link.epoch;
  link.inFlight++;
  const systemId = core.wiring.ownerOf(lu.portId);
  const arrival: Arrival = { systemId, portId: lu.portId, volumeId: lu.volumeId, offset: lu.startBytes + offset, length: data.length, data, io, source: 'host' };
  link.send(core.sched, core.nowUs, hostPort, data.length, (arrive) =>
    deliver(
      core,
      link,
      epoch,
      arrive,
      arrival,
      () => void link.inFlight--,
      () => finish(false, `cable ${link.id} was cut`),
      (ok, reason, pending) => {
        let at = core.nowUs;
        if (pending) for (const x of pending) at = Math.max(at, x.atUs);
        core.sched.at(at + link.oneWayUs, () => {
          if (pending) {
            for (const x of pending) {
              const lost = x.lost();
              if (lost !== undefined && ok) {
                ok = false;
                reason = lost;
              }
            }
          }
          // The reason text only when the write failed (it used to be built for every acknowledged write).
          if (ok && link.epoch === epoch) finish(true);
          else finish(false, ok ? `cable ${link.id} was cut` : reason);
        });
      },
      luId,
    ),
  );
  return undefined;
}

/**
 * A write command arriving at a target port: LU -> V (T3), data stored in the volume's cache, pairs of the
 * volume served, then the data handed down the mapping stack. `ack` is called when the sender may be answered.
 * (For an arrival over a cable, `deliver` does the same in one event.)
 */
export function receive(core: EngineState, a: Arrival, ack: Answer, luId?: string): void {
  const sys = core.wiring.systems.get(a.systemId);
  if (!sys || !arrivalSteps(core, a, ack, luId)) return;
  core.activeFlows++;
  core.sched.after(sys.chaProcessingUs, () => {
    core.activeFlows--;
    processArrival(core, a, ack);
  });
}

/**
 * A write command sent over `link` (in `epoch`) that arrives at `arriveUs`: its arrival and the CHA's processing are
 * one event, at arriveUs + the CHA time. `landed` runs first (the sender's accounting; false: the sender no longer
 * wants it, nothing more happens); `lost` if a cut took it
 * before it arrived; a cut after it arrived does not stop it (as when arrival was an event of its own).
 */
export function deliver(core: EngineState, link: LinkRt, epoch: number, arriveUs: number, a: Arrival, landed: () => boolean | void, lost: () => void, ack: Answer, luId?: string): void {
  const sys = core.wiring.systems.get(a.systemId);
  core.sched.at(arriveUs + (sys ? sys.chaProcessingUs : 0), () => {
    if (landed() === false) return;
    if (link.lostBefore(epoch, arriveUs)) return lost();
    if (!sys || !arrivalSteps(core, a, ack, luId)) return;
    processArrival(core, a, ack);
  });
}

/** `receive` for a command whose CHA time has already passed (a journal record scheduled at arrival + CHA). */
export function receiveProcessed(core: EngineState, a: Arrival, ack: Answer): void {
  if (!core.wiring.systems.get(a.systemId) || !arrivalSteps(core, a, ack)) return;
  processArrival(core, a, ack);
}

/** The receiving port's steps (T3); false when its system is down (the sender is answered). */
function arrivalSteps(core: EngineState, a: Arrival, ack: Answer, luId?: string): boolean {
  if (!core.systemUp(a.systemId)) {
    ack(false, `system ${a.systemId} is down`);
    return false;
  }
  if (!a.io.traced) return true;
  if (a.source === 'loop') {
    core.step('S31', a.portId, `${a.portId} receives the write command from the loop`, a.io);
  } else if (a.source === 'journal') {
    // The remote's receipt is not S11-S14 again: the patent only says TP31 writes V22 ("not shown in the figures").
    core.step('remote-receive', a.portId, `${a.portId} receives journal record for ${a.volumeId} (the remote writes the secondary; not a numbered step of the patent)`, a.io, [a.volumeId]);
  } else if (a.source === 'sync' || a.source === 'copy') {
    core.step('S11', a.portId, `${a.portId} receives the write command`, a.io);
    core.step('S12', a.portId, `${a.portId} converts LU# to V# (${a.volumeId}) with table T3`, a.io, [a.volumeId]);
  } else {
    core.step('receive', a.portId, `${a.portId} receives the write command${luId ? ` for ${luId}` : ''}`, a.io);
    core.step('T3', a.portId, `${a.portId} converts ${luId ?? 'the LU'} to volume ${a.volumeId} with table T3`, a.io, [a.volumeId]);
  }
  return true;
}

/** After the CHA's processing time: the data stored in the volume's cache (S13/S14), its pairs served, the hand-down started. */
function processArrival(core: EngineState, a: Arrival, ack: Answer): void {
  const relayNames = a.source === 'sync' || a.source === 'copy';
  if (!core.systemUp(a.systemId)) return ack(false, `system ${a.systemId} is down`);
  const refusal = a.source === 'host' ? hostWriteRefusal(core, a.volumeId) : undefined;
  if (refusal) return ack(false, refusal);
  if (a.io.traced && a.source === 'loop') core.step('S32', a.portId, `${a.portId} receives the data as ${a.volumeId}`, a.io);
  else if (a.io.traced && relayNames) core.step('S13', a.portId, `${a.portId} receives the data as ${a.volumeId}`, a.io);
  const cache = core.cacheOfVolume.get(a.volumeId);
  const shared = cache !== undefined && cache.volumeIds.size > 1;
  const storeStep = a.source === 'loop' ? 'S33' : relayNames ? (shared ? 'S14a' : 'S14') : a.source === 'journal' ? 'remote-store' : 'cache';
  storeInCache(core, cache, a.volumeId, a.offset, a.length, (holds) => {
    if (!core.systemUp(a.systemId)) return ack(false, `system ${a.systemId} is down`);
    if (a.stillWanted && !a.stillWanted()) {
      // The pair was split, suspended or reversed while this waited for a slot: its target is no longer ours to write.
      core.release(holds);
      return ack(false, 'the pair changed state before the update was stored');
    }
    if (cache && a.io.traced) {
      const text =
        storeStep === 'S14a'
          ? `${a.portId} writes the data straight into the shared cache ${cache.id}`
          : `${a.portId} stores the data in cache ${cache.id}`;
      core.step(storeStep, cache.id, text, a.io, [a.volumeId]);
    }
    if (a.source !== 'loop') {
      // Before the bytes change (which marks copying pairs' bitmaps): which copying sync pairs already hold these tracks.
      a.copyForward = copyingPairsInSync(core, a.volumeId, a.offset, a.length, a.source === 'host' || a.source === 'sync');
      if (a.copyForward) for (const [q, tracks] of a.copyForward) (a.io.copyForward ??= new Map()).set(q, tracks);
      applyData(core, a.volumeId, a.offset, a.length, a.data, a.copyForward);
      if (core.standbyPairs.length) recordDelta(core, a.volumeId, a.offset, a.length, a.data, a.io.id);
    }
    const secondaryPair = core.pairWithSecondary(a.volumeId);
    if (secondaryPair && a.source === 'host') secondaryPair.markTracks(secondaryPair.secondaryBitmap, a.offset, a.length);
    // Pairs of this very volume: a sync primary answers only when its secondary holds the data.
    let waiting = 1;
    let failure: string | undefined;
    let pending: PendingAnswer[] | undefined;
    const one: Answer = (ok, reason, answers) => {
      if (!ok) failure ??= reason;
      if (answers) (pending ??= []).push(...answers);
      if (--waiting > 0) return;
      if (!pending) return ack(failure === undefined, failure);
      // A host's answer carries the sync answers still on their way (one event for both); anyone else waits for them.
      if (a.source === 'host') return ack(failure === undefined, failure, pending);
      const answersDue = pending;
      let at = core.nowUs;
      for (const x of answersDue) at = Math.max(at, x.atUs);
      core.activeFlows++;
      core.sched.at(at, () => {
        core.activeFlows--;
        for (const x of answersDue) {
          const lost = x.lost();
          if (lost !== undefined) failure ??= lost;
        }
        ack(failure === undefined, failure);
      });
    };
    if (a.source === 'loop') {
      if (a.io.traced) {
        // The port names are only needed for the step texts: untraced writes skip the lookup.
        core.step('S34', a.portId, `${a.portId} converts LU# to V# (${a.volumeId}) with table T3`, a.io);
        const ip = core.initiatorFor(a.volumeId, a.systemId) ?? 'the initiator port';
        core.step('S35', a.portId, `${a.portId} issues a message to ${ip}`, a.io);
      }
      // Below the relay's receiving volume nobody waits: the sync leg was answered at S14.
      for (const p of core.pairsWithPrimary(a.volumeId)) servePairBelow(core, p, a.volumeId, a.offset, a.length, a.data, a.io, 'S44');
    } else {
      for (const p of core.pairsWithPrimary(a.volumeId)) {
        waiting++;
        servePair(core, p, a, 'S1', one);
      }
    }
    one(true);
    handDown(core, a.systemId, a.volumeId, a.offset, a.length, a.data, a.io, holds, a.source !== 'loop');
  });
}

/**
 * Pairs of the volume in COPY whose bitmap is clear for some track of the range (the copy has sent it, or needs not),
 * with those tracks: the write to those tracks is replicated as in PAIR (sync: forwarded; async: journaled, the
 * "update journal" beside the base copy in Universal Replicator), so the copy never has to send them again.
 */
export function copyingPairsInSync(core: EngineState, volumeId: string, offset: number, length: number, overShared: boolean): Map<PairRt, number[]> | undefined {
  let out: Map<PairRt, number[]> | undefined;
  const copying = core.pairList.filter((p) => p.state === 'COPY' && (overShared || p.primaryId === volumeId));
  if (copying.length === 0) return undefined;
  // The volume written and every volume over the same bytes (a relay's V21 over V12's real volume: its pair is served
  // when the hand-down reaches it).
  for (const piece of core.stack.pieces(volumeId, offset, length)) {
    for (const over of core.stack.volumesOver(piece.storeId, piece.storeOffset, piece.length)) {
      for (const p of copying) {
        if (p.primaryId !== over.volumeId || out?.has(p)) continue;
        const first = Math.floor(over.offset / p.trackBytes);
        const last = Math.floor((over.offset + over.length - 1) / p.trackBytes);
        const clear: number[] = [];
        for (let t = first; t <= last; t++) if (!p.primaryBitmap.has(t)) clear.push(t);
        if (clear.length) (out ??= new Map()).set(p, clear);
      }
    }
  }
  return out;
}

/** Why a host may not write this volume now (it is the protected secondary of a pair), or undefined. */
export function hostWriteRefusal(core: EngineState, volumeId: string): string | undefined {
  for (const q of core.pairsWithPrimary(volumeId)) if (q.fenced) return fencedRefusal(q);
  const p = core.pairWithSecondary(volumeId);
  if (!p) return undefined;
  const writes = p.rules.secondaryWrites;
  if (writes === 'accepted' || (writes === 'if-split-read-write' && p.secondaryWritable)) return undefined;
  return `${volumeId} is the secondary of pair ${p.id} (${p.state}) and is write-protected`;
}

function fencedRefusal(p: PairRt): string {
  return `${p.primaryId} is fenced: pair ${p.id} (fence level ${p.cfg.fence}) is ${p.state}; lift the fence or resync`;
}

export function applyData(core: EngineState, volumeId: string, offset: number, length: number, data: Payload | null, replicatedLater?: Map<PairRt, number[]>): void {
  const pieces = core.stack.pieces(volumeId, offset, length);
  // Payloads are immutable once handed to hostWrite (and copies read fresh buffers): every store of the cascade
  // keeps the same chunks by reference (the same as stack.writeImmutable, without computing the pieces twice).
  for (const piece of pieces) {
    if (data) piece.store.writeImmutable(piece.storeOffset, part(data, piece.dataOffset, piece.length));
    else piece.store.zeroRange(piece.storeOffset, piece.length);
  }
  if (!anyPairRecording(core)) return;
  for (const piece of pieces) recordSharedChange(core, piece.storeId, piece.storeOffset, piece.length, replicatedLater);
}

/**
 * Bitmaps follow the bytes: the moment bytes change, every pair with a side over them that is recording changes
 * marks them, in that side's own addresses. The flows mark too when they reach a volume, but in a cascade that can
 * be later than the bytes changed (the loop hand-down to V21 trails the store at S14), and by then the pair may have
 * been reversed (swap-resync) and would miss the change. Replicating pairs are left to their flows.
 */
/** Whether some pair is in a state that records changes in a bitmap (else recordSharedChange has nothing to do). */
export function anyPairRecording(core: EngineState): boolean {
  for (const q of core.pairList) {
    if (q.rules.recordsOnPrimary) return true;
  }
  return false;
}

export function recordSharedChange(core: EngineState, storeId: string, storeOffset: number, length: number, replicatedLater?: Map<PairRt, number[]>): void {
  for (const over of core.stack.volumesOver(storeId, storeOffset, length)) {
    for (const q of core.pairList) {
      if (q.primaryId === over.volumeId) {
        if (!q.rules.recordsOnPrimary) continue;
        // Tracks a copying pair already sent: the write's own flow replicates them (servePair), no bit to set.
        const skip = replicatedLater?.get(q);
        if (!skip) q.markTracks(q.primaryBitmap, over.offset, over.length);
        else {
          const first = Math.floor(over.offset / q.trackBytes);
          const last = Math.floor((over.offset + over.length - 1) / q.trackBytes);
          for (let t = first; t <= last; t++) if (!skip.includes(t)) q.primaryBitmap.set(t);
        }
      } else if (q.secondaryId === over.volumeId) {
        if (q.rules.recordsOnSecondary) q.markTracks(q.secondaryBitmap, over.offset, over.length);
      }
    }
  }
}

/** Takes (or waits for) a dirty slot for every track of the range; back-pressure when the cache is full of dirty data. */
/** Writers wait for a slot: an event at the next booked destage's completion wakes them, one per free slot. */
export function scheduleWake(core: EngineState, cache: CacheRt): void {
  if (cache.waiters.length === 0) return;
  const t = cache.nextCleaningUs();
  if (t === undefined || (cache.wakeAtUs !== undefined && cache.wakeAtUs <= t)) return;
  cache.wakeAtUs = t;
  core.sched.at(Math.max(t, core.nowUs), () => {
    if (cache.wakeAtUs === t) cache.wakeAtUs = undefined;
    cache.applyDue(core.nowUs);
    while (cache.waiters.length > 0 && cache.hasFree()) cache.waiters.shift()!();
    scheduleWake(core, cache);
  });
}

export function storeInCache(core: EngineState, cache: CacheRt | undefined, volumeId: string, offset: number, length: number, then: (holds: SlotHold[]) => void): void {
  if (!cache) return then([]);
  const first = Math.floor(offset / cache.trackBytes);
  const last = Math.floor((offset + length - 1) / cache.trackBytes);
  if (first === last) {
    // One track with a slot to spare (the common case): no retry closure needed.
    const version = cache.store(volumeId, first, core.nowUs);
    if (version >= 0) return then([{ cache, volumeId, track: first, version }]);
  }
  const holds: SlotHold[] = [];
  const tryStore = (track: number): void => {
    for (let t = track; t <= last; t++) {
      const version = cache.store(volumeId, t, core.nowUs);
      if (version < 0) {
        if (cache.waiters.length >= MAX_CACHE_WAITERS) throw new EngineInvariantError(cache.id, `more than ${MAX_CACHE_WAITERS} writes waiting for a free slot`);
        core.activeFlows++;
        cache.waiters.push(() => {
          core.activeFlows--;
          tryStore(t);
        });
        scheduleWake(core, cache);
        return;
      }
      holds.push({ cache, volumeId, track: t, version });
    }
    then(holds);
  };
  tryStore(first);
}

/** Serves one pair whose primary was just written: forward (sync), journal (async) or record in the bitmap. */
export function servePair(core: EngineState, p: PairRt, a: Arrival, sendStep: string, done: Answer): void {
  const rules = p.rules;
  if (p.fenced) {
    // Fenced while this write waited in the system: it fails (its bytes may have reached the P-VOL: recorded for the resync).
    p.markTracks(p.primaryBitmap, a.offset, a.length);
    return done(false, fencedRefusal(p));
  }
  const inSync = p.state === 'COPY' ? (a.copyForward?.get(p) ?? a.io.copyForward?.get(p)) : undefined;
  a.io.copyForward?.delete(p);
  if (inSync) {
    // DOMAIN.md: during COPY a write to a track the copy has already sent (or never has to) is replicated like in PAIR
    // (sync: forwarded; async: journaled); the change did not mark those tracks (applyData), the update carries the data.
    if (p.mode === 'sync') return forwardSync(core, p, a, done);
    return journalAppend(core, p, a.offset, a.length, a.data, a.io, sendStep, () => done(true), a.readyUs);
  }
  if (rules.forwardsUpdates) {
    if (p.mode === 'sync') return forwardSync(core, p, a, done);
    return journalAppend(core, p, a.offset, a.length, a.data, a.io, sendStep, () => done(true), a.readyUs);
  } else if (rules.recordsOnPrimary) {
    // Recorded for the copy loop or the next resync.
    p.markTracks(p.primaryBitmap, a.offset, a.length);
  }
  done(true);
}

/** Sends a sync pair's update to the secondary and answers when the secondary's cache holds it (or it failed). */
export function forwardSync(core: EngineState, p: PairRt, a: Arrival, done: Answer): void {
  const route = p.route;
  // Where the update goes is fixed when it is sent: a reversal before it arrives must not redirect it.
  const secondaryId = p.secondaryId;
  const secSystem = core.volume(secondaryId).systemId;
  const gen = p.updateGen;
  const writtenUs = core.nowUs;
  /** The update did not make it: suspend (unless the pair moved on) and say what the host sees by the fence level. */
  const failure = (why: string): string | undefined => {
    if (p.updateGen !== gen) {
      // The pair moved on (takeover, reversal, new copy, delete) while this update was on its way; its track was
      // recorded when the pair stopped replicating. Nothing to suspend; the host is answered by the fence level.
      return p.cfg.fence === 'data' ? `pair ${p.id} (fence data) could not update ${secondaryId}: ${why}` : undefined;
    }
    p.markTracks(p.primaryBitmap, a.offset, a.length);
    suspend(core, p, 'PSUE', why, route && !route.link.up ? { kind: 'link', id: route.link.id } : { kind: 'system', id: secSystem });
    // The failed update itself is the first write the fence refuses (data; status when the S-VOL could not be marked).
    return p.fenced ? `pair ${p.id} (fence ${p.cfg.fence}) could not update ${p.secondaryId}: ${why}` : undefined;
  };
  const fail = (why: string): void => {
    const seen = failure(why);
    done(seen === undefined, seen);
  };
  if (!route) return fail('no cabled route from the primary to the secondary');
  // A path of its group was cut and the path timeout has not run out: the update waits, then takes the next path.
  if (!route.link.up && waitForPath(p, () => forwardSync(core, p, a, done))) return;
  if (!route.link.up) return fail(`cable ${route.link.id} is cut`);
  if (!core.systemUp(secSystem)) return fail(`system ${secSystem} is down`);
  if (a.io.traced) core.step('S1', route.fromPortId, `${route.fromPortId} sends the write to ${p.secondaryId} over ${route.link.id} (sync pair ${p.id})`, a.io, [route.link.id, p.id]);
  // Counted until answered: a split lets them land (they were sent first), but no copy may target those bytes meanwhile.
  p.syncInFlight++;
  const firstTrack = Math.floor(a.offset / p.trackBytes);
  const lastTrack = Math.floor((a.offset + a.length - 1) / p.trackBytes);
  for (let t = firstTrack; t <= lastTrack; t++) p.syncInFlightTracks.set(t, (p.syncInFlightTracks.get(t) ?? 0) + 1);
  const answered = done;
  const release = (): void => {
    p.syncInFlight--;
    for (let t = firstTrack; t <= lastTrack; t++) {
      const n = p.syncInFlightTracks.get(t)! - 1;
      if (n > 0) p.syncInFlightTracks.set(t, n);
      else p.syncInFlightTracks.delete(t);
    }
  };
  done = (ok, reason, pending) => {
    release();
    answered(ok, reason, pending);
  };
  const link = route.link;
  const epoch = link.epoch;
  link.inFlight++;
  core.activeFlows++;
  const stillWanted = (): boolean => p.updateGen === gen;
  const update: Arrival = { ...a, systemId: secSystem, portId: route.toPortId, volumeId: secondaryId, source: 'sync', stillWanted };
  const landed = (): void => {
    link.inFlight--;
    core.activeFlows--;
  };
  /** Lost on a cut cable: sent again on the next path once the path timeout runs out, or failed as before. */
  const lostOnPath = (): void => {
    if (p.updateGen === gen && retryOnPath(p, () => (release(), forwardSync(core, p, a, answered)))) return;
    fail(`cable ${link.id} was cut`);
  };
  const secondaryAnswered = (ok: boolean, reason?: string): void => {
    if (!ok) return fail(reason ?? 'the secondary refused the write');
    // The secondary's image now holds this write (for the cascade's end-to-end RPO).
    if (writtenUs > p.lastAppliedWrittenUs) p.lastAppliedWrittenUs = writtenUs;
    if (a.io.traced) core.step('ack', route.toPortId, `${route.toPortId} acknowledges: the secondary's cache holds the data`, a.io);
    // The answer's way back is no event of its own: it rides with the answer it is part of (the host's, usually).
    const atUs = core.nowUs + link.oneWayUs;
    done(true, undefined, [{ atUs, lost: () => (link.lostBefore(epoch, atUs) && !p.cfg.paths ? failure(`cable ${link.id} was cut before the answer came back`) : undefined) }]);
  };
  link.send(core.sched, Math.max(core.nowUs, a.readyUs ?? 0), route.fromPortId, a.length, (t) => deliver(core, link, epoch, t, update, landed, () => lostOnPath(), secondaryAnswered));
}
