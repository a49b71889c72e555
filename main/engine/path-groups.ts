// Path groups (DOMAIN.md "Paths"): a pair's cables between the two systems, the minimum that must stay up, and the path
// timeout during which a cut is not yet noticed and the pair's sync updates wait. Kept out of write.ts/journal.ts: they
// only ask `waitForPath` whether a lost transfer waits for the detection, and cutCable asks `pathsCut` who notices later.
import type { EngineState } from './state';
import type { PairRoute, PairRt } from './pairs';
import type { LinkRt } from './links';
import { suspend } from './pair-states';
import { pump } from './journal';
import { defineEvent } from './sim';

/** Work held until a path group's cut is detected (a record: a sync update to send again, a copy batch, a journal record). */
export interface PathWaiter {
  retry(core: EngineState): void;
  /** The pair's tracks it updates (a sync update): a newer update of one of them waits behind it (see syncMustWait). */
  readonly firstTrack?: number;
  readonly lastTrack?: number;
}

/** A pair's path timeout runs out. */
const PATH_TIMED_OUT = defineEvent<EngineState, PairRt>('path-timed-out', (core, p) => pathTimedOut(core, p));

/** A pair's path group at run time: what it waits for, and since when. */
export interface PathWatch {
  /** When the cut path's timeout runs out (the array blocks the path then); undefined when nothing is pending. */
  detectAtUs: number | undefined;
  /** Work held until the detection: sync updates to send again, a copy batch, a journal record lost on the cut path. */
  waiters: PathWaiter[];
  /** Beside `waiters`: the order each was first issued in (`issued` then); they are retried in that order. */
  waiterOrder: number[];
  /** Counter of that order: sync updates take a number when first forwarded, other waiters when they start waiting. */
  issued: number;
  /** Tracks with a sync update among the waiters, and how many: a newer update of such a track waits too. */
  waitingTracks: Map<number, number>;
  /** Round-robin position of the next transfer over the group's paths (load spreading). */
  turn: number;
  /** The path each track last took: a track with a transfer still in flight keeps it (see nextPath). */
  trackLinks: Map<number, LinkRt>;
  /** Sync updates held by the track lock (see trackLocked), in the order they were issued. */
  lockWaiters: PathWaiter[];
  /** A wake of the lock waiters is already booked for now. */
  lockWakeBooked: boolean;
  /** The pair's journal stopped sending at a record held by the track lock (see pump). */
  journalHeld: boolean;
}

/** trackLinks entries kept before the ones of tracks with nothing in flight are dropped. */
const TRACK_LINKS_PRUNE_AT = 65_536;

/** The pair's route: the first path of the group that is up, from the current primary's side (a swapped pair sends the other way); transfers spread over all up paths with `nextPath`. */
export function pathGroupRoute(core: EngineState, p: PairRt): PairRoute | undefined {
  for (const link of groupLinks(core, p)) if (link.up) return orient(core, p, link);
  return undefined;
}

/** A path group's cable as a route from the current primary's side. */
function orient(core: EngineState, p: PairRt, link: LinkRt): PairRoute {
  const from = core.volume(p.primaryId).systemId;
  const a = link.cable.aPortId;
  const b = link.cable.bPortId;
  return core.wiring.ownerOf(a) === from ? { fromPortId: a, link, toPortId: b } : { fromPortId: b, link, toPortId: a };
}

/**
 * The path the pair's next transfer (a sync update, a copied track, a journal record) takes. A pair with a path group
 * spreads its remote I/O round robin over the group's paths that are up, so two equal paths carry about equal load
 * (IBM DS8000 "Path connections": up to eight paths between two subsystems, the workload distributed over the available
 * paths; Hitachi's remote connection likewise uses all of its paths; MPIO's round-robin policy). While a cut is still
 * undetected (the path timeout runs) the pair keeps its `route`, as the array does not know yet which path was lost:
 * work on the cut path waits for the detection. Without a path group: the pair's one route.
 */
