// Operator commands and faults: pair operations (refused by the pair-rules table, with the state named), cable and system faults, repairs, auto-resync, fill faults, single host writes.
import type { EngineState } from './state';
import type { PairOp } from '../../app/engine/api';
import { PAIR_OP_RULES, pairOpRefusal, type PairOpRule } from '../../app/engine/pair-rules';
import { issueWrite } from './host-write';
import type { CommandResult, EngineCommand } from '../../app/engine/api';
import { startCopy } from './copy';
import { checkJournalFill, pump, releaseHeld, releaseHeldOf } from './journal';
import { deltaResync } from './delta-resync';
import { abandonCopy, beginSwapTakeover, canReachSecondary, copyTargetConflict, resyncConflict, setState, suspend, swapRoles, takeOver, takeoverConflict } from './pair-states';
import { OVERFLOW_WATCH_US } from './pairs';
import type { SlotHold } from './state';
import { applyCableEdit } from './live-edit';
import { defineEvent } from './sim';
import type { PairRt } from './pairs';

/** A phantom slot of `fillCache` destaged: its hold is released. */
const PHANTOM_DESTAGED = defineEvent<EngineState, SlotHold>('phantom-destaged', (core, hold) => {
  core.pendingDestages--;
  core.release([hold]);
});

/** A delete completes: the bitmaps go and the pair is SMPL. */
const DELETE_DONE = defineEvent<EngineState, PairRt>('pair-deleted', (core, p) => {
  p.primaryBitmap.clearAll();
  p.secondaryBitmap.clearAll();
  setState(core, p, 'SMPL', 'deleted: the volumes are independent');
});
import { pathRestored, pathsCut } from './path-groups';
import { standbyPathCut, standbyPathRestored } from './standby';

