// Issue 11 item 6, load spreading: a pair with a path group spreads its sync updates, copied tracks and journal records
// over all the paths that are up; a cut path's share moves to the others once the path timeout notices the cut.
import { describe, expect, test } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { withoutInitialFill, type Topology } from '../../app/model/schema';
import { Engine } from './engine';

function fig01(): Topology {
  return withoutInitialFill(loadBuiltIn('fig01-loop-cascade.relaylab.json'));
}

/** FIG. 1 with a second cable beside CN2 (sync leg) or CN4 (async leg), the pair using both as its path group. */
function twoPaths(leg: 'sync' | 'async', secondKm: number, initially: 'paired' | 'create' = 'paired'): Topology {
  const t = fig01();
  const [first, ip, tp, owner, peer, kind] =
    leg === 'sync' ? (['CN2', 'IP12', 'TP23', 'sys10', 'sys20', 'fc'] as const) : (['CN4', 'IP24', 'TP32', 'sys20', 'sys30', 'ip'] as const);
  const base = t.cables.find((c) => c.id === first)!;
  return {
    ...t,
    ports: [
      ...t.ports,
      { id: ip, name: ip, ownerId: owner, kind: 'initiator', wwn: '50:06:0e:80:00:00:00:31' },
      { id: tp, name: tp, ownerId: peer, kind: 'target', wwn: '50:06:0e:80:00:00:00:32' },
    ],
    // The second path exposes the same secondary: an LU on the new target port.
    lus: [...t.lus, ...t.lus.filter((l) => l.portId === base.bPortId).map((l) => ({ ...l, id: `${l.id}b`, name: `${l.name}b`, portId: tp, shared: true }))].map((l) =>
      l.portId === base.bPortId ? { ...l, shared: true } : l,
    ),
    cables: [...t.cables, { ...base, id: `${first}b`, name: `${first}b`, kind, aPortId: ip, bPortId: tp, distanceKm: secondKm }],
    pairs: t.pairs.map((p) => ({ ...p, initially, ...(p.mode === leg ? { paths: { cableIds: [first, `${first}b`], minPaths: 1, timeoutMs: 1000 } } : {}) })),
  };
}

const linkBytes = (e: Engine, id: string) => e.snapshot().links.find((l) => l.id === id)!.bytes;
const state = (e: Engine, id: string) => e.pairStatus(e.pairs.get(id)!).state;

