// Tracing a write only adds step events: traced and untraced runs of the same seed end with the same latencies, pair states and volumes (phase 2 gives traced writes a few step-only events of their own).
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { loadFigure } from '../../../test/builtins';
import { Engine } from '../engine';

const sha256 = (data: Uint8Array): Uint8Array => createHash('sha256').update(data).digest();

function outcome(figure: string, traced: boolean): unknown {
  const t = loadFigure(figure);
  const e = new Engine(t, { seed: 3, traceWorkloadWrites: traced, stepBufferSize: 1, sha256 });
  e.workloadsStopUs = 300_000;
  e.startWorkloads({ iops: 3000 });
  e.runUntil(100_000);
  e.command({ type: 'fillCache', cacheId: t.caches[1]!.id });
  e.runUntil(200_000);
  e.command({ type: 'pair', pairId: t.pairs[0]!.id, op: 'split' });
  e.runUntil(250_000);
  e.command({ type: 'pair', pairId: t.pairs[0]!.id, op: 'resync' });
  e.runUntilSettled(60_000_000);
  return {
    nowUs: e.nowUs,
    hosts: e.hostTotals().map((h) => ({ id: h.id, acked: h.writesAcked, failed: h.writesFailed, p50: h.latency.quantileUs(0.5), p99: h.latency.quantileUs(0.99) })),
    pairs: [...e.pairs.values()].map((p) => e.pairStatus(p)),
    volumes: t.volumes.map((v) => e.volumeHash(v.id)),
  };
}

describe('tracing changes nothing but the step events', () => {
  for (const figure of ['fig01', 'fig12', 'fig13']) {
    test(`${figure} with a cache fill, a split and a resync: same end state traced or not`, () => {
      expect(outcome(figure, true)).toEqual(outcome(figure, false));
    });
  }
});
