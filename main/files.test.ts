// Saving never leaves a half-written document, oversized files are refused, and the recent list stays short and real.
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileError, RecentFiles, atomicWriteFile, findPackageVersion, readDocumentFile } from './files';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'relaylab-files-'));

describe('saving a document', () => {
  it('replaces the file and leaves no temporary file behind', async () => {
    const dir = scratch();
    const file = path.join(dir, 'cascade.relaylab.json');
    writeFileSync(file, 'old');
    await atomicWriteFile(file, '{"formatVersion":1}\n');
    expect(readFileSync(file, 'utf8')).toBe('{"formatVersion":1}\n');
    expect(readdirSync(dir)).toEqual(['cascade.relaylab.json']);
  });

  // Root ignores directory permissions, so the failure cannot be provoked there.
  it.skipIf(process.getuid?.() === 0)('keeps the old content when the write fails, and says where', async () => {
    const dir = scratch();
    const file = path.join(dir, 'cascade.relaylab.json');
    writeFileSync(file, 'old');
    chmodSync(dir, 0o500);
    try {
      await expect(atomicWriteFile(file, 'new')).rejects.toBeInstanceOf(FileError);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readFileSync(file, 'utf8')).toBe('old');
  });

  it('fails with a typed error naming the file when the directory does not exist', async () => {
    const file = path.join(scratch(), 'missing-dir', 'x.relaylab.json');
    const error = await atomicWriteFile(file, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileError);
    expect((error as FileError).filePath).toBe(file);
    expect((error as FileError).step).toBe('write');
  });
});

describe('opening a document', () => {
  it('refuses a file above the size limit before reading it', async () => {
    const file = path.join(scratch(), 'huge.relaylab.json');
    writeFileSync(file, 'x'.repeat(2000));
    await expect(readDocumentFile(file, 1000)).rejects.toMatchObject({ step: 'too-large' });
    expect(await readDocumentFile(file, 4000)).toHaveLength(2000);
  });
  it('refuses a directory', async () => {
    await expect(readDocumentFile(scratch())).rejects.toMatchObject({ step: 'not-a-file' });
  });
});

describe('recent files', () => {
  it('keeps the newest first, without duplicates, up to the limit, and forgets deleted files', async () => {
    const dir = scratch();
    const recent = new RecentFiles(path.join(dir, 'state', 'recent.json'), 3);
    const files = ['a', 'b', 'c', 'd'].map((n) => path.join(dir, `${n}.relaylab.json`));
    for (const f of files) writeFileSync(f, '{}');
    for (const f of files) await recent.add(f);
    await recent.add(files[1] ?? '');
    expect(await recent.list()).toEqual([files[1], files[3], files[2]]);
    writeFileSync(path.join(dir, 'unrelated'), '');
    await import('node:fs/promises').then((fs) => fs.unlink(files[3] ?? ''));
    expect(await recent.list()).toEqual([files[1], files[2]]);
    expect(await recent.has(files[2] ?? '')).toBe(true);
    expect(await recent.has(files[0] ?? '')).toBe(false);
  });
  it('reads a damaged store as empty', async () => {
    const store = path.join(scratch(), 'recent.json');
    writeFileSync(store, '{not json');
    expect(await new RecentFiles(store).list()).toEqual([]);
    expect(existsSync(store)).toBe(true);
  });
});

describe('the app version', () => {
  it('comes from our package.json above a bundle directory', () => {
    const pkg = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as { version: string };
    expect(findPackageVersion(path.resolve('dist/main'))).toBe(pkg.version);
    expect(findPackageVersion(scratch())).toBe('0.0.0-unknown');
  });
});
