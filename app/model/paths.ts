// Routes through the wiring: cabled paths between systems (initiator -> target), the route a pair's data takes, and link delay.
import type { Cable, Port, Topology } from './schema';
import { indexTopology } from './index-topology';
import { volumesAbove } from '../tables/translate';

/** Light in fibre: about 5 us per km, one way. */
export const US_PER_KM = 5;

/** One-way propagation delay of a cable in microseconds (distanceKm x 5 us). */
export function oneWayDelayUs(cable: Pick<Cable, 'distanceKm'>): number {
  return cable.distanceKm * US_PER_KM;
}

/**
 * Protocol overhead on a replication link: bytes on the wire per byte of data. 1.1 covers FC frame headers (36 bytes
 * per 2 KiB frame, ~2%) plus FCIP/iSCSI and TCP/IP encapsulation (~5-8%). ONE constant: the engine's cables
 * (main/engine/links.ts) serialise with it and the planning formulas (app/planning/formulas.ts) size links with it, so
 * the cross-check compares one model (DOMAIN.md "Numbers": serialisation = bytes / bandwidth, on the wire).
 */
export const PROTOCOL_OVERHEAD = 1.1;

/** Time to put `bytes` of data on the wire, in microseconds (1 Mbps carries 1 bit per microsecond), overhead included. */
export function serialisationUs(cable: Pick<Cable, 'bandwidthMbps'>, bytes: number): number {
  return (bytes * 8 * PROTOCOL_OVERHEAD) / cable.bandwidthMbps;
}

/**
 * What one synchronous write of `bytes` adds on this hop, before processing:
 * roundTripsPerWrite x 2 x distanceKm x 5 us + bytes x 8 / bandwidthMbps.
 */
export function syncHopWriteUs(cable: Pick<Cable, 'distanceKm' | 'bandwidthMbps' | 'roundTripsPerWrite'>, bytes = 4096): number {
  return cable.roundTripsPerWrite * 2 * oneWayDelayUs(cable) + serialisationUs(cable, bytes);
}

const sends = (p: Port) => p.kind === 'initiator' || p.kind === 'switchable';
const receives = (p: Port) => p.kind === 'target' || p.kind === 'switchable';

/** The ends of a cable in command direction (initiator -> target); null when neither way fits the port kinds. */
export function cableDirection(t: Topology, cable: Cable): { initiatorPortId: string; targetPortId: string } | null {
  const ix = indexTopology(t);
  const a = ix.ports.get(cable.aPortId);
  const b = ix.ports.get(cable.bPortId);
  if (!a || !b) return null;
  if (sends(a) && receives(b) && !(a.kind === 'switchable' && b.kind === 'initiator')) return { initiatorPortId: a.id, targetPortId: b.id };
  if (sends(b) && receives(a)) return { initiatorPortId: b.id, targetPortId: a.id };
  return null;
}

/** One cable crossed in command direction. */
export interface CabledHop {
  initiatorPortId: string;
  cableId: string;
  targetPortId: string;
  /** System that owns the target port (where the hop arrives). */
  toSystemId: string;
}

export interface CabledPath {
  /** Systems visited, first to last. */
  systemIds: string[];
  hops: CabledHop[];
}

/** Cables leaving a system in command direction: from its initiator (or switchable) ports to target (or switchable) ports of other systems. */
function outgoingHops(t: Topology, systemId: string): CabledHop[] {
  const ix = indexTopology(t);
  const out: CabledHop[] = [];
  for (const port of ix.portsByOwner.get(systemId) ?? []) {
    if (!sends(port)) continue;
    for (const cable of ix.cablesByPort.get(port.id) ?? []) {
      const otherId = cable.aPortId === port.id ? cable.bPortId : cable.aPortId;
      const other = ix.ports.get(otherId);
      if (!other || !receives(other)) continue;
      if (!ix.systems.has(other.ownerId)) continue;
      out.push({ initiatorPortId: port.id, cableId: cable.id, targetPortId: other.id, toSystemId: other.ownerId });
    }
  }
  return out;
}

/**
 * The shortest cabled path (fewest cables) from one system to another, each cable crossed from an
 * initiator to a target. A system to itself is the empty path. Null when they are not connected that way.
 */
