// A small three-site cascade (local -sync-> relay -async-> remote) with its numbers as parameters, for planning examples and tests.
import { FORMAT_VERSION, Topology, type TopologyInput } from '../model/schema';

export interface CascadeExampleOptions {
  hostCableKm?: number;
  hostCableMbps?: number;
  syncKm?: number;
  syncMbps?: number;
  syncRoundTrips?: 1 | 2;
  asyncKm?: number;
  asyncMbps?: number;
  writeIops?: number;
  blockBytes?: number;
  journalBytes?: number | null;
  volumeBytes?: number;
  /** Leave out the async leg (relay -> remote), or both legs. */
  pairs?: 'both' | 'sync-only' | 'none';
}

const wwn = (n: number): string => `50:06:0e:80:00:00:00:${n.toString(16).padStart(2, '0')}`;

/**
 * Host H1 at site L writes LU1 (V11 on R11, local system SL); pair P1 copies V11 synchronously to V12 on the relay SR
 * (reached through IP11 -> TP21, cable C-sync), and pair P2 copies V12 asynchronously to V31 on the remote SM (IP22 -> TP31, C-async).
 */
export function cascadeExample(o: CascadeExampleOptions = {}): Topology {
  const size = o.volumeBytes ?? 2 ** 30;
  const pairs = o.pairs ?? 'both';
  const doc: TopologyInput = {
    formatVersion: FORMAT_VERSION,
    name: 'planning cascade example',
    sites: [
      { id: 'L', name: 'local' },
      { id: 'R', name: 'relay' },
      { id: 'M', name: 'remote' },
    ],
    systems: [
      { id: 'SL', name: 'local', siteId: 'L', role: 'local' },
      { id: 'SR', name: 'relay', siteId: 'R', role: 'relay' },
      { id: 'SM', name: 'remote', siteId: 'M', role: 'remote' },
    ],
    hosts: [
      {
        id: 'H1',
        name: 'host',
        siteId: 'L',
        workloads: [{ id: 'W1', luId: 'LU1', iops: o.writeIops ?? 2000, blockBytes: o.blockBytes ?? 8192 }],
      },
    ],
    ports: [
      { id: 'HP1', name: 'host port', ownerId: 'H1', kind: 'initiator', wwn: wwn(1) },
      { id: 'TP11', name: 'TP11', ownerId: 'SL', kind: 'target', wwn: wwn(2) },
      { id: 'IP11', name: 'IP11', ownerId: 'SL', kind: 'initiator', wwn: wwn(3) },
      { id: 'TP21', name: 'TP21', ownerId: 'SR', kind: 'target', wwn: wwn(4) },
      { id: 'IP22', name: 'IP22', ownerId: 'SR', kind: 'initiator', wwn: wwn(5) },
      { id: 'TP31', name: 'TP31', ownerId: 'SM', kind: 'target', wwn: wwn(6) },
    ],
    cables: [
      { id: 'C-host', name: 'CN1', kind: 'fc', aPortId: 'HP1', bPortId: 'TP11', distanceKm: o.hostCableKm ?? 0.1, bandwidthMbps: o.hostCableMbps ?? 16000 },
      {
        id: 'C-sync',
        name: 'CN2',
        kind: 'fc',
        aPortId: 'IP11',
        bPortId: 'TP21',
        distanceKm: o.syncKm ?? 50,
        bandwidthMbps: o.syncMbps ?? 8000,
        roundTripsPerWrite: o.syncRoundTrips ?? 2,
      },
      { id: 'C-async', name: 'CN4', kind: 'ip', aPortId: 'IP22', bPortId: 'TP31', distanceKm: o.asyncKm ?? 800, bandwidthMbps: o.asyncMbps ?? 1000 },
    ],
    volumes: [
      { id: 'R11', name: 'R11', systemId: 'SL', kind: 'real', sizeBytes: size },
      { id: 'V11', name: 'V11', systemId: 'SL', kind: 'virtual', ranges: [{ lowerId: 'R11', startBytes: 0, lengthBytes: size }] },
      { id: 'R21', name: 'R21', systemId: 'SR', kind: 'real', sizeBytes: size },
      { id: 'V12', name: 'V12', systemId: 'SR', kind: 'virtual', ranges: [{ lowerId: 'R21', startBytes: 0, lengthBytes: size }] },
      { id: 'R31', name: 'R31', systemId: 'SM', kind: 'real', sizeBytes: size },
      { id: 'V31', name: 'V31', systemId: 'SM', kind: 'virtual', ranges: [{ lowerId: 'R31', startBytes: 0, lengthBytes: size }] },
    ],
    lus: [
      { id: 'LU1', name: 'LU1', portId: 'TP11', lun: 0, volumeId: 'V11', sizeBytes: size },
      { id: 'LU21', name: 'LU21', portId: 'TP21', lun: 0, volumeId: 'V12', sizeBytes: size },
      { id: 'LU31', name: 'LU31', portId: 'TP31', lun: 0, volumeId: 'V31', sizeBytes: size },
    ],
    pairs: [
      ...(pairs === 'none' ? [] : [{ id: 'P1', name: 'local-relay', primaryVolumeId: 'V11', secondaryVolumeId: 'V12', mode: 'sync' as const, fence: 'data' as const }]),
      ...(pairs === 'both'
        ? [
            {
              id: 'P2',
              name: 'relay-remote',
              primaryVolumeId: 'V12',
              secondaryVolumeId: 'V31',
              mode: 'async' as const,
              ...(o.journalBytes === null ? {} : { journalBytes: o.journalBytes ?? 2 ** 30 }),
            },
          ]
        : []),
    ],
  };
  return Topology.parse(doc);
}
