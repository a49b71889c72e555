// Writes you can watch: in Training, the traced write is a token that rides the cable it crosses (S1 -> S11 over CN2), not a jump.
import { expect as baseExpect, test } from '@playwright/test';
import { openFigure, secondaryBadge } from './helpers/live';

const expect = baseExpect.configure({ timeout: 30_000 });
test.use({ viewport: { width: 1600, height: 1000 } });

test('the write token rides cable CN2 from IP11 to TP21 when the relay receives the write', async ({ page }) => {
  test.setTimeout(180_000);
  await openFigure(page, /FIG\.\s*1(?!\d)/);
  await page.getByTestId('speed-max').click();
  await page.getByTestId('run-play').click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 60_000 });
  await page.getByTestId('run-pause').click();
  await page.getByTestId('live-tab-training').click();
  await page.getByTestId('training-start').click();
  const banner = page.getByTestId('step-banner');
  const token = page.getByTestId('write-token');

  // Step until the relay's TP21 receives the write (S11); the step before it sent it over CN2 (S1).
  let sampled: { x: number; y: number }[] = [];
  for (let i = 0; i < 20; i++) {
    await page.getByTestId('training-step').click();
    if ((await banner.getAttribute('data-step')) === 'S11') {
      // Sample the token while it moves (the hop takes about a second at the class's pace).
      sampled = await page.evaluate(async () => {
        const out: { x: number; y: number }[] = [];
        const until = performance.now() + 1500;
        while (performance.now() < until) {
          const g = document.querySelector('[data-testid="write-token"]');
          const m = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(g?.getAttribute('transform') ?? '');
          if (m) out.push({ x: Number(m[1]), y: Number(m[2]) });
          await new Promise((r) => requestAnimationFrame(r));
        }
        return out;
      });
      break;
    }
  }
  await expect(token).toHaveAttribute('data-cable', 'CN2');
  await expect(token).toHaveAttribute('data-from', 'IP11');
  await expect(token).toHaveAttribute('data-to', 'TP21');
  await expect(token).toHaveAttribute('data-pair', 'pair-sync');
  await expect(token).toHaveAttribute('data-moving', 'false');

  // Every sampled position lies on the drawn CN2 edge, and the token travelled most of its length towards TP21.
  const edge = await page.locator('[data-testid="rf__edge-CN2"] path.react-flow__edge-path').evaluate((p: SVGPathElement) => {
    const m = p.getScreenCTM()!;
    const n = 400;
    const pts = [];
    for (let i = 0; i <= n; i++) {
      const q = p.getPointAtLength((p.getTotalLength() * i) / n);
      pts.push({ x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f });
    }
    return pts;
  });
  const tp21 = (await page.locator('[data-testid="rf__node-TP21"]').boundingBox())!;
  const distinct = new Set(sampled.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`));
  expect(distinct.size).toBeGreaterThan(5);
  for (const s of sampled) {
    const nearest = Math.min(...edge.map((e) => Math.hypot(e.x - s.x, e.y - s.y)));
    expect(nearest).toBeLessThan(4);
  }
  const last = sampled.at(-1)!;
  const toTp21 = Math.hypot(last.x - (tp21.x + tp21.width / 2), last.y - (tp21.y + tp21.height / 2));
  expect(toTp21).toBeLessThan(Math.max(tp21.width, tp21.height));
  await page.screenshot({ path: 'docs/screenshots/live-token-S11.png' });
});
