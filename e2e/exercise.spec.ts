// An instructor authors an exercise in the app (Exercise tab > New exercise), saves the file, reopens it, runs it:
// the check fails until the student does the task, then passes with every point.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect as baseExpect, test } from '@playwright/test';
import { menu, openFigure, primaryBadge, rightClickEdge, secondaryBadge, showWholeFigure } from './helpers/live';

const expect = baseExpect.configure({ timeout: 30_000 });
test.use({ viewport: { width: 1600, height: 1000 } });
const SHOTS = 'docs/screenshots';

interface SavedExercise {
  formatVersion: number;
  scenario: { exercises: { title: string; task: string; mustHappen: { event: string; elementId?: string; points: number }[]; atEnd: { check: string; pairId?: string; state?: string; volumeA?: string; volumeB?: string; points: number }[]; hints: string[] }[] };
}

test('author an exercise, save, reopen, run: the check fails until the task is done, then passes', async ({ page }) => {
  test.setTimeout(600_000);
  await openFigure(page, /FIG\.\s*7(?!\d)/);
  await page.getByTestId('live-tab-exercise').click();
  const body = page.getByTestId('live-body-exercise');
  await expect(body).toContainText('This topology carries no exercise');
  // Room for the exercise: drag the splitter above the dock up, as an instructor would.
  const s = (await page.getByTestId('splitter-dock').boundingBox())!;
  await page.mouse.move(s.x + s.width / 2, s.y + s.height / 2);
  await page.mouse.down();
  await page.mouse.move(s.x + s.width / 2, s.y - 260, { steps: 6 });
  await page.mouse.up();

  // ---- Author: title, task, two events in order, two end conditions, a hint, points ------------------------------
  await page.getByTestId('exercise-add').click();
  const editor = page.getByTestId('exercise-editor');
  await expect(editor).toBeVisible();
  await editor.getByTestId('exercise-edit-title').fill('Lose the WAN');
  await editor.getByTestId('exercise-edit-task').fill('Cut cable CN4, restore it, and bring pair V21 -> V22 back to PAIR so that V22 holds what V21 holds.');
  await editor.getByTestId('exercise-edit-title').click(); // blur the task: it commits

  await editor.getByTestId('exercise-new-event-kind').selectOption('fault');
  await editor.getByTestId('exercise-add-event').click();
  await editor.getByTestId('exercise-edit-event').nth(0).getByTestId('exercise-event-target').selectOption('CN4');
  await editor.getByTestId('exercise-new-event-kind').selectOption('repair');
  await editor.getByTestId('exercise-add-event').click();
  await editor.getByTestId('exercise-edit-event').nth(1).getByTestId('exercise-event-target').selectOption('CN4');

  await editor.getByTestId('exercise-new-end-kind').selectOption('pairState');
  await editor.getByTestId('exercise-add-end').click();
  const state = editor.getByTestId('exercise-edit-end').nth(0);
  await state.getByTestId('exercise-end-target').selectOption('pair-async');
  await state.getByTestId('exercise-end-points').fill('2');
  await editor.getByTestId('exercise-new-end-kind').selectOption('identical');
  await editor.getByTestId('exercise-add-end').click();
  const same = editor.getByTestId('exercise-edit-end').nth(1);
  await same.getByTestId('exercise-end-target').selectOption('V21');
  await same.getByTestId('exercise-end-target-b').selectOption('V22');
  await editor.getByTestId('exercise-edit-hints').fill('Right-click cable CN4 to cut it.\nResync pair V21 -> V22 once CN4 is back.');
  await editor.getByTestId('exercise-edit-title').click();

  // Undo and redo go through the document's history like any edit.
  await expect(editor.getByTestId('exercise-edit-end')).toHaveCount(2);
  await page.getByTestId('toolbar-undo').click();
  await expect(editor.getByTestId('exercise-edit-hints')).toHaveValue('');
  await page.getByTestId('toolbar-redo').click();
  await expect(editor.getByTestId('exercise-edit-hints')).toHaveValue(/Right-click cable CN4/);
  await page.screenshot({ path: `${SHOTS}/exercise-editor.png` });

  // ---- Save: the exercise is in the file ------------------------------------------------------------------------
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-exercise-'));
  const saved = join(dir, 'fig7-exercise.relaylab.json');
  await page.getByTestId('toolbar-file').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('menu-save').click()]);
  await download.saveAs(saved);
  const file = JSON.parse(readFileSync(saved, 'utf8')) as SavedExercise;
  expect(file.formatVersion).toBe(2);
  const [ex] = file.scenario.exercises;
  expect(ex).toMatchObject({ title: 'Lose the WAN', hints: ['Right-click cable CN4 to cut it.', 'Resync pair V21 -> V22 once CN4 is back.'] });
  expect(ex!.mustHappen).toEqual([
    { event: 'fault', elementId: 'CN4', points: 1 },
    { event: 'repair', elementId: 'CN4', points: 1 },
  ]);
  expect(ex!.atEnd).toEqual([
    { check: 'pairState', pairId: 'pair-async', state: 'PAIR', side: 'pair', points: 2 },
    { check: 'identical', volumeA: 'V21', volumeB: 'V22', points: 1 },
  ]);

  // ---- Reopen and run: the student's view -------------------------------------------------------------------------
  await page.getByTestId('toolbar-file').click();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('menu-open').click()]);
  await chooser.setFiles(saved);
  // The dock stays on the Exercise tab (clicking the open tab would fold the dock).
  await expect(body).toBeVisible();
  await showWholeFigure(page);
  await expect(page.getByTestId('exercise-task')).toContainText('Cut cable CN4, restore it');
  await expect(page.getByTestId('exercise-editor')).toHaveCount(0);
  await expect(page.getByTestId('exercise-hint')).toHaveCount(0);
  await page.getByTestId('exercise-show-hint').click();
  await expect(page.getByTestId('exercise-hint')).toHaveText('Hint 1: Right-click cable CN4 to cut it.');

  await page.getByTestId('speed-max').click();
  await page.getByTestId('run-play').click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 300_000 });
  await page.getByTestId('speed-10').click();

  const verdict = page.getByTestId('exercise-verdict');
  await page.getByTestId('exercise-check').click();
  await expect(verdict).toHaveClass(/bad/);
  await expect(verdict.getByTestId('exercise-check-line').filter({ hasText: 'cable CN4 is cut: this has not happened in this run' })).toHaveAttribute('data-ok', 'false');
  await expect(verdict.getByTestId('exercise-check-line').filter({ hasText: 'pair pair-async is PAIR: it is PAIR' })).toHaveAttribute('data-ok', 'true');
  // The pair is in PAIR (2 points) and, hashed at a consistent point, V21 and V22 match (1 point): 3 of 5.
  await expect(page.getByTestId('exercise-score')).toHaveText('3 / 5 points');
  await page.screenshot({ path: `${SHOTS}/exercise-not-done.png` });

  // ---- Do the task (at 1x, hosts stopped once the cable is cut, so the bitmap stays small on a slow machine) -------
  await page.getByTestId('speed-1').click();
  await rightClickEdge(page, 'CN4');
  await menu(page, /Cut cable CN4/);
  await expect(primaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PSUE');
  await page.getByTestId('run-workloads').click();
  await expect(page.getByTestId('run-workloads')).toHaveText('Hosts stopped');
  await rightClickEdge(page, 'CN4');
  await menu(page, /Restore cable CN4/);
  await rightClickEdge(page, 'pair-async');
  await menu(page, /^Resync$/);
  await page.getByTestId('speed-max').click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 300_000 });
  await expect(primaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR');
  await page.getByTestId('exercise-check').click();
  await expect(verdict).toHaveClass(/ok/, { timeout: 120_000 });
  await expect(page.getByTestId('exercise-score')).toHaveText('5 / 5 points');
  await expect(verdict.getByTestId('exercise-check-line').filter({ hasText: 'V21 and V22 hold identical data: the content hashes match' })).toHaveAttribute('data-ok', 'true');
  await page.screenshot({ path: `${SHOTS}/exercise-passed.png` });
});
