// What a drag between two handles means (cable, mapping or pair) and whether the shared rules allow it; used by isValidConnection and onConnect alike.
import type { Connection } from '@xyflow/react';
import type { Topology } from '../../app/model/schema';
import { namingElement } from '../../app/model/problem';
import { canConnect } from '../../app/model/rules';
import { ActionRefused, connectCable, createPair, mapOnto } from '../store/actions';
import { HANDLE } from './derive';

export type Intent =
  | { kind: 'cable'; aPortId: string; bPortId: string }
  | { kind: 'map'; upperId: string; lowerId: string }
  | { kind: 'pair'; primaryId: string; secondaryId: string };

type Ends = Pick<Connection, 'source' | 'target' | 'sourceHandle' | 'targetHandle'>;

/** Reads the intent from the two handle ids, whichever end the drag started from. */
export function intentOf(c: Ends): Intent | { kind: 'none'; reason: string } {
  // Either cable handle of a switchable port is a cable end.
  const norm = (h: string | null | undefined) => (h === HANDLE.cableOut ? HANDLE.cable : (h ?? ''));
  const a = norm(c.sourceHandle);
  const b = norm(c.targetHandle);
  if (a === HANDLE.cable && b === HANDLE.cable) return { kind: 'cable', aPortId: c.source, bPortId: c.target };
  if (a === HANDLE.cable || b === HANDLE.cable) return { kind: 'none', reason: 'a cable joins two ports' };
  if (a === HANDLE.mapDown && b === HANDLE.mapUp) return { kind: 'map', upperId: c.source, lowerId: c.target };
  if (a === HANDLE.mapUp && b === HANDLE.mapDown) return { kind: 'map', upperId: c.target, lowerId: c.source };
  if (a === HANDLE.pairOut && b === HANDLE.pairIn) return { kind: 'pair', primaryId: c.source, secondaryId: c.target };
  if (a === HANDLE.pairIn && b === HANDLE.pairOut) return { kind: 'pair', primaryId: c.target, secondaryId: c.source };
  if ((a === HANDLE.pairOut || a === HANDLE.pairIn) !== (b === HANDLE.pairOut || b === HANDLE.pairIn))
    return { kind: 'none', reason: 'a pair goes from the side handle of one volume to the side handle of another' };
  if (a === b) return { kind: 'none', reason: a === HANDLE.mapDown || a === HANDLE.mapUp ? 'mapping goes from the bottom of an upper element to the top of a lower one' : 'a pair goes from the right side of the primary to the left side of the secondary' };
  return { kind: 'none', reason: 'these handles do not connect' };
}

/** Applies the intent as one named action; throws ActionRefused with the reason when the rules say no. */
export function performConnection(t: Topology, intent: Intent): { topology: Topology; label: string; id?: string } {
  switch (intent.kind) {
    case 'cable': {
      const r = connectCable(t, intent);
      return { topology: r.topology, label: 'Connect cable', id: r.id };
    }
    case 'map':
      return { topology: mapOnto(t, intent), label: 'Map range' };
    case 'pair': {
      const r = createPair(t, intent);
      return { topology: r.topology, label: 'Create pair', id: r.id };
    }
  }
}

/** Yes, or no with the reason to show while the user is still dragging. */
export function checkConnection(t: Topology, c: Ends): { ok: true; intent: Intent } | { ok: false; reason: string } {
  const intent = intentOf(c);
  if (intent.kind === 'none') return { ok: false, reason: intent.reason };
  if (intent.kind === 'cable') {
    const rule = canConnect(t, intent.aPortId, intent.bPortId);
    return rule.ok ? { ok: true, intent } : { ok: false, reason: rule.reason };
  }
  try {
    performConnection(t, intent);
    return { ok: true, intent };
  } catch (e) {
    if (e instanceof ActionRefused) return { ok: false, reason: namingElement(e.reason, e.elementId) };
    throw e;
  }
}
