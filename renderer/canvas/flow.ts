// The live React Flow instance, for commands that need the viewport (zoom to fit, export, pan to a problem).
import type { ReactFlowInstance } from '@xyflow/react';
import { createStore } from 'zustand/vanilla';
import type { DesignerEdge, DesignerNode } from './derive';

let instance: ReactFlowInstance<DesignerNode, DesignerEdge> | null = null;

export function setFlowInstance(i: ReactFlowInstance<DesignerNode, DesignerEdge>): void {
  instance = i;
}

export function flowInstance(): ReactFlowInstance<DesignerNode, DesignerEdge> | null {
  return instance;
}

/**
 * While set, the canvas mounts every element and draws every detail (no culling to the view, no zoomed-out simplification):
 * for an image export, which copies the DOM of the whole design whatever is on screen.
 */
export const fullDetail = createStore<{ on: boolean }>(() => ({ on: false }));

/** Runs `capture` with every element and detail in the DOM, then restores the light rendering. */
export async function withFullDetail<T>(capture: () => Promise<T>): Promise<T> {
  fullDetail.setState({ on: true });
  try {
    // Two frames: React commits the newly mounted nodes, then React Flow has measured them (edges need their handles).
    await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
    return await capture();
  } finally {
    fullDetail.setState({ on: false });
  }
}
