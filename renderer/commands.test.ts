// The shortcut table: each keystroke names exactly one command, and typing in a field never triggers one.
import { describe, expect, it } from 'vitest';
import { SHORTCUTS } from './commands';

type Key = Partial<KeyboardEvent> & { key: string };
const ev = (k: Key) => ({ ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, code: '', ...k }) as KeyboardEvent;
const which = (k: Key) => SHORTCUTS.filter((s) => s.test(ev(k))).map((s) => s.name);

describe('keyboard shortcuts', () => {
  it('maps the editing keys to their commands, one each', () => {
    expect(which({ key: 'z', ctrlKey: true })).toEqual(['undo']);
    expect(which({ key: 'Z', ctrlKey: true, shiftKey: true })).toEqual(['redo']);
    expect(which({ key: 'y', ctrlKey: true })).toEqual(['redo']);
    expect(which({ key: 'c', metaKey: true })).toEqual(['copy']);
    expect(which({ key: 'v', ctrlKey: true })).toEqual(['paste']);
    expect(which({ key: 'd', ctrlKey: true })).toEqual(['duplicate']);
    expect(which({ key: 'Delete' })).toEqual(['deleteSelection']);
    expect(which({ key: 'Backspace' })).toEqual(['deleteSelection']);
    expect(which({ key: '!', shiftKey: true, code: 'Digit1' })).toEqual(['fit']);
    expect(which({ key: 'f' })).toEqual(['fit']);
    expect(which({ key: 's', ctrlKey: true })).toEqual(['save']);
    expect(which({ key: 'S', ctrlKey: true, shiftKey: true })).toEqual(['saveAs']);
  });

  it('leaves plain letters alone (they belong to fields and the canvas)', () => {
    expect(which({ key: 'z' })).toEqual([]);
    expect(which({ key: 'd' })).toEqual([]);
  });
});
