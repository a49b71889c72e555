// Topology -> canvas: nesting by parentId (parents first), stacks top-down, stored layout wins, three distinct connection kinds.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { Topology } from '../../app/model/schema';
import { computeGeometry, deriveEdges, deriveNodes, HANDLE, pairLabel, pushApart, stackLevels } from './derive';
import { moveNodes } from '../store/actions';

const fig1 = (): Topology => loadBuiltIn('fig01-loop-cascade.relaylab.json');

describe('nodes from FIG. 1', () => {
  const t = fig1();
  const nodes = deriveNodes(t);
  const byId = new Map(nodes.map((n) => [n.id, n]));

  it('draws every site, system, host, port, volume, LU and cache once', () => {
    const expected = [t.sites, t.systems, t.hosts, t.ports, t.volumes, t.lus, t.caches].reduce((s, l) => s + l.length, 0);
    expect(nodes).toHaveLength(expected);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(expected);
  });

  it('nests by parentId and lists every parent before its children', () => {
    expect(byId.get('sys20')?.parentId).toBe('site-relay');
    expect(byId.get('TP21')?.parentId).toBe('sys20');
    expect(byId.get('V12')?.parentId).toBe('sys20');
    // The LU lives in the system of its port on the canvas.
    expect(byId.get('LU21')?.parentId).toBe('sys20');
    const seen = new Set<string>();
    for (const n of nodes) {
      if (n.parentId) expect(seen.has(n.parentId)).toBe(true);
      seen.add(n.id);
    }
  });

  it('stacks the relay top-down: LU above V12 above R2 above V21 above R1', () => {
    const y = (id: string) => byId.get(id)!.position.y;
    expect(y('LU21')).toBeLessThan(y('V12'));
    expect(y('V12')).toBeLessThan(y('R2'));
    expect(y('R2')).toBeLessThan(y('V21'));
    expect(y('V21')).toBeLessThan(y('R1'));
    const levels = stackLevels(t);
    expect(levels.get('R1')).toBe(0);
    expect(levels.get('V12')).toBeGreaterThan(levels.get('V21')!);
  });

  it('puts target ports on the left edge and initiators on the right edge of a system', () => {
    const g = computeGeometry(t);
    const sys = g.get('sys20')!;
    expect(g.get('TP21')!.x).toBeLessThan(sys.w / 2);
    expect(g.get('IP21')!.x).toBeGreaterThan(sys.w / 2);
  });

  it('sizes every group to hold its children', () => {
    const g = computeGeometry(t);
    for (const n of nodes) {
      if (!n.parentId) continue;
      const child = g.get(n.id)!;
      const parent = g.get(n.parentId)!;
      expect(child.x + child.w).toBeLessThanOrEqual(parent.w);
      expect(child.y + child.h).toBeLessThanOrEqual(parent.h);
    }
  });

  it('places sites left to right without overlap', () => {
    const g = computeGeometry(t);
    const sites = t.sites.map((s) => g.get(s.id)!).sort((a, b) => a.x - b.x);
    for (let i = 1; i < sites.length; i++) expect(sites[i]!.x).toBeGreaterThanOrEqual(sites[i - 1]!.x + sites[i - 1]!.w);
  });

  it('a stored position wins over the automatic placement, and the group grows to hold it', () => {
    const moved = moveNodes(t, { positions: { V12: { x: 900, y: 700 } } });
    const g = computeGeometry(moved);
    expect(g.get('V12')).toMatchObject({ x: 900, y: 700 });
    expect(g.get('sys20')!.w).toBeGreaterThanOrEqual(900 + g.get('V12')!.w);
  });
});

