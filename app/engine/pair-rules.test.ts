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

  it('the data-path columns agree with each other: forwarding states replicate, only SMPL and the delta-resync standby states are unpaired, a suspended S-VOL refuses host writes unless split read/write', () => {
    for (const s of PairState.options) {
      const r = PAIR_STATE_RULES[s];
      if (r.forwardsUpdates) expect(r.replicating && r.sendsJournal && r.suspendable).toBe(true);
      if (r.replicating) expect(r.suspendable).toBe(true);
      expect(r.paired).toBe(s !== 'SMPL' && s !== 'HOLD' && s !== 'HOLDING' && s !== 'HLDE');
      if (r.secondaryWrites === 'accepted') expect(r.recordsOnSecondary).toBe(true);
    }
    expect(PAIR_STATE_RULES.PSUE.secondaryWrites).toBe('refused');
    expect(PAIR_STATE_RULES.PSUS.secondaryWrites).toBe('if-split-read-write');
  });
});
