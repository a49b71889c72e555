// What the recovery dialog says, and the localStorage fallback's behaviour when the quota is full (node env, no browser).
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { emptyTopology } from '../../app/model/schema';
import { Autosaver, planRecovery } from './autosaver';
import type { AutosaveClock, AutosaveError, AutosaveRecord } from './autosaver';
import { RecoveryDialog } from './RecoveryDialog';
import { LocalStorageAutosaveStorage } from './storage';

/** A Storage with a byte budget that throws the way browsers do when it is exceeded. */
class SmallStorage implements Storage {
  private items = new Map<string, string>();
  constructor(private readonly budget: number) {}
  get length() {
    return this.items.size;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    const used = [...this.items].filter(([key]) => key !== k).reduce((n, [key, val]) => n + key.length + val.length, 0);
    if (used + k.length + v.length > this.budget) throw Object.assign(new Error("Setting the value of 'x' exceeded the quota."), { name: 'QuotaExceededError' });
    this.items.set(k, v);
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
  clear() {
    this.items.clear();
  }
}

const immediateClock: AutosaveClock = { now: () => Date.UTC(2026, 10, 25, 14, 5), setTimeout: (fn) => setTimeout(fn, 0), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

function record(over: Partial<AutosaveRecord> = {}): AutosaveRecord {
  return { sessionId: 'gone', name: 'osaka.relaylab.json', filePath: '/dr/osaka.relaylab.json', text: JSON.stringify(emptyTopology('Osaka')), savedAt: Date.UTC(2026, 10, 25, 14, 5), dirty: true, ...over };
}

describe('the recovery dialog', () => {
  it('names the document and the time and asks to restore', () => {
    const offer = planRecovery([record()], new Set(), 'me').offer!;
    const html = renderToStaticMarkup(<RecoveryDialog offer={offer} onDecide={() => undefined} onDownload={() => undefined} />);
    expect(html).toMatch(/RelayLab closed with unsaved changes to <strong>osaka\.relaylab\.json<\/strong> at [^<]+\. Restore them\?/);
    expect(html).toContain('data-testid="recovery-restore"');
    expect(html).toContain('data-testid="recovery-discard"');
  });

  it('for a damaged autosave, shows its problems and offers the raw text instead of Restore', () => {
    const offer = planRecovery([record({ text: '{"formatVersion":1,"sites":[{"id":' })], new Set(), 'me').offer!;
    const html = renderToStaticMarkup(<RecoveryDialog offer={offer} onDecide={() => undefined} onDownload={() => undefined} />);
    expect(html).toContain('can no longer be read');
    expect(html).toContain('data-testid="recovery-download"');
    expect(html).not.toContain('data-testid="recovery-restore"');
  });
});

describe('the localStorage fallback', () => {
  it('stores and lists records, skipping foreign keys and damaged entries', async () => {
    const raw = new SmallStorage(1_000_000);
    raw.setItem('relaylab.theme', 'dark');
    raw.setItem('relaylab.autosave.broken', '{not json');
    const storage = new LocalStorageAutosaveStorage(raw);
    await storage.put(record());
    expect((await storage.list()).map((r) => r.sessionId)).toEqual(['gone']);
    await storage.delete('gone');
    expect(await storage.list()).toEqual([]);
  });

  it('a document too big for the quota is reported as a quota error and the older autosave stays readable', async () => {
    const raw = new SmallStorage(4_000);
    const storage = new LocalStorageAutosaveStorage(raw);
    const errors: AutosaveError[] = [];
    const saver = new Autosaver({ storage, sessionId: 'me', clock: immediateClock, onError: (e) => errors.push(e) });
    saver.noteChange({ doc: emptyTopology('small'), filePath: null, dirty: true });
    await saver.flush();
    saver.noteChange({ doc: { ...emptyTopology('big'), description: 'x'.repeat(10_000) }, filePath: null, dirty: true });
    await saver.flush();
    expect(errors.map((e) => e.kind)).toEqual(['quota']);
    const [kept] = await storage.list();
    expect(JSON.parse(kept!.text)).toMatchObject({ name: 'small' });
  });
});
