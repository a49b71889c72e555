// Sizing formulas pinned on hand-computed cases.
import { describe, expect, it } from 'vitest';
import {
  asyncRpo,
  changedTracksEstimate,
  copyPaceLimitBytesPerSecond,
  differentialResyncSeconds,
  hostWriteLatencyUs,
  initialCopySeconds,
  journalBytesNeeded,
  journalRideThroughSeconds,
  linkPayloadBytesPerSecond,
  linkUtilisation,
  maxSyncDistanceKm,
  queueWaitUs,
  requiredLinkMbps,
  requiredLinkMbpsAvgPeak,
  roundTripUs,
  serialisationUs,
  syncHopBreakdownUs,
  syncHopResponseUs,
  switchGroupOccupancy,
  switchedRelayTurns,
  uniqueTracksTouched,
} from './formulas';

const hop100km = { distanceKm: 100, blockBytes: 4096, bandwidthMbps: 8000, senderProcessingUs: 50, receiverProcessingUs: 50 };

describe('synchronous hop response', () => {
  it('a 100 km hop with plain SCSI (2 round trips) adds at least 2 ms', () => {
    const us = syncHopResponseUs({ ...hop100km, roundTripsPerWrite: 2 });
    expect(us).toBeGreaterThanOrEqual(2000);
    // 2 x 2 x 100 km x 5 us + 100 us processing + 4096 x 1.1 (protocol overhead) x 8 / 8000 us serialisation
    expect(us).toBeCloseTo(2000 + 100 + 4.5056, 6);
  });

  it('with fast write (1 round trip) the same hop adds at least 1 ms and about half as much', () => {
    const b = syncHopBreakdownUs({ ...hop100km, roundTripsPerWrite: 1 });
    expect(b.totalUs).toBeGreaterThanOrEqual(1000);
    expect(b.roundTripsUs).toBe(1000);
    expect(b.processingUs).toBe(100);
    expect(b.serialisationUs).toBeCloseTo(4.5056, 9);
  });

  it('light needs 1 ms round trip per 100 km', () => {
    expect(roundTripUs(100)).toBe(1000);
  });

  it('serialisation is bytes x 8 / Mbps microseconds; a zero-bandwidth link never finishes', () => {
    expect(serialisationUs(1_000_000, 1000)).toBe(8000);
    expect(serialisationUs(10, 0)).toBe(Infinity);
  });

  it('host write latency adds the host access and every synchronous hop of the chain', () => {
    const access = { distanceKm: 0.1, roundTripsPerWrite: 2, blockBytes: 8192, bandwidthMbps: 16000, localProcessingUs: 50 };
    const hops = [
      { ...hop100km, roundTripsPerWrite: 2, blockBytes: 8192 },
      { ...hop100km, distanceKm: 20, roundTripsPerWrite: 1, blockBytes: 8192 },
    ];
    // access: 2 x 1 us + 8192 x 1.1 x 8 / 16000 + 50 = 2 + 4.5056 + 50 (1.1: the protocol overhead, as in the engine)
    // hop 1: 2000 + 100 + 9.0112; hop 2: 200 + 100 + 9.0112
    expect(hostWriteLatencyUs(access, hops)).toBeCloseTo(56.5056 + 2109.0112 + 309.0112, 6);
    expect(hostWriteLatencyUs(access, [])).toBeCloseTo(56.5056, 6);
  });

  it('the longest synchronous distance a budget allows', () => {
    expect(maxSyncDistanceKm(2000, 2)).toBe(100);
    expect(maxSyncDistanceKm(2000, 1)).toBe(200);
    expect(maxSyncDistanceKm(-5, 1)).toBe(0);
  });
});

describe('link bandwidth', () => {
  it('5,000 writes/s of 8 KiB need 40.96 MB/s, 327.68 Mbit/s raw, 360.4 Mbit/s with 10% overhead', () => {
    const bytesPerSec = 5000 * 8192;
    expect(requiredLinkMbps(bytesPerSec, 1)).toBeCloseTo(327.68, 9);
    expect(requiredLinkMbps(bytesPerSec)).toBeCloseTo(360.448, 9);
    const { averageMbps, peakMbps } = requiredLinkMbpsAvgPeak(bytesPerSec, 3, 1);
    expect(averageMbps).toBeCloseTo(327.68, 9);
    expect(peakMbps).toBeCloseTo(983.04, 9);
  });

  it('a peak below the average is treated as the average', () => {
    expect(requiredLinkMbpsAvgPeak(1e6, 0.5, 1).peakMbps).toBeCloseTo(8, 9);
  });

  it('utilisation is write rate over payload capacity', () => {
    expect(linkPayloadBytesPerSecond(100, 1)).toBe(12_500_000);
    expect(linkUtilisation(6_250_000, 100, 1)).toBe(0.5);
  });
});

