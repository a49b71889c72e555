// Starts autosave for the designer's document and, first, offers to restore unsaved work left by a session that crashed or was killed.
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { formatPath } from '../../app/model/problem';
import { documentStore, isDirty } from '../store/document';
import type { DocumentState } from '../store/document';
import { download } from '../lib/files';
import { commands } from '../commands';
import { Autosaver, planRecovery } from './autosaver';
import type { AutosaveClock, AutosaveStorage, DocumentSnapshot, RecoveryOffer } from './autosaver';
import { holdSessionLock, liveSessions, openAutosaveStorage } from './storage';

type Decision = 'restore' | 'discard' | 'later';

const browserClock: AutosaveClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number),
};

export function formatSavedAt(savedAt: number): string {
  const d = new Date(savedAt);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${time} on ${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })}`;
}

export function RecoveryDialog({ offer, onDecide }: { offer: RecoveryOffer; onDecide: (d: Decision) => void }) {
  // Discarding is the one step that loses work: it asks once more.
  const [confirmingDiscard, setConfirmingDiscard] = useState(false);
  const { record } = offer;
  const when = formatSavedAt(record.savedAt);
  return (
    <div className="modal-backdrop">
      <div className="modal" role="alertdialog" aria-modal="true" aria-labelledby="recovery-title" data-testid="recovery-dialog">
        <header className="modal-head">
          <h2 id="recovery-title">Unsaved changes found</h2>
        </header>
        {offer.kind === 'restorable' ? (
          <p data-testid="recovery-message">
            RelayLab closed with unsaved changes to <strong>{record.name}</strong> at {when}. Restore them?
          </p>
        ) : (
          <>
            <p data-testid="recovery-message">
              RelayLab closed with unsaved changes to <strong>{record.name}</strong> at {when}, but the autosaved copy can no longer be read. You can download its raw text before
              discarding it.
            </p>
            <ul className="error-list">
              {offer.problems.slice(0, 5).map((p, i) => (
                <li key={i}>
                  <code>{formatPath(p.path)}</code> {p.message}
                </li>
              ))}
            </ul>
          </>
        )}
        {confirmingDiscard ? (
          <p className="muted" data-testid="recovery-confirm">
            Discard the unsaved changes to {record.name} for good? This cannot be undone.
          </p>
        ) : (
          <p className="muted">{offer.kind === 'restorable' ? 'Restoring opens them as an unsaved document; the undo history starts fresh.' : ''}</p>
        )}
        <footer className="modal-foot" style={{ gap: 8 }}>
          {confirmingDiscard ? (
            <>
              <button type="button" className="small-button" onClick={() => setConfirmingDiscard(false)} data-testid="recovery-discard-cancel">
                Keep them
              </button>
              <button type="button" className="small-button" onClick={() => onDecide('discard')} data-testid="recovery-discard-confirm">
                Discard for good
              </button>
            </>
          ) : (
            <>
              <button type="button" className="small-button" onClick={() => setConfirmingDiscard(true)} data-testid="recovery-discard">
                Discard…
              </button>
              {offer.kind === 'restorable' ? (
                <button type="button" className="primary-button" onClick={() => onDecide('restore')} data-testid="recovery-restore" autoFocus>
                  Restore
                </button>
              ) : (
                <>
                  <button type="button" className="small-button" onClick={() => download(`${record.name}.autosave.txt`, record.text, 'text/plain')} data-testid="recovery-download">
                    Download raw text
                  </button>
                  <button type="button" className="primary-button" onClick={() => onDecide('later')} data-testid="recovery-later" autoFocus>
                    Keep for later
                  </button>
                </>
              )}
            </>
          )}
        </footer>
      </div>
    </div>
  );
}

/** Shows the dialog in its own root above the designer and resolves with the user's choice. */
function askRecovery(offer: RecoveryOffer): Promise<Decision> {
  return new Promise((resolve) => {
    const host = document.createElement('div');
    host.dataset.role = 'recovery';
    document.body.appendChild(host);
    const root = createRoot(host);
    const decide = (d: Decision) => {
      root.unmount();
      host.remove();
      resolve(d);
    };
    root.render(<RecoveryDialog offer={offer} onDecide={decide} />);
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

/** Returns the session id of a restored record, to delete once this session has stored the document itself. */
async function offerRecovery(storage: AutosaveStorage, sessionId: string): Promise<string | null> {
  const plan = planRecovery(await storage.list(), await liveSessions(), sessionId);
  for (const id of plan.obsolete) await storage.delete(id).catch(() => undefined);
  const offer = plan.offer;
  if (!offer) return null;
  const decision = await askRecovery(offer);
  if (decision === 'discard') {
    await storage.delete(offer.record.sessionId);
    return null;
  }
  if (decision === 'restore' && offer.kind === 'restorable') {
    const store = documentStore.getState();
    store.load(offer.topology, offer.record.filePath, { dirty: true });
    store.notify(`Restored unsaved changes to ${offer.record.name}`);
    setTimeout(() => commands.fit(), 80);
    return offer.record.sessionId;
  }
  return null;
}
