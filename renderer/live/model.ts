// Pure view-model functions of the live views: clock and number formats, pair badges, explain text, event filters, cache slots, exercises and verify verdicts.
import { PAIR_STATE_EQUIVALENTS } from '../../app/engine/api';
import type { CacheSlotView, CacheStatus, PairState, PairStatus, Snapshot, StepEvent, VerifyResult } from '../../app/engine/api';
import type { Topology } from '../../app/model/schema';
import { sameBytes } from '../../app/tables/translate';
import { bytes } from '../../app/units';

// ------------------------------------------------------------------ formats

/** Virtual time as mm:ss.mmm (minutes keep counting past 59 so a long run stays readable). */
export function formatClock(timeUs: number): string {
  const totalMs = Math.max(0, Math.floor(timeUs / 1000));
  const minutes = Math.floor(totalMs / 60_000);
  const seconds = Math.floor((totalMs % 60_000) / 1000);
  const ms = totalMs % 1000;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}.${String(ms).padStart(3, '0')}`;
}

/** A duration a person reads at a glance: 850 µs, 12.3 ms, 4.2 s, 3 min 10 s. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en');
}

// ------------------------------------------------------------------ pair badges

/** Traffic-light tone of a state: ok (in sync), busy (copying), warn (operator split / taken over), error (suspended by a fault), idle. */
export type PairTone = 'ok' | 'busy' | 'warn' | 'error' | 'idle';

export const PAIR_TONE: Record<PairState, PairTone> = {
  SMPL: 'idle',
  COPY: 'busy',
  PAIR: 'ok',
  PFUL: 'warn',
  PSUS: 'warn',
  SSUS: 'warn',
  PSUE: 'error',
  PFUS: 'error',
  HOLD: 'idle',
  HOLDING: 'busy',
  HLDE: 'error',
  SSWS: 'warn',
  suspending: 'busy',
  deleting: 'busy',
};

export interface PairBadge {
  pairId: string;
  state: PairState;
  tone: PairTone;
  /** Shown on the badge: the state's name. */
  label: string;
  /** Tooltip: the meaning, the other vendors' names, link and secondary-data attributes. */
  tooltip: string;
  /** 0..1 while copying (COPY), else undefined. */
  progress?: number;
  /** "42% · ETA 3.1 s" while copying. */
  progressText?: string;
  /** "RPO 12 ms · lag 48 KiB" for a secondary of an async pair; "RPO 0 (sync)" for sync. */
  lagText?: string;
  differentialText?: string;
}

export function pairTone(state: PairState): PairTone {
  return PAIR_TONE[state];
}

export function pairStateTooltip(state: PairState): string {
  const e = PAIR_STATE_EQUIVALENTS[state];
  return `${state}: ${e.meaning}\nSRDF: ${e.srdf} · IBM: ${e.ibm} · DRBD: ${e.drbd}`;
}

/** A pair's badge; on a volume, `role` picks that side's own status (P-VOL PSUS / S-VOL SSUS, an S-VOL still PAIR after a primary-site disaster). */
export function pairBadge(p: PairStatus, role?: 'primary' | 'secondary'): PairBadge {
  const copying = p.state === 'COPY';
  const side = role === 'primary' ? (p.primaryState ?? p.state) : role === 'secondary' ? (p.secondaryState ?? p.state) : p.state;
  const lines = [
    pairStateTooltip(side),
    `link ${p.linkUp ? 'connected' : 'down'} · secondary data ${p.secondaryData}${p.consistentAsOfUs !== undefined ? ` as of ${formatClock(p.consistentAsOfUs)}` : ''}`,
  ];
  if (side !== p.state || (p.primaryState ?? p.state) !== (p.secondaryState ?? p.state))
    lines.push(`P-VOL ${p.primaryState ?? p.state} · S-VOL ${p.secondaryState ?? p.state}`);
  if (p.fenced) lines.push('P-VOL fenced: host writes fail until the fence is lifted or the pair is resynchronised');
  if (p.paths) lines.push(pathsText(p.paths));
  if (p.standbyKept) lines.push(standbyKeptText(p.standbyKept));
  if (p.reason) lines.push(`since ${formatClock(p.sinceUs)}: ${p.reason}`);
  const fencedHere = p.fenced === true && role !== 'secondary';
  let label = fencedHere ? `${side} · fenced` : side;
  if (p.paths && p.paths.up < p.paths.total) label += ` · ${p.paths.up}/${p.paths.total} paths`;
  const badge: PairBadge = { pairId: p.id, state: side, tone: PAIR_TONE[side], label, tooltip: lines.join('\n') };
  if (copying) {
    badge.progress = p.copyProgress;
    badge.progressText = `${Math.floor(p.copyProgress * 100)}%${p.copyEtaMs !== undefined ? ` · ETA ${formatDurationMs(p.copyEtaMs)}` : ''}`;
  }
  if (p.standbyKept) {
    // A standby replicates nothing: what it keeps for a delta resync is its figure, not an RPO (short: badges are small;
    // the tooltip says what it is).
    badge.lagText = `kept ${formatCount(p.standbyKept.writes)} · ${bytes(p.standbyKept.bytes)}`;
  } else if (p.mode === 'async') {
    const parts: string[] = [];
    if (p.rpoMs !== undefined) parts.push(`RPO ${formatDurationMs(p.rpoMs)}`);
    if (p.endToEndRpoMs !== undefined && p.endToEndRpoMs > (p.rpoMs ?? 0)) parts.push(`end to end ${formatDurationMs(p.endToEndRpoMs)}`);
    if (p.lagBytes !== undefined) parts.push(`lag ${bytes(p.lagBytes)}`);
    if (parts.length) badge.lagText = parts.join(' · ');
  } else if (p.state === 'PAIR') badge.lagText = 'RPO 0 (sync)';
  if (p.differentialTracks > 0 && !copying) badge.differentialText = `${formatCount(p.differentialTracks)} track${p.differentialTracks === 1 ? '' : 's'} differ`;
  return badge;
}

/** What a delta-resync standby keeps, in words: the writes the remote lacks, against its journal's capacity. */
export function standbyKeptText(k: NonNullable<PairStatus['standbyKept']>): string {
  const share = k.capacityBytes > 0 ? `, ${((100 * k.bytes) / k.capacityBytes).toFixed(k.bytes * 100 < k.capacityBytes ? 2 : 0)}% of its ${bytes(k.capacityBytes)} journal` : '';
  return (
    `delta-resync standby: keeps ${formatCount(k.writes)} write${k.writes === 1 ? '' : 's'} (${bytes(k.bytes)}${share}) the remote has not yet applied through the relay; ` +
    `a delta resync sends exactly these, in order (past the journal's capacity the oldest go: HLDE, and a delta resync becomes a full copy)`
  );
}