export function nextPath(core: EngineState, p: PairRt, offset?: number, length?: number): PairRoute | undefined {
  const route = p.route;
  if (!p.cfg.paths || !route) return route;
  // Each path is FIFO, two paths are not: a transfer to a track that still has one in flight (a sync update, a copied
  // track) takes that one's path, so a newer update never lands before an older one of the same bytes (the array's
  // track lock serialises them the same way). Otherwise the next path, round robin. The path is noted even when there
  // is no choice (one path up, or a cut not detected yet): a copied track sent while one path was up and still on the
  // wire when the other came back is what a later update of that track must follow (prop-long seed 5150).
  const w = p.pathWatch;
  const first = offset === undefined ? -1 : Math.floor(offset / p.trackBytes);
  const last = offset === undefined ? -1 : Math.floor((offset + Math.max(1, length ?? 1) - 1) / p.trackBytes);
  let link: LinkRt | undefined;
  if (w.detectAtUs !== undefined) {
    // A cut not detected yet: the pair still sends on its route, except that a track with a transfer on its way keeps
    // following that one's path even when that path is the cut one. The array's track lock holds a newer update until
    // the older one is answered, and that one is resent when the timeout notices the cut: sent on the path that is up
    // meanwhile, the newer update landed first and the resend put the older bytes over it (PAIR over different
    // copies; the sustained-load property run, FIG. 1 journal-sizing with path groups). Lost too, it is resent after
    // the older one, in order.
    for (let t = first; t >= 0 && t <= last && !link; t++) {
      const held = w.trackLinks.get(t);
      if (held && trackInFlight(p, t)) link = held;
    }
    link ??= route.link;
  } else {
    const up = groupLinks(core, p).filter((l) => l.up);
    if (up.length < 2) link = route.link;
    else {
      for (let t = first; t >= 0 && t <= last && !link; t++) {
        const held = w.trackLinks.get(t);
        if (held?.up && trackInFlight(p, t)) link = held;
      }
      link ??= up[w.turn++ % up.length]!;
    }
  }
  if (first >= 0) {
    if (w.trackLinks.size > TRACK_LINKS_PRUNE_AT) for (const t of w.trackLinks.keys()) if (!trackInFlight(p, t)) w.trackLinks.delete(t);
    for (let t = first; t <= last; t++) w.trackLinks.set(t, link);
  }
  return link === route.link ? route : orient(core, p, link);
}

/**
 * Whether a sync update of bytes offset..offset+length must wait for the track lock: its tracks have transfers in flight
 * on two different paths (a copied track on one, the next track's on the other: it can follow only one of them, and
 * sent on either it lands before the other path's older bytes, which then overwrite half of it), or an update waiting
 * so holds one of its tracks (it must not overtake that one). The array's track lock holds the newer update until the
 * older transfers are answered. Found by the long property run with writes across a track boundary (--straddle, seed
 * 4242): FIG. 1 with path groups, pair-sync created again, a host write over tracks 27-28 during the copy; the copy of
 * 28 on the second path landed after the update and pair-sync said PAIR over different copies. A journal record of an
 * async pair waits the same way (pump): the remote applies records in order, but a copied track whenever it lands.
 */
export function trackLocked(p: PairRt, offset: number, length: number): boolean {
  const w = p.pathWatch;
  const first = Math.floor(offset / p.trackBytes);
  const last = Math.floor((offset + Math.max(1, length) - 1) / p.trackBytes);
  for (const x of w.lockWaiters) if (x.firstTrack! <= last && x.lastTrack! >= first) return true;
  if (first === last) return false;
  let seen: LinkRt | undefined;
  for (let t = first; t <= last; t++) {
    const held = w.trackLinks.get(t);
    if (!held || !trackInFlight(p, t)) continue;
    if (seen && held !== seen) return true;
    seen = held;
  }
  return false;
}

/** Holds a sync update for the track lock until a transfer of the pair is answered (trackLockFreed). */
export function holdForTrackLock(p: PairRt, waiter: PathWaiter): void {
  p.pathWatch.lockWaiters.push(waiter);
}

