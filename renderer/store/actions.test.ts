// The designer's named edits: each returns a new, schema-valid document and refuses with a reason instead of corrupting it.
import { describe, expect, it } from 'vitest';
import { Topology } from '../../app/model/schema';
import { ActionRefused, SYNC_DEFAULT_MAX_KM, addElement, connectCable, copyFragment, createPair, deleteElements, duplicate, mapOnto, moveNodes, pairModePatch, pasteFragment, setDocument, setProperty, unmapRange } from './actions';
import { add, twoSiteTopology } from '../test/fixtures';
import { GiB } from '../lib/topo';

const valid = (t: Topology) => expect(Topology.safeParse(t).success).toBe(true);

describe('adding from the palette', () => {
  it('puts a system inside the site it was dropped on, at a position relative to that site', () => {
    const { t, local } = twoSiteTopology();
    const [next, id] = add(t, 'system', local);
    expect(next.systems.find((s) => s.id === id)?.siteId).toBe(local);
    expect(next.layout.nodes[id]).toEqual({ x: 0, y: 0 });
    valid(next);
  });

  it('refuses a volume dropped on a site, saying why', () => {
    const { t, local } = twoSiteTopology();
    expect(() => add(t, 'volume-real', local)).toThrow(ActionRefused);
    expect(() => add(t, 'volume-real', local)).toThrow(/system/);
  });

  it('puts an LU dropped on a system onto that system\'s first target port', () => {
    const { t, sysR, tp } = twoSiteTopology();
    const [next, id] = add(t, 'lu', sysR);
    expect(next.lus.find((l) => l.id === id)?.portId).toBe(tp);
  });

  it('marks an external storage system with its role', () => {
    const { t, remote } = twoSiteTopology();
    const [next, id] = add(t, 'externalSystem', remote);
    expect(next.systems.find((s) => s.id === id)?.role).toBe('external');
  });
});