/** A path group in words: how many of its cables are up, the minimum, and a cut not yet noticed (the path timeout runs). */
export function pathsText(paths: NonNullable<PairStatus['paths']>): string {
  const base = `paths ${paths.up} of ${paths.total} up (minimum ${paths.min})`;
  return paths.detecting ? `${base}; a lost path is not yet noticed (path timeout running): the pair's sync updates wait, then take a path that is up` : base;
}

/** The pairs a volume takes part in, as primary or secondary (a relay volume can be both in a cascade). */
export function pairsOfVolume(t: Topology, volumeId: string): { pairId: string; role: 'primary' | 'secondary' }[] {
  const out: { pairId: string; role: 'primary' | 'secondary' }[] = [];
  for (const p of t.pairs) {
    if (p.secondaryVolumeId === volumeId) out.push({ pairId: p.id, role: 'secondary' });
    if (p.primaryVolumeId === volumeId) out.push({ pairId: p.id, role: 'primary' });
  }
  return out;
}

/** Whether data is moving on a pair's edge (the edge animates then). */
export function pairIsMoving(p: PairStatus): boolean {
  if (!p.linkUp) return false;
  if (p.state === 'COPY') return true;
  if (p.state === 'PAIR' || p.state === 'PFUL') return p.mode === 'sync' || (p.lagBytes ?? 0) > 0 || (p.journalFill ?? 0) > 0;
  return false;
}

// ------------------------------------------------------------------ explain

export interface Explanation {
  headline: string;
  details: string[];
  history: { time: string; text: string }[];
}

