// The designer window: toolbar on top; palette, canvas (over the live dock and the problems/tables/planning panel) and inspector in resizable, collapsible panels; presentation mode; shortcuts, theme and file drops.
import { useCallback, useEffect, useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Group, Panel, Separator } from 'react-resizable-panels';
import { Canvas } from './canvas/Canvas';
import { LiveDock, LiveDockPanel, PresentationControls } from './live/LiveDock';
import { LiveHighlights, LiveStepBanner } from './live/canvas';
import { WriteTokens } from './live/WriteTokens';
import { PlayTokens } from './live/PlayTokens';
import { ScenarioBanner } from './live/ScenarioBar';
import { Toolbar } from './ui/Toolbar';
import { Palette } from './ui/Palette';
import { Inspector } from './ui/Inspector';
import { BottomPanel } from './ui/BottomPanel';
import { OpenErrors, TemplateGallery, ToastView } from './ui/Dialogs';
import { ContextMenu } from './ui/ContextMenu';
import { ClassJoin } from './class/ClassJoin';
import { Legend } from './ui/Legend';
import { handleShortcut } from './commands';
import { confirmDiscard, openText } from './lib/files';
import { api } from './services';
import { commands } from './commands';
import { isDirty, documentStore } from './store/document';
import { useLayout } from './ui/layout';

type Theme = 'light' | 'dark';
const THEME_KEY = 'relaylab.theme';

function initialTheme(): Theme {
  const saved = localStorage.getItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** A thin splitter between two panels (react-resizable-panels handles drag, keyboard and double-click reset). */
function Splitter({ id, vertical = false }: { id: string; vertical?: boolean }) {
  return <Separator id={`split-${id}`} className={`splitter${vertical ? ' is-vertical' : ''}`} data-testid={`splitter-${id}`} />;
}

export function App() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [gallery, setGallery] = useState(false);
  const [dropping, setDropping] = useState(false);
  const presenting = useLayout((s) => s.presenting);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);

  // Entering or leaving presentation mode changes the canvas area and the smallest zoom a fit may pick: fit again.
  useEffect(() => {
    const frame = requestAnimationFrame(() => requestAnimationFrame(() => commands.fit()));
    return () => cancelAnimationFrame(frame);
  }, [presenting]);

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

  // One tree in both modes (the canvas is never remounted); presentation mode hides the panels with CSS.
  return (
    <ReactFlowProvider>
      <div className={`app${presenting ? ' is-presenting' : ''}`} data-testid="app" onDragOver={onDragOver} onDragLeave={() => setDropping(false)} onDrop={onDrop}>
        <Toolbar theme={theme} onToggleTheme={() => setTheme(theme === 'dark' ? 'light' : 'dark')} onTemplates={() => setGallery(true)} />
        <Group id="rl-columns" orientation="horizontal" className="workspace">
          <Panel id="panel-palette" className="panel-palette" defaultSize={196} minSize={150} maxSize={340} collapsible collapsedSize={0} groupResizeBehavior="preserve-pixel-size">
            <Palette />
          </Panel>
          <Splitter id="palette" />
          <Panel id="panel-middle" minSize={320}>
            <Group id="rl-rows" orientation="vertical" className="middle">
              <Panel id="panel-canvas" minSize={160}>
                <main className="center" data-testid="canvas-area">
                  <LiveStepBanner />
                  <div className="canvas-frame">
                    <Canvas />
                    <LiveHighlights />
                    <WriteTokens />
                    <PlayTokens />
                    <ScenarioBanner />
                    <Legend />
                    {presenting ? <PresentationControls /> : null}
                  </div>
                </main>
              </Panel>
              <Splitter id="dock" vertical />
              <LiveDockPanel>
                <LiveDock />
              </LiveDockPanel>
              <Splitter id="bottom" vertical />
              <BottomPanel />
            </Group>
          </Panel>
          <Splitter id="inspector" />
          <Panel id="panel-inspector" className="panel-inspector" defaultSize={300} minSize={230} maxSize={520} collapsible collapsedSize={0} groupResizeBehavior="preserve-pixel-size">
            <Inspector />
          </Panel>
        </Group>
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
