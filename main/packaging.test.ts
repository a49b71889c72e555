// Packaging without the Electron download: electron-builder checks electron-builder.yml and packs app.asar around a stand-in binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const builder = path.resolve('node_modules/.bin/electron-builder');
const built = existsSync('dist/main/electron-main.cjs') && existsSync('dist/main/preload.cjs');

describe('the desktop package', () => {
  it.skipIf(!built)(
    'holds the bundles, the renderer and package.json in app.asar, and no sources',
    () => {
      // A folder that looks like an unpacked Electron to electron-builder (TOOLCHAIN.md: 'electron-builder offline').
      const scratch = mkdtempSync(path.join(tmpdir(), 'relaylab-pack-'));
      const standIn = path.join(scratch, 'electron-dist');
      mkdirSync(path.join(standIn, 'resources'), { recursive: true });
      writeFileSync(path.join(standIn, 'electron'), '#!/bin/sh\nexit 0\n');
      chmodSync(path.join(standIn, 'electron'), 0o755);
      writeFileSync(path.join(standIn, 'version'), 'v45.4.1');
      const out = path.join(scratch, 'release');
      const result = spawnSync(
        builder,
        ['--linux', 'dir', '--config', 'electron-builder.yml', `-c.electronDist=${standIn}`, '-c.electronVersion=45.4.1', `-c.directories.output=${out}`, '--publish', 'never'],
        { encoding: 'utf8', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' }, timeout: 60_000 },
      );
      expect(result.status, result.stderr + result.stdout).toBe(0);
      const asar = path.join(out, 'linux-unpacked/resources/app.asar');
      expect(existsSync(asar)).toBe(true);
      const listing = execFileSync(process.execPath, ['-e', `console.log(require('@electron/asar').listPackage(process.argv[1]).join('\\n'))`, asar], { encoding: 'utf8' })
        .split('\n')
        .map((line) => line.replace(/\\/g, '/'));
      expect(listing).toEqual(expect.arrayContaining(['/package.json', '/dist/main/electron-main.cjs', '/dist/main/preload.cjs', '/dist/main/cli.mjs']));
      if (existsSync('dist/main/engine-worker.mjs')) {
        expect(existsSync(path.join(out, 'linux-unpacked/resources/app.asar.unpacked/dist/main/engine-worker.mjs'))).toBe(true);
      }
      if (existsSync('dist/renderer/index.html')) expect(listing).toContain('/dist/renderer/index.html');
      // Runtime dependencies are packed; renderer libraries (devDependencies, bundled by Vite) and sources are not.
      expect(listing).toContain('/node_modules/zod/package.json');
      expect(listing).not.toContain('/node_modules/react/package.json');
      expect(listing.some((p) => p.startsWith('/main/') || p.startsWith('/renderer/') || p.endsWith('.map'))).toBe(false);
    },
    60_000,
  );
});
