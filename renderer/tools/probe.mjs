// Drives the built designer in Chromium through the main interactions and prints what happened (a manual check, not part of CI).
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://localhost:4311/';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1500, height: 950 }, acceptDownloads: true });
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
const log = (...a) => console.log(...a);
page.on('dialog', (d) => d.accept());
await page.goto(base);
// The live-run dock (another view) may open over the canvas; fold it away for the designer checks.
if (await page.locator('.live-dock.is-open').count()) await page.locator('[data-testid=live-dock-toggle]').click();
const pane = page.locator('.react-flow__pane');
await page.locator('[data-testid=palette-site]').dragTo(pane, { targetPosition: { x: 200, y: 150 } });
log('sites after drop:', await page.locator('.react-flow__node-site').count());
const site = page.locator('.react-flow__node-site').first();
const sb = await site.boundingBox();
log('site box', sb);
const paneBox = await pane.boundingBox();
const rel = (x, y) => ({ x: x - paneBox.x, y: y - paneBox.y });
await page.locator('[data-testid=palette-system]').dragTo(pane, { targetPosition: rel(sb.x + 40, sb.y + 60) });
log('systems:', await page.locator('.react-flow__node-system').count());
await page.locator('[data-testid=palette-volume-real]').dragTo(pane, { targetPosition: rel(sb.x + sb.width - 30, sb.y + 15) });
log('toast after volume on site:', await page.locator('[data-testid=toast]').textContent().catch(() => null));
const sys = await page.locator('.react-flow__node-system').first().boundingBox();
log('system box', sys);
for (const [kind, dx, dy] of [['port-target', 20, 60], ['port-initiator', 200, 60], ['volume-real', 100, 120]]) {
  await page.locator(`[data-testid=palette-${kind}]`).dragTo(pane, { targetPosition: rel(sys.x + dx, sys.y + dy) });
}
log('ports:', await page.locator('.react-flow__node-port').count(), 'volumes:', await page.locator('.react-flow__node-volume').count());
// A second site and system with a target port for a cable.
await page.locator('[data-testid=palette-site]').dragTo(pane, { targetPosition: { x: 760, y: 30 } });
const site2 = await page.locator('.react-flow__node-site').nth(1).boundingBox();
await page.locator('[data-testid=palette-system]').dragTo(pane, { targetPosition: rel(site2.x + 40, site2.y + 60) });
const sys2 = await page.locator('.react-flow__node-system').nth(1).boundingBox();
await page.locator('[data-testid=palette-port-target]').dragTo(pane, { targetPosition: rel(sys2.x + 20, sys2.y + 60) });
log('ports now:', await page.locator('.react-flow__node-port').count());
const ipHandle = page.locator('.react-flow__node-port:has(.kind-initiator) .handle-cable').first();
const tpHandles = page.locator('.react-flow__node-port:has(.kind-target) .handle-cable');
// target port in the same system as the initiator: refused as target-initiator same system? (it is allowed as internal loop); use the other system's target.
await ipHandle.dragTo(tpHandles.nth(1));
log('cables:', await page.locator('.react-flow__edge-cable').count(), 'label:', await page.locator('[data-testid=cable-label]').first().textContent().catch(() => null));
// Target to target is refused.
await tpHandles.nth(0).dragTo(tpHandles.nth(1));
log('cables after tp->tp:', await page.locator('.react-flow__edge-cable').count(), 'toast:', await page.locator('[data-testid=toast]').textContent().catch(() => null));
// Inspector validation as you type.
await page.locator('.react-flow__node-volume').first().click();
const size = page.locator('[data-testid=field-sizeBytes]');
await size.fill('-3');
log('size error:', await page.locator('[data-testid=field-sizeBytes-error]').textContent().catch(() => null));
await size.fill('16');
await size.press('Enter');
log('volume label after edit:', await page.locator('.react-flow__node-volume .volume-size').first().textContent());
// Undo restores.
await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
await page.keyboard.press('Control+z');
log('after undo:', await page.locator('.react-flow__node-volume .volume-size').first().textContent());
log('title:', await page.title());
// Problems panel.
log('problem rows:', await page.locator('[data-testid=problem-row]').count());
// Delete a selected node with the keyboard.
await page.locator('.react-flow__node-port').first().click();
await page.keyboard.press('Delete');
log('ports after delete:', await page.locator('.react-flow__node-port').count());
// Template gallery.
await page.locator('[data-testid=toolbar-templates]').click();
log('template cards:', await page.locator('[data-testid=template-card]').count());
await page.locator('[data-testid=template-card]').first().click();
await page.waitForTimeout(300);
log('after template: nodes', await page.locator('.react-flow__node').count(), 'edges', await page.locator('.react-flow__edge').count());
// Tables tab.
await page.locator('.react-flow__node-system').first().click({ position: { x: 60, y: 15 } });
await page.locator('[data-testid=tab-tables]').click();
log('T1 rows:', await page.locator('[data-testid=table-T1] tbody tr').count(), 'T4 rows:', await page.locator('[data-testid=table-T4] tbody tr').count());
// Export SVG keeps edges.
await page.locator('[data-testid=toolbar-export]').click();
const [svgDl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-svg]').click()]);
const fs = await import('node:fs');
const svgPath = '/tmp/D-export.svg';
await svgDl.saveAs(svgPath);
const svg = fs.readFileSync(svgPath, 'utf8');
log('svg bytes', svg.length, 'edge paths in svg:', (svg.match(/react-flow__edge-path/g) ?? []).length);
await page.locator('[data-testid=toolbar-export]').click();
const [pngDl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=export-png]').click()]);
await pngDl.saveAs('/tmp/D-export.png');
log('png bytes', fs.statSync('/tmp/D-export.png').size);
// Auto-layout.
await page.locator('[data-testid=toolbar-autolayout]').click();
await page.waitForTimeout(1500);
await page.screenshot({ path: '/tmp/D-autolayout.png' });
log('errors:', errors);
await browser.close();