export function command(core: EngineState, c: EngineCommand): CommandResult {
  switch (c.type) {
    case 'pair':
      return pairCommand(core, c.pairId, c.op, c.readWrite ?? false);
    case 'cutCable':
    case 'restoreCable': {
      const link = core.wiring.links.get(c.cableId);
      if (!link) return { ok: false, reason: `no cable ${c.cableId}` };
      if (c.type === 'cutCable') {
        if (!link.up) return { ok: false, reason: `cable ${c.cableId} is already cut` };
        link.cut(core.nowUs);
        core.step('fault', link.id, `cable ${link.id} is cut`);
        // Pairs with the cable in a path group notice the cut only after their path timeout (path-groups.ts).
        const later = pathsCut(core, link);
        for (const p of core.pairs.values()) {
          if (p.route?.link === link && p.rules.suspendable && !later.has(p)) suspend(core, p, 'PSUE', `cable ${link.id} is cut`, { kind: 'link', id: link.id });
        }
        standbyPathCut(core, link);
        return { ok: true, message: `cable ${c.cableId} cut` };
      }
      if (link.up) return { ok: false, reason: `cable ${c.cableId} is not cut` };
      link.up = true;
      core.step('repair', link.id, `cable ${link.id} is restored`);
      pathRestored(core, link);
      standbyPathRestored(core, link);
      autoResync(core);
      for (const j of core.journals.values()) pump(core, j);
      return { ok: true, message: `cable ${c.cableId} restored` };
    }
    case 'failSystem':
    case 'restoreSystem': {
      if (!core.wiring.systems.has(c.systemId)) return { ok: false, reason: `no system ${c.systemId}` };
      return c.type === 'failSystem' ? failSystems(core, [c.systemId], `system ${c.systemId} failed`) : restoreSystems(core, [c.systemId]);
    }
    case 'failSite':
    case 'restoreSite': {
      if (!core.topology.sites.some((s) => s.id === c.siteId)) return { ok: false, reason: `no site ${c.siteId}` };
      const systems = core.topology.systems.filter((s) => s.siteId === c.siteId).map((s) => s.id);
      for (const h of core.hosts.values()) if (h.host.siteId === c.siteId) h.failed = c.type === 'failSite';
      return c.type === 'failSite' ? failSystems(core, systems, `site ${c.siteId} failed`) : restoreSystems(core, systems);
    }
    case 'fillJournal': {
      const p = core.pairs.get(c.pairId);
      if (!p) return { ok: false, reason: `no pair ${c.pairId}` };
      const j = p.journal;
      if (!j) return { ok: false, reason: `pair ${c.pairId} is synchronous and has no journal` };
      if (!p.rules.forwardsUpdates) return { ok: false, reason: `pair ${c.pairId} is ${p.state}; its journal is not in use`, state: p.state };
      j.phantomBytes = Math.max(0, j.capacityBytes - j.usedBytes);
      core.step('fault', j.id, `journal ${j.id} is filled to capacity`);
      checkJournalFill(core, j);
      return {
        ok: true,
        message: p.cfg.inflowControl
          ? `journal ${j.id} full: host writes are held back (inflow control) and the pairs suspend PFUS if it stays full for the ${OVERFLOW_WATCH_US / 1e6} s Data Overflow Watch`
          : `journal ${j.id} full: the next write suspends the pairs (inflow control is off)`,
      };
    }
    case 'fillCache': {
      const cache = core.caches.get(c.cacheId);
      if (!cache) return { ok: false, reason: `no cache ${c.cacheId}` };
      const sys = core.wiring.systems.get(cache.systemId)!;
      let n = 0;
      cache.observe(core.nowUs);
      while (cache.hasFree()) {
        const key = `phantom-${n}`;
        const version = cache.store(key, n, core.nowUs);
        const hold: SlotHold = { cache, volumeId: key, track: n, version };
        core.pendingDestages++;
        core.sched.post(cache.bookDestage(core.nowUs, sys.destageUsPerTrack), PHANTOM_DESTAGED, hold);
        n++;
      }
      core.step('fault', cache.id, `cache ${cache.id} is filled with ${n} dirty slot(s)`);
      return { ok: true, message: `${n} slot(s) of ${cache.id} filled with dirty data (write-pending threshold ${Math.round(cache.writePendingThreshold * 100)}%)` };
    }
    case 'hostWrite': {
      // A write its cache could never hold at once would wait for ever: refused now, saying why.
      const lu = core.stack.lus.get(c.luId);
      const cache = lu && core.cacheOfVolume.get(lu.volumeId);
      if (lu && cache) {
        const at = lu.startBytes + c.offsetBytes;
        const never = cache.neverFits(lu.volumeId, Math.floor(at / cache.trackBytes), Math.floor((at + c.lengthBytes - 1) / cache.trackBytes));
        if (never) return { ok: false, reason: never };
      }
      const data = new Uint8Array(c.lengthBytes);
      if (c.fill !== undefined) data.fill(c.fill);
      else core.prng.fill(data);
      return issueWrite(core, c.hostId, c.luId, c.offsetBytes, data, true) ?? { ok: true, message: `write ${core.nextIoId - 1} issued` };
    }
    case 'setWorkloadsEnabled':
      core.workloadsEnabled = c.enabled;
      return { ok: true, message: c.enabled ? 'workloads enabled' : 'workloads paused' };
    case 'setCable':
      return applyCableEdit(core.wiring.links, c);
  }
}

export function failSystems(core: EngineState, systemIds: string[], why: string): CommandResult {
  for (const s of systemIds) {
    core.failedSystems.add(s);
    core.step('fault', s, why);
  }
  for (const p of core.pairs.values()) {
    const ps = core.volume(p.primaryId).systemId;
    const ss = core.volume(p.secondaryId).systemId;
    if ((systemIds.includes(ps) || systemIds.includes(ss)) && p.rules.suspendable) {
      suspend(core, p, 'PSUE', why, { kind: 'system', id: systemIds.includes(ss) ? ss : ps });
    }
  }
  return { ok: true, message: why };
}

export function restoreSystems(core: EngineState, systemIds: string[]): CommandResult {
  for (const s of systemIds) {
    core.failedSystems.delete(s);
    core.step('repair', s, `system ${s} is restored`);
  }
  autoResync(core);
  return { ok: true, message: `restored ${systemIds.join(', ')}` };
}

/** Pairs with autoResync whose suspending fault is repaired start a differential resync. */
export function autoResync(core: EngineState): void {
  for (const p of core.pairs.values()) {
    if (p.state !== 'PSUE' || !p.cfg.autoResync) continue;
    const ps = core.volume(p.primaryId).systemId;
    const ss = core.volume(p.secondaryId).systemId;
    if (!p.route?.link.up || !core.systemUp(ps) || !core.systemUp(ss)) continue;
    if (p.suspendedCause?.kind === 'takeover') continue;
    // Stays suspended rather than overwrite another replicating pair's secondary (the operator resolves it).
    if (resyncConflict(core, p)) continue;
    startCopy(core, p, false, 'auto-resync after the fault was repaired');
  }
}

