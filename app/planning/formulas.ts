// Closed-form what-if sizing for replication links: write latency, link bandwidth, async RPO, journal, copy and resync times.
//
// Every function is pure and takes and returns plain numbers whose unit is in the name.
// Sources are DOMAIN.md 'Numbers' (light in fibre ~5 us/km one way; a plain SCSI write over FC
// takes 2 round trips, "fast write" 1; Hitachi's journal rule) unless a comment says otherwise.
// Bandwidth in Mbps is bits per microsecond, which keeps the serialisation arithmetic short.

import { PROTOCOL_OVERHEAD } from '../model/paths';

/** One-way delay of light in fibre, microseconds per km (204,000 km/s is 4.9 us/km; 5 keeps the 1 ms per 100 km round-trip rule). */
export const FIBRE_US_PER_KM = 5;

/**
 * Protocol overhead on a replication link: bytes on the wire per byte of host data. The engine's cables use the same
 * constant (app/model/paths.ts PROTOCOL_OVERHEAD: one model, one overhead); overridable here for what-if sizing.
 */
export const DEFAULT_PROTOCOL_OVERHEAD = PROTOCOL_OVERHEAD;

/** One-way propagation delay over `distanceKm` of fibre. */
export function propagationOneWayUs(distanceKm: number): number {
  return distanceKm * FIBRE_US_PER_KM;
}

/** Round-trip delay over `distanceKm`: 2 x distance x 5 us (1 ms per 100 km). */
export function roundTripUs(distanceKm: number): number {
  return 2 * propagationOneWayUs(distanceKm);
}

/** Time to clock `bytes` onto a link of `bandwidthMbps`: bytes x 8 / Mbps (Mbit/s = bit/us). */
export function serialisationUs(bytes: number, bandwidthMbps: number): number {
  if (!(bandwidthMbps > 0)) return Infinity;
  return (bytes * 8) / bandwidthMbps;
}

/** What a synchronous hop is made of. */
export interface SyncHopInput {
  distanceKm: number;
  /** 2 for plain SCSI over FC (command, transfer-ready, data, status), 1 with "fast write". */
  roundTripsPerWrite: number;
  blockBytes: number;
  bandwidthMbps: number;
  /** CHA processing on the sending side (the initiator port issuing the remote write). */
  senderProcessingUs: number;
  /** CHA processing on the receiving side (the target port storing the data in cache, S11-S14). */
  receiverProcessingUs: number;
}

/** The terms of one hop's response time, so that a plan can show where the time goes. */
export interface SyncHopBreakdownUs {
  processingUs: number;
  roundTripsUs: number;
  serialisationUs: number;
  totalUs: number;
}

/**
 * Response time a synchronous hop adds to a host write:
 *   sender CHA processing + roundTripsPerWrite x 2 x distanceKm x 5 us + blockBytes x overhead x 8 / bandwidthMbps + receiver CHA processing.
 * The data crosses the link once, so serialisation is counted once whatever the round trips; on the wire it carries the
 * protocol overhead, as in the engine.
 */
export function syncHopBreakdownUs(hop: SyncHopInput): SyncHopBreakdownUs {
  const processingUs = hop.senderProcessingUs + hop.receiverProcessingUs;
  const roundTripsUs = hop.roundTripsPerWrite * roundTripUs(hop.distanceKm);
  const serial = serialisationUs(hop.blockBytes * DEFAULT_PROTOCOL_OVERHEAD, hop.bandwidthMbps);
  return { processingUs, roundTripsUs, serialisationUs: serial, totalUs: processingUs + roundTripsUs + serial };
}

export function syncHopResponseUs(hop: SyncHopInput): number {
  return syncHopBreakdownUs(hop).totalUs;
}

/** The host's own link to the local system's target port, and the local system's processing of the write. */
export interface HostAccessInput {
  distanceKm: number;
  roundTripsPerWrite: number;
  blockBytes: number;
  bandwidthMbps: number;
  localProcessingUs: number;
}

/** Host -> local target port: round trips + serialisation + local CHA processing (storing into cache, S14's equivalent). */
export function hostAccessUs(access: HostAccessInput): number {
  return (
    access.roundTripsPerWrite * roundTripUs(access.distanceKm) +
    serialisationUs(access.blockBytes * DEFAULT_PROTOCOL_OVERHEAD, access.bandwidthMbps) +
    access.localProcessingUs
  );
}

