// What a delta-resync standby keeps and sends (Hitachi 3DC; DOMAIN.md "3DC cascade"): the primary's writes kept until
// the remote has them through the relay, and the delta resync that sends only those, in order, or falls back to a copy.
import type { Payload } from './data/payload';
import { part, type EngineState } from './state';
import { abandonCopy, downstreamOf, setState } from './pair-states';
import { startCopy } from './copy';
import type { JournalRecord, KeptWrite, PairRt } from './pairs';
import { standbyWrapped } from './standby';
import { pump, releaseHeld } from './journal';

/**
 * A delta-resync standby keeps a write until the remote holds it. The remote applies the relay's records in the
 * relay's journal order, which under load is not the order the writes reached the standby's primary (a write waiting
 * for a cache slot in the relay is overtaken by writes to other tracks). So when a record is applied, and the pair
 * feeding the remote replicates every write (not COPY), a kept write older than it is at the remote too unless it may
 * still be missing (mayBeMissing): journaled at the relay after the applied record, taken by a bitmap whose copy has
 * not completed since, or not journaled yet and taken by no bitmap either (still on its way). Forgetting only the
 * applied write itself kept the writes a copy had carried for ever, and a delta resync then wrote their stale data
 * over newer writes to the same blocks. Where an older kept write that may be missing overlaps the applied one, the
 * overlap is cut out of it (cutOut): the remote holds newer bytes there, and sent, the old ones would overwrite them;
 * the rest is kept, and forgotten with the cut when nothing is left. Such a write is not on its way (a track's writes
 * are journaled in their order): it went nowhere (no pair carried it towards the relay, as when the sync leg had been
 * deleted: only a later copy takes its bytes) or a bitmap took it (in 400 sampled load sequences of the delta-resync
 * figures, seed 77, overlaps decided 24 forgets, all in the one sequence that deleted and re-created the sync leg).
 * Forgetting it whole lost its other part when the relay failed before the copy reached it. During COPY only the
 * applied write itself is known to be there.
 */
export function forgetApplied(core: EngineState, feeding: PairRt, hostIoId: number, seq: number): void {
  for (const s of core.standbyPairs) {
    if (s.secondaryId !== feeding.secondaryId || !s.rules.standsBy) continue;
    const w = s.deltaLog.get(hostIoId);
    if (!w) continue;
    if (feeding.state === 'COPY') {
      forget(s, hostIoId, w);
      continue;
    }
    // Insertion order is the order the writes reached the standby's primary: up to and including this one.
    for (const [id, kept] of s.deltaLog) {
      if (id === hostIoId) {
        forget(s, id, kept);
        break;
      }
      if (mayBeMissing(kept, seq)) {
        if (!overlaps(kept, w)) continue;
        // The remote has the newer bytes over the overlap: only the rest may still be missing.
        if (cutOut(s, kept, w.offset, w.offset + w.length) > 0) continue;
      }
      forget(s, id, kept);
    }
  }
}

/**
 * Whether the remote may lack a kept write when the relay's record `appliedSeq` has been applied. A write the relay's
 * pair to the remote took into its bitmap is there once that pair completed a copy since (a split draining its
 * journal, or a suspended pair, has not: the review of 2026-12-05 replayed a split whose drain forgot such a write).
 * A write the sync leg's bitmap took has no record until that leg's copy completes (deltaUpstreamCopied).
 */
function mayBeMissing(kept: KeptWrite, appliedSeq: number): boolean {
  if (kept.relaySeq !== undefined) return kept.relaySeq > appliedSeq;
  return kept.settledBy === undefined || kept.settledBy.copiesCompleted <= kept.settledCopies;
}

