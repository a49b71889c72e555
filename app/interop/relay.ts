// Which pair feeds which through a relay: a pair whose primary shares storage with another pair's secondary in the same system carries the same data on.
import { indexTopology } from '../model/index-topology';
import type { Pair, Topology } from '../model/schema';

/** Volumes below a volume inside its own system (ranges, aliases, LUs of the same system): what it stores its data on. */
export function lowerClosure(t: Topology, volumeId: string): Set<string> {
  const ix = indexTopology(t);
  const systemId = ix.volumes.get(volumeId)?.systemId;
  const seen = new Set<string>();
  const stack = [volumeId];
  while (stack.length && seen.size < 10_000) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    const lu = ix.lus.get(id);
    if (lu) {
      stack.push(lu.volumeId);
      continue;
    }
    const v = ix.volumes.get(id);
    if (!v || v.systemId !== systemId) continue;
    seen.add(id);
    if (v.kind === 'virtual') for (const r of v.ranges) stack.push(r.lowerId);
    if (v.kind === 'virtualReal') stack.push(v.aliasOfId);
  }
  return seen;
}

/**
 * For each pair, the pair feeding its primary: the one whose secondary is the same volume, or a volume stacked on the
 * same storage in the same system (the patent's relay: V12 and V21 on one real volume).
 */
export function relayFeeders(t: Topology): (p: Pair) => Pair | undefined {
  const ix = indexTopology(t);
  const sys = (v: string) => ix.volumes.get(v)?.systemId;
  const closure = new Map<string, Set<string>>();
  const below = (v: string) => closure.get(v) ?? (closure.set(v, lowerClosure(t, v)), closure.get(v)!);
  return (p) =>
    t.pairs.find((q) => q !== p && sys(q.secondaryVolumeId) === sys(p.primaryVolumeId) && [...below(q.secondaryVolumeId)].some((v) => below(p.primaryVolumeId).has(v)));
}
