// Workload scenarios: host reads through the cache and the real volume, the read/write mix, and recorded trace replay.
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { withoutInitialFill, type Topology, type TraceRecord, type Workload } from '../../app/model/schema';
import { Engine } from './engine';
import { runSimulation } from './headless';
import { applyTrace, parseSimulateArgs, parseTraceCsv, SimulateArgsError, TraceCsvError } from '../cli/simulate-args';
import { main } from '../cli';

function fig01(): Topology {
  const t = loadBuiltIn('fig01-loop-cascade.relaylab.json');
  // Already paired and empty: the scenarios are about host I/O, not the initial copy (a pair formed as 'paired' over a
  // primary with starting data would leave its secondary without it), and the traces check exactly which bytes they write.
  return { ...withoutInitialFill(t), pairs: t.pairs.map((p) => ({ ...p, initially: 'paired' as const })) };
}

/** FIG. 1 with host1's only workload replaced (LU11, 1 GiB, on V11 in the local system). */
function withWorkload(w: Partial<Workload>): Topology {
  const t = fig01();
  const base: Workload = { id: 'wl1', luId: 'LU11', iops: 0, blockBytes: 4096, readRatio: 0, pattern: 'random', hotspotFraction: 0.2, startMs: 0 };
  return { ...t, hosts: t.hosts.map((h) => (h.id === 'host1' ? { ...h, workloads: [{ ...base, ...w }] } : h)) };
}

function oneRead(e: Engine, offset: number, length = 4096): { ok: boolean; latencyUs: number } {
  const start = e.nowUs;
  let out = { ok: false, latencyUs: -1 };
  expect(e.hostRead('host1', 'LU11', offset, length, (ok) => (out = { ok, latencyUs: e.nowUs - start })).ok).toBe(true);
  e.runUntilSettled(e.nowUs + 60e6);
  return out;
}

/** node:crypto's sha256, as the CLI passes it: the same values as the pure-JS default, ~10x faster. */
const sha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();

const allHashes = (e: Engine, t: Topology): string[] => t.volumes.map((v) => e.volumeHash(v.id));
const pairStates = (e: Engine): string[] => [...e.pairs.values()].map((p) => e.pairStatus(p).state);

