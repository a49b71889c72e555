// A canvas to teach from (issue 12, items 9-11): room for the canvas, presentation mode with readable type, labels and lines that do not cover nodes, a legend, every cache, event filters that match a normal run, charts that fit.
import { readFileSync } from 'node:fs';
import { expect as baseExpect, test } from '@playwright/test';
import type { Page } from '@playwright/test';

/** The engine shares two cores with everything else: effects can take seconds to reach the page. */
const expect = baseExpect.configure({ timeout: 20_000 });

test.use({ viewport: { width: 1600, height: 1000 } });
test.setTimeout(60_000);

const FIGURES: string[] = JSON.parse(readFileSync('assets/topologies/index.json', 'utf8')).map((e: { file: string }) => e.file);
const FIG1 = 'fig01-loop-cascade.relaylab.json';

async function open(page: Page, file: string) {
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(`/?template=${file}`);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  // The fit runs a frame or two after the nodes arrive.
  await page.waitForTimeout(400);
}

async function play(page: Page, ms: number) {
  await page.getByTestId('run-play').click();
  await page.waitForTimeout(ms);
}

type Rect = { x: number; y: number; w: number; h: number; id: string; what: string };

/**
 * Every label on the canvas (edge labels and live pair badges) that covers a node it does not belong to, or another label:
 * leaf nodes (ports, volumes, LUs, caches) in full, and the title bar of every site, system and host. Measured in the DOM.
 */
async function overlapsOnCanvas(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const r = (el: Element, id: string, what: string) => {
      const b = el.getBoundingClientRect();
      return { x: b.left, y: b.top, w: b.width, h: b.height, id, what };
    };
    const hit = (a: Rect, b: Rect) => a.x < b.x + b.w - 1 && b.x < a.x + a.w - 1 && a.y < b.y + b.h - 1 && b.y < a.y + a.h - 1;
    const shown = (el: Element) => (el as HTMLElement).offsetParent !== null && getComputedStyle(el).visibility !== 'hidden';
    const leaves: Rect[] = [];
    const headers: Rect[] = [];
    for (const n of document.querySelectorAll('.react-flow__node')) {
      const id = n.getAttribute('data-id') ?? '';
      if (n.matches('.react-flow__node-site, .react-flow__node-system, .react-flow__node-host')) {
        const head = n.querySelector('.group-header');
        if (head) headers.push(r(head, id, 'title bar'));
      } else leaves.push(r(n, id, 'node'));
    }
    const labels: (Rect & { own: string[] })[] = [];
    for (const l of document.querySelectorAll('.edge-label')) {
      if (!shown(l)) continue;
      labels.push({ ...r(l, l.getAttribute('data-edge') ?? '?', `label "${l.textContent}"`), own: (l.getAttribute('data-ends') ?? '').split(' ') });
    }
    for (const b of document.querySelectorAll('.live-badge')) {
      const owner = b.closest('.react-flow__node')?.getAttribute('data-id') ?? '?';
      labels.push({ ...r(b, owner, `badge "${b.textContent}" of ${owner}`), own: [owner] });
    }
    const found: string[] = [];
    labels.forEach((l, i) => {
      for (const n of leaves) if (!l.own.includes(n.id) && hit(l, n)) found.push(`${l.what} covers ${n.id}`);
      for (const h of headers) if (hit(l, h)) found.push(`${l.what} covers the title of ${h.id}`);
      for (const o of labels.slice(i + 1)) if (o.what !== l.what && hit(l, o)) found.push(`${l.what} covers ${o.what}`);
    });
    return found;
  });
}