/**
 * Host write latency through a chain of synchronous hops: the local system acknowledges the host only after
 * every synchronous hop behind it has acknowledged (the seed's S14 -> local ack -> host ack), so the hops add up.
 * Asynchronous hops add nothing here.
 */
export function hostWriteLatencyUs(access: HostAccessInput, syncHops: readonly SyncHopInput[]): number {
  return syncHops.reduce((sum, hop) => sum + syncHopResponseUs(hop), hostAccessUs(access));
}

/** Host write rate in bytes per second. */
export function writeBytesPerSecond(writeIops: number, blockBytes: number): number {
  return writeIops * blockBytes;
}

/** Link bandwidth needed to carry a write rate: bytes/s x 8 x overhead / 1e6. */
export function requiredLinkMbps(writeBytesPerSec: number, overheadFactor = DEFAULT_PROTOCOL_OVERHEAD): number {
  return (writeBytesPerSec * 8 * overheadFactor) / 1e6;
}

/** Average and peak bandwidth: peak = average x peakToAverage (a sync link must carry the peak or host writes queue behind it). */
export function requiredLinkMbpsAvgPeak(
  writeBytesPerSec: number,
  peakToAverage: number,
  overheadFactor = DEFAULT_PROTOCOL_OVERHEAD,
): { averageMbps: number; peakMbps: number } {
  const averageMbps = requiredLinkMbps(writeBytesPerSec, overheadFactor);
  return { averageMbps, peakMbps: averageMbps * Math.max(1, peakToAverage) };
}

/** Payload bytes per second a link carries after protocol overhead: Mbps x 1e6 / 8 / overhead. */
export function linkPayloadBytesPerSecond(bandwidthMbps: number, overheadFactor = DEFAULT_PROTOCOL_OVERHEAD): number {
  return (bandwidthMbps * 1e6) / 8 / overheadFactor;
}

/** Share of the link's payload capacity a write rate uses (>= 1 means it cannot keep up). */
export function linkUtilisation(writeBytesPerSec: number, bandwidthMbps: number, overheadFactor = DEFAULT_PROTOCOL_OVERHEAD): number {
  const capacity = linkPayloadBytesPerSecond(bandwidthMbps, overheadFactor);
  return capacity > 0 ? writeBytesPerSec / capacity : Infinity;
}

/**
 * Mean wait in the link's queue with utilisation rho < 1, M/D/1 (Poisson arrivals, fixed-size writes):
 *   Wq = rho x S / (2 (1 - rho)), S = the service (serialisation) time of one write.
 * Pollaczek-Khinchine with a deterministic service time.
 */
export function queueWaitUs(serviceUs: number, utilisation: number): number {
  if (utilisation >= 1) return Infinity;
  if (utilisation <= 0) return 0;
  return (utilisation * serviceUs) / (2 * (1 - utilisation));
}

export interface AsyncHopInput {
  distanceKm: number;
  /** Round trips a write needs on the link; 2 (plain SCSI) makes the data arrive after 1.5 round trips. Default 1. */
  roundTripsPerWrite?: number;
  bandwidthMbps: number;
  writeIops: number;
  blockBytes: number;
  /** CHA processing on the receiving side before the write is applied. */
  receiverProcessingUs: number;
  overheadFactor?: number;
}

/** Expected RPO of an asynchronous hop: bounded with the terms that make it, or growing without bound. */
export type AsyncRpo =
  | {
      bounded: true;
      rpoMs: number;
      propagationMs: number;
      serialisationMs: number;
      queueingMs: number;
      processingMs: number;
      utilisation: number;
    }
  | {
      bounded: false;
      utilisation: number;
      /** The lag grows by this many ms for every second of writing: 1000 x (1 - linkRate / writeRate). */
      growthMsPerSecond: number;
      /** Bytes the backlog (journal) grows per second: write rate - link payload rate. */
      backlogBytesPerSecond: number;
    };

/**
 * Expected RPO of an asynchronous hop in steady state: how old a write is when the secondary applies it,
 *   (2 x roundTripsPerWrite - 1) x one-way propagation (command and transfer-ready first with plain SCSI, then the data)
 *   + serialisation (on the wire, overhead included) + M/D/1 queueing + receiver processing,
 * while utilisation < 1. When the link carries less than the write rate the journal backlog grows by
 * (write rate - link rate) every second and the RPO with it: after t seconds of writing the secondary holds
 * the writes of the first t x linkRate / writeRate seconds, so RPO(t) = t x (1 - linkRate / writeRate).
 */
