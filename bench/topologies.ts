// Topologies for the benchmarks: the built-in figures as shipped, scaled to huge capacities, or replicated many times over.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTopologyText, parseTopologyValue } from '../app/model/file';
import { withoutInitialFill, type Topology } from '../app/model/schema';

export const TIB = 1024 ** 4;
export const GIB = 1024 ** 3;

/** Where the repository is: the bench bundles run from dist/bench, the sources from bench/. */
export function repoRoot(): string {
  return process.env.RELAYLAB_ROOT ?? process.cwd();
}

export function loadFigure(file: string): Topology {
  const text = readFileSync(path.join(repoRoot(), 'assets/topologies', file), 'utf8');
  const r = parseTopologyText(text);
  if (!r.ok) throw new Error(`${file} does not load: ${r.problems.map((p) => p.message).join('; ')}`);
  return r.topology;
}

export function validated(raw: unknown, what: string): Topology {
  const r = parseTopologyValue(raw);
  if (!r.ok) throw new Error(`${what} does not load: ${r.problems.slice(0, 3).map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`);
  return r.topology;
}

/**
 * The same figure with every volume and LU of `fromBytes` made `toBytes` long (ranges and journals alike),
 * e.g. FIG. 1 with 64 TiB volumes. Only sizes equal to the figure's volume size change.
 */
export function scaled(t: Topology, fromBytes: number, toBytes: number): Topology {
  const raw = JSON.parse(JSON.stringify(t), (key, value: unknown) =>
    (key === 'sizeBytes' || key === 'lengthBytes') && value === fromBytes ? toBytes : value,
  ) as unknown;
  // Without starting data: a 20% fill of 64 TiB volumes is far over what a run may preload (and the cases that scale
  // compare sizes, so the fill would only blur them).
  return withoutInitialFill(validated(raw, `${t.name} scaled to ${toBytes} bytes`));
}

/** Every element id of a topology (the flat lists' `id` fields). */
function elementIds(t: Topology): Set<string> {
  const ids = new Set<string>();
  const lists = [t.sites, t.systems, t.hosts, t.ports, t.cables, t.volumes, t.lus, t.caches, t.pairs] as { id: string }[][];
  for (const list of lists) for (const e of list) ids.add(e.id);
  for (const h of t.hosts) for (const w of h.workloads) ids.add(w.id);
  return ids;
}

/** Number of canvas-visible elements (sites, systems, hosts, ports, cables, volumes, LUs, caches, pairs). */
export function elementCount(t: Topology): number {
  return t.sites.length + t.systems.length + t.hosts.length + t.ports.length + t.cables.length + t.volumes.length + t.lus.length + t.caches.length + t.pairs.length;
}

/**
 * `copies` independent copies of a figure in one topology: every id (and every reference to it) gets a
 * `c<k>-` prefix, and WWNs are made unique, so the copies validate and run side by side.
 */
export function replicated(t: Topology, copies: number): Topology {
  const ids = elementIds(t);
  const out: Record<string, unknown[]> = {};
  const kinds = ['sites', 'siteDistances', 'systems', 'hosts', 'ports', 'cables', 'volumes', 'lus', 'caches', 'pairs'] as const;
  for (const kind of kinds) out[kind] = [];
  let wwn = 0;
  for (let k = 0; k < copies; k++) {
    const prefix = `c${k}-`;
    const copy = JSON.parse(JSON.stringify(t), (key, value: unknown) => {
      if (typeof value === 'string' && key !== 'name' && key !== 'description' && ids.has(value)) return prefix + value;
      return value;
    }) as Topology;
    for (const p of copy.ports) {
      if (p.wwn !== undefined) p.wwn = uniqueWwn(wwn++);
    }
    for (const kind of kinds) out[kind]!.push(...(copy[kind] as unknown[]));
  }
  return validated({ ...t, ...out, name: `${copies} x ${t.name}`, layout: { nodes: {} }, scenario: undefined }, `${copies} copies of ${t.name}`);
}

function uniqueWwn(n: number): string {
  const hex = n.toString(16).padStart(8, '0');
  return `50:06:0e:80:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}`;
}
