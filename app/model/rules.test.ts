// Nesting and cabling rules, and element creation, exercised the way the canvas uses them.
import { describe, expect, it } from 'vitest';
import { emptyTopology, Topology } from './schema';
import type { Topology as TopologyT } from './schema';
import { addElement, ELEMENTS, ELEMENT_KINDS, ElementCreateError } from './elements';
import { canConnect, canNest, canNestIn } from './rules';

/** A relay system with an initiator and a target, and a remote system with a target, built by addElement. */
function twoSystems() {
  let t: TopologyT = emptyTopology('rules');
  const s1 = addElement(t, 'site', null, { name: 'Relay site' });
  t = s1.topology;
  const s2 = addElement(t, 'site', null, { name: 'Remote site' });
  t = s2.topology;
  const relay = addElement(t, 'system', s1.element.id);
  t = relay.topology;
  const remote = addElement(t, 'system', s2.element.id);
  t = remote.topology;
  const ip = addElement(t, 'port', relay.element.id, { portKind: 'initiator' });
  t = ip.topology;
  const ip2 = addElement(t, 'port', relay.element.id, { portKind: 'initiator' });
  t = ip2.topology;
  const tp = addElement(t, 'port', relay.element.id, { portKind: 'target' });
  t = tp.topology;
  const rtp = addElement(t, 'port', remote.element.id, { portKind: 'target' });
  t = rtp.topology;
  const sw = addElement(t, 'port', remote.element.id, { portKind: 'switchable' });
  t = sw.topology;
  return { t, relay: relay.element, remote: remote.element, ip: ip.element, ip2: ip2.element, tp: tp.element, rtp: rtp.element, sw: sw.element };
}

describe('nesting', () => {
  it('puts ports in systems or hosts, systems in sites, LUs on target ports only', () => {
    expect(canNest('port', 'system')).toBe(true);
    expect(canNest('port', 'host')).toBe(true);
    expect(canNest('port', 'site')).toBe(false);
    expect(canNest('system', 'site')).toBe(true);
    expect(canNest('virtualVolume', 'system')).toBe(true);
    expect(canNest('cache', 'host')).toBe(false);
    expect(canNest('lu', 'port', { portKind: 'target' })).toBe(true);
    expect(canNest('lu', 'port', { portKind: 'switchable' })).toBe(true);
    expect(canNest('lu', 'port', { portKind: 'initiator' })).toBe(false);
    expect(canNest('site', null)).toBe(true);
  });

  it('refuses an LU on an initiator port of a real topology, with the reason', () => {
    const { t, ip, tp } = twoSystems();
    const r = canNestIn(t, 'lu', ip.id);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/initiator/);
    expect(canNestIn(t, 'lu', tp.id).ok).toBe(true);
  });
});

