// Screenshot of the planning tab in web mode: node renderer/planning/screenshot.mjs <base-url> <out.png> [template] (server already running).
import { chromium } from '@playwright/test';

const [base, out, template = 'fig01-loop-cascade.relaylab.json'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
await page.addInitScript(() => localStorage.setItem('relaylab.theme', 'light'));
await page.goto(`${base}/?template=${template}`);
await page.waitForSelector('.react-flow__node', { timeout: 15000 });
if (await page.locator('.live-dock.is-open').count()) await page.locator('[data-testid=live-dock-toggle]').click();
await page.locator('[data-testid=tab-planning]').click();
await page.waitForSelector('[data-testid=planning-card]');
await page.locator('[data-testid=planning-crosscheck]').click();
await page.waitForSelector('[data-testid=planning-crosscheck-table]', { timeout: 30000 });
await page.waitForTimeout(800);
await page.screenshot({ path: out });
const cards = await page.locator('[data-testid=planning-card]').count();
const charts = await page.locator('.planning-chart').count();
console.log(`cards ${cards}, charts ${charts}, checks ${await page.locator('[data-testid=planning-check]').count()}`);
if (errors.length) console.log('page errors:\n' + errors.join('\n'));
await browser.close();
