// Headless runs and their arguments: the report's fields, faults on time, settling, and typed errors for bad arguments.
import { describe, expect, test } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { Topology } from '../../app/model/schema';
import { runSimulation } from './headless';
import { parseSimulateArgs, SimulateArgsError } from '../cli/simulate-args';

const fig01 = (): Topology => loadBuiltIn('fig01-loop-cascade.relaylab.json');

/** FIG. 1 with its volumes empty at the start (no initialFill): for tests about faults and latency, not the initial copy. */
function fig01Empty(): Topology {
  const t = fig01();
  return { ...t, volumes: t.volumes.map((v) => (v.kind === 'real' ? { ...v, initialFill: undefined } : v)) };
}

describe('relaylab simulate arguments', () => {
  test('durations, seed, faults, workload and --json are parsed into runSimulation options', () => {
    const a = parseSimulateArgs(['fig.relaylab.json', '--duration', '60s', '--seed', '7', '--fault', 'at=10s,cut=CN4', '--fault', 'at=20s,restore=CN4', '--workload', 'iops=5000,block=4k,pattern=hotspot', '--json']);
    expect(a.files).toEqual(['fig.relaylab.json']);
    expect(a.json).toBe(true);
    expect(a.options).toEqual({
      durationMs: 60_000,
      seed: 7,
      faults: [
        { atMs: 10_000, command: { type: 'cutCable', cableId: 'CN4' } },
        { atMs: 20_000, command: { type: 'restoreCable', cableId: 'CN4' } },
      ],
      workloadOverride: { iops: 5000, blockBytes: 4096, pattern: 'hotspot' },
    });
    expect(parseSimulateArgs(['--duration=500ms']).options.durationMs).toBe(500);
    expect(parseSimulateArgs(['--fault', 'at=1.5s,takeover=pair-sync', '--duration', '2m']).options.faults).toEqual([{ atMs: 1500, command: { type: 'pair', pairId: 'pair-sync', op: 'takeover' } }]);
  });

  test.each([
    [['--duration', 'soon'], '--duration'],
    [['--seed', '-3'], '--seed'],
    [['--fault', 'cut=CN4'], '--fault cut=CN4'],
    [['--fault', 'at=1s,explode=CN4'], '--fault at=1s,explode=CN4'],
    [['--workload', 'iops=lots'], '--workload iops=lots'],
    [['--duration', '10s', '--fault', 'at=20s,cut=CN4'], '--fault'],
    [['--verbose'], '--verbose'],
    [['--seed'], '--seed'],
  ])('%j is refused with a typed error naming %s', (argv, arg) => {
    let error: unknown;
    try {
      parseSimulateArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SimulateArgsError);
    expect((error as SimulateArgsError).arg).toBe(arg);
  });
});

