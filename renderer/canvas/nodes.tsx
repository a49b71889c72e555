// The canvas node components, one per canvas kind; each subscribes to its own element in the store (memoised, defined once).
import { memo, useMemo } from 'react';
import { Handle, NodeResizer, Position } from '@xyflow/react';
import type { NodeProps, NodeTypes } from '@xyflow/react';
import { indexTopology } from '../../app/model/index-topology';
import type { Topology } from '../../app/model/schema';
import { documentStore, useDoc } from '../store/document';
import { resizeNode } from '../store/actions';
import { Icon } from '../ui/icons';
import type { IconName } from '../ui/icons';
import { formatBytes, sizeOf } from '../lib/topo';
import type { DesignerNode } from './derive';
import { HANDLE, portFacesRight } from './derive';
import { problemsOf } from '../ui/problems';
import { FabricGlyph } from './fabric-mark';
import { LiveCacheFill, LiveVolumeBadges } from '../live/canvas';

type P = NodeProps<DesignerNode>;

/** One element of the document; the node re-renders only when that element object changes (edits replace only what they touch). */
const useElement = <K extends 'sites' | 'systems' | 'hosts' | 'ports' | 'volumes' | 'lus' | 'caches'>(kind: K, id: string) =>
  useDoc((s) => indexTopology(s.doc)[kind].get(id) as ReturnType<ReturnType<typeof indexTopology>[K]['get']>);

function ProblemBadge({ id }: { id: string }) {
  const worst = useDoc((s) => problemsOf(s.doc).byElement.get(id));
  if (!worst) return null;
  return (
    <span className={`node-badge ${worst.severity}`} title={worst.message}>
      <Icon name={worst.severity === 'error' ? 'error' : 'warning'} size={13} />
    </span>
  );
}

function GroupResizer({ id, selected, minWidth, minHeight }: { id: string; selected: boolean; minWidth: number; minHeight: number }) {
  return (
    <NodeResizer
      isVisible={selected}
      minWidth={minWidth}
      minHeight={minHeight}
      lineClassName="resize-line"
      handleClassName="resize-handle"
      onResizeEnd={(_e, r) => documentStore.getState().edit('Resize', (t) => resizeNode(t, { id, x: r.x, y: r.y, width: r.width, height: r.height }))}
    />
  );
}

export const SiteNode = memo(function SiteNode({ id, selected }: P) {
  const site = useElement('sites', id);
  if (!site) return null;
  return (
    <div className={`rl-node rl-site${selected ? ' is-selected' : ''}`} data-element-id={id}>
      <GroupResizer id={id} selected={selected} minWidth={260} minHeight={160} />
      <div className="group-header node-drag">
        <Icon name="site" size={16} />
        <span className="group-title">{site.name || site.id}</span>
        <span className="group-tag">site</span>
        <ProblemBadge id={id} />
      </div>
    </div>
  );
});

function roleOf(role: string): string {
  const r = role.toLowerCase();
  if (r.includes('local') || r.includes('primary')) return 'local';
  if (r.includes('relay') || r.includes('intermediate')) return 'relay';
  if (r.includes('remote') || r.includes('secondary')) return 'remote';
  if (r.includes('external')) return 'external';
  return 'plain';
}

export const SystemNode = memo(function SystemNode({ id, selected }: P) {
  const system = useElement('systems', id);
  if (!system) return null;
  const role = roleOf(system.role);
  return (
    <div className={`rl-node rl-system role-${role}${selected ? ' is-selected' : ''}`} data-element-id={id}>
      <GroupResizer id={id} selected={selected} minWidth={200} minHeight={120} />
      <div className="group-header node-drag">
        <Icon name={role === 'external' ? 'externalSystem' : 'system'} size={16} />
        <span className="group-title">{system.name || system.id}</span>
        {system.role ? <span className={`role-chip role-${role}`}>{system.role}</span> : null}
        <ProblemBadge id={id} />
      </div>
    </div>
  );
});

export const HostNode = memo(function HostNode({ id, selected }: P) {
  const host = useElement('hosts', id);
  if (!host) return null;
  const iops = host.workloads.reduce((s, w) => s + w.iops, 0);
  return (
    <div className={`rl-node rl-host${selected ? ' is-selected' : ''}`} data-element-id={id}>
      <div className="group-header node-drag">
        <Icon name="host" size={16} />
        <span className="group-title">{host.name || host.id}</span>
        <ProblemBadge id={id} />
      </div>
      <div className="host-workload">{host.workloads.length ? `${host.workloads.length} workload${host.workloads.length > 1 ? 's' : ''} · ${iops.toLocaleString('en')} IOPS` : 'no workload'}</div>
    </div>
  );
});

