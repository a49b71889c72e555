// Desktop file I/O: atomic saves (temp file + rename), size-guarded reads, and the recent-files list.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { MAX_FILE_BYTES } from '../app/model/file';

/** A file operation that failed, with the path and the step it failed at. */
export class FileError extends Error {
  override readonly name = 'FileError';
  constructor(
    readonly filePath: string,
    readonly step: 'read' | 'write' | 'rename' | 'too-large' | 'not-a-file',
    message: string,
  ) {
    super(`${filePath}: ${message}`);
  }
}

/** A temp file left by a save is at least this old before a later save next to it removes it. */
export const STALE_TEMP_AGE_MS = 60_000;

/** Temp files of saves still running in this process: never cleaned up, however slow the disk. */
const tempsInFlight = new Set<string>();

/** The temp-file name a save of `fileName` uses: `.<name>.<pid>.<12 hex>.tmp`. */
export function tempFileNamePattern(fileName: string): RegExp {
  return new RegExp(`^\\.${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d+\\.[0-9a-f]{12}\\.tmp$`);
}

/**
 * Writes `text` so that a crash or full disk never leaves a half-written document: the data goes to a temporary
 * file in the same directory (same filesystem, so rename is atomic), is flushed to disk, then renamed over the target,
 * and the directory is flushed so the rename itself survives a power cut. Temp files that killed saves of the same
 * file left behind are removed afterwards.
 */
export async function atomicWriteFile(filePath: string, text: string): Promise<void> {
  const dir = path.dirname(filePath);
  const temp = path.join(dir, `.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  tempsInFlight.add(temp);
  try {
    try {
      const handle = await open(temp, 'wx', 0o644);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw new FileError(filePath, 'write', `could not write: ${(e as Error).message}`);
    }
    try {
      await rename(temp, filePath);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw new FileError(filePath, 'rename', `could not replace the file: ${(e as Error).message}`);
    }
  } finally {
    tempsInFlight.delete(temp);
  }
  await syncDirectory(dir);
  await removeStaleTempFiles(filePath).catch(() => undefined);
}

/**
 * fsync of the directory makes the rename durable on POSIX filesystems. Windows cannot open a directory for
 * flushing (NTFS journals the rename itself), and some filesystems refuse it (EINVAL): the save has succeeded by
 * then, so those cases are skipped rather than reported as a failed save.
 */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Unsupported here (see above).
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Removes temp files of earlier saves of `filePath` that a kill or crash left behind: only names of our own pattern
 * for this file, only when older than `olderThanMs`, never one a save in this process is still writing.
 * Returns the names removed.
 */
export async function removeStaleTempFiles(filePath: string, olderThanMs = STALE_TEMP_AGE_MS, now = Date.now()): Promise<string[]> {
  const dir = path.dirname(filePath);
  const pattern = tempFileNamePattern(path.basename(filePath));
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    if (!pattern.test(name)) continue;
    const full = path.join(dir, name);
    if (tempsInFlight.has(full)) continue;
    try {
      const info = await stat(full);
      if (!info.isFile() || now - info.mtimeMs < olderThanMs) continue;
      await unlink(full);
      removed.push(name);
    } catch {
      // Gone already (another save cleaned it) or not ours to remove: leave it.
    }
  }
  return removed;
}

/** Reads a document, refusing files above the format's size limit before reading them into memory. */
export async function readDocumentFile(filePath: string, maxBytes = MAX_FILE_BYTES): Promise<string> {
  let info;
  try {
    info = await stat(filePath);
  } catch (e) {
    throw new FileError(filePath, 'read', `could not read: ${(e as Error).message}`);
  }
  if (!info.isFile()) throw new FileError(filePath, 'not-a-file', 'not a regular file');
  if (info.size > maxBytes) throw new FileError(filePath, 'too-large', `the file is ${info.size} bytes; the limit is ${maxBytes}`);
  try {
    return await readFile(filePath, 'utf8');
  } catch (e) {
    throw new FileError(filePath, 'read', `could not read: ${(e as Error).message}`);
  }
}

/** Most recently used documents, newest first, stored as JSON (in Electron's userData directory). */
export class RecentFiles {
  constructor(
    private readonly storePath: string,
    private readonly limit = 10,
  ) {}

  /** The stored list, without entries whose file has since disappeared. A damaged store reads as empty. */
  async list(): Promise<string[]> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.storePath, 'utf8'));
    } catch {
      return [];
    }
    const paths = Array.isArray(raw) ? raw.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p)) : [];
    return paths.filter((p) => existsSync(p)).slice(0, this.limit);
  }

  async add(filePath: string): Promise<string[]> {
    const absolute = path.resolve(filePath);
    const next = [absolute, ...(await this.list()).filter((p) => p !== absolute)].slice(0, this.limit);
    await mkdir(path.dirname(this.storePath), { recursive: true });
    await atomicWriteFile(this.storePath, JSON.stringify(next, null, 2) + '\n');
    return next;
  }

  async has(filePath: string): Promise<boolean> {
    return (await this.list()).includes(path.resolve(filePath));
  }
}

/** The app version from the nearest package.json named relaylab above `startDir` (bundles live in dist/main). */
export function findPackageVersion(startDir: string): string {
  let dir = startDir;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'relaylab' && typeof pkg.version === 'string') return pkg.version;
      } catch {
        // A broken package.json further down (e.g. a test fixture) is not ours: keep looking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return '0.0.0-unknown';
}