test('at 1600x1000 the canvas takes more than half the window, and the panels around it resize and fold', async ({ page }) => {
  await open(page, FIG1);
  const canvas = page.locator('.canvas');
  const before = (await canvas.boundingBox())!;
  expect(before.height, 'canvas height with the live dock and the problems panel open').toBeGreaterThanOrEqual(500);
  // Planning asks for room but leaves the canvas a third of the window.
  await page.getByTestId('tab-planning').click();
  await expect.poll(async () => (await canvas.boundingBox())!.height).toBeGreaterThanOrEqual(330);
  await page.getByTestId('tab-problems').click();
  // Dragging the splitter above the live dock down gives the canvas the room.
  const beforeDrag = (await canvas.boundingBox())!;
  const splitter = page.getByTestId('splitter-dock');
  const s = (await splitter.boundingBox())!;
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
  await page.mouse.down();
  await page.mouse.move(s.x + s.width / 2, s.y + 120, { steps: 6 });
  await page.mouse.up();
  await expect.poll(async () => (await canvas.boundingBox())!.height).toBeGreaterThan(beforeDrag.height + 80);
  // The palette folds away (drag its splitter to the left edge) and the canvas widens.
  const w0 = (await canvas.boundingBox())!.width;
  const ps = (await page.getByTestId('splitter-palette').boundingBox())!;
  await page.mouse.move(ps.x + 2, ps.y + ps.height / 2);
  await page.mouse.down();
  await page.mouse.move(5, ps.y + ps.height / 2, { steps: 6 });
  await page.mouse.up();
  await expect.poll(async () => (await page.locator('#panel-palette').boundingBox())!.width).toBeLessThanOrEqual(2);
  expect((await canvas.boundingBox())!.width).toBeGreaterThan(w0 + 140);
});

