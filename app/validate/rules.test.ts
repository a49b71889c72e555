// Each validation rule on a built-in topology: the untouched template passes it, one deliberate mistake trips it at the right element and path.
import { describe, expect, it } from 'vitest';
import { builtInText, loadBuiltIn } from '../../test/builtins';
import type { Topology } from '../model/schema';
import { validateDocument, validateTopology } from './index';
import type { ValidationCode } from './index';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

const FIG1 = 'fig01-loop-cascade.relaylab.json';
const byId = <T extends { id: string }>(list: T[], id: string): T => {
  const el = list.find((x) => x.id === id);
  if (!el) throw new Error(`no ${id}`);
  return el;
};

interface Case {
  rule: string;
  file?: string;
  mistake: (t: Topology) => void;
  code: ValidationCode;
  severity?: 'error' | 'warning';
  elementId?: string;
  path?: (t: Topology) => (string | number)[];
  message?: RegExp;
}

const cases: Case[] = [
  {
    rule: 'a duplicate id',
    mistake: (t) => t.caches.push({ ...byId(t.caches, 'C12'), id: 'V12' }),
    code: 'duplicate-id',
    elementId: 'V12',
    path: (t) => ['caches', t.caches.length - 1, 'id'],
  },
  {
    rule: 'an LU onto a volume that does not exist',
    mistake: (t) => (byId(t.lus, 'LU21').volumeId = 'V99'),
    code: 'dangling-reference',
    elementId: 'LU21',
    path: (t) => ['lus', t.lus.findIndex((l) => l.id === 'LU21'), 'volumeId'],
  },
  {
    rule: 'a cache holding a port instead of a volume',
    mistake: (t) => (byId(t.caches, 'C12').volumeIds = ['TP21']),
    code: 'wrong-reference-kind',
    elementId: 'C12',
    path: (t) => ['caches', t.caches.findIndex((c) => c.id === 'C12'), 'volumeIds', 0],
  },
  {
    rule: 'an LU on an initiator port',
    mistake: (t) => (byId(t.lus, 'LU22').portId = 'IP22'),
    code: 'bad-nesting',
    elementId: 'LU22',
    message: /initiator/,
  },
  {
    rule: 'a mapping range beyond the end of its lower volume',
    mistake: (t) => {
      const v = byId(t.volumes, 'V21');
      if (v.kind === 'virtual') v.ranges[0]!.lengthBytes = 2 * GiB;
    },
    code: 'range-outside-lower',
    elementId: 'V21',
    path: (t) => ['volumes', t.volumes.findIndex((v) => v.id === 'V21'), 'ranges', 0, 'lengthBytes'],
  },
  {
    rule: 'an LU beyond the end of its volume',
    mistake: (t) => (byId(t.lus, 'LU21').startBytes = 512 * MiB),
    code: 'range-outside-lower',
    elementId: 'LU21',
  },
  {
    rule: 'two virtual volumes on the same bytes without the shared mark',
    file: 'fig11-internal-real-volume.relaylab.json',
    mistake: (t) => {
      const v = byId(t.volumes, 'V21');
      if (v.kind === 'virtual') v.ranges[0]!.shared = false;
    },
    code: 'overlapping-ranges',
    elementId: 'V21',
  },
  {
    rule: 'two LUs on the same bytes without the shared mark',
    file: 'fig16-shared-lu-area.relaylab.json',
    mistake: (t) => (byId(t.lus, 'LU102').shared = false),
    code: 'overlapping-lus',
    elementId: 'LU102',
  },
  {
    rule: 'a mapping stack that loops back onto itself',
    mistake: (t) => {
      const v = byId(t.volumes, 'V21');
      if (v.kind === 'virtual') v.ranges[0]!.lowerId = 'R2';
    },
    code: 'mapping-cycle',
    message: /V21 -> R2|R2 -> V21/,
  },
  {
    rule: 'an initiator cabled to an initiator',
    mistake: (t) => (byId(t.ports, 'TP31').kind = 'initiator'),
    code: 'bad-cable',
    elementId: 'CN4',
    message: /both initiators/,
  },
  {
    rule: 'a loop between two ports of one system that is not an internal-loop cable',
    mistake: (t) => (byId(t.cables, 'CN3').kind = 'fc'),
    code: 'bad-cable',
    elementId: 'CN3',
    message: /internal loop/,
  },
  {
    rule: 'a second cable on a plain port (neither switchable nor behind a switch)',
    mistake: (t) => {
      t.ports.push({ id: 'TP32', name: 'TP32', ownerId: 'sys30', kind: 'target', wwn: '50:06:0e:80:00:00:ff:01' });
      t.cables.push({ id: 'CN9', name: 'CN9', kind: 'ip', aPortId: 'IP21', bPortId: 'TP32', distanceKm: 600, bandwidthMbps: 1000, roundTripsPerWrite: 1 });
    },
    code: 'port-over-cabled',
    elementId: 'CN9',
    path: (t) => ['cables', t.cables.length - 1],
    message: /behind a switch \(fabric\)/,
  },
  {
    // FIG. 1 as the patent draws it: IP22 carries CN4 (to TP31) and CN5 (to TP41), so it is behind a switch. Plain, it is over-cabled.
    rule: 'the patent\'s IP22 with CN4 and CN5 but not marked behind a switch',
    mistake: (t) => delete byId(t.ports, 'IP22').fabric,
    code: 'port-over-cabled',
    elementId: 'CN4',
    message: /IP22 already has cable CN5/,
  },
  {
    rule: 'a fabric port with two cables to the same peer port',
    mistake: (t) => {
      t.cables.push({ id: 'CN9', name: 'CN9', kind: 'ip', aPortId: 'IP22', bPortId: 'TP31', distanceKm: 600, bandwidthMbps: 1000, roundTripsPerWrite: 1 });
    },
    code: 'fabric-duplicate-path',
    elementId: 'CN9',
    path: (t) => ['cables', t.cables.length - 1],
    message: /already reaches port TP31 over cable CN4/,
  },
  {
    rule: 'a port both switchable and behind a switch (fabric)',
    file: 'fig13-switchable-port.relaylab.json',
    mistake: (t) => (byId(t.ports, 'SP21').fabric = true),
    code: 'fabric-switchable',
    elementId: 'SP21',
    path: (t) => ['ports', t.ports.findIndex((p) => p.id === 'SP21'), 'fabric'],
  },
  {
    rule: 'a switchable port whose cables are not on one changeover switch',
    file: 'fig13-switchable-port.relaylab.json',
    mistake: (t) => delete byId(t.cables, 'CN4').switchGroup,
    code: 'switch-group-missing',
    severity: 'warning',
    elementId: 'SP21',
  },
  {
    rule: 'a pair with no cable from its primary system to its secondary system',
    mistake: (t) => (t.cables = t.cables.filter((c) => c.id !== 'CN4')),
    code: 'pair-no-route',
    elementId: 'pair-async',
    path: (t) => ['pairs', t.pairs.findIndex((p) => p.id === 'pair-async')],
  },
  {
    rule: 'a pair of a volume with itself',
    mistake: (t) => (byId(t.pairs, 'pair-async').secondaryVolumeId = 'V21'),
    code: 'pair-same-volume',
    elementId: 'pair-async',
  },
  {
    rule: 'a pair whose secondary is smaller than its primary',
    mistake: (t) => {
      const v = byId(t.volumes, 'V22');
      if (v.kind === 'virtual') v.ranges[0]!.lengthBytes = 512 * MiB;
      byId(t.lus, 'LU31').sizeBytes = 512 * MiB;
    },
    code: 'pair-size-mismatch',
    elementId: 'pair-async',
    message: /1073741824 bytes but the secondary V22 is 536870912/,
  },
  {
    rule: 'a synchronous hop so long that host writes exceed the latency bound',
    mistake: (t) => (byId(t.cables, 'CN2').distanceKm = 600),
    code: 'sync-latency',
    severity: 'warning',
    elementId: 'pair-sync',
    // 2 round trips x 2 x 600 km x 5 us = 12,000 us, plus 4 KiB at 16 Gbit/s = 2.048 us.
    message: /about 12\.00 ms on CN2, above the 5 ms bound: 2 round trips x 2 x 600 km x 5 us \(12000 us\) \+ 4 KiB x 1\.1 overhead x 8 \/ 16000 Mbps \(2\.3 us\)/,
  },
  {
    rule: 'an asynchronous pair without a journal',
    mistake: (t) => delete byId(t.pairs, 'pair-async').journalBytes,
    code: 'async-no-journal',
    severity: 'warning',
    elementId: 'pair-async',
  },
  {
    rule: 'two ports with the same WWN',
    mistake: (t) => (byId(t.ports, 'TP31').wwn = byId(t.ports, 'TP21').wwn.toUpperCase()),
    code: 'duplicate-wwn',
    elementId: 'TP31',
  },
  {
    rule: 'two LUs with the same LUN on one port',
    mistake: (t) => {
      byId(t.lus, 'LU21').shared = true;
      t.lus.push({ id: 'LU21b', name: 'LU21b', portId: 'TP21', lun: 0, volumeId: 'V12', startBytes: 0, sizeBytes: 1 * MiB, shared: true });
    },
    code: 'duplicate-lun',
    elementId: 'LU21b',
    path: (t) => ['lus', t.lus.length - 1, 'lun'],
  },
  {
    rule: 'a cache holding a volume of another system',
    mistake: (t) => (byId(t.caches, 'C12').volumeIds = ['V22']),
    code: 'cache-other-system',
    elementId: 'C12',
  },
  {
    rule: 'a workload on an LU its host is not cabled to',
    mistake: (t) => (t.cables = t.cables.filter((c) => c.id !== 'CN1')),
    code: 'workload-unreachable',
    elementId: 'host1',
    path: () => ['hosts', 0, 'workloads', 0, 'luId'],
  },
  {
    rule: 'a recorded trace writing past the end of its LU',
    mistake: (t) => {
      const lu = byId(t.lus, t.hosts[0]!.workloads[0]!.luId);
      t.hosts[0]!.workloads[0]!.trace = {
        loop: false,
        records: [
          { atUs: 0, op: 'write', offsetBytes: 0, lengthBytes: 4096 },
          { atUs: 10, op: 'read', offsetBytes: lu.sizeBytes - 4096, lengthBytes: 4096 },
          { atUs: 20, op: 'write', offsetBytes: lu.sizeBytes - 4096, lengthBytes: 8192 },
        ],
      };
    },
    code: 'trace-out-of-range',
    elementId: 'wl1',
    path: () => ['hosts', 0, 'workloads', 0, 'trace', 'records', 2, 'offsetBytes'],
    message: /trace record 2 .* past the end of/,
  },
  {
    rule: 'a virtual real volume aliasing a real volume',
    file: 'fig07-intercache-copy.relaylab.json',
    mistake: (t) => {
      const r2 = byId(t.volumes, 'R2');
      if (r2.kind === 'virtualReal') r2.aliasOfId = 'R1';
    },
    code: 'alias-not-virtual',
    elementId: 'R2',
  },
  {
    rule: 'an alias path whose LU exposes another volume',
    mistake: (t) => {
      t.volumes.push({ id: 'Rx', name: 'Rx', systemId: 'sys20', kind: 'real', sizeBytes: 1 * GiB, backing: { type: 'internal' } });
      t.lus.push({ id: 'LUx', name: 'LUx', portId: 'TP22', lun: 1, volumeId: 'Rx', startBytes: 0, sizeBytes: 1 * GiB, shared: false });
      const r2 = byId(t.volumes, 'R2');
      if (r2.kind === 'virtualReal' && r2.path) r2.path.luId = 'LUx';
    },
    code: 'alias-path-mismatch',
    elementId: 'R2',
  },
  {
    rule: 'an external backing whose LU is not reached through the given initiator port',
    mistake: (t) => {
      const r1 = byId(t.volumes, 'R1');
      if (r1.kind === 'real' && r1.backing.type === 'external') r1.backing.initiatorPortId = 'IP21';
    },
    code: 'backing-unreachable',
    elementId: 'R1',
    message: /no cable joins IP21 to TP41/,
  },
  {
    rule: 'a layout entry for an element that does not exist',
    mistake: (t) => (t.layout.nodes['ghost'] = { x: 1, y: 2 }),
    code: 'layout-unknown-element',
    severity: 'warning',
    path: () => ['layout', 'nodes', 'ghost'],
  },
  {
    rule: 'an exercise expecting the state of a pair that does not exist',
    mistake: (t) => t.scenario!.exercises[0]!.atEnd.push({ check: 'pairState', pairId: 'pair-ghost', state: 'PAIR', side: 'pair', points: 1 }),
    code: 'exercise-unknown-pair',
    path: (t) => ['scenario', 'exercises', 0, 'atEnd', t.scenario!.exercises[0]!.atEnd.length - 1, 'pairId'],
  },
  {
    rule: 'an exercise requiring a cut of a cable that does not exist',
    mistake: (t) => (t.scenario!.exercises[0]!.mustHappen[0] = { event: 'fault', elementId: 'CN9', points: 1 }),
    code: 'exercise-unknown-element',
    path: () => ['scenario', 'exercises', 0, 'mustHappen', 0, 'elementId'],
  },
  {
    rule: 'an exercise comparing a volume that does not exist',
    mistake: (t) => t.scenario!.exercises[0]!.atEnd.push({ check: 'identical', volumeA: 'V11', volumeB: 'V99', points: 1 }),
    code: 'exercise-unknown-volume',
    path: (t) => ['scenario', 'exercises', 0, 'atEnd', t.scenario!.exercises[0]!.atEnd.length - 1, 'volumeB'],
  },
  {
    rule: 'an exercise expecting a refused write of a host that does not exist',
    mistake: (t) => t.scenario!.exercises[0]!.mustHappen.push({ event: 'writeRefused', hostId: 'host9', points: 1 }),
    code: 'exercise-unknown-host',
    path: (t) => ['scenario', 'exercises', 0, 'mustHappen', t.scenario!.exercises[0]!.mustHappen.length - 1, 'hostId'],
  },
  {
    rule: 'an exercise bounding the RPO of a synchronous pair',
    mistake: (t) => t.scenario!.exercises[0]!.atEnd.push({ check: 'rpoBound', pairId: 'pair-sync', maxMs: 1000, points: 1 }),
    code: 'exercise-rpo-sync',
    path: (t) => ['scenario', 'exercises', 0, 'atEnd', t.scenario!.exercises[0]!.atEnd.length - 1, 'pairId'],
  },
  {
    rule: 'a scenario step that cuts a cable which does not exist',
    mistake: (t) => t.scenario!.timeline.push({ atMs: 1000, command: { type: 'cutCable', cableId: 'CN9' } }),
    code: 'scenario-unknown-element',
    path: () => ['scenario', 'timeline', 0, 'command', 'cableId'],
    message: /cable "CN9", which does not exist/,
  },
  {
    rule: 'a 64 TiB volume asked to start 30% full (more starting data than the engine holds)',
    mistake: (t) => {
      const r11 = t.volumes.find((v) => v.id === 'R11')!;
      if (r11.kind === 'real') Object.assign(r11, { sizeBytes: 64 * 2 ** 40, initialFill: { fraction: 0.3, pattern: 'scattered' } });
    },
    code: 'fill-too-large',
    path: (t) => ['volumes', t.volumes.findIndex((v) => v.id === 'R11'), 'initialFill', 'fraction'],
    message: /19\.2 TiB of data/,
  },
];

