// Grading an exercise: one pure function shared by the live Exercise panel, the classroom report and `relaylab simulate`.
// What must have happened is read from the run's history of step events; what must hold, from the run's end facts.
import type { PairState, PairStatus, StepEvent } from '../engine/api';
import type { Exercise, ExerciseEnd, ExerciseEvent, Topology } from '../model/schema';
import { sizeBytesOf } from '../model/index-topology';

/** The run's history as far as grading reads it: its step events in order (the engine's pair-state, fault and repair events). */
export interface RunHistory {
  events: readonly StepEvent[];
}

/** The run as it is when checked: pair status, host counters, and the content hashes of the volumes the exercise compares. */
export interface EndFacts {
  timeUs: number;
  pairs: readonly Pick<PairStatus, 'id' | 'state' | 'primaryState' | 'secondaryState' | 'maxRpoMs'>[];
  hosts: readonly { id: string; writesFailed: number }[];
  /** Volume id -> content hash; a volume missing here was not hashed (its comparisons fail, saying so). */
  hashes?: Readonly<Record<string, string>>;
}

export interface GradedCheck {
  /** What is checked, in a trainee's words ("cable CN4 is cut"). */
  text: string;
  ok: boolean;
  /** Points this check is worth (earned when ok). */
  points: number;
  /** The evidence: when it happened, or what the run shows instead. */
  why: string;
  /** 'event': something that must have happened (from the history); 'end': a condition on the run as it is now. */
  kind: 'event' | 'end';
}

export interface ExerciseGrade {
  passed: boolean;
  /** Points of the checks met, out of `total`. */
  score: number;
  total: number;
  checks: GradedCheck[];
  message: string;
}

/** The step events the grader reads: a history may keep only these (traced writes' S-steps are not needed). */
export const HISTORY_STEPS: ReadonlySet<string> = new Set(['pair-state', 'fault', 'repair']);

/** Keeps the events a history needs, for callers that collect them from snapshots or the engine's onStep. */
export function isHistoryEvent(e: Pick<StepEvent, 'step'>): boolean {
  return HISTORY_STEPS.has(e.step);
}

const kindOf = (t: Topology, id: string) => (t.sites.some((s) => s.id === id) ? 'site' : t.systems.some((s) => s.id === id) ? 'system' : 'cable');

/** What a required event says, in a trainee's words. */
export function describeEvent(ev: ExerciseEvent, t: Topology): string {
  switch (ev.event) {
    case 'fault':
      return kindOf(t, ev.elementId) === 'cable' ? `cable ${ev.elementId} is cut` : `${kindOf(t, ev.elementId)} ${ev.elementId} fails`;
    case 'repair':
      return `${kindOf(t, ev.elementId)} ${ev.elementId} is restored`;
    case 'pairState':
      return `pair ${ev.pairId} goes ${ev.state}`;
    case 'differentialResync':
      return `pair ${ev.pairId} is resynchronised by a differential copy (its bitmap, not a full initial copy)`;
    case 'takeover':
      return `the secondary of pair ${ev.pairId} takes over (SSWS)`;
    case 'fenceLifted':
      return `the data fence of pair ${ev.pairId} is lifted`;
    case 'deltaResync':
      return `pair ${ev.pairId} is delta-resynchronised (only the records the remote lacks)`;
    case 'journalFull':
      return `the journal of pair ${ev.pairId} fills up (PFUL, PFUS or suspended full)`;
    case 'writeRefused':
      return ev.hostId ? `a write of host ${ev.hostId} is refused` : 'a host write is refused';
  }
}

/** What an end condition says, in a trainee's words. */
export function describeEnd(c: ExerciseEnd, t: Topology): string {
  switch (c.check) {
    case 'pairState':
      return c.side === 'pair' ? `pair ${c.pairId} is ${c.state}` : `the ${c.side} side of pair ${c.pairId} is ${c.state}`;
    case 'rpoBound':
      return `the RPO of pair ${c.pairId} stays within ${formatMs(c.maxMs)}`;
    case 'neverState':
      return `pair ${c.pairId} never goes ${c.states.join(' or ')}`;
    case 'identical':
      return `${c.volumeA} and ${c.volumeB} hold identical data`;
    case 'noAckedWriteLost': {
      const p = t.pairs.find((q) => q.id === c.pairId);
      return p ? `no acknowledged write is lost: every write ${p.primaryVolumeId} acknowledged is on ${p.secondaryVolumeId}` : `no acknowledged write of pair ${c.pairId} is lost`;
    }
    case 'noFullCopy':
      return c.pairId ? `no full copy of pair ${c.pairId} after it was in sync` : 'no full copy after the pairs were in sync';
    case 'noWriteRefused':
      return c.hostId ? `no write of host ${c.hostId} is refused` : 'no host write is refused';
  }
}