/** Why a pair is in its state, in the words an architect uses: "PSUE since 00:41.200: cable CN4 is cut; 1,204 tracks recorded since". */
export function explainPair(p: PairStatus, events: readonly StepEvent[]): Explanation {
  const tracks = p.differentialTracks;
  let headline = `${p.state} since ${formatClock(p.sinceUs)}`;
  if (p.reason) headline += `: ${p.reason}`;
  if (p.state === 'PSUE' || p.state === 'PSUS' || p.state === 'SSUS' || p.state === 'SSWS')
    headline += `; ${formatCount(tracks)} track${tracks === 1 ? '' : 's'} recorded since`;
  const details = [PAIR_STATE_EQUIVALENTS[p.state].meaning];
  if ((p.primaryState ?? p.state) !== (p.secondaryState ?? p.state))
    details.push(
      `P-VOL ${p.primaryState ?? p.state}, S-VOL ${p.secondaryState ?? p.state}${p.state === 'PSUE' && p.secondaryState !== 'PSUE' ? ': the primary could not reach the secondary to mark it suspended' : ''}`,
    );
  details.push(`link ${p.linkUp ? 'connected' : 'down'}; secondary data ${p.secondaryData}${p.consistentAsOfUs !== undefined ? ` as of ${formatClock(p.consistentAsOfUs)}` : ''}`);
  if (p.fenced)
    details.push(`the P-VOL is fenced (write-protected) by its fence level since the failed update: every host write fails until the fence is lifted (P-VOL takeover) or the pair is resynchronised`);
  if (p.paths)
    details.push(
      `${pathsText(p.paths)}${p.paths.up < p.paths.min && !p.paths.detecting ? '; fewer than the minimum are up, so the pair suspended' : p.paths.up < p.paths.total ? '; the remaining paths carry the load' : ''}`,
    );
  if (p.standbyKept) details.push(standbyKeptText(p.standbyKept));
  if (p.state === 'COPY') details.push(`copy ${Math.floor(p.copyProgress * 100)}% done${p.copyEtaMs !== undefined ? `, about ${formatDurationMs(p.copyEtaMs)} to go` : ''}; the secondary cannot be used for recovery until it ends`);
  if (p.mode === 'async' && p.rpoMs !== undefined && !p.standbyKept)
    details.push(
      `RPO ${formatDurationMs(p.rpoMs)} (the age of the newest write the secondary's image lacks; largest so far ${formatDurationMs(p.maxRpoMs ?? p.rpoMs)})${p.endToEndRpoMs !== undefined ? `; end to end, from the host's writes to this farthest copy, ${formatDurationMs(p.endToEndRpoMs)}` : ''}${p.journalFill !== undefined ? `, journal ${Math.round(p.journalFill * 100)}% full` : ''}`,
    );
  if (p.mode === 'async' && (p.state === 'PSUE' || p.state === 'PSUS'))
    details.push('write order is lost until the resync completes: unapplied journal records became bitmap bits');
  // The pair's own state changes, and faults elsewhere that its reason names (a cut cable, a failed system), in log order.
  const history = events
    .filter((e) => (e.elementId === p.id && e.step === 'pair-state') || ((e.step === 'fault' || e.step === 'repair') && (e.elementId === p.id || !!p.reason?.includes(e.elementId))))
    .map((e) => ({ time: formatClock(e.timeUs), text: e.text }));
  return { headline, details, history };
}

// ------------------------------------------------------------------ event log

export type EventFilter = 'all' | 'steps' | 'pairs' | 'faults' | 'host';

/** Which group an event belongs to, for the log's filter. */
export function eventGroup(e: StepEvent): Exclude<EventFilter, 'all'> {
  if (e.step === 'pair-state' || e.step === 'journal' || e.step === 'journal-apply') return 'pairs';
  if (e.step === 'fault' || e.step === 'repair') return 'faults';
  if (e.step.startsWith('host')) return 'host';
  return 'steps';
}

export function filterEvents(events: readonly StepEvent[], filter: EventFilter, search: string): StepEvent[] {
  const q = search.trim().toLowerCase();
  return events.filter((e) => {
    if (filter !== 'all' && eventGroup(e) !== filter) return false;
    if (!q) return true;
    return e.text.toLowerCase().includes(q) || e.step.toLowerCase() === q || e.elementId.toLowerCase().includes(q) || (e.relatedIds ?? []).some((r) => r.toLowerCase().includes(q));
  });
}

/** A step named in the patent (S1, S11 ... S56, S14a, S15a). */
export function isPatentStep(step: string): boolean {
  return /^S\d+[a-z]?$/.test(step);
}

/** Merges new events into a bounded log: ordered by seq, no duplicates (a snapshot after a control call may repeat pushed ones). */
export function appendEvents(log: readonly StepEvent[], incoming: readonly StepEvent[], limit: number): StepEvent[] {
  const lastSeq = log.length ? log[log.length - 1]!.seq : -1;
  const fresh = incoming.filter((e) => e.seq > lastSeq).sort((a, b) => a.seq - b.seq);
  if (!fresh.length) return log as StepEvent[];
  const merged = log.concat(fresh);
  return merged.length > limit ? merged.slice(merged.length - limit) : merged;
}

// ------------------------------------------------------------------ cache grid

export interface SlotCell {
  key: string;
  volumeId: string;
  track: number;
  dirty: boolean;
  ageText: string;
  /** 0 (just written) .. 1 (a second or older), for shading. */
  ageShade: number;
}

