// Issue 12 items 1-7, "things that tell the user something false": each test checks what a new user sees in web mode (Chromium, 1600x1000).
import { expect as baseExpect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

const SHOTS = 'docs/screenshots';
/** The engine shares two cores with everything else: effects can take seconds to reach the page. */
const expect = baseExpect.configure({ timeout: 30_000 });

test.use({ viewport: { width: 1600, height: 1000 } });

async function openTemplate(page: Page, fig = 1) {
  await page.goto('/');
  const gallery = page.getByTestId('template-gallery');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  if (!(await gallery.isVisible())) await page.getByTestId('toolbar-templates').click();
  await expect(gallery).toBeVisible();
  await gallery.getByTestId('template-card').filter({ hasText: new RegExp(`FIG\\.\\s*${fig}(?!\\d)`) }).first().click();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await expect(page.getByTestId('live-dock')).toBeVisible();
  await page.waitForTimeout(300);
}

/** The state badge of a pair on its secondary volume. */
const secondaryBadge = (page: Page, pairId: string): Locator => page.locator(`[data-testid="pair-badge"][data-pair-id="${pairId}"][data-role="secondary"]`);

/** Right-click on an edge of the canvas, away from its label (which sits mid-way). */
async function rightClickEdge(page: Page, edgeId: string) {
  const at = await page.locator(`[data-testid="rf__edge-${edgeId}"] path.react-flow__edge-interaction`).evaluate((p: SVGPathElement) => {
    const q = p.getPointAtLength(p.getTotalLength() * 0.3);
    const m = p.getScreenCTM()!;
    return { x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f };
  });
  await page.mouse.click(at.x, at.y, { button: 'right' });
  await expect(page.getByTestId('context-menu')).toBeVisible();
}

const menuItem = (page: Page, label: RegExp): Locator => page.getByTestId('live-menu-item').filter({ hasText: label });

async function playUntilPaired(page: Page, speed: string = 'max') {
  await page.getByTestId(`speed-${speed}`).click();
  await page.getByTestId('run-play').click();
  await expect(secondaryBadge(page, 'pair-sync')).toHaveAttribute('data-state', 'PAIR', { timeout: 90_000 });
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 90_000 });
}

// ------------------------------------------------------------------ item 7

test('item 7: the pair menu offers only what the pair state allows; the others are disabled with the reason, and edits wait for a pause', async ({ page }) => {
  test.setTimeout(180_000);
  await openTemplate(page);
  await playUntilPaired(page);
  await rightClickEdge(page, 'CN4');
  await page.keyboard.press('Escape');
  await rightClickEdge(page, 'pair-async');
  await expect(page.getByTestId('live-menu-pair-state')).toContainText('PAIR');
  // PAIR: split, take over and delete are offered; resync, swap-resync, failback and create are not, each saying why.
  await expect(menuItem(page, /^Split$/)).toBeEnabled();
  await expect(menuItem(page, /^Take over/)).toBeEnabled();
  await expect(menuItem(page, /^Resync$/)).toBeDisabled();
  await expect(menuItem(page, /^Resync$/)).toHaveAttribute('title', 'pair is PAIR; only a split or suspended pair can be resynchronised');
  await expect(menuItem(page, /^Create/)).toBeDisabled();
  await expect(menuItem(page, /^Create/)).toHaveAttribute('title', /pair is PAIR; only a simplex pair can be created/);
  await expect(menuItem(page, /^Swap-resync/)).toBeDisabled();
  await expect(menuItem(page, /^Failback/)).toBeDisabled();
  // The run plays: deleting or duplicating the pair is refused, saying so.
  await expect(page.getByTestId('ctx-delete')).toBeDisabled();
  await expect(page.getByTestId('ctx-delete')).toHaveAttribute('title', /the run is playing: pause it/);
  await expect(page.getByTestId('ctx-duplicate')).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/trust-7-pair-menu.png` });
  // A disabled item does nothing when clicked: the menu stays, no command is sent.
  await menuItem(page, /^Resync$/).click({ force: true });
  await expect(page.getByTestId('context-menu')).toBeVisible();
  // Split: now resync is offered and split is not.
  await menuItem(page, /^Split$/).click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', /PSUS|SSUS/);
  await rightClickEdge(page, 'pair-async');
  await expect(menuItem(page, /^Resync$/)).toBeEnabled();
  await expect(menuItem(page, /^Split$/)).toBeDisabled();
  await expect(menuItem(page, /^Split$/)).toHaveAttribute('title', /only a pair in PAIR, PFUL or COPY can be split/);
  await page.keyboard.press('Escape');
  // Paused, the designer's edits are offered again.
  await page.getByTestId('run-pause').click();
  await rightClickEdge(page, 'pair-async');
  await expect(page.getByTestId('ctx-delete')).toBeEnabled();
});

// ------------------------------------------------------------------ item 4

test('item 4: a topology with errors does not run; the dock says so in the words of relaylab simulate and opens Problems', async ({ page }) => {
  test.setTimeout(120_000);
  await openTemplate(page);
  // Delete the relay -> remote cable: the async pair has no route any more (pair-no-route).
  await rightClickEdge(page, 'CN4');
  await page.getByTestId('ctx-delete').click();
  await expect(page.locator('[data-testid="rf__edge-CN4"]')).toHaveCount(0);
  await page.getByTestId('tab-planning').click();
  await page.getByTestId('run-play').click();
  const refusal = page.getByTestId('run-refusal');
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText('has errors; fix them first');
  await expect(refusal).toContainText('no cable runs from an initiator port');
  // Nothing runs: no pair badge claims PAIR, the clock stays at zero, Play is still offered.
  await page.waitForTimeout(1500);
  await expect(page.locator('[data-testid="pair-badge"]')).toHaveCount(0);
  await expect(page.getByTestId('virtual-clock')).toHaveText('00:00.000');
  await expect(page.getByTestId('run-play')).toBeVisible();
  await page.getByTestId('run-refusal-problems').click();
  await expect(page.getByTestId('problems-panel')).toBeVisible();
  await expect(page.getByTestId('problem-row').filter({ hasText: 'pair-no-route' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/trust-4-refused.png` });
  // Undo the delete: the topology runs again.
  await page.keyboard.press('Control+z');
  await page.getByTestId('run-play').click();
  await expect(refusal).toBeHidden();
  await expect(secondaryBadge(page, 'pair-sync')).toBeVisible();
});
