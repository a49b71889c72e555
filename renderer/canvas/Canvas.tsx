// The design canvas: nodes and edges derived from the document, palette drops, connections checked by the shared rules, drags committed as one move.
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { DragEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  useStore as useFlowStore,
} from '@xyflow/react';
import type { Connection, EdgeChange, FinalConnectionState, IsValidConnection, Node, NodeChange, OnSelectionChangeParams, ReactFlowInstance } from '@xyflow/react';
import { useStore } from 'zustand';
import { documentStore, useDoc } from '../store/document';
import { addElement, moveNodes } from '../store/actions';
import { isPaletteKind, modelKindOf } from '../store/create';
import { SIZE, deriveEdges, deriveNodes } from './derive';
import type { DesignerEdge, DesignerNode } from './derive';
import { nodeTypes } from './nodes';
import { edgeTypes } from './edges';
import { checkConnection, performConnection } from './connect';
import { connectionHint, setHint } from './hint';
import { fullDetail, setFlowInstance } from './flow';
import { openContextMenu } from '../ui/ContextMenu';
import { fitIfDrawn, forgetFittedView, lastFittedView, shouldRefitOnResize } from './viewport';
import { luSpotBesidePort } from './placement';
import { ActionRefused } from '../store/actions';
import { EdgeLabelLayer } from './label-layer';
import { routeEdges } from './route';
import { toggleMinimap, useLayout } from '../ui/layout';
import type { Topology } from '../../app/model/schema';

export const PALETTE_MIME = 'application/x-relaylab-palette';
const CONTAINER_TYPES = new Set(['site', 'system', 'host', 'port']);

const miniMapColor = (n: Node) => (n.type === 'site' ? 'var(--mm-site)' : n.type === 'system' || n.type === 'host' ? 'var(--mm-system)' : 'var(--mm-leaf)');