/** Volumes whose content hashes grading needs (the caller computes them: Verify in the app, the report's sha256 in the CLI). */
export function volumesToHash(exercise: Exercise, t: Topology): string[] {
  const out = new Set<string>();
  for (const c of exercise.atEnd) {
    if (c.check === 'identical') out.add(c.volumeA).add(c.volumeB);
    if (c.check === 'noAckedWriteLost') {
      const p = t.pairs.find((q) => q.id === c.pairId);
      if (p) out.add(p.primaryVolumeId).add(p.secondaryVolumeId);
    }
  }
  return [...out];
}

/** Events of the history that are pair `pairId` entering a state: [index, state, the reason after the colon]. */
function pairStateChange(e: StepEvent, pairId: string): { state: string; reason: string } | null {
  if (e.step !== 'pair-state' || e.elementId !== pairId) return null;
  const m = / is now ([A-Za-z]+)(?::\s*(.*))?$/s.exec(e.text);
  return m ? { state: m[1]!, reason: m[2] ?? '' } : null;
}

/** Tracks of a pair's primary volume (what a full copy sends). */
function volumeTracks(t: Topology, pairId: string): number | undefined {
  const pair = t.pairs.find((p) => p.id === pairId);
  if (!pair) return undefined;
  const size = sizeBytesOf(t, pair.primaryVolumeId);
  const system = t.systems.find((s) => s.id === t.volumes.find((v) => v.id === pair.primaryVolumeId)?.systemId);
  return size === undefined ? undefined : Math.ceil(size / (system?.trackBytes ?? 262144));
}

type Found = { index: number; timeUs: number; note?: string };

/** The first event at or after `from` that shows `ev` happened. */
function findEvent(ev: Exclude<ExerciseEvent, { event: 'writeRefused' }>, events: readonly StepEvent[], from: number, t: Topology): Found | null {
  const systemsOfSite = new Set(ev.event === 'fault' || ev.event === 'repair' ? t.systems.filter((s) => s.siteId === ev.elementId).map((s) => s.id) : []);
  let toCopy: number | undefined;
  let fullTracks = ev.event === 'differentialResync' ? volumeTracks(t, ev.pairId) : undefined;
  for (let i = from; i < events.length; i++) {
    const e = events[i]!;
    const at = { index: i, timeUs: e.timeUs };
    switch (ev.event) {
      case 'fault':
      case 'repair':
        if (e.step === ev.event && (e.elementId === ev.elementId || systemsOfSite.has(e.elementId))) return at;
        break;
      case 'pairState':
        if (pairStateChange(e, ev.pairId)?.state === ev.state) return at;
        break;
      case 'takeover':
        if (pairStateChange(e, ev.pairId)?.state === 'SSWS') return at;
        break;
      case 'fenceLifted':
        if (e.step === 'pair-state' && e.elementId === ev.pairId && /fence on .* is lifted/.test(e.text)) return at;
        break;
      case 'deltaResync': {
        const c = pairStateChange(e, ev.pairId);
        if (c?.state === 'PAIR' && c.reason.startsWith('delta resync')) return { ...at, note: c.reason.replace(/^delta resync:\s*/, '') };
        break;
      }
      case 'journalFull': {
        const c = pairStateChange(e, ev.pairId);
        if (c && (c.state === 'PFUL' || c.state === 'PFUS' || (c.state === 'PSUE' && /journal .* is full/.test(c.reason)))) return { ...at, note: c.state };
        break;
      }
      case 'differentialResync': {
        // Differential: a resync that copies the tracks its bitmap recorded (pairresync), not an initial copy of the whole
        // volume (paircreate after a delete). After a long outage of random writes the bitmap may cover every track; it is
        // still a resync. While the host keeps writing, tracks written again during the copy are sent again.
        const c = pairStateChange(e, ev.pairId);
        if (!c) break;
        const started = /^(.*): (\d+) track\(s\) to copy/.exec(c.reason);
        if (c.state === 'COPY' && started) {
          // An initial copy is the full volume: it tells how many tracks a full copy sends when the document does not.
          const initial = started[1]!.startsWith('initial copy');
          if (initial) fullTracks ??= Number(started[2]);
          toCopy = initial ? undefined : Number(started[2]);
          break;
        }
        const done = c.state === 'PAIR' ? /^copy complete \((\d+) track\(s\) sent\)/.exec(c.reason) : null;
        if (done && toCopy !== undefined)
          return { ...at, note: `${count(toCopy)} of ${fullTracks === undefined ? '?' : count(fullTracks)} tracks to copy, ${count(Number(done[1]))} sent` };
        if (c.state !== 'COPY') toCopy = undefined;
        break;
      }
    }
  }
  return null;
}

