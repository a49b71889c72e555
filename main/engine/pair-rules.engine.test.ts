// The engine refuses exactly what the pair-rules table refuses (app/engine/pair-rules.ts), with the table's words and the state named.
import { describe, expect, test } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { PairOp, type PairState } from '../../app/engine/api';
import { PAIR_OP_RULES, pairOpAvailability } from '../../app/engine/pair-rules';
import type { Topology } from '../../app/model/schema';
import { Engine } from './engine';

function fig01(initially: 'paired' | 'create'): Topology {
  const t = loadBuiltIn('fig01-loop-cascade.relaylab.json');
  return { ...t, hosts: t.hosts.map((h) => ({ ...h, workloads: [] })), pairs: t.pairs.map((p) => ({ ...p, initially })) };
}

/** An engine whose pair-sync is in the given state. */
const reach: Partial<Record<PairState, () => Engine>> = {
  COPY: () => new Engine(fig01('create')),
  PAIR: () => new Engine(fig01('paired')),
  PSUS: () => {
    const e = new Engine(fig01('paired'));
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
    return e;
  },
  PSUE: () => {
    const e = new Engine(fig01('paired'));
    e.command({ type: 'failSystem', systemId: 'sys20' });
    e.command({ type: 'restoreSystem', systemId: 'sys20' });
    return e;
  },
  SSWS: () => {
    const e = new Engine(fig01('paired'));
    // A takeover of a replicating pair with its primary reachable is a swap-takeover (PAIR the other way); of a split
    // pair it is SSWS.
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'takeover' });
    return e;
  },
  deleting: () => {
    const e = new Engine(fig01('paired'));
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'delete' });
    return e;
  },
  SMPL: () => {
    const e = new Engine(fig01('paired'));
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'delete' });
    e.runFor(10_000);
    return e;
  },
};

describe('pair operations follow the pair-rules table', () => {
  for (const [state, make] of Object.entries(reach) as [PairState, () => Engine][]) {
    test(`in ${state}, every operation the table refuses is refused with its reason, the others are not refused for the state`, () => {
      for (const op of PairOp.options) {
        const e = make();
        expect(e.pairs.get('pair-sync')!.state).toBe(state);
        const pair = e.pairs.get('pair-sync')!;
        const facts = { swapped: pair.swapped, fenced: pair.fenced };
        const r = e.command({ type: 'pair', pairId: 'pair-sync', op });
        const table = pairOpAvailability(op, state, facts);
        const rule = PAIR_OP_RULES[op];
        const tableReason = table.allowed ? '' : table.reason.slice(`pair is ${state}; `.length);
        if (!table.allowed) {
          expect(r, `${op} in ${state}`).toEqual({ ok: false, reason: `${op} refused: pair pair-sync is ${state}; ${tableReason}`, state });
        } else if (!r.ok) {
          // Refused for a fact the table cannot know (a down link, a conflicting pair), never for the state alone.
          expect(r.reason, `${op} in ${state}`).not.toContain(tableReason);
        }
      }
    });
  }
});