test('presentation mode hides the panels, floats the run controls and keeps the text readable at fit', async ({ page }) => {
  await open(page, FIG1);
  await page.keyboard.press('F11');
  for (const id of ['toolbar', 'inspector', 'live-dock', 'problems-panel', 'palette-site']) await expect(page.getByTestId(id)).toBeHidden();
  const canvas = (await page.locator('.canvas').boundingBox())!;
  expect(canvas.width * canvas.height).toBeGreaterThanOrEqual(0.9 * 1600 * 1000);
  await expect(page.getByTestId('presentation-controls').getByTestId('run-play')).toBeVisible();
  await page.waitForTimeout(500);
  // Text size on screen = font size x zoom: names at least 10 px, every other text at least 8 px.
  const sizes = await page.evaluate(() => {
    const zoom = Number(/scale\(([\d.]+)\)/.exec((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform)?.[1] ?? 1);
    const px = (sel: string) =>
      [...document.querySelectorAll(sel)].filter((e) => (e as HTMLElement).offsetParent !== null && e.textContent?.trim()).map((e) => parseFloat(getComputedStyle(e).fontSize) * zoom);
    return {
      names: Math.min(...px('.react-flow__node :is(.volume-name, .port-name, .lu-name, .cache-name, .group-title)')),
      any: Math.min(...px('.react-flow__node :is(span, div):not(:has(*)), .edge-label')),
    };
  });
  expect(sizes.names).toBeGreaterThanOrEqual(10);
  expect(sizes.any).toBeGreaterThanOrEqual(8);
  // Esc leaves it.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  await expect(page.getByTestId('live-dock')).toBeVisible();
});

test('a legend explains the system colours, volume borders, lines and every pair-state badge', async ({ page }) => {
  await open(page, FIG1);
  await page.getByTestId('legend-toggle').click();
  const legend = page.getByTestId('legend');
  await expect(legend).toBeVisible();
  for (const role of ['local', 'relay', 'remote', 'external']) await expect(legend.getByTestId(`legend-role-${role}`)).toBeVisible();
  for (const state of ['SMPL', 'COPY', 'PAIR', 'PSUS', 'PSUE', 'SSWS']) await expect(legend.getByTestId(`legend-state-${state}`)).toBeVisible();
  await page.keyboard.press('l');
  await expect(legend).toBeHidden();
});

test('the Caches tab shows every cache of FIG. 1 at once', async ({ page }) => {
  await open(page, FIG1);
  const caches: string[] = JSON.parse(readFileSync(`assets/topologies/${FIG1}`, 'utf8')).caches.map((c: { id: string }) => c.id);
  expect(caches.length).toBeGreaterThanOrEqual(4);
  await play(page, 2500);
  await page.getByTestId('run-pause').click();
  await page.getByTestId('live-tab-caches').click();
  const body = (await page.getByTestId('live-body-caches').boundingBox())!;
  for (const id of caches) {
    const grid = page.getByTestId(`cache-grid-${id}`);
    await expect(grid).toBeVisible();
    const b = (await grid.boundingBox())!;
    // Wholly inside the dock, not scrolled away below its bottom edge.
    expect(b.y + b.height, `${id} is within the dock`).toBeLessThanOrEqual(body.y + body.height + 1);
    expect(b.x + b.width).toBeLessThanOrEqual(body.x + body.width + 1);
  }
  // Each cache that destaged says how often, and how many writes went with a destage already booked (write hits).
  const destages = page.getByTestId('cache-destages-C11');
  await expect(destages).toContainText(/[\d,]+ destages · [\d,]+ write hits/);
  expect(Number((await destages.textContent())!.split(' ')[0]!.replace(/,/g, ''))).toBeGreaterThan(0);
  await expect(destages).toHaveAttribute('title', /write hits: writes to a track already waiting for its destage.*\d+% of the writes destaged/i);
  // The header stays in view above the slots (it used to shrink to nothing in the dock's short cards).
  expect((await page.getByTestId('cache-grid-C11').locator('h4').boundingBox())!.height).toBeGreaterThan(10);
  await page.screenshot({ path: 'docs/screenshots/live-caches-destages.png' });
});

test('the event filters match events of a normal run, and the count follows the filter', async ({ page }) => {
  await open(page, FIG1);
  await play(page, 3500);
  const count = page.getByTestId('event-count');
  const rows = page.getByTestId('event-row');
  await expect(rows.first()).toBeVisible();
  const all = Number(await count.getAttribute('data-matching'));
  for (const filter of ['steps', 'host', 'pairs']) {
    await page.getByTestId(`event-filter-${filter}`).click();
    await expect(rows.first(), `${filter} matches events of a run at 800 IOPS`).toBeVisible();
    const matching = Number(await count.getAttribute('data-matching'));
    expect(matching).toBeGreaterThan(0);
    expect(matching).toBeLessThan(all + 10_000);
    await expect(count).toContainText(/ of /);
  }
  await page.getByTestId('event-filter-host').click();
  const host = Number(await count.getAttribute('data-matching'));
  await page.getByTestId('event-filter-steps').click();
  await expect.poll(async () => Number(await count.getAttribute('data-matching'))).not.toBe(host);
});

test('all five charts fit across the dock, none cut off at its right edge', async ({ page }) => {
  await open(page, FIG1);
  await play(page, 2000);
  await page.getByTestId('live-tab-charts').click();
  const box = (await page.getByTestId('charts').boundingBox())!;
  for (const key of ['latency', 'throughput', 'rpo', 'links', 'fill']) {
    const b = (await page.getByTestId(`chart-${key}`).boundingBox())!;
    expect(b.x, `${key} starts inside`).toBeGreaterThanOrEqual(box.x - 1);
    expect(b.x + b.width, `${key} ends inside`).toBeLessThanOrEqual(box.x + box.width + 1);
  }
});

test('the training banner sits above the canvas, never over the relay title', async ({ page }) => {
  await open(page, FIG1);
  await page.getByTestId('run-step').click();
  const banner = page.getByTestId('step-banner');
  await expect(banner).toBeVisible();
  const b = (await banner.boundingBox())!;
  const c = (await page.locator('.canvas').boundingBox())!;
  expect(b.y + b.height).toBeLessThanOrEqual(c.y + 1);
});

test('a site that grows around a dropped host pushes its neighbour aside', async ({ page }) => {
  await open(page, FIG1);
  // Auto-layout stores every position: the sites no longer follow one another, so growth must push them.
  await page.getByTestId('toolbar-autolayout').click();
  await page.waitForTimeout(1500);
  // A host dropped in the local site's right margin, beside its system: the host reaches past the site's edge.
  const site = (await page.locator('[data-id="site-local"]').boundingBox())!;
  const root = (await page.locator('.react-flow').first().boundingBox())!;
  const hosts = await page.locator('.react-flow__node-host').count();
  await page.getByTestId('palette-host').dragTo(page.locator('.react-flow').first(), { targetPosition: { x: site.x + site.width - 7 - root.x, y: site.y + site.height / 2 - root.y } });
  await expect(page.locator('.react-flow__node-host')).toHaveCount(hosts + 1);
  const sites = await page.locator('.react-flow__node-site').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  for (let i = 0; i < sites.length; i++)
    for (let k = i + 1; k < sites.length; k++) {
      const a = sites[i]!;
      const b = sites[k]!;
      expect(a.right <= b.left + 1 || b.right <= a.left + 1 || a.bottom <= b.top + 1 || b.bottom <= a.top + 1, `sites ${i} and ${k} do not overlap`).toBe(true);
    }
});

for (const file of FIGURES) {
  test(`no label covers a node it does not belong to, nor another label: ${file.replace('.relaylab.json', '')}`, async ({ page }) => {
    await open(page, file);
    await page.keyboard.press('F11');
    await play(page, 2500);
    await page.getByTestId('run-pause').click();
    expect(await overlapsOnCanvas(page)).toEqual([]);
  });
}
