// The sweeps a report shows when none are asked for: host latency vs the sync hop's distance, RPO vs each async hop's bandwidth.
import type { Plan } from '../planning/plan';
import type { SweepSpec } from '../planning/sweep';

/** Rounds up to 1, 2 or 5 x 10^k, so sweep ranges read well on a chart axis. */
function niceCeil(x: number): number {
  if (!(x > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(x));
  return ([1, 2, 5, 10].map((m) => m * mag).find((v) => v >= x) ?? 10 * mag);
}

/**
 * One distance sweep over the first routed synchronous hop (0 to 300 km, the usual limit of synchronous replication),
 * and a bandwidth sweep per routed asynchronous hop (at most `maxAsync`) from half the bandwidth its writes need, where
 * the RPO is unbounded, to about 8 times it, so the chart shows where the link becomes big enough (not the link it has).
 */
export function defaultReportSweeps(plan: Plan, maxAsync = 2): SweepSpec[] {
  const specs: SweepSpec[] = [];
  const routed = plan.hops.filter((h) => h.route && h.route.cableIds.length > 0);
  const sync = routed.find((h) => h.mode === 'sync');
  if (sync) specs.push({ parameter: 'distance', targetId: sync.pairId, from: 0, to: Math.max(300, niceCeil((sync.route?.distanceKm ?? 0) * 2)), points: 16 });
  for (const h of routed.filter((x) => x.mode === 'async' && x.writeBytesPerSec > 0).slice(0, maxAsync)) {
    const needed = h.figures.find((f) => f.key === 'requiredMbps')?.value ?? 0;
    if (!(needed > 0)) continue;
    const from = Math.max(1, niceCeil(needed / 2) / 2);
    const to = niceCeil(needed * 8);
    specs.push({ parameter: 'bandwidth', targetId: h.pairId, from, to, points: 24 });
  }
  return specs;
}
