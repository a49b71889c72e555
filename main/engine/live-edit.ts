// Edits the engine can take while a run goes on (a cable's distance or bandwidth): applied to the running model, from now on.
import type { CommandResult, EngineCommand } from '../../app/engine/api';
import { US_PER_KM } from './runtime';
import type { LinkRt } from './runtime';

type SetCable = Extract<EngineCommand, { type: 'setCable' }>;

/**
 * Changes a cable's propagation delay and bandwidth for every transfer booked from now on; transfers already on the wire
 * keep the times they were booked with (they left under the old figures). Deterministic: the driver records it on the run's
 * timeline like any other command, so a seek replays it at the same virtual time.
 */
export function applyCableEdit(links: ReadonlyMap<string, LinkRt>, c: SetCable): CommandResult {
  const link = links.get(c.cableId);
  if (!link) return { ok: false, reason: `no cable ${c.cableId}` };
  const changed: string[] = [];
  if (c.distanceKm !== undefined) {
    link.oneWayUs = c.distanceKm * US_PER_KM;
    changed.push(`${c.distanceKm} km`);
  }
  if (c.bandwidthMbps !== undefined) {
    link.bitsPerUs = c.bandwidthMbps;
    changed.push(`${c.bandwidthMbps} Mbit/s`);
  }
  return { ok: true, message: changed.length ? `cable ${c.cableId} now ${changed.join(', ')} (applied to the running run)` : `cable ${c.cableId} unchanged` };
}
