// The window's layout state (never part of the document): presentation mode and the legend; read by the shell, the canvas and the live dock.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export interface LayoutState {
  /** Full-screen teaching view: panels hidden, large type, the run controls floating over the canvas. */
  presenting: boolean;
  /** The legend of colours, line styles and pair-state badges, floating over the canvas. */
  legendOpen: boolean;
  /** The minimap (off by default: it floats over the drawing's bottom-right corner). */
  minimap: boolean;
}

export const layoutStore = createStore<LayoutState>(() => ({ presenting: false, legendOpen: false, minimap: false }));

export const useLayout = <T,>(select: (s: LayoutState) => T): T => useStore(layoutStore, select);

/** Smallest zoom a fit may pick, so that the canvas's 12 px names stay at least ~9 px (normal) or ~10 px (presentation) on screen. */
export const FIT_MIN_ZOOM = { normal: 0.75, presenting: 0.8 } as const;

export function fitMinZoom(): number {
  return layoutStore.getState().presenting ? FIT_MIN_ZOOM.presenting : FIT_MIN_ZOOM.normal;
}

/** Enters or leaves presentation mode; the real full screen is asked for too when the browser allows it (a user gesture). */
export function setPresenting(on: boolean): void {
  if (layoutStore.getState().presenting === on) return;
  layoutStore.setState({ presenting: on });
  const doc = globalThis.document;
  if (!doc || (globalThis.navigator as Navigator | undefined)?.webdriver) return;
  try {
    if (on && !doc.fullscreenElement) void doc.documentElement.requestFullscreen?.().catch(() => undefined);
    else if (!on && doc.fullscreenElement) void doc.exitFullscreen?.().catch(() => undefined);
  } catch {
    // Full screen refused (no gesture, an iframe): presentation mode still hides the panels.
  }
}

export function togglePresenting(): void {
  setPresenting(!layoutStore.getState().presenting);
}

export function toggleLegend(): void {
  layoutStore.setState({ legendOpen: !layoutStore.getState().legendOpen });
}

export function toggleMinimap(): void {
  layoutStore.setState({ minimap: !layoutStore.getState().minimap });
}
