// Builds a topology from what an array configuration says (systems, volumes, pairs), filling what it does not say with stated defaults and a warning each.
import type { Problem } from '../model/problem';
import { FORMAT_VERSION, Id, Topology } from '../model/schema';
import type { Cable, FenceLevel, Lu, Pair, PairMode, Port, StorageSystem, TopologyInput, Volume } from '../model/schema';
import { MAX_IMPORT_ELEMENTS } from './types';

/** The defaults an import states (README "Import"): what CCI and DRBD files do not carry. */
export const IMPORT_DEFAULTS = {
  volumeBytes: 4 * 1024 ** 3,
  journalBytes: 1024 ** 3,
  syncDistanceKm: 10,
  asyncDistanceKm: 100,
  syncBandwidthMbps: 16000,
  asyncBandwidthMbps: 10000,
} as const;

export interface ImportedSystem {
  /** Identity in the source (serial number, DRBD host name). */
  key: string;
  /** A preferred id (from a RelayLab comment or a host name); used when it is a valid, unused id. */
  id?: string;
  name: string;
  serialNumber?: number;
  role?: string;
  site?: { id?: string; name: string };
}
export interface ImportedVolume {
  key: string;
  systemKey: string;
  id?: string;
  name: string;
  ldevId?: number;
  sizeBytes?: number;
}
export interface ImportedPair {
  id?: string;
  name: string;
  primaryKey: string;
  secondaryKey: string;
  mode: PairMode;
  fence: FenceLevel;
  consistencyGroup?: string;
  copyPace?: number;
  initially?: Pair['initially'];
  /** A delta-resync standby pair (CCI paircreate -nocsus): it waits in HOLD until the relay is lost. */
  standby?: boolean;
}
export interface ImportedDesign {
  name: string;
  description: string;
  systems: ImportedSystem[];
  volumes: ImportedVolume[];
  pairs: ImportedPair[];
  /** What the source format cannot say, in its own words (added to the warnings). */
  notes?: string[];
}

/** Makes any text an id: allowed characters only, at most 100 long, never empty or reserved. */
export function toId(text: string, fallback: string): string {
  const id = text.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  return id && id !== '__proto__' && Id.safeParse(id).success ? id : fallback;
}

