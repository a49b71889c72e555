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
  // The walk shows its first step (the host sending the write) before any stepping is counted.
  await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(1);
  const banner = page.getByTestId('step-banner');
  const token = page.getByTestId('write-token');

  // Record every position the token takes (the machine may be slow to answer between clicks, the page is not).
  await page.evaluate(() => {
    const trail: { to: string; cable: string; x: number; y: number }[] = [];
    (window as unknown as { tokenTrail: typeof trail }).tokenTrail = trail;
    new MutationObserver(() => {
      const g = document.querySelector('[data-testid="write-token"]');
      const m = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(g?.getAttribute('transform') ?? '');
      if (g && m) trail.push({ to: g.getAttribute('data-to') ?? '', cable: g.getAttribute('data-cable') ?? '', x: Number(m[1]), y: Number(m[2]) });
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['transform'] });
  });
  // Step until the relay's TP21 receives the write (S11); an earlier step sent it over CN2 (S1).
  for (let i = 0; i < 20; i++) {
    const shown = await page.getByTestId('training-walk').locator('li').count();
    await page.getByTestId('training-step').click();
    // Read the banner only once the click's step is on screen (read at once, a loaded machine still shows the previous
    // step, and the loop stepped past S11 before it ever read it).
    await expect(page.getByTestId('training-walk').locator('li')).toHaveCount(shown + 1);
    if ((await banner.getAttribute('data-step')) === 'S11') break;
  }
  await expect(banner).toHaveAttribute('data-step', 'S11');
  await expect(token).toHaveAttribute('data-moving', 'false');
  const sampled = await page.evaluate(() =>
    (window as unknown as { tokenTrail: { to: string; cable: string; x: number; y: number }[] }).tokenTrail.filter((p) => p.to === 'TP21' && p.cable === 'CN2'),
  );
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
  // It starts at IP11's end of the cable and ends at TP21's.
  const ip11 = (await page.locator('[data-testid="rf__node-IP11"]').boundingBox())!;
  const first = sampled[0]!;
  expect(Math.hypot(first.x - (ip11.x + ip11.width / 2), first.y - (ip11.y + ip11.height / 2))).toBeLessThan(Math.max(ip11.width, ip11.height));
  const last = sampled.at(-1)!;
  const toTp21 = Math.hypot(last.x - (tp21.x + tp21.width / 2), last.y - (tp21.y + tp21.height / 2));
  expect(toTp21).toBeLessThan(Math.max(tp21.width, tp21.height));
  await page.screenshot({ path: 'docs/screenshots/live-token-S11.png' });
});

test('the async journal shows as a queue of records on the V21 -> V22 line, and busy cables glow by their load', async ({ page }) => {
  test.setTimeout(180_000);
  await openFigure(page, /FIG\.\s*1(?!\d)/);
  await page.getByTestId('speed-10').click();
  await page.getByTestId('run-play').click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 60_000 });
  // Records in flight come and go with the writes: watch until some are waiting, then the drawing must match the count.
  const seen = await page.evaluate(async () => {
    const until = performance.now() + 20_000;
    while (performance.now() < until) {
      const q = document.querySelector('[data-testid="journal-queue"]');
      const records = Number(q?.getAttribute('data-records') ?? 0);
      if (records > 0) return { records, drawn: q!.querySelectorAll('[data-testid="journal-record"]').length, label: q!.querySelector('text')?.textContent ?? '' };
      await new Promise((r) => requestAnimationFrame(r));
    }
    return null;
  });
  expect(seen).not.toBeNull();
  expect(seen!.drawn).toBe(Math.min(12, seen!.records));
  expect(seen!.label).toBe(`${seen!.records.toLocaleString('en-US')} in journal`);
  // CN2 carries every host write synchronously: it is busy, so it glows.
  // (A straight cable's path has no height, so count it rather than ask whether it is "visible".)
  await expect(page.locator('[data-testid="cable-state"][data-cable-id="CN2"] .live-cable-load')).toHaveCount(1);
});

test('during Play at 1x the sampled writes are tokens riding the cables they cross; at 100x the cables show load instead', async ({ page }) => {
  test.setTimeout(240_000);
  await openFigure(page, /FIG\.\s*1(?!\d)/);
  await page.getByTestId('speed-max').click();
  await page.getByTestId('run-play').click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 120_000 });
  // Record, in the page, every position a play token takes and the cable it says it is on.
  await page.evaluate(() => {
    const trail: { io: string; cable: string; to: string; x: number; y: number }[] = [];
    (window as unknown as { playTrail: typeof trail }).playTrail = trail;
    new MutationObserver(() => {
      for (const g of document.querySelectorAll('[data-testid="play-token"]')) {
        const m = /translate\(([-\d.]+) ([-\d.]+)\)/.exec(g.getAttribute('transform') ?? '');
        if (m) trail.push({ io: g.getAttribute('data-io') ?? '', cable: g.getAttribute('data-cable') ?? '', to: g.getAttribute('data-to') ?? '', x: Number(m[1]), y: Number(m[2]) });
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['transform'] });
  });
  await page.getByTestId('speed-1').click();
  await expect(page.getByTestId('play-token').first()).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: 'docs/screenshots/live-play-tokens.png' });
  // Let a few sampled writes go by, then look at where the tokens went.
  await page.waitForTimeout(6000);
  const trail = await page.evaluate(() => (window as unknown as { playTrail: { io: string; cable: string; to: string; x: number; y: number }[] }).playTrail);
  // More than one sampled write went by, each a host workload write (negative io ids are the driver's samples).
  const writes = new Set(trail.map((p) => p.io));
  expect(writes.size).toBeGreaterThan(1);
  for (const io of writes) expect(Number(io)).toBeLessThan(0);
  // The sync hop rode CN2 into the relay's TP21: every position on CN2 lies on the drawn edge.
  const onCn2 = trail.filter((p) => p.cable === 'CN2' && p.to === 'TP21');
  expect(new Set(onCn2.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`)).size).toBeGreaterThan(3);
  const edge = await page.locator('[data-testid="rf__edge-CN2"] path.react-flow__edge-path').evaluate((p: SVGPathElement) => {
    const m = p.getScreenCTM()!;
    const pts = [];
    for (let i = 0; i <= 400; i++) {
      const q = p.getPointAtLength((p.getTotalLength() * i) / 400);
      pts.push({ x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f });
    }
    return pts;
  });
  for (const s of onCn2) expect(Math.min(...edge.map((e) => Math.hypot(e.x - s.x, e.y - s.y)))).toBeLessThan(4);
  // The async leg's records reach the remote over CN4 too (the relay's initiator sends them to TP31).
  expect(trail.some((p) => p.cable === 'CN4')).toBe(true);

  // At 100x tokens would be a blur: none are drawn, and the busy sync cable glows by its load.
  await page.getByTestId('speed-100').click();
  await expect(page.getByTestId('play-token')).toHaveCount(0);
  await expect(page.locator('[data-testid="cable-state"][data-cable-id="CN2"] .live-cable-load')).toHaveCount(1);
});
