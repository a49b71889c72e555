// Autosave of the open document and the crash-recovery decision, free of DOM and timers so tests drive it with a fake clock and storage.
import { parseTopologyText, serializeTopology } from '../../app/model/file';
import type { Topology } from '../../app/model/schema';
import type { Problem } from '../../app/model/problem';

/** What one designer session (one page load) last stored. One record per session, keyed by its id. */
export interface AutosaveRecord {
  sessionId: string;
  /** Shown to the user: the file's base name, else the topology's name. */
  name: string;
  filePath: string | null;
  /** The serialized topology (the file format, so restoring goes through the same parser and migrations as opening). */
  text: string;
  /** Epoch milliseconds of this write. */
  savedAt: number;
  /** True when the document had changes that were not saved to a file: only such records are offered for recovery. */
  dirty: boolean;
}

/** Durable storage of records (IndexedDB in the app, memory in tests). Every method may reject, e.g. when the quota is full. */
export interface AutosaveStorage {
  put(record: AutosaveRecord): Promise<void>;
  delete(sessionId: string): Promise<void>;
  list(): Promise<AutosaveRecord[]>;
}

/** Why a write did not reach storage. `quota` means the browser refused more data; the app keeps working without autosave. */
export class AutosaveError extends Error {
  override readonly name = 'AutosaveError';
  constructor(
    readonly kind: 'quota' | 'unavailable' | 'other',
    readonly sessionId: string,
    message: string,
  ) {
    super(message);
  }

  static from(e: unknown, sessionId: string): AutosaveError {
    if (e instanceof AutosaveError) return e;
    const name = (e as { name?: unknown })?.name;
    const message = e instanceof Error ? e.message : String(e);
    if (name === 'QuotaExceededError' || /quota/i.test(message)) return new AutosaveError('quota', sessionId, `browser storage is full (${message})`);
    if (name === 'InvalidStateError' || name === 'SecurityError') return new AutosaveError('unavailable', sessionId, `browser storage is unavailable (${message})`);
    return new AutosaveError('other', sessionId, message);
  }
}

/** Timers injected so the debounce is testable without real time. */
export interface AutosaveClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface DocumentSnapshot {
  doc: Topology;
  filePath: string | null;
  dirty: boolean;
}

export interface AutosaverOptions {
  storage: AutosaveStorage;
  sessionId: string;
  clock: AutosaveClock;
  /** Quiet time after the last change before writing. */
  debounceMs?: number;
  /** Continuous editing still writes at least this often. */
  maxWaitMs?: number;
  /** Called once when writes start failing (not again until one succeeds). */
  onError?: (error: AutosaveError) => void;
  /** Called when a write succeeds after failures. */
  onRecovered?: () => void;
}

export const DEFAULT_DEBOUNCE_MS = 1200;
export const DEFAULT_MAX_WAIT_MS = 5000;

export function displayName(doc: Topology, filePath: string | null): string {
  if (filePath) return filePath.split(/[\\/]/).pop() || filePath;
  return doc.name.trim() || 'Untitled';
}

/**
 * Writes the latest document snapshot to storage: debounced while the user edits, at once when the document becomes
 * clean (a save or New must clear the unsaved flag without delay), and on flush() (page hide, before unload).
 * Writes never overlap; a change during a write is written right after it.
 */
export class Autosaver {
  private latest: DocumentSnapshot | null = null;
  /** The snapshot the last successful (or in-flight) write stored, to skip writes that would change nothing. */
  private written: { doc: Topology; filePath: string | null; dirty: boolean } | null = null;
  private timer: unknown = null;
  private firstPendingAt: number | null = null;
  private queue: Promise<void> = Promise.resolve();
  private failing = false;
  private stopped = false;
  readonly debounceMs: number;
  readonly maxWaitMs: number;

