// Auto-layout with elkjs (layered, hierarchy respected): sites left to right, each system's mapping stack top-down; result is a new layout section.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { NodeLayout, Topology } from '../../app/model/schema';
import { computeGeometry, deriveEdges, deriveNodes } from '../canvas/derive';
import { SIZE } from '../canvas/derive';

const elk = new ELK();

const GROUP_OPTIONS: Record<string, Record<string, string>> = {
  root: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.spacing.nodeNode': '90', 'elk.layered.spacing.nodeNodeBetweenLayers': '110' },
  site: {
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.padding': `[top=${SIZE.siteHeader + 8},left=24,bottom=24,right=24]`,
    'elk.spacing.nodeNode': '48',
    'elk.layered.spacing.nodeNodeBetweenLayers': '48',
  },
  system: {
    'elk.algorithm': 'layered',
    'elk.direction': 'DOWN',
    'elk.padding': `[top=${SIZE.systemHeader + 8},left=16,bottom=18,right=16]`,
    'elk.spacing.nodeNode': '26',
    'elk.layered.spacing.nodeNodeBetweenLayers': '40',
  },
  host: { 'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.padding': `[top=${SIZE.hostHeader + 28},left=16,bottom=18,right=16]` },
};

/** Computes positions and group sizes for every node; runs the layered algorithm per container so nesting is kept. */
export async function autoLayout(t: Topology): Promise<Record<string, NodeLayout>> {
  const geometry = computeGeometry({ ...t, layout: { nodes: {} } });
  const nodes = deriveNodes({ ...t, layout: { nodes: {} } });
  const edges = deriveEdges(t);
  const children = new Map<string | undefined, ElkNode[]>();
  const byId = new Map<string, ElkNode>();
  for (const n of nodes) {
    const g = geometry.get(n.id)!;
    const group = n.type === 'site' || n.type === 'system' || n.type === 'host';
    const elkNode: ElkNode = group
      ? { id: n.id, layoutOptions: GROUP_OPTIONS[n.type!], children: [] }
      : { id: n.id, width: g.w, height: g.h };
    byId.set(n.id, elkNode);
    const siblings = children.get(n.parentId) ?? [];
    siblings.push(elkNode);
    children.set(n.parentId, siblings);
  }
  for (const [parent, list] of children) if (parent) byId.get(parent)!.children = list;
  // Edges are attached to the lowest common container so elk routes and ranks them inside it.
  const parentOf = new Map(nodes.map((n) => [n.id, n.parentId]));
  const ancestors = (id: string) => {
    const out: string[] = [];
    for (let cur = parentOf.get(id); cur; cur = parentOf.get(cur)) out.push(cur);
    return out;
  };
  const rootEdges: ElkExtendedEdge[] = [];
  for (const e of edges) {
    if (e.type === 'exposure') continue;
    const a = ancestors(e.source);
    const b = new Set(ancestors(e.target));
    const common = a.find((x) => b.has(x));
    const edge: ElkExtendedEdge = { id: e.id, sources: [e.source], targets: [e.target] };
    if (common) (byId.get(common)!.edges ??= []).push(edge);
    else rootEdges.push(edge);
  }
  const root: ElkNode = { id: '__root', layoutOptions: { ...GROUP_OPTIONS.root, 'elk.hierarchyHandling': 'INCLUDE_CHILDREN' }, children: children.get(undefined) ?? [], edges: rootEdges };
  const laid = await elk.layout(root);
  const out: Record<string, NodeLayout> = {};
  const visit = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      const group = (c.children?.length ?? 0) > 0 || byId.get(c.id)?.layoutOptions !== undefined;
      out[c.id] = {
        x: Math.round(c.x ?? 0),
        y: Math.round(c.y ?? 0),
        ...(group && c.width && c.height ? { width: Math.round(c.width), height: Math.round(c.height) } : {}),
      };
      visit(c);
    }
  };
  visit(laid);
  return out;
}
