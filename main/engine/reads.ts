// Host reads: the write's way in, a cache hit or a miss staged from the real volume below (internal disk time or over the external cable).
import type { EngineState } from './state';
import type { CommandResult } from '../../app/engine/api';
import type { CacheRt } from './runtime';
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
  const startUs = core.nowUs;
  h.outstanding++;
  core.activeFlows++;
  const finish = (ok: boolean, reason?: string): void => {
    h.outstanding--;
    core.activeFlows--;
    if (ok) {
      h.reads.completed++;
      h.reads.bytes += length;
      h.reads.latency.record(core.nowUs - startUs);
    } else h.reads.failed++;
    done?.(ok, reason);
  };
  if (h.failed || !link.up) {
    core.sched.after(0, () => finish(false, h.failed ? `host ${hostId} is down` : `cable ${link.id} is cut`));
    return { ok: true, message: 'read issued' };
  }
  const epoch = link.epoch;
  const systemId = core.wiring.ownerOf(lu.portId);
  const broken = (): string | undefined => (link.epoch !== epoch ? `cable ${link.id} was cut` : !core.systemUp(systemId) ? `system ${systemId} is down` : undefined);
  const fail = (why: string): void => void core.sched.after(link.oneWayUs, () => finish(false, why));
  // A read is one exchange: the command out, the data back (no transfer-ready handshake as for a write).
  link.send(core.sched, core.nowUs, link.otherEnd(lu.portId), 0, (t) => core.sched.at(t, () => {
    const sys = core.wiring.systems.get(systemId);
    const why = broken() ?? (sys ? undefined : `no system ${systemId}`);
    if (why || !sys) return fail(why ?? systemId);
    core.sched.after(sys.chaProcessingUs, () => {
      const reply = (failure?: string): void => {
        const notSent = failure ?? broken();
        if (notSent) return fail(notSent);
        link.send(core.sched, core.nowUs, lu.portId, length, (t) => core.sched.at(t, () => finish(link.epoch === epoch, `cable ${link.id} was cut`)), 1);
      };
      const volumeId = lu.volumeId;
      const at = lu.startBytes + offset;
      const cache = core.cacheOfVolume.get(volumeId);
      const track = cache?.trackBytes ?? sys.trackBytes;
      const missing: number[] = [];
      for (let t = Math.floor(at / track); t <= Math.floor((at + length - 1) / track); t++) if (!cache?.slot(volumeId, t)) missing.push(t);
      if (missing.length === 0) {
        h.reads.hits++;
        return reply();
      }
      h.reads.misses++;
      stageForRead(core, volumeId, at, missing.length, track, cache, (failure) => {
        // Staged tracks stay as clean slots (evicted first when space is needed); a slot a write took meanwhile is left alone.
        if (!failure && cache) {
          for (const t of missing) {
            if (cache.slot(volumeId, t)) continue;
            const version = cache.store(volumeId, t, core.nowUs);
            if (version >= 0) cache.markClean(volumeId, t, version, core.nowUs);
          }
        }
        reply(failure);
      });
    });
  }), 1);
  return { ok: true, message: 'read issued' };
}

/**
 * Stages the tracks of a read miss from the real volume under `volumeId` at `offset`. Internal: the disk access time,
 * taken as the owning system's destageUsPerTrack per track and booked on the cache's disk-adapter lanes (reads and
 * destages share the disk adapters). External: a command over its cable (CN5), the external system's CHA and disk time,
 * and the tracks back over the cable. `then` gets a reason when the real volume cannot be reached.
 */
export function stageForRead(core: EngineState, volumeId: string, offset: number, tracks: number, trackBytes: number, cache: CacheRt | undefined, then: (failure?: string) => void): void {
  const target = realVolumeBelow(core.stack.volumes, core.stack.lus, volumeId, offset);
  if (!target) return then(`no real volume under ${volumeId} at byte ${offset}`);
  const real = target.real;
  const owner = core.wiring.systems.get(real.systemId);
  if (!owner || !core.systemUp(real.systemId)) return then(`system ${real.systemId} holding ${real.id} is down`);
  if (real.backing.type === 'internal') {
    const diskUs = owner.destageUsPerTrack * tracks;
    const doneAt = cache && cache.systemId === real.systemId ? cache.bookDestage(core.nowUs, diskUs) : core.nowUs + diskUs;
    core.sched.at(doneAt, () => then(core.systemUp(real.systemId) ? undefined : `system ${real.systemId} is down`));
    return;
  }
  const backing = real.backing;
  const extLu = core.stack.lus.get(backing.luId);
  const link = extLu ? core.wiring.linksByPort.get(backing.initiatorPortId)?.find((l) => l.otherEnd(backing.initiatorPortId) === extLu.portId) : undefined;
  const extSystemId = extLu ? core.wiring.ownerOf(extLu.portId) : undefined;
  const ext = extSystemId !== undefined ? core.wiring.systems.get(extSystemId) : undefined;
  if (!extLu || !link || !link.up || extSystemId === undefined || !ext || !core.systemUp(extSystemId)) return then(`external volume ${real.id} cannot be reached${link ? ` over ${link.id}` : ''}`);
  const epoch = link.epoch;
  link.send(core.sched, core.nowUs, backing.initiatorPortId, 0, (atExternal) => core.sched.at(atExternal + ext.chaProcessingUs + ext.destageUsPerTrack * tracks, () => {
    if (link.epoch !== epoch || !core.systemUp(extSystemId)) return then(`external volume ${real.id} became unreachable while staging`);
    link.send(core.sched, core.nowUs, extLu.portId, tracks * trackBytes, (t) => core.sched.at(t, () => then(link.epoch === epoch ? undefined : `cable ${link.id} was cut while staging`)), 1);
  }), 1);
}
