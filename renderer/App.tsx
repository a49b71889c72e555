// The designer window: toolbar on top, palette left, canvas centre, inspector right, problems/tables below; shortcuts, theme and file drops.
import { useCallback, useEffect, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Canvas } from './canvas/Canvas';
import { LiveDock } from './live/LiveDock';
import { Toolbar } from './ui/Toolbar';
import { Palette } from './ui/Palette';
import { Inspector } from './ui/Inspector';
import { BottomPanel } from './ui/BottomPanel';
import { OpenErrors, TemplateGallery, ToastView } from './ui/Dialogs';
import { ContextMenu } from './ui/ContextMenu';
import { ClassJoin } from './class/ClassJoin';
import { handleShortcut } from './commands';
import { confirmDiscard, openText } from './lib/files';
import { api } from './services';
import { commands } from './commands';
import { isDirty, documentStore } from './store/document';

type Theme = 'light' | 'dark';
const THEME_KEY = 'relaylab.theme';

function initialTheme(): Theme {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function App() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [gallery, setGallery] = useState(false);
  const [dropping, setDropping] = useState(false);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => handleShortcut(e);
    window.addEventListener('keydown', onKey);
    // Closing the tab with unsaved changes asks first.
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (isDirty(documentStore.getState())) e.preventDefault();
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, []);

  // Menu actions from the desktop shell arrive as events; they call the same commands.
  useEffect(() => {
    let off: (() => void) | undefined;
    void api().then((a) => {
      off = a?.on('app.menu', ({ action }) => {
        const fn = (commands as Record<string, unknown>)[action];
        if (typeof fn === 'function' && action !== 'openTemplate') (fn as () => void)();
        else if (action === 'templates') setGallery(true);
      });
    });
    return () => off?.();
  }, []);

  // A .relaylab.json dropped anywhere on the window opens it (palette drags carry no files and are left to the canvas).
  const onDragOver = useCallback((e: React.DragEvent) => {
    if (!e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    setDropping(true);
  }, []);
  const onDrop = useCallback(async (e: React.DragEvent) => {
    setDropping(false);
    const file = e.dataTransfer.files?.[0];
    if (!file) return;
    e.preventDefault();
    if (!confirmDiscard()) return;
    openText(file.name, await file.text(), null);
  }, []);

  return (
    <ReactFlowProvider>
      <div className="app" onDragOver={onDragOver} onDragLeave={() => setDropping(false)} onDrop={onDrop}>
        <Toolbar theme={theme} onToggleTheme={() => setTheme(theme === 'dark' ? 'light' : 'dark')} onTemplates={() => setGallery(true)} />
        <Palette />
        <main className="center">
          <Canvas />
          <LiveDock />
        </main>
        <Inspector />
        <BottomPanel />
        {dropping ? <div className="drop-overlay">Drop a .relaylab.json file to open it</div> : null}
      </div>
      {gallery ? <TemplateGallery onClose={() => setGallery(false)} /> : null}
      <OpenErrors />
      <ContextMenu />
      <ClassJoin />
      <ToastView />
    </ReactFlowProvider>
  );
}
