// The traced write as a token moving over the canvas while a class steps through it: along the cable it crosses, or across the system.
import { memo, useEffect, useRef, useState } from 'react';
import { useDoc } from '../store/document';
import { liveStore, trainingShown, useLive } from './store';
import { tokenHop, type TokenHop } from './tokens';

export type Point = { x: number; y: number };

/** Centre of a canvas node in client coordinates, or null when it is not drawn. */
function nodeCentre(id: string): Point | null {
  const el = document.querySelector(`.react-flow__node[data-id="${CSS.escape(id)}"]`);
  if (!el) return null;
  const r = el.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
}

/** A point along an edge's SVG path, in client coordinates. */
function pathPoint(path: SVGPathElement, at: number): Point {
  const p = path.getPointAtLength(at);
  const m = path.getScreenCTM();
  return m ? { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f } : { x: p.x, y: p.y };
}

const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** A function of progress 0..1 to a client point: along the cable's drawn edge (whichever way it is drawn), else straight. */
export function trajectory(hop: TokenHop): ((f: number) => Point) | null {
  const from = nodeCentre(hop.fromId);
  const to = nodeCentre(hop.toId);
  const path = hop.cableId ? document.querySelector<SVGPathElement>(`[data-testid="rf__edge-${CSS.escape(hop.cableId)}"] path.react-flow__edge-path`) : null;
  if (path && typeof path.getTotalLength === 'function') {
    const length = path.getTotalLength();
    const start = pathPoint(path, 0);
    // The edge is drawn initiator -> target; ride it backwards when the write goes the other way.
    const reversed = from && to ? dist(start, to) < dist(start, from) : false;
    return (f) => pathPoint(path, length * (reversed ? 1 - f : f));
  }
  if (!from || !to) return null;
  return (f) => ({ x: from.x + (to.x - from.x) * f, y: from.y + (to.y - from.y) * f });
}

export const easeInOut = (f: number): number => (f < 0.5 ? 2 * f * f : 1 - (-2 * f + 2) ** 2 / 2);

/** Draws the token of the write being walked in Training; it rests on the element of the step shown. */
export const WriteTokens = memo(function WriteTokens() {
  const doc = useDoc((s) => s.doc);
  // The step on screen; the walk itself is read when it changes (selecting the array would re-render on every snapshot).
  const cursorSeq = useLive((s) => (s.training.active ? s.training.cursorSeq : null));
  const [token, setToken] = useState<{ at: Point; hop: TokenHop; moving: boolean } | null>(null);
  const shownSeq = useRef<number | null>(null);

  useEffect(() => {
    const walk = cursorSeq === null ? [] : trainingShown(liveStore.getState());
    const current = walk.at(-1);
    if (!current) {
      shownSeq.current = null;
      setToken(null);
      return;
    }
    if (shownSeq.current === current.seq) return;
    shownSeq.current = current.seq;
    const hop = tokenHop(doc, walk);
    if (!hop) return;
    const along = trajectory(hop);
    if (!along) return;
    let frame = 0;
    const started = performance.now();
    const tick = (now: number): void => {
      const f = Math.min(1, (now - started) / hop.durationMs);
      setToken({ at: along(easeInOut(f)), hop, moving: f < 1 });
      if (f < 1) frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [cursorSeq, doc]);

  if (!token) return null;
  return (
    <svg className="live-token-layer" aria-hidden="true">
      <TokenGlyph testId="write-token" hop={token.hop} at={token.at} moving={token.moving} />
    </svg>
  );
});

/** One write token: an envelope in the pair's colour with a halo, carrying what it is for the tests and the tooltip. */
export function TokenGlyph({ testId, hop, at, moving, ioId }: { testId: string; hop: TokenHop; at: Point; moving: boolean; ioId?: number }) {
  return (
    <g
      className={`live-token mode-${hop.mode}${moving ? ' is-moving' : ''}`}
      data-testid={testId}
      data-from={hop.fromId}
      data-to={hop.toId}
      data-cable={hop.cableId ?? ''}
      data-pair={hop.pairId ?? ''}
      data-moving={moving ? 'true' : 'false'}
      {...(ioId !== undefined ? { 'data-io': String(ioId) } : {})}
      transform={`translate(${at.x} ${at.y})`}
    >
      <circle r={11} className="live-token-halo" />
      <rect x={-7} y={-5} width={14} height={10} rx={2} className="live-token-body" />
      <path d="M-7 -5 L0 1 L7 -5" className="live-token-flap" />
    </g>
  );
}