export function asyncRpo(hop: AsyncHopInput): AsyncRpo {
  const overhead = hop.overheadFactor ?? DEFAULT_PROTOCOL_OVERHEAD;
  const writeRate = writeBytesPerSecond(hop.writeIops, hop.blockBytes);
  const linkRate = linkPayloadBytesPerSecond(hop.bandwidthMbps, overhead);
  const utilisation = linkRate > 0 ? writeRate / linkRate : Infinity;
  if (utilisation >= 1) {
    return {
      bounded: false,
      utilisation,
      growthMsPerSecond: 1000 * (1 - linkRate / writeRate),
      backlogBytesPerSecond: writeRate - linkRate,
    };
  }
  const serviceUs = serialisationUs(hop.blockBytes * overhead, hop.bandwidthMbps);
  const legs = 2 * (hop.roundTripsPerWrite ?? 1) - 1;
  const propagationMs = (legs * propagationOneWayUs(hop.distanceKm)) / 1000;
  const serialisationMs = serviceUs / 1000;
  const queueingMs = queueWaitUs(serviceUs, utilisation) / 1000;
  const processingMs = hop.receiverProcessingUs / 1000;
  return {
    bounded: true,
    rpoMs: propagationMs + serialisationMs + queueingMs + processingMs,
    propagationMs,
    serialisationMs,
    queueingMs,
    processingMs,
    utilisation,
  };
}

/**
 * Journal capacity needed to ride through `durationSeconds` (Hitachi's rule):
 *   link degraded but up: capacity > (write rate - link rate) x duration (zero when the link keeps up);
 *   full outage (link down):  capacity > write rate x duration.
 */
export function journalBytesNeeded(
  writeBytesPerSec: number,
  linkBytesPerSec: number,
  durationSeconds: number,
  outage: 'full' | 'degraded' = 'full',
): number {
  const inflow = outage === 'full' ? writeBytesPerSec : Math.max(0, writeBytesPerSec - linkBytesPerSec);
  return inflow * durationSeconds;
}

/** How long a journal of `journalBytes` lasts when it fills at `fillBytesPerSec` (Infinity when it does not fill). */
export function journalRideThroughSeconds(journalBytes: number, fillBytesPerSec: number): number {
  return fillBytesPerSec > 0 ? journalBytes / fillBytesPerSec : Infinity;
}

/**
 * Copy rate allowed by the pace: Hitachi copies `copyPace` tracks (1-15) at a time and the next batch waits for
 * the previous one's acknowledgement (the round-trip-time option), so at most copyPace x trackBytes per
 * (round trip + per-batch processing). Our reading of the pacing, stated so the engine's can be compared.
 */
export function copyPaceLimitBytesPerSecond(copyPace: number, trackBytes: number, roundTripUsValue: number, processingUs: number): number {
  const batchUs = roundTripUsValue + processingUs;
  if (batchUs <= 0) return Infinity;
  return (copyPace * trackBytes * 1e6) / batchUs;
}

/**
 * Time to copy `bytes` over a link while hosts keep writing: bytes / min(link rate - competing write rate, pace limit).
 * Infinity when host writes leave the copy no bandwidth: the copy never completes.
 */
export function copySeconds(bytes: number, linkBytesPerSec: number, paceLimitBytesPerSec: number, competingWriteBytesPerSec = 0): number {
  const rate = Math.min(linkBytesPerSec - competingWriteBytesPerSec, paceLimitBytesPerSec);
  if (bytes <= 0) return 0;
  return rate > 0 ? bytes / rate : Infinity;
}

/** Initial copy time: the whole primary's capacity / min(link rate, copy pace limit). */
export function initialCopySeconds(capacityBytes: number, linkBytesPerSec: number, paceLimitBytesPerSec: number, competingWriteBytesPerSec = 0): number {
  return copySeconds(capacityBytes, linkBytesPerSec, paceLimitBytesPerSec, competingWriteBytesPerSec);
}

/**
 * Expected number of distinct tracks touched by `writes` random writes spread uniformly over `tracks` tracks
 * (balls into bins): M (1 - (1 - 1/M)^N), computed as M (1 - exp(N log1p(-1/M))) so large M and N stay exact.
 */
export function uniqueTracksTouched(writes: number, tracks: number): number {
  if (tracks <= 0 || writes <= 0) return 0;
  if (tracks === 1) return 1;
  return tracks * -Math.expm1(writes * Math.log1p(-1 / tracks));
}