/** A transfer of the pair was answered (or lost): the updates held by the track lock try again, in their order. */
export function trackLockFreed(core: EngineState, p: PairRt): void {
  const w = p.pathWatch;
  if ((w.lockWaiters.length === 0 && !w.journalHeld) || w.lockWakeBooked) return;
  w.lockWakeBooked = true;
  core.sched.post(core.nowUs, TRACK_LOCK_FREED, p);
}

const TRACK_LOCK_FREED = defineEvent<EngineState, PairRt>('track-lock-freed', (core, p) => {
  const w = p.pathWatch;
  w.lockWakeBooked = false;
  // Each goes through forwardSync again: held again (behind the ones still held) or sent.
  for (const x of w.lockWaiters.splice(0)) x.retry(core);
  if (w.journalHeld) {
    w.journalHeld = false;
    if (p.journal) pump(core, p.journal);
  }
});

function trackInFlight(p: PairRt, track: number): boolean {
  return (p.syncInFlightTracks.get(track) ?? 0) > 0 || p.copy.inFlightTracks.has(track);
}

/** Bytes the pair's paths that are up hold in flight (bandwidth x round trip, summed): the journal's transfer window. */
export function pathsInFlightBytes(core: EngineState, p: PairRt, one: (link: LinkRt) => number): number {
  if (!p.cfg.paths || !p.route || p.pathWatch.detectAtUs !== undefined) return p.route ? one(p.route.link) : 0;
  let sum = 0;
  for (const l of groupLinks(core, p)) if (l.up) sum += one(l);
  return sum || one(p.route.link);
}

function groupLinks(core: EngineState, p: PairRt): LinkRt[] {
  return (p.cfg.paths?.cableIds ?? []).map((id) => core.wiring.links.get(id)).filter((l): l is LinkRt => l !== undefined);
}

/** Paths of the group that are up now (a cut one counts as lost only here; the pair notices it after the timeout). */
export function pathsUp(core: EngineState, p: PairRt): number {
  return groupLinks(core, p).filter((l) => l.up).length;
}

/**
 * A cable was cut: pairs with it in their path group notice only after the path timeout (Hitachi's RIO MIH time). Until
 * then their sync updates on the cut path wait. Returns those pairs: the caller does not suspend them at the cut.
 */
export function pathsCut(core: EngineState, link: LinkRt): Set<PairRt> {
  const noticing = new Set<PairRt>();
  for (const p of core.pairList) {
    if (!p.cfg.paths?.cableIds.includes(link.id)) continue;
    noticing.add(p);
    // Not paired: nothing is on its way, so it simply takes a path that is up for when it is created.
    if (!p.rules.paired) {
      if (p.route?.link === link) p.route = core.routeFor(p) ?? p.route;
      continue;
    }
    if (p.pathWatch.detectAtUs !== undefined) continue;
    const at = core.nowUs + p.cfg.paths.timeoutMs * 1000;
    p.pathWatch.detectAtUs = at;
    core.sched.post(at, PATH_TIMED_OUT, p);
  }
  return noticing;
}

