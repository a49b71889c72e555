// The FIG. 1 + 3DC figure in web mode: the delta-resync standby shows what it keeps for a delta resync; a relay-leg
// outage makes it keep more (the remote lacks those writes), and the explain panel says what a delta resync would send.
import { expect as baseExpect, test } from '@playwright/test';
import { menu, openFigure, rightClickEdge, secondaryBadge } from './helpers/live';
import type { Page } from '@playwright/test';

const expect = baseExpect.configure({ timeout: 30_000 });
test.use({ viewport: { width: 1680, height: 1050 } });

/** The number of writes on the standby's badge ("kept 1,301 · 5.08 MiB"). */
async function keptWrites(page: Page): Promise<number> {
  const text = (await secondaryBadge(page, 'pair-delta').locator('.live-badge-extra').textContent()) ?? '';
  const m = /kept ([\d,]+) ·/.exec(text);
  return m ? Number(m[1]!.replace(/,/g, '')) : NaN;
}

test('the delta-resync standby shows the writes it keeps, more while the relay leg is cut, and the explain panel says a delta resync sends exactly these', async ({ page }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openFigure(page, /delta-resync standby pair/);
  await page.getByTestId('speed-1').click();
  await page.getByTestId('run-play').click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 60_000 });
  await expect(secondaryBadge(page, 'pair-delta')).toHaveAttribute('data-state', 'HOLD');
  await expect(secondaryBadge(page, 'pair-delta').locator('.live-badge-extra')).toHaveText(/^kept [\d,]+ · /);

  // The relay leg's outage: the remote lacks every write since, and the standby keeps them.
  await rightClickEdge(page, 'CN4');
  await menu(page, /Cut cable CN4/);
  await expect(page.locator('[data-testid="pair-badge"][data-pair-id="pair-async"][data-role="primary"]')).toHaveAttribute('data-state', 'PSUE', { timeout: 20_000 });
  const atCut = await keptWrites(page);
  await expect.poll(() => keptWrites(page), { timeout: 30_000 }).toBeGreaterThan(atCut + 100);
  await page.getByTestId('live-tab-explain').click();
  await page.getByTestId('explain-pair').selectOption('pair-delta');
  await expect(page.getByTestId('live-dock')).toContainText(/delta-resync standby: keeps [\d,]+ writes \([^)]*of its 1 GiB journal\) the remote has not yet applied through the relay; a delta resync sends exactly these/);
  await page.getByTestId('run-pause').click();
  await page.screenshot({ path: 'docs/screenshots/delta-standby-kept.png' });
  expect(errors).toEqual([]);
});