export const Canvas = memo(function Canvas() {
  const doc = useDoc((s) => s.doc);
  const selectionList = useDoc((s) => s.selection);
  const focus = useDoc((s) => s.focus);
  const selection = useMemo(() => new Set(selectionList), [selectionList]);
  const derivedNodes = useMemo(() => deriveNodes(doc, selection), [doc, selection]);
  // Routes and label spots are found once per document (route.ts), then carried in the edges' data.
  const derivedEdges = useMemo(() => withRoutes(doc, derivedNodes, deriveEdges(doc, selection)), [doc, derivedNodes, selection]);
  const [nodes, setNodes] = useState<DesignerNode[]>(() => withMeasured(derivedNodes));
  const [edges, setEdges] = useState<DesignerEdge[]>(derivedEdges);
  const flow = useReactFlow<DesignerNode, DesignerEdge>();
  // True or false, so the canvas re-renders only when the zoom crosses the threshold, not on every zoom step.
  const zoomedOut = useFlowStore((s) => s.transform[2] < DETAIL_MIN_ZOOM);
  const exporting = useStore(fullDetail, (s) => s.on);
  const minimap = useLayout((s) => s.minimap && !s.presenting);
  const canvasRef = useRef<HTMLDivElement>(null);
  const [labelLayer, setLabelLayer] = useState<HTMLElement | null>(null);
  // React Flow renders its label layer once, with the viewport; found before the first paint so labels appear with their edges.
  useLayoutEffect(() => setLabelLayer(canvasRef.current?.querySelector<HTMLElement>('.react-flow__edgelabel-renderer') ?? null), []);

  // The document is the truth: whenever it (or the selection) changes, the canvas is re-derived; measured sizes carry over.
  useEffect(() => {
    setNodes(withMeasured(derivedNodes));
  }, [derivedNodes]);
  useEffect(() => setEdges(derivedEdges), [derivedEdges]);

  // A loaded document (open, new, template) is fitted once React Flow has its nodes; an edit never moves the view.
  const loads = useDoc((s) => s.loads);
  const fitPending = useRef(false);
  useEffect(() => {
    if (loads === 0) return;
    forgetFittedView();
    fitPending.current = true;
  }, [loads]);
  // The loaded nodes reach React Flow one render after the load (setNodes above), and a frame later can still be too early on
  // a loaded machine (a 1,000-element file opened on the empty canvas was never fitted): fit after React Flow has them.
  useEffect(() => {
    if (!fitPending.current) return;
    const frame = window.requestAnimationFrame(() => {
      fitPending.current = false;
      void fitIfDrawn(flow);
    });
    return () => window.cancelAnimationFrame(frame);
  }, [nodes, flow]);

  // Folding the live dock or resizing the window changes the canvas area: refit if the view is still the fitted one.
  useEffect(() => {
    const el = canvasRef.current;
    if (!el) return;
    let size = { width: el.clientWidth, height: el.clientHeight };
    const observer = new ResizeObserver(() => {
      const next = { width: el.clientWidth, height: el.clientHeight };
      if (shouldRefitOnResize(lastFittedView(), flow.getViewport(), size, next)) void fitIfDrawn(flow);
      size = next;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [flow]);

  // A press on the canvas takes the keyboard from the inspector: a handle's mousedown does not move the focus, so after
  // typing a name and clicking a port, Delete still went to the inspector field (which swallows shortcuts).
  useEffect(() => {
    const el = canvasRef.current;
    if (!el) return;
    const onDown = (e: PointerEvent) => releaseFieldFocus(el, e.target);
    el.addEventListener('pointerdown', onDown, true);
    return () => el.removeEventListener('pointerdown', onDown, true);
  }, []);

  useEffect(() => {
    if (!focus) return;
    const n = flow.getNode(focus.id);
    if (n) void flow.fitView({ nodes: [{ id: focus.id }], duration: 350, padding: 0.6, maxZoom: 1.4 });
    else {
      // An edge: frame its two ends.
      const e = flow.getEdge(focus.id);
      if (e) void flow.fitView({ nodes: [{ id: e.source }, { id: e.target }], duration: 350, padding: 0.4 });
    }
  }, [focus, flow]);

  const onNodesChange = useCallback((changes: NodeChange<DesignerNode>[]) => {
    // Removal goes through the delete action (keyboard shortcut), never straight from React Flow.
    setNodes((ns) => applyNodeChanges(changes.filter((c) => c.type !== 'remove'), ns));
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange<DesignerEdge>[]) => {
    setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== 'remove'), es));
  }, []);

  const onNodeDragStop = useCallback((_e: unknown, _node: DesignerNode, dragged: DesignerNode[]) => {
    const positions: Record<string, { x: number; y: number }> = {};
    for (const n of dragged) positions[n.id] = n.position;
    documentStore.getState().edit('Move', (t) => moveNodes(t, { positions }));
  }, []);

  const onSelectionChange = useCallback(({ nodes: ns, edges: es }: OnSelectionChangeParams) => {
    documentStore.getState().select([...ns.map((n) => n.id), ...es.map((e) => e.id)]);
  }, []);

  const isValidConnection: IsValidConnection<DesignerEdge> = useCallback((c) => {
    const check = checkConnection(documentStore.getState().doc, {
      source: c.source,
      target: c.target,
      sourceHandle: c.sourceHandle ?? null,
      targetHandle: c.targetHandle ?? null,
    });
    setHint(check.ok ? null : check.reason, check.ok);
    return check.ok;
  }, []);

  const onConnect = useCallback((c: Connection) => {
    setHint(null);
    const store = documentStore.getState();
    const check = checkConnection(store.doc, c);
    if (!check.ok) {
      store.notify(check.reason, 'error');
      return;
    }
    let createdId: string | undefined;
    let label = 'Connect';
    store.edit(label, (t) => {
      const r = performConnection(t, check.intent);
      createdId = r.id;
      label = r.label;
      return r.topology;
    });
    if (createdId) documentStore.getState().select([createdId]);
  }, []);

  const onConnectEnd = useCallback((_e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
    const reason = connectionHint.getState().text;
    // Dropped on a handle the rules refuse: say why where the user will read it.
    if (state.toHandle && state.isValid === false && reason) documentStore.getState().notify(reason, 'error');
    setHint(null);
  }, []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(PALETTE_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(PALETTE_MIME);
      if (!kind || !isPaletteKind(kind)) return;
      e.preventDefault();
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      dropPaletteItem(flow, kind, at);
    },
    [flow],
  );

  const onNodeContextMenu = useCallback((e: React.MouseEvent, node: DesignerNode) => {
    e.preventDefault();
    openContextMenu(e.clientX, e.clientY, node.id);
  }, []);
  const onEdgeContextMenu = useCallback((e: React.MouseEvent, edge: DesignerEdge) => {
    e.preventDefault();
    // A mapping line stands for its upper element; cables and pairs are elements themselves.
    openContextMenu(e.clientX, e.clientY, edge.id.startsWith('map:') ? edge.id.split(':')[1]! : edge.id);
  }, []);
  const onPaneContextMenu = useCallback((e: MouseEvent | React.MouseEvent) => {
    e.preventDefault();
    openContextMenu(e.clientX, e.clientY, null);
  }, []);

  const onInit = useCallback((instance: ReactFlowInstance<DesignerNode, DesignerEdge>) => {
    setFlowInstance(instance);
    // Twice: once at once, once after the first layout pass has settled the container's size.
    // Only a drawing is fitted: a fit asked for on the empty canvas would wait and jump under the user's first drop.
    const fit = () => void fitIfDrawn(instance);
    window.requestAnimationFrame(() => {
      fit();
      window.setTimeout(fit, 120);
    });
  }, []);

  return (
    <div className={`canvas${zoomedOut && !exporting ? ' is-zoomed-out' : ''}`} data-testid="canvas" ref={canvasRef}>
      <EdgeLabelLayer.Provider value={labelLayer}>
        <ReactFlow<DesignerNode, DesignerEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onNodeDragStop}
          onSelectionChange={onSelectionChange}
          onConnect={onConnect}
          onConnectEnd={onConnectEnd}
          isValidConnection={isValidConnection}
          connectionMode={ConnectionMode.Loose}
          onDragOver={onDragOver}
          onDrop={onDrop}
          onInit={onInit}
          deleteKeyCode={null}
          // A large topology zoomed in is mostly off screen: only what is in view is mounted and painted. The nodes carry their
          // handles (derive.ts handlesOf), so an edge to a node never mounted is still drawn.
          onlyRenderVisibleElements={!exporting}
          snapToGrid
          snapGrid={[10, 10]}
          minZoom={0.1}
          maxZoom={2.5}
          elevateEdgesOnSelect
          proOptions={{ hideAttribution: true }}
          connectionRadius={24}
          onNodeContextMenu={onNodeContextMenu}
          onEdgeContextMenu={onEdgeContextMenu}
          onPaneContextMenu={onPaneContextMenu}
        >
          <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} className="rl-background" />
          {minimap ? <MiniMap pannable zoomable nodeColor={miniMapColor} nodeStrokeWidth={0} className="rl-minimap" style={{ width: 168, height: 112 }} /> : null}
          <Controls showInteractive={false} className="rl-controls">
            <ControlButton onClick={toggleMinimap} title={minimap ? 'Hide the minimap' : 'Show the minimap'} aria-pressed={minimap} data-testid="toggle-minimap">
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <rect x="1.5" y="2.5" width="13" height="11" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
                <rect x="8" y="8" width="5" height="4" fill="currentColor" />
              </svg>
            </ControlButton>
          </Controls>
        </ReactFlow>
      </EdgeLabelLayer.Provider>
      <ConnectionHint />
    </div>
  );
});