export function cacheCells(c: CacheStatus): SlotCell[] {
  return c.slots
    .slice()
    .sort((a, b) => (a.volumeId === b.volumeId ? a.track - b.track : a.volumeId.localeCompare(b.volumeId)))
    .map((s) => ({
      key: `${s.volumeId}:${s.track}`,
      volumeId: s.volumeId,
      track: s.track,
      dirty: s.dirty,
      ageText: formatDurationMs(s.ageUs / 1000),
      ageShade: Math.max(0, Math.min(1, s.ageUs / 1_000_000)),
    }));
}

export interface SlotLocation {
  elementId: string;
  kind: string;
  systemId: string;
  /** "bytes 262,144..524,288" in that element's address space. */
  range: string;
}

/**
 * Where a cache slot's data lives in every element of the stack: down to the real volumes and back up to everything
 * that maps the same bytes (translate / translateUp through sameBytes). Unknown ids give an empty list rather than throw.
 */
export function slotLocations(t: Topology, slot: Pick<CacheSlotView, 'volumeId' | 'track'>): SlotLocation[] {
  const system = t.systems.find((s) => s.id === t.volumes.find((v) => v.id === slot.volumeId)?.systemId);
  const trackBytes = system?.trackBytes ?? 262144;
  try {
    return sameBytes(t, slot.volumeId, slot.track * trackBytes, trackBytes).map((h) => ({
      elementId: h.elementId,
      kind: h.kind,
      systemId: h.systemId,
      range: `bytes ${formatCount(h.offsetBytes)}..${formatCount(h.offsetBytes + h.lengthBytes)}`,
    }));
  } catch {
    return [];
  }
}

// ------------------------------------------------------------------ verify

export interface PairVerification {
  pairId: string;
  primaryVolumeId: string;
  secondaryVolumeId: string;
  identical: boolean;
  /** Plain words: "V21 and V22 are identical", or why they may differ. */
  text: string;
}

export interface Verification {
  allIdentical: boolean;
  pairs: PairVerification[];
  summary: string;
  /** Where in the run the hashes were taken: writes held at T, drained, resumed. */
  point?: string;
}

/** The volume ids to hash for verifying every pair. */
export function verifyVolumeIds(t: Topology): string[] {
  return [...new Set(t.pairs.flatMap((p) => [p.primaryVolumeId, p.secondaryVolumeId]))];
}

/** Where the comparison was made, in one line: "at 00:12.345, host writes held, drained in 1.2 ms, writes resumed". */
export function verifyPoint(v: VerifyResult): string {
  const parts = [`compared at ${formatClock(v.heldAtUs + v.drainedUs)}`];
  parts.push(v.writesResumed ? `host writes held at ${formatClock(v.heldAtUs)} and resumed once the volumes were frozen` : 'host writes stopped');
  parts.push(v.settled ? `drained in ${formatDurationMs(v.drainedUs / 1000)}, nothing in flight` : `still under way after ${formatDurationMs(v.drainedUs / 1000)} of draining: ${v.inFlight.join('; ')}`);
  parts.push(`the frozen copies hashed in ${formatDurationMs(v.hashWallMs)} while the run went on`);
  return parts.join('; ');
}

