// Auto-layout with elkjs (layered, nesting respected): elk arranges sites and the systems/hosts inside them along the data flow; each system keeps its own stack layout.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { NodeLayout, Topology } from '../../app/model/schema';
import { indexTopology } from '../../app/model/index-topology';
import { computeGeometry, deriveEdges, SIZE } from '../canvas/derive';
import { canvasParentId } from './topo';

const elk = new ELK();

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.spacing.nodeNode': '60',
  'elk.layered.spacing.nodeNodeBetweenLayers': '90',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.edgeRouting': 'SPLINES',
};
const SITE_OPTIONS = {
  'elk.padding': `[top=${SIZE.siteHeader + 6},left=24,bottom=24,right=24]`,
  'elk.spacing.nodeNode': '48',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
};

/**
 * A complete layout section: elk places sites at the top level and systems/hosts inside their site, ranked by the
 * cables, pairs and mappings between them; ports, volumes, LUs and caches keep the per-system stack placement.
 */
export async function autoLayout(t: Topology): Promise<Record<string, NodeLayout>> {
  const plain: Topology = { ...t, layout: { nodes: {} } };
  const geometry = computeGeometry(plain);
  const ix = indexTopology(t);
  const sites = new Map<string, ElkNode>();
  for (const s of t.sites) sites.set(s.id, { id: s.id, layoutOptions: SITE_OPTIONS, children: [] });
  const boxes = [...t.systems, ...t.hosts];
  for (const b of boxes) {
    const g = geometry.get(b.id);
    const site = sites.get(b.siteId);
    if (g && site) site.children!.push({ id: b.id, width: g.w, height: g.h });
  }
  // Every connection counts at the level of the systems/hosts it joins.
  const boxOf = (id: string): string | undefined => {
    let cur: string | undefined = id;
    for (let i = 0; cur && i < 6; i++) {
      if (ix.systems.has(cur) || ix.hosts.has(cur)) return cur;
      cur = canvasParentId(t, cur);
    }
    return undefined;
  };
  const edges: ElkExtendedEdge[] = [];
  const seen = new Set<string>();
  for (const e of deriveEdges(plain)) {
    // Cables and pairs carry the data flow; mappings stay inside a system except onto an external system, placed apart below.
    if (e.type !== 'cable' && e.type !== 'pair') continue;
    const [from, to] = [boxOf(e.source), boxOf(e.target)];
    if (!from || !to || from === to) continue;
    const key = `${from}>${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ id: `e${edges.length}`, sources: [from], targets: [to] });
  }
  const root: ElkNode = { id: '__root', layoutOptions: ROOT_OPTIONS, children: [...sites.values()], edges };
  const laid = await elk.layout(root);

  const out: Record<string, NodeLayout> = {};
  for (const site of laid.children ?? []) {
    const boxesIn = site.children ?? [];
    const external = (id: string) => /external/i.test(ix.systems.get(id)?.role ?? '');
    for (const box of boxesIn) if (!external(box.id)) out[box.id] = { x: Math.round(box.x ?? 0), y: Math.round(box.y ?? 0) };
    // An external system goes below the row, under the system whose real volumes it backs (storage system 40 in FIG. 1).
    const rowBottom = Math.max(SIZE.siteHeader, ...boxesIn.filter((b) => !external(b.id)).map((b) => (b.y ?? 0) + (b.height ?? 0)));
    let nextX = 24;
    for (const box of boxesIn.filter((b) => external(b.id))) {
      const user = t.volumes.find((v) => v.kind === 'real' && v.backing.type === 'external' && boxOf(v.backing.luId) === box.id)?.systemId;
      const x = user && out[user] ? out[user].x : nextX;
      out[box.id] = { x: Math.round(x), y: Math.round(rowBottom + 48) };
      nextX = x + (box.width ?? 0) + 48;
    }
    let w = 300;
    let h = 200;
    for (const box of boxesIn) {
      w = Math.max(w, out[box.id]!.x + (box.width ?? 0) + 24);
      h = Math.max(h, out[box.id]!.y + (box.height ?? 0) + 24);
    }
    out[site.id] = { x: Math.round(site.x ?? 0), y: Math.round(site.y ?? 0), width: Math.round(w), height: Math.round(h) };
  }
  // Moving external systems down may widen a site: push later sites right so none overlap.
  const placed = t.sites.map((s) => ({ id: s.id, l: out[s.id] })).filter((p): p is { id: string; l: NodeLayout } => !!p.l).sort((a, b) => a.l.x - b.l.x);
  for (let i = 1; i < placed.length; i++) {
    const prev = placed[i - 1]!.l;
    const cur = placed[i]!.l;
    const overlapY = cur.y < prev.y + (prev.height ?? 0) && prev.y < cur.y + (cur.height ?? 0);
    if (overlapY && cur.x < prev.x + (prev.width ?? 0) + 60) cur.x = prev.x + (prev.width ?? 0) + 60;
  }
  // Contents of systems and hosts: the stack placement, written out so the layout is explicit.
  for (const [id, g] of geometry) if (!(id in out)) out[id] = { x: Math.round(g.x), y: Math.round(g.y) };
  return out;
}