describe('host reads', () => {
  test('a 100%-read workload changes no volume and no pair, and its reads are counted', () => {
    const t = withWorkload({ iops: 2000, readRatio: 1, pattern: 'hotspot' });
    const e = new Engine(t, { seed: 11, sha256 });
    const hashesBefore = allHashes(e, t);
    const statesBefore = pairStates(e);
    e.workloadsStopUs = 1e6;
    e.startWorkloads();
    e.runUntil(1e6);
    expect(e.runUntilSettled(120e6)).toBe(true);
    const host = e.snapshot().hosts.find((h) => h.id === 'host1')!;
    expect(host.writesAcked).toBe(0);
    expect(host.readsCompleted).toBeGreaterThan(1800);
    expect(host.readsFailed).toBe(0);
    // A hot spot is read again and again: once staged, those tracks are cache hits.
    expect(host.readCacheHits).toBeGreaterThan(0);
    expect(allHashes(e, t)).toEqual(hashesBefore);
    expect(pairStates(e)).toEqual(statesBefore);
    expect([...e.pairs.values()].every((p) => e.pairStatus(p).differentialTracks === 0)).toBe(true);
  });

  test('a cache hit costs CHA + the round trip; a miss adds the disk time of one track', () => {
    const t = withWorkload({ iops: 0 });
    const e = new Engine(t, { seed: 1 });
    const miss = oneRead(e, 8 * 262144);
    const hit = oneRead(e, 8 * 262144 + 4096);
    expect(miss.ok && hit.ok).toBe(true);
    expect(hit.latencyUs).toBeLessThan(miss.latencyUs);
    const local = t.systems.find((s) => s.id === 'sys10')!;
    expect(miss.latencyUs - hit.latencyUs).toBeCloseTo(local.destageUsPerTrack, 6);
    // A track the host just wrote is in the cache: reading it back is a hit.
    const written = new Uint8Array(4096).fill(3);
    e.hostWrite('host1', 'LU11', 64 * 262144, written, false);
    e.runUntilSettled(e.nowUs + 60e6);
    expect(oneRead(e, 64 * 262144).latencyUs).toBeCloseTo(hit.latencyUs, 6);
  });

  test("a miss on the relay's V12 stages from the external R1 over CN5; with CN5 cut misses fail and hits still succeed", () => {
    // A second host at the relay site reads LU21 (V12 -> R2 -> V21 -> R1, external in sys40 through IP22 and CN5).
    const t = withWorkload({ iops: 0 });
    t.hosts.push({ id: 'host2', name: 'host2', siteId: t.systems.find((s) => s.id === 'sys20')!.siteId, workloads: [] });
    t.ports.push({ id: 'HBA2', name: 'HBA2', ownerId: 'host2', kind: 'initiator', wwn: '50:06:0e:80:00:00:01:01' });
    t.cables.push({ id: 'CNh2', name: 'CNh2', kind: 'fc', aPortId: 'HBA2', bPortId: 'TP21', distanceKm: 0.1, bandwidthMbps: 16000, roundTripsPerWrite: 2 });
    const e = new Engine(t, { seed: 1 });
    const read = (offset: number) => {
      const start = e.nowUs;
      let out = { ok: false, latencyUs: -1, reason: '' };
      expect(e.hostRead('host2', 'LU21', offset, 4096, (ok, reason) => (out = { ok, latencyUs: e.nowUs - start, reason: reason ?? '' })).ok).toBe(true);
      e.runUntilSettled(e.nowUs + 60e6);
      return out;
    };
    const miss = read(0);
    const hit = read(8192);
    expect(miss.ok && hit.ok).toBe(true);
    // CN5 (0.5 km, 16 Gbit/s): command 2.5 us, sys40's CHA 50 us and disk 500 us, one 256 KiB track back with the
    // protocol overhead (1.1, the planner's): 144 us + 2.5 us.
    expect(miss.latencyUs - hit.latencyUs).toBeCloseTo(2.5 + 50 + 500 + (262144 * 1.1 * 8) / 16000 + 2.5, 6);
    expect(e.command({ type: 'cutCable', cableId: 'CN5' }).ok).toBe(true);
    const cutMiss = read(10 * 262144);
    expect(cutMiss.ok).toBe(false);
    expect(cutMiss.reason).toMatch(/R1 cannot be reached over CN5/);
    expect(read(4096).ok).toBe(true);
    expect(e.pairStatus(e.pairs.get('pair-sync')!).state).toBe('PAIR');
  });

  test('a read that spans two uncached tracks stages both (twice the disk time)', () => {
    const e = new Engine(withWorkload({ iops: 0 }), { seed: 1 });
    const one = oneRead(e, 100 * 262144, 4096);
    const two = oneRead(e, 200 * 262144 - 2048, 4096);
    expect(two.latencyUs - one.latencyUs).toBeCloseTo(500, 0);
  });

  test('a read over a cut host cable fails and is counted as failed, not completed', () => {
    const e = new Engine(withWorkload({ iops: 0 }), { seed: 1 });
    expect(e.command({ type: 'cutCable', cableId: 'CN1' }).ok).toBe(true);
    expect(oneRead(e, 0).ok).toBe(false);
    const host = e.snapshot().hosts.find((h) => h.id === 'host1')!;
    expect([host.readsCompleted, host.readsFailed]).toEqual([0, 1]);
  });

  test('a read past the end of the LU is refused with the range named', () => {
    const e = new Engine(withWorkload({ iops: 0 }), { seed: 1 });
    const r = e.hostRead('host1', 'LU11', 1024 ** 3 - 100, 4096);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/runs past the end of LU11/);
  });

  test('a 30%-read mix at 1,000 IOPS for 2 s writes ~1,400 times and reads ~600 times, the same for the same seed', () => {
    const run = () => runSimulation(withWorkload({ iops: 1000, readRatio: 0.3 }), { durationMs: 2000, seed: 5, sha256 });
    const report = run();
    const host = report.hosts.find((h) => h.id === 'host1')!;
    expect(host.writesAcked).toBeGreaterThan(1400 * 0.9);
    expect(host.writesAcked).toBeLessThan(1400 * 1.1);
    expect(host.readsCompleted).toBeGreaterThan(600 * 0.85);
    expect(host.readsCompleted).toBeLessThan(600 * 1.15);
    expect(host.readIops).toBeCloseTo(host.readsCompleted / 2, 6);
    expect(host.readLatencyMs.p50).toBeGreaterThan(0);
    expect(host.readLatencyMs.p99).toBeGreaterThanOrEqual(host.readLatencyMs.p50);
    // Reads of random 4 KiB blocks of a 1 GiB LU mostly miss the 512 MiB cache of tracks touched so far.
    expect(host.readCacheHits).toBeLessThan(host.readsCompleted);
    const again = run().hosts.find((h) => h.id === 'host1')!;
    expect([again.writesAcked, again.readsCompleted, again.readCacheHits]).toEqual([host.writesAcked, host.readsCompleted, host.readCacheHits]);
  });

});

