// The canvas baseline: React Flow with N plain default nodes and nothing else, mounted on demand by the bench.
import { createRoot } from 'react-dom/client';
import { ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';

declare global {
  interface Window {
    renderPlain(count: number): void;
  }
}

const root = createRoot(document.getElementById('root')!);

window.renderPlain = (count: number): void => {
  const perRow = 40;
  const nodes = Array.from({ length: count }, (_, i) => ({
    id: `n${i}`,
    position: { x: (i % perRow) * 180, y: Math.floor(i / perRow) * 90 },
    data: { label: `Node ${i}` },
  }));
  root.render(
    <div style={{ width: '100vw', height: '100vh' }}>
      <ReactFlow defaultNodes={nodes} defaultEdges={[]} fitView />
    </div>,
  );
};
