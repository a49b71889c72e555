// Writes you can watch during Play: at 1x and 10x each sampled write (one per host per virtual second) is a token that
// rides the cables and mapping hops it really takes, paced by the virtual time each hop took (tokens.ts playHopMs).
// Above 10x the cables show their load instead (canvas.tsx); in Training the stepped write has its own token (WriteTokens).
import { memo, useEffect, useState } from 'react';
import type { StepEvent } from '../../app/engine/api';
import { useDoc } from '../store/document';
import { liveStore, useLive } from './store';
import { playHop, PLAY_TOKENS_MAX_SPEED, type TokenHop } from './tokens';
import { easeInOut, TokenGlyph, trajectory, type Point } from './WriteTokens';

/** Tokens on screen at once; a write sampled while they are all busy is not shown (the next one will be). */
export const PLAY_TOKENS_AT_ONCE = 4;
/** A token whose write has no next step yet waits where it is this long, then goes (its remaining steps come much later: a journal apply, a destage). */
const REST_MS = 2500;

interface Flight {
  ioId: number;
  walk: StepEvent[];
  /** Index in `walk` of the step the token is moving to (or resting at). */
  k: number;
  hop: TokenHop | null;
  along: ((f: number) => Point) | null;
  startedMs: number;
  at: Point | null;
}

interface Shown {
  ioId: number;
  hop: TokenHop;
  at: Point;
  moving: boolean;
}

const playing = (s: ReturnType<typeof liveStore.getState>): boolean =>
  s.snapshot?.running === true && !s.training.active && s.speed !== 'max' && s.speed <= PLAY_TOKENS_MAX_SPEED;

export const PlayTokens = memo(function PlayTokens() {
  const doc = useDoc((s) => s.doc);
  const on = useLive(playing);
  const [shown, setShown] = useState<Shown[]>([]);

  useEffect(() => {
    if (!on) {
      setShown([]);
      return;
    }
    const flights = new Map<number, Flight>();
    const seen = new Set<number>();
    let lastSeq = liveStore.getState().events.at(-1)?.seq ?? -1;
    let frame = 0;

    const take = (now: number): void => {
      const { events } = liveStore.getState();
      // A seek back or a reset starts a new log: forget what was flying.
      if ((events.at(-1)?.seq ?? -1) < lastSeq) {
        flights.clear();
        lastSeq = -1;
      }
      // The new events are at the end of the log: find the oldest of them, then walk forwards.
      let first = events.length;
      while (first > 0 && events[first - 1]!.seq > lastSeq) first--;
      for (let i = first; i < events.length; i++) {
        const e = events[i]!;
        // A sampled workload write (negative key) or a write traced by hand.
        const key = e.sampleId !== undefined ? -e.sampleId : e.ioId;
        if (key === undefined) continue;
        const flight = flights.get(key);
        if (flight) flight.walk.push(e);
        else if (!seen.has(key) && flights.size < PLAY_TOKENS_AT_ONCE) {
          seen.add(key);
          flights.set(key, { ioId: key, walk: [e], k: 0, hop: null, along: null, startedMs: now, at: null });
        }
      }
      if (events.length > 0) lastSeq = events.at(-1)!.seq;
      if (seen.size > 10_000) seen.clear();
    };

    const advance = (f: Flight, now: number, speed: number): void => {
      while (f.k + 1 < f.walk.length) {
        f.k++;
        const hop = playHop(doc, f.walk, f.k, speed);
        const along = hop ? trajectory(hop) : null;
        if (hop && along) {
          f.hop = hop;
          f.along = along;
          f.startedMs = now;
          return;
        }
      }
    };

    const tick = (now: number): void => {
      const s = liveStore.getState();
      const speed = typeof s.speed === 'number' ? s.speed : 1;
      take(now);
      const next: Shown[] = [];
      // Only what lies on the canvas: a hop to an element scrolled out of view would cross the panels beside it.
      const view = document.querySelector('.react-flow')?.getBoundingClientRect();
      const inView = (p: Point): boolean => !view || (p.x >= view.left && p.x <= view.right && p.y >= view.top && p.y <= view.bottom);
      for (const f of [...flights.values()]) {
        let moving = false;
        if (f.hop && f.along) {
          const done = Math.min(1, (now - f.startedMs) / f.hop.durationMs);
          f.at = f.along(easeInOut(done));
          moving = done < 1;
        }
        if (!moving) {
          const before = f.k;
          advance(f, now, speed);
          if (f.k !== before && f.hop && f.along) {
            f.at = f.along(0);
            moving = true;
          } else if (now - f.startedMs > (f.hop?.durationMs ?? 0) + REST_MS) {
            flights.delete(f.ioId);
            continue;
          }
        }
        if (f.hop && f.at && inView(f.at)) next.push({ ioId: f.ioId, hop: f.hop, at: f.at, moving });
      }
      setShown((prev) => (prev.length === 0 && next.length === 0 ? prev : next));
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [on, doc]);

  if (shown.length === 0) return null;
  return (
    <svg className="live-token-layer" aria-hidden="true" data-testid="play-tokens">
      {shown.map((t) => (
        <TokenGlyph key={t.ioId} testId="play-token" hop={t.hop} at={t.at} moving={t.moving} ioId={t.ioId} />
      ))}
    </svg>
  );
});
