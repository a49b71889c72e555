// The canvas fits a loaded drawing, never an empty canvas (whose queued fit used to jump under the first drop), and refits on resize only while the view is still the fitted one.
import { describe, expect, it } from 'vitest';
import type { FitViewOptions, Viewport } from '@xyflow/react';
import { fitIfDrawn, lastFittedView, shouldRefitOnResize } from './viewport';
import type { Fittable } from './viewport';

function fakeFlow(nodeCount: number): Fittable & { fits: FitViewOptions[] } {
  const fits: FitViewOptions[] = [];
  let view: Viewport = { x: 0, y: 0, zoom: 1 };
  return {
    fits,
    getNodes: () => Array.from({ length: nodeCount }),
    fitView: async (o) => {
      fits.push(o ?? {});
      view = { x: 40, y: 25, zoom: 0.8 };
      return true;
    },
    getViewport: () => view,
  };
}

describe('fitting the view', () => {
  it('does not ask React Flow to fit an empty canvas, so nothing is queued for the first drop', async () => {
    const flow = fakeFlow(0);
    expect(await fitIfDrawn(flow)).toBe(false);
    expect(flow.fits).toEqual([]);
    expect(lastFittedView()).toBeNull();
  });

  it('fits a drawing and remembers the view the fit made', async () => {
    const flow = fakeFlow(3);
    expect(await fitIfDrawn(flow)).toBe(true);
    expect(flow.fits).toHaveLength(1);
    expect(lastFittedView()).toEqual({ x: 40, y: 25, zoom: 0.8 });
  });
});

describe('refitting when the canvas area changes size', () => {
  const fitted = { x: 40, y: 25, zoom: 0.8 };
  const small = { width: 1200, height: 600 };
  const tall = { width: 1200, height: 830 };

  it('refits when the live dock folds and the view is still the fitted one', () => {
    expect(shouldRefitOnResize(fitted, { ...fitted }, small, tall)).toBe(true);
  });

  it('leaves a view the user panned or zoomed since', () => {
    expect(shouldRefitOnResize(fitted, { ...fitted, x: 140 }, small, tall)).toBe(false);
    expect(shouldRefitOnResize(fitted, { ...fitted, zoom: 0.64 }, small, tall)).toBe(false);
  });

  it('does nothing without a fit, without a real size change, or for a collapsed canvas', () => {
    expect(shouldRefitOnResize(null, fitted, small, tall)).toBe(false);
    expect(shouldRefitOnResize(fitted, fitted, small, { width: 1200.5, height: 600 })).toBe(false);
    expect(shouldRefitOnResize(fitted, fitted, small, { width: 0, height: 0 })).toBe(false);
  });
});
