// The patent's mapping tables of one storage system (FIG. 4, FIG. 5): T1 V/R, T2 LU/V, T3 LU#->V#, T4 address conversion, as plain rows.
import type { Topology, Volume } from '../model/schema';
import { indexTopology, sizeBytesOf } from '../model/index-topology';
import { pairRoute } from '../model/paths';

export { translate, translateUp, sameBytes, physicalExtents, volumesAbove, directlyAbove, TranslateError } from './translate';
export type { TranslateHop } from './translate';

/** LBAs are counted in 512-byte blocks. */
export const BLOCK_BYTES = 512;

/** T1 (V/R table): one row per mapped piece of a virtual volume. */
export interface T1Row {
  /** V#: the virtual volume's number within its system (document order). */
  vNumber: number;
  virtualVolumeId: string;
  /** The lower ("real") volume or LU the piece lies on; a virtual real volume counts as real here (R2). */
  realVolumeId: string;
  /** Real volume address: where the piece starts in the lower volume. */
  realStartBytes: number;
  /** Virtual volume address: where the piece starts in the virtual volume, and its size. */
  virtualStartBytes: number;
  sizeBytes: number;
  /** Multiple virtualization decision information: another virtual volume is also allocated on this lower volume. */
  multipleVirtualization: boolean;
}

/** T2 (LU/V table): one row per LU of the system. */
export interface T2Row {
  /** LU#: the LUN on its port. */
  luNumber: number;
  luId: string;
  portId: string;
  vNumber: number | null;
  volumeId: string;
  startBytes: number;
  sizeBytes: number;
}

/** T3 (LU#->V# conversion table). */
export interface T3Row {
  luNumber: number;
  luId: string;
  portId: string;
  vNumber: number | null;
  volumeId: string;
}

export type VolumeAttribute = 'internal-real' | 'external-real' | 'virtual-real' | 'virtual' | 'lu' | 'copy-destination';

/** T4 (address conversion table): where each virtual volume's addresses go, by path (WWN#/LU#) and LBA range. */
export interface T4Row {
  vNumber: number;
  virtualVolumeId: string;
  /** The lower volume (or, for a copy destination, the pair's secondary volume). */
  lowerVolumeId: string;
  /** Path to the lower volume: the target port's WWN and LUN, when it is reached through a port; null inside the system. */
  wwn: string | null;
  lun: number | null;
  /** Path's LU id, when there is one. */
  luId: string | null;
  startLba: number;
  maxLba: number;
  attribute: VolumeAttribute;
  /** For a copy destination: the pair. */
  pairId?: string;
}

export interface SystemTables {
  systemId: string;
  t1: T1Row[];
  t2: T2Row[];
  t3: T3Row[];
  t4: T4Row[];
}

function attributeOf(v: Volume | undefined, isLu: boolean): VolumeAttribute {
  if (isLu) return 'lu';
  if (!v) return 'virtual';
  if (v.kind === 'real') return v.backing.type === 'external' ? 'external-real' : 'internal-real';
  return v.kind === 'virtualReal' ? 'virtual-real' : 'virtual';
}

/**
 * Tables T1-T4 of one system. V# numbers the system's virtual volumes in document order;
 * LU# is the LUN on its port (so T2/T3 also carry the port). T4 gives, per piece of each virtual
 * volume, the path and LBA range of the lower volume, plus one 'copy-destination' row per pair
 * whose primary is in this system (the conversion the IP uses at S43/S55).
 */
