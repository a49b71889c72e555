// Model-based property test of the engine: random topologies, writes, faults and pair commands; replication invariants checked after every step.
import fc from 'fast-check';
import { describe, expect, it, test } from 'vitest';
import { loadBuiltIns } from '../../../test/builtins';
import { withoutInitialFill, type Topology } from '../../../app/model/schema';
import { actionArb, actionWithEditsArb, loadVariationArb, relayHosts, remoteHosts, siblingHosts, straddling, variationArb } from './arbitraries';
import { validateDocument } from '../../../app/validate';
import { Engine } from '../engine';
import { groupPairs, runSequence, vary, withPathGroups, type Action, type Violation } from './harness';
import { describe as describeViolation } from './long-run';

const builtIns: { file: string; topology: Topology }[] = loadBuiltIns()
  // The exercise files are FIG. 1 with a fault timeline and one setting changed: the nine figures and the 3DC variant cover their shapes.
  .filter(({ file }) => !file.includes('-exercise-'))
  // Empty volumes: some arbitraries start pairs already paired, which starting data on one side would contradict.
  .map(({ file, topology }) => ({ file, topology: withoutInitialFill(topology) }));

/** A sequence that broke an invariant fails the property, saying where and what. */
function failOn(file: string, violations: Violation[]): void {
  if (violations.length) throw new Error(`${file}: ${violations.map(describeViolation).join('\n')}`);
}

const RUNS = Number(process.env.RELAYLAB_PROP_RUNS ?? 120);

describe('the engine under random writes, faults and pair commands', () => {
  it(`keeps every replication invariant after every step (${RUNS} runs over the built-in topologies)`, () => {
    const totals = { runs: 0, steps: 0, writesAcked: 0, faults: 0, resyncs: 0 };
    fc.assert(
      fc.property(fc.nat(builtIns.length - 1), variationArb, fc.nat(1_000_000), fc.array(actionArb, { minLength: 5, maxLength: 60, size: 'max' }), (which, variation, seed, actions) => {
        const { violations, stats } = runSequence(builtIns[which]!.topology, variation, seed, actions);
        totals.runs++;
        totals.steps += stats.steps;
        totals.writesAcked += stats.writesAcked;
        totals.faults += stats.faults;
        totals.resyncs += stats.resyncsCompleted;
        failOn(builtIns[which]!.file, violations);
      }),
      { numRuns: RUNS },
    );
    expect(totals.runs).toBe(RUNS);
    expect(totals.writesAcked).toBeGreaterThan(RUNS);
  }, 120_000);
});

const LOAD_RUNS = Number(process.env.RELAYLAB_PROP_LOAD_RUNS ?? 40);

describe('the engine under sustained load while faults and pair commands land', () => {
  it(`settles after repair with every PAIR over equal copies, and keeps the model-free invariants meanwhile (${LOAD_RUNS} runs)`, () => {
    // The figures' own workloads at 2,000-10,000 hotspot IOPS over 1-4 MiB caches: writes queue for slots in every
    // system, which the one-write-at-a-time runs above never make happen (a host write queued on the old P-VOL during
    // a swap-takeover, and thousands of queued writers failing nested, were found this way).
    let acked = 0;
    fc.assert(
      fc.property(fc.nat(builtIns.length - 1), loadVariationArb, fc.nat(1_000_000), fc.array(actionArb, { minLength: 5, maxLength: 40, size: 'max' }), (which, variation, seed, actions) => {
        const { violations, stats } = runSequence(builtIns[which]!.topology, variation, seed, actions);
        acked += stats.writesAcked;
        failOn(builtIns[which]!.file, violations);
      }),
      { numRuns: LOAD_RUNS },
    );
    // The load ran: the workloads' writes, not the model's (which it issues none of under load).
    expect(acked).toBeGreaterThan(LOAD_RUNS * 50);
  }, 120_000);
});

describe('the engine with writes across track boundaries, hosts at the relay and remote sites and live cable edits', () => {
  // A write across two tracks deadlocked caches under load and followed only one of its tracks' two paths; a host at
  // the remote site wrote a standby's S-VOL; a shortened cable reordered transfers (bugs 22-26 in docs/TRUST.md). The
  // runs above never wrote across a track, never wrote on the remote side and never edited a cable. A host at the relay
  // wrote bytes a reversed pair's secondary shares (bug 32); a host there writing V21 overtook V12's writes on their
  // way to it (bugs 38, 40).
  it(`keeps every invariant without load (${RUNS} runs) and settles under load (${LOAD_RUNS / 2} runs)`, () => {
    let acked = 0;
    fc.assert(
      fc.property(fc.nat(builtIns.length - 1), siblingHosts(relayHosts(remoteHosts(straddling(variationArb)))), fc.nat(1_000_000), fc.array(actionWithEditsArb, { minLength: 5, maxLength: 60, size: 'max' }), (which, variation, seed, actions) => {
        const { violations, stats } = runSequence(builtIns[which]!.topology, variation, seed, actions);
        acked += stats.writesAcked;
        failOn(builtIns[which]!.file, violations);
      }),
      { numRuns: RUNS },
    );
    expect(acked).toBeGreaterThan(RUNS);
    fc.assert(
      fc.property(fc.nat(builtIns.length - 1), siblingHosts(relayHosts(remoteHosts(straddling(loadVariationArb)))), fc.nat(1_000_000), fc.array(actionWithEditsArb, { minLength: 5, maxLength: 40, size: 'max' }), (which, variation, seed, actions) => {
        failOn(builtIns[which]!.file, runSequence(builtIns[which]!.topology, variation, seed, actions).violations);
      }),
      { numRuns: LOAD_RUNS / 2 },
    );
  }, 120_000);
});