describe('recorded trace replay', () => {
  const writes = (n: number, gapUs: number): TraceRecord[] =>
    Array.from({ length: n }, (_, i) => ({ atUs: i * gapUs, op: 'write' as const, offsetBytes: (i * 7 + 3) * 65536, lengthBytes: 8192 }));

  test('replaying 40 traced writes writes exactly those ranges, and nothing else', () => {
    const records = writes(40, 2500);
    const t = withWorkload({ iops: 123_456, trace: { records, loop: false } });
    const e = new Engine(t, { seed: 2 });
    e.startWorkloads();
    e.runUntil(200_000);
    expect(e.runUntilSettled(120e6)).toBe(true);
    const host = e.snapshot().hosts.find((h) => h.id === 'host1')!;
    expect(host.writesAcked).toBe(40);
    for (const r of records) expect(e.stack.read('V11', r.offsetBytes, r.lengthBytes).some((b) => b !== 0), `bytes at ${r.offsetBytes}`).toBe(true);
    // Between the traced ranges (and past them) the volume is untouched.
    expect(e.stack.read('V11', 3 * 65536 + 8192, 65536 * 7 - 8192).every((b) => b === 0)).toBe(true);
    expect(e.stack.read('V11', 300 * 65536, 1 << 20).every((b) => b === 0)).toBe(true);
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V11'));
  });

  test('records are issued at the workload start plus their time, in time order (ties in file order)', () => {
    const records: TraceRecord[] = [
      { atUs: 3000, op: 'write', offsetBytes: 3 * 4096, lengthBytes: 4096 },
      { atUs: 1000, op: 'write', offsetBytes: 1 * 4096, lengthBytes: 4096 },
      { atUs: 1000, op: 'write', offsetBytes: 2 * 4096, lengthBytes: 4096 },
      { atUs: 0, op: 'read', offsetBytes: 0, lengthBytes: 4096 },
    ];
    const e = new Engine(withWorkload({ startMs: 5, trace: { records, loop: false } }), { seed: 1, traceWorkloadWrites: true });
    e.startWorkloads();
    e.runUntil(100_000);
    const sends = e.stepEvents(0).filter((s) => s.step === 'host-write');
    expect(sends.map((s) => s.timeUs)).toEqual([6000, 6000, 8000]);
    expect(sends.map((s) => s.ioId)).toEqual([...sends.map((s) => s.ioId!)].sort((a, b) => a - b));
    expect(e.snapshot().hosts[0]!.readsCompleted).toBe(1);
  });

  test('a looping trace starts again every period until the workload ends', () => {
    // Period = last record (2 ms) + mean gap (1 ms) = 3 ms; 10 ms of workload = passes at 0, 3, 6, 9 ms.
    const records: TraceRecord[] = [0, 1000, 2000].map((atUs, i) => ({ atUs, op: 'write' as const, offsetBytes: i * 4096, lengthBytes: 4096 }));
    const e = new Engine(withWorkload({ durationMs: 10, trace: { records, loop: true } }), { seed: 1 });
    e.startWorkloads();
    e.runUntil(1e6);
    e.runUntilSettled(120e6);
    expect(e.snapshot().hosts[0]!.writesAcked).toBe(10);
  });

  test('the same trace and seed give the same volumes; another seed gives other bytes at the same places', () => {
    const t = withWorkload({ trace: { records: writes(30, 1000), loop: false } });
    const a = runSimulation(t, { durationMs: 100, seed: 4, sha256 });
    const b = runSimulation(t, { durationMs: 100, seed: 4, sha256 });
    const c = runSimulation(t, { durationMs: 100, seed: 5, sha256 });
    expect(b.volumes).toEqual(a.volumes);
    expect(c.volumes.find((v) => v.id === 'V11')).not.toEqual(a.volumes.find((v) => v.id === 'V11'));
    expect([a.hosts[0]!.writesAcked, c.hosts[0]!.writesAcked]).toEqual([30, 30]);
  });
});

