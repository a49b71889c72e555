// Live-run helpers for the e2e specs: open a built-in figure from the gallery, read a pair's badge.
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

/** Opens a built-in topology from the template gallery, e.g. /FIG\.\s*1(?!\d)/, and waits for the canvas and the live dock. */
export async function openFigure(page: Page, figure: RegExp): Promise<void> {
  await page.goto('/');
  const gallery = page.getByTestId('template-gallery');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  if (!(await gallery.isVisible())) await page.getByTestId('toolbar-templates').click();
  await expect(gallery).toBeVisible();
  await gallery.getByTestId('template-card').filter({ hasText: figure }).first().click();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await expect(page.getByTestId('live-dock')).toBeVisible();
  await showWholeFigure(page);
}

/**
 * The fit stops at the smallest readable zoom, which can leave a wide figure's right part out of view (and unmounted:
 * only nodes in view are drawn): zoom out once so every site is on screen.
 */
export async function showWholeFigure(page: Page): Promise<void> {
  const canvas = (await page.locator('.react-flow').first().boundingBox())!;
  await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
  await page.mouse.wheel(0, 300);
  await page.waitForTimeout(400);
}

/** The state badge of a pair on its primary volume (the P-VOL's own status). */
export const primaryBadge = (page: Page, pairId: string): Locator => page.locator(`[data-testid="pair-badge"][data-pair-id="${pairId}"][data-role="primary"]`);

/** The state badge of a pair on its secondary volume (the S-VOL's own status). */
export const secondaryBadge = (page: Page, pairId: string): Locator => page.locator(`[data-testid="pair-badge"][data-pair-id="${pairId}"][data-role="secondary"]`);

/** Right-click on an edge of the canvas, as a user does on the cable or pair line (away from its label, which sits mid-way). */
export async function rightClickEdge(page: Page, edgeId: string): Promise<void> {
  const at = await page.locator(`[data-testid="rf__edge-${edgeId}"] path.react-flow__edge-interaction`).evaluate((p: SVGPathElement) => {
    const q = p.getPointAtLength(p.getTotalLength() * 0.3);
    const m = p.getScreenCTM()!;
    return { x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f };
  });
  await page.mouse.click(at.x, at.y, { button: 'right' });
  await expect(page.getByTestId('live-context-menu')).toBeVisible();
}

/** Chooses an item of the open live context menu. */
export async function menu(page: Page, label: RegExp): Promise<void> {
  await page.getByTestId('live-menu-item').filter({ hasText: label }).click();
  await expect(page.getByTestId('context-menu')).toBeHidden();
}

/** Starts recording, in the page, every state the pair's badge on one side shows (consecutive repeats dropped). */
export async function watchPairStates(page: Page, pairId: string, key: string, role: 'primary' | 'secondary' = 'primary'): Promise<void> {
  await page.evaluate(
    ([pairId, key, role]) => {
      const seen: string[] = [];
      (window as unknown as Record<string, string[]>)[key] = seen;
      const look = () => {
        const s = document.querySelector(`[data-testid="pair-badge"][data-pair-id="${pairId}"][data-role="${role}"]`)?.getAttribute('data-state');
        if (s && seen.at(-1) !== s) seen.push(s);
      };
      look();
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    },
    [pairId, key, role] as const,
  );
}

export async function pairStates(page: Page, key: string): Promise<string[]> {
  return page.evaluate((key) => (window as unknown as Record<string, string[]>)[key] ?? [], key);
}
