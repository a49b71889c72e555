// planTopology on the three-site cascade: figures match hand computation, checks fire and stay quiet on the right inputs.
import { describe, expect, it } from 'vitest';
import { planTopology, type Plan } from './plan';
import { cascadeExample } from './example';

const check = (plan: Plan, code: string) => plan.checks.filter((c) => c.code === code);
const figure = (plan: Plan, pairId: string, key: string) => plan.hops.find((h) => h.pairId === pairId)?.figures.find((f) => f.key === key);

describe('planTopology on a local -sync 50 km-> relay -async 800 km-> remote cascade', () => {
  const plan = planTopology(cascadeExample());

  it('routes each pair over its cable', () => {
    expect(plan.hops.map((h) => [h.pairId, h.route?.cableIds])).toEqual([
      ['P1', ['C-sync']],
      ['P2', ['C-async']],
    ]);
  });

  it('the host waits for the synchronous hop only: 1.114 ms', () => {
    const w = plan.workloads[0]!;
    // host access: 2 x 2 x 0.1 km x 5 us + 8192 x 1.1 x 8 / 16000 + 50 us = 56.5056 us (1.1: the protocol overhead, as in the engine)
    // P1: 50 us relay processing + 2 x 2 x 50 km x 5 us + 8192 x 1.1 x 8 / 8000 = 1059.0112 us (the local's processing is in the host access)
    expect(w.hostLatencyMs).toBeCloseTo(1.1155168, 9);
    expect(w.syncChain).toEqual(['P1']);
    expect(plan.hops[0]!.responseMs).toBeCloseTo(1.0590112, 9);
  });

  it('both pairs carry the host writes: 2,000 x 8 KiB', () => {
    for (const hop of plan.hops) {
      expect(hop.writeIops).toBe(2000);
      expect(hop.writeBytesPerSec).toBe(16_384_000);
    }
  });

  it('the async hop lags by about 12.1 ms: plain SCSI sends the data after a command round trip, 3 x 4 ms of light, plus serialisation, queueing and processing', () => {
    const rpo = plan.hops[1]!.rpo;
    expect(rpo?.bounded).toBe(true);
    if (!rpo?.bounded) return;
    const rho = 16_384_000 / (1e9 / 8 / 1.1);
    const service = (8192 * 1.1 * 8) / 1000;
    expect(rpo.rpoMs).toBeCloseTo(12 + service / 1000 + (rho * service) / (2 * (1 - rho)) / 1000 + 0.05, 9);
    expect(figure(plan, 'P2', 'rpoMs')?.explanation).toMatch(/propagation/);
  });

  it('a 1 GiB journal rides through the default 60 s outage: no journal check', () => {
    expect(figure(plan, 'P2', 'journalNeededBytes')?.value).toBe(16_384_000 * 60);
    expect(check(plan, 'journal-overflow')).toEqual([]);
  });

  it('with two remote copies, a target met and links big enough, no warning fires', () => {
    expect(plan.workloads[0]!.copySiteIds.sort()).toEqual(['M', 'R']);
    expect(plan.checks.filter((c) => c.severity !== 'info')).toEqual([]);
  });

  it('explains every figure', () => {
    for (const hop of plan.hops) for (const f of hop.figures) expect(f.explanation.length).toBeGreaterThan(10);
  });
});

