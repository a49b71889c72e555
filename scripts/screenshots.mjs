// Screenshots of the nine built-in figures (assets/topologies) at 1600x1000 and 1280x720, in the designer and in presentation mode, after a few seconds of the run (pair badges, moving data); writes docs/screenshots/figures/.
// Usage: npm run build && node scripts/screenshots.mjs [figure-file-prefix ...]   (CHROMIUM_PATH, RELAYLAB_SHOT_PORT)
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'docs/screenshots/figures');
const only = process.argv.slice(2);
const figures = JSON.parse(readFileSync(path.join(root, 'assets/topologies/index.json'), 'utf8'))
  .map((e) => e.file)
  .filter((f) => !only.length || only.some((o) => f.startsWith(o)));
const SIZES = [
  [1600, 1000],
  [1280, 720],
];
const port = Number(process.env.RELAYLAB_SHOT_PORT ?? 20000 + Math.floor(Math.random() * 20000));

mkdirSync(out, { recursive: true });
const server = spawn(process.execPath, [path.join(root, 'dist/main/server.mjs'), '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  for (let i = 0; i < 50; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok).catch(() => false)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const file of figures) {
    const name = file.replace('.relaylab.json', '').split('-')[0];
    for (const [width, height] of SIZES) {
      for (const presenting of [false, true]) {
        const page = await browser.newPage({ viewport: { width, height } });
        const errors = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.addInitScript(() => localStorage.setItem('relaylab.theme', 'light'));
        await page.goto(`http://127.0.0.1:${port}/?template=${file}`);
        await page.waitForSelector('.react-flow__node');
        if (presenting) await page.keyboard.press('F11');
        await page.getByTestId('run-play').click();
        // A few seconds of the run: initial copies under way or done, badges and moving data on the pairs.
        await page.waitForTimeout(3500);
        await page.getByTestId('run-pause').click();
        await page.waitForTimeout(400);
        const shot = path.join(out, `${name}-${width}x${height}${presenting ? '-present' : ''}.png`);
        await page.screenshot({ path: shot });
        console.log(`${path.relative(root, shot)}${errors.length ? `  page errors: ${errors.join('; ')}` : ''}`);
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  server.kill();
}