export function findCabledPath(t: Topology, fromSystemId: string, toSystemId: string): CabledPath | null {
  const ix = indexTopology(t);
  if (!ix.systems.has(fromSystemId) || !ix.systems.has(toSystemId)) return null;
  if (fromSystemId === toSystemId) return { systemIds: [fromSystemId], hops: [] };
  const cameBy = new Map<string, CabledHop | null>([[fromSystemId, null]]);
  const queue = [fromSystemId];
  for (let head = 0; head < queue.length; head++) {
    const sys = queue[head]!;
    for (const hop of outgoingHops(t, sys)) {
      if (cameBy.has(hop.toSystemId)) continue;
      cameBy.set(hop.toSystemId, hop);
      if (hop.toSystemId === toSystemId) {
        const hops: CabledHop[] = [];
        for (let at: string = toSystemId; ; ) {
          const h = cameBy.get(at);
          if (!h) break;
          hops.unshift(h);
          at = ix.ports.get(h.initiatorPortId)!.ownerId;
        }
        return { systemIds: [fromSystemId, ...hops.map((h) => h.toSystemId)], hops };
      }
      queue.push(hop.toSystemId);
    }
  }
  return null;
}

/** The way a pair's data travels: primary system's initiator port -> cable -> target port exposing an LU onto the secondary. */
export interface PairRoute {
  pairId: string;
  primarySystemId: string;
  secondarySystemId: string;
  initiatorPortId: string;
  cableId: string;
  targetPortId: string;
  /** The LU written to: on the secondary volume itself, or on a volume stacked on it. */
  luId: string;
  oneWayDelayUs: number;
}

/**
 * The route of a pair's updates, or null when there is none: an initiator (or switchable) port of the
 * primary's system, a cable, and a target port of the secondary's system exposing an LU onto the
 * secondary volume (or onto a volume stacked on it). An LU directly on the secondary is preferred.
 */
export function pairRoute(t: Topology, pairId: string): PairRoute | null {
  const ix = indexTopology(t);
  const pair = ix.pairs.get(pairId);
  if (!pair) return null;
  const primary = ix.volumes.get(pair.primaryVolumeId);
  const secondary = ix.volumes.get(pair.secondaryVolumeId);
  if (!primary || !secondary) return null;
  const above = new Set(volumesAbove(t, secondary.id));
  let fallback: PairRoute | null = null;
  for (const hop of outgoingHops(t, primary.systemId).concat(internalLoops(t, primary.systemId))) {
    if (hop.toSystemId !== secondary.systemId) continue;
    for (const lu of ix.lusByPort.get(hop.targetPortId) ?? []) {
      const direct = lu.volumeId === secondary.id;
      if (!direct && !above.has(lu.volumeId)) continue;
      const route: PairRoute = {
        pairId,
        primarySystemId: primary.systemId,
        secondarySystemId: secondary.systemId,
        initiatorPortId: hop.initiatorPortId,
        cableId: hop.cableId,
        targetPortId: hop.targetPortId,
        luId: lu.id,
        oneWayDelayUs: oneWayDelayUs(ix.cables.get(hop.cableId)!),
      };
      if (direct) return route;
      fallback ??= route;
    }
  }
  return fallback;
}

/** Internal loops of a system (FIG. 1's CN3), in command direction. */
function internalLoops(t: Topology, systemId: string): CabledHop[] {
  const ix = indexTopology(t);
  const out: CabledHop[] = [];
  for (const port of ix.portsByOwner.get(systemId) ?? []) {
    if (!sends(port)) continue;
    for (const cable of ix.cablesByPort.get(port.id) ?? []) {
      const otherId = cable.aPortId === port.id ? cable.bPortId : cable.aPortId;
      const other = ix.ports.get(otherId);
      if (other && other.ownerId === systemId && receives(other))
        out.push({ initiatorPortId: port.id, cableId: cable.id, targetPortId: other.id, toSystemId: systemId });
    }
  }
  return out;
}

/** Cables a host reaches an LU through: host port -> cable -> the LU's port. Empty when the host cannot reach it. */
export function hostCablesToLu(t: Topology, hostId: string, luId: string): Cable[] {
  const ix = indexTopology(t);
  const lu = ix.lus.get(luId);
  if (!lu) return [];
  const out: Cable[] = [];
  for (const port of ix.portsByOwner.get(hostId) ?? []) {
    for (const cable of ix.cablesByPort.get(port.id) ?? []) {
      const otherId = cable.aPortId === port.id ? cable.bPortId : cable.aPortId;
      if (otherId === lu.portId) out.push(cable);
    }
  }
  return out;
}
