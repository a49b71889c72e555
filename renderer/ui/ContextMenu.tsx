// Right-click menu on nodes, edges and the empty canvas; every item calls the same command as the toolbar and the shortcuts.
import { memo, useEffect } from 'react';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { commands } from '../commands';
import { documentStore } from '../store/document';
import { LiveMenuItems } from '../live/canvas';
import { useLive } from '../live/store';

/** While the run plays, the engine runs this model: an edit that removes or adds elements waits for a pause. */
export const RUNNING_EDIT_REASON = 'the run is playing: pause it to change the model';

interface MenuState {
  at: { x: number; y: number } | null;
  /** What was right-clicked: an element id, or null for the empty canvas. */
  target: string | null;
}

export const contextMenu = createStore<MenuState>(() => ({ at: null, target: null }));

export function openContextMenu(x: number, y: number, target: string | null): void {
  // Right-clicking something not yet selected selects it, as in every editor.
  if (target && !documentStore.getState().selection.includes(target)) documentStore.getState().select([target]);
  contextMenu.setState({ at: { x, y }, target });
}

const close = () => contextMenu.setState({ at: null, target: null });

export const ContextMenu = memo(function ContextMenu() {
  const { at, target } = useStore(contextMenu);
  const running = useLive((s) => s.snapshot?.running ?? false) ? RUNNING_EDIT_REASON : undefined;
  useEffect(() => {
    if (!at) return;
    const onDown = (e: PointerEvent) => {
      if (!(e.target as HTMLElement).closest('.context-menu')) close();
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    window.addEventListener('pointerdown', onDown);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('pointerdown', onDown);
      window.removeEventListener('keydown', onKey);
    };
  }, [at]);
  if (!at) return null;
  const item = (label: string, run: () => void, testId: string, shortcut?: string, disabledReason?: string) => (
    <button
      type="button"
      role="menuitem"
      className={`menu-item${disabledReason ? ' is-disabled' : ''}`}
      data-testid={testId}
      aria-disabled={disabledReason ? true : undefined}
      title={disabledReason}
      onClick={() => {
        if (disabledReason) return;
        close();
        run();
      }}
    >
      <span>{label}</span>
      {shortcut ? <kbd>{shortcut}</kbd> : null}
    </button>
  );
  const hasClipboard = documentStore.getState().clipboard !== null;
  return (
    <div className="context-menu menu-popup" role="menu" style={{ position: 'fixed', left: at.x, top: at.y }} data-testid="context-menu">
      {target ? (
        <>
          {item('Copy', commands.copy, 'ctx-copy', 'Ctrl+C')}
          {item('Duplicate', commands.duplicate, 'ctx-duplicate', 'Ctrl+D', running)}
          {item('Delete', commands.deleteSelection, 'ctx-delete', 'Del', running)}
          {item('Show on canvas', () => documentStore.getState().focusOn(target), 'ctx-focus')}
          <LiveMenuItems targetId={target} onDone={close} />
        </>
      ) : (
        <>
          {hasClipboard ? item('Paste', commands.paste, 'ctx-paste', 'Ctrl+V', running) : null}
          {item('Select all', commands.selectAll, 'ctx-select-all', 'Ctrl+A')}
          {item('Zoom to fit', commands.fit, 'ctx-fit', 'F')}
          {item('Auto-layout', () => void commands.autoLayout(), 'ctx-autolayout')}
          {item('Reset to automatic placement', commands.resetLayout, 'ctx-reset-layout')}
        </>
      )}
    </div>
  );
});
