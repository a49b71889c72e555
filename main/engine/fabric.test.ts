// Issue 11 item 9: FIG. 1 drawn as the patent draws it, IP22 behind a switch (fabric) carrying CN4 to TP31 and CN5 to
// TP41. The engine must pick each cable by the peer it talks to: the remote for the async pair, system 40 for R1.
import { describe, expect, test } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import { withoutInitialFill, type Topology } from '../../app/model/schema';
import { validateTopology } from '../../app/validate';
import { Engine } from './engine';

/** The built-in FIG. 1: IP22 (fabric) carries CN5 first, then CN4. */
function patentFig1(): Topology {
  return withoutInitialFill(loadBuiltIn('fig01-loop-cascade.relaylab.json'));
}

/** The same FIG. 1 with CN5 on its own plain port IP23 (the template before fabric ports). */
function ip23Fig1(): Topology {
  const t = structuredClone(patentFig1());
  t.ports = t.ports.map((p) => (p.id === 'IP22' ? { ...p, fabric: undefined } : p));
  t.ports.push({ id: 'IP23', name: 'IP23', ownerId: 'sys20', kind: 'initiator', wwn: '50:06:0e:80:00:00:00:ee' });
  t.cables = t.cables.map((c) => (c.id === 'CN5' ? { ...c, aPortId: 'IP23' } : c));
  t.volumes = t.volumes.map((v) => (v.kind === 'real' && v.backing.type === 'external' ? { ...v, backing: { ...v.backing, initiatorPortId: 'IP23' } } : v));
  return t;
}

const VOLUMES = ['V11', 'V12', 'V21', 'R1', 'V22', 'R40'];

function run(t: Topology, cut?: string) {
  const steps: { step: string; elementId: string; relatedIds?: string[] }[] = [];
  const e = new Engine(t, { seed: 11, traceWorkloadWrites: true, stepBufferSize: 1, onStep: (s) => steps.push(s) });
  e.workloadsStopUs = 3_000_000;
  e.startWorkloads();
  if (cut) {
    e.runUntil(1_000_000);
    e.command({ type: 'cutCable', cableId: cut });
  }
  e.runUntil(3_000_000);
  e.runUntilSettled(60_000_000);
  const h = e.hostTotals()[0]!;
  const links = Object.fromEntries(e.snapshot().links.map((l) => [l.id, l.bytes]));
  return {
    e,
    steps,
    hashes: Object.fromEntries(VOLUMES.map((v) => [v, e.volumeHash(v)])),
    host: { acked: h.writesAcked, failed: h.writesFailed, p50: h.latency.quantileUs(0.5), p99: h.latency.quantileUs(0.99) },
    links,
    states: [...e.pairs.values()].map((p) => `${p.id} ${e.pairStatus(p).state}`),
  };
}

describe('FIG. 1 with CN4 and CN5 both on IP22 (fabric), as the patent draws it', () => {
  test('the file is valid as shipped, and IP22 carries two cables', () => {
    const t = patentFig1();
    expect(validateTopology(t).filter((p) => p.severity === 'error')).toEqual([]);
    expect(t.cables.filter((c) => c.aPortId === 'IP22' || c.bPortId === 'IP22').map((c) => c.id).sort()).toEqual(['CN4', 'CN5']);
  });

  test('converges exactly as the IP23 version: V11, the V12/V21 stack, V22 identical; R1 on system 40 written', () => {
    const fabric = run(patentFig1());
    const ip23 = run(ip23Fig1());
    expect(fabric.host.acked).toBeGreaterThan(1500);
    expect(fabric.host.failed).toBe(0);
    expect(fabric.states).toEqual(['pair-sync PAIR', 'pair-async PAIR']);
    for (const v of ['V12', 'V21', 'R1', 'V22', 'R40']) expect(fabric.hashes[v], v).toBe(fabric.hashes['V11']);
    // Same run as with the extra port: same bytes everywhere, same host latencies, same traffic on each cable.
    expect(fabric.hashes).toEqual(ip23.hashes);
    expect(fabric.host).toEqual(ip23.host);
    expect(fabric.links).toEqual(ip23.links);
    expect(fabric.links['CN5']).toBeGreaterThan(0);
    expect(fabric.links['CN4']).toBeGreaterThan(0);
    // The destage to R1 leaves from IP22 over CN5, and the journal records from IP22 over CN4.
    const destage = fabric.steps.find((s) => s.step === 'destage' && s.relatedIds?.includes('CN5'));
    expect(destage?.elementId).toBe('IP22');
    const s44 = fabric.steps.find((s) => s.step === 'S44');
    expect(s44?.elementId).toBe('IP22');
    expect(s44?.relatedIds).toContain('CN4');
  });

  test('each cable of IP22 is its own link: cutting CN5 leaves the async pair on CN4, cutting CN4 leaves R1 written over CN5', () => {
    // CN5 is IP22's first cable: a one-cable-per-port lookup would send the journal over it and suspend the pair.
    const cut5 = run(patentFig1(), 'CN5');
    expect(cut5.states).toEqual(['pair-sync PAIR', 'pair-async PAIR']);
    expect(cut5.hashes['V22']).toBe(cut5.hashes['V11']);
    const cut4 = run(patentFig1(), 'CN4');
    expect(cut4.states).toEqual(['pair-sync PAIR', 'pair-async PSUE']);
    // The external real volume keeps receiving V21's data over CN5 while the remote leg is down.
    expect(cut4.hashes['R40']).toBe(cut4.hashes['V11']);
    expect(cut4.hashes['V22']).not.toBe(cut4.hashes['V11']);
  });
});
