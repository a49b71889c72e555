// Rewrites the CLI reference in README.md (between the cli-reference markers) from the built CLI's option specs, so the README cannot drift from the parsers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { cliReferenceMarkdown } = await import(pathToFileURL(path.join(root, 'dist/main/cli.mjs')).href);
const file = path.join(root, 'README.md');
const readme = readFileSync(file, 'utf8');
const start = '<!-- cli-reference:start -->\n';
const end = '<!-- cli-reference:end -->';
const a = readme.indexOf(start);
const b = readme.indexOf(end);
if (a < 0 || b < a) throw new Error('README.md has no <!-- cli-reference:start --> ... <!-- cli-reference:end --> section');
writeFileSync(file, readme.slice(0, a + start.length) + cliReferenceMarkdown() + readme.slice(b));
console.log('README.md: CLI reference rewritten');