export function buildTables(t: Topology, systemId: string): SystemTables {
  const ix = indexTopology(t);
  const volumes = ix.volumesBySystem.get(systemId) ?? [];
  const virtuals = volumes.filter((v) => v.kind === 'virtual');
  const vNumber = new Map<string, number>(virtuals.map((v, i) => [v.id, i]));

  const t1: T1Row[] = [];
  const t4: T4Row[] = [];
  for (const v of virtuals) {
    let virtualStart = 0;
    for (const r of v.ranges) {
      const sharers = (ix.upperByLower.get(r.lowerId) ?? []).filter((u) => u.id !== v.id);
      t1.push({
        vNumber: vNumber.get(v.id)!,
        virtualVolumeId: v.id,
        realVolumeId: r.lowerId,
        realStartBytes: r.startBytes,
        virtualStartBytes: virtualStart,
        sizeBytes: r.lengthBytes,
        multipleVirtualization: sharers.length > 0,
      });
      const lower = ix.volumes.get(r.lowerId);
      const lowerLu = ix.lus.get(r.lowerId);
      // The path (WWN#/LU#) to the lower volume: its loop LU, its external LU, or the LU itself.
      const pathLuId = lowerLu
        ? lowerLu.id
        : lower?.kind === 'virtualReal'
          ? (lower.path?.luId ?? null)
          : lower?.kind === 'real' && lower.backing.type === 'external'
            ? lower.backing.luId
            : null;
      const pathLu = pathLuId ? ix.lus.get(pathLuId) : undefined;
      t4.push({
        vNumber: vNumber.get(v.id)!,
        virtualVolumeId: v.id,
        lowerVolumeId: r.lowerId,
        wwn: pathLu ? (ix.ports.get(pathLu.portId)?.wwn ?? null) : null,
        lun: pathLu ? pathLu.lun : null,
        luId: pathLuId,
        startLba: Math.floor(r.startBytes / BLOCK_BYTES),
        maxLba: Math.ceil((r.startBytes + r.lengthBytes) / BLOCK_BYTES) - 1,
        attribute: attributeOf(lower, lowerLu !== undefined),
      });
      virtualStart += r.lengthBytes;
    }
  }
  for (const pair of t.pairs) {
    const primary = ix.volumes.get(pair.primaryVolumeId);
    if (primary?.systemId !== systemId) continue;
    const route = pairRoute(t, pair.id);
    const lu = route ? ix.lus.get(route.luId) : undefined;
    const size = sizeBytesOf(t, pair.secondaryVolumeId) ?? 0;
    const start = lu?.startBytes ?? 0;
    t4.push({
      vNumber: vNumber.get(primary.id) ?? -1,
      virtualVolumeId: primary.id,
      lowerVolumeId: pair.secondaryVolumeId,
      wwn: lu ? (ix.ports.get(lu.portId)?.wwn ?? null) : null,
      lun: lu ? lu.lun : null,
      luId: lu?.id ?? null,
      startLba: Math.floor(start / BLOCK_BYTES),
      maxLba: Math.max(0, Math.ceil((start + (lu?.sizeBytes ?? size)) / BLOCK_BYTES) - 1),
      attribute: 'copy-destination',
      pairId: pair.id,
    });
  }

  const t2: T2Row[] = [];
  const t3: T3Row[] = [];
  for (const port of ix.portsByOwner.get(systemId) ?? []) {
    for (const lu of ix.lusByPort.get(port.id) ?? []) {
      const vn = vNumber.get(lu.volumeId) ?? null;
      t2.push({ luNumber: lu.lun, luId: lu.id, portId: port.id, vNumber: vn, volumeId: lu.volumeId, startBytes: lu.startBytes, sizeBytes: lu.sizeBytes });
      t3.push({ luNumber: lu.lun, luId: lu.id, portId: port.id, vNumber: vn, volumeId: lu.volumeId });
    }
  }
  return { systemId, t1, t2, t3, t4 };
}

/** Rows of any table as CSV (header: every key of any row, in first-seen order; null becomes empty). */
export function tableToCsv(rows: readonly object[]): string {
  if (rows.length === 0) return '';
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [keys.join(','), ...rows.map((r) => keys.map((k) => cell((r as Record<string, unknown>)[k])).join(','))].join('\n') + '\n';
}
