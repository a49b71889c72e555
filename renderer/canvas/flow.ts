// The live React Flow instance, for commands that need the viewport (zoom to fit, export, pan to a problem).
import type { ReactFlowInstance } from '@xyflow/react';
import type { DesignerEdge, DesignerNode } from './derive';

let instance: ReactFlowInstance<DesignerNode, DesignerEdge> | null = null;

export function setFlowInstance(i: ReactFlowInstance<DesignerNode, DesignerEdge>): void {
  instance = i;
}

export function flowInstance(): ReactFlowInstance<DesignerNode, DesignerEdge> | null {
  return instance;
}