describe('checks with advice', () => {
  it('a 300 km synchronous hop breaks the 5 ms target and the advice says how far it may reach', () => {
    const plan = planTopology(cascadeExample({ syncKm: 300 }));
    const [c] = check(plan, 'sync-latency-over-target');
    expect(c).toBeDefined();
    expect(c!.figure.value).toBeCloseTo(6.1155168, 6);
    // rest of the path: 115.5168 us; (5000 - 115.5168) / 20 us per km = 244.2 km
    expect(c!.advice).toContain('within 244 km');
    expect(c!.advice).toContain('fast write');
    expect(c!.elementId).toBe('W1');
    expect(c!.path).toEqual(['hosts', 0, 'workloads', 0]);
  });

  it('the same hop with fast write and a 7 ms target stays quiet', () => {
    expect(check(planTopology(cascadeExample({ syncKm: 300, syncRoundTrips: 1 })), 'sync-latency-over-target')).toEqual([]);
    expect(check(planTopology(cascadeExample({ syncKm: 300 }), { targetLatencyMs: 7 }), 'sync-latency-over-target')).toEqual([]);
  });

  it('a 100 Mbit/s async link under 16 MB/s of writes is too small, and the RPO grows without bound', () => {
    const plan = planTopology(cascadeExample({ asyncMbps: 100 }));
    const [c] = check(plan, 'link-too-small');
    expect(c?.elementId).toBe('P2');
    expect(c?.severity).toBe('error');
    expect(c?.figure.value).toBeCloseTo((16_384_000 * 8 * 1.1) / 1e6, 9); // 144.2 Mbit/s
    const rpo = plan.hops[1]!.rpo;
    expect(rpo?.bounded).toBe(false);
    expect(figure(plan, 'P2', 'rpoMs')?.value).toBeNull();
    expect(figure(plan, 'P2', 'rpoMs')?.explanation).toMatch(/unbounded/);
  });

  it('a path group of two 100 Mbit/s links carries what one cannot: the engine spreads the load, so the bandwidths add', () => {
    const t = cascadeExample({ asyncMbps: 100 });
    t.ports.push({ id: 'IP23', name: 'IP23', ownerId: 'SR', kind: 'initiator', wwn: '50:06:0e:80:00:00:aa:01' }, { id: 'TP32', name: 'TP32', ownerId: 'SM', kind: 'target', wwn: '50:06:0e:80:00:00:aa:02' });
    t.cables.push({ ...t.cables.find((c) => c.id === 'C-async')!, id: 'C-async2', name: 'CN4b', aPortId: 'IP23', bPortId: 'TP32', distanceKm: 820 });
    const p2 = t.pairs.find((p) => p.id === 'P2')!;
    p2.paths = { cableIds: ['C-async', 'C-async2'], minPaths: 1, timeoutMs: 15000 };
    const plan = planTopology(t);
    const hop = plan.hops.find((h) => h.pairId === 'P2')!;
    expect(hop.route).toMatchObject({ cableIds: ['C-async', 'C-async2'], bandwidthMbps: 200, distanceKm: 820, parallel: true });
    // 144.2 Mbit/s of writes over 200: no longer too small (one 100 Mbit/s path alone is, above).
    expect(check(plan, 'link-too-small')).toEqual([]);
    expect(hop.rpo?.bounded).toBe(true);
    expect(figure(plan, 'P2', 'route')?.explanation).toMatch(/path group C-async \| C-async2.*together 200 Mbit\/s/);
  });

  it('a link at 90% warns that queueing grows', () => {
    // 16.384 MB/s over 160 Mbit/s = 18.18 MB/s of payload: 90%
    const plan = planTopology(cascadeExample({ asyncMbps: 160 }));
    expect(check(plan, 'link-too-small')).toEqual([]);
    expect(check(plan, 'link-near-full')[0]?.figure.value).toBeCloseTo(0.9011, 3);
  });

  it('a peak of twice the average makes a link that carries the average too small', () => {
    expect(check(planTopology(cascadeExample({ asyncMbps: 200 }), { peakToAverage: 2 }), 'link-too-small')).toHaveLength(1);
    expect(check(planTopology(cascadeExample({ asyncMbps: 200 })), 'link-too-small')).toEqual([]);
  });

  it('a 1 GiB journal overflows in a 120 s outage at 16.4 MB/s, after 65.5 s', () => {
    const plan = planTopology(cascadeExample(), { outageSeconds: 120 });
    const [c] = check(plan, 'journal-overflow');
    expect(c?.figure.value).toBe(16_384_000 * 120);
    expect(c?.message).toContain('65.5 s');
    expect(c?.path).toEqual(['pairs', 1, 'journalBytes']);
  });

  it('an async pair without a journal size is told what to set', () => {
    const [c] = check(planTopology(cascadeExample({ journalBytes: null })), 'journal-unsized');
    expect(c?.advice).toContain('938 MiB'); // 983,040,000 B = 937.5 MiB
  });

  it('only the synchronous leg: one copy location, advice to add a cascade', () => {
    const plan = planTopology(cascadeExample({ pairs: 'sync-only' }));
    const [c] = check(plan, 'single-copy-location');
    expect(c?.figure.value).toBe(1);
    expect(c?.advice).toMatch(/relay/);
    expect(check(plan, 'no-copy')).toEqual([]);
  });

  it('no pair at all: no copy', () => {
    const plan = planTopology(cascadeExample({ pairs: 'none' }));
    expect(check(plan, 'no-copy')).toHaveLength(1);
    expect(check(plan, 'single-copy-location')).toEqual([]);
    expect(plan.workloads[0]!.hostLatencyMs).toBeCloseTo(0.0565056, 9);
  });

  it('a 50 km FC span is flagged as needing extenders (info)', () => {
    const [c] = check(planTopology(cascadeExample()), 'fc-distance');
    expect(c?.severity).toBe('info');
    expect(c?.elementId).toBe('C-sync');
    expect(check(planTopology(cascadeExample({ syncKm: 8 })), 'fc-distance')).toEqual([]);
  });

  it('a pair whose systems are not cabled has no route', () => {
    const t = cascadeExample();
    const cut = { ...t, cables: t.cables.filter((c) => c.id !== 'C-async') };
    const plan = planTopology(cut);
    expect(check(plan, 'no-route')[0]?.elementId).toBe('P2');
    expect(plan.hops[1]!.route).toBeNull();
  });
});

describe('copy and resync estimates', () => {
  it('the initial copy of 1 GiB over 1 Gbit/s, less the host writes, takes ~11 s', () => {
    const plan = planTopology(cascadeExample());
    const payload = 1e9 / 8 / 1.1;
    expect(figure(plan, 'P2', 'initialCopyS')?.value).toBeCloseTo(2 ** 30 / (payload - 16_384_000), 6);
  });

  it('a 60 s outage of 2,000 random writes/s dirties nearly every one of the 4,096 tracks', () => {
    const plan = planTopology(cascadeExample());
    const tracks = 4096 * (1 - (4095 / 4096) ** 120_000);
    const expected = (tracks * 262144) / (1e9 / 8 / 1.1 - 16_384_000);
    expect(figure(plan, 'P2', 'resyncS')?.value).toBeCloseTo(expected, 6);
  });

  it('host writes that fill the link leave the copy nothing: the figure is null and says never', () => {
    const plan = planTopology(cascadeExample({ asyncMbps: 100 }));
    expect(figure(plan, 'P2', 'initialCopyS')?.value).toBeNull();
    expect(figure(plan, 'P2', 'initialCopyS')?.explanation).toMatch(/never completes/);
  });
});

describe('a pair whose volume does not exist', () => {
  it('is a no-route error naming the missing volume, not an empty system id', () => {
    const t = cascadeExample();
    const pairs = t.pairs.map((p, i) => (i === 0 ? { ...p, secondaryVolumeId: 'V2l' } : p));
    const check = planTopology({ ...t, pairs }).checks.find((c) => c.code === 'no-route');
    expect(check?.message).toBe(`pair ${pairs[0]!.id}: volume V2l does not exist (or is on no system), so no cabled path reaches it`);
    expect(check?.advice).not.toMatch(/port of \s*$/);
  });
});
