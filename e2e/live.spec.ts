// Live views in web mode: run FIG. 1 until PAIR, cut the relay-to-remote cable, watch the remote pair suspend, restore, resync, verify; then single-step one write through the S-steps.
import { expect as baseExpect, test } from '@playwright/test';
import { menu, rightClickEdge, secondaryBadge } from './helpers/live';
import type { Locator, Page } from '@playwright/test';

const SHOTS = 'docs/screenshots';
/** The engine shares two cores with everything else: effects can take seconds to reach the page. */
const expect = baseExpect.configure({ timeout: 30_000 });

// A larger window, as an architect's monitor: the canvas above, the live dock below.
test.use({ viewport: { width: 1680, height: 1050 } });

async function openFig1(page: Page) {
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto('/');
  const gallery = page.getByTestId('template-gallery');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  if (!(await gallery.isVisible())) await page.getByTestId('toolbar-templates').click();
  await expect(gallery).toBeVisible();
  await gallery.getByTestId('template-card').filter({ hasText: /FIG\.\s*1(?!\d)/ }).first().click();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await expect(page.getByTestId('live-dock')).toBeVisible();
  await page.waitForTimeout(300);
  await zoomOnRelay(page);
}

/** Zooms the canvas in on the relay and remote sites, where the cascade's second leg runs. */
async function zoomOnRelay(page: Page) {
  // The fit stops at the smallest readable zoom, which shows FIG. 1's left part here: zoom out first so both are in view
  // (only nodes in view are mounted).
  const canvas = (await page.locator('.react-flow').first().boundingBox())!;
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
  await page.mouse.wheel(0, 300);
  await page.waitForTimeout(400);
  const v21 = await page.locator('[data-testid="rf__node-V21"]').boundingBox({ timeout: 5000 }).catch(() => null);
  const v22 = await page.locator('[data-testid="rf__node-V22"]').boundingBox({ timeout: 5000 }).catch(() => null);
  if (!v21 || !v22) return;
  await page.mouse.move((v21.x + v22.x) / 2, (v21.y + v22.y) / 2 - 40);
  await page.mouse.wheel(0, -220);
  await page.waitForTimeout(400);
}

async function differentialCount(page: Page, pairId: string): Promise<number> {
  const text = (await secondaryBadge(page, pairId).getByTestId('differential-count').textContent()) ?? '';
  return Number(text.replace(/[^\d]/g, ''));
}

test('cut the relay-to-remote cable: the remote pair suspends, records differences, resyncs to PAIR, and verify finds all copies identical', async ({ page }) => {
  test.setTimeout(480_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openFig1(page);

  // Run until both legs of the cascade are in PAIR (the initial copies finish).
  await page.getByTestId('speed-1').click();
  await page.getByTestId('run-play').click();
  await expect(page.getByTestId('run-pause')).toBeVisible();
  await expect(secondaryBadge(page, 'pair-sync')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/live-1-running.png` });
  await expect(secondaryBadge(page, 'pair-sync')).toHaveAttribute('data-state', 'PAIR', { timeout: 60_000 });
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 60_000 });
  // Hosts keep writing at 800 IOPS; the clock moves.
  await expect(page.getByTestId('virtual-clock')).not.toHaveText('00:00.000');
  await page.getByTestId('live-tab-charts').click();
  await page.waitForTimeout(2500);
  await page.screenshot({ path: `${SHOTS}/live-2-pair-charts.png` });

  // Cut CN4, relay -> remote.
  await rightClickEdge(page, 'CN4');
  await page.screenshot({ path: `${SHOTS}/live-3-context-menu.png` });
  await menu(page, /Cut cable CN4/);
  await expect(page.locator('[data-testid="cable-state"][data-cable-id="CN4"]')).toHaveAttribute('data-up', 'false');
  // The P-VOL's side suspends; the S-VOL cannot be told over the cut cable (per-side status, DOMAIN.md).
  await expect(page.locator('[data-testid="pair-badge"][data-pair-id="pair-async"][data-role="primary"]')).toHaveAttribute('data-state', 'PSUE', { timeout: 20_000 });
  // The sync leg is untouched.
  await expect(secondaryBadge(page, 'pair-sync')).toHaveAttribute('data-state', 'PAIR');
  await expect(secondaryBadge(page, 'pair-async').getByTestId('differential-count')).toBeVisible({ timeout: 20_000 });
  const before = await differentialCount(page, 'pair-async');
  await expect.poll(() => differentialCount(page, 'pair-async'), { timeout: 20_000 }).toBeGreaterThan(before);
  await page.getByTestId('live-tab-explain').click();
  await page.getByTestId('explain-pair').selectOption('pair-async');
  await expect(page.getByTestId('explain-headline')).toContainText(/PSUE since \d\d:\d\d\.\d{3}/);
  await expect(page.getByTestId('explain-headline')).toContainText('tracks recorded since');
  await page.screenshot({ path: `${SHOTS}/live-4-cut-psue-explain.png` });

  // Stop the hosts (the bitmap stops growing), restore the cable and resync the pair: a differential copy, back to PAIR.
  await page.getByTestId('run-workloads').click();
  await expect(page.getByTestId('run-workloads')).toHaveText('Hosts stopped');
  await rightClickEdge(page, 'CN4');
  await menu(page, /Restore cable CN4/);
  await expect(page.locator('[data-testid="cable-state"][data-cable-id="CN4"]')).toHaveAttribute('data-up', 'true');
  await rightClickEdge(page, 'pair-async');
  await menu(page, /^Resync$/);
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', /COPY|PAIR/);
  await page.getByTestId('live-tab-events').click();
  await page.getByTestId('event-filter-pairs').click();
  await expect(page.getByTestId('event-row').filter({ hasText: 'differential resync' }).first()).toBeVisible();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/live-5-resynced.png` });

  // With the hosts stopped and the copy done, compare hashes of every pair's volumes.
  await page.getByTestId('run-pause').click();
  await page.getByTestId('run-verify').click();
  // The engine hashes four 1 GiB volumes: seconds, not milliseconds.
  await expect(page.getByTestId('verify-result').locator('.live-headline')).toHaveText('All copies identical.', { timeout: 240_000 });
  await page.screenshot({ path: `${SHOTS}/live-6-verify.png` });
  expect(errors).toEqual([]);
});

