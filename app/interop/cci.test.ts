// CCI export and import: the files CCI reads, the paircreate order of a 3DC cascade, and every built-in topology round-tripped.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuiltIns } from '../../test/builtins';
import type { Topology } from '../model/schema';
import { validateTopology } from '../validate/index';
import { exportCci, importCci } from './cci';
import { ldevIds, serialNumbers } from './identifiers';

const builtIns = loadBuiltIns();
const fig1 = builtIns.find((b) => b.file === 'fig01-loop-cascade.relaylab.json')!.topology;

/** A pair as the round trip compares it: by the volumes' (serial, LDEV), mode, fence and consistency group. */
function pairSignature(t: Topology): string[] {
  const serials = serialNumbers(t);
  const ldevs = ldevIds(t);
  const sys = new Map(t.volumes.map((v) => [v.id, v.systemId]));
  const where = (v: string) => `${serials.get(sys.get(v)!)}:${ldevs.get(v)}`;
  return t.pairs.map((p) => `${where(p.primaryVolumeId)} -> ${where(p.secondaryVolumeId)} ${p.mode} ${p.mode === 'sync' ? p.fence : '-'} ${p.consistencyGroup ?? '-'}`).sort();
}

describe('CCI export', () => {
  it('writes one horcmN.conf per storage system with pairs and a pairs.sh', () => {
    const { files } = exportCci(fig1);
    expect(Object.keys(files).sort()).toEqual(['horcm0.conf', 'horcm1.conf', 'horcm2.conf', 'pairs.sh']);
    const relay = files['horcm0.conf']!;
    for (const section of ['HORCM_MON', 'HORCM_CMD', 'HORCM_LDEV', 'HORCM_INST']) expect(relay).toMatch(new RegExp(`^${section}$`, 'm'));
    // The relay (sys20, first in the file: instance 0): V12 is the S-VOL of the TrueCopy leg (MU# 0), V21 the P-VOL of the UR leg.
    expect(relay).toMatch(/^pair-sync\tpair-sync\t410001	01:03	0	# volume V12, S-VOL of pair-sync$/m);
    expect(relay).toMatch(/^cg1	pair-async	410001	01:01	h0	# volume V21, P-VOL of pair-async$/m);
    expect(relay).toMatch(/^HORCM_INST\n#.*\npair-sync\tcci-sys10\t11001\t/m);
  });

  it('creates the cascade sync leg (fence data) before its async leg (journals, CTG), waits for PAIR, then checks', () => {
    const sh = exportCci(fig1).files['pairs.sh']!;
    const sync = sh.indexOf('paircreate -g pair-sync -vl -f data -c 15 -I1');
    const wait = sh.indexOf('pairevtwait -g pair-sync -s pair');
    const async = sh.indexOf('paircreate -g cg1 -vl -f async 0 -jp 0 -js 0 -c 15 -I0');
    expect(sync).toBeGreaterThan(0);
    expect(wait).toBeGreaterThan(sync);
    expect(async).toBeGreaterThan(wait);
    expect(sh).toContain('pairdisplay -g cg1 -fcx -I0');
    // The patent's relay is two volumes (V12, V21) on one real volume; a Hitachi cascade forwards from one LDEV: said.
    expect(sh).toMatch(/# NOTE: relay sys20: pair-sync writes V12 and pair-async sends from V21, .* create pair-async from V12's LDEV \(01:03\)/);
    expect(sh).toMatch(/#\s+pair-sync ".*": V11 on sys10 -> V12 on sys20/);
  });

  it('uses the serial numbers and LDEV ids the file gives', () => {
    const t = structuredClone(fig1);
    t.systems.find((s) => s.id === 'sys20')!.serialNumber = 512345;
    (t.volumes.find((v) => v.id === 'V12') as { ldevId?: number }).ldevId = 0x2a10;
    expect(exportCci(t).files['horcm0.conf']).toMatch(/^pair-sync\tpair-sync\t512345\t2A:10\t0\t/m);
  });

  it('warns when two systems share a serial number or two volumes an LDEV', () => {
    const t = structuredClone(fig1);
    for (const id of ['sys10', 'sys20']) t.systems.find((s) => s.id === id)!.serialNumber = 410001;
    for (const id of ['V12', 'V21']) (t.volumes.find((v) => v.id === id) as { ldevId?: number }).ldevId = 0x101;
    const notes = exportCci(t).notes.join('\n');
    expect(notes).toMatch(/sys20 and sys10 both have Serial# 410001/);
    expect(notes).toMatch(/V21 and V12 both have LDEV 01:01 in sys20/);
  });

  it('emits a delta-resync standby pair with -nocsus, after the others and without waiting for PAIR', () => {
    const t = structuredClone(fig1);
    t.pairs.push({ ...t.pairs[1]!, id: 'pair-delta', name: 'Delta', primaryVolumeId: 'V11', consistencyGroup: 'cg-delta', standby: true } as never);
    const sh = exportCci(t).files['pairs.sh']!;
    expect(sh).toMatch(/paircreate -g cg-delta -vl -f async 1 -jp \d -js \d -c 15 -nocsus -I1\n\n/);
    expect(sh.indexOf('-nocsus')).toBeGreaterThan(sh.indexOf('paircreate -g cg1'));
  });
});

describe('CCI round trip: every built-in topology exported and imported back has the same pairs', () => {
  for (const { file, topology } of builtIns) {
    it(file, () => {
      const r = importCci(exportCci(topology).files);
      if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
      expect(pairSignature(r.topology)).toEqual(pairSignature(topology));
      // The RelayLab comments carry the ids: the same pair ids, volume ids and system ids come back.
      expect(r.topology.pairs.map((p) => [p.id, p.primaryVolumeId, p.secondaryVolumeId]).sort()).toEqual(topology.pairs.map((p) => [p.id, p.primaryVolumeId, p.secondaryVolumeId]).sort());
      // It is a design that loads without errors; what CCI does not say comes back as warnings.
      expect(validateTopology(r.topology).filter((p) => p.severity === 'error')).toEqual([]);
      expect(r.warnings.some((w) => w.code === 'import-default' && /distance and bandwidth/.test(w.message))).toBe(true);
    });
  }

  it('without the RelayLab comments (hand-written files), the pairs still match by Serial# and LDEV', () => {
    const files = Object.fromEntries(Object.entries(exportCci(fig1).files).map(([n, text]) => [n, text.replace(/#.*$/gm, '')]));
    const r = importCci(files);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    expect(pairSignature(r.topology)).toEqual(pairSignature(fig1));
  });
});

describe('CCI import', () => {
  const conf = (inst: number, serial: number, peer: number, lines: string) =>
    `HORCM_MON\nlocalhost ${11000 + inst} 1000 3000\nHORCM_CMD\n\\\\.\\CMD-${serial}:/dev/sd\nHORCM_LDEV\n${lines}\nHORCM_INST\ng1 host${peer} ${11000 + peer}\n`;

  it('reads pairdisplay -fcx output instead of a pairs.sh', () => {
    const display = [
      'Group   PairVol(L/R) (Port#,TID, LU-M) ,Seq#,LDEV#.P/S,Status,Fence,   %,P-LDEV# M CTG JID AP EM       E-Seq# E-LDEV# R/W',
      'oradb   oradev1(L)   (CL1-A-0, 0, 0-0 )412345   120.P-VOL PAIR DATA  ,100   121 -   -   -  -  -            -       -  -/-',
      'oradb   oradev1(R)   (CL1-B-0, 0, 0-0 )412346   121.S-VOL PAIR DATA  ,100   120 -   -   -  -  -            -       -  -/-',
      'urgrp   urdev1(L)    (CL1-B-0, 0, 1-h1)412346   130.P-VOL PAIR ASYNC ,100   140 -   3   1  -  -            -       -  -/-',
      'urgrp   urdev1(R)    (CL1-C-0, 0, 1-h1)412347   140.S-VOL PAIR ASYNC ,100   130 -   3   2  -  -            -       -  -/-',
    ].join('\n');
    const r = importCci({ 'pairdisplay.txt': display });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    expect(r.topology.pairs.map((p) => [p.id, p.mode, p.fence, p.consistencyGroup ?? '-'])).toEqual([
      ['oradev1', 'sync', 'data', '-'],
      ['urdev1', 'async', 'never', 'urgrp'],
    ]);
    expect(r.topology.systems.map((s) => s.serialNumber)).toEqual([412345, 412346, 412347]);
    expect(r.topology.volumes.find((v) => v.id.includes('412345'))?.ldevId).toBe(0x120);
  });

  it('reads HORCM_DEV files (port, target ID, LU#), the array told by the command device', () => {
    const dev = (cmd: string, port: string, peer: string) =>
      `HORCM_MON\n#ip_address service poll(10ms) timeout(10ms)\nHST1 horcm 1000 3000\n\nHORCM_CMD\n${cmd}\n\nHORCM_DEV\n#dev_group dev_name port# TargetID LU# MU#\nOradb oradev1 ${port} 3 1\nOradb oradev2 ${port} 3 2\n\nHORCM_INST\nOradb ${peer} horcm\n`;
    const r = importCci({
      'horcm0.conf': dev('\\\\.\\CMD-30095-250-CL1-A', 'CL1-R', 'HST2'),
      'horcm1.conf': dev('/dev/rdsk/c0t0d0', 'CL2-R', 'HST1'),
      'pairs.sh': 'paircreate -g Oradb -vl -f never -I0\n',
    });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    expect(r.topology.systems.map((s) => [s.name, s.serialNumber])).toEqual([['Serial# 30095', 30095], ['Array of instance 1', undefined]]);
    expect(r.topology.pairs.map((p) => [p.id, p.mode, p.fence])).toEqual([['oradev1', 'sync', 'never'], ['oradev2', 'sync', 'never']]);
    expect(r.topology.volumes.map((v) => v.name)).toEqual(['CL1-R-3-1 (oradev1)', 'CL1-R-3-2 (oradev2)', 'CL2-R-3-1 (oradev1)', 'CL2-R-3-2 (oradev2)']);
    expect(r.warnings.some((w) => /2 HORCM_DEV line\(s\)|4 HORCM_DEV line\(s\)/.test(w.message))).toBe(true);
    const bad = importCci({ 'horcm0.conf': 'HORCM_DEV\nOradb oradev1 PORT9 3 1\n', 'pairs.sh': 'paircreate -g Oradb -vl -f data -I0' });
    expect(!bad.ok && bad.errors[0]!.message).toMatch(/^horcm0\.conf:2: a port like CL1-A/);
  });

  it('a paircreate with -vr makes the peer the primary', () => {
    const r = importCci({
      'horcm0.conf': conf(0, 400001, 1, 'g1 d1 400001 01:00 0'),
      'horcm1.conf': conf(1, 400002, 0, 'g1 d1 400002 02:00 0'),
      'pairs.sh': 'paircreate -g g1 -vr -f status -I0\n',
    });
    if (!r.ok) throw new Error(r.errors[0]!.message);
    const [p] = r.topology.pairs;
    expect(r.topology.volumes.find((v) => v.id === p!.primaryVolumeId)?.ldevId).toBe(0x200);
    expect(p!.fence).toBe('status');
  });

  it('says where bad input is: file, line and what was expected', () => {
    const bad = importCci({ 'horcm0.conf': conf(0, 400001, 1, 'g1 d1 400001 ZZ:00 0'), 'pairs.sh': 'paircreate -g g1 -vl -f data -I0' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors[0]!.message).toMatch(/^horcm0\.conf:6: an LDEV number/);
    const noFence = importCci({ 'horcm0.conf': conf(0, 1, 1, 'g1 d1 1 0 0'), 'horcm1.conf': conf(1, 2, 0, 'g1 d1 2 0 0'), 'pairs.sh': '\n\npaircreate -g g1 -vl -I0\n' });
    expect(!noFence.ok && noFence.errors[0]!.message).toMatch(/^pairs\.sh:3: paircreate with -f data\|status\|never/);
    const unknownGroup = importCci({ 'horcm0.conf': conf(0, 1, 1, 'g1 d1 1 0 0'), 'pairs.sh': 'paircreate -g nope -vl -f data -I0\n' });
    expect(!unknownGroup.ok && unknownGroup.errors[0]!.message).toMatch(/^pairs\.sh:1: group "nope"/);
  });
});