describe('validation rules', () => {
  it.each(cases)('flags $rule', (c) => {
    const base = loadBuiltIn(c.file ?? FIG1);
    expect(validateTopology(base).filter((p) => p.code === c.code)).toEqual([]);
    const broken = structuredClone(base);
    c.mistake(broken);
    const found = validateTopology(broken).filter((p) => p.code === c.code);
    expect(found.length, `expected a ${c.code}`).toBeGreaterThan(0);
    const p = found[0]!;
    expect(p.severity).toBe(c.severity ?? 'error');
    if (c.elementId) expect(p.elementId).toBe(c.elementId);
    if (c.path) expect(p.path).toEqual(c.path(broken));
    if (c.message) expect(p.message).toMatch(c.message);
  });

  it('lists errors before warnings', () => {
    const t = structuredClone(loadBuiltIn(FIG1));
    t.layout.nodes['ghost'] = { x: 0, y: 0 };
    t.cables = t.cables.filter((c) => c.id !== 'CN1');
    expect(validateTopology(t).map((p) => p.severity)).toEqual(['error', 'warning']);
  });
});

describe('recorded traces', () => {
  it('accepts a trace whose records all lie inside the LU, up to its last byte', () => {
    const t = structuredClone(loadBuiltIn(FIG1));
    const w = t.hosts[0]!.workloads[0]!;
    const lu = byId(t.lus, w.luId);
    w.trace = { loop: true, records: [{ atUs: 0, op: 'write', offsetBytes: 0, lengthBytes: 4096 }, { atUs: 5, op: 'read', offsetBytes: lu.sizeBytes - 65536, lengthBytes: 65536 }] };
    expect(validateTopology(t)).toEqual([]);
  });

  it('names one finding per workload and counts the other records out of range', () => {
    const t = structuredClone(loadBuiltIn(FIG1));
    const w = t.hosts[0]!.workloads[0]!;
    const lu = byId(t.lus, w.luId);
    w.trace = { loop: false, records: [0, 1, 2].map((n) => ({ atUs: n, op: 'write' as const, offsetBytes: lu.sizeBytes + n, lengthBytes: 512 })) };
    const found = validateTopology(t).filter((p) => p.code === 'trace-out-of-range');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toMatch(/trace record 0 .*; 2 more record\(s\) too/);
  });
});

