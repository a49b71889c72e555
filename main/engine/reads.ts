// Host reads: the write's way in, a cache hit or a miss staged from the real volume below (internal disk time or over the external cable).
import type { EngineState } from './state';
import type { CommandResult } from '../../app/engine/api';
import type { Lu } from '../../app/model/schema';
import type { CacheRt, LinkRt } from './runtime';
import { defineEvent } from './sim';
import type { HostRt, SentTo } from './state';
import { realVolumeBelow } from './workload';

/**
 * Issues one host read now, through the same cable, target port and T3 as a write. A hit (every track of the range in
 * the volume's cache) costs CHA processing and the cable round trip with the data's serialisation; a miss first stages
 * the missing tracks from the real volume below (stageForRead) and keeps them in the cache as clean slots. Reads never
 * touch pairs, bitmaps or bytes.
 */
export function hostRead(core: EngineState, hostId: string, luId: string, offset: number, length: number, done?: (ok: boolean, reason?: string) => void): CommandResult {
  const h = core.hosts.get(hostId);
  const lu = core.stack.lus.get(luId);
  if (!h) return { ok: false, reason: `no host ${hostId}` };
  if (!lu) return { ok: false, reason: `no LU ${luId}` };
  if (length <= 0 || offset + length > lu.sizeBytes) return { ok: false, reason: `read ${offset}+${length} runs past the end of ${luId} (${lu.sizeBytes} bytes)` };
  const cables = core.cablesToLu(hostId, luId);
  const link = cables.find((l) => l.up) ?? cables[0];
  if (!link) return { ok: false, reason: `host ${hostId} has no cable to port ${lu.portId} of ${luId}` };
  h.outstanding++;
  core.activeFlows++;
  const r = new ReadFlow(h, lu, link, link.epoch, core.wiring.ownerOf(lu.portId), offset, length, core.nowUs, done);
  if (h.failed || !link.up) {
    r.why = h.failed ? `host ${hostId} is down` : `cable ${link.id} is cut`;
    core.sched.post(core.nowUs, READ_FAILED, r);
    return { ok: true, message: 'read issued' };
  }
  // A read is one exchange: the command out, the data back (no transfer-ready handshake as for a write).
  link.send(core, core.nowUs, link.otherEnd(lu.portId), 0, r, 1);
  return { ok: true, message: 'read issued' };
}

/** Where a read is: its command on the way in, the data on the way back, or its miss staging from the real volume. */
type ReadLeg = 'command' | 'data' | 'stage-command' | 'stage-data';

/** A host read from its issue to the host's answer (a record: the host, its cable and epoch, the range, the tracks it missed). */
class ReadFlow implements SentTo {
  leg: ReadLeg = 'command';
  why = '';
  missing: number[] = [];
  cache: CacheRt | undefined = undefined;
  /** A miss staged over an external cable: that cable, its epoch, and the real volume's description. */
  stage: { link: LinkRt; epoch: number; extSystemId: string; realId: string; extLuId: string; trackBytes: number } | undefined = undefined;

  constructor(
    readonly h: HostRt,
    readonly lu: Lu,
    readonly link: LinkRt,
    readonly epoch: number,
    readonly systemId: string,
    readonly offset: number,
    readonly length: number,
    readonly startUs: number,
    readonly done: ((ok: boolean, reason?: string) => void) | undefined,
  ) {}

  finish(core: EngineState, ok: boolean, reason?: string): void {
    const h = this.h;
    h.outstanding--;
    core.activeFlows--;
    if (ok) {
      h.reads.completed++;
      h.reads.bytes += this.length;
      h.reads.latency.record(core.nowUs - this.startUs);
    } else h.reads.failed++;
    this.done?.(ok, reason);
  }

  broken(core: EngineState): string | undefined {
    return this.link.epoch !== this.epoch ? `cable ${this.link.id} was cut` : !core.systemUp(this.systemId) ? `system ${this.systemId} is down` : undefined;
  }

  fail(core: EngineState, why: string): void {
    this.why = why;
    core.sched.post(core.nowUs + this.link.oneWayUs, READ_FAILED, this);
  }

  sent(core: EngineState, arriveUs: number): void {
    switch (this.leg) {
      case 'command':
        return core.sched.post(arriveUs, READ_AT_PORT, this);
      case 'data':
        return core.sched.post(arriveUs, READ_DONE, this);
      case 'stage-command': {
        const st = this.stage!;
        const ext = core.wiring.systems.get(st.extSystemId)!;
        return core.sched.post(arriveUs + ext.chaProcessingUs + ext.destageUsPerTrack * this.missing.length, STAGE_AT_EXTERNAL, this);
      }
      case 'stage-data':
        return core.sched.post(arriveUs, STAGE_BACK, this);
    }
  }

  /** After the CHA's processing: a hit answers at once; a miss stages the missing tracks first. */
  processed(core: EngineState): void {
    const lu = this.lu;
    const sys = core.wiring.systems.get(this.systemId)!;
    const volumeId = lu.volumeId;
    const at = lu.startBytes + this.offset;
    const cache = core.cacheOfVolume.get(volumeId);
    this.cache = cache;
    const track = cache?.trackBytes ?? sys.trackBytes;
    for (let t = Math.floor(at / track); t <= Math.floor((at + this.length - 1) / track); t++) if (!cache?.has(volumeId, t)) this.missing.push(t);
    if (this.missing.length === 0) {
      this.h.reads.hits++;
      return this.reply(core);
    }
    this.h.reads.misses++;
    stageForRead(core, this, volumeId, at, this.missing.length, track, cache);
  }