describe('asynchronous RPO', () => {
  it('a lightly loaded 100 km, 1 Gbit/s hop lags by propagation plus a little', () => {
    const rpo = asyncRpo({ distanceKm: 100, bandwidthMbps: 1000, writeIops: 1000, blockBytes: 4096, receiverProcessingUs: 50 });
    expect(rpo.bounded).toBe(true);
    if (!rpo.bounded) return;
    const service = (4096 * 1.1 * 8) / 1000; // 36.0448 us on the wire
    const rho = 4_096_000 / (1e9 / 8 / 1.1);
    expect(rpo.utilisation).toBeCloseTo(rho, 12);
    expect(rpo.propagationMs).toBe(0.5);
    expect(rpo.serialisationMs).toBeCloseTo(service / 1000, 12);
    expect(rpo.queueingMs).toBeCloseTo((rho * service) / (2 * (1 - rho)) / 1000, 12);
    expect(rpo.rpoMs).toBeCloseTo(0.5 + 0.0360448 + 0.000674 + 0.05, 5);
  });

  it('over plain SCSI (2 round trips) the data arrives after three one-way legs', () => {
    const fast = asyncRpo({ distanceKm: 100, bandwidthMbps: 1000, writeIops: 1000, blockBytes: 4096, receiverProcessingUs: 50, roundTripsPerWrite: 1 });
    const plain = asyncRpo({ distanceKm: 100, bandwidthMbps: 1000, writeIops: 1000, blockBytes: 4096, receiverProcessingUs: 50, roundTripsPerWrite: 2 });
    if (!fast.bounded || !plain.bounded) throw new Error('bounded expected');
    expect(fast.propagationMs).toBe(0.5);
    expect(plain.propagationMs).toBe(1.5);
    expect(plain.rpoMs - fast.rpoMs).toBeCloseTo(1, 12);
  });

  it('queueing grows without bound as the link fills', () => {
    expect(queueWaitUs(10, 0)).toBe(0);
    expect(queueWaitUs(10, 0.5)).toBe(5);
    expect(queueWaitUs(10, 0.9)).toBeCloseTo(45, 9);
    expect(queueWaitUs(10, 1)).toBe(Infinity);
  });

  it('a link smaller than the write rate makes the RPO grow and says by how much', () => {
    // 5,000 x 8 KiB = 40.96 MB/s into a 100 Mbit/s link carrying 11.36 MB/s of payload
    const rpo = asyncRpo({ distanceKm: 500, bandwidthMbps: 100, writeIops: 5000, blockBytes: 8192, receiverProcessingUs: 50 });
    expect(rpo.bounded).toBe(false);
    if (rpo.bounded) return;
    const link = 100e6 / 8 / 1.1;
    expect(rpo.growthMsPerSecond).toBeCloseTo(1000 * (1 - link / 40_960_000), 9);
    expect(rpo.growthMsPerSecond).toBeCloseTo(722.57, 2);
    expect(rpo.backlogBytesPerSecond).toBeCloseTo(40_960_000 - link, 3);
  });
});

describe('journal sizing (Hitachi: capacity > (write rate - link rate) x duration)', () => {
  const write = 5000 * 8192; // 40.96 MB/s
  const link = 100e6 / 8 / 1.1; // 11.36 MB/s of payload

  it('a 60 s burst over a 100 Mbit/s link needs 1.78 GB of journal', () => {
    expect(journalBytesNeeded(write, link, 60, 'degraded')).toBeCloseTo((write - link) * 60, 0);
    expect(journalBytesNeeded(write, link, 60, 'degraded') / 1e9).toBeCloseTo(1.776, 3);
  });

  it('a 60 s full outage needs the whole write volume: 2.4576 GB', () => {
    expect(journalBytesNeeded(write, link, 60, 'full')).toBe(2_457_600_000);
  });

  it('a link that keeps up needs no journal for a burst', () => {
    expect(journalBytesNeeded(1000, 5000, 3600, 'degraded')).toBe(0);
  });

  it('a 10 GiB journal filling at 40.96 MB/s lasts 262 s', () => {
    expect(journalRideThroughSeconds(10 * 2 ** 30, write)).toBeCloseTo(262.144, 3);
    expect(journalRideThroughSeconds(1, 0)).toBe(Infinity);
  });
});

