#!/usr/bin/env node
// `npx relaylab <command>`: runs the bundled CLI, building it first on a fresh checkout.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/main/cli.mjs');
if (!existsSync(cli)) execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--no-renderer'], { stdio: 'inherit' });
const { main } = await import(pathToFileURL(cli).href);
process.exitCode = await main(process.argv.slice(2));
