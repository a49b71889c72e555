// Edge routes on the nine figures: every cable and pair gets an orthogonal route that crosses no node it does not belong to and no title bar; every label spot is clear of nodes and of the other labels.
import { describe, expect, it } from 'vitest';
import { builtInText, loadBuiltIn } from '../../test/builtins';
import { deriveEdges, deriveNodes } from './derive';
import { absoluteBoxes, labelSize, overlaps, routeEdges } from './route';
import type { Box, XY } from './route';

const FIGURES: string[] = JSON.parse(builtInText('index.json')).map((e: { file: string }) => e.file);

/** The boxes a segment from a to b (horizontal or vertical) passes through the inside of. */
function crossed(a: XY, b: XY, boxes: Map<string, Box>, skip: Set<string>): string[] {
  const seg = { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  const out: string[] = [];
  for (const [id, box] of boxes) {
    if (skip.has(id)) continue;
    const inner = { x: box.x + 1, y: box.y + 1, w: box.w - 2, h: box.h - 2 };
    if (overlaps(seg, inner)) out.push(id);
  }
  return out;
}

describe.each(FIGURES)('%s', (file) => {
  const t = loadBuiltIn(file);
  const nodes = deriveNodes(t);
  const edges = deriveEdges(t);
  const routes = routeEdges(t, nodes, edges);
  const boxes = absoluteBoxes(nodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const leafBoxes = new Map([...boxes].filter(([id]) => ['port', 'volume', 'lu', 'cache'].includes(byId.get(id)?.type ?? '')));
  const titleBars = new Map([...boxes].filter(([id]) => !leafBoxes.has(id)).map(([id, b]) => [id, { ...b, h: 30 }]));

  it('routes every cable and pair, orthogonally, around the nodes it does not belong to and under no title bar', () => {
    for (const e of edges.filter((x) => x.type === 'cable' || x.type === 'pair')) {
      const r = routes.get(e.id);
      expect(r?.points.length ?? 0, `${e.id} is routed`).toBeGreaterThanOrEqual(2);
      const pts = r!.points;
      const own = new Set([e.source, e.target]);
      for (let i = 1; i < pts.length; i++) {
        const [a, b] = [pts[i - 1]!, pts[i]!];
        expect(a.x === b.x || a.y === b.y, `${e.id} segment ${i} is horizontal or vertical`).toBe(true);
        expect(crossed(a, b, leafBoxes, own), `${e.id} segment ${i} crosses no other node`).toEqual([]);
        // The first and last segments leave and enter their nodes' containers through their sides, not their titles.
        expect(crossed(a, b, titleBars, new Set()), `${e.id} segment ${i} crosses no title bar`).toEqual([]);
      }
    }
  });

  it('places every label clear of every node and of the other labels', () => {
    const placed: { id: string; box: Box }[] = [];
    for (const e of edges) {
      const spot = routes.get(e.id)?.label;
      const text = routes.get(e.id)?.labelText;
      if (!spot || !text) continue;
      const size = labelSize(text, e.type === 'mapping' ? 'small' : 'chip');
      // The estimate is generous; the drawn label is smaller by a few pixels each side.
      const box = { x: spot.x - size.w / 2 + 3, y: spot.y - size.h / 2 + 2, w: size.w - 6, h: size.h - 4 };
      // Clear of every node but its own two ends (a mapping label between two stacked volumes may touch them).
      for (const [id, leaf] of leafBoxes) if (id !== e.source && id !== e.target) expect(overlaps(box, leaf), `${e.id}'s label "${text}" clear of ${id}`).toBe(false);
      for (const [id, bar] of titleBars) expect(overlaps(box, bar), `${e.id}'s label "${text}" clear of the title of ${id}`).toBe(false);
      for (const p of placed) expect(overlaps(box, p.box), `${e.id}'s label clear of ${p.id}'s`).toBe(false);
      placed.push({ id: e.id, box });
    }
  });
});
