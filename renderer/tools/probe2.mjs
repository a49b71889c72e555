// Drives the built designer through the connection drags (mapping, pair, refused ones with the live hint) and a file dropped on the window.
import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const p = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
p.on('dialog', (d) => d.accept());
const errs = []; p.on('pageerror', (e) => errs.push(String(e)));
await p.goto('http://localhost:4311/?template=fig01-loop-cascade.relaylab.json');
await p.waitForSelector('.react-flow__node');
if (await p.locator('.live-dock.is-open').count()) await p.locator('[data-testid=live-dock-toggle]').click();
const edges = () => p.locator('.react-flow__edge').count();
// Zoom in so the handles are big enough to grab.
await p.locator('.react-flow__node[data-id="sys20"]').click({ position: { x: 60, y: 12 } });
await p.evaluate(() => 0);
const e0 = await edges();
// mapping: V12 bottom -> R1 top (adds a second range on R1, shared)
await p.locator('.react-flow__node[data-id="V12"] .react-flow__handle.handle-map.source, .react-flow__node[data-id="V12"] [data-handleid="map-down"]').first().dragTo(p.locator('.react-flow__node[data-id="R1"] [data-handleid="map-up"]'));
console.log('edges after mapping drag:', e0, '->', await edges(), 'toast:', await p.locator('[data-testid=toast]').textContent().catch(() => null));
// pair: V12 right -> V22 left
await p.locator('.react-flow__node[data-id="V12"] [data-handleid="pair-out"]').dragTo(p.locator('.react-flow__node[data-id="R3"] [data-handleid="pair-in"]'));
console.log('edges after pair drag:', await edges(), 'pair labels:', await p.locator('[data-testid=pair-label]').allTextContents());
// refused mapping: real R11 bottom -> V11 top
await p.locator('.react-flow__node[data-id="R11"] [data-handleid="map-down"]').dragTo(p.locator('.react-flow__node[data-id="V11"] [data-handleid="map-up"]'));
console.log('after refused mapping edges:', await edges(), 'toast:', await p.locator('[data-testid=toast]').textContent().catch(() => null));
// hint while dragging a refused cable TP21 -> TP22 (both targets)
const a = await p.locator('.react-flow__node[data-id="TP21"] [data-handleid="cable"]').boundingBox();
const b = await p.locator('.react-flow__node[data-id="TP31"] [data-handleid="cable"]').boundingBox();
await p.mouse.move(a.x + a.width / 2, a.y + a.height / 2); await p.mouse.down();
await p.mouse.move(b.x + b.width / 2 - 20, b.y + 20, { steps: 8 });
await p.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 8 });
console.log('hint while drawing:', await p.locator('[data-testid=connection-hint]').textContent().catch(() => null));
await p.mouse.up();
// File dropped on the window.
const dt = await p.evaluateHandle(() => { const d = new DataTransfer(); d.items.add(new File([JSON.stringify({ formatVersion: 1, name: 'Dropped one' })], 'dropped.relaylab.json', { type: 'application/json' })); return d; });
await p.dispatchEvent('.app', 'dragover', { dataTransfer: dt });
await p.dispatchEvent('.app', 'drop', { dataTransfer: dt });
await p.waitForTimeout(300);
console.log('title after file drop:', await p.locator('[data-testid=doc-title]').textContent());
console.log('errs', errs);
await browser.close();