const count = (n: number) => n.toLocaleString('en-US');

function refusedWrites(end: EndFacts, hostId: string | undefined): number {
  return end.hosts.filter((h) => hostId === undefined || h.id === hostId).reduce((n, h) => n + h.writesFailed, 0);
}

function statesEntered(events: readonly StepEvent[], pairId: string): { state: string; timeUs: number }[] {
  const out: { state: string; timeUs: number }[] = [];
  for (const e of events) {
    const c = pairStateChange(e, pairId);
    if (c) out.push({ state: c.state, timeUs: e.timeUs });
  }
  return out;
}

/** Pairs whose initial (full) copy started again after they had been in PAIR. */
function fullCopiesAfterSync(events: readonly StepEvent[]): Set<string> {
  const reached = new Set<string>();
  const copied = new Set<string>();
  for (const e of events) {
    if (e.step !== 'pair-state') continue;
    const m = / is now ([A-Za-z]+)(?::\s*(.*))?$/s.exec(e.text);
    if (!m) continue;
    if (m[1] === 'PAIR') reached.add(e.elementId);
    else if (m[1] === 'COPY' && (m[2] ?? '').startsWith('initial copy') && reached.has(e.elementId)) copied.add(e.elementId);
  }
  return copied;
}

function endCheck(c: ExerciseEnd, history: RunHistory, end: EndFacts, t: Topology): { ok: boolean; why: string } {
  const pair = 'pairId' in c && c.pairId !== undefined ? end.pairs.find((p) => p.id === c.pairId) : undefined;
  const hash = (id: string) => end.hashes?.[id];
  const same = (a: string, b: string): { ok: boolean; why: string } => {
    const ha = hash(a);
    const hb = hash(b);
    if (ha === undefined || hb === undefined) return { ok: false, why: `the content of ${ha === undefined ? a : b} was not compared (run Verify)` };
    return ha === hb ? { ok: true, why: `the content hashes match (${ha.slice(0, 12)}…)` } : { ok: false, why: `their content differs (${ha.slice(0, 8)}… vs ${hb.slice(0, 8)}…)` };
  };
  switch (c.check) {
    case 'pairState': {
      if (!pair) return { ok: false, why: 'the pair is not in this run' };
      const actual: PairState = c.side === 'primary' ? (pair.primaryState ?? pair.state) : c.side === 'secondary' ? (pair.secondaryState ?? pair.state) : pair.state;
      return { ok: actual === c.state, why: `it is ${actual}` };
    }
    case 'rpoBound': {
      if (!pair) return { ok: false, why: 'the pair is not in this run' };
      if (pair.maxRpoMs === undefined) return { ok: false, why: 'the pair reports no RPO (is it asynchronous?)' };
      return { ok: pair.maxRpoMs <= c.maxMs, why: `its largest RPO was ${formatMs(pair.maxRpoMs)}` };
    }
    case 'neverState': {
      const bad = statesEntered(history.events, c.pairId).find((s) => (c.states as string[]).includes(s.state));
      if (bad) return { ok: false, why: `it went ${bad.state} at ${formatClockUs(bad.timeUs)}` };
      if (pair && (c.states as string[]).includes(pair.state)) return { ok: false, why: `it is ${pair.state}` };
      return { ok: true, why: 'it did not' };
    }
    case 'identical':
      return same(c.volumeA, c.volumeB);
    case 'noAckedWriteLost': {
      const p = t.pairs.find((q) => q.id === c.pairId);
      if (!p) return { ok: false, why: 'the pair is not in this topology' };
      return same(p.primaryVolumeId, p.secondaryVolumeId);
    }
    case 'noFullCopy': {
      const copied = [...fullCopiesAfterSync(history.events)].filter((id) => c.pairId === undefined || id === c.pairId);
      return copied.length ? { ok: false, why: `a full copy ran again on ${copied.join(', ')} (only a differential copy is allowed)` } : { ok: true, why: 'none ran' };
    }
    case 'noWriteRefused': {
      const n = refusedWrites(end, c.hostId);
      return { ok: n === 0, why: n === 0 ? 'none was' : `${n.toLocaleString('en-US')} write(s) were refused` };
    }
  }
}

