// Undo/redo and dirty tracking of the document store: a history of documents, refused edits record nothing.
import { describe, expect, it } from 'vitest';
import { emptyTopology } from '../../app/model/schema';
import { createDocumentStore, HISTORY_LIMIT, isDirty } from './document';
import { ActionRefused, addElement, moveNodes } from './actions';

const addSite = (t: ReturnType<typeof emptyTopology>) => addElement(t, { kind: 'site', at: { x: 0, y: 0 } }).topology;

describe('document store', () => {
  it('undo and redo walk the history of documents', () => {
    const store = createDocumentStore();
    const s = store.getState();
    s.edit('Add site', addSite);
    s.edit('Add site', addSite);
    expect(store.getState().doc.sites).toHaveLength(2);
    store.getState().undo();
    expect(store.getState().doc.sites).toHaveLength(1);
    store.getState().undo();
    expect(store.getState().doc.sites).toHaveLength(0);
    store.getState().undo(); // nothing left: no change, no throw
    store.getState().redo();
    store.getState().redo();
    expect(store.getState().doc.sites).toHaveLength(2);
  });

  it('a new edit after undo drops the redo branch', () => {
    const store = createDocumentStore();
    store.getState().edit('Add site', addSite);
    store.getState().undo();
    store.getState().edit('Rename', (t) => ({ ...t, name: 'x' }));
    expect(store.getState().future).toEqual([]);
    store.getState().redo();
    expect(store.getState().doc.sites).toHaveLength(0);
  });

  it('a refused edit leaves the document and history alone and shows the reason', () => {
    const store = createDocumentStore();
    const before = store.getState().doc;
    const ok = store.getState().edit('Add', (t) => addElement(t, { kind: 'system', at: { x: 0, y: 0 } }).topology);
    expect(ok).toBe(false);
    expect(store.getState().doc).toBe(before);
    expect(store.getState().past).toEqual([]);
    expect(store.getState().toast?.tone).toBe('error');
    expect(store.getState().toast?.text).toMatch(/site/);
  });

  it('a refused edit names the element it was refused for, once', () => {
    const store = createDocumentStore();
    store.getState().edit('Map', () => {
      throw new ActionRefused('map', 'a real volume has a physical entity; it maps onto nothing', 'V11');
    });
    expect(store.getState().toast?.text).toBe('V11: a real volume has a physical entity; it maps onto nothing');
    store.getState().edit('Pair', () => {
      throw new ActionRefused('pair', 'V11 and V12 are already paired', 'V11');
    });
    expect(store.getState().toast?.text).toBe('V11 and V12 are already paired');
  });

  it('is dirty after an edit and clean again after undoing back to the saved document', () => {
    const store = createDocumentStore();
    expect(isDirty(store.getState())).toBe(false);
    store.getState().edit('Add site', addSite);
    expect(isDirty(store.getState())).toBe(true);
    store.getState().undo();
    expect(isDirty(store.getState())).toBe(false);
    store.getState().edit('Add site', addSite);
    store.getState().markSaved('/tmp/a.relaylab.json');
    expect(isDirty(store.getState())).toBe(false);
  });

  it('keeps at most HISTORY_LIMIT steps', () => {
    const store = createDocumentStore();
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) store.getState().edit('Move', (t) => moveNodes(t, { positions: { a: { x: i, y: 0 } } }));
    expect(store.getState().past).toHaveLength(HISTORY_LIMIT);
  });

  it('loading a document clears the history and counts as saved', () => {
    const store = createDocumentStore();
    store.getState().edit('Add site', addSite);
    store.getState().load(emptyTopology('opened'), '/x.relaylab.json');
    expect(store.getState().past).toEqual([]);
    expect(store.getState().doc.name).toBe('opened');
    expect(isDirty(store.getState())).toBe(false);
  });
});

describe('loads', () => {
  it('counts loads (the canvas fits its view to a loaded document), not edits', () => {
    const store = createDocumentStore();
    expect(store.getState().loads).toBe(0);
    store.getState().edit('Add', (t) => addSite(t));
    expect(store.getState().loads).toBe(0);
    store.getState().load(emptyTopology('opened'), null);
    expect(store.getState().loads).toBe(1);
  });
});
