// Headless runs and their arguments: the report's fields, faults on time, settling, and typed errors for bad arguments.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseTopologyText } from '../../app/model/file';
import type { Topology } from '../../app/model/schema';
import { runSimulation } from './headless';
import { parseSimulateArgs, SimulateArgsError } from './headless-args';

function fig01(): Topology {
  const r = parseTopologyText(readFileSync('assets/topologies/fig01-loop-cascade.relaylab.json', 'utf8'));
  if (!r.ok) throw new Error('fig01 does not load');
  return r.topology;
}

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
        { atMs: 250, command: { type: 'pair', pairId: 'pair-async', op: 'resync' } },
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
    expect(json.pairs[1]!.rpoMs).toBe(0);
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
