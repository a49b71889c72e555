// A scenario's timeline in the topology file is played by `relaylab simulate` at its virtual times, with the --fault options.
import { describe, expect, test } from 'vitest';
import { builtInText } from '../../test/builtins';
import { parseTopologyValue } from '../../app/model/file';
import { withoutInitialFill, type Topology } from '../../app/model/schema';
import { runSimulation } from './headless';

function fig01With(timeline: unknown[]): Topology {
  const raw = JSON.parse(builtInText('fig01-loop-cascade.relaylab.json'));
  raw.scenario = { ...(raw.scenario ?? {}), timeline };
  const r = parseTopologyValue(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return withoutInitialFill(r.topology);
}

describe('scenario timeline in the file', () => {
  test('a cut of CN4 in the file suspends the async pair as a --fault would, and the notes come back in the report', () => {
    const t = fig01With([
      { atMs: 200, command: { type: 'cutCable', cableId: 'CN4' }, note: 'the long-haul link fails' },
      { atMs: 5000, command: { type: 'restoreCable', cableId: 'CN4' } },
    ]);
    const fromFile = runSimulation(t, { durationMs: 600, settleCapMs: 1000 });
    const async = fromFile.pairs.find((p) => p.mode === 'async')!;
    expect(async.state).toBe('PSUE');
    expect(fromFile.faults[0]).toMatchObject({ atMs: 200, source: 'scenario', ok: true, note: 'the long-haul link fails' });
    // The restore lies after the end of the run: reported as not played, never silently dropped.
    expect(fromFile.faults[1]).toMatchObject({ atMs: 5000, ok: false, message: expect.stringMatching(/not played/) });

    const fromCli = runSimulation(fig01With([]), { durationMs: 600, settleCapMs: 1000, faults: [{ atMs: 200, command: { type: 'cutCable', cableId: 'CN4' } }] });
    expect(fromCli.pairs).toEqual(fromFile.pairs);
    expect(fromCli.volumes).toEqual(fromFile.volumes);
  });

  test('file steps and --fault steps play together in time order', () => {
    const t = fig01With([{ atMs: 300, command: { type: 'restoreCable', cableId: 'CN4' } }]);
    const r = runSimulation(t, { durationMs: 1000, faults: [{ atMs: 100, command: { type: 'cutCable', cableId: 'CN4' } }] });
    expect(r.faults.map((f) => [f.atMs, f.source, f.command.type])).toEqual([
      [100, 'cli', 'cutCable'],
      [300, 'scenario', 'restoreCable'],
    ]);
  });
});
