// Training's Back: after N steps of a traced write, Back shows exactly what step N-1 showed (the acting element highlighted, every cache slot), on FIG. 1, FIG. 7 and FIG. 9.
import { expect, test, type Page } from '@playwright/test';
import { openFigure } from './helpers/live';

const SHOTS = 'docs/screenshots';

interface Shown {
  /** The step chip and text on screen. */
  current: string;
  /** The element outlined on the canvas (the first rule of the highlight style names it). */
  highlighted: string;
  /** Every cache's slots as the Caches tab lists them (volume, track, dirty/clean, age). */
  slots: Record<string, string[]>;
  walkLength: number;
}

async function shown(page: Page): Promise<Shown> {
  const current = ((await page.getByTestId('training-current').textContent()) ?? '').trim();
  const css = (await page.getByTestId('live-highlight-style').textContent()) ?? '';
  const highlighted = /data-id="([^"]+)"/.exec(css)?.[1] ?? '';
  const walkLength = await page.getByTestId('training-walk').locator('li').count();
  await page.getByTestId('live-tab-caches').click();
  await expect(page.getByTestId('cache-list')).toBeVisible();
  const slots = await page.getByTestId('cache-list').evaluate((list) => {
    const out: Record<string, string[]> = {};
    for (const grid of list.querySelectorAll<HTMLElement>('[data-cache-id]')) {
      out[grid.dataset.cacheId!] = [...grid.querySelectorAll('[data-testid="cache-slot"]')].map((s) => s.getAttribute('title') ?? '');
    }
    return out;
  });
  await page.getByTestId('live-tab-training').click();
  await expect(page.getByTestId('training-walk')).toBeVisible();
  return { current, highlighted, slots, walkLength };
}

/**
 * What is on screen once it stopped changing: a step's walk line and its caches can reach the page in different
 * renders, and a loaded machine read the slots of the step before (two equal reads 150 ms apart count as settled).
 */
async function settledShown(page: Page): Promise<Shown> {
  let last = await shown(page);
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(150);
    const now = await shown(page);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  return last;
}

const FIGURES: { name: string; figure: RegExp }[] = [
  { name: 'fig01', figure: /FIG\.\s*1(?!\d)/ },
  { name: 'fig07', figure: /FIG\.\s*7(?!\d)/ },
  { name: 'fig09', figure: /FIG\.\s*9(?!\d)/ },
];

for (const f of FIGURES) {
  test(`${f.name}: Back after N steps shows exactly step N-1 (highlighted element and cache slots)`, async ({ page }) => {
    test.setTimeout(240_000);
    await openFigure(page, f.figure);
    // A little of the run first, so that the caches hold the workload's slots and the checkpoints have something to do.
    await page.getByTestId('speed-max').click();
    await page.getByTestId('run-play').click();
    await expect.poll(async () => (await page.getByTestId('cache-fill').count()) > 0).toBe(true);
    await page.waitForTimeout(1500);
    await page.getByTestId('run-pause').click();

    await page.getByTestId('live-tab-training').click();
    await page.getByTestId('training-start').click();
    await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(1);
    await expect(page.getByTestId('training-back')).toBeDisabled();

    // Forward until a step the engine had to run for changes the caches (at least 6 steps), so that Back must rewind the run.
    const history: Shown[] = [await settledShown(page)];
    for (let i = 0; i < 40; i++) {
      await page.getByTestId('training-step').click();
      await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(history.length + 1);
      history.push(await settledShown(page));
      const [before, now] = history.slice(-2) as [Shown, Shown];
      if (history.length >= 6 && JSON.stringify(before.slots) !== JSON.stringify(now.slots)) break;
    }
    const n = history.length - 1;
    expect(JSON.stringify(history[n]!.slots)).not.toBe(JSON.stringify(history[n - 1]!.slots));

    await page.getByTestId('training-back').click();
    await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(history[n - 1]!.walkLength);
    const back = await settledShown(page);
    expect(back.highlighted).not.toBe('');
    expect(back).toEqual(history[n - 1]);
    await page.screenshot({ path: `${SHOTS}/training-step-back-${f.name}.png` });

    // Once more: step N-2, then forward again gives step N-1 as before.
    await page.getByTestId('training-back').click();
    await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(history[n - 2]!.walkLength);
    expect(await settledShown(page)).toEqual(history[n - 2]);
    await page.getByTestId('training-step').click();
    await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(history[n - 1]!.walkLength);
    expect(await settledShown(page)).toEqual(history[n - 1]);
  });
}

test('the timeline shows where the run can jump back to: checkpoint ticks, and a jump back restores one', async ({ page }) => {
  test.setTimeout(240_000);
  // Wide enough that the dock's header leaves the timeline room to show its ticks.
  await page.setViewportSize({ width: 1920, height: 1000 });
  await openFigure(page, /FIG\.\s*1(?!\d)/);
  await page.getByTestId('speed-max').click();
  await page.getByTestId('run-play').click();
  // A few virtual seconds: the driver checkpoints every 2 s or so (the start is always one).
  const clock = page.getByTestId('virtual-clock');
  await expect.poll(async () => ((await clock.textContent()) ?? '') >= '00:06.000', { timeout: 180_000 }).toBe(true);
  await page.getByTestId('run-pause').click();
  const marks = page.getByTestId('rewind-marks');
  await expect(marks).toHaveAttribute('data-earliest-us', '0');
  await expect.poll(async () => marks.locator('.live-checkpoint-mark').count()).toBeGreaterThanOrEqual(3);
  await expect(page.getByTestId('timeline')).toHaveAttribute('title', /instant jumps back to 00:00\.000 and later \(\d+ checkpoints\)/);
  await page.getByTestId('timeline').hover();
  await page.getByTestId('live-dock').screenshot({ path: `${SHOTS}/timeline-checkpoints.png` });
  // Back to the start with the keyboard (Home), then the clock reads 0.
  await page.getByTestId('timeline').focus();
  await page.keyboard.press('Home');
  await expect(clock).toHaveText('00:00.000');
});