const DELTA_LOAD_RUNS = Number(process.env.RELAYLAB_PROP_DELTA_RUNS ?? 12);

describe('the delta-resync figure under sustained load', () => {
  it(`settles after repair with every PAIR over equal copies, (${DELTA_LOAD_RUNS} runs of FIG. 1 + 3DC, delta resyncs among the commands)`, () => {
    // The standby forgets a kept write by the relay's journal order, which load makes differ from the order the writes
    // reached V11 (docs/TRUST.md bug 17): the figure gets runs of its own here, not 1 in 11 of those above.
    const delta = builtIns.find((b) => b.file.includes('delta-resync'))!;
    let acked = 0;
    fc.assert(
      fc.property(loadVariationArb, fc.nat(1_000_000), fc.array(actionArb, { minLength: 5, maxLength: 60, size: 'max' }), (variation, seed, actions) => {
        const { violations, stats } = runSequence(delta.topology, variation, seed, actions);
        acked += stats.writesAcked;
        failOn(delta.file, violations);
      }),
      { numRuns: DELTA_LOAD_RUNS },
    );
    expect(acked).toBeGreaterThan(DELTA_LOAD_RUNS * 50);
  }, 120_000);
});

describe('path groups in the variations', () => {
  test.each(builtIns.map((b) => [b.file, b.topology] as const))('%s with every pair on two paths is a valid topology', (_file, topology) => {
    const doubled = withPathGroups(topology);
    expect(validateDocument(doubled).problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(doubled.pairs.some((p) => p.paths?.cableIds.length === 2)).toBe(true);
  });
});

describe('multi-pair consistency groups in the variations', () => {
  test.each(builtIns.map((b) => [b.file, b.topology] as const))('%s twice side by side is a valid topology whose journals and sync groups hold two pairs', (_file, topology) => {
    const twins = groupPairs(topology, 'twins');
    const { problems } = validateDocument(twins);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const e = new Engine(vary(twins, { distanceScale: 1, bandwidthScale: 1, fence: 'data', initially: 'paired', journalBytes: 1 << 30, autoResync: false }), { seed: 1 });
    expect(e.journals.size).toBeGreaterThan(0);
    for (const j of e.journals.values()) expect(j.pairs.length).toBe(2);
  });

  it('FIG. 12 with one group puts both fan-out legs in one journal', () => {
    const fig12 = builtIns.find((b) => b.file.startsWith('fig12'))!.topology;
    const e = new Engine(groupPairs(fig12, 'one-group'), { seed: 1 });
    expect([...e.journals.values()].map((j) => j.pairs.map((p) => p.id))).toEqual([['pair-async-a', 'pair-async-b']]);
  });

  it('the delete of issue 15 is a violation the checker sees without the fix: FIG. 12, one group, delete pair-async-a with records in flight', () => {
    const fig12 = builtIns.find((b) => b.file.startsWith('fig12'))!.topology;
    const { violations } = runSequence(fig12, { distanceScale: 1, bandwidthScale: 0.01, fence: 'never', initially: 'paired', journalBytes: 1 << 30, autoResync: false, grouping: 'one-group' }, 1, [
      ...Array.from({ length: 10 }, (_, block) => ({ kind: 'write' as const, target: 0, block })),
      { kind: 'run', us: 3_000 },
      { kind: 'pair', index: 1, op: 'delete', readWrite: false },
      { kind: 'settle' },
    ]);
    expect(violations).toEqual([]);
  });
});

describe('the checker itself', () => {
  const fig01 = builtIns.find((b) => b.file.startsWith('fig01-loop'))!.topology;
  const calm = { distanceScale: 1, bandwidthScale: 1, fence: 'data', initially: 'paired', journalBytes: 1 << 30, autoResync: false } as const;

  it('finds written blocks on both legs of the FIG. 1 cascade', () => {
    const { violations, stats } = runSequence(fig01, calm, 1, [
      ...Array.from({ length: 10 }, (_, block) => ({ kind: 'write' as const, target: 0, block })),
      { kind: 'settle' },
    ]);
    expect(violations).toEqual([]);
    expect(stats.writesAcked).toBe(10);
  });

  /** The model writes each block through its target `target`, letting every pair settle after each. */
  function writeAndSettle(model: { apply(a: Action): void }, target: number, ...blocks: number[]): void {
    for (const block of blocks) {
      model.apply({ kind: 'write', target, block });
      model.apply({ kind: 'settle' });
    }
  }

  it('reports an acknowledged sync write missing from the secondary (the secondary is damaged behind its back)', async () => {
    const { EngineModel, vary } = await import('./harness');
    const model = new EngineModel(vary(fig01, calm), 1);
    model.addTarget('host1', 'LU11');
    model.apply({ kind: 'write', target: 0, block: 0 });
    model.apply({ kind: 'settle' });
    expect(model.violations).toEqual([]);
    model.engine.preload('V12', 0, new Uint8Array(4096));
    model.apply({ kind: 'run', us: 1 });
    expect(model.violations.map((v) => v.invariant)).toContain('sync-acked-on-secondary');
  });

  it('reports an async secondary showing a later write without an earlier one', async () => {
    const { EngineModel, vary } = await import('./harness');
    const model = new EngineModel(vary(fig01, calm), 1);
    model.addTarget('host1', 'LU11');
    writeAndSettle(model, 0, 0, 1);
    expect(model.violations).toEqual([]);
    model.engine.preload('V22', 0, new Uint8Array(4096));
    model.apply({ kind: 'run', us: 1 });
    expect(model.violations.map((v) => v.invariant)).toContain('async-consistent-image');
  });

  it('reports a taken-over S-VOL changed by something other than its own host (written behind its back)', async () => {
    const { EngineModel, vary } = await import('./harness');
    const { withRemoteHosts } = await import('./variations');
    const model = new EngineModel(vary(withRemoteHosts(fig01), calm), 1);
    model.addTarget('host1', 'LU11');
    model.addTarget('hostR0', 'LU-R0');
    model.apply({ kind: 'write', target: 0, block: 0 });
    model.apply({ kind: 'settle' });
    model.apply({ kind: 'pair', index: 1, op: 'takeover', readWrite: true });
    model.apply({ kind: 'settle' });
    expect(model.engine.pairs.get('pair-async')!.state).toBe('SSWS');
    // The remote host's own write is what SSWS is for.
    model.apply({ kind: 'write', target: 1, block: 1 });
    model.apply({ kind: 'settle' });
    expect(model.violations).toEqual([]);
    // The local host's block 1 lands on V22 behind the pair's back.
    // (Block 1 of LU11 is at 3 tracks + 8 KiB, and V22 holds LU11's bytes at the same offsets; write #200 was never issued.)
    model.engine.preload('V22', 3 * 262144 + 8192, new Uint8Array([200, 0, 0, 0]));
    model.apply({ kind: 'run', us: 1 });
    expect(model.violations.map((v) => v.invariant)).toContain('taken-over-image-stable');
  });

  it('checks the image a takeover hands over: V22 missing an earlier write when pair-async turns SSWS', async () => {
    const { EngineModel, vary } = await import('./harness');
    const model = new EngineModel(vary(fig01, calm), 1);
    model.addTarget('host1', 'LU11');
    writeAndSettle(model, 0, 0, 1);
    expect(model.violations).toEqual([]);
    // Damaged and taken over between two checks: the next check is the first to see SSWS.
    model.engine.preload('V22', 0, new Uint8Array(4096));
    expect(model.engine.command({ type: 'pair', pairId: 'pair-async', op: 'takeover', readWrite: true }).ok).toBe(true);
    model.engine.runUntilSettled(model.engine.nowUs + 10e6);
    expect(model.engine.pairs.get('pair-async')!.state).toBe('SSWS');
    model.apply({ kind: 'run', us: 1 });
    expect(model.violations.map((v) => v.invariant)).toContain('async-consistent-image');
  });

  it('checks a reversed async pair too: after a swap-resync, V21 showing the remote host\'s later write without its earlier one', async () => {
    const { EngineModel, vary } = await import('./harness');
    const { withRemoteHosts } = await import('./variations');
    const model = new EngineModel(vary(withRemoteHosts(fig01), calm), 1);
    model.addTarget('hostR0', 'LU-R0');
    // pair-sync goes first: a copy into V21 would write the bytes of V12, its secondary (refused while it replicates).
    model.apply({ kind: 'pair', index: 0, op: 'delete', readWrite: false });
    model.apply({ kind: 'pair', index: 1, op: 'takeover', readWrite: true });
    model.apply({ kind: 'settle' });
    model.apply({ kind: 'pair', index: 1, op: 'swapResync', readWrite: false });
    model.apply({ kind: 'settle' });
    const p = model.engine.pairs.get('pair-async')!;
    expect([p.state, p.swapped, p.primaryId]).toEqual(['PAIR', true, 'V22']);
    writeAndSettle(model, 0, 0, 1);
    expect(model.violations).toEqual([]);
    model.engine.preload('V21', 0, new Uint8Array(4096));
    model.apply({ kind: 'run', us: 1 });
    expect(model.violations.map((v) => v.invariant)).toContain('async-consistent-image');
  });
});
