// Autosave and crash recovery, driven with a fake clock and in-memory storage: what is written when, and what a restart offers.
import { describe, expect, it } from 'vitest';
import { emptyTopology } from '../../app/model/schema';
import type { Topology } from '../../app/model/schema';
import { Autosaver, MemoryAutosaveStorage, isAutosaveRecord, planRecovery } from './autosaver';
import type { AutosaveClock, AutosaveError, AutosaveRecord } from './autosaver';

/** A clock whose time only moves when the test says so. */
class FakeClock implements AutosaveClock {
  time = 1_700_000_000_000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  now() {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.timers.delete(handle as number);
  }
  /** Moves time forward, firing due timers in order, and lets the writes they start settle. */
  async advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

async function settle() {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function renamed(t: Topology, name: string): Topology {
  return { ...t, name };
}

function setup(options: { debounceMs?: number; maxWaitMs?: number } = {}) {
  const clock = new FakeClock();
  const storage = new MemoryAutosaveStorage();
  const errors: AutosaveError[] = [];
  let recovered = 0;
  const saver = new Autosaver({
    storage,
    clock,
    sessionId: 'session-a',
    debounceMs: options.debounceMs ?? 1000,
    maxWaitMs: options.maxWaitMs ?? 5000,
    onError: (e) => errors.push(e),
    onRecovered: () => recovered++,
  });
  return { clock, storage, saver, errors, recovered: () => recovered };
}

function record(over: Partial<AutosaveRecord>): AutosaveRecord {
  return { sessionId: 's', name: 'FIG-1.relaylab.json', filePath: null, text: '{}', savedAt: 0, dirty: true, ...over };
}

describe('autosave while editing', () => {
  it('writes an edit once the user has paused for the debounce time, not before', async () => {
    const { clock, storage, saver } = setup();
    const edited = renamed(emptyTopology(), 'Tokyo relay');
    saver.noteChange({ doc: edited, filePath: null, dirty: true });
    await clock.advance(900);
    expect(storage.records.size).toBe(0);
    await clock.advance(100);
    const stored = storage.records.get('session-a');
    expect(stored).toMatchObject({ name: 'Tokyo relay', dirty: true, filePath: null, savedAt: clock.time });
    expect(JSON.parse(stored!.text)).toMatchObject({ name: 'Tokyo relay' });
  });

  it('coalesces a burst of edits into one write of the last state', async () => {
    const { clock, storage, saver } = setup();
    let doc = emptyTopology();
    for (let i = 0; i < 5; i++) {
      doc = renamed(doc, `edit ${i}`);
      saver.noteChange({ doc, filePath: null, dirty: true });
      await clock.advance(300);
    }
    await clock.advance(1000);
    expect(storage.writes).toBe(1);
    expect(storage.records.get('session-a')!.name).toBe('edit 4');
  });

  it('still writes during continuous editing, at least every maxWait', async () => {
    const { clock, storage, saver } = setup({ debounceMs: 1000, maxWaitMs: 3000 });
    let doc = emptyTopology();
    // An edit every 500 ms never leaves a 1 s pause.
    for (let i = 0; i < 8; i++) {
      doc = renamed(doc, `drag ${i}`);
      saver.noteChange({ doc, filePath: null, dirty: true });
      await clock.advance(500);
    }
    expect(storage.writes).toBeGreaterThanOrEqual(1);
    expect(storage.records.get('session-a')!.name).toMatch(/^drag [4-7]$/);
  });

  it('flush writes at once (page hide) and a second flush with nothing new writes nothing', async () => {
    const { storage, saver } = setup();
    saver.noteChange({ doc: renamed(emptyTopology(), 'closing'), filePath: null, dirty: true });
    await saver.flush();
    expect(storage.records.get('session-a')!.name).toBe('closing');
    await saver.flush();
    expect(storage.writes).toBe(1);
  });

  it('names the record after the file when there is one', async () => {
    const { storage, saver } = setup();
    saver.noteChange({ doc: renamed(emptyTopology(), 'inner name'), filePath: '/home/ana/dr/osaka.relaylab.json', dirty: true });
    await saver.flush();
    expect(storage.records.get('session-a')!.name).toBe('osaka.relaylab.json');
  });
});

describe('the unsaved flag', () => {
  it('a save clears it immediately, without waiting for the debounce', async () => {
    const { clock, storage, saver } = setup();
    const doc = renamed(emptyTopology(), 'Osaka');
    saver.noteChange({ doc, filePath: null, dirty: true });
    await clock.advance(1000);
    expect(storage.records.get('session-a')!.dirty).toBe(true);
    saver.noteChange({ doc, filePath: '/tmp/osaka.relaylab.json', dirty: false });
    await clock.advance(0);
    expect(storage.records.get('session-a')).toMatchObject({ dirty: false, filePath: '/tmp/osaka.relaylab.json' });
  });

  it('a save during the debounce cancels the pending dirty write, so a clean document is never marked unsaved', async () => {
    const { clock, storage, saver } = setup();
    const doc = renamed(emptyTopology(), 'Osaka');
    saver.noteChange({ doc, filePath: null, dirty: true });
    await clock.advance(200);
    saver.noteChange({ doc, filePath: 'osaka.relaylab.json', dirty: false });
    await clock.advance(5000);
    expect(storage.writes).toBe(1);
    expect(storage.records.get('session-a')!.dirty).toBe(false);
  });

  it('New clears it: the empty document is stored as clean', async () => {
    const { clock, storage, saver } = setup();
    saver.noteChange({ doc: renamed(emptyTopology(), 'work'), filePath: null, dirty: true });
    await clock.advance(1000);
    saver.noteChange({ doc: emptyTopology('Untitled'), filePath: null, dirty: false });
    await clock.advance(0);
    expect(storage.records.get('session-a')).toMatchObject({ dirty: false, name: 'Untitled' });
  });
});

describe('storage failures', () => {
  it('a full quota is reported once, the app keeps going, and the next change after space frees up is written', async () => {
    const { clock, storage, saver, errors, recovered } = setup();
    storage.failWith = Object.assign(new Error('The quota has been exceeded.'), { name: 'QuotaExceededError' });
    saver.noteChange({ doc: renamed(emptyTopology(), 'big 1'), filePath: null, dirty: true });
    await clock.advance(1000);
    saver.noteChange({ doc: renamed(emptyTopology(), 'big 2'), filePath: null, dirty: true });
    await clock.advance(1000);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'quota', sessionId: 'session-a' });
    expect(saver.isFailing).toBe(true);

    storage.failWith = null;
    saver.noteChange({ doc: renamed(emptyTopology(), 'big 3'), filePath: null, dirty: true });
    await clock.advance(1000);
    expect(storage.records.get('session-a')!.name).toBe('big 3');
    expect(recovered()).toBe(1);
    expect(saver.isFailing).toBe(false);
  });

  it('a failed write is retried by the next flush even without a new change', async () => {
    const { storage, saver } = setup();
    storage.failWith = new Error('disk I/O error');
    saver.noteChange({ doc: renamed(emptyTopology(), 'retry me'), filePath: null, dirty: true });
    await saver.flush();
    expect(storage.records.size).toBe(0);
    storage.failWith = null;
    await saver.flush();
    expect(storage.records.get('session-a')!.name).toBe('retry me');
  });
});