export function verifyPairs(t: Topology, hashes: Readonly<Record<string, string>>, snapshot: Snapshot | null, point?: VerifyResult): Verification {
  const pairs = t.pairs.map((p): PairVerification => {
    const a = hashes[p.primaryVolumeId];
    const b = hashes[p.secondaryVolumeId];
    const identical = a !== undefined && a === b;
    const status = snapshot?.pairs.find((s) => s.id === p.id);
    let text: string;
    if (a === undefined || b === undefined) text = `${p.primaryVolumeId} / ${p.secondaryVolumeId}: no hash (volume not in the run)`;
    else if (identical)
      text = `${p.primaryVolumeId} and ${p.secondaryVolumeId} are identical (sha256 ${a.slice(0, 12)}…)${status?.mode === 'async' && status.appliedSeq !== undefined ? `, journal applied up to sequence ${formatCount(status.appliedSeq)}` : ''}`;
    else {
      text = `${p.primaryVolumeId} and ${p.secondaryVolumeId} DIFFER`;
      if (status?.state === 'COPY') text += ' (a copy is still running)';
      else if (status && status.differentialTracks > 0) text += ` (${formatCount(status.differentialTracks)} tracks not yet copied, pair ${status.state})`;
      else if (status?.mode === 'async' && status.consistentAsOfUs !== undefined)
        text += ` (async: the secondary is consistent as of ${formatClock(status.consistentAsOfUs)}${status.appliedSeq !== undefined ? `, up to journal sequence ${formatCount(status.appliedSeq)} of ${formatCount(status.issuedSeq ?? status.appliedSeq)}` : ''})`;
      else if (status?.mode === 'async' && (status.lagBytes ?? 0) > 0) text += ` (async: ${bytes(status.lagBytes ?? 0)} still in the journal)`;
      else if (point && !point.settled) text += ` (not settled when hashed: ${point.inFlight.join('; ')})`;
      else if (!point) text += ' (hashed while the run was writing: writes in flight may differ; Verify holds the writes to compare)';
      else text += ' (no cause found: writes were held and the run had drained; this is a fault of the engine, please report it with the seed)';
    }
    return { pairId: p.id, primaryVolumeId: p.primaryVolumeId, secondaryVolumeId: p.secondaryVolumeId, identical, text };
  });
  const allIdentical = pairs.length > 0 && pairs.every((p) => p.identical);
  const summary = !pairs.length ? 'This topology has no pairs to verify.' : allIdentical ? 'All copies identical.' : `${pairs.filter((p) => !p.identical).length} of ${pairs.length} pair(s) differ.`;
  return { allIdentical, pairs, summary, ...(point ? { point: verifyPoint(point) } : {}) };
}

// ------------------------------------------------------------------ training

/** The steps of one traced write in the order they ran, S-steps and named actions alike. */
export function writeWalk(events: readonly StepEvent[], ioId: number): StepEvent[] {
  return events.filter((e) => e.ioId === ioId);
}

/** The event a single step should put on screen: the newest event of the traced write, else the newest event at all. */
export function focusEvent(events: readonly StepEvent[], ioId: number | null): StepEvent | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (ioId === null || e.ioId === ioId) return e;
  }
  return null;
}

/** Elements to highlight for an event: where it acts, then the others involved. */
export function highlightIds(e: StepEvent): string[] {
  return [e.elementId, ...(e.relatedIds ?? [])];
}

// ------------------------------------------------------------------ edits during a run

/** A cable edit the running engine takes as it goes (main/engine/live-edit.ts). */
export interface LiveCableEdit {
  type: 'setCable';
  cableId: string;
  distanceKm?: number;
  bandwidthMbps?: number;
}

/** The model without layout, and with every cable's distance and bandwidth blanked: what must not change for a live edit. */
function structureKey(t: Topology): string {
  const { layout: _layout, ...model } = t;
  return JSON.stringify({ ...model, cables: model.cables.map((c) => ({ ...c, distanceKm: 0, bandwidthMbps: 0 })) });
}

/**
 * What to send the running engine to bring it from the document it runs to the one being edited: cable distance and
 * bandwidth changes only. Null when anything else changed (the run is then out of date and must restart to show it).
 */
export function liveCableEdits(running: Topology, edited: Topology): LiveCableEdit[] | null {
  if (structureKey(running) !== structureKey(edited)) return null;
  const edits: LiveCableEdit[] = [];
  for (const c of edited.cables) {
    const was = running.cables.find((x) => x.id === c.id)!;
    if (was.distanceKm === c.distanceKm && was.bandwidthMbps === c.bandwidthMbps) continue;
    edits.push({
      type: 'setCable',
      cableId: c.id,
      ...(was.distanceKm !== c.distanceKm ? { distanceKm: c.distanceKm } : {}),
      ...(was.bandwidthMbps !== c.bandwidthMbps ? { bandwidthMbps: c.bandwidthMbps } : {}),
    });
  }
  return edits;
}

/** What changed in the model since the run started, in a few words for the "out of date" banner. */
export function modelChanges(running: Topology, edited: Topology): string {
  const changed: string[] = [];
  for (const list of ['sites', 'systems', 'hosts', 'ports', 'cables', 'volumes', 'lus', 'caches', 'pairs'] as const) {
    const before = new Map<string, string>((running[list] as { id: string }[]).map((e) => [e.id, JSON.stringify(e)]));
    const after = new Map<string, string>((edited[list] as { id: string }[]).map((e) => [e.id, JSON.stringify(e)]));
    for (const [id, e] of after) if (before.get(id) !== e) changed.push(before.has(id) ? id : `${id} added`);
    for (const id of before.keys()) if (!after.has(id)) changed.push(`${id} deleted`);
  }
  if (!changed.length) return 'settings of the topology';
  return changed.length > 4 ? `${changed.slice(0, 4).join(', ')} and ${changed.length - 4} more` : changed.join(', ');
}
