// What the engine keeps per volume about its pairs (pairsWithPrimary, allWithSecondary, any pair recording or copying)
// is worked out once per change of any pair: it must equal a walk over every pair after state changes, swaps, restores.
import { describe, expect, it } from 'vitest';
import { Engine } from './engine';
import { loadBuiltIns } from '../../test/builtins';
import type { EngineCommand } from '../../app/engine/api';

function facts(e: Engine): unknown {
  const ids = e.topology.volumes.map((v) => v.id);
  return {
    primary: ids.map((id) => e.pairsWithPrimary(id).map((p) => p.id)),
    secondary: ids.map((id) => e.pairFacts.allWithSecondary(id).map((p) => p.id)),
    recording: e.anyPairRecording(),
    copying: e.anyPairCopying(),
  };
}

function walked(e: Engine): unknown {
  const ids = e.topology.volumes.map((v) => v.id);
  return {
    primary: ids.map((id) => e.pairList.filter((p) => p.primaryId === id && p.rules.paired).map((p) => p.id)),
    secondary: ids.map((id) => e.pairList.filter((p) => p.secondaryId === id && p.rules.paired).map((p) => p.id)),
    recording: e.pairList.some((p) => p.rules.recordsOnPrimary),
    copying: e.pairList.some((p) => p.state === 'COPY'),
  };
}

describe('pair facts kept per volume', () => {
  it('equal a walk over every pair through copies, splits, takeovers, swaps and a restore, in every built-in', () => {
    let changes = 0;
    for (const { file, topology } of loadBuiltIns()) {
      const e = new Engine(topology, { seed: 5 });
      e.startWorkloads({ iops: 1000, blockBytes: 4096, pattern: 'random', readRatio: 0 });
      const check = (when: string): void => expect(facts(e), `${file} ${when}`).toEqual(walked(e));
      check('at start');
      e.runUntil(e.nowUs + 30_000);
      check('copying');
      const cp = e.checkpoint();
      const before = JSON.stringify(walked(e));
      e.runUntil(e.nowUs + 2_000_000);
      check('replicating');
      const pairs = [...e.pairs.values()];
      const commands: EngineCommand[] = [];
      for (const p of pairs) commands.push({ type: 'pair', pairId: p.id, op: 'split' });
      for (const p of pairs) commands.push({ type: 'pair', pairId: p.id, op: 'takeover' });
      for (const p of pairs) commands.push({ type: 'pair', pairId: p.id, op: 'swapResync' });
      for (const c of commands) {
        const states = JSON.stringify(walked(e));
        e.command(c);
        e.runUntil(e.nowUs + 200_000);
        if (JSON.stringify(walked(e)) !== states) changes++;
        check(`after ${JSON.stringify(c)}`);
      }
      // Back to the copying phase: the facts are those of the checkpoint, not of the run it replaced.
      e.restore(cp);
      check('after restore');
      expect(JSON.stringify(walked(e))).toBe(before);
    }
    // The commands did change which pairs serve which volumes (else the comparison proved little).
    expect(changes).toBeGreaterThan(10);
  });
});