  /** The missing tracks are staged (or could not be). */
  staged(core: EngineState, failure?: string): void {
    const cache = this.cache;
    const volumeId = this.lu.volumeId;
    // Staged tracks stay as clean slots (evicted first when space is needed); a slot a write took meanwhile is left alone.
    if (!failure && cache) {
      for (const t of this.missing) {
        if (cache.has(volumeId, t)) continue;
        const version = cache.store(volumeId, t, core.nowUs);
        if (version >= 0 && cache.markClean(volumeId, t, version, core.nowUs)) core.wakeOne(cache);
      }
    }
    this.reply(core, failure);
  }

  reply(core: EngineState, failure?: string): void {
    const notSent = failure ?? this.broken(core);
    if (notSent) return this.fail(core, notSent);
    this.leg = 'data';
    this.link.send(core, core.nowUs, this.lu.portId, this.length, this, 1);
  }
}

const READ_FAILED = defineEvent<EngineState, ReadFlow>('read-failed', (core, r) => r.finish(core, false, r.why));
const READ_DONE = defineEvent<EngineState, ReadFlow>('read-done', (core, r) => r.finish(core, r.link.epoch === r.epoch, `cable ${r.link.id} was cut`));
const READ_PROCESSED = defineEvent<EngineState, ReadFlow>('read-processed', (core, r) => r.processed(core));
const READ_AT_PORT = defineEvent<EngineState, ReadFlow>('read-at-port', (core, r) => {
  const sys = core.wiring.systems.get(r.systemId);
  const why = r.broken(core) ?? (sys ? undefined : `no system ${r.systemId}`);
  if (why || !sys) return r.fail(core, why ?? r.systemId);
  core.sched.post(core.nowUs + sys.chaProcessingUs, READ_PROCESSED, r);
});
/** The tracks a miss needs were read from an internal real volume (disk time on the cache's lanes). */
const STAGE_INTERNAL_DONE = defineEvent<EngineState, { r: ReadFlow; realSystemId: string }>('stage-internal-done', (core, { r, realSystemId }) =>
  r.staged(core, core.systemUp(realSystemId) ? undefined : `system ${realSystemId} is down`),
);
const STAGE_AT_EXTERNAL = defineEvent<EngineState, ReadFlow>('stage-at-external', (core, r) => {
  const st = r.stage!;
  if (st.link.epoch !== st.epoch || !core.systemUp(st.extSystemId)) return r.staged(core, `external volume ${st.realId} became unreachable while staging`);
  r.leg = 'stage-data';
  const extLu = core.stack.lus.get(st.extLuId)!;
  st.link.send(core, core.nowUs, extLu.portId, r.missing.length * st.trackBytes, r, 1);
});
const STAGE_BACK = defineEvent<EngineState, ReadFlow>('stage-back', (core, r) => {
  const st = r.stage!;
  r.staged(core, st.link.epoch === st.epoch ? undefined : `cable ${st.link.id} was cut while staging`);
});

/**
 * Stages the tracks of a read miss from the real volume under `volumeId` at `offset`. Internal: the disk access time,
 * taken as the owning system's destageUsPerTrack per track and booked on the cache's disk-adapter lanes (reads and
 * destages share the disk adapters). External: a command over its cable (CN5), the external system's CHA and disk time,
 * and the tracks back over the cable. The read gets a reason (`staged`) when the real volume cannot be reached.
 */
function stageForRead(core: EngineState, r: ReadFlow, volumeId: string, offset: number, tracks: number, trackBytes: number, cache: CacheRt | undefined): void {
  const target = realVolumeBelow(core.stack.volumes, core.stack.lus, volumeId, offset);
  if (!target) return r.staged(core, `no real volume under ${volumeId} at byte ${offset}`);
  const real = target.real;
  const owner = core.wiring.systems.get(real.systemId);
  if (!owner || !core.systemUp(real.systemId)) return r.staged(core, `system ${real.systemId} holding ${real.id} is down`);
  if (real.backing.type === 'internal') {
    const diskUs = owner.destageUsPerTrack * tracks;
    const doneAt = cache && cache.systemId === real.systemId ? cache.bookDestage(core.nowUs, diskUs) : core.nowUs + diskUs;
    core.sched.post(doneAt, STAGE_INTERNAL_DONE, { r, realSystemId: real.systemId });
    return;
  }
  const backing = real.backing;
  const extLu = core.stack.lus.get(backing.luId);
  const link = extLu ? core.wiring.linksByPort.get(backing.initiatorPortId)?.find((l) => l.otherEnd(backing.initiatorPortId) === extLu.portId) : undefined;
  const extSystemId = extLu ? core.wiring.ownerOf(extLu.portId) : undefined;
  const ext = extSystemId !== undefined ? core.wiring.systems.get(extSystemId) : undefined;
  if (!extLu || !link || !link.up || extSystemId === undefined || !ext || !core.systemUp(extSystemId)) return r.staged(core, `external volume ${real.id} cannot be reached${link ? ` over ${link.id}` : ''}`);
  r.stage = { link, epoch: link.epoch, extSystemId, realId: real.id, extLuId: extLu.id, trackBytes };
  r.leg = 'stage-command';
  link.send(core, core.nowUs, backing.initiatorPortId, 0, r, 1);
}