export function pairCommand(core: EngineState, pairId: string, op: string, readWrite: boolean): CommandResult {
  const p = core.pairs.get(pairId);
  if (!p) return { ok: false, reason: `no pair ${pairId}` };
  const refuse = (why: string): CommandResult => ({ ok: false, reason: `${op} refused: pair ${pairId} is ${p.state}; ${why}`, state: p.state });
  // Whether the operation fits the state is the pair-rules table's to say (the same table the menus read).
  const rule = (PAIR_OP_RULES as Partial<Record<string, PairOpRule>>)[op];
  if (!rule) return refuse(`unknown operation ${op}`);
  const tableRefusal = pairOpRefusal(op as PairOp, p.state, { swapped: p.swapped, fenced: p.fenced });
  if (tableRefusal !== undefined) return refuse(tableRefusal);
  switch (op) {
    case 'create':
      {
        const conflict = copyTargetConflict(core, p, p.secondaryId);
        if (conflict) return refuse(conflict);
      }
      startCopy(core, p, true, 'initial copy started');
      return { ok: true, message: 'initial copy started' };
    case 'split':
      p.secondaryWritable = readWrite;
      if (p.mode === 'async' && p.journal && !p.journal.drained && p.state !== 'COPY') {
        setState(core, p, 'suspending', 'split requested: the journal drains first');
        return { ok: true, message: 'suspending while the journal drains' };
      }
      suspend(core, p, 'PSUS', `split by the operator${readWrite ? ' (secondary read/write)' : ''}`);
      return { ok: true, message: 'split' };
    case 'resync':
      if (!p.route?.link.up) return refuse(`its link ${p.route?.link.id ?? '(none)'} is down`);
      {
        const conflict = resyncConflict(core, p);
        if (conflict) return refuse(conflict);
      }
      startCopy(core, p, false, 'differential resync');
      return { ok: true, message: `resync: ${p.copy.totalTracks} track(s) to copy` };
    case 'takeover': {
      if (p.secondaryInconsistent) return refuse('its copy was interrupted, so the secondary is inconsistent and cannot take over');
      // Primary reachable and the pair replicating: a swap-takeover (DOMAIN.md "Takeover"), unless the old P-VOL's bytes
      // are another replicating pair's secondary (a cascade's relay volume): it cannot become a secondary then.
      const swapConflict = copyTargetConflict(core, p, p.primaryId);
      // `readWrite` asks for the S-VOL takeover itself (CCI pairsplit -RS): SSWS even with the primary reachable.
      if (!readWrite && canReachSecondary(core, p) && p.rules.forwardsUpdates && !swapConflict) {
        return { ok: true, message: beginSwapTakeover(core, p, 'swap-takeover') };
      }
      const taken = takeoverConflict(core, p);
      if (taken) return refuse(taken);
      if (p.mode === 'async' && p.journal && !p.journal.drained && p.rules.sendsJournal && p.state !== 'suspending' && canReachSecondary(core, p)) {
        // horctakeover with the primary reachable flushes the journal first (DOMAIN.md "Takeover"): nothing queued is lost.
        p.takeoverPending = true;
        setState(core, p, 'suspending', 'takeover requested: the journal is flushed to the secondary first');
        return { ok: true, message: `flushing journal ${p.journal.id} to ${p.secondaryId}, then ${p.secondaryId} takes over (SSWS)` };
      }
      takeOver(core, p);
      return { ok: true, message: `${p.secondaryId} is writable (SSWS)` };
    }
    case 'swapResync': {
      const conflict = copyTargetConflict(core, p, p.primaryId);
      if (conflict) return refuse(conflict);
      swapRoles(core, p);
      if (!p.route?.link.up) {
        swapRoles(core, p);
        return refuse('there is no working link in the reverse direction');
      }
      startCopy(core, p, false, 'swap-resync: direction reversed, differential copy');
      return { ok: true, message: `now ${p.primaryId} -> ${p.secondaryId}` };
    }
    case 'failback':
      if (p.state === 'SSWS') {
        // Both the copy back (into the primary) and the replication after it (into the secondary) write shared bytes.
        const conflict = copyTargetConflict(core, p, p.primaryId) ?? copyTargetConflict(core, p, p.secondaryId);
        if (conflict) return refuse(conflict);
        swapRoles(core, p);
        if (!p.route?.link.up) {
          swapRoles(core, p);
          return refuse('there is no working link back to the original primary');
        }
        p.failbackPending = true;
        startCopy(core, p, false, 'failback: copying the changes back');
        return { ok: true, message: 'failback started' };
      }
      // Allowed by the table otherwise only as a swapped pair in PAIR: the direction is turned back as a swap-takeover
      // (the updates on their way land first; swapping under them dropped them and left PAIR over unequal copies).
      // The current primary becomes the secondary: refused when its bytes are another replicating pair's secondary
      // (a cascade's relay volume after that pair swapped too), which would then show PAIR over unequal copies.
      {
        const conflict = copyTargetConflict(core, p, p.primaryId);
        if (conflict) return refuse(conflict);
      }
      return { ok: true, message: beginSwapTakeover(core, p, 'failback') };
    case 'deltaResync': {
      if (!p.route?.link.up) return refuse(`its cable ${p.route?.link.id ?? '(none)'} to the remote is down`);
      if (!core.systemUp(core.volume(p.primaryId).systemId) || !core.systemUp(core.volume(p.secondaryId).systemId)) return refuse('a system of the pair is down');
      const relayLeg = core.pairList.find((q) => q !== p && q.secondaryId === p.secondaryId && q.rules.replicating);
      if (relayLeg) return refuse(`the relay leg ${relayLeg.id} still replicates to ${p.secondaryId} (${relayLeg.state}); delta resync is for when the relay is lost`);
      // The relay leg stands aside and its journal is dropped: not while another pair of that journal (its consistency
      // group) still replicates, which would keep PAIR with its dropped records only in its bitmap, never sent (prop-long
      // 5000 2222 400, twin groups). Universal Replicator resynchronises a delta-resync mirror per journal.
      for (const q of core.pairList) {
        if (q === p || q.secondaryId !== p.secondaryId || !q.rules.paired || !q.journal) continue;
        const busy = q.journal.pairs.find((r) => r !== q && r.rules.replicating);
        if (busy) return refuse(`the relay leg ${q.id} shares journal ${q.journal.id} with pair ${busy.id} (${busy.state}), which still replicates; a delta resync takes the whole journal: split or suspend ${busy.id} first`);
      }
      // Like any copy into the remote: not while another pair will replicate into it (a failback of the relay leg under
      // way: once it completes the relay replicates to the remote again, and the remote had two primaries, the pair
      // said PAIR over different copies: prop-long 5000 6666 400), nor into a volume that took over and serves a host.
      {
        const conflict = copyTargetConflict(core, p, p.secondaryId);
        if (conflict) return refuse(conflict);
      }
      return { ok: true, message: deltaResync(core, p) };
    }
    case 'liftFence':
      // The operator's way out of a data fence (CCI's P-VOL takeover, or lifting the fence): the pair stays PSUE and
      // the bitmap records the host's writes for the resync.
      p.fenced = false;
      core.step('pair-state', p.id, `pair ${p.id}: the fence on ${p.primaryId} is lifted; host writes are accepted and recorded for the resync`);
      return { ok: true, message: `${p.primaryId} is writable again (pair stays ${p.state})` };
    case 'delete':
      p.fenced = false;
      // Only this pair's records leave the journal: the group's other pairs keep replicating in order.
      // Writes held back by inflow control go too (left held, they would hold back every write of a re-created pair).
      if (p.journal) {
        if (p.journal.pairs.length === 1) {
          p.journal.drop();
          releaseHeld(core, p.journal);
        } else {
          p.journal.discardPair(p);
          releaseHeldOf(core, p.journal, p);
        }
      }
      p.updateGen++;
      abandonCopy(core, p);
      setState(core, p, 'deleting', 'delete requested');
      core.sched.post(core.nowUs + 1000, DELETE_DONE, p);
      return { ok: true, message: 'deleting' };
    default:
      return refuse(`unknown operation ${op}`);
  }
}