/** The edges with their route and label spot (when found) in their data. */
function withRoutes(t: Topology, nodes: DesignerNode[], edges: DesignerEdge[]): DesignerEdge[] {
  const routes = routeEdges(t, nodes, edges);
  if (!routes.size) return edges;
  return edges.map((e) => {
    const r = routes.get(e.id);
    return r ? ({ ...e, data: { ...e.data, route: r } } as DesignerEdge) : e;
  });
}

/** Sizes are decided by the derivation, so they are also what React Flow measures (no hidden first frame, fitView sees them at once). */
function withMeasured(nodes: DesignerNode[]): DesignerNode[] {
  return nodes.map((n) => ({ ...n, measured: { width: n.width, height: n.height } }));
}

/** Finds the innermost container under a canvas point and adds the palette item there (or explains why not). */
export function dropPaletteItem(flow: ReactFlowInstance<DesignerNode, DesignerEdge>, kind: Parameters<typeof isPaletteKind>[0], at: { x: number; y: number }): void {
  if (!isPaletteKind(kind)) return;
  const depth = (n: Node): number => {
    let d = 0;
    let cur: Node | undefined = n;
    while (cur?.parentId) {
      d++;
      cur = flow.getNode(cur.parentId);
    }
    return d;
  };
  const hits = flow
    .getIntersectingNodes({ x: at.x, y: at.y, width: 1, height: 1 }, true)
    .filter((n) => CONTAINER_TYPES.has(n.type ?? ''))
    // Ports only take LUs; for anything else look past them to the system.
    .filter((n) => n.type !== 'port' || modelKindOf(kind) === 'lu')
    .sort((a, b) => depth(b) - depth(a));
  const target = hits[0];
  const originOf = (id: string) => flow.getInternalNode(id)?.internals.positionAbsolute;
  // A new virtual volume maps onto the volume it is dropped on.
  const under = kind === 'volume-virtual' ? flow.getIntersectingNodes({ x: at.x, y: at.y, width: 1, height: 1 }, true).find((n) => n.type === 'volume') : undefined;
  const place = target?.type === 'port' ? luBeside(flow, target.id) ?? at : at;
  const store = documentStore.getState();
  let createdId: string | undefined;
  const ok = store.edit('Add element', (t) => {
    const r = addElement(t, { kind, dropTargetId: target?.id, underId: under?.id, at: place, originOf });
    createdId = r.id;
    return r.topology;
  });
  if (ok && createdId) documentStore.getState().select([createdId]);
}

