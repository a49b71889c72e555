// Starts autosave for the designer's document and, first, offers to restore unsaved work left by a session that crashed or was killed.
import { createRoot } from 'react-dom/client';
import { documentStore, isDirty } from '../store/document';
import type { DocumentState } from '../store/document';
import { download } from '../lib/files';
import { commands } from '../commands';
import { Autosaver, planRecovery } from './autosaver';
import type { AutosaveClock, AutosaveStorage, DocumentSnapshot, RecoveryOffer } from './autosaver';
import { RecoveryDialog } from './RecoveryDialog';
import type { RecoveryDecision } from './RecoveryDialog';
import { holdSessionLock, liveSessions, openAutosaveStorage } from './storage';

const browserClock: AutosaveClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
};

/** Shows the dialog in its own root above the designer and resolves with the user's choice. */
function askRecovery(offer: RecoveryOffer): Promise<RecoveryDecision> {
  return new Promise((resolve) => {
    const host = document.createElement('div');
    host.dataset.role = 'recovery';
    document.body.appendChild(host);
    const root = createRoot(host);
    const decide = (d: RecoveryDecision) => {
      root.unmount();
      host.remove();
      resolve(d);
    };
    root.render(<RecoveryDialog offer={offer} onDecide={decide} onDownload={() => download(`${offer.record.name}.autosave.txt`, offer.record.text, 'text/plain')} />);
  });
}

/** Random id; getRandomValues, unlike randomUUID, also exists on plain http (web mode served to a LAN). */
function newSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function snapshotOf(s: DocumentState): DocumentSnapshot {
  return { doc: s.doc, filePath: s.filePath, dirty: isDirty(s) };
}

/** Offers recovery (if a crashed session left unsaved work), then keeps this session's document autosaved. */
export async function startAutosave(): Promise<Autosaver> {
  const sessionId = newSessionId();
  holdSessionLock(sessionId);
  const store = documentStore.getState();
  const opened = await openAutosaveStorage(sessionId);
  if (opened.problem) store.notify(`Autosave ${opened.kind === 'memory' ? 'is off' : 'uses local storage'}: ${opened.problem.message}`, 'error');
  const { storage } = opened;

  const leftover = await offerRecovery(storage, sessionId).catch((e: Error) => {
    store.notify(`Could not check for unsaved work: ${e.message}`, 'error');
    return null;
  });

  const saver = new Autosaver({
    storage,
    sessionId,
    clock: browserClock,
    onError: (e) => documentStore.getState().notify(`Autosave paused: ${e.message}. Save to a file to keep your work.`, 'error'),
    onRecovered: () => documentStore.getState().notify('Autosave is working again'),
  });
  saver.noteChange(snapshotOf(documentStore.getState()));
  documentStore.subscribe((s, prev) => {
    // Selections and toasts change the store too; only the document, its path and its saved state matter here.
    if (s.doc !== prev.doc || s.filePath !== prev.filePath || s.savedDoc !== prev.savedDoc) saver.noteChange(snapshotOf(s));
  });
  if (leftover) {
    // The restored document is now this session's: only once it is stored here may the old record go.
    await saver.flush();
    if (!saver.isFailing) await storage.delete(leftover).catch(() => undefined);
  }

  const flushNow = () => void saver.flush();
  window.addEventListener('pagehide', flushNow);
  window.addEventListener('beforeunload', flushNow);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flushNow();
  });
  return saver;
}

/**
 * Offers the newest unsaved work of an ended session; after a discard, the next one (two windows may have crashed).
 * Returns the session id of a restored record, to delete once this session has stored the document itself.
 */
async function offerRecovery(storage: AutosaveStorage, sessionId: string): Promise<string | null> {
  const live = await liveSessions();
  for (;;) {
    const plan = planRecovery(await storage.list(), live, sessionId);
    for (const id of plan.obsolete) await storage.delete(id).catch(() => undefined);
    const offer = plan.offer;
    if (!offer) return null;
    const decision = await askRecovery(offer);
    if (decision === 'discard') {
      await storage.delete(offer.record.sessionId);
      continue;
    }
    if (decision === 'restore' && offer.kind === 'restorable') {
      const store = documentStore.getState();
      store.load(offer.topology, offer.record.filePath, { dirty: true });
      store.notify(`Restored unsaved changes to ${offer.record.name}`);
      setTimeout(() => commands.fit(), 80);
      return offer.record.sessionId;
    }
    // Kept for later: it stays stored and is offered again at the next start.
    return null;
  }
}
