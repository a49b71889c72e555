// Runtime objects compiled from a Topology: the wiring (ports, systems, cables, links between ports); links.ts, cache.ts and mapping.ts hold the rest, re-exported here.
import type { Port, StorageSystem, Topology } from '../../app/model/schema';
import { LinkRt, SwitchGroupRt } from './links';
import { TopologyError } from './mapping';

export * from './links';
export * from './cache';
export * from './mapping';

/** Ports, systems and cables by id, and the links between ports. */
export class Wiring {
  readonly systems = new Map<string, StorageSystem>();
  readonly ports = new Map<string, Port>();
  readonly links = new Map<string, LinkRt>();
  readonly linksByPort = new Map<string, LinkRt[]>();
  readonly groups = new Map<string, SwitchGroupRt>();

  constructor(t: Topology) {
    for (const s of t.systems) this.systems.set(s.id, s);
    for (const p of t.ports) this.ports.set(p.id, p);
    for (const c of t.cables) {
      const link = new LinkRt(c);
      if (c.switchGroup) {
        let g = this.groups.get(c.switchGroup);
        if (!g) this.groups.set(c.switchGroup, (g = new SwitchGroupRt(c.switchGroup)));
        link.switchGroup = g;
        g.links.push(link);
      }
      this.links.set(c.id, link);
      for (const p of [c.aPortId, c.bPortId]) {
        let list = this.linksByPort.get(p);
        if (!list) this.linksByPort.set(p, (list = []));
        list.push(link);
      }
    }
  }

  ownerOf(portId: string): string {
    const p = this.ports.get(portId);
    if (!p) throw new TopologyError(portId, 'no such port');
    return p.ownerId;
  }

  /** The cable between two ports, if any. */
  linkBetween(portA: string, portB: string): LinkRt | undefined {
    return this.linksByPort.get(portA)?.find((l) => l.otherEnd(portA) === portB);
  }

  /**
   * A direct cable from a sending port of `fromOwner` to a receiving port of `toOwner` (initiator or switchable to
   * target or switchable). Returns the sending port, the link and the receiving port.
   */
  route(fromOwner: string, toOwner: string, toPortId?: string): { fromPortId: string; link: LinkRt; toPortId: string } | undefined {
    let fallback: { fromPortId: string; link: LinkRt; toPortId: string } | undefined;
    for (const link of this.links.values()) {
      for (const [a, b] of [
        [link.cable.aPortId, link.cable.bPortId],
        [link.cable.bPortId, link.cable.aPortId],
      ] as const) {
        const pa = this.ports.get(a);
        const pb = this.ports.get(b);
        if (!pa || !pb || pa.ownerId !== fromOwner || pb.ownerId !== toOwner) continue;
        if (toPortId !== undefined && b !== toPortId) continue;
        const candidate = { fromPortId: a, link, toPortId: b };
        if (pa.kind !== 'target' && pb.kind !== 'initiator') return candidate;
        fallback ??= candidate;
      }
    }
    return fallback;
  }
}
