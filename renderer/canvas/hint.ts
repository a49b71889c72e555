// The transient "why not" shown beside the cursor while a connection is being drawn (never part of the document).
import { createStore } from 'zustand/vanilla';

export const connectionHint = createStore<{ text: string | null; ok: boolean }>(() => ({ text: null, ok: true }));

export function setHint(text: string | null, ok = false): void {
  const cur = connectionHint.getState();
  if (cur.text !== text || cur.ok !== ok) queueMicrotask(() => connectionHint.setState({ text, ok }));
}