describe('copy times', () => {
  it('pace: 15 tracks of 256 KiB per 1 ms round trip is 3.93 GB/s', () => {
    expect(copyPaceLimitBytesPerSecond(15, 262144, 1000, 0)).toBeCloseTo(3_932_160_000, 0);
    expect(copyPaceLimitBytesPerSecond(1, 262144, 0, 0)).toBe(Infinity);
  });

  it('initial copy of 1 TB over 1 Gbit/s (125 MB/s) takes 8,000 s when the pace allows more', () => {
    expect(initialCopySeconds(1e12, 125e6, 4e9)).toBe(8000);
  });

  it('the pace limit wins when it is the smaller', () => {
    expect(initialCopySeconds(1e12, 125e6, 25e6)).toBe(40000);
  });

  it('host writes that fill the link leave the copy nothing: it never completes', () => {
    expect(initialCopySeconds(1e9, 125e6, 4e9, 125e6)).toBe(Infinity);
    expect(initialCopySeconds(1e9, 125e6, 4e9, 25e6)).toBe(10);
  });
});

describe('differential resync estimate', () => {
  it('unique tracks by N random writes over M tracks is M(1 - (1 - 1/M)^N)', () => {
    expect(uniqueTracksTouched(2, 4)).toBeCloseTo(1.75, 12); // 4 x (1 - 9/16)
    expect(uniqueTracksTouched(1000, 1000)).toBeCloseTo(1000 * (1 - 0.999 ** 1000), 9); // ~632
    expect(uniqueTracksTouched(0, 1000)).toBe(0);
    expect(uniqueTracksTouched(1e9, 1000)).toBeCloseTo(1000, 9);
  });

  it('a 10 s outage of 1,000 random 4 KiB writes/s on a 1 GiB volume dirties ~3,740 of 4,096 tracks', () => {
    const tracks = changedTracksEstimate({
      writeIops: 1000,
      durationSeconds: 10,
      blockBytes: 4096,
      trackBytes: 262144,
      areaBytes: 2 ** 30,
      pattern: 'random',
    });
    expect(tracks).toBeCloseTo(4096 * (1 - (4095 / 4096) ** 10000), 6);
    expect(Math.round(tracks)).toBe(3740);
  });

  it('a hot spot dirties fewer tracks than the same writes spread at random', () => {
    const base = { writeIops: 1000, durationSeconds: 10, blockBytes: 4096, trackBytes: 262144, areaBytes: 2 ** 30 };
    const hot = changedTracksEstimate({ ...base, pattern: 'hotspot', hotspotFraction: 0.2 });
    // 8,000 writes over 819 hot tracks + 2,000 over 3,277 cold ones
    expect(hot).toBeCloseTo(819 * (1 - (818 / 819) ** 8000) + 3277 * (1 - (3276 / 3277) ** 2000), 6);
    expect(hot).toBeLessThan(changedTracksEstimate({ ...base, pattern: 'random' }));
  });

  it('sequential writes fill tracks one after another', () => {
    const base = { writeIops: 1000, durationSeconds: 10, blockBytes: 4096, trackBytes: 262144, areaBytes: 2 ** 30 };
    expect(changedTracksEstimate({ ...base, pattern: 'sequential' })).toBeCloseTo(156.25, 9);
    expect(changedTracksEstimate({ ...base, durationSeconds: 1e6, pattern: 'sequential' })).toBe(4096);
  });

  it('resyncing 3,740 tracks of 256 KiB over 100 MB/s while hosts write 4 MB/s takes ~10.2 s', () => {
    expect(differentialResyncSeconds(3740, 262144, 100e6, 4e9, 4.096e6)).toBeCloseTo((3740 * 262144) / 95.904e6, 9);
  });
});

