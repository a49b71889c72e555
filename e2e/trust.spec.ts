// Issue 12 items 1-7, "things that tell the user something false": each test checks what a new user sees in web mode (Chromium, 1600x1000).
import { expect as baseExpect, test } from '@playwright/test';
import { openFigure, primaryBadge, rightClickEdge, secondaryBadge } from './helpers/live';
import type { Locator, Page } from '@playwright/test';

const SHOTS = 'docs/screenshots';
/** The engine shares two cores with everything else: effects can take seconds to reach the page. */
const expect = baseExpect.configure({ timeout: 30_000 });

test.use({ viewport: { width: 1600, height: 1000 } });

async function openTemplate(page: Page, fig = 1) {
  await openFigure(page, new RegExp(`FIG\\.\\s*${fig}(?!\\d)`));
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

// ------------------------------------------------------------------ item 6

/** Virtual milliseconds on the dock's clock (mm:ss.mmm). */
async function clockMs(page: Page): Promise<number> {
  const t = (await page.getByTestId('virtual-clock').textContent()) ?? '';
  const m = /(\d+):(\d\d)\.(\d{3})/.exec(t);
  return m ? Number(m[1]) * 60_000 + Number(m[2]) * 1000 + Number(m[3]) : NaN;
}

/** Virtual seconds per wall second, read off the clock a user watches. */
async function clockRate(page: Page, wallMs = 3000): Promise<number> {
  const v0 = await clockMs(page);
  const w0 = Date.now();
  await page.waitForTimeout(wallMs);
  return (await clockMs(page) - v0) / (Date.now() - w0);
}

async function clickEdge(page: Page, edgeId: string, button: 'left' | 'right' = 'left') {
  const at = await page.locator(`[data-testid="rf__edge-${edgeId}"] path.react-flow__edge-interaction`).evaluate((p: SVGPathElement) => {
    const q = p.getPointAtLength(p.getTotalLength() * 0.3);
    const m = p.getScreenCTM()!;
    return { x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f };
  });
  await page.mouse.click(at.x, at.y, { button });
}

/** The RPO on an async pair's secondary badge, in ms. */
async function rpoMs(page: Page, pairId: string): Promise<number> {
  const t = (await secondaryBadge(page, pairId).textContent()) ?? '';
  const m = /RPO ([\d.]+) (µs|ms|s)\b/.exec(t);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'µs' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

test('item 6: a speed clicked right after Play is the speed the run goes at, and the speed reached is shown beside it', async ({ page }) => {
  test.setTimeout(120_000);
  await openTemplate(page);
  // Play, then at once 100x: the first Play loads the engine, and the click lands while it loads.
  await page.getByTestId('run-play').click();
  await page.getByTestId('speed-100').click();
  await expect(page.getByTestId('speed-100')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('run-pause')).toBeVisible();
  await page.waitForTimeout(1000);
  const rate = await clockRate(page);
  // Not 1x: the run goes as fast as the engine manages toward 100x (FIG. 1 reaches ~10-20x here).
  expect(rate).toBeGreaterThan(2.5);
  // The dock says how fast it really goes, and the figure matches the clock.
  const achieved = page.getByTestId('speed-achieved');
  await expect(achieved).toBeVisible();
  const shown = Number(await achieved.getAttribute('data-achieved'));
  expect(shown).toBeGreaterThan(rate / 2);
  expect(shown).toBeLessThan(rate * 2);
  if (shown < 80) await expect(achieved).toHaveText(/^reaching [\d.,]+×$/);
  await page.screenshot({ path: `${SHOTS}/trust-6-achieved-speed.png` });
  // At 1x it keeps up, and says so plainly.
  await page.getByTestId('speed-1').click();
  await page.waitForTimeout(2500);
  await expect(achieved).toHaveText(/^at (0\.[89]|1\.\d)×$/);
});

test('item 6: a cable edited during a run applies at once; an edit the engine cannot take marks the run out of date with a one-click restart', async ({ page }) => {
  test.setTimeout(180_000);
  await openTemplate(page);
  await playUntilPaired(page, '1000');
  await page.getByTestId('speed-1').click();
  await page.waitForTimeout(1500);
  const before = await rpoMs(page, 'pair-async');
  expect(before).toBeLessThan(15);
  const clockBefore = await clockMs(page);
  // Relay -> remote becomes 4,000 km: one way 20 ms, so the async pair's RPO must grow past it.
  await clickEdge(page, 'CN4');
  await expect(page.getByTestId('inspector').getByTestId('field-distanceKm')).toBeVisible();
  const field = page.getByTestId('inspector').getByTestId('field-distanceKm');
  await field.fill('4000');
  await field.press('Enter');
  await expect(page.getByTestId('run-outdated')).toBeHidden();
  // RPO while PAIR is the age of the oldest unapplied write (DOMAIN.md): 20 ms one way less the gap since the write
  // before it (1.25 ms on average at 800 IOPS), so well above what it was at the old distance.
  await expect.poll(() => rpoMs(page, 'pair-async'), { timeout: 20_000 }).toBeGreaterThan(12);
  // The run went on: not restarted.
  expect(await clockMs(page)).toBeGreaterThan(clockBefore);
  await page.screenshot({ path: `${SHOTS}/trust-6-live-cable-edit.png` });
  // Copy pace is not something the running engine takes: the run says it is out of date.
  await clickEdge(page, 'pair-async');
  const pace = page.getByTestId('inspector').getByTestId('field-copyPace');
  await pace.fill('5');
  await pace.press('Enter');
  await expect(page.getByTestId('run-outdated')).toBeVisible();
  await expect(page.getByTestId('run-outdated')).toContainText('pair-async');
  // Pausing does not restart it behind the user's back.
  const t1 = await clockMs(page);
  await page.getByTestId('run-pause').click();
  expect(await clockMs(page)).toBeGreaterThanOrEqual(t1);
  await expect(page.getByTestId('run-outdated')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/trust-6-out-of-date.png` });
  await page.getByTestId('run-restart').click();
  await expect(page.getByTestId('run-outdated')).toBeHidden();
  expect(await clockMs(page)).toBeLessThan(t1);
});

// ------------------------------------------------------------------ item 1

/** Share of pixels that are not the white page, and the box around them as fractions of the image, measured in the page. */
async function inkOf(page: Page, bytes: Buffer, type: string): Promise<{ width: number; height: number; ink: number; box: { x0: number; y0: number; x1: number; y1: number } }> {
  return page.evaluate(
    async ({ b64, type }) => {
      const bin = atob(b64);
      const arr = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
      const url = URL.createObjectURL(new Blob([arr], { type }));
      const img = new Image();
      await new Promise((resolve, reject) => {
        img.onload = resolve;
        img.onerror = reject;
        img.src = url;
      });
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, c.width, c.height);
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      let x0 = c.width, y0 = c.height, x1 = -1, y1 = -1;
      for (let y = 0; y < c.height; y++)
        for (let x = 0; x < c.width; x++) {
          const i = (y * c.width + x) * 4;
          if (255 - d[i]! > 8 || 255 - d[i + 1]! > 8 || 255 - d[i + 2]! > 8) {
            ink++;
            if (x < x0) x0 = x;
            if (x > x1) x1 = x;
            if (y < y0) y0 = y;
            if (y > y1) y1 = y;
          }
        }
      return { width: c.width, height: c.height, ink: ink / (c.width * c.height), box: { x0: x0 / c.width, y0: y0 / c.height, x1: (x1 + 1) / c.width, y1: (y1 + 1) / c.height } };
    },
    { b64: bytes.toString('base64'), type },
  );
}

async function exportFile(page: Page, item: string): Promise<Buffer> {
  await page.getByTestId('toolbar-export').click();
  const waiting = page.waitForEvent('download');
  await page.getByTestId(item).click();
  const download = await waiting;
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  return readFileSync(path!);
}

test('item 1: PNG, SVG and PDF export draw FIG. 1 filling the picture at a readable scale; SVG and PDF are vectors', async ({ page }) => {
  test.setTimeout(120_000);
  await openTemplate(page);
  // The SVG: a drawing a vector tool can edit (no HTML inside), small, and filling its frame.
  const svg = (await exportFile(page, 'export-svg')).toString('utf8');
  expect(svg).not.toContain('foreignObject');
  expect(svg.length).toBeLessThan(200_000);
  for (const id of ['V11', 'V12', 'V21', 'V22', 'CN4']) expect(svg).toContain(`>${id}`);
  const [, w, h] = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg)!.map(Number);
  const drawn = await inkOf(page, Buffer.from(svg), 'image/svg+xml');
  expect(drawn.box.x0).toBeLessThan(0.06);
  expect(drawn.box.x1).toBeGreaterThan(0.94);
  expect(drawn.box.y0).toBeLessThan(0.06);
  expect(drawn.box.y1).toBeGreaterThan(0.9);
  // The PNG: twice the drawing's size (12 px labels come out 24 px), the drawing reaching every edge, most of it inked.
  const png = await exportFile(page, 'export-png');
  const shot = await inkOf(page, png, 'image/png');
  console.log(`PNG ${shot.width}x${shot.height} for a ${w}x${h} drawing; ink ${(shot.ink * 100).toFixed(1)}%; box ${JSON.stringify(shot.box)}`);
  expect(shot.width).toBe(Math.ceil(w! * 2));
  expect(shot.height).toBe(Math.ceil(h! * 2));
  expect(shot.box.x1 - shot.box.x0).toBeGreaterThan(0.9);
  expect(shot.box.y1 - shot.box.y0).toBeGreaterThan(0.85);
  expect(shot.ink).toBeGreaterThan(0.2);
  const { writeFileSync, readFileSync } = await import('node:fs');
  writeFileSync(`${SHOTS}/trust-1-export-fig1.png`, png);
  // The PDF: one page the drawing's size, drawn with PDF path and text operators (no embedded picture).
  const pdf = (await exportFile(page, 'export-pdf')).toString('latin1');
  expect(pdf.startsWith('%PDF-1.4')).toBe(true);
  expect(pdf).toContain(`/MediaBox [0 0 ${w} ${h}]`);
  expect(pdf).not.toContain('/Image');
  for (const id of ['V11', 'V12', 'V21', 'V22']) expect(pdf).toContain(`(${id}) Tj`);
  expect((pdf.match(/ re\n| c h\n/g) ?? []).length).toBeGreaterThanOrEqual(15);
  expect(pdf).toMatch(/startxref\n\d+\n%%EOF\n$/);
  // Its pixels, where poppler's pdftoppm is installed to rasterise it (else said, not passed silently).
  const { existsSync, mkdtempSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  if (!existsSync('/usr/bin/pdftoppm')) {
    test.info().annotations.push({ type: 'skipped check', description: 'pdftoppm not installed: the PDF pixels were not checked' });
    return;
  }
  const dir = mkdtempSync('/tmp/relaylab-pdf-');
  writeFileSync(`${dir}/fig1.pdf`, Buffer.from(pdf, 'latin1'));
  execFileSync('/usr/bin/pdftoppm', ['-r', '144', '-png', '-singlefile', `${dir}/fig1.pdf`, `${dir}/fig1`]);
  const printed = await inkOf(page, readFileSync(`${dir}/fig1.png`), 'image/png');
  expect(printed.width).toBe(Math.round(w! * 2));
  expect(printed.box.x1 - printed.box.x0).toBeGreaterThan(0.9);
  expect(printed.box.y1 - printed.box.y0).toBeGreaterThan(0.85);
  // The same drawing as the PNG: about the same share of ink.
  expect(Math.abs(printed.ink - shot.ink)).toBeLessThan(0.05);
});

// ------------------------------------------------------------------ item 2

test('item 2: the FIG. 1 exercise fails until CN4 was really cut, the pair suspended, repaired and resynced differentially', async ({ page }) => {
  test.setTimeout(240_000);
  await openTemplate(page);
  await playUntilPaired(page, '100');
  await page.getByTestId('live-tab-exercise').click();
  await expect(page.getByTestId('exercise-rules')).toContainText('cable CN4 is cut');
  await page.getByTestId('exercise-check').click();
  const verdict = page.getByTestId('exercise-verdict');
  // Both pairs are in PAIR and no full copy ran: the end alone would pass, but nothing the task asks has happened.
  await expect(verdict).toHaveClass(/bad/);
  await expect(verdict).toContainText('Not yet');
  await expect(verdict.getByTestId('exercise-check-line').filter({ hasText: 'cable CN4 is cut: this has not happened in this run' })).toHaveAttribute('data-ok', 'false');
  await expect(verdict.getByTestId('exercise-check-line').filter({ hasText: 'pair pair-async is PAIR: it is PAIR' })).toHaveAttribute('data-ok', 'true');
  await page.screenshot({ path: `${SHOTS}/trust-2-exercise-not-done.png` });

  // Now do it: cut CN4, watch the pair suspend, restore, resync.
  await rightClickEdge(page, 'CN4');
  await menuItem(page, /Cut cable CN4/).click();
  // The P-VOL suspends; the S-VOL cannot be told over the cut cable and stays PAIR (per-side status).
  await expect(primaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PSUE', { timeout: 20_000 });
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR');
  await page.waitForTimeout(1000);
  // Stop the hosts so the bitmap stops growing (as a class would before resyncing on a slow machine).
  await page.getByTestId('run-workloads').click();
  await expect(page.getByTestId('run-workloads')).toHaveText('Hosts stopped');
  await rightClickEdge(page, 'CN4');
  await menuItem(page, /Restore cable CN4/).click();
  await expect(page.locator('[data-testid="cable-state"][data-cable-id="CN4"]')).toHaveAttribute('data-up', 'true');
  await rightClickEdge(page, 'pair-async');
  await menuItem(page, /^Resync$/).click();
  // The P-VOL was PSUE: PAIR on its side means the differential copy finished (the S-VOL showed PAIR throughout).
  await expect(primaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 120_000 });
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR');
  await page.getByTestId('exercise-check').click();
  await expect(verdict).toHaveClass(/ok/);
  await expect(verdict).toContainText('Passed');
  await expect(verdict).toContainText(/resynchronised by a differential copy .*tracks to copy/);
  await page.screenshot({ path: `${SHOTS}/trust-2-exercise-passed.png` });
});

// ------------------------------------------------------------------ item 3

test('item 3: Verify on a running FIG. 1 compares at a consistent point: no unexplained DIFFER in 8 runs while writing, and the clock keeps going', async ({ page }) => {
  test.setTimeout(300_000);
  await openTemplate(page);
  await playUntilPaired(page, '100');
  await page.getByTestId('speed-1').click();
  await expect(page.getByTestId('run-workloads')).toHaveText('Hosts writing');
  await page.waitForTimeout(2000);
  const result = page.getByTestId('verify-result');
  const seen: string[] = [];
  for (let i = 0; i < 8; i++) {
    const v0 = await clockMs(page);
    const w0 = Date.now();
    await page.getByTestId('run-verify').click();
    await expect(page.getByTestId('run-verify')).toHaveText('✓ Verify', { timeout: 120_000 });
    await expect(result).toBeVisible();
    const wall = Date.now() - w0;
    const text = (await result.textContent()) ?? '';
    seen.push(text);
    // Every DIFFER carries its reason in parentheses; on a healthy run held at a consistent point there is none at all.
    for (const line of await result.locator('li').allTextContents()) if (line.includes('DIFFER')) expect(line).toMatch(/DIFFER \(.+\)/);
    await expect(result.locator('.live-headline')).toHaveText('All copies identical.');
    await expect(page.getByTestId('verify-point')).toContainText(/host writes held at \d\d:\d\d\.\d{3} and resumed once the volumes were frozen; drained in .*, nothing in flight/);
    // The virtual clock went on while hashing (1x: about as much virtual time as wall time passed).
    await page.waitForTimeout(400);
    const v1 = await clockMs(page);
    expect(v1 - v0).toBeGreaterThan((wall + 400) * 0.3);
    console.log(`verify ${i + 1}: ${wall} ms wall, clock +${v1 - v0} ms; ${await page.getByTestId('verify-point').textContent()}`);
    await page.waitForTimeout(700 + 150 * i);
  }
  // The hosts write again after each verify.
  await expect(page.getByTestId('run-workloads')).toHaveText('Hosts writing');
  await page.screenshot({ path: `${SHOTS}/trust-3-verify-consistent.png` });
  expect(seen.every((t) => !/DIFFER(?! \()/.test(t))).toBe(true);
});

// ------------------------------------------------------------------ item 5

test('item 5: FIG. 1 starts with data, so at 1x the initial copy shows COPY with progress and ETA and sends real tracks', async ({ page }) => {
  test.setTimeout(240_000);
  await openTemplate(page);
  // The inspector shows what R11 (under V11) holds at the start.
  await page.locator('[data-testid="rf__node-R11"]').click({ position: { x: 12, y: 8 } });
  await expect(page.getByTestId('inspector').getByTestId('field-initialFillPercent')).toHaveValue('20');
  await expect(page.getByTestId('inspector')).toContainText('the initial copy sends these tracks');
  await page.screenshot({ path: `${SHOTS}/trust-5-inspector-fill.png` });
  await page.getByTestId('speed-1').click();
  await page.getByTestId('run-play').click();
  const badge = secondaryBadge(page, 'pair-sync');
  await expect(badge).toHaveAttribute('data-state', 'COPY');
  const progress = badge.getByTestId('copy-progress');
  await expect(progress).toContainText(/\d+% · ETA [\d.]+ (ms|s)/);
  await page.screenshot({ path: `${SHOTS}/trust-5-copy-progress.png` });
  // The hosts keep writing meanwhile (tracks they touch are copied again): let it finish at full speed.
  await page.getByTestId('speed-max').click();
  await expect(badge).toHaveAttribute('data-state', 'PAIR', { timeout: 150_000 });
  // The clock had moved on before the copy ended: not COPY -> PAIR at 00:00.000.
  await page.getByTestId('event-filter-pairs').click();
  const done = page.getByTestId('event-row').filter({ hasText: 'pair pair-sync is now PAIR: copy complete' }).first();
  await expect(done).toBeVisible();
  const text = (await done.textContent()) ?? '';
  expect(text).not.toContain('00:00.000');
  expect(Number(/\((\d+) track\(s\) sent\)/.exec(text)![1])).toBeGreaterThan(600);
});
