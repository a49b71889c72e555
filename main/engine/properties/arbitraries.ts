// fast-check generators of engine actions and topology variations, shared by the property test, scripts/prop-long.mjs and scripts/soak.mjs.
import fc from 'fast-check';
import type { Action, Variation } from './harness';

export const variationArb: fc.Arbitrary<Variation> = fc.record({
  distanceScale: fc.constantFrom(0.01, 0.1, 1, 3, 10),
  bandwidthScale: fc.constantFrom(0.01, 0.1, 1, 4),
  fence: fc.constantFrom('data' as const, 'status' as const, 'never' as const),
  initially: fc.constantFrom('paired' as const, 'create' as const),
  journalBytes: fc.constantFrom(64 * 1024, 1024 * 1024, 64 * 1024 * 1024 * 1024),
  autoResync: fc.boolean(),
  grouping: fc.constantFrom('as-filed' as const, 'one-group' as const, 'twins' as const),
  paths: fc.boolean(),
});

/** A variation under sustained load (see Variation.load): the figures' workloads at 2,000 or 10,000 hotspot IOPS over small caches. */
export const loadVariationArb: fc.Arbitrary<Variation> = fc.record({
  base: variationArb,
  load: fc.record({
    iops: fc.constantFrom(2_000, 10_000),
    hotspotFraction: fc.constantFrom(0.0005, 0.001, 0.01),
    cacheBytes: fc.constantFrom(2 ** 20, 4 * 2 ** 20),
  }),
}).map(({ base, load }) => ({ ...base, load }));

const op = fc.constantFrom('create' as const, 'split' as const, 'resync' as const, 'takeover' as const, 'swapResync' as const, 'failback' as const, 'delete' as const, 'liftFence' as const, 'deltaResync' as const);

export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ kind: fc.constant('write' as const), target: fc.nat(7), block: fc.nat(15) }) },
  { weight: 14, arbitrary: fc.record({ kind: fc.constant('run' as const), us: fc.integer({ min: 1, max: 200_000 }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('cutCable' as const, 'restoreCable' as const), index: fc.nat(15) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('failSystem' as const, 'restoreSystem' as const), index: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('failSite' as const, 'restoreSite' as const), index: fc.nat(7) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('pair' as const), index: fc.nat(7), op, readWrite: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fillJournal' as const), index: fc.nat(7) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fillCache' as const), index: fc.nat(7) }) },
);

/** The same variations with writes that span tracks and chunks (Variation.writes); prop-long's --straddle. */
export function straddling(arb: fc.Arbitrary<Variation>): fc.Arbitrary<Variation> {
  return fc
    .tuple(arb, fc.constantFrom(6144, 45056), fc.constantFrom(0, 0.3))
    .map(([v, blockBytes, readRatio]) => ({ ...v, writes: 'straddling' as const, ...(v.load ? { load: { ...v.load, blockBytes, readRatio } } : {}) }));
}

/** The actions with live cable edits among them (a cable made shorter or longer, slower or faster mid-run); prop-long's --edits. */
export const actionWithEditsArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 12, arbitrary: actionArb },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('editCable' as const), index: fc.nat(15), distanceKm: fc.constantFrom(0.1, 10, 600, 3000), bandwidthMbps: fc.constantFrom(100, 1000, 16_000) }) },
);

/** The same variations with a host writing each async pair's secondary at its site (Variation.remoteHosts); prop-long's --remote. */
export function remoteHosts(arb: fc.Arbitrary<Variation>): fc.Arbitrary<Variation> {
  return arb.map((v) => ({ ...v, remoteHosts: true }));
}

/** The same variations with a host writing each sync pair's secondary at its site (Variation.relayHosts); prop-long's --relay. */
export function relayHosts(arb: fc.Arbitrary<Variation>): fc.Arbitrary<Variation> {
  return arb.map((v) => ({ ...v, relayHosts: true }));
}

/** The same variations with a host writing each sibling of a sync secondary (Variation.siblingHosts); prop-long's --sibling. */
export function siblingHosts(arb: fc.Arbitrary<Variation>): fc.Arbitrary<Variation> {
  return arb.map((v) => ({ ...v, siblingHosts: true }));
}