describe('edges from FIG. 1', () => {
  const t = fig1();
  const edges = deriveEdges(t);

  it('one cable edge per cable, port to port on the cable handles', () => {
    const cables = edges.filter((e) => e.type === 'cable');
    expect(cables.map((e) => e.id).sort()).toEqual(t.cables.map((c) => c.id).sort());
    for (const e of cables) expect([e.sourceHandle, e.targetHandle]).toEqual([HANDLE.cable, HANDLE.cable]);
    const cn2 = cables.find((e) => e.id === 'CN2')!;
    expect(cn2.data?.label).toMatch(/FC · 60 km · 16 Gbit\/s/);
  });

  it('draws a cable from its initiator to its target', () => {
    const cn4 = edges.find((e) => e.id === 'CN4')!;
    expect(cn4.source).toBe('IP22');
    expect(cn4.target).toBe('TP31');
  });

  it('pairs go primary -> secondary with their mode', () => {
    const pairs = edges.filter((e) => e.type === 'pair');
    expect(pairs.map((e) => [e.source, e.target, e.data?.mode])).toEqual([
      ['V11', 'V12', 'sync'],
      ['V21', 'V22', 'async'],
    ]);
    for (const e of pairs) expect([e.sourceHandle, e.targetHandle]).toEqual([HANDLE.pairOut, HANDLE.pairIn]);
  });

  it('mapping lines run from the upper element down to the lower one: ranges, alias, LU, external backing', () => {
    const maps = edges.filter((e) => e.type === 'mapping');
    const has = (s: string, tgt: string, rel: string) => maps.some((e) => e.source === s && e.target === tgt && e.data?.relation === rel);
    expect(has('V21', 'R1', 'range')).toBe(true);
    expect(has('R2', 'V21', 'alias')).toBe(true);
    expect(has('LU21', 'V12', 'lu')).toBe(true);
    expect(has('R1', 'LU40', 'external')).toBe(true);
    for (const e of maps) expect([e.sourceHandle, e.targetHandle]).toEqual([HANDLE.mapDown, HANDLE.mapUp]);
  });

  it('marks selected edges', () => {
    expect(deriveEdges(t, new Set(['CN3'])).find((e) => e.id === 'CN3')?.selected).toBe(true);
  });
});

describe('labels', () => {
  it('does not repeat the mode a pair name already carries', () => {
    const t = fig1();
    expect(pairLabel(t.pairs[0]!)).toBe('V11 -> V12 · sync · fence data');
    expect(pairLabel({ ...t.pairs[1]!, name: 'to remote' })).toBe('to remote · async');
  });
});

describe('FIG. 13 switchable port', () => {
  it('receives on one handle and sends from the other', () => {
    const t = loadBuiltIn('fig13-switchable-port.relaylab.json');
    const sp = t.ports.find((p) => p.kind === 'switchable')!;
    const edges = deriveEdges(t).filter((e) => e.type === 'cable' && (e.source === sp.id || e.target === sp.id));
    expect(edges.length).toBeGreaterThanOrEqual(2);
    const inbound = edges.find((e) => e.target === sp.id)!;
    const outbound = edges.find((e) => e.source === sp.id)!;
    expect(inbound.targetHandle).toBe(HANDLE.cable);
    expect(outbound.sourceHandle).toBe(HANDLE.cableOut);
  });
});

describe('a group that grows pushes its neighbours aside', () => {
  it('moves a box off one that grew into it, and the next one along too', () => {
    const grown = { x: 0, y: 0, w: 900, h: 400 };
    const next = { x: 800, y: 0, w: 300, h: 400 };
    const last = { x: 1150, y: 0, w: 300, h: 400 };
    pushApart([grown, next, last], 36, new Set([grown]));
    expect(next.x).toBe(936);
    expect(last.x).toBe(936 + 300 + 36);
  });
  it('leaves a box the user put over another, when nothing grew', () => {
    const a = { x: 0, y: 0, w: 500, h: 300 };
    const b = { x: 10, y: 10, w: 500, h: 300 };
    pushApart([a, b], 36, new Set());
    expect(b.x).toBe(10);
  });
});