test('single-stepping one write walks the S-steps in order, highlighting the element that acts', async ({ page }) => {
  test.setTimeout(240_000);
  await openFig1(page);
  // The copies finish first, so the steps shown are the write's own.
  await page.getByTestId('speed-max').click();
  await page.getByTestId('run-play').click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 60_000 });
  await page.getByTestId('run-pause').click();

  await page.getByTestId('live-tab-training').click();
  await page.getByTestId('training-start').click();
  await expect(page.getByTestId('run-workloads')).toHaveText('Hosts stopped');
  // The host sending the write is the first step on screen.
  await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(1);
  await expect(page.getByTestId('step-banner')).toHaveAttribute('data-step', 'host-write');
  const banner = page.getByTestId('step-banner');
  const seen: string[] = [];
  for (let i = 0; i < 60; i++) {
    const shown = await page.getByTestId('training-walk').locator('li').count();
    await page.getByTestId('training-step').click();
    // Each click shows exactly one more step of the write.
    await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(shown + 1);
    const step = (await banner.getAttribute('data-step')) ?? '';
    if (seen.at(-1) !== step) seen.push(step);
    // The acting element is outlined on the canvas.
    const css = (await page.getByTestId('live-highlight-style').textContent()) ?? '';
    expect(css).toContain('data-id=');
    if (step === 'S14') await page.screenshot({ path: `${SHOTS}/live-7-training-S14.png` });
    if (step === 'S22') await page.screenshot({ path: `${SHOTS}/live-8-training-S22.png` });
    if (seen.includes('S44') || seen.includes('journal-apply')) break;
  }
  const sSteps = seen.filter((s) => /^S\d+/.test(s));
  // FIG. 6: local IP11 sends (S1), the relay's TP21 receives and converts (S11, S12 ...), IP21 issues the loop write (S21/S22), TP22 (S31 ...), IP22 to the remote (S41 ...).
  for (const s of ['S1', 'S11', 'S12', 'S13', 'S14', 'S15', 'S16', 'S21', 'S22', 'S31']) expect(sSteps).toContain(s);
  const order = (s: string) => sSteps.indexOf(s);
  expect(order('S1')).toBeLessThan(order('S11'));
  expect(order('S11')).toBeLessThan(order('S12'));
  expect(order('S12')).toBeLessThan(order('S14'));
  expect(order('S14')).toBeLessThan(order('S16'));
  expect(order('S16')).toBeLessThan(order('S22'));
  expect(order('S22')).toBeLessThan(order('S31'));
  await page.screenshot({ path: `${SHOTS}/live-9-training-walk.png` });
});
