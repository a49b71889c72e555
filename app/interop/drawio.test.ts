// draw.io export: a well-formed mxfile whose containers, shapes and labelled edges sit where the canvas draws them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltIns } from '../../test/builtins';
import { computeGeometry } from '../../renderer/canvas/derive';
import { canvasParentId } from '../../renderer/lib/topo';
import type { Topology } from '../model/schema';
import { exportDrawio } from './drawio';

const builtIns = loadBuiltIns();
const placement = (t: Topology) => ({ geometry: computeGeometry(t), parentOf: (id: string) => canvasParentId(t, id) });

interface Cell {
  attrs: Record<string, string>;
  geometry?: Record<string, string>;
}
/** A strict little XML reader for the subset we write: balanced tags, quoted attributes, known entities only. */
function readMxfile(xml: string): Cell[] {
  const stack: string[] = [];
  const cells: Cell[] = [];
  let last: Cell | undefined;
  const tag = /<(\/?)([A-Za-z]+)((?:\s+[A-Za-z]+="[^"<]*")*)\s*(\/?)>/g;
  let pos = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const between = xml.slice(pos, m.index);
    if (between.trim()) throw new Error(`text outside tags at ${pos}: ${between.slice(0, 40)}`);
    pos = m.index + m[0].length;
    const [, close, name, rawAttrs, selfClose] = m;
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs!.matchAll(/([A-Za-z]+)="([^"]*)"/g)) {
      if (/&(?!(amp|lt|gt|quot|apos|#xa);)/.test(a[2]!)) throw new Error(`bad entity in ${a[0]}`);
      attrs[a[1]!] = a[2]!.replace(/&#xa;/g, '\n').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
    }
    if (close) {
      if (stack.pop() !== name) throw new Error(`</${name}> does not close the open tag`);
      continue;
    }
    if (name === 'mxCell') cells.push((last = { attrs }));
    if (name === 'mxGeometry' && last) last.geometry = attrs;
    if (!selfClose) stack.push(name!);
  }
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
  return cells;
}

describe('draw.io export', () => {
  it('FIG. 1: sites and systems as containers, shapes inside, cables and pairs as labelled edges at the canvas positions', () => {
    const t = builtIns.find((b) => b.file === 'fig01-loop-cascade.relaylab.json')!.topology;
    const { files } = exportDrawio(t, placement(t), 'fig1.drawio');
    const xml = files['fig1.drawio']!;
    expect(xml).toMatch(/^<mxfile host="RelayLab"[^>]*>\n\s+<diagram id="relaylab" name="FIG\. 1[^"]*">\n\s+<mxGraphModel /);
    const cells = readMxfile(xml);
    const byId = new Map(cells.map((c) => [c.attrs.id!, c]));
    expect(byId.get('0')!.attrs.parent).toBeUndefined();
    expect(byId.get('1')!.attrs.parent).toBe('0');
    expect(byId.get('site-relay')!.attrs.style).toMatch(/^swimlane;.*container=1/);
    expect(byId.get('sys20')!.attrs.parent).toBe('site-relay');
    expect(byId.get('sys20')!.attrs.style).toMatch(/container=1/);
    expect(byId.get('V12')!.attrs.parent).toBe('sys20');
    const g = computeGeometry(t).get('V12')!;
    expect(byId.get('V12')!.geometry).toMatchObject({ x: String(Math.round(g.x)), y: String(Math.round(g.y)), width: String(Math.round(g.w)), as: 'geometry' });
    expect(byId.get('C12')!.attrs.style).toMatch(/shape=process/);
    const cn4 = byId.get('CN4')!;
    expect(cn4.attrs).toMatchObject({ edge: '1', source: expect.any(String), target: expect.any(String) });
    expect(cn4.attrs.value).toMatch(/^CN4 .*km, .*bit\/s$/);
    expect(byId.get('pair-sync')!.attrs.value).toMatch(/sync, fence data/);
    expect(byId.get('pair-async')!.attrs.style).toMatch(/dashed=1/);
  });

  it.each(builtIns)('$file: every cell has a known parent (declared before it) and every edge both ends', ({ topology }) => {
    const cells = readMxfile(exportDrawio(topology, placement(topology)).files['design.drawio']!);
    const seen = new Set<string>();
    for (const c of cells) {
      if (c.attrs.parent !== undefined) expect(seen.has(c.attrs.parent), `${c.attrs.id} parent ${c.attrs.parent}`).toBe(true);
      if (c.attrs.edge) for (const end of [c.attrs.source!, c.attrs.target!]) expect(seen.has(end), `${c.attrs.id} -> ${end}`).toBe(true);
      seen.add(c.attrs.id!);
    }
    expect(new Set(cells.map((c) => c.attrs.id)).size).toBe(cells.length);
    expect(cells.filter((c) => c.attrs.edge).length).toBe(topology.cables.length + topology.pairs.length);
  });

  it('escapes names so that any text stays well-formed XML', () => {
    const t = structuredClone(builtIns[0]!.topology);
    t.sites[0]!.name = 'A & B <"site"> \'x\'\nsecond line \u0001';
    const xml = exportDrawio(t, placement(t)).files['design.drawio']!;
    const site = readMxfile(xml).find((c) => c.attrs.id === t.sites[0]!.id)!;
    expect(site.attrs.value).toBe('A & B <"site"> \'x\'\nsecond line ');
  });
});