describe('load spreading over a path group', () => {
  test('sync pair, two equal paths: about equal bytes on each; every write acknowledged after its secondary has it; a cut moves all load to the other path', () => {
    const e = new Engine(twoPaths('sync', 60), { seed: 3 });
    e.startWorkloads();
    e.runUntil(2_000_000);
    const a = linkBytes(e, 'CN2');
    const b = linkBytes(e, 'CN2b');
    expect(a + b).toBeGreaterThan(1500 * 4096);
    // Round robin per update: within 5% of each other.
    expect(Math.abs(a - b) / (a + b)).toBeLessThan(0.05);
    const h = e.hostTotals()[0]!;
    expect(h.writesFailed).toBe(0);
    // An acknowledgement waits for the secondary's cache on whichever path the update took: 2 round trips of 60 km
    // (1.2 ms) plus serialisation, never less.
    expect(h.latency.quantileUs(0)).toBeGreaterThan(1200);
    // Cut CN2b: after the 1 s path timeout every update goes over CN2 and the pair stays PAIR.
    e.command({ type: 'cutCable', cableId: 'CN2b' });
    e.runUntil(3_100_000);
    const bAfter = linkBytes(e, 'CN2b');
    const aAfter = linkBytes(e, 'CN2');
    e.runUntil(4_000_000);
    expect(state(e, 'pair-sync')).toBe('PAIR');
    expect(linkBytes(e, 'CN2b')).toBe(bAfter);
    expect(linkBytes(e, 'CN2') - aAfter).toBeGreaterThan(600 * 4096);
    expect(e.hostTotals()[0]!.writesFailed).toBe(0);
    e.runUntilSettled(e.nowUs + 60e6);
    expect(e.volumeHash('V12')).toBe(e.volumeHash('V11'));
  });

  test('async pair, two paths of different length: records arrive out of order, the secondary still applies only an unbroken run', () => {
    // CN4 is 600 km, CN4b 100 km: a record on CN4b overtakes the one sent just before it on CN4.
    const applied: number[] = [];
    const e = new Engine(twoPaths('async', 100), {
      seed: 5,
      traceWorkloadWrites: true,
      onStep: (s) => {
        if (s.step !== 'journal-apply') return;
        const m = /^record (\d+) applied/.exec(s.text);
        if (m) applied.push(Number(m[1]));
      },
    });
    e.startWorkloads();
    const j = e.pairs.get('pair-async')!.journal!;
    let outOfOrder = 0;
    for (let t = 0; t <= 2_000_000; t += 500) {
      e.runUntil(t);
      // Records held at the secondary because an earlier sequence number has not arrived yet.
      outOfOrder = Math.max(outOfOrder, j.arrived.size);
    }
    expect(outOfOrder).toBeGreaterThan(0);
    const a = linkBytes(e, 'CN4');
    const b = linkBytes(e, 'CN4b');
    expect(Math.abs(a - b) / (a + b)).toBeLessThan(0.05);
    e.command({ type: 'pair', pairId: 'pair-sync', op: 'split' });
    e.runUntilSettled(e.nowUs + 60e6);
    // Applied in sequence order, each exactly once, with no gap: the remote was always an earlier consistent image.
    expect(applied.length).toBeGreaterThan(1000);
    expect(applied).toEqual(applied.map((_, i) => applied[0]! + i));
    expect(state(e, 'pair-async')).toBe('PAIR');
    expect(e.volumeHash('V22')).toBe(e.volumeHash('V21'));
  });

  test('two updates of the same bytes in flight at once take the same path, so the newer one lands last', () => {
    // CN2 is 60 km, CN2b 1 km: round robin alone would send the second update over CN2b, where it lands first and
    // is then overwritten by the first, older one (found by the property test with path groups).
    const e = new Engine(twoPaths('sync', 1), { seed: 1 });
    const older = new Uint8Array(4096).fill(1);
    const newer = new Uint8Array(4096).fill(2);
    expect(e.hostWrite('host1', 'LU11', 8192, older, false).ok).toBe(true);
    expect(e.hostWrite('host1', 'LU11', 8192, newer, false).ok).toBe(true);
    e.runUntilSettled(10e6);
    expect(e.hostTotals()[0]!.writesAcked).toBe(2);
    expect(e.volumeHash('V12')).toBe(e.volumeHash('V11'));
    // And with no update in flight the next one takes the other path: both carried bytes.
    expect(e.hostWrite('host1', 'LU11', 8192, older, false).ok).toBe(true);
    e.runUntilSettled(20e6);
    expect(linkBytes(e, 'CN2')).toBeGreaterThan(0);
    expect(linkBytes(e, 'CN2b')).toBeGreaterThan(0);
    expect(e.volumeHash('V12')).toBe(e.volumeHash('V11'));
  });

  test('initial copy: tracks spread over both paths', () => {
    const t = twoPaths('sync', 60, 'create');
    // Start with data to copy.
    const r11 = t.volumes.find((v) => v.id === 'R11')!;
    if (r11.kind === 'real') r11.initialFill = { fraction: 0.1, pattern: 'scattered' };
    const e = new Engine(t, { seed: 1 });
    e.runUntilSettled(60e6);
    expect(state(e, 'pair-sync')).toBe('PAIR');
    const a = linkBytes(e, 'CN2');
    const b = linkBytes(e, 'CN2b');
    expect(a + b).toBeGreaterThan(50 * 262144);
    expect(Math.abs(a - b) / (a + b)).toBeLessThan(0.1);
    expect(e.volumeHash('V12')).toBe(e.volumeHash('V11'));
  });
});
