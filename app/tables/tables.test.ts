// Address translation through every embodiment's stack, volumesAbove, and FIG. 1's relay tables against the patent's FIG. 4/5.
import { describe, expect, it } from 'vitest';
import { loadBuiltIn } from '../../test/builtins';
import type { Topology } from '../model/schema';
import { buildTables, physicalExtents, sameBytes, tableToCsv, translate, TranslateError, translateUp, volumesAbove } from './index';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const chain = (hops: { elementId: string }[]) => hops.map((h) => h.elementId);

describe('translate through each embodiment', () => {
  it('FIG. 1: a write on the relay LU reaches R40 in system 40 through V12, R2, the loop LU, V21, R1 and LU40', () => {
    const t = loadBuiltIn('fig01-loop-cascade.relaylab.json');
    const hops = translate(t, 'LU21', 5 * MiB, 64 * 1024);
    expect(chain(hops)).toEqual(['LU21', 'V12', 'R2', 'LU22', 'V21', 'R1', 'LU40', 'R40']);
    expect(hops.at(-1)).toMatchObject({ systemId: 'sys40', offsetBytes: 5 * MiB, lengthBytes: 64 * 1024, kind: 'realVolume' });
    expect(hops.map((h) => h.systemId)).toEqual(['sys20', 'sys20', 'sys20', 'sys20', 'sys20', 'sys20', 'sys40', 'sys40']);
  });

  it('FIG. 7 and FIG. 9: without the loop the alias leads straight to V21', () => {
    for (const f of ['fig07-intercache-copy.relaylab.json', 'fig09-shared-cache.relaylab.json', 'fig13-switchable-port.relaylab.json']) {
      const t = loadBuiltIn(f);
      expect(chain(translate(t, 'LU21', 0, 4096))).toEqual(['LU21', 'V12', 'R2', 'V21', 'R1', 'LU40', 'R40']);
    }
  });

  it('FIG. 11: V12 lands on the internal R1a that V21 also maps', () => {
    const t = loadBuiltIn('fig11-internal-real-volume.relaylab.json');
    expect(chain(translate(t, 'LU21', 4096, 4096))).toEqual(['LU21', 'V12', 'R1a']);
    expect(volumesAbove(t, 'R1a')).toEqual(expect.arrayContaining(['V12', 'V21']));
  });

  it('FIG. 12: three virtual volumes share R1', () => {
    const t = loadBuiltIn('fig12-fan-out.relaylab.json');
    expect(chain(translate(t, 'V21b', 0, 4096))).toEqual(['V21b', 'R1', 'LU40', 'R40']);
    expect(volumesAbove(t, 'R1')).toEqual(expect.arrayContaining(['V12', 'V21a', 'V21b']));
  });

  it('FIG. 14: LU200 -> V200 -> LU102 -> V100 -> R100, landing in R100\'s middle GiB', () => {
    const t = loadBuiltIn('fig14-lu-layering.relaylab.json');
    const hops = translate(t, 'LU200', 100, 412);
    expect(chain(hops)).toEqual(['LU200', 'V200', 'LU102', 'V100', 'R100']);
    expect(hops.at(-1)).toMatchObject({ offsetBytes: 1 * GiB + 100, lengthBytes: 412 });
    expect(volumesAbove(t, 'R100')).toEqual(expect.arrayContaining(['V100', 'LU101', 'LU102', 'LU103', 'V200', 'LU200']));
  });

  it('FIG. 15: twin LUs LU102 and LU105 reach the same bytes of R100', () => {
    const t = loadBuiltIn('fig15-parallel-virtual-volumes.relaylab.json');
    const a = physicalExtents(t, 'LU102', 7, 9);
    const b = physicalExtents(t, 'LU105', 7, 9);
    expect(a).toEqual(b.map((h) => ({ ...h, depth: a[0]!.depth })));
    expect(a[0]).toMatchObject({ elementId: 'R100', offsetBytes: 1 * GiB + 7 });
    // What V12 receives is what V21 sends: both land on R100's first GiB.
    expect(physicalExtents(t, 'V12', 0, 4096)).toEqual(physicalExtents(t, 'V21', 0, 4096).map((h) => ({ ...h })));
  });

  it('FIG. 16: V12 and V21 meet on the same bytes of R100 through the overlapping LU101 and LU102', () => {
    const t = loadBuiltIn('fig16-shared-lu-area.relaylab.json');
    expect(chain(translate(t, 'LU21', 0, 4096))).toEqual(['LU21', 'V12', 'LU101', 'V100', 'R100']);
    expect(physicalExtents(t, 'V12', 8192, 4096)).toEqual(physicalExtents(t, 'V21', 8192, 4096));
  });

  it('splits a range that crosses the pieces of a virtual volume', () => {
    const t = loadBuiltIn('fig11-internal-real-volume.relaylab.json');
    const spliced: Topology = {
      ...t,
      volumes: [
        ...t.volumes,
        { id: 'Vs', name: 'Vs', systemId: 'sys20', kind: 'virtual', ranges: [
          { lowerId: 'R1a', startBytes: 0, lengthBytes: 1 * MiB, shared: true },
          { lowerId: 'R11x', startBytes: 4096, lengthBytes: 1 * MiB, shared: false },
        ] },
        { id: 'R11x', name: 'R11x', systemId: 'sys20', kind: 'real', sizeBytes: 8 * MiB, backing: { type: 'internal' } },
      ],
    };
    const hops = translate(spliced, 'Vs', 1 * MiB - 1000, 3000);
    expect(hops.map((h) => [h.elementId, h.offsetBytes, h.lengthBytes, h.depth])).toEqual([
      ['Vs', 1 * MiB - 1000, 3000, 0],
      ['R1a', 1 * MiB - 1000, 1000, 1],
      ['R11x', 4096, 2000, 1],
    ]);
  });

  it('refuses a range past the end and a mapping cycle, naming the element', () => {
    const t = loadBuiltIn('fig01-loop-cascade.relaylab.json');
    expect(() => translate(t, 'LU21', 1 * GiB - 10, 20)).toThrow(TranslateError);
    const looped: Topology = {
      ...t,
      volumes: t.volumes.map((v) => (v.id === 'V21' && v.kind === 'virtual' ? { ...v, ranges: [{ ...v.ranges[0]!, lowerId: 'R2' }] } : v)),
    };
    try {
      translate(looped, 'V12', 0, 512);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TranslateError);
      expect((e as TranslateError).reason).toBe('cycle');
    }
  });
});

