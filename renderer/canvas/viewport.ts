// When the canvas fits its view: when a document is opened (never as a side effect of the first drop on an empty canvas), and again when the canvas area changes size while the view is still the one the fit made.
import type { FitViewOptions, Viewport } from '@xyflow/react';
import { fitMinZoom } from '../ui/layout';

/** The part of a React Flow instance the fits need (a fake in tests). */
export interface Fittable {
  getNodes(): readonly unknown[];
  fitView(options?: FitViewOptions): Promise<boolean>;
  getViewport(): Viewport;
  /** With these two (a real React Flow instance), a drawing too large to fit readably shows its top-left part, titles first. */
  getNodesBounds?(nodes: never[]): { x: number; y: number; width: number; height: number };
  setViewport?(viewport: Viewport): Promise<boolean>;
}

/** The canvas area on screen (React Flow's renderer element), or null outside a browser. */
function paneSize(): { width: number; height: number } | null {
  const el = globalThis.document?.querySelector('.react-flow__renderer');
  return el ? { width: el.clientWidth, height: el.clientHeight } : null;
}

export const OPEN_FIT: FitViewOptions = { padding: 0.06, maxZoom: 1 };

let fittedView: Viewport | null = null;

/**
 * Fits the view to the drawing, only when something is drawn: React Flow queues a fit asked for on an empty canvas and
 * runs it when the first node appears, which recentred and rezoomed the canvas under the user's first drop.
 * Remembers the resulting viewport so a later resize can tell whether the user has moved since.
 */
export async function fitIfDrawn(flow: Fittable, options: FitViewOptions = OPEN_FIT): Promise<boolean> {
  if (flow.getNodes().length === 0) {
    fittedView = null;
    return false;
  }
  // Never so small that the text cannot be read: a large drawing is then centred and panned, not shrunk to 6 px type.
  const minZoom = fitMinZoom();
  const done = await flow.fitView({ minZoom, ...options });
  const view = flow.getViewport();
  const pane = paneSize();
  if (flow.getNodesBounds && flow.setViewport && pane && view.zoom <= minZoom + 1e-3) {
    // Centred, a drawing wider or taller than the pane at the smallest readable zoom loses its site titles off the top and
    // both ends of the story off the sides; align its top-left corner instead (the local site, where a write starts).
    const b = flow.getNodesBounds(flow.getNodes() as never[]);
    const pad = 16;
    const x = b.width * view.zoom + 2 * pad > pane.width ? pad - b.x * view.zoom : view.x;
    const y = b.height * view.zoom + 2 * pad > pane.height ? pad - b.y * view.zoom : view.y;
    if (x !== view.x || y !== view.y) await flow.setViewport({ x, y, zoom: view.zoom });
  }
  fittedView = flow.getViewport();
  return done;
}

/** The viewport the last fit produced, or null (nothing fitted yet, or the canvas was empty). */
export function lastFittedView(): Viewport | null {
  return fittedView;
}

export function forgetFittedView(): void {
  fittedView = null;
}

const near = (a: number, b: number, eps: number) => Math.abs(a - b) <= eps;

/**
 * After the canvas area changed size (the live dock folded, the window resized): refit only when the view is still the
 * fitted one; a view the user panned or zoomed since stays where the user put it.
 */
export function shouldRefitOnResize(fitted: Viewport | null, now: Viewport, before: { width: number; height: number }, after: { width: number; height: number }): boolean {
  if (!fitted) return false;
  if (near(before.width, after.width, 1) && near(before.height, after.height, 1)) return false;
  if (after.width < 2 || after.height < 2) return false;
  return near(fitted.x, now.x, 0.5) && near(fitted.y, now.y, 0.5) && near(fitted.zoom, now.zoom, 1e-3);
}