  constructor(private readonly options: AutosaverOptions) {
    this.debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  get sessionId(): string {
    return this.options.sessionId;
  }

  /** True while the last write failed (e.g. quota): the UI may say autosave is off. */
  get isFailing(): boolean {
    return this.failing;
  }

  /** Records a new document state; schedules or performs the write. */
  noteChange(snapshot: DocumentSnapshot): void {
    if (this.stopped) return;
    this.latest = snapshot;
    if (this.isWritten(snapshot)) {
      this.cancelTimer();
      return;
    }
    const { clock } = this.options;
    if (!snapshot.dirty) {
      // Saved or New: the "unsaved" flag must be gone before a crash can happen.
      void this.flush();
      return;
    }
    const now = clock.now();
    this.firstPendingAt ??= now;
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstPendingAt + this.maxWaitMs - now));
    if (this.timer !== null) clock.clearTimeout(this.timer);
    this.timer = clock.setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }

  /** Writes the latest snapshot now (if it differs from what is stored); resolves when storage holds it or the write failed. */
  flush(): Promise<void> {
    this.cancelTimer();
    // Writes queue behind each other, so they never overlap and the last one stores the latest state.
    const next = this.queue.then(() => this.writeLatest());
    this.queue = next;
    return next;
  }

  /** Stops writing (the page is going away after the user chose to drop the document, or tests end). */
  stop(): void {
    this.stopped = true;
    this.cancelTimer();
  }

  private async writeLatest(): Promise<void> {
    const snapshot = this.latest;
    if (!snapshot || this.isWritten(snapshot)) return;
    const { storage, sessionId, clock } = this.options;
    const record: AutosaveRecord = {
      sessionId,
      name: displayName(snapshot.doc, snapshot.filePath),
      filePath: snapshot.filePath,
      text: serializeTopology(snapshot.doc),
      savedAt: clock.now(),
      dirty: snapshot.dirty,
    };
    try {
      await storage.put(record);
      this.written = { doc: snapshot.doc, filePath: snapshot.filePath, dirty: snapshot.dirty };
      if (this.failing) {
        this.failing = false;
        this.options.onRecovered?.();
      }
    } catch (e) {
      // Keep `written` as it was, so the next change or flush tries again.
      if (!this.failing) {
        this.failing = true;
        this.options.onError?.(AutosaveError.from(e, sessionId));
      }
    }
  }

  private isWritten(s: DocumentSnapshot): boolean {
    const w = this.written;
    // Documents are immutable: identity is equality.
    return w !== null && w.doc === s.doc && w.filePath === s.filePath && w.dirty === s.dirty;
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.firstPendingAt = null;
  }
}

export type RecoveryOffer =
  | { kind: 'restorable'; record: AutosaveRecord; topology: Topology }
  /** The stored text no longer parses (damaged storage, or a newer format): it can only be discarded or kept. */
  | { kind: 'unreadable'; record: AutosaveRecord; problems: Problem[] };

export interface RecoveryPlan {
  /** The newest record with unsaved changes whose session is gone; others wait for the next start. */
  offer: RecoveryOffer | null;
  /** Records of ended sessions that hold nothing unsaved: safe to delete. */
  obsolete: string[];
}

/**
 * Decides what to offer at start. `liveSessions` are sessions still running (other tabs): their records are theirs.
 * A record with unsaved changes is never listed as obsolete; it stays until the user restores or discards it.
 */
export function planRecovery(records: readonly AutosaveRecord[], liveSessions: ReadonlySet<string>, ownSession: string): RecoveryPlan {
  const ended = records.filter((r) => r.sessionId !== ownSession && !liveSessions.has(r.sessionId));
  const obsolete = ended.filter((r) => !r.dirty).map((r) => r.sessionId);
  const candidates = ended.filter((r) => r.dirty).sort((a, b) => b.savedAt - a.savedAt);
  const newest = candidates[0];
  if (!newest) return { offer: null, obsolete };
  const parsed = parseTopologyText(newest.text);
  const offer: RecoveryOffer = parsed.ok ? { kind: 'restorable', record: newest, topology: parsed.topology } : { kind: 'unreadable', record: newest, problems: parsed.problems };
  return { offer, obsolete };
}

/** Checks a value read back from storage, which another version of the app (or a damaged profile) may have written. */
export function isAutosaveRecord(v: unknown): v is AutosaveRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.sessionId === 'string' &&
    typeof r.name === 'string' &&
    (r.filePath === null || typeof r.filePath === 'string') &&
    typeof r.text === 'string' &&
    typeof r.savedAt === 'number' &&
    Number.isFinite(r.savedAt) &&
    typeof r.dirty === 'boolean'
  );
}

/** Storage in memory: for tests, and the last resort when the browser offers no durable storage. */
export class MemoryAutosaveStorage implements AutosaveStorage {
  readonly records = new Map<string, AutosaveRecord>();
  /** Set to make the next writes fail, e.g. with a DOMException-like { name: 'QuotaExceededError' }. */
  failWith: unknown = null;
  writes = 0;

  async put(record: AutosaveRecord): Promise<void> {
    if (this.failWith !== null) throw this.failWith;
    this.writes++;
    this.records.set(record.sessionId, { ...record });
  }
  async delete(sessionId: string): Promise<void> {
    this.records.delete(sessionId);
  }
  async list(): Promise<AutosaveRecord[]> {
    return [...this.records.values()].map((r) => ({ ...r }));
  }
}
