// Temp files left by killed saves are cleaned up by the next save next to them, and nothing else in the folder is touched.
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STALE_TEMP_AGE_MS, atomicWriteFile, removeStaleTempFiles, tempFileNamePattern } from '../files';

const scratch = () => mkdtempSync(path.join(tmpdir(), 'relaylab-stale-'));

/** Makes a file look as if it was last written `ageMs` ago. */
function age(file: string, ageMs: number) {
  const when = new Date(Date.now() - ageMs);
  utimesSync(file, when, when);
}

describe('stale temp files of killed saves', () => {
  it('the next save removes a killed save\'s temp file older than a minute and keeps a fresh one', async () => {
    const dir = scratch();
    const target = path.join(dir, 'osaka.relaylab.json');
    const stale = path.join(dir, '.osaka.relaylab.json.4242.0123456789ab.tmp');
    const fresh = path.join(dir, '.osaka.relaylab.json.4243.ba9876543210.tmp');
    writeFileSync(stale, '{"half": ');
    writeFileSync(fresh, '{"other save still running": ');
    age(stale, STALE_TEMP_AGE_MS + 5_000);

    await atomicWriteFile(target, '{"formatVersion":1}\n');

    expect(readFileSync(target, 'utf8')).toBe('{"formatVersion":1}\n');
    expect(readdirSync(dir).sort()).toEqual(['.osaka.relaylab.json.4243.ba9876543210.tmp', 'osaka.relaylab.json']);
  });

  it('leaves files that only look similar: other documents\' temps, other suffixes, the user\'s own dotfiles', async () => {
    const dir = scratch();
    const target = path.join(dir, 'a.relaylab.json');
    const keep = [
      '.b.relaylab.json.4242.0123456789ab.tmp', // another document's save
      '.a.relaylab.json.4242.0123456789ab.tmp.bak', // not our suffix
      '.a.relaylab.json.notapid.0123456789ab.tmp',
      '.a.relaylab.json.4242.XYZ.tmp',
      '.a.relaylab.json', // a dotfile of the user
      'a.relaylab.json.4242.0123456789ab.tmp', // no leading dot
    ];
    for (const name of keep) {
      writeFileSync(path.join(dir, name), 'x');
      age(path.join(dir, name), 10 * STALE_TEMP_AGE_MS);
    }
    writeFileSync(target, '{}');
    expect(await removeStaleTempFiles(target)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual([...keep, 'a.relaylab.json'].sort());
  });

  it('escapes the document name: a name with regex characters matches only itself', () => {
    const pattern = tempFileNamePattern('DR (v2)+final.relaylab.json');
    expect(pattern.test('.DR (v2)+final.relaylab.json.1.0123456789ab.tmp')).toBe(true);
    expect(pattern.test('.DR v2final.relaylab.json.1.0123456789ab.tmp')).toBe(false);
    expect(pattern.test('.DR (v2)+finalXrelaylab.json.1.0123456789ab.tmp')).toBe(false);
  });

  it('a save still leaves no temp file of its own and the directory flush does not break it', async () => {
    const dir = scratch();
    const target = path.join(dir, 'x.relaylab.json');
    for (let i = 0; i < 5; i++) await atomicWriteFile(target, `{"n":${i}}`);
    expect(readdirSync(dir)).toEqual(['x.relaylab.json']);
    expect(readFileSync(target, 'utf8')).toBe('{"n":4}');
  });
});
