// The one set of structural rules: what may nest inside what, and which two ports may be cabled. The canvas and validation both call these.
import type { CableKind, PortKind, Topology } from './schema';
import { elementKindOf, indexTopology } from './index-topology';
import type { ElementKind } from './index-topology';

export type RuleResult = { ok: true } | { ok: false; reason: string };

const OK: RuleResult = { ok: true };
const no = (reason: string): RuleResult => ({ ok: false, reason });

/** Parent kinds each element kind may sit inside; `null` means top level (on the canvas background). */
export const NESTING: Readonly<Record<ElementKind, readonly (ElementKind | null)[]>> = {
  site: [null],
  system: ['site'],
  host: ['site'],
  port: ['system', 'host'],
  cable: [null],
  realVolume: ['system'],
  virtualVolume: ['system'],
  virtualRealVolume: ['system'],
  lu: ['port'],
  cache: ['system'],
  pair: [null],
};

/** Port kinds that can expose LUs (they receive commands). */
export const LU_PORT_KINDS: readonly PortKind[] = ['target', 'switchable'];

/**
 * May an element of `childKind` sit inside one of `parentKind`? For an LU on a port, pass the
 * port's kind and whether it belongs to a host: LUs live on target or switchable ports of storage systems.
 */
export function canNest(
  childKind: ElementKind,
  parentKind: ElementKind | null,
  parentDetail?: { portKind?: PortKind; portOwnerIsHost?: boolean },
): boolean {
  return nestRule(childKind, parentKind, parentDetail).ok;
}

/** `canNest` with the reason when it may not. */
export function nestRule(
  childKind: ElementKind,
  parentKind: ElementKind | null,
  parentDetail?: { portKind?: PortKind; portOwnerIsHost?: boolean },
): RuleResult {
  const allowed = NESTING[childKind];
  if (!allowed.includes(parentKind)) {
    const where = allowed.map((k) => (k === null ? 'the top level' : `a ${k}`)).join(' or ');
    return no(`a ${childKind} belongs in ${where}, not in ${parentKind === null ? 'the top level' : `a ${parentKind}`}`);
  }
  if (childKind === 'lu' && parentKind === 'port') {
    if (parentDetail?.portOwnerIsHost) return no('an LU is exposed by a storage system port, not a host port');
    if (parentDetail?.portKind && !LU_PORT_KINDS.includes(parentDetail.portKind))
      return no(`an LU is exposed by a target or switchable port; this port is an ${parentDetail.portKind}`);
  }
  return OK;
}

/** `nestRule` against real elements: looks the parent up in the topology. */
export function canNestIn(t: Topology, childKind: ElementKind, parentId: string | null): RuleResult {
  if (parentId === null) return nestRule(childKind, null);
  const ix = indexTopology(t);
  const loc = ix.byId.get(parentId);
  if (!loc) return no(`there is no element "${parentId}"`);
  const parentKind = elementKindOf(loc.element, loc.list);
  if (parentKind === 'port') {
    const port = ix.ports.get(parentId);
    return nestRule(childKind, parentKind, { portKind: port?.kind, portOwnerIsHost: port ? ix.hosts.has(port.ownerId) : false });
  }
  return nestRule(childKind, parentKind);
}

export interface ConnectOptions {
  /** The cable kind intended (checked against the internal-loop rule when given). */
  cableKind?: CableKind;
  /** A cable to leave out of the one-cable-per-port count (when checking an existing cable). */
  ignoreCableId?: string;
  /** Skip the one-cable-per-port rule (validation checks it per port, reporting only the extra cables). */
  skipCableCount?: boolean;
}

/** Why a plain port refuses a second cable, naming both ways to more cables: a switchable port, or a port behind a switch. */
export function overCabledReason(port: { id: string; name: string }, first: { id: string; name: string }): string {
  return (
    `${port.name || port.id} already has cable ${first.name || first.id}; a plain port takes one cable. ` +
    'Mark the port "behind a switch (fabric)" to give it one cable per peer port, or use a switchable port (FIG. 13)'
  );
}

/**
 * May these two ports be cabled? No port to itself, no initiator to initiator, no target to target,
 * no two ports of one host, two ports of one system only as the patent's internal loop from an
 * initiator to a target (cable kind internal-loop), and at most one cable per port unless it is switchable, or behind a
 * switch (`fabric`: one cable per peer port).
 */
export function canConnect(t: Topology, portAId: string, portBId: string, options: ConnectOptions = {}): RuleResult {
  if (portAId === portBId) return no('a port cannot be cabled to itself');
  const ix = indexTopology(t);
  const a = ix.ports.get(portAId);
  const b = ix.ports.get(portBId);
  if (!a) return no(`there is no port "${portAId}"`);
  if (!b) return no(`there is no port "${portBId}"`);
  if (a.kind === 'initiator' && b.kind === 'initiator')
    return no(`${a.name || a.id} and ${b.name || b.id} are both initiators: an initiator sends commands, so it must reach a target`);
  if (a.kind === 'target' && b.kind === 'target')
    return no(`${a.name || a.id} and ${b.name || b.id} are both targets: a target only receives commands, so one end must be an initiator`);
  const aIsHost = ix.hosts.has(a.ownerId);
  const bIsHost = ix.hosts.has(b.ownerId);
  if (aIsHost && bIsHost) return no('two host ports cannot be cabled: a host reaches storage through a storage system port');
  if (a.ownerId === b.ownerId) {
    const initiatorToTarget =
      (a.kind === 'initiator' && b.kind === 'target') || (a.kind === 'target' && b.kind === 'initiator');
    if (!initiatorToTarget)
      return no('two ports of one system are cabled only as an internal loop from an initiator port to a target port (CN3 in FIG. 1)');
    if (options.cableKind !== undefined && options.cableKind !== 'internal-loop')
      return no(`a cable between two ports of one system is an internal loop; this one is "${options.cableKind}"`);
  } else if (options.cableKind === 'internal-loop') {
    return no('an internal loop joins an initiator and a target of the same system; these ports belong to different systems or hosts');
  }
  for (const port of options.skipCableCount ? [] : [a, b]) {
    if (port.kind === 'switchable') continue;
    const others = (ix.cablesByPort.get(port.id) ?? []).filter((c) => c.id !== options.ignoreCableId);
    if (others.length === 0) continue;
    const peerId = port === a ? b.id : a.id;
    if (port.fabric) {
      // Behind a switch each cable is one fabric path to a different peer port; a second path to the same peer is a duplicate.
      const same = others.find((c) => (c.aPortId === port.id ? c.bPortId : c.aPortId) === peerId);
      if (same) return no(`${port.name || port.id} already reaches ${peerId} over cable ${same.name || same.id}; a fabric port takes one cable per peer port`);
      continue;
    }
    return no(overCabledReason(port, others[0]!));
  }
  return OK;
}
