// Web mode as a first-time user meets it: the gallery lists the nine embodiments, opening one draws it on the canvas.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';

/** The gallery may greet a first-time user, or wait behind the toolbar's Templates button. */
async function openGallery(page: Page) {
  const gallery = page.getByTestId('template-gallery');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  if (!(await gallery.isVisible())) await page.getByTestId('toolbar-templates').click();
  await expect(gallery).toBeVisible();
  return gallery;
}

test('web mode opens on the template gallery with the nine embodiments, the 3DC variant and the exercises', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  await page.goto('/');
  const gallery = await openGallery(page);
  const cards = gallery.getByTestId('template-card');
  // One card per entry of the gallery's index: the nine embodiments (each by its own title), FIG. 1's 3DC variant and
  // the built-in exercises.
  const index = JSON.parse(readFileSync('assets/topologies/index.json', 'utf8')) as { figure: string; title: string }[];
  await expect(cards).toHaveCount(index.length);
  // Each of the nine embodiments has its own card: the figure label and its title (the card shows the title without the "FIG. N: " prefix).
  for (const fig of [1, 7, 9, 11, 12, 13, 14, 15, 16]) {
    const entry = index.find((e) => e.figure === `FIG. ${fig}`)!;
    const title = entry.title.replace(/^FIG\. \d+: /, '');
    await expect(cards.filter({ hasText: title })).toHaveCount(1);
    await expect(cards.filter({ hasText: title }).getByText(`FIG. ${fig}`, { exact: true })).toBeVisible();
  }
  await expect(cards.filter({ hasText: 'delta-resync standby pair' })).toHaveCount(1);
  await expect(cards.filter({ hasText: /^FIG\. 1( \+ 3DC)? exercise/ })).toHaveCount(index.filter((e) => e.title.startsWith('Exercise')).length);
  await page.screenshot({ path: 'docs/screenshots/web-gallery.png' });
  // A CSP violation or a failed WebSocket shows up here before it shows up to a user.
  expect(errors).toEqual([]);
});

test('opening the FIG. 1 template draws its sites, systems and volumes on the canvas', async ({ page }) => {
  await page.goto('/');
  await openGallery(page);
  await page.getByTestId('template-card').filter({ hasText: /FIG\.\s*1(?!\d)/ }).first().click();
  const nodes = page.locator('.react-flow__node');
  await expect(nodes.first()).toBeVisible();
  // FIG. 1 has at least four storage systems (local, relay, remote, external) plus sites, hosts and volumes.
  expect(await nodes.count()).toBeGreaterThanOrEqual(8);
  await page.screenshot({ path: 'docs/screenshots/web-fig1.png' });
});

test('the page talks to the server over /rpc', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  // Only after the renderer has loaded its api module: calling app.info through a fresh socket proves the transport.
  const info = await page.evaluate(async () => {
    const socket = new WebSocket(`ws://${location.host}/rpc`);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const answer = new Promise<string>((resolve) => (socket.onmessage = (e) => resolve(String(e.data))));
    socket.send(JSON.stringify({ id: 1, method: 'app.info', params: {} }));
    return JSON.parse(await answer) as { ok: boolean; result: { mode: string } };
  });
  expect(info).toMatchObject({ ok: true, result: { mode: 'web' } });
});
