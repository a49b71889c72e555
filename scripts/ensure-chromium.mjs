#!/usr/bin/env node
// Finds a Chromium for the e2e tests (Playwright's own, else /usr/bin/chromium, else installs it with apt as root) and says which.
// It exports nothing: playwright.config.ts reads CHROMIUM_PATH, else /usr/bin/chromium.
import { existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const candidates = [];
if (process.env.CHROMIUM_PATH) candidates.push(['CHROMIUM_PATH', process.env.CHROMIUM_PATH]);
try {
  // Playwright knows where its own downloaded browser would be; it is usually absent on these machines.
  const { chromium } = require('playwright-core');
  candidates.push(["Playwright's bundled Chromium", chromium.executablePath()]);
} catch {
  // playwright-core not resolvable: fall through to the system browser.
}
candidates.push(['system Chromium', '/usr/bin/chromium'], ['system Chromium', '/usr/bin/chromium-browser']);

function works(file) {
  if (!existsSync(file)) return false;
  const probe = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return probe.status === 0;
}

for (const [label, file] of candidates) {
  if (works(file)) {
    const version = execFileSync(file, ['--version'], { encoding: 'utf8' }).trim();
    console.log(`ensure-chromium: using ${label}: ${file} (${version})`);
    if (file !== '/usr/bin/chromium' && !process.env.CHROMIUM_PATH) console.log(`ensure-chromium: set CHROMIUM_PATH=${file} for playwright.config.ts`);
    process.exit(0);
  }
}

if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.log('ensure-chromium: no Chromium found; installing the Debian package (about a minute)...');
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (run(['update']) && run(['install', '-y', '--no-install-recommends', 'chromium']) && works('/usr/bin/chromium')) {
    console.log('ensure-chromium: using system Chromium: /usr/bin/chromium (just installed)');
    process.exit(0);
  }
  console.error('ensure-chromium: apt-get could not install chromium (offline or no package).');
  process.exit(1);
}

console.error(
  'ensure-chromium: no Chromium found. Install one (Debian/Ubuntu: `sudo apt-get install chromium`), or `npx playwright install chromium`, ' +
    'or point CHROMIUM_PATH at a Chromium/Chrome executable, then run the e2e tests again.',
);
process.exit(1);
