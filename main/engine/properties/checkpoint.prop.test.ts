// Checkpoints under random sequences: a run that goes on from a checkpoint taken at a random step (restored into a new engine) ends exactly where the straight run ends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBuiltIns } from '../../../test/builtins';
import { withoutInitialFill, type Topology } from '../../../app/model/schema';
import { actionWithEditsArb, loadVariationArb, relayHosts, remoteHosts, siblingHosts, straddling, variationArb } from './arbitraries';
import { Engine } from '../engine';
import { runSequence } from './harness';

const builtIns: { file: string; topology: Topology }[] = loadBuiltIns().map(({ file, topology }) => ({ file, topology: withoutInitialFill(topology) }));

const RUNS = Number(process.env.RELAYLAB_PROP_RUNS ?? 120) >> 2;
/** Under sustained load (writers queued for slots everywhere when the checkpoint is taken): fewer, each runs longer. */
const LOAD_RUNS = Number(process.env.RELAYLAB_PROP_LOAD_RUNS ?? 40) >> 2;

/** Where a run ended: clock, events, pair statuses, host counters, every volume's hash, what the checker saw. */
function ending(r: ReturnType<typeof runSequence>): unknown {
  const e = r.engine!;
  return {
    nowUs: e.nowUs,
    executed: e.sched.executed,
    pairs: [...e.pairs.values()].map((p) => e.pairStatus(p)),
    hosts: e.hostTotals().map((h) => [h.id, h.writesAcked, h.writesFailed, h.latency.count, h.latency.maxUs]),
    volumes: e.topology.volumes.map((v) => `${v.id} ${e.volumeHash(v.id)}`),
    violations: r.violations,
    stats: { ...r.stats, statesSeen: [...r.stats.statesSeen].sort() },
  };
}

/** Disturbs an engine everywhere after a checkpoint of it was taken (commands and bytes only, no event: an event could answer the model's own writes). */
function disturb(engine: Engine): void {
  const t = engine.topology;
  for (const c of t.caches) engine.command({ type: 'fillCache', cacheId: c.id });
  for (const p of t.pairs) if (p.mode === 'async') engine.command({ type: 'fillJournal', pairId: p.id });
  for (const p of t.pairs) engine.command({ type: 'pair', pairId: p.id, op: 'split' });
  for (const c of t.cables) engine.command({ type: 'setCable', cableId: c.id, distanceKm: 4321, bandwidthMbps: 7 });
  for (const c of t.cables) engine.command({ type: 'cutCable', cableId: c.id });
  for (const s of t.systems) engine.command({ type: 'failSystem', systemId: s.id });
  for (const v of t.volumes) if (v.kind === 'real' && v.backing.type === 'internal') engine.preload(v.id, 0, new Uint8Array(65536).fill(0x5a));
  engine.prng.nextU32();
}

describe('checkpoints under random writes, faults and pair commands', () => {
  const cases: [string, (engine: Engine, cp: ReturnType<Engine['checkpoint']>) => Engine][] = [
    // The engine the checkpoint came from is disturbed (and abandoned): nothing may reach the checkpoint.
    ['restored into a new engine', (_engine, cp) => Engine.fromCheckpoint(cp)],
    // Restored into the disturbed engine itself (as the driver seeks back): the restore takes its objects over, and
    // none of the disturbed state may survive it.
    ['restored into the engine it was taken from, disturbed since', (engine, cp) => (engine.restore(cp), engine)],
  ];
  for (const [how, restore] of cases) for (const [load, runs] of [[false, RUNS], [true, LOAD_RUNS]] as const) {
    it(`going on from a checkpoint taken at any step, ${how}, ends exactly like the straight run (${runs} runs${load ? ', under sustained load' : ''})`, () => {
      fc.assert(
        fc.property(
          fc.nat(builtIns.length - 1),
          // Half of them with writes across track boundaries (slots taken all at once, the track lock) and hosts at the
          // relay and remote sites, and live cable edits among the actions: the state those keep is restored too.
          load ? fc.oneof(loadVariationArb, siblingHosts(relayHosts(remoteHosts(straddling(loadVariationArb))))) : fc.oneof(variationArb, siblingHosts(relayHosts(remoteHosts(straddling(variationArb))))),
          fc.nat(1_000_000),
          fc.array(actionWithEditsArb, { minLength: 5, maxLength: 40, size: 'max' }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (which, variation, seed, actions, where) => {
            const topology = builtIns[which]!.topology;
            const straight = runSequence(topology, variation, seed, actions);
            const at = Math.min(actions.length - 1, Math.floor(where * actions.length));
            let restored = 0;
            const viaCheckpoint = runSequence(topology, variation, seed, actions, (engine, i) => {
              if (i !== at) return undefined;
              restored++;
              const cp = engine.checkpoint();
              disturb(engine);
              return restore(engine, cp);
            });
            expect(restored).toBe(1);
            expect(ending(viaCheckpoint)).toEqual(ending(straight));
          },
        ),
        { numRuns: runs },
      );
    }, 120_000);
  }
});