export type WritePattern = 'random' | 'sequential' | 'hotspot';

export interface ChangedTracksInput {
  writeIops: number;
  durationSeconds: number;
  blockBytes: number;
  trackBytes: number;
  /** Size of the area the writes land in (the LU or volume). */
  areaBytes: number;
  pattern: WritePattern;
  /** 'hotspot': share of the area that takes 80% of the writes. */
  hotspotFraction?: number;
}

/**
 * Tracks the differential bitmap marks during an outage of T seconds, N = write IOPS x T writes over M tracks:
 *   random:     M (1 - (1 - 1/M)^N)
 *   hotspot:    the same over the hot part (80% of writes, hotspotFraction x M tracks) plus the cold rest (20%, the other tracks)
 *   sequential: min(M, N x blockBytes / trackBytes) (each track filled once before moving on)
 * A write larger than a track touches ceil(block / track) tracks, counted as that many writes.
 */
export function changedTracksEstimate(input: ChangedTracksInput): number {
  const tracks = Math.max(1, Math.ceil(input.areaBytes / input.trackBytes));
  const tracksPerWrite = Math.max(1, Math.ceil(input.blockBytes / input.trackBytes));
  const writes = input.writeIops * input.durationSeconds * tracksPerWrite;
  switch (input.pattern) {
    case 'sequential':
      return Math.min(tracks, (input.writeIops * input.durationSeconds * input.blockBytes) / input.trackBytes);
    case 'hotspot': {
      const fraction = Math.min(1, Math.max(0, input.hotspotFraction ?? 0.2));
      const hotTracks = Math.max(1, Math.round(tracks * fraction));
      const coldTracks = tracks - hotTracks;
      return uniqueTracksTouched(0.8 * writes, hotTracks) + (coldTracks > 0 ? uniqueTracksTouched(0.2 * writes, coldTracks) : 0);
    }
    case 'random':
      return uniqueTracksTouched(writes, tracks);
  }
}

/** Differential resync time: changed tracks x track size / min(link rate - host writes, pace limit). */
export function differentialResyncSeconds(
  changedTracks: number,
  trackBytes: number,
  linkBytesPerSec: number,
  paceLimitBytesPerSec: number,
  competingWriteBytesPerSec = 0,
): number {
  return copySeconds(changedTracks * trackBytes, linkBytesPerSec, paceLimitBytesPerSec, competingWriteBytesPerSec);
}

/** Time a changeover switch (FIG. 13) takes to connect the other cable; the engine's model uses the same 100 us. */
export const CHANGEOVER_SWITCH_US = 100;

/**
 * Share of time a changeover switch is held: cables of one switch group connect one at a time, and each exchange
 * holds the switch until its answer is back (roundTripsPerWrite x 2 x one-way + serialisation), plus a switch-over
 * each time another cable takes it. Sum over the legs of writes/s x hold time; at 1 or more writes queue for the switch.
 */
export function switchGroupOccupancy(
  legs: readonly { writeIops: number; distanceKm: number; roundTripsPerWrite: number; blockBytes: number; bandwidthMbps: number }[],
): number {
  const switchUs = legs.length > 1 ? CHANGEOVER_SWITCH_US : 0;
  return legs.reduce(
    (sum, leg) =>
      sum + (leg.writeIops * (leg.roundTripsPerWrite * roundTripUs(leg.distanceKm) + serialisationUs(leg.blockBytes, leg.bandwidthMbps) + switchUs)) / 1e6,
    0,
  );
}

/** Longest distance a synchronous hop may span and still leave `budgetUs` for its round trips (0 when the rest already exceeds it). */
export function maxSyncDistanceKm(budgetUs: number, roundTripsPerWrite: number): number {
  if (budgetUs <= 0 || roundTripsPerWrite <= 0) return 0;
  return budgetUs / (roundTripsPerWrite * 2 * FIBRE_US_PER_KM);
}

/** A message between two ports of one system through shared memory (the intercache hand-down, S16); the engine uses the same 5 us. */
export const INTERNAL_MESSAGE_US = 5;

/** One leg of a changeover switch: the cable a pair's writes cross while the switch connects it. */
export interface SwitchLegInput {
  distanceKm: number;
  roundTripsPerWrite: number;
  blockBytes: number;
  bandwidthMbps: number;
}