describe('changeover switch (FIG. 13)', () => {
  it('800 writes/s over a 60 km plain-SCSI leg and a 600 km fast-write leg hold the switch 593% of the time', () => {
    const sync = { writeIops: 800, distanceKm: 60, roundTripsPerWrite: 2, blockBytes: 4096, bandwidthMbps: 16000 };
    const async = { writeIops: 800, distanceKm: 600, roundTripsPerWrite: 1, blockBytes: 4096, bandwidthMbps: 2500 };
    // per write: (1200 + 2.048 + 100) + (6000 + 13.1072 + 100) us
    expect(switchGroupOccupancy([sync, async])).toBeCloseTo((800 * 7415.1552) / 1e6, 9);
  });

  it('a single leg never switches', () => {
    expect(switchGroupOccupancy([{ writeIops: 100, distanceKm: 100, roundTripsPerWrite: 1, blockBytes: 8000, bandwidthMbps: 8000 }])).toBeCloseTo(
      (100 * 1008) / 1e6,
      12,
    );
  });

  it('a relay port switched between a 60 km plain-SCSI leg in and a 600 km fast-write leg out at 800 writes/s: 7.78 ms cycles', () => {
    const turns = switchedRelayTurns({
      writeIops: 800,
      syncLeg: { distanceKm: 60, roundTripsPerWrite: 2, blockBytes: 4096, bandwidthMbps: 16000 },
      asyncLeg: { distanceKm: 600, roundTripsPerWrite: 1, blockBytes: 4096, bandwidthMbps: 2500 },
      relayToJournalUs: 55,
    });
    // By hand: writes ride along a sync turn for W = 600 handshake + 2.048 + 300 + 55 = 957.048 us after it connects;
    // the last of them ends the turn e = W - (1 - exp(-0.0008 W)) / 0.0008 = 288.3 us later on average.
    const W = 957.048;
    const e = W - (1 - Math.exp(-0.0008 * W)) / 0.0008;
    expect(e).toBeCloseTo(288.34, 1);
    expect(turns.rideAlongWrites).toBeCloseTo(0.0008 * W, 9);
    // Fixed part 2 x 100 switching + (600 + 2 x 300) sync + e + (0 + 2 x 3000) async = 7400 + e us; each write adds
    // 2.048 + 13.1072 us of serialisation to a cycle: P = (7400 + e) / (1 - 0.0008 x 15.1552) = 7782.7 us.
    const P = (7400 + e) / (1 - 0.0008 * 15.1552);
    expect(turns.cycleUs).toBeCloseTo(P, 6);
    expect(turns.cycleUs).toBeCloseTo(7782.7, 1);
    const n = 0.0008 * P; // 6.23 writes per cycle
    expect(turns.writesPerTurn).toBeCloseTo(n, 9);
    // Host: writes outside the ride-along window wait for the next sync connection: (P - W)^2 / 2P + (n - 1) / 2 x 2.048 = 2998.5 us.
    expect(turns.hostWaitUs).toBeCloseTo((P - W) ** 2 / (2 * P) + ((n - 1) / 2) * 2.048, 6);
    expect(turns.hostWaitUs / 1000).toBeCloseTo(2.9985, 3);
    // Journal record: 100 + 300 - 55 + (1 - W / P) x e + (n - 1) / 2 x (2.048 + 13.1072) = 637.5 us: under a cycle now
    // that it rides the async turn right after its own sync turn.
    expect(turns.asyncWaitUs).toBeCloseTo(345 + (1 - W / P) * e + ((n - 1) / 2) * 15.1552, 6);
    expect(turns.asyncWaitUs / 1000).toBeCloseTo(0.6375, 3);
  });

  it('a busier switch waits longer: host and journal waits grow with the write rate', () => {
    const at = (writeIops: number) =>
      switchedRelayTurns({
        writeIops,
        syncLeg: { distanceKm: 60, roundTripsPerWrite: 2, blockBytes: 4096, bandwidthMbps: 16000 },
        asyncLeg: { distanceKm: 600, roundTripsPerWrite: 1, blockBytes: 4096, bandwidthMbps: 2500 },
        relayToJournalUs: 55,
      });
    expect(at(1600).cycleUs).toBeGreaterThan(at(800).cycleUs);
    expect(at(1600).hostWaitUs).toBeGreaterThan(at(800).hostWaitUs);
    expect(at(1600).asyncWaitUs).toBeGreaterThan(at(800).asyncWaitUs);
  });

  it('a switch whose legs cannot carry the write rate has no steady cycle', () => {
    const leg = { distanceKm: 1, roundTripsPerWrite: 1, blockBytes: 1_000_000, bandwidthMbps: 8000 };
    // 1000 us of serialisation per write per leg: 500 writes/s fill the switch.
    expect(switchedRelayTurns({ writeIops: 500, syncLeg: leg, asyncLeg: leg, relayToJournalUs: 0 }).cycleUs).toBe(Infinity);
  });
});