describe('connecting', () => {
  it('cables an initiator to a target', () => {
    const { t, ip, tp } = twoSiteTopology();
    const { topology, id } = connectCable(t, { aPortId: ip, bPortId: tp });
    expect(topology.cables.find((c) => c.id === id)).toMatchObject({ aPortId: ip, bPortId: tp });
    valid(topology);
  });

  it('refuses two targets with the shared rule\'s reason', () => {
    let { t, sysL, tp } = twoSiteTopology();
    let tp2: string;
    [t, tp2] = add(t, 'port-target', sysL);
    expect(() => connectCable(t, { aPortId: tp2, bPortId: tp })).toThrow(/both targets/);
  });

  it('maps a virtual volume onto a second lower volume as a new range after what others take', () => {
    let { t, sysL, rl, vl } = twoSiteTopology();
    let r2: string;
    [t, r2] = add(t, 'volume-real', sysL);
    const next = mapOnto(t, { upperId: vl, lowerId: r2 });
    const v = next.volumes.find((x) => x.id === vl);
    expect(v?.kind === 'virtual' && v.ranges.map((r) => r.lowerId)).toEqual([rl, r2]);
    valid(next);
  });

  it('a second virtual volume dropped onto a full real volume shares it', () => {
    const { t, sysL, rl } = twoSiteTopology();
    const r = addElement(t, { kind: 'volume-virtual', dropTargetId: sysL, underId: rl, at: { x: 0, y: 0 } });
    const v = r.topology.volumes.find((x) => x.id === r.id);
    expect(v?.kind === 'virtual' && v.ranges[0]).toMatchObject({ lowerId: rl, startBytes: 0, shared: true });
    valid(r.topology);
  });

  it('refuses a virtual volume dropped beside the stack when every lower volume is full, saying what to do', () => {
    const { t, sysL } = twoSiteTopology();
    expect(() => add(t, 'volume-virtual', sysL)).toThrow(/already mapped in full: drop the virtual volume onto the volume it should share/);
  });

  it('maps a new virtual volume of a relay onto the free virtual real volume, not onto the real volume another one fills (FIG. 1: V12 on R2)', () => {
    let { t, sysR, rr, vr } = twoSiteTopology();
    let r2: string, v12: string;
    [t, r2] = add(t, 'volume-virtualReal', sysR);
    expect(t.volumes.find((x) => x.id === r2)).toMatchObject({ kind: 'virtualReal', aliasOfId: vr });
    [t, v12] = add(t, 'volume-virtual', sysR);
    const v = t.volumes.find((x) => x.id === v12);
    expect(v?.kind === 'virtual' && v.ranges).toEqual([{ lowerId: r2, startBytes: 0, lengthBytes: 4 * GiB, shared: false }]);
    expect(rr).not.toBe(r2);
    valid(t);
  });

  it('maps a new virtual volume onto the volume under the drop point, after the part others already take', () => {
    let { t, sysL, rl, vl } = twoSiteTopology();
    let r2: string;
    [t, r2] = add(t, 'volume-real', sysL);
    // Half of rl is freed for a second virtual volume.
    t = setProperty(t, { id: vl, patch: { ranges: [{ lowerId: rl, startBytes: 0, lengthBytes: 2 * GiB, shared: false }] } });
    const onR2 = addElement(t, { kind: 'volume-virtual', dropTargetId: sysL, underId: r2, at: { x: 0, y: 0 } });
    expect(onR2.topology.volumes.find((x) => x.id === onR2.id)).toMatchObject({ ranges: [{ lowerId: r2, startBytes: 0, lengthBytes: 4 * GiB }] });
    const beside = addElement(t, { kind: 'volume-virtual', dropTargetId: sysL, at: { x: 0, y: 0 } });
    expect(beside.topology.volumes.find((x) => x.id === beside.id)).toMatchObject({ ranges: [{ lowerId: rl, startBytes: 2 * GiB, lengthBytes: 2 * GiB, shared: false }] });
    valid(beside.topology);
  });

  it('refuses a mapping that would make a loop', () => {
    const { t, rl, vl } = twoSiteTopology();
    expect(() => mapOnto(t, { upperId: rl, lowerId: vl })).toThrow(/real volume/);
    // A second virtual volume dropped onto rl (sharing it), then stacked on vl as well.
    const second = addElement(t, { kind: 'volume-virtual', dropTargetId: twoSiteTopology().sysL, underId: rl, at: { x: 0, y: 0 } });
    const v2 = second.id;
    const stacked = mapOnto(second.topology, { upperId: v2, lowerId: vl });
    expect(() => mapOnto(stacked, { upperId: vl, lowerId: v2 })).toThrow(/loop/);
  });

  it('creates a pair: sync on one site, async once the sites are beyond SYNC_DEFAULT_MAX_KM, refuses pairing twice', () => {
    const { t, vl, vr, rl } = twoSiteTopology();
    const farApart = setDocument(t, { patch: { siteDistances: [{ siteAId: t.sites[0]!.id, siteBId: t.sites[1]!.id, distanceKm: SYNC_DEFAULT_MAX_KM + 1 }] } });
    const far = createPair(farApart, { primaryId: vl, secondaryId: vr });
    expect(far.topology.pairs[0]).toMatchObject({ primaryVolumeId: vl, secondaryVolumeId: vr, mode: 'async' });
    expect(far.topology.pairs[0]?.journalBytes).toBeGreaterThan(0);
    const near = createPair(t, { primaryId: vl, secondaryId: rl });
    expect(near.topology.pairs[0]).toMatchObject({ mode: 'sync', fence: 'data' });
    expect(() => createPair(far.topology, { primaryId: vr, secondaryId: vl })).toThrow(/already paired/);
  });

  it('makes a pair between sites drawn on the canvas sync when they are near, by their map positions like a new cable', () => {
    // Sites dropped from the palette get map positions 100 km apart and no siteDistances entry.
    const { t, vl, vr } = twoSiteTopology();
    expect(t.siteDistances).toEqual([]);
    expect(createPair(t, { primaryId: vl, secondaryId: vr }).topology.pairs[0]).toMatchObject({ mode: 'sync', fence: 'data' });
    const moved = setProperty(t, { id: t.sites[1]!.id, patch: { xKm: 400 } });
    expect(createPair(moved, { primaryId: vl, secondaryId: vr }).topology.pairs[0]?.mode).toBe('async');
  });

  it('takes the length of a cable drawn between the two systems over the site positions', () => {
    let { t, vl, vr, ip, tp } = twoSiteTopology();
    t = connectCable(t, { aPortId: ip, bPortId: tp }).topology;
    const cable = t.cables[0]!;
    expect(createPair(t, { primaryId: vl, secondaryId: vr }).topology.pairs[0]?.mode).toBe('sync');
    const long = setProperty(t, { id: cable.id, patch: { distanceKm: 600 } });
    expect(createPair(long, { primaryId: vl, secondaryId: vr }).topology.pairs[0]?.mode).toBe('async');
    const short = setProperty(setProperty(t, { id: t.sites[1]!.id, patch: { xKm: 900 } }), { id: cable.id, patch: { distanceKm: 60 } });
    expect(createPair(short, { primaryId: vl, secondaryId: vr }).topology.pairs[0]?.mode).toBe('sync');
  });

  it('switching a pair to sync sets fence data; to async keeps the fence hidden and gives it a journal', () => {
    const { t, vl, vr } = twoSiteTopology();
    const made = createPair(t, { primaryId: vl, secondaryId: vr, mode: 'async' });
    expect(made.topology.pairs[0]).toMatchObject({ mode: 'async', fence: 'never' });
    const toSync = setProperty(made.topology, { id: made.id, patch: pairModePatch(made.topology, made.id, 'sync') });
    expect(toSync.pairs[0]).toMatchObject({ mode: 'sync', fence: 'data' });
    // A fence the user chose survives a trip through async and back.
    const status = setProperty(toSync, { id: made.id, patch: { fence: 'status' } });
    const noJournal = setProperty(status, { id: made.id, patch: { mode: 'sync', journalBytes: undefined } });
    const toAsync = setProperty(noJournal, { id: made.id, patch: pairModePatch(noJournal, made.id, 'async') });
    expect(toAsync.pairs[0]?.mode).toBe('async');
    expect(toAsync.pairs[0]?.journalBytes).toBeGreaterThan(0);
    const back = setProperty(toAsync, { id: made.id, patch: pairModePatch(toAsync, made.id, 'sync') });
    expect(back.pairs[0]).toMatchObject({ mode: 'sync', fence: 'status' });
    valid(back);
  });

  it('removes a range but never the last one', () => {
    let { t, sysL, vl } = twoSiteTopology();
    let r2: string;
    [t, r2] = add(t, 'volume-real', sysL);
    const two = mapOnto(t, { upperId: vl, lowerId: r2 });
    const one = unmapRange(two, { volumeId: vl, index: 0 });
    const v = one.volumes.find((x) => x.id === vl);
    expect(v?.kind === 'virtual' && v.ranges.map((r) => r.lowerId)).toEqual([r2]);
    expect(() => unmapRange(one, { volumeId: vl, index: 0 })).toThrow(/at least one range/);
  });
});

