// A document the desktop shell named, as the renderer opens it: the usual parse, the usual error dialog, the usual discard confirm.
import { beforeEach, describe, expect, it } from 'vitest';
import { builtInText } from '../../test/builtins';
import { emptyTopology } from '../../app/model/schema';
import { documentStore } from '../store/document';
import { openFromShell } from './files';

const fig1Text = builtInText('fig01-loop-cascade.relaylab.json');
const fig1Name = (JSON.parse(fig1Text) as { name: string }).name;

describe('opening a document the shell named', () => {
  beforeEach(() => documentStore.getState().load(emptyTopology(), null));

  it('makes it the document, with its path, so Save writes back to it', () => {
    expect(openFromShell({ path: '/srv/dr/fig01.relaylab.json', text: fig1Text }, () => true)).toBe(true);
    const state = documentStore.getState();
    expect(state.doc.name).toBe(fig1Name);
    expect(state.filePath).toBe('/srv/dr/fig01.relaylab.json');
    expect(state.openErrors).toBeNull();
  });

  it('shows the located problems of a file that is not a topology, and keeps the current document', () => {
    const before = documentStore.getState().doc;
    expect(openFromShell({ path: 'C:\\dr\\broken.relaylab.json', text: '{"formatVersion": 1, "sites": "no"}' }, () => true)).toBe(false);
    const state = documentStore.getState();
    expect(state.doc).toBe(before);
    expect(state.openErrors?.fileName).toBe('broken.relaylab.json');
    expect(state.openErrors?.problems.length).toBeGreaterThan(0);
  });

  it('keeps unsaved work when the user declines to discard it', () => {
    const before = documentStore.getState().doc;
    let asked = 0;
    expect(
      openFromShell({ path: '/srv/dr/fig01.relaylab.json', text: fig1Text }, () => {
        asked++;
        return false;
      }),
    ).toBe(false);
    expect(asked).toBe(1);
    expect(documentStore.getState().doc).toBe(before);
  });
});