describe('translateUp and sameBytes: who else sees the bytes', () => {
  const at = (hops: { elementId: string; offsetBytes: number; lengthBytes: number }[], id: string) =>
    hops.filter((h) => h.elementId === id).map((h) => [h.offsetBytes, h.lengthBytes]);

  it('FIG. 11: a write received into V12 is at the same offset of V21, through the shared R1a', () => {
    const t = loadBuiltIn('fig11-internal-real-volume.relaylab.json');
    expect(at(sameBytes(t, 'V12', 4096, 8192), 'V21')).toEqual([[4096, 8192]]);
  });

  it('FIG. 14: R100 bytes in the middle GiB go up through V100 and LU102 to V200, and not to LU101 or LU103', () => {
    const t = loadBuiltIn('fig14-lu-layering.relaylab.json');
    const up = translateUp(t, 'R100', 1 * GiB + 512, 1024);
    expect(chain(up)).toEqual(['R100', 'V100', 'LU102', 'V200', 'LU200']);
    expect(at(up, 'V200')).toEqual([[512, 1024]]);
  });

  it('cuts a range that straddles two LUs of FIG. 14 into the part each one covers', () => {
    const t = loadBuiltIn('fig14-lu-layering.relaylab.json');
    const up = translateUp(t, 'V100', 1 * GiB - 100, 300);
    expect(at(up, 'LU101')).toEqual([[1 * GiB - 100, 100]]);
    expect(at(up, 'LU102')).toEqual([[0, 200]]);
  });

  it('FIG. 15 and 16: what V12 receives is what V21 sends', () => {
    for (const f of ['fig15-parallel-virtual-volumes.relaylab.json', 'fig16-shared-lu-area.relaylab.json']) {
      const t = loadBuiltIn(f);
      expect(at(sameBytes(t, 'V12', 12345, 678), 'V21')).toEqual([[12345, 678]]);
    }
  });

  it('FIG. 1: from system 40\'s R40 up through R1, V21, the loop LU22 and R2 to V12 and its LU', () => {
    const t = loadBuiltIn('fig01-loop-cascade.relaylab.json');
    expect(chain(translateUp(t, 'R40', 0, 512))).toEqual(['R40', 'LU40', 'R1', 'V21', 'LU22', 'R2', 'V12', 'LU21']);
  });
});

