// planTopology on the nine built-in topologies (FIG. 1-16): every pair routed, every relay leg carries the host writes.
import { describe, expect, it } from 'vitest';
import { builtInFiles, loadBuiltIn } from '../../test/builtins';
import { pairRoute, syncHopWriteUs } from '../../app/model/paths';
import { planTopology } from '../../app/planning/plan';

const files = builtInFiles();

describe('plans of the built-in topologies', () => {
  it('there are fourteen of them (the nine embodiments, FIG. 1 with a delta-resync standby pair, four exercise variants of FIG. 1)', () => {
    expect(files).toHaveLength(14);
  });

  it.each(files)('%s: every pair is routed and every workload reaches its local system', (file) => {
    const plan = planTopology(loadBuiltIn(file));
    expect(plan.checks.filter((c) => c.code === 'no-route' || c.code === 'unresolved-workload')).toEqual([]);
    expect(plan.hops.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: the host behind the sync leg waits for it, as the model\'s own hop delay says', (file) => {
    const t = loadBuiltIn(file);
    const plan = planTopology(t);
    const syncHop = plan.hops.find((h) => h.mode === 'sync')!;
    const w = plan.workloads.find((x) => x.syncChain.includes(syncHop.pairId))!;
    expect(w).toBeDefined();
    const route = pairRoute(t, syncHop.pairId)!;
    const cable = t.cables.find((c) => c.id === route.cableId)!;
    const processingUs = 50; // the receiving relay's CHA, schema default
    expect(syncHop.responseMs! * 1000).toBeCloseTo(syncHopWriteUs(cable, w.blockBytes) + processingUs, 9);
  });

  it.each(files)('%s: every async leg carries writes from the relay (no dead relay leg)', (file) => {
    const plan = planTopology(loadBuiltIn(file));
    const sync = plan.hops.find((h) => h.mode === 'sync')!;
    for (const hop of plan.hops.filter((h) => h.mode === 'async')) {
      expect(hop.writeIops, hop.pairId).toBeGreaterThanOrEqual(sync.writeIops);
      expect(hop.rpo?.bounded, hop.pairId).toBe(true);
    }
  });

  it('FIG. 12 fans the relay out: both remote legs carry all 800 writes/s and the data lives at three other sites', () => {
    const plan = planTopology(loadBuiltIn('fig12-fan-out.relaylab.json'));
    expect(plan.hops.filter((h) => h.mode === 'async').map((h) => h.writeIops)).toEqual([800, 800]);
    expect(plan.workloads[0]!.copySiteIds).toHaveLength(3);
  });

  it('FIG. 14 stacks hosts on one relay volume: the async leg carries host1 800 + host2 100 + host3 210 writes/s', () => {
    const plan = planTopology(loadBuiltIn('fig14-lu-layering.relaylab.json'));
    const asyncHop = plan.hops.find((h) => h.mode === 'async')!;
    expect(asyncHop.writeIops).toBeCloseTo(800 + 200 * 0.5 + 300 * 0.7, 9);
  });

  it.each(files)('%s: a changeover switch check appears exactly where a switch group carries two legs', (file) => {
    const t = loadBuiltIn(file);
    const checks = planTopology(t).checks.filter((c) => c.code === 'switch-group-serialises');
    expect(checks).toHaveLength(t.cables.some((c) => c.switchGroup) ? 1 : 0);
  });
});
