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
}

/** The state badge of a pair on its secondary volume. */
export const secondaryBadge = (page: Page, pairId: string): Locator => page.locator(`[data-testid="pair-badge"][data-pair-id="${pairId}"][data-role="secondary"]`);
