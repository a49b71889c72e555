// Every built-in topology loads, validates with no errors, round-trips through the file format, and is listed in index.json.
import { describe, expect, it } from 'vitest';
import { builtInFiles, builtInText } from '../../test/builtins';
import { parseTopologyText, serializeTopology } from '../model/file';
import { formatProblem } from '../model/problem';
import { hostCablesToLu, pairRoute } from '../model/paths';
import { validateTopology } from './index';

const files = builtInFiles();
const index = JSON.parse(builtInText('index.json')) as { file: string; figure: string; title: string; description: string }[];

describe('built-in topologies', () => {
  it('are the nine embodiments, FIG. 1 with a delta-resync standby pair, and four exercise variants of FIG. 1, each listed once in index.json with a one-sentence description', () => {
    expect(files).toHaveLength(14);
    expect(index.map((e) => e.file).sort()).toEqual(files);
    expect(index.map((e) => e.figure)).toEqual(['FIG. 1', 'FIG. 1 + 3DC', 'FIG. 7', 'FIG. 9', 'FIG. 11', 'FIG. 12', 'FIG. 13', 'FIG. 14', 'FIG. 15', 'FIG. 16', 'FIG. 1 exercise', 'FIG. 1 exercise', 'FIG. 1 exercise', 'FIG. 1 + 3DC exercise']);
    for (const e of index) expect(e.description).toMatch(/^[A-Z][^.]*(\.[^ ][^.]*)*\.$/);
  });

  describe.each(files)('%s', (file) => {
    const text = builtInText(file);
    const loaded = parseTopologyText(text);

    it('loads and validates with no errors or warnings', () => {
      expect(loaded.ok).toBe(true);
      if (!loaded.ok) return;
      expect(validateTopology(loaded.topology).map(formatProblem)).toEqual([]);
    });

    it('round-trips: load -> serialize -> load gives the same model, and the file is already in canonical form', () => {
      if (!loaded.ok) throw new Error('not loaded');
      const again = parseTopologyText(serializeTopology(loaded.topology));
      expect(again.ok && again.topology).toEqual(loaded.topology);
      expect(serializeTopology(loaded.topology)).toBe(text);
    });

    it('is a runnable cascade: a host workload reaches its LU, a sync pair then async pair(s), every pair routed, sites placed', () => {
      if (!loaded.ok) throw new Error('not loaded');
      const t = loaded.topology;
      const host1 = t.hosts.find((h) => h.id === 'host1')!;
      expect(host1.workloads.length).toBeGreaterThan(0);
      expect(hostCablesToLu(t, 'host1', host1.workloads[0]!.luId)).not.toHaveLength(0);
      expect(t.pairs.filter((p) => p.mode === 'sync')).toHaveLength(1);
      expect(t.pairs.filter((p) => p.mode === 'async').length).toBeGreaterThan(0);
      for (const p of t.pairs) expect(pairRoute(t, p.id), p.id).not.toBeNull();
      for (const s of t.sites) expect(s.xKm !== undefined && s.yKm !== undefined).toBe(true);
      for (const p of t.pairs.filter((x) => x.mode === 'async')) expect(p.journalBytes).toBeGreaterThan(0);
    });
  });
});
