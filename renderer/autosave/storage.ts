// Durable autosave storage in the browser: IndexedDB, else localStorage, else memory; plus which sessions are still alive (Web Locks).
import { AutosaveError, MemoryAutosaveStorage, isAutosaveRecord } from './autosaver';
import type { AutosaveRecord, AutosaveStorage } from './autosaver';

const DB_NAME = 'relaylab-autosave';
const DB_VERSION = 1;
const STORE = 'documents';
const LOCAL_PREFIX = 'relaylab.autosave.';
const LOCK_PREFIX = 'relaylab.session.';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** Resolves when the transaction has committed (so the data survives a crash right after), rejects on abort (quota). */
function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

export class IndexedDbAutosaveStorage implements AutosaveStorage {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(factory: IDBFactory = indexedDB): Promise<IndexedDbAutosaveStorage> {
    const req = factory.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'sessionId' });
    };
    return new IndexedDbAutosaveStorage(await request(req));
  }

  async put(record: AutosaveRecord): Promise<void> {
    // 'strict' durability: the write is on disk when the promise resolves, which is the point of an autosave.
    const tx = this.db.transaction(STORE, 'readwrite', { durability: 'strict' });
    const done = committed(tx);
    tx.objectStore(STORE).put(record);
    await done;
  }

  async delete(sessionId: string): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite', { durability: 'strict' });
    const done = committed(tx);
    tx.objectStore(STORE).delete(sessionId);
    await done;
  }

  async list(): Promise<AutosaveRecord[]> {
    const tx = this.db.transaction(STORE, 'readonly');
    const all = await request(tx.objectStore(STORE).getAll());
    return all.filter(isAutosaveRecord);
  }
}

/** Fallback when IndexedDB is unavailable: small documents fit; a full quota rejects the write like IndexedDB would. */
export class LocalStorageAutosaveStorage implements AutosaveStorage {
  constructor(private readonly storage: Storage = localStorage) {}

  async put(record: AutosaveRecord): Promise<void> {
    this.storage.setItem(LOCAL_PREFIX + record.sessionId, JSON.stringify(record));
  }
  async delete(sessionId: string): Promise<void> {
    this.storage.removeItem(LOCAL_PREFIX + sessionId);
  }
  async list(): Promise<AutosaveRecord[]> {
    const out: AutosaveRecord[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (!key?.startsWith(LOCAL_PREFIX)) continue;
      try {
        const value: unknown = JSON.parse(this.storage.getItem(key) ?? 'null');
        if (isAutosaveRecord(value)) out.push(value);
      } catch {
        // A damaged entry is skipped, not deleted: it might still be read by hand.
      }
    }
    return out;
  }
}

export interface OpenedStorage {
  storage: AutosaveStorage;
  kind: 'indexeddb' | 'localstorage' | 'memory';
  /** Why a better storage could not be used, for the one notice the user gets. */
  problem?: AutosaveError;
}

/** The most durable storage this browser offers. Never rejects: at worst autosave runs in memory and says so. */
export async function openAutosaveStorage(sessionId: string): Promise<OpenedStorage> {
  let problem: AutosaveError | undefined;
  try {
    if (typeof indexedDB !== 'undefined') return { storage: await IndexedDbAutosaveStorage.open(), kind: 'indexeddb' };
  } catch (e) {
    problem = AutosaveError.from(e, sessionId);
  }
  try {
    if (typeof localStorage !== 'undefined') {
      localStorage.getItem(LOCAL_PREFIX); // throws where storage is disabled
      return { storage: new LocalStorageAutosaveStorage(), kind: 'localstorage', ...(problem ? { problem } : {}) };
    }
  } catch (e) {
    problem ??= AutosaveError.from(e, sessionId);
  }
  return { storage: new MemoryAutosaveStorage(), kind: 'memory', problem: problem ?? new AutosaveError('unavailable', sessionId, 'this browser offers no storage') };
}

/**
 * Holds a Web Lock named after this session for the page's lifetime. The browser releases it when the page closes
 * or crashes, so another tab can tell a running session from one that ended.
 */
export function holdSessionLock(sessionId: string): void {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return;
  void locks.request(LOCK_PREFIX + sessionId, () => new Promise<never>(() => undefined)).catch(() => undefined);
}

/** Session ids whose lock is held right now (other open tabs or windows). Empty where Web Locks are missing. */
export async function liveSessions(): Promise<Set<string>> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return new Set();
  try {
    const state = await locks.query();
    const names = [...(state.held ?? []), ...(state.pending ?? [])].map((l) => l.name ?? '');
    return new Set(names.filter((n) => n.startsWith(LOCK_PREFIX)).map((n) => n.slice(LOCK_PREFIX.length)));
  } catch {
    return new Set();
  }
}
