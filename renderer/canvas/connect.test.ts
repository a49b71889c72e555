// Reading a drag between handles: the handle ids decide cable, mapping or pair, whichever end the drag started from; the shared rules decide yes or no.
import { describe, expect, it } from 'vitest';
import { checkConnection, intentOf } from './connect';
import { HANDLE } from './derive';
import { twoSiteTopology } from '../test/fixtures';

describe('connection intent', () => {
  it('reads a mapping drag started from the lower element the same as one started from the upper', () => {
    expect(intentOf({ source: 'V1', sourceHandle: HANDLE.mapDown, target: 'R1', targetHandle: HANDLE.mapUp })).toEqual({ kind: 'map', upperId: 'V1', lowerId: 'R1' });
    expect(intentOf({ source: 'R1', sourceHandle: HANDLE.mapUp, target: 'V1', targetHandle: HANDLE.mapDown })).toEqual({ kind: 'map', upperId: 'V1', lowerId: 'R1' });
  });

  it('reads a pair drag as primary -> secondary from the side handles', () => {
    expect(intentOf({ source: 'B', sourceHandle: HANDLE.pairIn, target: 'A', targetHandle: HANDLE.pairOut })).toEqual({ kind: 'pair', primaryId: 'A', secondaryId: 'B' });
  });

  it('refuses mixing a cable handle with a volume handle', () => {
    expect(intentOf({ source: 'TP1', sourceHandle: HANDLE.cable, target: 'V1', targetHandle: HANDLE.mapUp })).toMatchObject({ kind: 'none' });
  });
});

describe('checkConnection against the document', () => {
  it('allows initiator -> target and explains target -> target', () => {
    const { t, ip, tp } = twoSiteTopology();
    expect(checkConnection(t, { source: ip, sourceHandle: HANDLE.cable, target: tp, targetHandle: HANDLE.cable }).ok).toBe(true);
    const bad = checkConnection(t, { source: tp, sourceHandle: HANDLE.cable, target: tp, targetHandle: HANDLE.cable });
    expect(bad).toMatchObject({ ok: false });
    expect(!bad.ok && bad.reason).toMatch(/itself/);
  });

  it('refuses mapping a real volume onto anything, with the reason', () => {
    const { t, rl, vl } = twoSiteTopology();
    const r = checkConnection(t, { source: rl, sourceHandle: HANDLE.mapDown, target: vl, targetHandle: HANDLE.mapUp });
    expect(!r.ok && r.reason).toMatch(/physical entity/);
  });

  it('checking does not change the document', () => {
    const { t, vl, vr } = twoSiteTopology();
    const before = JSON.stringify(t);
    expect(checkConnection(t, { source: vl, sourceHandle: HANDLE.pairOut, target: vr, targetHandle: HANDLE.pairIn }).ok).toBe(true);
    expect(JSON.stringify(t)).toBe(before);
  });
});