// Second session: clipboard, problems -> pan, a broken file keeps the document.
{
  const browser2 = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const p = await browser2.newPage({ viewport: { width: 1500, height: 950 } });
  const errs = [];
  p.on('pageerror', (e) => errs.push(String(e)));
  p.on('dialog', (d) => d.accept());
  await p.goto(base + '?template=fig01-loop-cascade.relaylab.json');
  await p.waitForSelector('.react-flow__node');
  if (await p.locator('.live-dock.is-open').count()) await p.locator('[data-testid=live-dock-toggle]').click();
  const nodes0 = await p.locator('.react-flow__node').count();
  await p.locator('.react-flow__node[data-id="sys30"]').click({ position: { x: 40, y: 12 } });
  await p.keyboard.press('Control+c');
  await p.keyboard.press('Control+v');
  const nodes1 = await p.locator('.react-flow__node').count();
  await p.keyboard.press('Control+d');
  const nodes2 = await p.locator('.react-flow__node').count();
  console.log('copy/paste/duplicate nodes:', nodes0, '->', nodes1, '->', nodes2);
  await p.keyboard.press('Control+z');
  await p.keyboard.press('Control+z');
  console.log('after two undos:', await p.locator('.react-flow__node').count());
  await p.keyboard.press('Control+Shift+z');
  console.log('after redo:', await p.locator('.react-flow__node').count());
  await p.keyboard.press('Control+z');
  // Break FIG. 1: delete cable CN2 and see the problems.
  await p.locator('.react-flow__edge[data-id="CN2"]').click({ force: true });
  console.log('selection after edge click:', await p.locator('.inspector .id-label').textContent().catch(() => null));
  await p.keyboard.press('Delete');
  const rows = await p.locator('[data-testid=problem-row]').count();
  console.log('problems after deleting CN2:', rows, rows ? await p.locator('[data-testid=problem-row]').first().textContent() : '');
  if (rows) {
    const before = await p.locator('.react-flow__viewport').getAttribute('style');
    await p.locator('[data-testid=problem-row]').first().click();
    await p.waitForTimeout(600);
    const after = await p.locator('.react-flow__viewport').getAttribute('style');
    console.log('problem click panned:', before !== after, 'inspector:', await p.locator('.inspector .id-label').textContent().catch(() => null));
  }
  // Open a broken file: the located errors show and the document stays.
  const [chooser] = await Promise.all([p.waitForEvent('filechooser'), p.locator('[data-testid=toolbar-file]').click().then(() => p.locator('[data-testid=menu-open]').click())]);
  await chooser.setFiles({ name: 'broken.relaylab.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ formatVersion: 1, name: 'x', sites: [{ id: 'bad id!', name: 's' }] })) });
  await p.waitForSelector('[data-testid=open-errors]');
  console.log('open errors:', (await p.locator('[data-testid=open-errors] li').first().textContent())?.trim(), '| title still:', await p.locator('[data-testid=doc-title]').textContent());
  await p.locator('[data-testid=open-errors-close]').click();
  console.log('errors2:', errs);
  await browser2.close();
}