describe('validateDocument', () => {
  it('returns the topology and no problems for a good file', () => {
    const raw = JSON.parse(builtInText(FIG1)) as unknown;
    const r = validateDocument(raw);
    expect(r.problems).toEqual([]);
    expect(r.topology?.name).toMatch(/FIG\. 1/);
  });

  it('locates a schema error at its JSON path and names the element', () => {
    const raw = JSON.parse(builtInText(FIG1)) as {
      volumes: { id: string; ranges?: { lengthBytes: number }[] }[];
    };
    const i = raw.volumes.findIndex((v) => v.id === 'V21');
    raw.volumes[i]!.ranges![0]!.lengthBytes = -5;
    const r = validateDocument(raw);
    expect(r.topology).toBeUndefined();
    expect(r.problems[0]).toMatchObject({ severity: 'error', path: ['volumes', i, 'ranges', 0, 'lengthBytes'], elementId: 'V21' });
  });

  it('runs the domain rules after the schema', () => {
    const raw = JSON.parse(builtInText(FIG1)) as { cables: { id: string }[] };
    raw.cables = raw.cables.filter((c) => c.id !== 'CN2');
    const r = validateDocument(raw);
    expect(r.topology).toBeDefined();
    expect(r.problems.map((p) => [p.code, p.elementId])).toContainEqual(['pair-no-route', 'pair-sync']);
  });
});

