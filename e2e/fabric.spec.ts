// FIG. 1 drawn as the patent draws it: IP22 behind a switch (fabric) carries CN4 to the remote and CN5 to system 40.
// The port shows a fabric marker, its inspector a checkbox that teaches, both cables are drawn and labelled; a plain
// port with two cables is refused with a message that names the fabric option.
import { expect as baseExpect, test } from '@playwright/test';
import { connect, handle, node } from './helpers/canvas';
import { openFigure } from './helpers/live';

const expect = baseExpect.configure({ timeout: 30_000 });
test.use({ viewport: { width: 1680, height: 1050 } });

test('FIG. 1: IP22 carries CN4 and CN5 behind a switch; unmarking it names the fabric option', async ({ page }) => {
  test.setTimeout(120_000);
  await openFigure(page, /FIG\.\s*1(?!\d)/);
  const ip22 = node(page, 'IP22');
  await expect(ip22.getByTestId('port-fabric')).toBeVisible();
  await expect(ip22.locator('.rl-port')).toHaveAttribute('title', /behind a switch \(fabric\)/);
  // Both cables leave IP22, each drawn and labelled with its own name.
  for (const id of ['CN4', 'CN5']) {
    await expect(page.locator(`[data-testid="rf__edge-${id}"]`)).toHaveCount(1);
    await expect(page.getByTestId('cable-label').filter({ hasText: new RegExp(`^${id}\\b`) }).first()).toBeVisible();
  }
  await ip22.click();
  const box = page.getByTestId('field-fabric');
  await expect(box).toBeChecked();
  await expect(page.getByTestId('inspector').locator('label.field', { has: box })).toHaveAttribute('title', /each cable is one fabric path/);
  await expect(page.getByTestId('inspector')).toContainText('2 cable(s): one per peer port');
  // Zoom in on the relay's right side, where CN4 (to the remote) and CN5 (down to system 40) leave IP22.
  const at = (await ip22.boundingBox())!;
  await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2);
  for (let i = 0; i < 2; i++) await page.mouse.wheel(0, -200);
  await page.waitForTimeout(400);
  // Then drag the empty canvas so IP22 sits near the top middle, with TP31 to its right and TP41 below.
  const now = (await ip22.boundingBox())!;
  const canvas = (await page.locator('.react-flow').first().boundingBox())!;
  const from = { x: canvas.x + canvas.width * 0.5, y: canvas.y + 8 };
  const dx = canvas.x + canvas.width * 0.45 - now.x;
  const dy = canvas.y + 70 - now.y;
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dx, from.y + dy, { steps: 10 });
  await page.mouse.up();
  await page.waitForTimeout(400);
  await page.screenshot({ path: 'docs/screenshots/fig01-fabric-ip22.png' });
  if (process.env.RELAYLAB_FABRIC_CLOSEUP) {
    const b = (await ip22.boundingBox())!;
    await page.screenshot({ path: process.env.RELAYLAB_FABRIC_CLOSEUP, clip: { x: b.x - 40, y: b.y - 40, width: b.width + 200, height: b.height + 120 } });
  }

  // A plain port takes one cable: unmarked, IP22's second cable is a problem that says how to allow it.
  await box.uncheck();
  await expect(ip22.getByTestId('port-fabric')).toHaveCount(0);
  const problems = page.getByTestId('problem-row').filter({ hasText: /IP22 already has cable/ });
  await expect(problems.first()).toContainText('behind a switch (fabric)');
  await box.check();
  await expect(page.getByTestId('problem-row').filter({ hasText: /IP22 already has cable/ })).toHaveCount(0);

  // Drawing a second cable from a plain port (IP21 has the loop CN3) is refused, and the refusal names the fabric option.
  const cables = await page.locator('[data-testid^="rf__edge-CN"]').count();
  await connect(page, handle(page, 'IP21', 'cable'), handle(page, 'TP31', 'cable'));
  await expect(page.getByTestId('toast')).toContainText(/IP21 already has cable CN3.*behind a switch \(fabric\)/);
  await expect(page.locator('[data-testid^="rf__edge-CN"]')).toHaveCount(cables);
});
