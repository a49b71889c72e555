// Edge components: cables (kind, distance, bandwidth), pairs (sync solid, async dashed), mapping lines down the stack, LU exposure; defined once.
import { memo, useContext } from 'react';
import { createPortal } from 'react-dom';
import { BaseEdge, Position, getBezierPath, getSmoothStepPath } from '@xyflow/react';
import type { EdgeProps, EdgeTypes } from '@xyflow/react';
import type { CableEdgeData, MappingEdgeData, PairEdgeData, RouteData } from './derive';
import { SHORT_CABLE, roundedPath } from './route';
import type { Edge } from '@xyflow/react';
import { LiveCableState, LivePairFlow } from '../live/canvas';
import { EdgeLabelLayer } from './label-layer';

/** An HTML label over the edges, portalled into the flow's label layer (see label-layer.ts for why not EdgeLabelRenderer). */
function Label({ x, y, className, children, testId, edge }: { x: number; y: number; className: string; children: React.ReactNode; testId?: string; edge: { id: string; source: string; target: string } }) {
  const layer = useContext(EdgeLabelLayer);
  if (!layer) return null;
  // data-edge and data-ends say which line and nodes the label belongs to (the e2e checks it covers no other node).
  return createPortal(
    <div className={`edge-label ${className} nodrag nopan`} data-testid={testId} data-edge={edge.id} data-ends={`${edge.source} ${edge.target}`} style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px)` }}>
      {children}
    </div>,
    layer,
  );
}

type Ends = Pick<EdgeProps, 'sourceX' | 'sourceY' | 'targetX' | 'targetY'>;

/**
 * The routed path (route.ts) when the edge's ends are where the route was found for, else null: while a node is dragged,
 * the lines at it fall back to their plain paths until the move is committed and the routes are found again.
 */
function routed(route: RouteData | undefined, e: Ends, selected = false): { path: string; label?: { x: number; y: number } } | null {
  const pts = route?.points;
  if (!pts || pts.length < 2) return null;
  const a = pts[0]!;
  const b = pts[pts.length - 1]!;
  const near = (p: { x: number; y: number }, x: number, y: number) => Math.abs(p.x - x) <= 8 && Math.abs(p.y - y) <= 2;
  if (!near(a, e.sourceX, e.sourceY) || !near(b, e.targetX, e.targetY)) return null;
  const points = [{ x: e.sourceX, y: a.y }, ...pts.slice(1, -1), { x: e.targetX, y: b.y }];
  return { path: roundedPath(points), label: (selected && route?.selectedLabel) || route?.label };
}

/** A label spot found clear of nodes, while the edge is where it was found for. */
function labelSpot(route: RouteData | undefined, e: Ends): { x: number; y: number } | undefined {
  if (!route?.label) return undefined;
  const pts = route.points;
  if (pts.length >= 2) return routed(route, e)?.label;
  return route.label;
}

export const CableEdge = memo(function CableEdge(props: EdgeProps<Edge<CableEdgeData, 'cable'>>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected } = props;
  const loop = data?.kind === 'internal-loop';
  const r = routed(data?.route, props, selected);
  // The internal loop (CN3) leaves the housing and comes back: route it around rather than straight through.
  const [plainPath, plx, ply] = loop
    ? getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 14, offset: 26 })
    : getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const path = r?.path ?? plainPath;
  const [lx, ly] = r?.label ? [r.label.x, r.label.y + (loop ? 0 : 11)] : [plx, ply];
  return (
    <>
      <BaseEdge id={id} path={path} className={`rl-cable cable-${data?.kind ?? 'fc'}${selected ? ' is-selected' : ''}`} interactionWidth={14} />
      <LiveCableState cableId={id} path={path} x={lx} y={ly} />
      <Arrow x={targetX} y={targetY} side={targetPosition} className="arrow-cable" />
      {data ? (
        <Label edge={props} x={lx} y={ly - (loop ? 0 : 11)} className={`cable-label${selected ? ' is-selected' : ''}`} testId="cable-label">
          {/* A short cable shows its name only; the full label is in the tooltip and the inspector. */}
          <span title={data.label}>{selected ? data.label : r?.label && data.route?.labelText ? data.route.labelText : Math.hypot(targetX - sourceX, targetY - sourceY) < SHORT_CABLE ? data.name : data.label}</span>
        </Label>
      ) : null}
    </>
  );
});

export const PairEdge = memo(function PairEdge(props: EdgeProps<Edge<PairEdgeData, 'pair'>>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected } = props;
  const r = routed(data?.route, props);
  const [plainPath, plx, ply] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, curvature: 0.35 });
  const path = r?.path ?? plainPath;
  const [lx, ly] = r?.label ? [r.label.x, r.label.y] : [plx, ply];
  return (
    <>
      <BaseEdge id={id} path={path} className={`rl-pair mode-${data?.mode ?? 'sync'}${selected ? ' is-selected' : ''}`} interactionWidth={14} />
      <LivePairFlow pairId={id} path={path} />
      <Arrow x={targetX} y={targetY} side={targetPosition} className="arrow-pair" />
      {data ? (
        <Label edge={props} x={lx} y={ly} className={`pair-label mode-${data.mode}${selected ? ' is-selected' : ''}`} testId="pair-label">
          {data.label}
        </Label>
      ) : null}
    </>
  );
});

export const MappingEdge = memo(function MappingEdge(props: EdgeProps<Edge<MappingEdgeData, 'mapping'>>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected } = props;
  const [path, plx, ply] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, curvature: 0.2 });
  const spot = labelSpot(data?.route, props);
  const [lx, ly] = spot ? [spot.x, spot.y] : [plx, ply];
  return (
    <>
      <BaseEdge id={id} path={path} className={`rl-mapping rel-${data?.relation ?? 'range'}${selected ? ' is-selected' : ''}`} interactionWidth={10} />
      {data?.label ? (
        <Label edge={props} x={lx} y={ly} className={`mapping-label rel-${data.relation}`}>
          {data.label}
        </Label>
      ) : null}
    </>
  );
});

export const ExposureEdge = memo(function ExposureEdge(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props;
  const [path] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 8 });
  return <BaseEdge id={id} path={path} className="rl-exposure" />;
});

export const edgeTypes: EdgeTypes = { cable: CableEdge, pair: PairEdge, mapping: MappingEdge, exposure: ExposureEdge };

/**
 * An arrowhead drawn in the edge's own SVG (not a <marker> in a separate <defs>), so image export keeps it.
 * It points into the target handle's side.
 */
function Arrow({ x, y, side, className }: { x: number; y: number; side: Position; className: string }) {
  const angle = side === Position.Left ? 0 : side === Position.Right ? 180 : side === Position.Top ? 90 : -90;
  return <path className={`rl-arrow ${className}`} d="M-8,-4.5 L0,0 L-8,4.5 Z" transform={`translate(${x},${y}) rotate(${angle})`} />;
}
