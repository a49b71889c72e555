// The element edge labels are portalled into, found once by the canvas and handed down by context.
import { createContext } from 'react';

/**
 * React Flow's own EdgeLabelRenderer subscribes every label to the flow store and runs a querySelector for it on each store
 * update (every frame of a pan or drag): with ~1,000 labels that was the largest JS cost of a gesture. The layer never changes
 * while the canvas is mounted, so the canvas looks it up once.
 */
export const EdgeLabelLayer = createContext<HTMLElement | null>(null);
