// Builds everything: main-side bundles with esbuild (server, CLI, engine worker, Electron main and preload), the renderer with Vite.
import { build as esbuild } from 'esbuild';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/main');
const schemaOnly = process.argv.includes('--schema-only');
const skipRenderer = process.argv.includes('--no-renderer');
mkdirSync(out, { recursive: true });

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', packages: 'external', absWorkingDir: root };
const entries = [
  { in: 'main/cli.ts', out: 'cli.mjs', format: 'esm' },
  { in: 'main/server.ts', out: 'server.mjs', format: 'esm' },
  // Self-contained (its packages bundled in): the desktop app runs it from app.asar.unpacked, where node_modules is not.
  { in: 'main/engine-worker.ts', out: 'engine-worker.mjs', format: 'esm', bundlePackages: true },
  { in: 'main/electron/main.ts', out: 'electron-main.cjs', format: 'cjs' },
  // The preload is CommonJS so the renderer can stay sandboxed (TOOLCHAIN.md).
  { in: 'main/electron/preload.ts', out: 'preload.cjs', format: 'cjs' },
].filter((e) => existsSync(path.join(root, e.in)) && (!schemaOnly || e.in === 'main/cli.ts'));

const started = Date.now();
await Promise.all(
  entries.map((e) =>
    esbuild({ ...common, ...(e.bundlePackages ? { packages: undefined } : {}), entryPoints: [path.join(root, e.in)], outfile: path.join(out, e.out), format: e.format, external: ['electron'] }),
  ),
);

// The JSON Schema other tools validate our files with, generated from the zod schema.
if (existsSync(path.join(out, 'cli.mjs'))) {
  const schema = execFileSync(process.execPath, [path.join(out, 'cli.mjs'), 'schema'], { encoding: 'utf8' });
  writeFileSync(path.join(root, 'assets/relaylab.schema.json'), schema);
}

if (!schemaOnly && !skipRenderer && existsSync(path.join(root, 'renderer/index.html'))) {
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
}
console.log(`build: ${entries.length} main bundles${schemaOnly || skipRenderer ? '' : ' + renderer'} in ${Date.now() - started} ms`);