describe('properties', () => {
  it('accepts a valid size and refuses a negative one with zod\'s message', () => {
    const { t, rl } = twoSiteTopology();
    const next = setProperty(t, { id: rl, patch: { sizeBytes: 8 * 1024 ** 3 } });
    expect(next.volumes.find((v) => v.id === rl)).toMatchObject({ sizeBytes: 8 * 1024 ** 3 });
    expect(() => setProperty(t, { id: rl, patch: { sizeBytes: -1 } })).toThrow(/sizeBytes/);
  });

  it('renaming an id rewrites every reference to it', () => {
    const { t, rl, vl } = twoSiteTopology();
    const next = setProperty(t, { id: rl, patch: { id: 'R1' } });
    const v = next.volumes.find((x) => x.id === vl);
    expect(v?.kind === 'virtual' && v.ranges[0]?.lowerId).toBe('R1');
    expect(next.layout.nodes.R1).toBeDefined();
    valid(next);
  });

  it('moving stores positions without touching the model', () => {
    const { t, sysL } = twoSiteTopology();
    const next = moveNodes(t, { positions: { [sysL]: { x: 10.4, y: 20.6 } } });
    expect(next.layout.nodes[sysL]).toEqual({ x: 10, y: 21 });
    expect(next.systems).toBe(t.systems);
  });
});

describe('delete, copy, paste', () => {
  it('deleting a system removes its ports, volumes, the cable on its port and pairs on its volumes', () => {
    const base = twoSiteTopology();
    let t = connectCable(base.t, { aPortId: base.ip, bPortId: base.tp }).topology;
    t = createPair(t, { primaryId: base.vl, secondaryId: base.vr }).topology;
    const next = deleteElements(t, { ids: [base.sysR] });
    expect(next.systems.map((s) => s.id)).toEqual([base.sysL]);
    expect(next.cables).toEqual([]);
    expect(next.pairs).toEqual([]);
    expect(next.volumes.some((v) => v.systemId === base.sysR)).toBe(false);
    expect(next.layout.nodes[base.tp]).toBeUndefined();
    valid(next);
  });

  it('deleting a real volume removes the virtual volume that only lived on it', () => {
    const { t, rl, vl } = twoSiteTopology();
    const next = deleteElements(t, { ids: [rl] });
    expect(next.volumes.some((v) => v.id === vl)).toBe(false);
    valid(next);
  });

  it('duplicating a system copies its contents with fresh ids and keeps internal references inside the copy', () => {
    const { t, sysL, local } = twoSiteTopology();
    const { topology, ids } = duplicate(t, { ids: [sysL] });
    expect(topology.systems).toHaveLength(3);
    const copy = topology.systems.find((s) => ids.includes(s.id))!;
    expect(copy.siteId).toBe(local);
    const copiedVirtual = topology.volumes.find((v) => ids.includes(v.id) && v.kind === 'virtual');
    const copiedReal = topology.volumes.find((v) => ids.includes(v.id) && v.kind === 'real');
    expect(copiedVirtual?.kind === 'virtual' && copiedVirtual.ranges[0]?.lowerId).toBe(copiedReal?.id);
    expect(topology.layout.nodes[copy.id]).toEqual({ x: 30, y: 30 });
    valid(topology);
  });

  it('paste of a fragment whose container was deleted is refused rather than leaving a dangling parent', () => {
    const { t, sysL, vl } = twoSiteTopology();
    const fragment = copyFragment(t, [vl]);
    const without = deleteElements(t, { ids: [sysL] });
    expect(() => pasteFragment(without, { fragment, offset: { x: 0, y: 0 } })).toThrow(/container/);
    // With its system still there, the same fragment pastes next to the original.
    const pasted = pasteFragment(t, { fragment, offset: { x: 40, y: 0 } });
    expect(pasted.topology.volumes.filter((v) => v.systemId === sysL)).toHaveLength(3);
  });
});
