// The crash-recovery dialog: restore or discard the unsaved work a killed session left; discarding asks once more.
import { useState } from 'react';
import { formatPath } from '../../app/model/problem';
import type { RecoveryOffer } from './autosaver';

export type RecoveryDecision = 'restore' | 'discard' | 'later';

export function formatSavedAt(savedAt: number): string {
  const d = new Date(savedAt);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? time : `${time} on ${d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' })}`;
}

export function RecoveryDialog({ offer, onDecide, onDownload }: { offer: RecoveryOffer; onDecide: (d: RecoveryDecision) => void; onDownload: () => void }) {
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
                  <button type="button" className="small-button" onClick={onDownload} data-testid="recovery-download">
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

