// Paths in web mode: FIG. 1 with the sync pair on a path group of two cables; cut one, the badge stays PAIR and says 1/2 paths.
import { readFileSync } from 'node:fs';
import { expect as baseExpect, test } from '@playwright/test';
import { menu, primaryBadge, rightClickEdge, showWholeFigure } from './helpers/live';

const expect = baseExpect.configure({ timeout: 30_000 });
test.use({ viewport: { width: 1680, height: 1050 } });

/** FIG. 1, already paired, with a second cable CN2b (IP12 -> TP23) beside CN2 and the sync pair on both (minimum 1). */
function twoPathFig1(): Buffer {
  const t = JSON.parse(readFileSync('assets/topologies/fig01-loop-cascade.relaylab.json', 'utf8'));
  t.name = 'FIG. 1 with two paths for the sync pair';
  t.ports.push(
    { id: 'IP12', name: 'IP12', ownerId: 'sys10', kind: 'initiator', wwn: '50:06:0e:80:00:00:00:21' },
    { id: 'TP23', name: 'TP23', ownerId: 'sys20', kind: 'target', wwn: '50:06:0e:80:00:00:00:22' },
  );
  t.cables.push({ id: 'CN2b', name: 'CN2b', kind: 'fc', aPortId: 'IP12', bPortId: 'TP23', distanceKm: 60, bandwidthMbps: 16000, roundTripsPerWrite: 2 });
  for (const p of t.pairs) {
    p.initially = 'paired';
    if (p.mode === 'sync') p.paths = { cableIds: ['CN2', 'CN2b'], minPaths: 1, timeoutMs: 2000 };
  }
  for (const v of t.volumes) delete v.initialFill;
  return Buffer.from(JSON.stringify(t));
}

test('cut one of two paths: the pair stays PAIR, the badge says 1/2 paths and the tooltip names the path timeout', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  await page.getByTestId('toolbar-file').click();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('menu-open').click()]);
  await chooser.setFiles({ name: 'two-paths.relaylab.json', mimeType: 'application/json', buffer: twoPathFig1() });
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await expect(page.getByTestId('live-dock')).toBeVisible();
  await showWholeFigure(page);
  const badge = primaryBadge(page, 'pair-sync');
  await page.getByTestId('speed-1').click();
  await page.getByTestId('run-play').click();
  await expect(badge).toHaveAttribute('data-state', 'PAIR');
  await rightClickEdge(page, 'CN2');
  await menu(page, /Cut cable CN2\b/);
  await expect(badge).toContainText('1/2 paths');
  await expect(badge).toHaveAttribute('title', /paths 1 of 2 up \(minimum 1\)/);
  // After the 2 s path timeout the pair is still PAIR on CN2b.
  await page.waitForTimeout(3000);
  await expect(badge).toHaveAttribute('data-state', 'PAIR');
  await expect(badge).toHaveAttribute('title', /paths 1 of 2 up \(minimum 1\)$|paths 1 of 2 up \(minimum 1\)\n/);
  await page.screenshot({ path: 'docs/screenshots/live-paths-one-of-two.png' });
});