class IdAllocator {
  private readonly used = new Set<string>();
  take(preferred: string | undefined, fallback: string): string {
    const base = preferred && Id.safeParse(preferred).success ? preferred : toId(fallback, 'x');
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base.slice(0, 100)}-${n}`;
    this.used.add(id);
    return id;
  }
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const wwnOf = (n: number) => {
  const h = hex8(n);
  return `50:06:0e:80:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}`;
};

/**
 * The topology of an imported design: a site per system (unless the source names one), real volumes, and for every pair
 * an initiator port on the primary's system, a target port on the secondary's, a cable between them and an LU exposing
 * the secondary volume, so that validation finds each pair's route. Layout is left empty for the caller's auto-layout.
 */
export function buildTopology(design: ImportedDesign): { topology: Topology; warnings: Problem[] } {
  const ids = new IdAllocator();
  const warnings: Problem[] = [];
  const warn = (code: string, message: string, path: (string | number)[], elementId?: string) =>
    warnings.push({ severity: 'warning', code, message, path, ...(elementId ? { elementId } : {}) });
  for (const note of design.notes ?? []) warn('import-not-mapped', note, []);

  const sites: TopologyInput['sites'] = [];
  const siteIdByKey = new Map<string, string>();
  const systems: StorageSystem[] = [];
  const systemIdByKey = new Map<string, string>();
  for (const s of design.systems.slice(0, MAX_IMPORT_ELEMENTS)) {
    if (systemIdByKey.has(s.key)) continue;
    const siteKey = s.site ? `site:${s.site.id ?? s.site.name}` : `own:${s.key}`;
    let siteId = siteIdByKey.get(siteKey);
    if (!siteId) {
      siteId = ids.take(s.site?.id, `site-${s.id ?? s.key}`);
      siteIdByKey.set(siteKey, siteId);
      sites.push({ id: siteId, name: s.site?.name ?? `Site of ${s.name}`.slice(0, 200), xKm: sites.length * 100, yKm: 0 });
    }
    const id = ids.take(s.id, `sys-${s.key}`);
    systemIdByKey.set(s.key, id);
    systems.push({
      id,
      name: s.name.slice(0, 200),
      siteId,
      role: (s.role ?? '').slice(0, 100),
      trackBytes: 262144,
      chaProcessingUs: 50,
      destageUsPerTrack: 500,
      ...(s.serialNumber !== undefined ? { serialNumber: s.serialNumber } : {}),
    });
  }
  if (design.systems.length && !design.systems.some((s) => s.site))
    warn('import-default', 'the source does not say where the systems are: each got a site of its own; move them onto shared sites if they share one', ['sites']);

  const volumes: Volume[] = [];
  const volumeIdByKey = new Map<string, string>();
  const sizeUnknown: string[] = [];
  for (const v of design.volumes.slice(0, MAX_IMPORT_ELEMENTS)) {
    const systemId = systemIdByKey.get(v.systemKey);
    if (!systemId || volumeIdByKey.has(v.key)) continue;
    const id = ids.take(v.id, `vol-${v.key}`);
    volumeIdByKey.set(v.key, id);
    if (v.sizeBytes === undefined) sizeUnknown.push(id);
    volumes.push({
      id,
      name: v.name.slice(0, 200),
      systemId,
      kind: 'real',
      sizeBytes: v.sizeBytes ?? IMPORT_DEFAULTS.volumeBytes,
      backing: { type: 'internal' },
      ...(v.ldevId !== undefined ? { ldevId: v.ldevId } : {}),
    });
  }
  if (sizeUnknown.length)
    warn(
      'import-default',
      `the source does not give volume sizes: ${sizeUnknown.length} volume(s) set to ${IMPORT_DEFAULTS.volumeBytes / 1024 ** 3} GiB (${sizeUnknown.slice(0, 8).join(', ')}${sizeUnknown.length > 8 ? ', ...' : ''})`,
      ['volumes'],
      sizeUnknown[0],
    );

  const ports: Port[] = [];
  const cables: Cable[] = [];
  const lus: Lu[] = [];
  const pairs: Pair[] = [];
  const exposed = new Set<string>();
  const linkBySystems = new Map<string, { initiator: Port; target: Port; cable: Cable; nextLun: number }>();
  const portNames = new Map<string, number>();
  const newPort = (ownerId: string, kind: 'initiator' | 'target'): Port => {
    const prefix = kind === 'initiator' ? 'IP' : 'TP';
    const n = (portNames.get(`${ownerId}/${prefix}`) ?? 0) + 1;
    portNames.set(`${ownerId}/${prefix}`, n);
    const port: Port = { id: ids.take(undefined, `${ownerId}-${prefix}${n}`), name: `${prefix}${n}`, ownerId, kind, wwn: wwnOf(ports.length + 1) };
    ports.push(port);
    return port;
  };
  const volumeSystem = new Map(volumes.map((v) => [v.id, v.systemId]));
  const sizeOf = new Map(volumes.map((v) => [v.id, v.kind === 'real' ? v.sizeBytes : IMPORT_DEFAULTS.volumeBytes]));
  for (const p of design.pairs.slice(0, MAX_IMPORT_ELEMENTS)) {
    const primaryVolumeId = volumeIdByKey.get(p.primaryKey);
    const secondaryVolumeId = volumeIdByKey.get(p.secondaryKey);
    if (!primaryVolumeId || !secondaryVolumeId || primaryVolumeId === secondaryVolumeId) continue;
    const from = volumeSystem.get(primaryVolumeId)!;
    const to = volumeSystem.get(secondaryVolumeId)!;
    const id = ids.take(p.id, p.name || `pair-${pairs.length + 1}`);
    if (from !== to) {
      let link = linkBySystems.get(`${from}>${to}`);
      if (!link) {
        const initiator = newPort(from, 'initiator');
        const target = newPort(to, 'target');
        const sync = p.mode === 'sync';
        const cable: Cable = {
          id: ids.take(undefined, `CN-${from}-${to}`),
          name: `CN${cables.length + 1}`,
          kind: sync ? 'fc' : 'ip',
          aPortId: initiator.id,
          bPortId: target.id,
          distanceKm: sync ? IMPORT_DEFAULTS.syncDistanceKm : IMPORT_DEFAULTS.asyncDistanceKm,
          bandwidthMbps: sync ? IMPORT_DEFAULTS.syncBandwidthMbps : IMPORT_DEFAULTS.asyncBandwidthMbps,
          roundTripsPerWrite: 2,
        };
        cables.push(cable);
        warn(
          'import-default',
          `distance and bandwidth of the link ${from} -> ${to} are not in the source: set to ${cable.distanceKm} km and ${cable.bandwidthMbps / 1000} Gbit/s (${sync ? 'synchronous' : 'asynchronous'} defaults)`,
          ['cables', cables.length - 1],
          cable.id,
        );
        link = { initiator, target, cable, nextLun: 0 };
        linkBySystems.set(`${from}>${to}`, link);
      }
      if (link.nextLun <= 16383 && !exposed.has(`${link.target.id}/${secondaryVolumeId}`)) {
        exposed.add(`${link.target.id}/${secondaryVolumeId}`);
        // A volume reached over two paths (a cascade's secondary that is also a delta-resync standby's) gets an LU on
        // each target port; they cover the same area, so both are marked shared.
        const alsoOn = lus.filter((l) => l.volumeId === secondaryVolumeId);
        for (const l of alsoOn) l.shared = true;
        lus.push({
          id: ids.take(undefined, `LU-${secondaryVolumeId}`),
          name: `LU${lus.length + 1}`,
          portId: link.target.id,
          lun: link.nextLun++,
          volumeId: secondaryVolumeId,
          startBytes: 0,
          sizeBytes: sizeOf.get(secondaryVolumeId) ?? IMPORT_DEFAULTS.volumeBytes,
          shared: alsoOn.length > 0,
        });
      }
    }
    const pair: Pair = {
      id,
      name: p.name.slice(0, 200),
      primaryVolumeId,
      secondaryVolumeId,
      inflowControl: true,
      standby: p.standby ?? false,
      mode: p.mode,
      fence: p.mode === 'sync' ? p.fence : 'never',
      copyPace: p.copyPace ?? 15,
      autoResync: false,
      initially: p.initially ?? 'create',
      ...(p.consistencyGroup ? { consistencyGroup: p.consistencyGroup.slice(0, 100) } : {}),
    };
    if (p.mode === 'async') {
      pair.journalBytes = IMPORT_DEFAULTS.journalBytes;
      warn('import-default', `the journal size of ${id} is not in the source: set to 1 GiB; size it as (host write rate - link rate) x the outage to ride out`, ['pairs', pairs.length, 'journalBytes'], id);
    }
    pairs.push(pair);
  }
  warn('import-default', 'caches and hosts are not in the source: add the caches and the host workloads the design needs', ['caches']);

  const topology = Topology.parse({
    formatVersion: FORMAT_VERSION,
    name: design.name.slice(0, 200),
    description: design.description.slice(0, 5000),
    sites,
    systems,
    ports,
    cables,
    volumes,
    lus,
    pairs,
  });
  return { topology, warnings };
}