describe('validation at scale', () => {
  it('checks 500 copies of FIG. 1 (21,500 elements) and finds nothing wrong', () => {
    const base = loadBuiltIn(FIG1);
    // The class exercise names FIG. 1's own pairs; the copies get new ids, so they carry no exercise.
    const big: Topology = { ...base, scenario: undefined, sites: [], systems: [], hosts: [], ports: [], cables: [], volumes: [], lus: [], caches: [], pairs: [] };
    const ids = new Set<string>();
    // Suffix every id-valued string so each copy is its own cascade.
    const suffix = (value: unknown, n: number): unknown => {
      if (typeof value === 'string') return ids.has(value) ? `${value}.${n}` : value;
      if (Array.isArray(value)) return value.map((v) => suffix(v, n));
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'name' ? v : suffix(v, n)]));
      return value;
    };
    for (const list of ['sites', 'systems', 'hosts', 'ports', 'cables', 'volumes', 'lus', 'caches', 'pairs'] as const)
      for (const el of base[list]) ids.add(el.id);
    for (const h of base.hosts) for (const w of h.workloads) ids.add(w.id);
    for (let n = 0; n < 500; n++) {
      const copy = suffix(base, n) as Topology;
      copy.ports = copy.ports.map((p, i) => ({ ...p, wwn: `50:06:0e:81:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}` }));
      for (const list of ['sites', 'systems', 'hosts', 'ports', 'cables', 'volumes', 'lus', 'caches', 'pairs'] as const)
        (big[list] as unknown[]).push(...(copy[list] as unknown[]));
    }
    expect(validateTopology(big)).toEqual([]);
  });
});
