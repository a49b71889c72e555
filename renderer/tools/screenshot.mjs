// Takes screenshots of the built designer (dist/renderer) in Chromium: node renderer/tools/screenshot.mjs <url> <out.png> [theme] [w] [h]
import { chromium } from '@playwright/test';

const [url, out, theme = 'light', w = '1600', h = '1000'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: Number(w), height: Number(h) }, deviceScaleFactor: Number(process.env.DPR ?? 1) });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
await page.addInitScript((t) => localStorage.setItem('relaylab.theme', t), theme);
await page.goto(url);
await page.waitForSelector('.react-flow__node', { timeout: 15000 });
if (process.env.KEEP_DOCK !== '1' && (await page.locator('.live-dock.is-open').count())) {
  // Folding the live dock gives the canvas more room: fit again.
  await page.locator('[data-testid=live-dock-toggle]').click();
  await page.locator('[data-testid=toolbar-fit]').click();
}
if (process.env.SELECT) {
  await page.locator(`.react-flow__node[data-id="${process.env.SELECT}"]`).click({ position: { x: 30, y: 12 } });
  await page.locator('[data-testid=toolbar-fit]').click();
}
await page.waitForTimeout(900);
const clip = process.env.CLIP?.split(',').map(Number);
await page.screenshot({ path: out, ...(clip ? { clip: { x: clip[0], y: clip[1], width: clip[2], height: clip[3] } } : {}) });
if (errors.length) console.log('page errors:\n' + errors.join('\n'));
await browser.close();