/** The path timeout ran out: the pair moves to a path that is up, or suspends when fewer than the minimum remain. */
function pathTimedOut(core: EngineState, p: PairRt): void {
  const paths = p.cfg.paths!;
  p.pathWatch.detectAtUs = undefined;
  const up = pathsUp(core, p);
  const lost = groupLinks(core, p).filter((l) => !l.up).map((l) => l.id).join(', ');
  if (up < paths.minPaths) {
    if (p.rules.suspendable) {
      const link = p.route?.link;
      suspend(core, p, 'PSUE', `only ${up} of ${paths.cableIds.length} path(s) up after the ${paths.timeoutMs} ms path timeout (minimum ${paths.minPaths}; lost ${lost})`, link ? { kind: 'link', id: link.id } : undefined);
    }
  } else {
    const before = p.route?.link.id;
    p.route = core.routeFor(p);
    if (p.route?.link.id !== before)
      core.step('pair-state', p.id, `pair ${p.id}: path ${before} lost (noticed after the ${paths.timeoutMs} ms path timeout); ${up} of ${paths.cableIds.length} path(s) up, updates now use ${p.route?.link.id}`);
  }
  // In the order the work was first issued, not the order it started waiting: an update on the wire when the path was
  // cut starts waiting only when it would have arrived, after newer updates of the same track that found the path
  // down at once; retried first, those landed before it and the older bytes ended on the secondary.
  // Each sync update's tracks stay among the waiting ones until its own turn: an earlier waiter's retry may complete a
  // failback's copy and swap the pair back, and the swap records the tracks still on their way (markSyncInFlight);
  // cleared all at once first, the update waiting behind it was dropped by the new generation with its track in no
  // bitmap, and the pair said PAIR over different copies (prop-long --relay seed 20, FIG. 12).
  const waiters = p.pathWatch.waiters.splice(0);
  const order = p.pathWatch.waiterOrder.splice(0);
  const byIssue = waiters.map((_, i) => i).sort((a, b) => order[a]! - order[b]!);
  for (const i of byIssue) {
    unwait(p, waiters[i]!);
    waiters[i]!.retry(core);
  }
  if (p.journal) pump(core, p.journal);
}

/**
 * Whether `retry` waits for the pair's path timeout (a cut of one of its paths is pending detection); it runs at the
 * detection, after the pair has moved to another path or suspended. False when nothing is pending: fail as before.
 */
export function waitForPath(p: PairRt, retry: PathWaiter, issued?: number): boolean {
  if (p.pathWatch.detectAtUs === undefined) return false;
  const w = p.pathWatch;
  w.waiters.push(retry);
  w.waiterOrder.push(issued ?? w.issued++);
  if (retry.firstTrack !== undefined) countTracks(w.waitingTracks, retry.firstTrack, retry.lastTrack!, 1);
  return true;
}

/** A waiter's turn came: its tracks (a sync update's) leave the waiting ones. */
function unwait(p: PairRt, retry: PathWaiter): void {
  if (retry.firstTrack !== undefined) countTracks(p.pathWatch.waitingTracks, retry.firstTrack, retry.lastTrack!, -1);
}

/** Adds `by` (1 or -1) to the count of each track first..last (a pair's tracks in flight or waiting); none left: gone. */
export function countTracks(counts: Map<number, number>, first: number, last: number, by: 1 | -1): void {
  for (let t = first; t <= last; t++) {
    const n = (counts.get(t) ?? 0) + by;
    if (n > 0) counts.set(t, n);
    else counts.delete(t);
  }
}

/**
 * Whether a sync update of tracks first..last must wait for the pair's path timeout although its path is up: an older
 * update of one of those tracks was lost on a cut path and waits to be sent again. The array's track lock holds the
 * newer one until the older is answered; sent now, it landed first and the resend put the older bytes over it (a cut
 * path restored before its timeout ran out: PAIR over different copies, the sustained-load property run).
 */
export function syncMustWait(p: PairRt, first: number, last: number): boolean {
  const waiting = p.pathWatch.waitingTracks;
  if (waiting.size === 0) return false;
  for (let t = first; t <= last; t++) if (waiting.has(t)) return true;
  return false;
}

/**
 * A transfer was lost on a cut path: it waits for the detection (waitForPath), or, when the pair already moved to a
 * path that is up (a path timeout shorter than the transfer's flight), it is sent again at once. False: no path group
 * path to take, fail as before.
 */
export function retryOnPath(core: EngineState, p: PairRt, retry: PathWaiter, issued?: number): boolean {
  if (waitForPath(p, retry, issued)) return true;
  if (!p.cfg.paths || !p.route?.link.up) return false;
  retry.retry(core);
  return true;
}

/** A cable came back: a pair of its group whose route is down takes a path that is up (so a resync can run on it). */
export function pathRestored(core: EngineState, link: LinkRt): void {
  for (const p of core.pairList) {
    if (!p.cfg.paths?.cableIds.includes(link.id)) continue;
    if (!p.route?.link.up && p.pathWatch.detectAtUs === undefined) p.route = core.routeFor(p);
  }
}
