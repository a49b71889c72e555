// Nothing the user made is lost: an edit survives the page being killed without saving, and the next start offers it back.
import { expect, test } from '@playwright/test';
import type { BrowserContext, Page } from '@playwright/test';

const EDITED_NAME = 'Lisbon DR after the audit';

/** Opens the FIG. 1 template from the gallery (shown at first start, else behind the toolbar button). */
async function openFig1(page: Page) {
  await page.goto('/');
  const gallery = page.getByTestId('template-gallery');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  if (!(await gallery.isVisible())) await page.getByTestId('toolbar-templates').click();
  await gallery.getByTestId('template-card').filter({ hasText: /FIG\.\s*1(?!\d)/ }).first().click();
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
}

/** Renames the document in the inspector (nothing selected shows the document's fields). */
async function renameDocument(page: Page, name: string) {
  await page.keyboard.press('Escape');
  const field = page.getByTestId('field-docName');
  await field.fill(name);
  await field.blur();
  await expect(page.getByTestId('doc-title')).toContainText(name);
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
}

/** What durable storage holds right now: the autosave records in IndexedDB, read the way a fresh page would. */
async function storedRecords(page: Page): Promise<{ name: string; dirty: boolean; text: string }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('relaylab-autosave');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('documents')) return resolve([]);
          const all = db.transaction('documents', 'readonly').objectStore('documents').getAll();
          all.onsuccess = () => resolve(all.result as { name: string; dirty: boolean; text: string }[]);
          all.onerror = () => reject(all.error);
        };
      }),
  );
}

/** Edits FIG. 1, waits until the autosave holds the edit, then kills the page without any unload handler running. */
async function editAndKill(context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  await openFig1(page);
  await renameDocument(page, EDITED_NAME);
  await expect.poll(async () => (await storedRecords(page)).filter((r) => r.dirty && r.text.includes(EDITED_NAME)).length, { timeout: 10_000 }).toBe(1);
  await page.close({ runBeforeUnload: false });
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  return errors;
}

test('an edit survives the page being killed without saving: the next start offers it and Restore brings it back', async ({ context }) => {
  await editAndKill(context);

  const page = await context.newPage();
  const errors = collectErrors(page);
  await page.goto('/');
  const dialog = page.getByTestId('recovery-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('recovery-message')).toContainText(`RelayLab closed with unsaved changes to ${EDITED_NAME} at`);
  await expect(page.getByTestId('recovery-message')).toContainText('Restore them?');
  await page.screenshot({ path: 'docs/screenshots/recovery.png' });

  await page.getByTestId('recovery-restore').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('doc-title')).toContainText(EDITED_NAME);
  // Restored work is still unsaved: closing again must keep asking, and the canvas shows FIG. 1's elements.
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
  expect(await page.locator('.react-flow__node').count()).toBeGreaterThanOrEqual(8);
  // The restored document now belongs to this session: exactly one unsaved record, this one.
  await expect.poll(async () => (await storedRecords(page)).filter((r) => r.dirty).length).toBe(1);
  // The page works under the tightened CSP (connect-src 'self' only): no violation, the WebSocket to the server connects.
  expect(errors).toEqual([]);
});

test('discarding asks once more, and after Discard for good the next start offers nothing', async ({ context }) => {
  await editAndKill(context);

  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('recovery-dialog')).toBeVisible();
  await page.getByTestId('recovery-discard').click();
  await expect(page.getByTestId('recovery-confirm')).toContainText(`Discard the unsaved changes to ${EDITED_NAME} for good?`);
  // Changing one's mind keeps them.
  await page.getByTestId('recovery-discard-cancel').click();
  await expect(page.getByTestId('recovery-restore')).toBeVisible();
  await page.getByTestId('recovery-discard').click();
  await page.getByTestId('recovery-discard-confirm').click();
  await expect(page.getByTestId('recovery-dialog')).toBeHidden();
  await expect(page.getByTestId('doc-title')).not.toContainText(EDITED_NAME);
  await page.close({ runBeforeUnload: false });

  const again = await context.newPage();
  await again.goto('/');
  await expect(again.getByTestId('toolbar')).toBeVisible();
  // Give the start-up check time to run; the dialog must not come.
  await again.waitForTimeout(1500);
  await expect(again.getByTestId('recovery-dialog')).toHaveCount(0);
});

