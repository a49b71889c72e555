// elk auto-layout on FIG. 1: every node gets a place, sites do not overlap, systems stay inside their site.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { Topology } from '../../app/model/schema';
import { autoLayout } from './autolayout';
import { applyLayout } from '../store/actions';
import { computeGeometry, deriveNodes } from '../canvas/derive';

describe('auto-layout', () => {
  it('lays out FIG. 1 with nesting kept and no overlapping sites', async () => {
    const t = loadBuiltIn('fig01-loop-cascade.relaylab.json');
    const nodes = await autoLayout(t);
    const laid = applyLayout(t, { nodes });
    expect(Topology.safeParse(laid).success).toBe(true);
    for (const n of deriveNodes(t)) expect(nodes[n.id], n.id).toBeDefined();
    const g = computeGeometry(laid);
    const sites = t.sites.map((s) => g.get(s.id)!);
    for (let i = 0; i < sites.length; i++)
      for (let j = i + 1; j < sites.length; j++) {
        const a = sites[i]!;
        const b = sites[j]!;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
    // The local site comes before the relay, the relay before the remote (data flows left to right).
    const x = (id: string) => g.get(id)!.x;
    expect(x('site-local')).toBeLessThan(x('site-relay'));
    expect(x('site-relay')).toBeLessThan(x('site-remote'));
    for (const s of t.systems) {
      const box = g.get(s.id)!;
      const site = g.get(s.siteId)!;
      expect(box.x + box.w).toBeLessThanOrEqual(site.w + 1);
      expect(box.y + box.h).toBeLessThanOrEqual(site.h + 1);
    }
  });
});
