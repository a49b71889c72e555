// Record a scenario during a run (cut CN4, restore, resync), save it in the file, reopen and replay it: the same pair-state
// history plays by itself, with the steps' banners; relaylab simulate plays the same file's steps with the same answers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect as baseExpect, test } from '@playwright/test';
import { menu, openFigure, pairStates, primaryBadge, rightClickEdge, secondaryBadge, showWholeFigure, watchPairStates } from './helpers/live';

const expect = baseExpect.configure({ timeout: 60_000 });
test.use({ viewport: { width: 1600, height: 1000 } });

interface SavedScenario {
  scenario: { timeline: { atMs: number; command: { type: string; cableId?: string; pairId?: string; op?: string } }[] };
}

test('a recorded scenario replays the same pair-state history in the app and in relaylab simulate', async ({ page }) => {
  test.setTimeout(900_000);
  await openFigure(page, /FIG\.\s*1(?!\d)/);
  // The starting data copies first (COPY); then the operator works at 10x.
  await page.getByTestId('speed-max').click();
  await page.getByTestId('run-play').click();
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 400_000 });
  await page.getByTestId('speed-10').click();

  // ---- Record: what the instructor does becomes the scenario ----------------------------------------------------
  await watchPairStates(page, 'pair-async', 'recorded');
  await page.getByTestId('run-record').click();
  await rightClickEdge(page, 'CN4');
  await menu(page, /Cut cable CN4/);
  // The P-VOL's side suspends; the S-VOL cannot be told over the cut cable (per-side status).
  await expect(primaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PSUE');
  // A short outage: the resync then copies a few hundred tracks, not the whole volume.
  await page.waitForTimeout(200);
  await rightClickEdge(page, 'CN4');
  await menu(page, /Restore cable CN4/);
  await rightClickEdge(page, 'pair-async');
  await menu(page, /^Resync$/);
  // Wait on the P-VOL's side: it was PSUE, so PAIR means the resync finished (the S-VOL showed PAIR all along, as
  // nobody could tell it about the cut, until the resync made it COPY).
  await expect(primaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 300_000 });
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR');
  await expect(page.getByTestId('run-record')).toContainText('Stop (3)');
  await page.getByTestId('run-record').click();
  await page.getByTestId('run-pause').click();
  const recorded = await pairStates(page, 'recorded');
  expect(recorded[0]).toBe('PAIR');
  expect(recorded).toContain('PSUE');
  expect(recorded.at(-1)).toBe('PAIR');

  // ---- Save: the steps are in the file, at increasing virtual times ------------------------------------------------
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-scenario-'));
  const saved = join(dir, 'fig1-recorded.relaylab.json');
  await page.getByTestId('toolbar-file').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('menu-save').click()]);
  await download.saveAs(saved);
  const timeline = (JSON.parse(readFileSync(saved, 'utf8')) as SavedScenario).scenario.timeline;
  expect(timeline.map((s) => s.command.type)).toEqual(['cutCable', 'restoreCable', 'pair']);
  expect(timeline[2]!.command.op).toBe('resync');
  expect(timeline[0]!.atMs).toBeLessThan(timeline[1]!.atMs);

  // ---- Reopen and play: nobody touches anything, the scenario does it ---------------------------------------------
  await page.getByTestId('toolbar-file').click();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('menu-open').click()]);
  await chooser.setFiles(saved);
  await expect(page.getByTestId('scenario-marker')).toHaveCount(3);
  // The reopened file is fitted afresh: zoom out so the remote site (V22's badge) is drawn too.
  await showWholeFigure(page);
  await watchPairStates(page, 'pair-async', 'replayed');
  await page.getByTestId('speed-100').click();
  await page.getByTestId('run-play').click();
  await expect(page.getByTestId('scenario-banner')).toBeVisible({ timeout: 180_000 });
  await page.screenshot({ path: 'docs/screenshots/live-scenario-banner.png' });
  await expect(page.getByTestId('scenario-banner')).toContainText('resync pair pair-async', { timeout: 300_000 });
  await expect(primaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR', { timeout: 300_000 });
  await expect(secondaryBadge(page, 'pair-async')).toHaveAttribute('data-state', 'PAIR');
  await page.getByTestId('run-pause').click();
  const replayed = await pairStates(page, 'replayed');
  // The replay starts from the file's beginning (COPY of the starting data), then the same history as recorded.
  expect(replayed.slice(replayed.lastIndexOf('PAIR', replayed.indexOf('PSUE')))).toEqual(recorded);

  // ---- The command line plays the same steps with the same answers ----------------------------------------------
  const lastMs = timeline.at(-1)!.atMs;
  const out = execFileSync(process.execPath, ['dist/main/cli.mjs', 'simulate', saved, '--duration', `${Math.ceil(lastMs / 1000) + 1}s`, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const report = JSON.parse(out) as { faults: { source: string; ok: boolean; command: { type: string } }[]; pairs: { id: string; state: string }[] };
  expect(report.faults.map((f) => [f.source, f.command.type, f.ok])).toEqual([
    ['scenario', 'cutCable', true],
    ['scenario', 'restoreCable', true],
    ['scenario', 'pair', true],
  ]);
  expect(report.pairs.find((p) => p.id === 'pair-async')?.state).toBe('PAIR');
});