describe('runSimulation', () => {
  test('simulate honours the data volumes start with: the initial copy sends it, and the copies converge on it', () => {
    const filled = runSimulation(fig01(), { durationMs: 100, seed: 3 });
    const empty = runSimulation(fig01Empty(), { durationMs: 100, seed: 3 });
    const hash = (r: typeof filled, id: string): string => r.volumes.find((v) => v.id === id)!.sha256;
    expect(filled.settled).toBe(true);
    expect(filled.pairs.map((p) => p.state)).toEqual(['PAIR', 'PAIR']);
    expect(hash(filled, 'V22')).toBe(hash(filled, 'V11'));
    expect(hash(filled, 'V11')).not.toBe(hash(empty, 'V11'));
  });

  test('a cut and a restore during the run: the report carries the headless fields and the copies converge', () => {
    // Empty volumes: the sync pair is in PAIR at once, so the host's writes wait for the 60 km round trips from the start.
    const t = fig01Empty();
    const report = runSimulation(t, {
      durationMs: 400,
      seed: 3,
      faults: [
        { atMs: 100, command: { type: 'cutCable', cableId: 'CN4' } },
        { atMs: 200, command: { type: 'restoreCable', cableId: 'CN4' } },
        // Late enough that the differential copy (journaling the writes to tracks it already sent) is still running at 400 ms.
        { atMs: 395, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
      ],
      workloadOverride: { iops: 500, pattern: 'sequential' },
    });
    expect(report.settled).toBe(true);
    expect(report.faults.map((f) => f.ok)).toEqual([true, true, true]);
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    expect(Object.keys(json.pairs[0]!)).toEqual(expect.arrayContaining(['id', 'primaryVolume', 'secondaryVolume', 'mode', 'state', 'copyProgress', 'differentialTracks']));
    expect(json.pairs.map((p) => [p.id, p.state, p.copyProgress, p.differentialTracks])).toEqual([
      ['pair-sync', 'PAIR', 1, 0],
      ['pair-async', 'PAIR', 1, 0],
    ]);
    // RPO is read at the end of --duration, before the drain: the resync started at 395 ms has not restored the image
    // yet, so it counts from the image's last write before the cut at 100 ms (issue 11: it used to read 0 after the drain).
    expect(json.pairs[1]!.rpoMs).toBeGreaterThan(300);
    expect(json.pairs[1]!.maxRpoMs).toBeGreaterThanOrEqual(json.pairs[1]!.rpoMs!);
    const hash = (id: string): string => json.volumes.find((v) => v.id === id)!.sha256;
    expect(hash('V22')).toBe(hash('V11'));
    expect(hash('R40')).toBe(hash('V11'));
    const host = json.hosts[0]!;
    expect(host.writeIops).toBeGreaterThan(300);
    expect(host.writeLatencyMs.p50).toBeGreaterThan(1.2); // two round trips over 60 km
    expect(host.writeLatencyMs.p99).toBeGreaterThanOrEqual(host.writeLatencyMs.p50);
    const cn4 = json.links.find((l) => l.id === 'CN4')!;
    expect(cn4.bytes).toBeGreaterThan(0);
    expect(cn4.utilization).toBeGreaterThan(0);
    expect(cn4.utilization).toBeLessThanOrEqual(1);
  });

  test('a cable left cut leaves the pair suspended with its differential tracks, and the report says it did not settle only if something is stuck', () => {
    const report = runSimulation(fig01(), {
      durationMs: 300,
      seed: 4,
      faults: [{ atMs: 50, command: { type: 'cutCable', cableId: 'CN4' } }],
      workloadOverride: { iops: 300 },
    });
    const pair = report.pairs.find((p) => p.id === 'pair-async')!;
    expect(pair.state).toBe('PSUE');
    expect(pair.differentialTracks).toBeGreaterThan(0);
    expect(report.settled).toBe(true);
  });
});

describe('workload payloads kept as recipes', () => {
  test('the report\'s sha256 of every volume (FIG. 12, 10,000 IOPS of 4 KiB) is the hash of the materialised bytes', async () => {
    const { createHash } = await import('node:crypto');
    const { Engine } = await import('./engine');
    const { SparseVolume } = await import('./data/sparse-volume');
    const sha256 = (d: Uint8Array) => new Uint8Array(createHash('sha256').update(d).digest());
    const fig12 = loadBuiltIn('fig12-fan-out.relaylab.json');
    const options = { durationMs: 200, seed: 3, workloadOverride: { iops: 10_000, blockBytes: 4096 }, sha256 };
    const report = runSimulation(fig12, options);
    // The same run (same seed) on an engine of our own: read every written chunk back (materialising it), copy the
    // bytes into fresh volumes, and hash those.
    const e = new Engine(fig12, { seed: 3, sha256 });
    e.workloadsStopUs = 200_000;
    e.startWorkloads(options.workloadOverride);
    e.runUntil(200_000);
    expect(e.runUntilSettled(200_000 + 3_600e6)).toBe(true);
    let chunks = 0;
    for (const [id, store] of e.stack.stores) {
      const fresh = new SparseVolume(store.sizeBytes, { trackBytes: store.trackBytes, sha256 });
      for (const t of [...store.writtenTracks()]) {
        fresh.write(t * store.trackBytes, store.read(t * store.trackBytes, store.trackLength(t)).slice());
        chunks++;
      }
      expect(report.volumes.find((v) => v.id === id)!.sha256, id).toBe(fresh.contentHash());
    }
    expect(chunks).toBeGreaterThan(4 * 1000);
    // Virtual volumes over those stores hash the same as their store (FIG. 12 maps every volume whole at offset 0).
    for (const v of report.volumes) expect(v.sha256).toBe(report.volumes.find((x) => x.id === 'R11')!.sha256);
  }, 120_000);
});