const PORT_LABEL = { target: 'TP', initiator: 'IP', switchable: 'SP' } as const;

/** The small marker of a port behind a switch (fabric): one line in, several out, as a switch fans a port out. */
function FabricMark({ inwardLeft }: { inwardLeft: boolean }) {
  // On the top corner away from the cable handle, so it never sits on the cables it stands for.
  return (
    <span className={`port-fabric ${inwardLeft ? 'at-left' : 'at-right'}`} data-testid="port-fabric" aria-label="behind a switch (fabric)">
      <FabricGlyph />
    </span>
  );
}

export const PortNode = memo(function PortNode({ id, selected }: P) {
  const port = useElement('ports', id);
  // The cable handle faces outwards: targets receive from the left, initiators (and host ports) send to the right; external systems are mirrored.
  const facesRight = useDoc((s) => portFacesRight(s.doc, id));
  if (!port) return null;
  const outward = facesRight ? Position.Right : Position.Left;
  const inward = outward === Position.Right ? Position.Left : Position.Right;
  return (
    <div
      className={`rl-node rl-port kind-${port.kind}${port.fabric ? ' is-fabric' : ''}${selected ? ' is-selected' : ''}`}
      data-element-id={id}
      title={`${port.kind} port · WWN ${port.wwn}${port.fabric ? ' · behind a switch (fabric): one cable per peer port, each cable one fabric path' : ''}`}
    >
      <span className="port-kind">{PORT_LABEL[port.kind]}</span>
      <span className="port-name">{port.name || port.id}</span>
      {port.fabric ? <FabricMark inwardLeft={facesRight} /> : null}
      <ProblemBadge id={id} />
      <Handle type="source" id={HANDLE.cable} position={outward} className="handle-cable" />
      {port.kind === 'switchable' ? <Handle type="source" id={HANDLE.cableOut} position={inward} className="handle-cable" /> : null}
      <Handle type="source" id={HANDLE.portLu} position={port.kind === 'switchable' ? Position.Bottom : inward} className="handle-hidden" isConnectable={false} />
    </div>
  );
});

/** Segments of a volume's address space taken by what is stacked on it (virtual volume ranges and LUs), one lane each. */
function useOccupancy(id: string): { lanes: { label: string; segments: { left: number; width: number }[]; kind: 'virtual' | 'lu' }[]; size: number } {
  // Selected as a string so the node re-renders only when its occupancy really changes.
  const key = useDoc((s) => JSON.stringify(occupancyOf(s.doc, id)));
  return useMemo(() => JSON.parse(key) as ReturnType<typeof occupancyOf>, [key]);
}

function occupancyOf(t: Topology, id: string) {
  const ix = indexTopology(t);
  const size = sizeOf(t, id);
  const lanes: { label: string; segments: { left: number; width: number }[]; kind: 'virtual' | 'lu' }[] = [];
  if (size <= 0) return { lanes, size };
  for (const upper of ix.upperByLower.get(id) ?? []) {
    if (upper.kind !== 'virtual') continue;
    const segments = upper.ranges
      .filter((r) => r.lowerId === id)
      .map((r) => ({ left: Math.min(1, r.startBytes / size), width: Math.max(0.02, Math.min(1, r.lengthBytes / size)) }));
    lanes.push({ label: upper.name || upper.id, segments, kind: 'virtual' });
  }
  for (const lu of ix.lusByVolume.get(id) ?? [])
    lanes.push({ label: lu.name || lu.id, segments: [{ left: Math.min(1, lu.startBytes / size), width: Math.max(0.02, Math.min(1, lu.sizeBytes / size)) }], kind: 'lu' });
  return { lanes, size };
}


const VOLUME_ICON: Record<'real' | 'virtual' | 'virtualReal', IconName> = { real: 'volume-real', virtual: 'volume-virtual', virtualReal: 'volume-virtualReal' };