describe('what a restart offers', () => {
  const liveNone = new Set<string>();

  it('offers the unsaved document of a session that ended, parsed back into a topology', async () => {
    const { storage, saver } = setup();
    saver.noteChange({ doc: renamed(emptyTopology(), 'killed mid-edit'), filePath: null, dirty: true });
    await saver.flush();
    const plan = planRecovery(await storage.list(), liveNone, 'session-b');
    expect(plan.offer?.kind).toBe('restorable');
    if (plan.offer?.kind !== 'restorable') return;
    expect(plan.offer.topology.name).toBe('killed mid-edit');
    expect(plan.offer.record.sessionId).toBe('session-a');
  });

  it('offers nothing after a clean save, and lists the clean record as obsolete', async () => {
    const { storage, saver } = setup();
    saver.noteChange({ doc: emptyTopology(), filePath: 'a.relaylab.json', dirty: false });
    await saver.flush();
    const plan = planRecovery(await storage.list(), liveNone, 'session-b');
    expect(plan).toEqual({ offer: null, obsolete: ['session-a'] });
  });

  it('leaves the records of sessions still running in other tabs alone', () => {
    const text = JSON.stringify(emptyTopology());
    const plan = planRecovery([record({ sessionId: 'other-tab', text, dirty: true }), record({ sessionId: 'other-clean', text, dirty: false })], new Set(['other-tab', 'other-clean']), 'me');
    expect(plan).toEqual({ offer: null, obsolete: [] });
  });

  it('never offers its own record', () => {
    const plan = planRecovery([record({ sessionId: 'me', text: JSON.stringify(emptyTopology()) })], liveNone, 'me');
    expect(plan.offer).toBeNull();
  });

  it('offers the newest of several unsaved documents and never marks an unsaved one obsolete', () => {
    const text = JSON.stringify(emptyTopology());
    const plan = planRecovery(
      [record({ sessionId: 'old', savedAt: 100, text }), record({ sessionId: 'new', savedAt: 200, text }), record({ sessionId: 'clean', savedAt: 300, text, dirty: false })],
      liveNone,
      'me',
    );
    expect(plan.offer?.record.sessionId).toBe('new');
    expect(plan.obsolete).toEqual(['clean']);
  });

  it('a damaged record is offered as unreadable with located problems, not dropped', () => {
    const plan = planRecovery([record({ sessionId: 'broken', text: '{"formatVersion": 1, "sites": [' })], liveNone, 'me');
    expect(plan.offer?.kind).toBe('unreadable');
    if (plan.offer?.kind !== 'unreadable') return;
    expect(plan.offer.problems.length).toBeGreaterThan(0);
    expect(plan.obsolete).toEqual([]);
  });

  it('refuses values that are not records (another version or a damaged profile wrote them)', () => {
    expect(isAutosaveRecord(record({}))).toBe(true);
    expect(isAutosaveRecord({ ...record({}), savedAt: 'yesterday' })).toBe(false);
    expect(isAutosaveRecord({ ...record({}), dirty: 1 })).toBe(false);
    expect(isAutosaveRecord(null)).toBe(false);
  });
});
