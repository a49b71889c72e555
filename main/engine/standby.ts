// The delta-resync standby's own states (Hitachi 3DC, Universal Replicator user guide "delta resync" pair status;
// DOMAIN.md "3DC cascade"): HOLDING while it is being prepared (its journal set up with the remote, at the start and
// after its path comes back), HOLD when ready, HLDE when its journal cannot be used (its cable to the remote down, or
// the journal wrapped). The kept writes (delta-resync.ts recordDelta) are kept in all three (`standsBy` in the pair-rules table).
import type { EngineState } from './state';
import type { PairRt } from './pairs';
import type { LinkRt } from './links';
import { setState } from './pair-states';
import { defineEvent } from './sim';

/** Time to set the standby's journal up with the remote: one exchange over its cable (a round trip plus the remote's CHA). */
function preparationUs(core: EngineState, s: PairRt): number {
  const link = s.route?.link;
  const cha = core.wiring.systems.get(core.volume(s.secondaryId).systemId)?.chaProcessingUs ?? 0;
  return link ? 2 * link.oneWayUs + cha : 0;
}

/** A standby starts (or starts again): HOLDING while its journal is prepared, then HOLD; HLDE when it cannot be. */
export function prepareStandby(core: EngineState, s: PairRt, why: string): void {
  if (!usable(core, s)) return standbyError(core, s);
  setState(core, s, 'HOLDING', `${why}: the delta-resync standby's journal is being set up with ${s.secondaryId}`);
  const gen = ++s.standbyGen;
  core.sched.post(core.nowUs + preparationUs(core, s), STANDBY_PREPARED, { s, gen });
}

/** The standby's journal is set up with the remote (unless it was restarted or stopped meanwhile). */
const STANDBY_PREPARED = defineEvent<EngineState, { s: PairRt; gen: number }>('standby-prepared', (core, { s, gen }) => {
  if (s.standbyGen !== gen || s.state !== 'HOLDING') return;
  if (!usable(core, s)) return standbyError(core, s);
  setState(core, s, 'HOLD', `delta-resync standby ready: keeps the primary's writes until the remote has them through the relay`);
});

/** Whether the standby's journal can be used: its cable to the remote is up and it has not wrapped. */
function usable(core: EngineState, s: PairRt): boolean {
  return (s.route?.link.up ?? false) && !s.deltaWrapped;
}

/** HLDE, with the reason: the path or the journal. */
function standbyError(core: EngineState, s: PairRt): void {
  s.standbyGen++;
  const why = s.deltaWrapped
    ? `the standby journal wrapped: the oldest writes the remote may lack are gone, so a delta resync would be a full copy`
    : `its cable ${s.route?.link.id ?? '(none)'} to ${s.secondaryId} is down: the standby journal cannot be used`;
  setState(core, s, 'HLDE', why);
}

/** The journal wrapped while keeping writes: HLDE (delta-resync.ts recordDelta calls this). */
export function standbyWrapped(core: EngineState, s: PairRt): void {
  if (s.state === 'HOLD' || s.state === 'HOLDING') standbyError(core, s);
}

/** A cable was cut: standbys that use it go HLDE. */
export function standbyPathCut(core: EngineState, link: LinkRt): void {
  for (const s of core.standbyPairs) if (s.route?.link === link && (s.state === 'HOLD' || s.state === 'HOLDING')) standbyError(core, s);
}

/** A cable came back: a standby in HLDE for its path is prepared again (HOLDING, then HOLD). */
export function standbyPathRestored(core: EngineState, link: LinkRt): void {
  for (const s of core.standbyPairs) if (s.route?.link === link && s.state === 'HLDE' && !s.deltaWrapped) prepareStandby(core, s, `cable ${link.id} restored`);
}
