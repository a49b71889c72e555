// A small cascade built through the designer's own actions: local site with host and system, relay site, remote site.
import { emptyTopology } from '../../app/model/schema';
import type { Topology } from '../../app/model/schema';
import { addElement } from '../store/actions';
import type { PaletteKind } from '../store/create';

/** Adds one palette element and returns its id (throws if the action is refused, which a fixture must not be). */
export function add(t: Topology, kind: PaletteKind, dropTargetId?: string): [Topology, string] {
  const r = addElement(t, { kind, dropTargetId, at: { x: 0, y: 0 } });
  return [r.topology, r.id];
}

export function twoSiteTopology() {
  let t = emptyTopology('two sites');
  let local: string, remote: string, sysL: string, sysR: string, ip: string, tp: string, rl: string, vl: string, rr: string, vr: string;
  [t, local] = add(t, 'site');
  [t, remote] = add(t, 'site');
  [t, sysL] = add(t, 'system', local);
  [t, sysR] = add(t, 'system', remote);
  [t, ip] = add(t, 'port-initiator', sysL);
  [t, tp] = add(t, 'port-target', sysR);
  [t, rl] = add(t, 'volume-real', sysL);
  [t, vl] = add(t, 'volume-virtual', sysL);
  [t, rr] = add(t, 'volume-real', sysR);
  [t, vr] = add(t, 'volume-virtual', sysR);
  return { t, local, remote, sysL, sysR, ip, tp, rl, vl, rr, vr };
}