test('New clears the unsaved flag: after New and a kill, nothing is offered', async ({ context }) => {
  const page = await context.newPage();
  await openFig1(page);
  await renameDocument(page, EDITED_NAME);
  await expect.poll(async () => (await storedRecords(page)).some((r) => r.dirty)).toBe(true);
  page.on('dialog', (d) => void d.accept());
  await page.getByTestId('toolbar-new').click();
  await expect(page.getByTestId('doc-title')).not.toContainText(EDITED_NAME);
  await expect.poll(async () => (await storedRecords(page)).every((r) => !r.dirty)).toBe(true);
  await page.close({ runBeforeUnload: false });

  const again = await context.newPage();
  await again.goto('/');
  await expect(again.getByTestId('toolbar')).toBeVisible();
  await again.waitForTimeout(1500);
  await expect(again.getByTestId('recovery-dialog')).toHaveCount(0);
});

test('a save clears the unsaved flag: after Save (a download in web mode) and a kill, nothing is offered', async ({ context }) => {
  const page = await context.newPage();
  await openFig1(page);
  await renameDocument(page, EDITED_NAME);
  await expect.poll(async () => (await storedRecords(page)).some((r) => r.dirty)).toBe(true);
  const downloaded = page.waitForEvent('download');
  await page.getByTestId('toolbar-save').click();
  expect((await downloaded).suggestedFilename()).toMatch(/\.relaylab\.json$/);
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
  await expect.poll(async () => (await storedRecords(page)).map((r) => r.dirty)).toEqual([false]);
  await page.close({ runBeforeUnload: false });

  const again = await context.newPage();
  await again.goto('/');
  await expect(again.getByTestId('toolbar')).toBeVisible();
  await again.waitForTimeout(1500);
  await expect(again.getByTestId('recovery-dialog')).toHaveCount(0);
});

test('a second tab that is still open is not mistaken for a crashed session', async ({ context }) => {
  const first = await context.newPage();
  await openFig1(first);
  await renameDocument(first, EDITED_NAME);
  await expect.poll(async () => (await storedRecords(first)).some((r) => r.dirty)).toBe(true);

  const second = await context.newPage();
  await second.goto('/');
  await expect(second.getByTestId('toolbar')).toBeVisible();
  await second.waitForTimeout(1500);
  await expect(second.getByTestId('recovery-dialog')).toHaveCount(0);
});

test('closing a tab with unsaved changes asks first (beforeunload)', async ({ context }) => {
  const page = await context.newPage();
  await openFig1(page);
  await renameDocument(page, EDITED_NAME);
  const asked = new Promise<string>((resolve) => page.once('dialog', (d) => {
    resolve(d.type());
    void d.dismiss();
  }));
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
  // Dismissed: the page stays open with its work.
  await expect(page.getByTestId('doc-title')).toContainText(EDITED_NAME);
});

test("the page's CSP lets the WebSocket reach its own server ('self') and refuses any other host", async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  const outcome = await page.evaluate(async () => {
    const violations: string[] = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    const tryConnect = (url: string) =>
      new Promise<string>((resolve) => {
        try {
          const socket = new WebSocket(url);
          socket.onopen = () => {
            socket.close();
            resolve('open');
          };
          socket.onerror = () => resolve('error');
        } catch (e) {
          resolve(`thrown ${(e as Error).name}`);
        }
      });
    const own = await tryConnect(`ws://${location.host}/rpc`);
    // Same port, other host name: a different origin, which 'self' must not cover.
    const other = await tryConnect(`ws://localhost:${location.port}/rpc`);
    await new Promise((r) => setTimeout(r, 200));
    return { own, other, violations };
  });
  expect(outcome.own).toBe('open');
  expect(outcome.other).not.toBe('open');
  expect(outcome.violations.some((v) => v.startsWith('connect-src') && v.includes('localhost'))).toBe(true);
});