/**
 * Grades an exercise: what must have happened, read from the run's history (in order when the exercise says so; a
 * refused host write is read from the hosts' counters, so it takes no place in the order), then what must hold at the
 * end. Passed when every check is met; the score is the sum of the points of the checks met.
 */
export function gradeExercise(exercise: Exercise, history: RunHistory, end: EndFacts, t: Topology): ExerciseGrade {
  const checks: GradedCheck[] = [];
  let cursor = 0;
  let previous: string | null = null;
  for (const ev of exercise.mustHappen) {
    const text = describeEvent(ev, t);
    if (ev.event === 'writeRefused') {
      const n = refusedWrites(end, ev.hostId);
      checks.push({ kind: 'event', text, points: ev.points, ok: n > 0, why: n > 0 ? `${n.toLocaleString('en-US')} write(s) were refused` : 'this has not happened in this run' });
      continue;
    }
    const found = findEvent(ev, history.events, exercise.inOrder ? cursor : 0, t);
    if (found) {
      checks.push({ kind: 'event', text, points: ev.points, ok: true, why: `at ${formatClockUs(found.timeUs)}${found.note ? `, ${found.note}` : ''}` });
      cursor = found.index + 1;
    } else {
      const anywhere = exercise.inOrder && cursor > 0 ? findEvent(ev, history.events, 0, t) : null;
      checks.push({ kind: 'event', text, points: ev.points, ok: false, why: anywhere && previous ? `it happened, but not after "${previous}"` : 'this has not happened in this run' });
    }
    previous = text;
  }
  for (const c of exercise.atEnd) checks.push({ kind: 'end', text: describeEnd(c, t), points: c.points, ...endCheck(c, history, end, t) });
  const total = checks.reduce((n, c) => n + c.points, 0);
  const score = checks.reduce((n, c) => n + (c.ok ? c.points : 0), 0);
  const passed = checks.length > 0 && checks.every((c) => c.ok);
  const failed = checks.filter((c) => !c.ok).length;
  const missedEvents = checks.filter((c) => c.kind === 'event' && !c.ok).length;
  return {
    passed,
    score,
    total,
    checks,
    message: passed
      ? `Passed (${score} of ${total} points): the run did what the task asks, and reached the expected outcome.`
      : checks.length === 0
        ? 'This exercise has no checks yet.'
        : `Not yet (${score} of ${total} points): ${failed} of ${checks.length} check${checks.length === 1 ? '' : 's'} not met${missedEvents ? ` (${missedEvents} required event${missedEvents === 1 ? '' : 's'} missing from the run)` : ''}.`,
  };
}

/** One line per check as the panel, the CLI and the instructor page show it. */
export function checkLine(c: Pick<GradedCheck, 'text' | 'why'>): string {
  return `${c.text}: ${c.why}`;
}

function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 60 ? `${Number(s.toFixed(1))} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function formatClockUs(timeUs: number): string {
  const totalMs = Math.max(0, Math.floor(timeUs / 1000));
  const m = Math.floor(totalMs / 60_000);
  const s = Math.floor((totalMs % 60_000) / 1000);
  return `${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(totalMs % 1000).padStart(3, '0')}`;
}
