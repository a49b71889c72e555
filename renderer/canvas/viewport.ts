// When the canvas fits its view: when a document is opened (never as a side effect of the first drop on an empty canvas), and again when the canvas area changes size while the view is still the one the fit made.
import type { FitViewOptions, Viewport } from '@xyflow/react';

/** The part of a React Flow instance the fits need (a fake in tests). */
export interface Fittable {
  getNodes(): readonly unknown[];
  fitView(options?: FitViewOptions): Promise<boolean>;
  getViewport(): Viewport;
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
  const done = await flow.fitView(options);
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
