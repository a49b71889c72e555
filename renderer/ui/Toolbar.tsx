// The top toolbar: file menu, undo/redo, view commands, templates, export menu, theme toggle; the title carries the dirty marker.
import { memo, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { commands } from '../commands';
import { isDirty, useDoc } from '../store/document';
import { openRecent, recentFiles } from '../lib/files';
import { Icon } from './icons';
import type { IconName } from './icons';

function ToolButton({ icon, label, onClick, testId, disabled, shortcut }: { icon: IconName; label: string; onClick: () => void; testId: string; disabled?: boolean; shortcut?: string }) {
  return (
    <button type="button" className="tool-button" onClick={onClick} data-testid={testId} disabled={disabled} title={shortcut ? `${label} (${shortcut})` : label} aria-label={label}>
      <Icon name={icon} />
    </button>
  );
}

function Menu({ label, icon, testId, children, onOpen }: { label: string; icon: IconName; testId: string; children: ReactNode; onOpen?: () => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', close);
    return () => window.removeEventListener('pointerdown', close);
  }, [open]);
  return (
    <div className="menu" ref={ref}>
      <button
        type="button"
        className={`tool-button with-label${open ? ' is-open' : ''}`}
        data-testid={testId}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => {
          if (!open) onOpen?.();
          setOpen(!open);
        }}
      >
        <Icon name={icon} />
        <span>{label}</span>
      </button>
      {open ? (
        <div className="menu-popup" role="menu" onClick={() => setOpen(false)}>
          {children}
        </div>
      ) : null}
    </div>
  );
}

function MenuItem({ label, shortcut, onClick, testId }: { label: string; shortcut?: string; onClick: () => void; testId: string }) {
  return (
    <button type="button" role="menuitem" className="menu-item" onClick={onClick} data-testid={testId}>
      <span>{label}</span>
      {shortcut ? <kbd>{shortcut}</kbd> : null}
    </button>
  );
}

export const Toolbar = memo(function Toolbar({ theme, onToggleTheme, onTemplates }: { theme: 'light' | 'dark'; onToggleTheme: () => void; onTemplates: () => void }) {
  const name = useDoc((s) => s.doc.name);
  const dirty = useDoc(isDirty);
  const canUndo = useDoc((s) => s.past.length > 0);
  const canRedo = useDoc((s) => s.future.length > 0);
  const [recent, setRecent] = useState<string[]>([]);

  useEffect(() => {
    document.title = `${dirty ? '• ' : ''}${name || 'Untitled'} — RelayLab`;
  }, [name, dirty]);

  return (
    <header className="toolbar" data-testid="toolbar">
      <div className="brand">
        <svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true">
          <circle cx="4" cy="11" r="3" className="brand-a" />
          <circle cx="11" cy="11" r="3" className="brand-b" />
          <circle cx="18" cy="11" r="3" className="brand-c" />
          <path d="M7 11h1M14 11h1" className="brand-line" />
        </svg>
        <span>RelayLab</span>
      </div>
      <Menu label="File" icon="open" testId="toolbar-file" onOpen={() => void recentFiles().then(setRecent)}>
        <MenuItem label="New" onClick={commands.newDocument} testId="menu-new" />
        <MenuItem label="Open…" shortcut="Ctrl+O" onClick={commands.open} testId="menu-open" />
        <MenuItem label="Open template…" onClick={onTemplates} testId="menu-templates" />
        <MenuItem label="Save" shortcut="Ctrl+S" onClick={commands.save} testId="menu-save" />
        <MenuItem label="Save as…" shortcut="Ctrl+Shift+S" onClick={commands.saveAs} testId="menu-save-as" />
        <MenuItem label="Import CCI or DRBD files…" onClick={commands.importConfiguration} testId="menu-import" />
        {recent.length ? <div className="menu-section">Recent</div> : null}
        {recent.map((r) => (
          <MenuItem key={r} label={r.split(/[\\/]/).pop() ?? r} onClick={() => void openRecent(r)} testId="menu-recent" />
        ))}
      </Menu>
      <div className="toolbar-group">
        <ToolButton icon="new" label="New topology" onClick={commands.newDocument} testId="toolbar-new" />
        <ToolButton icon="save" label="Save" onClick={commands.save} testId="toolbar-save" shortcut="Ctrl+S" />
      </div>
      <div className="toolbar-group">
        <ToolButton icon="undo" label="Undo" onClick={commands.undo} testId="toolbar-undo" disabled={!canUndo} shortcut="Ctrl+Z" />
        <ToolButton icon="redo" label="Redo" onClick={commands.redo} testId="toolbar-redo" disabled={!canRedo} shortcut="Ctrl+Shift+Z" />
      </div>
      <div className="toolbar-group">
        <ToolButton icon="fit" label="Zoom to fit" onClick={commands.fit} testId="toolbar-fit" shortcut="Shift+1" />
        <ToolButton icon="layout" label="Auto-layout" onClick={() => void commands.autoLayout()} testId="toolbar-autolayout" />
        <ToolButton icon="copy" label="Duplicate selection" onClick={commands.duplicate} testId="toolbar-duplicate" shortcut="Ctrl+D" />
        <ToolButton icon="trash" label="Delete selection" onClick={commands.deleteSelection} testId="toolbar-delete" shortcut="Delete" />
      </div>
      <div className="doc-title" data-testid="doc-title" title={name}>
        <span className="doc-name">{name || 'Untitled'}</span>
        {dirty ? (
          <span className="dirty-dot" data-testid="dirty-marker" title="unsaved changes">
            ●
          </span>
        ) : null}
      </div>
      <button type="button" className="tool-button with-label" onClick={onTemplates} data-testid="toolbar-templates">
        <Icon name="templates" />
        <span>Templates</span>
      </button>
      <Menu label="Export" icon="export" testId="toolbar-export">
        <MenuItem label="Canvas as PNG" onClick={commands.exportPng} testId="export-png" />
        <MenuItem label="Canvas as SVG" onClick={commands.exportSvg} testId="export-svg" />
        <MenuItem label="Canvas as PDF" onClick={commands.exportPdf} testId="export-pdf" />
        <MenuItem label="Mapping tables (CSV)" onClick={commands.exportCsv} testId="export-csv" />
        <MenuItem label="Topology file (.relaylab.json)" onClick={commands.exportTopology} testId="export-topology" />
        <div className="menu-section">Configuration</div>
        <MenuItem label="Hitachi CCI (horcm.conf + pairs.sh)" onClick={commands.exportCci} testId="export-cci" />
        <MenuItem label="DRBD 9 (.res)" onClick={commands.exportDrbd} testId="export-drbd" />
        <MenuItem label="draw.io (.drawio)" onClick={commands.exportDrawio} testId="export-drawio" />
      </Menu>
      <ToolButton icon={theme === 'dark' ? 'sun' : 'moon'} label={theme === 'dark' ? 'Light theme' : 'Dark theme'} onClick={onToggleTheme} testId="toolbar-theme" />
    </header>
  );
});