describe('FIG. 1 relay tables in the shape of FIG. 4 and FIG. 5', () => {
  const t = loadBuiltIn('fig01-loop-cascade.relaylab.json');
  const tables = buildTables(t, 'sys20');

  it('T1 maps each virtual volume to its real volume address, size and multiple-virtualization flag', () => {
    expect(tables.t1).toEqual([
      { vNumber: 0, virtualVolumeId: 'V21', realVolumeId: 'R1', realStartBytes: 0, virtualStartBytes: 0, sizeBytes: GiB, multipleVirtualization: false },
      { vNumber: 1, virtualVolumeId: 'V12', realVolumeId: 'R2', realStartBytes: 0, virtualStartBytes: 0, sizeBytes: GiB, multipleVirtualization: false },
    ]);
  });

  it('T2 and T3 give each LU its virtual volume, start address and size', () => {
    expect(tables.t2).toEqual(expect.arrayContaining([
      { luNumber: 0, luId: 'LU21', portId: 'TP21', vNumber: 1, volumeId: 'V12', startBytes: 0, sizeBytes: GiB },
      { luNumber: 0, luId: 'LU22', portId: 'TP22', vNumber: 0, volumeId: 'V21', startBytes: 0, sizeBytes: GiB },
    ]));
    expect(tables.t3.map((r) => [r.luId, r.vNumber])).toEqual(tables.t2.map((r) => [r.luId, r.vNumber]));
  });

  it('T4 converts V12 to R2 through the loop path (WWN of TP22, LU#0) and V21 to R1 through system 40, in 512-byte LBAs', () => {
    const wwnOf = (id: string) => t.ports.find((p) => p.id === id)!.wwn;
    expect(tables.t4).toEqual(expect.arrayContaining([
      expect.objectContaining({ virtualVolumeId: 'V12', lowerVolumeId: 'R2', wwn: wwnOf('TP22'), lun: 0, startLba: 0, maxLba: GiB / 512 - 1, attribute: 'virtual-real' }),
      expect.objectContaining({ virtualVolumeId: 'V21', lowerVolumeId: 'R1', wwn: wwnOf('TP41'), lun: 0, attribute: 'external-real' }),
      expect.objectContaining({ virtualVolumeId: 'V21', lowerVolumeId: 'V22', wwn: wwnOf('TP31'), attribute: 'copy-destination', pairId: 'pair-async' }),
    ]));
  });

  it('flags multiple virtualization when three virtual volumes share R1 (FIG. 12)', () => {
    const fan = buildTables(loadBuiltIn('fig12-fan-out.relaylab.json'), 'sys20');
    expect(fan.t1.map((r) => r.multipleVirtualization)).toEqual([true, true, true]);
  });

  it('exports rows as CSV with a header', () => {
    const csv = tableToCsv(tables.t4);
    expect(csv.split('\n')[0]).toContain('vNumber,virtualVolumeId,lowerVolumeId,wwn,lun');
    expect(csv.trim().split('\n')).toHaveLength(tables.t4.length + 1);
  });
});