/** A relay's one switchable port (FIG. 13): the sync leg receives from the local system, the async leg sends onward. */
export interface SwitchedRelayInput {
  writeIops: number;
  syncLeg: SwitchLegInput;
  asyncLeg: SwitchLegInput;
  /** From the sync data's arrival at the relay to its journal record being sent: relay CHA processing + hand-down. */
  relayToJournalUs: number;
}

export interface SwitchedRelayTurns {
  /** One sync turn plus one async turn of the switch, microseconds (mean). */
  cycleUs: number;
  /** Writes carried per turn: write rate x cycle. */
  writesPerTurn: number;
  /** Mean wait a host write adds for the switch (on top of its own sync exchange). */
  hostWaitUs: number;
  /** Mean wait a journal record adds (on top of propagation, its own serialisation and remote processing). */
  asyncWaitUs: number;
  /** Writes that arrive while the sync turn is under way and nothing waits for the async leg, and ride along: rate x window. */
  rideAlongWrites: number;
}

/**
 * Waiting at a relay port that a changeover switch (FIG. 13) turns between the sync leg (in) and the async leg (out).
 * The switch is work-conserving (as the engine's SwitchGroupRt): when the port's last answer is back it turns to the
 * other cable if that has work and serves everything waiting for it in one turn; the connected cable keeps taking new
 * exchanges only while nothing waits for the other. Journal records only ask once their writes reached the relay, so
 * turns alternate: sync(k) carries the writes that waited through async(k-1), async(k) carries sync(k)'s records.
 * With one-way o, handshake h = (2 x roundTrips - 2) x o, serialisation s per write, switch-over S, relay time r:
 * - a sync turn connects at c = its start + S; until its first journal record asks, W = h_sync + s_sync + o_sync + r
 *   after c, new writes ride along; the last of them (Poisson, rate L) ends the turn later by
 *   e = W - (1 - exp(-L W)) / L on average;
 * - cycle P = (2 S + h_sync + 2 o_sync + e + h_async + 2 o_async) / (1 - L x (s_sync + s_async)), n = L P writes a cycle;
 * - a write arriving in the ride-along window does not wait; any other waits for the next sync turn's connection:
 *   mean over the cycle (P - W)^2 / (2 P) (+ its place in the batch);
 * - a journal record waits for its sync turn to end and the switch-over: S + o_sync - r, plus e for the records of
 *   the writes that waited (share 1 - W / P) (+ its place in the async batch).
 * Valid when a turn carries writes (L x P >= 1); the means use the mean cycle, so they are approximate where W or e
 * are a large part of P.
 */
export function switchedRelayTurns(input: SwitchedRelayInput): SwitchedRelayTurns {
  const leg = (l: SwitchLegInput) => {
    const oneWayUs = propagationOneWayUs(l.distanceKm);
    return { oneWayUs, handshakeUs: (2 * l.roundTripsPerWrite - 2) * oneWayUs, serUs: serialisationUs(l.blockBytes, l.bandwidthMbps) };
  };
  const s = leg(input.syncLeg);
  const a = leg(input.asyncLeg);
  const rate = input.writeIops / 1e6;
  const rideWindowUs = s.handshakeUs + s.serUs + s.oneWayUs + input.relayToJournalUs;
  const extensionUs = rate > 0 ? rideWindowUs - (1 - Math.exp(-rate * rideWindowUs)) / rate : 0;
  const fixedUs = 2 * CHANGEOVER_SWITCH_US + s.handshakeUs + 2 * s.oneWayUs + extensionUs + a.handshakeUs + 2 * a.oneWayUs;
  const share = 1 - rate * (s.serUs + a.serUs);
  if (!(share > 0)) return { cycleUs: Infinity, writesPerTurn: Infinity, hostWaitUs: Infinity, asyncWaitUs: Infinity, rideAlongWrites: rate * rideWindowUs };
  const cycleUs = fixedUs / share;
  const n = rate * cycleUs;
  const waitedShare = Math.max(0, 1 - rideWindowUs / cycleUs);
  const hostWaitUs = (Math.max(0, cycleUs - rideWindowUs) ** 2) / (2 * cycleUs) + ((n - 1) / 2) * s.serUs;
  const asyncWaitUs = CHANGEOVER_SWITCH_US + s.oneWayUs - input.relayToJournalUs + waitedShare * extensionUs + ((n - 1) / 2) * (s.serUs + a.serUs);
  return { cycleUs, writesPerTurn: n, hostWaitUs, asyncWaitUs, rideAlongWrites: rate * rideWindowUs };
}