export const VolumeNode = memo(function VolumeNode({ id, selected }: P) {
  const volume = useElement('volumes', id);
  const aliasName = useDoc((s) => {
    const v = indexTopology(s.doc).volumes.get(id);
    return v?.kind === 'virtualReal' ? (indexTopology(s.doc).volumes.get(v.aliasOfId)?.name ?? v.aliasOfId) : '';
  });
  const size = useDoc((s) => sizeOf(s.doc, id));
  const occupancy = useOccupancy(id);
  if (!volume) return null;
  const subtitle =
    volume.kind === 'real'
      ? volume.backing.type === 'external'
        ? 'real · external'
        : 'real · internal'
      : volume.kind === 'virtual'
        ? `virtual · ${volume.ranges.length} range${volume.ranges.length > 1 ? 's' : ''}`
        : `alias of ${aliasName}`;
  const shared = occupancy.lanes.filter((l) => l.kind === 'virtual').length > 1;
  return (
    <div className={`rl-node rl-volume kind-${volume.kind}${selected ? ' is-selected' : ''}`} data-element-id={id}>
      <Handle type="target" id={HANDLE.mapUp} position={Position.Top} className="handle-map" />
      <Handle type="target" id={HANDLE.pairIn} position={Position.Left} className="handle-pair" />
      <div className="volume-head">
        <Icon name={VOLUME_ICON[volume.kind]} size={15} />
        <span className="volume-name">{volume.name || volume.id}</span>
        <span className="volume-size">{size ? formatBytes(size) : '—'}</span>
        <ProblemBadge id={id} />
      </div>
      <div className="volume-sub">
        {subtitle}
        {shared ? <span className="shared-chip" title="several virtual volumes map this volume (multiple virtualization)">shared</span> : null}
      </div>
      {occupancy.lanes.length ? (
        <div className="occupancy" title={occupancy.lanes.map((l) => l.label).join(', ')}>
          {occupancy.lanes.slice(0, 4).map((lane, i) => (
            <div className="lane" key={i}>
              {lane.segments.map((seg, j) => (
                <span key={j} className={`seg seg-${lane.kind} seg-${i % 4}`} style={{ left: `${seg.left * 100}%`, width: `${seg.width * 100}%` }} />
              ))}
            </div>
          ))}
        </div>
      ) : null}
      <LiveVolumeBadges volumeId={id} />
      <Handle type="source" id={HANDLE.pairOut} position={Position.Right} className="handle-pair" />
      <Handle type="source" id={HANDLE.mapDown} position={Position.Bottom} className="handle-map" />
    </div>
  );
});

export const LuNode = memo(function LuNode({ id, selected }: P) {
  const lu = useElement('lus', id);
  const portName = useDoc((s) => {
    const l = indexTopology(s.doc).lus.get(id);
    return l ? (indexTopology(s.doc).ports.get(l.portId)?.name ?? l.portId) : '';
  });
  if (!lu) return null;
  return (
    <div className={`rl-node rl-lu${selected ? ' is-selected' : ''}`} data-element-id={id} title={`LU ${lu.name} · LUN ${lu.lun} on ${portName}`}>
      <Handle type="target" id={HANDLE.mapUp} position={Position.Top} className="handle-map" />
      <Handle type="target" id={HANDLE.luPort} position={Position.Left} className="handle-hidden" isConnectable={false} />
      <Icon name="lu" size={14} />
      <span className="lu-name">{lu.name || lu.id}</span>
      <span className="lu-lun">
        {portName}:{lu.lun}
      </span>
      <ProblemBadge id={id} />
      <Handle type="source" id={HANDLE.mapDown} position={Position.Bottom} className="handle-map" />
    </div>
  );
});

export const CacheNode = memo(function CacheNode({ id, selected }: P) {
  const cache = useElement('caches', id);
  // Joined into one string so the node re-renders only when a name really changes.
  const joined = useDoc((s) => {
    const ix = indexTopology(s.doc);
    return (ix.caches.get(id)?.volumeIds ?? []).map((v) => ix.volumes.get(v)?.name ?? v).join('\u0000');
  });
  if (!cache) return null;
  const names = joined ? joined.split('\u0000') : [];
  return (
    <div className={`rl-node rl-cache${selected ? ' is-selected' : ''}${names.length > 1 ? ' is-shared' : ''}`} data-element-id={id} title={`cache for ${names.join(', ')}`}>
      <Icon name="cache" size={16} />
      <span className="cache-text">
        <span className="cache-name">
          {cache.name || cache.id} <span className="cache-size">{formatBytes(cache.sizeBytes)}</span>
        </span>
        <span className="cache-detail">{names.length > 1 ? `shared: ${names.join(', ')}` : `for ${names[0] ?? '—'}`}</span>
      </span>
      <ProblemBadge id={id} />
      <LiveCacheFill cacheId={id} />
    </div>
  );
});

/** Defined once, outside any component, as React Flow asks. */
export const nodeTypes: NodeTypes = {
  site: SiteNode,
  system: SystemNode,
  host: HostNode,
  port: PortNode,
  volume: VolumeNode,
  lu: LuNode,
  cache: CacheNode,
};