describe('canConnect', () => {
  it('cables an initiator of the relay to a target of the remote', () => {
    const { t, ip, rtp } = twoSystems();
    expect(canConnect(t, ip.id, rtp.id)).toEqual({ ok: true });
  });

  it('refuses initiator to initiator, target to target and a port to itself', () => {
    const { t, ip, ip2, tp, rtp } = twoSystems();
    expect(canConnect(t, ip.id, ip2.id).ok).toBe(false);
    expect(canConnect(t, tp.id, rtp.id).ok).toBe(false);
    expect(canConnect(t, ip.id, ip.id).ok).toBe(false);
  });

  it('allows two ports of one system only as an internal loop from initiator to target', () => {
    const { t, ip, tp } = twoSystems();
    expect(canConnect(t, ip.id, tp.id, { cableKind: 'internal-loop' }).ok).toBe(true);
    const asFc = canConnect(t, ip.id, tp.id, { cableKind: 'fc' });
    expect(asFc.ok).toBe(false);
    if (!asFc.ok) expect(asFc.reason).toMatch(/internal loop/);
  });

  it('refuses an internal loop between two systems', () => {
    const { t, ip, rtp } = twoSystems();
    expect(canConnect(t, ip.id, rtp.id, { cableKind: 'internal-loop' }).ok).toBe(false);
  });

  it('takes one cable per port, more only on a switchable port', () => {
    const s = twoSystems();
    const c = addElement(s.t, 'cable', s.ip.id, { toPortId: s.rtp.id });
    expect(c.element.kind).toBe('fc');
    const busy = canConnect(c.topology, s.ip2.id, s.rtp.id);
    expect(busy.ok).toBe(false);
    if (!busy.ok) expect(busy.reason).toMatch(/switchable port \(FIG. 13\)/);
    const c2 = addElement(c.topology, 'cable', s.ip2.id, { toPortId: s.sw.id });
    const c3 = canConnect(c2.topology, s.tp.id, s.sw.id);
    expect(c3.ok).toBe(true);
    expect(canConnect(c.topology, s.ip2.id, s.rtp.id, { ignoreCableId: c.element.id }).ok).toBe(true);
  });

  it('takes one cable per peer port on a port behind a switch (fabric), and names the fabric option on a plain port', () => {
    const s = twoSystems();
    // A plain initiator with a cable to the remote target refuses a second cable, and says how to allow it.
    const c = addElement(s.t, 'cable', s.ip.id, { toPortId: s.rtp.id });
    const plain = canConnect(c.topology, s.ip.id, s.sw.id);
    expect(plain.ok).toBe(false);
    if (!plain.ok) expect(plain.reason).toMatch(/behind a switch \(fabric\)/);
    // Marked fabric, the same port takes a cable to another peer port, but not a second one to the same peer.
    const t = structuredClone(c.topology);
    t.ports.find((p) => p.id === s.ip.id)!.fabric = true;
    expect(canConnect(t, s.ip.id, s.sw.id).ok).toBe(true);
    const dup = canConnect(t, s.ip.id, s.rtp.id);
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.reason).toMatch(/one cable per peer port/);
    // The plain peer at the other end still takes one cable only.
    const other = canConnect(t, s.ip2.id, s.rtp.id);
    expect(other.ok).toBe(false);
  });
});

describe('element registry', () => {
  it('has a label and a teaching tooltip for every kind', () => {
    for (const kind of ELEMENT_KINDS) {
      expect(ELEMENTS[kind].label.length).toBeGreaterThan(1);
      expect(ELEMENTS[kind].tooltip.length).toBeGreaterThan(30);
    }
  });

  it('creates a whole stack whose document passes the schema, with unique WWNs and LUNs', () => {
    const s = twoSystems();
    let t = s.t;
    const r = addElement(t, 'realVolume', s.relay.id);
    t = r.topology;
    const v1 = addElement(t, 'virtualVolume', s.relay.id);
    t = v1.topology;
    const v2 = addElement(t, 'virtualVolume', s.relay.id);
    t = v2.topology;
    expect(v2.element.ranges[0]!.shared).toBe(true);
    const alias = addElement(t, 'virtualRealVolume', s.relay.id, { aliasOfId: v1.element.id });
    t = alias.topology;
    const lu1 = addElement(t, 'lu', s.tp.id);
    t = lu1.topology;
    const lu2 = addElement(t, 'lu', s.tp.id);
    t = lu2.topology;
    expect(lu1.element.lun).toBe(0);
    expect(lu2.element.lun).toBe(1);
    const c = addElement(t, 'cache', s.relay.id);
    t = c.topology;
    const p = addElement(t, 'pair', null, { primaryVolumeId: v1.element.id, secondaryVolumeId: v2.element.id, mode: 'async' });
    t = p.topology;
    expect(p.element.journalBytes).toBeGreaterThan(0);
    expect(Topology.safeParse(t).success).toBe(true);
    expect(new Set(t.ports.map((x) => x.wwn)).size).toBe(t.ports.length);
    expect(new Set(t.volumes.map((x) => x.id)).size).toBe(t.volumes.length);
  });

  it('refuses a virtual volume in a system with nothing to map onto, saying what to add', () => {
    const s = twoSystems();
    expect(() => addElement(s.t, 'virtualVolume', s.remote.id)).toThrow(ElementCreateError);
    expect(() => addElement(s.t, 'virtualVolume', s.remote.id)).toThrow(/add a real volume/);
    expect(() => addElement(s.t, 'lu', s.ip.id)).toThrow(/initiator/);
  });
});
