// Cabled paths, pair routes and link delay on the built-in FIG. 1 and FIG. 13 topologies.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { Topology } from './schema';
import { cableDirection, findCabledPath, oneWayDelayUs, pairRoute, syncHopWriteUs } from './paths';

describe('link delay', () => {
  it('is 5 us per km one way', () => {
    expect(oneWayDelayUs({ distanceKm: 60 })).toBe(300);
  });
  it('charges a plain SCSI write two round trips plus serialisation', () => {
    // 2 round trips x 2 x 60 km x 5 us = 1200 us, plus 4096 B x 8 / 16000 Mbps = 2.048 us.
    expect(syncHopWriteUs({ distanceKm: 60, bandwidthMbps: 16000, roundTripsPerWrite: 2 })).toBeCloseTo(1200 + 2.048 * 1.1, 6);
  });
});

describe('cabled paths in FIG. 1', () => {
  const t = loadBuiltIn('fig01-loop-cascade.relaylab.json');

  it('goes local -> relay -> remote, each cable from an initiator to a target', () => {
    const path = findCabledPath(t, 'sys10', 'sys30');
    expect(path?.systemIds).toEqual(['sys10', 'sys20', 'sys30']);
    expect(path?.hops.map((h) => [h.initiatorPortId, h.cableId, h.targetPortId])).toEqual([
      ['IP11', 'CN2', 'TP21'],
      ['IP22', 'CN4', 'TP31'],
    ]);
  });

  it('does not go backwards against cable direction', () => {
    expect(findCabledPath(t, 'sys30', 'sys10')).toBeNull();
    expect(findCabledPath(t, 'sys20', 'sys10')).toBeNull();
  });

  it('routes the sync pair over CN2 onto LU21 and the async pair over CN4 onto LU31', () => {
    expect(pairRoute(t, 'pair-sync')).toMatchObject({ initiatorPortId: 'IP11', cableId: 'CN2', targetPortId: 'TP21', luId: 'LU21', oneWayDelayUs: 300 });
    expect(pairRoute(t, 'pair-async')).toMatchObject({ initiatorPortId: 'IP22', cableId: 'CN4', targetPortId: 'TP31', luId: 'LU31', oneWayDelayUs: 3000 });
  });

  it('has no route once the WAN cable is removed', () => {
    const cut: Topology = { ...t, cables: t.cables.filter((c) => c.id !== 'CN4') };
    expect(pairRoute(cut, 'pair-async')).toBeNull();
  });

  it('reads the loop cable CN3 from IP21 to TP22', () => {
    expect(cableDirection(t, t.cables.find((c) => c.id === 'CN3')!)).toEqual({ initiatorPortId: 'IP21', targetPortId: 'TP22' });
  });
});

describe('FIG. 13 switchable port', () => {
  const t = loadBuiltIn('fig13-switchable-port.relaylab.json');
  it('receives the sync pair and sends the async pair through the same port', () => {
    expect(pairRoute(t, 'pair-sync')).toMatchObject({ cableId: 'CN2', targetPortId: 'SP21' });
    expect(pairRoute(t, 'pair-async')).toMatchObject({ initiatorPortId: 'SP21', cableId: 'CN4', targetPortId: 'TP31' });
  });
});
