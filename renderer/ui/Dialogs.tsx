// Modal pieces: the template gallery, the located errors of a file that failed to open, and the toast.
import { memo, useEffect } from 'react';
import { formatPath } from '../../app/model/problem';
import { commands } from '../commands';
import { templates } from '../lib/templates';
import { documentStore, useDoc } from '../store/document';
import { Icon } from './icons';

export const TemplateGallery = memo(function TemplateGallery({ onClose }: { onClose: () => void }) {
  const list = templates();
  useEffect(() => {
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', esc);
    return () => window.removeEventListener('keydown', esc);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal gallery" role="dialog" aria-label="Templates" data-testid="template-gallery" onClick={(e) => e.stopPropagation()}>
        <header className="modal-head">
          <h2>Start from a patent figure</h2>
          <button type="button" className="tool-button" onClick={onClose} aria-label="Close" data-testid="template-close">
            <Icon name="close" />
          </button>
        </header>
        <div className="cards">
          {list.map((tpl) => (
            <button
              type="button"
              key={tpl.file}
              className="card"
              data-testid="template-card"
              onClick={() => {
                if (commands.openTemplate(tpl.file)) onClose();
              }}
            >
              <span className="card-figure">{tpl.figure}</span>
              <span className="card-title">{tpl.title.replace(/^FIG\. \d+:\s*/, '')}</span>
              <span className="card-desc">{tpl.description}</span>
            </button>
          ))}
        </div>
      </div>
    </div>
  );
});

export const OpenErrors = memo(function OpenErrors() {
  const errors = useDoc((s) => s.openErrors);
  if (!errors) return null;
  const close = () => documentStore.getState().setOpenErrors(null);
  return (
    <div className="modal-backdrop" onClick={close}>
      <div className="modal" role="alertdialog" aria-label="File not opened" data-testid="open-errors" onClick={(e) => e.stopPropagation()}>
        <header className="modal-head">
          <h2>
            <Icon name="error" /> {errors.fileName} was not opened
          </h2>
        </header>
        <p className="muted">The current topology is unchanged. {errors.problems.length > 1 ? `${errors.problems.length} problems:` : ''}</p>
        <ul className="error-list">
          {errors.problems.slice(0, 50).map((p, i) => (
            <li key={i}>
              <code>{formatPath(p.path)}</code> {p.message}
            </li>
          ))}
        </ul>
        <footer className="modal-foot">
          <button type="button" className="primary-button" onClick={close} data-testid="open-errors-close">
            OK
          </button>
        </footer>
      </div>
    </div>
  );
});

export const ToastView = memo(function ToastView() {
  const toast = useDoc((s) => s.toast);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => documentStore.getState().dismissToast(), toast.tone === 'error' ? 5000 : 2500);
    return () => clearTimeout(timer);
  }, [toast]);
  if (!toast) return null;
  return (
    <div className={`toast ${toast.tone}`} role={toast.tone === 'error' ? 'alert' : 'status'} data-testid="toast" key={toast.id}>
      <Icon name={toast.tone === 'error' ? 'warning' : 'ok'} size={16} />
      <span>{toast.text}</span>
    </div>
  );
});