describe('relaylab simulate --trace', () => {
  test('--trace FILE and --trace HOST:WORKLOAD=FILE are kept apart from the run options', () => {
    const a = parseSimulateArgs(['fig.json', '--trace', 'oltp.csv', '--trace=host2:wl9=/tmp/a=b.csv']);
    expect(a.traces).toEqual([{ file: 'oltp.csv' }, { file: '/tmp/a=b.csv', target: { hostId: 'host2', workloadId: 'wl9' } }]);
    expect(a.options).toEqual({ durationMs: 60_000, faults: [] });
  });

  test('a headerless CSV is atUs,op,offsetBytes,lengthBytes; comments and blank lines are skipped', () => {
    const csv = '# captured on db01\n0,write,0,4096\n\n250,R,8192,512\r\n1000.5,W,1048576,65536\n';
    expect(parseTraceCsv(csv, 't.csv')).toEqual([
      { atUs: 0, op: 'write', offsetBytes: 0, lengthBytes: 4096 },
      { atUs: 250, op: 'read', offsetBytes: 8192, lengthBytes: 512 },
      { atUs: 1000.5, op: 'write', offsetBytes: 1048576, lengthBytes: 65536 },
    ]);
  });

  test('a blktrace-like header: time in seconds, RWBS op, 512-byte sectors and blocks, any column order', () => {
    const csv = 'sector,blocks,rwbs,time\n2048,8,WS,0.000100\n16,1,RA,0.5\n';
    expect(parseTraceCsv(csv, 'blk.csv')).toEqual([
      { atUs: 100, op: 'write', offsetBytes: 2048 * 512, lengthBytes: 4096 },
      { atUs: 500_000, op: 'read', offsetBytes: 8192, lengthBytes: 512 },
    ]);
  });

  test.each([
    ['0,write,0,4096\n10,trim,0,4096\n', 2, /op "trim"/],
    ['0,write,-4096,4096\n', 1, /offset "-4096" is not a number/],
    ['0,write,0,0\n', 1, /length 0/],
    ['0,write,0\n', 1, /no length/],
    ['time,rw,sector\n0,W,0\n', 1, /no length .*column/],
    ['# nothing\n', 0, /no records/],
  ])('%j is refused with a typed error at line %i', (csv, line, why) => {
    let error: unknown;
    try {
      parseTraceCsv(csv, 'bad.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TraceCsvError);
    expect(error).toBeInstanceOf(SimulateArgsError);
    expect((error as TraceCsvError).line).toBe(line);
    expect((error as TraceCsvError).arg).toBe('--trace bad.csv');
    expect((error as TraceCsvError).message).toMatch(why);
  });

  test('applyTrace puts the records on the first host workload, or the named one, and names what is missing', () => {
    const t = fig01();
    const records: TraceRecord[] = [{ atUs: 0, op: 'write', offsetBytes: 0, lengthBytes: 4096 }];
    expect(applyTrace(t, { file: 'a.csv' }, records).hosts[0]!.workloads[0]!.trace).toEqual({ records, loop: false });
    expect(t.hosts[0]!.workloads[0]!.trace).toBeUndefined();
    expect(() => applyTrace(t, { file: 'a.csv', target: { hostId: 'host1', workloadId: 'nope' } }, records)).toThrow(/host host1 has no workload nope \(it has wl1\)/);
    expect(() => applyTrace(t, { file: 'a.csv', target: { hostId: 'ghost', workloadId: 'wl1' } }, records)).toThrow(/no host ghost/);
  });

  test('the CLI replays a trace file: exactly its writes land, and a record past the LU is a located error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'relaylab-trace-'));
    const trace = path.join(dir, 'ten.csv');
    writeFileSync(trace, 'atUs,op,offsetBytes,lengthBytes\n' + Array.from({ length: 10 }, (_, i) => `${i * 1000},write,${i * 1048576},4096`).join('\n') + '\n');
    const run = async (argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
      return { code, out, err };
    };
    const fig = 'assets/topologies/fig01-loop-cascade.relaylab.json';
    const r = await run(['simulate', fig, '--duration', '200ms', '--trace', trace, '--json']);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out) as { hosts: { id: string; writesAcked: number }[] };
    expect(report.hosts.find((h) => h.id === 'host1')!.writesAcked).toBe(10);

    const far = path.join(dir, 'far.csv');
    writeFileSync(far, `0,write,${1024 ** 3},4096\n`);
    const bad = await run(['simulate', fig, '--duration', '200ms', '--trace', `host1:wl1=${far}`]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/trace-out-of-range/);
    expect(bad.err).toMatch(/hosts\.0\.workloads\.0\.trace\.records\.0\.offsetBytes|hosts\[0\]/);
    const missing = await run(['simulate', fig, '--trace', path.join(dir, 'none.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/none\.csv/);
  });
});