function overlaps(a: KeptWrite, b: KeptWrite): boolean {
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

function forget(s: PairRt, id: number, w: KeptWrite): void {
  s.deltaLog.delete(id);
  s.deltaBytes -= w.liveBytes;
}

/** Cuts [start, end) out of what a kept write still has to send; returns the bytes left. */
function cutOut(s: PairRt, w: KeptWrite, start: number, end: number): number {
  const a = Math.max(start, w.offset);
  const b = Math.min(end, w.offset + w.length);
  if (a >= b) return w.liveBytes;
  const merged: [number, number][] = [];
  let lo = a;
  let hi = b;
  for (const [x, y] of w.holes ?? []) {
    if (y < lo || x > hi) merged.push([x, y]);
    else {
      lo = Math.min(lo, x);
      hi = Math.max(hi, y);
    }
  }
  merged.push([lo, hi]);
  merged.sort((p, q) => p[0] - q[0]);
  const live = w.length - merged.reduce((n, [x, y]) => n + y - x, 0);
  s.deltaBytes -= w.liveBytes - live;
  w.holes = merged;
  w.liveBytes = live;
  return live;
}

/** The parts of a kept write a delta resync sends: its range without its holes, with their bytes. */
function livePieces(w: KeptWrite): { offset: number; length: number; data: Payload | null }[] {
  if (!w.holes) return [{ offset: w.offset, length: w.length, data: w.data }];
  const out: { offset: number; length: number; data: Payload | null }[] = [];
  let at = w.offset;
  for (const [x, y] of [...w.holes, [w.offset + w.length, w.offset + w.length] as [number, number]]) {
    if (x > at) out.push({ offset: at, length: x - at, data: w.data ? part(w.data, at - w.offset, x - at) : null });
    at = Math.max(at, y);
  }
  return out;
}

/** The relay's pair `p` journaled host write `ioId` at `seq`: a standby to the same remote notes where it stands. */
export function deltaJournaled(core: EngineState, p: PairRt, ioId: number, seq: number): void {
  for (const s of core.standbyPairs) {
    if (s === p || s.secondaryId !== p.secondaryId) continue;
    const w = s.deltaLog.get(ioId);
    if (w) w.relaySeq = seq;
  }
}

/** Pair `p` records a host write in its primary bitmap instead of sending it; a standby notes whose copy carries it. */
export function recordInBitmap(core: EngineState, p: PairRt, offset: number, length: number, ioId: number): void {
  p.markTracks(p.primaryBitmap, offset, length);
  if (core.standbyPairs.length) deltaSettled(core, p, ioId);
}

/**
 * Pair `p` took host write `ioId` into its bitmap instead of passing it on. For a standby that matters when `p` is on
 * the write's way to the remote: the relay's pair to the same remote (its copy brings the write there), or the sync
 * leg feeding that pair (its copy brings the write to the relay, deltaUpstreamCopied). Another pair of the standby's
 * primary (a local copy, say) says nothing about the remote.
 */
export function deltaSettled(core: EngineState, p: PairRt, ioId: number): void {
  for (const s of core.standbyPairs) {
    if (s === p) continue;
    const w = s.deltaLog.get(ioId);
    if (!w) continue;
    const onTheWay = p.secondaryId === s.secondaryId || (p.primaryId === s.primaryId && downstreamOf(core, p.secondaryId).some((d) => d !== s && d.secondaryId === s.secondaryId));
    if (!onTheWay) continue;
    w.settledBy = p;
    w.settledCopies = p.copiesCompleted;
  }
}

/**
 * Pair `p` completed a copy. The writes the sync leg's bitmap took are at the relay now, fed to its pair to the remote
 * during the copy: there they count as journaled at the relay's last sequence number so far (the remote has them when
 * it has applied up to there, as the cascade's consistency after an upstream copy is judged, pair-states.ts
 * upstreamCopyCompleted); or, if that pair records instead of journaling, as taken by its bitmap.
 */
export function deltaUpstreamCopied(core: EngineState, p: PairRt): void {
  for (const s of core.standbyPairs) {
    // The relay leg's own copies need nothing here: mayBeMissing counts them (copiesCompleted).
    if (p.secondaryId === s.secondaryId) continue;
    let feeding: PairRt | undefined;
    for (const w of s.deltaLog.values()) {
      if (w.settledBy !== p || w.relaySeq !== undefined) continue;
      feeding ??= downstreamOf(core, p.secondaryId).find((d) => d !== s && d.secondaryId === s.secondaryId);
      if (!feeding) break;
      if (feeding.journal && feeding.rules.forwardsUpdates) {
        w.relaySeq = feeding.journal.nextSeq - 1;
      } else {
        w.settledBy = feeding;
        w.settledCopies = feeding.copiesCompleted;
      }
    }
  }
}

/** A write reached a standby's primary: kept for a delta resync; the oldest go when the journal's capacity is exceeded (wrapped). */
export function recordDelta(core: EngineState, volumeId: string, offset: number, length: number, data: Payload | null, ioId: number): void {
  for (const s of core.standbyPairs) {
    if (s.primaryId !== volumeId || !s.rules.standsBy) continue;
    // A copy's track (I/O id 0) is no host write the relay will forward: the kept writes no longer tell the remote's difference.
    if (ioId === 0) {
      s.deltaGap ??= `a copy wrote ${volumeId} while ${s.id} stood by`;
      continue;
    }
    s.deltaLog.set(ioId, { offset, length, data, writtenUs: core.nowUs, relaySeq: undefined, settledBy: undefined, settledCopies: 0, holes: undefined, liveBytes: length });
    s.deltaBytes += length;
    const cap = s.journal?.capacityBytes ?? Infinity;
    while (s.deltaBytes > cap) {
      const first = s.deltaLog.entries().next().value as [number, KeptWrite];
      s.deltaLog.delete(first[0]);
      s.deltaBytes -= first[1].liveBytes;
      s.deltaWrapped = true;
    }
    if (s.deltaWrapped) standbyWrapped(core, s);
  }
}

/**
 * A host wrote a standby's secondary (the remote's volume, writable after a takeover or a split with S-VOL write
 * enabled): the kept writes no longer tell what the remote lacks (prop-long --remote seed 5050: a takeover and a
 * swap-resync of the relay leg with remote writes, then a delta resync that sent the kept writes, PAIR with V11 != V22).
 */
export function standbySecondaryWritten(core: EngineState, volumeId: string): void {
  for (const s of core.standbyPairs) {
    if (standsByInto(s, volumeId)) s.deltaGap ??= `a host wrote ${volumeId} at its site while ${s.id} stood by`;
    // A host at the relay wrote the relay leg's primary (or a volume over its bytes: the relay's V12 with V21 over one
    // real volume): that leg carries to the remote writes the standby's primary never had, so no kept write tells the
    // difference (prop-long --relay seed 3: pair-sync deleted, the relay host wrote V12, a delta resync that sent no
    // record said PAIR with V11 != V22).
    else if (s.rules.standsBy && volumeId !== s.primaryId && writesRelayLeg(core, s, volumeId))
      s.deltaGap ??= `a host wrote ${volumeId} at the relay while ${s.id} stood by (the remote got writes ${s.primaryId} never had)`;
  }
}

/** A pair whose initial copy into the relay leg's primary (or a volume over its bytes) has not completed, if any. */
function feedingCopyPending(core: EngineState, s: PairRt, relayLeg: PairRt): PairRt | undefined {
  for (const u of core.pairList) {
    if (u === s || u === relayLeg || !u.initialCopyPending) continue;
    if (core.stack.sharesBytes(u.secondaryId, relayLeg.primaryId)) return u;
  }
  return undefined;
}

/** Whether the volume is, or shares bytes with, the primary of a pair that feeds the standby's secondary (the relay leg). */
function writesRelayLeg(core: EngineState, s: PairRt, volumeId: string): boolean {
  return core.pairList.some((q) => q !== s && q.secondaryId === s.secondaryId && core.stack.sharesBytes(volumeId, q.primaryId));
}

/**
 * A delta-resync standby (HOLD, HOLDING, HLDE) whose secondary is this volume: not paired, yet its S-VOL stays
 * write-protected (pair-rules), else a host at the remote site wrote V22 once the relay leg was deleted and the delta
 * resync, sending only what the standby kept, said PAIR over different copies (prop-long --remote seed 2727).
 */
export function standbyWithSecondary(core: EngineState, volumeId: string): PairRt | undefined {
  for (let i = 0; i < core.standbyPairs.length; i++) if (standsByInto(core.standbyPairs[i]!, volumeId)) return core.standbyPairs[i];
  return undefined;
}

function standsByInto(s: PairRt, volumeId: string): boolean {
  return s.secondaryId === volumeId && s.rules.standsBy;
}

/**
 * Hitachi 3DC delta resync: the relay is lost; the standby pair local -> remote sends the remote only the writes it
 * has not applied, in write order, through its own journal, so the remote stays a consistent prefix throughout. If the
 * kept writes do not cover the difference (the standby journal wrapped, the pair kept none, changes were recorded in
 * its bitmap instead, or a copy wrote either side meanwhile), a full copy instead (the remote is inconsistent until it
 * completes). DOMAIN.md (3DC): when the local journal no longer holds them it falls back to a copy, and says so.
 */
export function deltaResync(core: EngineState, s: PairRt): string {
  // Decided before the relay leg steps aside (its dropped records go to its own bitmap, not ours).
  const gap = deltaGapOf(core, s);
  // The relay -> remote pair steps aside (it becomes the standby in turn).
  for (const q of core.pairList) {
    if (q === s || q.secondaryId !== s.secondaryId || !q.rules.paired) continue;
    if (q.journal) {
      for (const rec of q.journal.drop()) rec.pair.markTracks(rec.pair.primaryBitmap, rec.offset, rec.length);
      // Writes held back by inflow control are recorded too (left held, they would block the journal when it is used again).
      releaseHeld(core, q.journal);
    }
    abandonCopy(core, q);
    setState(core, q, 'HOLD', `delta resync of ${s.id}: ${q.id} stands by`);
  }
  const records = [...s.deltaLog.values()].flatMap((w) => livePieces(w).map((piece) => ({ ...piece, writtenUs: w.writtenUs })));
  s.deltaLog.clear();
  s.deltaBytes = 0;
  s.deltaWrapped = false;
  s.deltaGap = undefined;
  if (gap) {
    startCopy(core, s, true, `delta resync: ${gap}, so a full copy instead`);
    return `delta resync: ${gap}; full copy of ${s.copy.totalTracks} track(s) instead`;
  }
  setState(core, s, 'PAIR', `delta resync: ${records.length} record(s) the remote lacks, sent in order`);
  for (const w of records) {
    const j = s.journal!;
    const rec: JournalRecord = { seq: j.nextSeq++, gen: j.gen, pair: s, offset: w.offset, length: w.length, data: w.data, writtenUs: w.writtenUs, readyUs: core.nowUs, hostIoId: undefined, ioId: undefined, sendStep: undefined, discarded: false };
    j.usedBytes += w.length;
    j.queue.push(rec);
  }
  if (s.journal) pump(core, s.journal);
  return `delta resync: ${records.length} record(s) the remote lacks, sent over ${s.route?.link.id ?? 'no cable'}`;
}

/**
 * Why the writes a pair kept in HOLD are not exactly what its secondary lacks, or undefined. Only a delta-resync
 * standby keeps writes (a relay leg that stood aside kept none); tracks in its bitmap (records dropped when it last
 * stopped replicating) were never kept.
 */
function deltaGapOf(core: EngineState, s: PairRt): string | undefined {
  if (s.deltaWrapped) return 'the standby journal wrapped (the records the remote lacks are gone)';
  if (!core.standbyPairs.includes(s)) return `${s.id} is no delta-resync standby and kept no writes while it stood by`;
  if (!s.primaryBitmap.isEmpty) return `${s.primaryBitmap.count} track(s) changed before it stood by are recorded only in its bitmap`;
  // The kept writes are what the remote lacks only if the remote holds the relay leg's image: not when that leg's
  // initial copy never finished (data older than any kept write is missing), nor when the remote's volume was written while that leg was split
  // (prop-long --remote seed 3939: PAIR with V11 != V22 after a delta resync that sent only the kept writes).
  for (const q of core.pairList) {
    if (q === s || q.secondaryId !== s.secondaryId || !q.rules.paired) continue;
    if (q.initialCopyPending) return `${q.id}'s initial copy to ${q.secondaryId} had not completed`;
    if (!q.secondaryBitmap.isEmpty) return `${q.secondaryId} was written at its site while ${q.id} was split (${q.secondaryBitmap.count} track(s))`;
    // Nor when the copy into the relay never finished: the relay, and the remote after it, never held the whole of the
    // standby's primary, only its later host writes (prop-long --load --filled --relay seed 13: CN2 cut at the start,
    // the sync leg's initial copy of V11's starting data broken off, the delta resync sent the kept writes and said
    // PAIR with V11 != V22).
    const feeding = feedingCopyPending(core, s, q);
    if (feeding) return `${feeding.id}'s initial copy to ${feeding.secondaryId} had not completed (the relay never held all of ${feeding.primaryId})`;
  }
  return s.deltaGap;
}