/** Blurs a text field or select outside the canvas when the canvas is pressed, so shortcuts reach the canvas. */
export function releaseFieldFocus(canvas: HTMLElement, target: EventTarget | null): void {
  const active = canvas.ownerDocument.activeElement as HTMLElement | null;
  if (!active || canvas.contains(active) || active.contains(target as HTMLElement | null)) return;
  if (active.tagName === 'INPUT' || active.tagName === 'TEXTAREA' || active.tagName === 'SELECT' || active.isContentEditable) active.blur();
}

/** Beside a port, inside its system, clear of the other nodes there: where an LU dropped on the port goes. */
function luBeside(flow: ReactFlowInstance<DesignerNode, DesignerEdge>, portId: string): { x: number; y: number } | undefined {
  const box = (id: string) => {
    const n = flow.getInternalNode(id);
    if (!n) return undefined;
    return { x: n.internals.positionAbsolute.x, y: n.internals.positionAbsolute.y, w: n.measured.width ?? n.width ?? 0, h: n.measured.height ?? n.height ?? 0 };
  };
  const port = box(portId);
  const systemId = flow.getNode(portId)?.parentId;
  const system = systemId ? box(systemId) : undefined;
  if (!port || !system) return undefined;
  const taken = flow
    .getNodes()
    .filter((n) => n.parentId === systemId && n.id !== portId && n.type !== 'port')
    .flatMap((n) => box(n.id) ?? []);
  return luSpotBesidePort(port, system, SIZE.lu, taken);
}

/** Below this zoom the canvas's 9.5-12 px texts are under 3 px on screen (FIG. 1 fitted in a 1,500 px window is at ~0.4): edge labels, handles and secondary node texts are not drawn. */
export const DETAIL_MIN_ZOOM = 0.25;

function ConnectionHint() {
  const { text, ok } = useStore(connectionHint);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!text) return;
    const move = (e: PointerEvent) => {
      if (ref.current) ref.current.style.transform = `translate(${e.clientX + 16}px, ${e.clientY + 14}px)`;
    };
    window.addEventListener('pointermove', move);
    return () => window.removeEventListener('pointermove', move);
  }, [text]);
  if (!text || ok) return null;
  return (
    <div ref={ref} className="connection-hint" role="status" data-testid="connection-hint">
      {text}
    </div>
  );
}

