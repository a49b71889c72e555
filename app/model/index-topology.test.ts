// Lookups the canvas, engine and validation share: sizes through stacks, site distances, owners and children.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { Topology } from './schema';
import { buildIndex, childrenOf, indexTopology, ownerSystemId, siteDistanceKm, sizeBytesOf } from './index-topology';
import { addElement, kindOfId } from './elements';

const GiB = 1024 ** 3;

const fig1 = () => loadBuiltIn('fig01-loop-cascade.relaylab.json');

describe('topology index', () => {
  const t = fig1();

  it('finds every element by id with its list and position, and caches per document', () => {
    const ix = indexTopology(t);
    expect(ix.byId.get('V21')).toMatchObject({ list: 'volumes', index: t.volumes.findIndex((v) => v.id === 'V21') });
    expect(indexTopology(t)).toBe(ix);
    expect(buildIndex(t)).not.toBe(ix);
    expect(ix.cablesByPort.get('IP21')?.map((c) => c.id)).toEqual(['CN3']);
    expect(ix.lusByVolume.get('V21')?.map((l) => l.id)).toEqual(['LU22']);
  });

  it('sizes a virtual volume by its pieces, an alias by what it aliases, and refuses an alias cycle', () => {
    expect(sizeBytesOf(t, 'V12')).toBe(GiB);
    expect(sizeBytesOf(t, 'R2')).toBe(GiB);
    expect(sizeBytesOf(t, 'LU40')).toBe(GiB);
    const looped: Topology = {
      ...t,
      volumes: [
        ...t.volumes,
        { id: 'Ra', name: 'Ra', systemId: 'sys20', kind: 'virtualReal', aliasOfId: 'Rb' },
        { id: 'Rb', name: 'Rb', systemId: 'sys20', kind: 'virtualReal', aliasOfId: 'Ra' },
      ],
    };
    expect(sizeBytesOf(looped, 'Ra')).toBeUndefined();
  });

  it('measures site distances from map positions, unless an explicit distance is given', () => {
    expect(siteDistanceKm(t, 'site-local', 'site-relay')).toBe(60);
    expect(siteDistanceKm(t, 'site-relay', 'site-remote')).toBe(600);
    const explicit: Topology = { ...t, siteDistances: [{ siteAId: 'site-remote', siteBId: 'site-relay', distanceKm: 640 }] };
    expect(siteDistanceKm(explicit, 'site-relay', 'site-remote')).toBe(640);
  });

  it('knows the owner system of ports, LUs, volumes and caches, and the children of a system', () => {
    expect(ownerSystemId(t, 'LU40')).toBe('sys40');
    expect(ownerSystemId(t, 'C12')).toBe('sys20');
    expect(ownerSystemId(t, 'TP31')).toBe('sys30');
    const kids = childrenOf(t, 'sys40').map((c) => c.element.id);
    expect(kids).toEqual(['TP41', 'R40']);
    expect(kindOfId(t, 'R2')).toBe('virtualRealVolume');
    expect(kindOfId(t, 'CN3')).toBe('cable');
  });
});

describe('creating a cable on the canvas', () => {
  it('takes its length from the sites and picks an internal loop inside one system', () => {
    let t = fig1();
    t = { ...t, cables: t.cables.filter((c) => c.id !== 'CN4' && c.id !== 'CN3') };
    const wan = addElement(t, 'cable', 'IP22', { toPortId: 'TP31' });
    expect(wan.element).toMatchObject({ kind: 'ip', distanceKm: 600, aPortId: 'IP22', bPortId: 'TP31' });
    const loop = addElement(wan.topology, 'cable', 'IP21', { toPortId: 'TP22' });
    expect(loop.element).toMatchObject({ kind: 'internal-loop', distanceKm: 0 });
    // IP22 is behind a switch (the patent's CN4 and CN5): one more cable, but not a second one to TP41.
    expect(() => addElement(loop.topology, 'cable', 'IP22', { toPortId: 'TP41' })).toThrow(/already reaches TP41 over cable CN5/);
    // A plain port takes one cable, and the refusal names the fabric option.
    expect(() => addElement(loop.topology, 'cable', 'IP21', { toPortId: 'TP41' })).toThrow(/already has cable CN\d.*behind a switch \(fabric\)/);
  });
});
