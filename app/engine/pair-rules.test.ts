import { describe, expect, it } from 'vitest';
import { PairOp, PairState } from './api';
import { PAIR_OP_RULES, PAIR_STATE_RULES, pairOpAvailability } from './pair-rules';

describe('pair rules table', () => {
  it('has a rule for every state and every operation', () => {
    for (const s of PairState.options) expect(PAIR_STATE_RULES[s]).toBeDefined();
    for (const op of PairOp.options) expect(PAIR_OP_RULES[op].allowedIn.length).toBeGreaterThan(0);
  });

  it('a split pair can be resynchronised but not split again, and says why', () => {
    expect(pairOpAvailability('resync', 'PSUS')).toEqual({ allowed: true });
    const split = pairOpAvailability('split', 'PSUS');
    expect(split.allowed).toBe(false);
    if (!split.allowed) expect(split.reason).toBe('pair is PSUS; only a pair in PAIR, PFUL or COPY can be split');
  });

  it('takeover during COPY is refused because the secondary is inconsistent', () => {
    const r = pairOpAvailability('takeover', 'COPY');
    expect(r.allowed).toBe(false);
    if (!r.allowed) expect(r.reason).toMatch(/inconsistent while copying/);
  });

  it('failback in PAIR needs a swapped pair', () => {
    expect(pairOpAvailability('failback', 'PAIR').allowed).toBe(false);
    expect(pairOpAvailability('failback', 'PAIR', { swapped: true }).allowed).toBe(true);
  });
});
