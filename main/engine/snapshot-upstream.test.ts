// A snapshot works out every pair's upstream legs once (upstreamIndex) instead of once per pair: its pair statuses must
// be exactly what asking pair by pair gives, through initial copies, cascades, takeovers and suspends.
import { describe, expect, it } from 'vitest';
import { Engine } from './engine';
import { loadBuiltIns } from '../../test/builtins';
import type { EngineCommand } from '../../app/engine/api';

function compare(engine: Engine, when: string): number {
  const one = [...engine.pairs.values()].map((p) => engine.pairStatus(p));
  const all = engine.snapshot().pairs;
  expect(all, when).toEqual(one);
  return all.filter((s) => s.endToEndRpoMs !== undefined || s.secondaryData === 'inconsistent').length;
}

describe('snapshot pair statuses with the upstream legs worked out once', () => {
  it('equal the statuses asked pair by pair in every built-in topology, in every phase of a run', () => {
    let upstreamAware = 0;
    for (const { file, topology } of loadBuiltIns()) {
      const engine = new Engine(topology, { seed: 3 });
      engine.startWorkloads({ iops: 2000, blockBytes: 4096, pattern: 'random', readRatio: 0 });
      // During the initial copies (a downstream leg fed while its upstream copies is inconsistent).
      for (let i = 0; i < 4; i++) {
        engine.runUntil(engine.nowUs + 50_000);
        upstreamAware += compare(engine, `${file} copying at ${engine.nowUs} us`);
      }
      engine.runUntil(engine.nowUs + 2_000_000);
      upstreamAware += compare(engine, `${file} replicating`);
      // Take the first pair's secondary over, suspend the rest by cutting their links, and look again.
      const [first, ...rest] = [...engine.pairs.values()];
      const commands: EngineCommand[] = [];
      if (first) commands.push({ type: 'pair', pairId: first.id, op: 'takeover' });
      for (const p of rest) if (p.route) commands.push({ type: 'cutCable', cableId: p.route.link.id });
      for (const c of commands) {
        engine.command(c);
        engine.runUntil(engine.nowUs + 100_000);
        upstreamAware += compare(engine, `${file} after ${JSON.stringify(c)}`);
      }
    }
    // The cascades' downstream legs report an end-to-end RPO (or an inconsistent image while fed by a copy): the
    // comparison covered statuses the upstream legs decide, not only pairs with none.
    expect(upstreamAware).toBeGreaterThan(20);
  });
});
