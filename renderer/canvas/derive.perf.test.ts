// A large design derives completely: ~2,400 nodes, and a moved node lands where it was put (speed is measured by `npm run bench`, not here).
import { describe, expect, it } from 'vitest';
import { emptyTopology } from '../../app/model/schema';
import type { Topology } from '../../app/model/schema';
import { addElement, moveNodes } from '../store/actions';
import type { PaletteKind } from '../store/create';
import { deriveEdges, deriveNodes } from './derive';

function big(sites: number, systemsPerSite: number, volumesPerSystem: number): Topology {
  let t = emptyTopology('big');
  const add = (kind: PaletteKind, parent?: string) => {
    const r = addElement(t, { kind, dropTargetId: parent, at: { x: 0, y: 0 } });
    t = r.topology;
    return r.id;
  };
  for (let s = 0; s < sites; s++) {
    const site = add('site');
    for (let y = 0; y < systemsPerSite; y++) {
      const sys = add('system', site);
      add('port-target', sys);
      add('port-initiator', sys);
      for (let v = 0; v < volumesPerSystem; v++) {
        add('volume-real', sys);
        add('volume-virtual', sys);
      }
    }
  }
  return { ...t, layout: { nodes: {} } };
}

describe('derivation at scale', () => {
  it('derives ~2,400 nodes, and a moved node lands where it was put', () => {
    const t = big(10, 10, 11);
    let start = performance.now();
    const nodes = deriveNodes(t);
    const edges = deriveEdges(t);
    const first = performance.now() - start;
    expect(nodes.length).toBeGreaterThan(2400);
    const moved = moveNodes(t, { positions: { [nodes[5]!.id]: { x: 10, y: 10 } } });
    start = performance.now();
    const movedNodes = deriveNodes(moved);
    expect(deriveEdges(moved).length).toBe(edges.length);
    const again = performance.now() - start;
    console.log(`derive ${nodes.length} nodes / ${edges.length} edges: first ${first.toFixed(0)} ms, after a move ${again.toFixed(0)} ms`);
    expect(movedNodes.length).toBe(nodes.length);
    expect(movedNodes.find((n) => n.id === nodes[5]!.id)?.position).toEqual({ x: 10, y: 10 });
  }, 120_000);
});
