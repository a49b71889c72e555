// A class in web mode: an instructor and two students in three browser contexts. The instructor pushes FIG. 1 with a scenario and cuts CN4 for everyone; one student recovers and passes, the other checks too early and fails; the instructor sees both within a second. A student token never opens the instructor page.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect as baseExpect, test } from '@playwright/test';
import { menu, rightClickEdge, secondaryBadge, showWholeFigure } from './helpers/live';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';

/** The engine shares two cores with everything else: effects can take seconds to reach the page. */
const expect = baseExpect.configure({ timeout: 30_000 });
// Its own server (tokens on): beside the config's web server, on a port of its own per worktree when RELAYLAB_E2E_PORT is set.
const PORT = process.env.RELAYLAB_E2E_PORT ? Number(process.env.RELAYLAB_E2E_PORT) + 100 : 4197;
const BASE = `http://127.0.0.1:${PORT}`;
const STUDENT_TOKEN = 'S';
const INSTRUCTOR_TOKEN = 'I';

let server: ChildProcess | null = null;
let serverLog = '';

test.beforeAll(async () => {
  // This spec needs a server in class mode, so it runs its own rather than the config's.
  server = spawn(process.execPath, ['dist/main/server.mjs', '--host', '127.0.0.1', '--port', String(PORT), '--token', STUDENT_TOKEN, '--instructor-token', INSTRUCTOR_TOKEN], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${BASE}/healthz`).then((r) => r.ok, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the class-mode server did not start:\n${serverLog}`);
});

test.afterAll(() => {
  server?.kill('SIGTERM');
  server = null;
});

test.use({ viewport: { width: 1500, height: 950 } });

async function joinAs(browser: Browser, name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`${name}: page error: ${e.message}`));
  await page.goto(`${BASE}/?token=${STUDENT_TOKEN}`);
  await expect(page.getByTestId('class-join')).toBeVisible();
  await page.getByTestId('class-name').fill(name);
  await page.getByTestId('class-join-submit').click();
  await expect(page.getByTestId('class-badge')).toContainText(name);
  return { context, page };
}

async function checkExercise(page: Page) {
  // Clicking the tab on show would fold the dock.
  if (!(await page.getByTestId('exercise-check').isVisible())) await page.getByTestId('live-tab-exercise').click();
  await page.getByTestId('exercise-check').click();
  await expect(page.getByTestId('exercise-verdict')).toBeVisible();
}

test('the instructor pushes FIG. 1 with a scenario, cuts CN4 for everyone, and sees one student pass and one fail within a second', async ({ browser }) => {
  test.setTimeout(420_000);
  const instructorContext = await browser.newContext();
  const instructor = await instructorContext.newPage();
  await instructor.goto(`${BASE}/instructor?token=${INSTRUCTOR_TOKEN}`);
  await expect(instructor.getByTestId('roster-empty')).toBeVisible();

  const alice = await joinAs(browser, 'Alice');
  const bob = await joinAs(browser, 'Bob');
  const rows = instructor.getByTestId('student-row');
  await expect(rows).toHaveCount(2);
  const row = (name: string) => instructor.locator(`[data-testid="student-row"][data-student="${name}"]`);

  // FIG. 1 with a scenario file of the instructor's: the class's own wording of the exercise.
  const fig1 = JSON.parse(readFileSync('assets/topologies/fig01-loop-cascade.relaylab.json', 'utf8')) as { scenario: { exercises: { task: string }[] } };
  const drill = { ...fig1.scenario.exercises[0]!, task: 'Class drill: the link from the relay site to the remote fails. Bring both pairs back to PAIR without a full copy.' };
  const scenario = { ...fig1.scenario, exercises: [drill] };
  await instructor.getByTestId('push-template').selectOption('fig01-loop-cascade.relaylab.json');
  await instructor.getByTestId('push-scenario-file').setInputFiles({ name: 'drill.scenario.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
  await expect(instructor.getByTestId('push-task')).toContainText('Class drill');
  await instructor.getByTestId('push-send').click();
  await expect(instructor.getByTestId('push-outcome')).toContainText('to 2 students');

  // Both students have it open, loaded in their own engine, on the exercise tab with the drill's task.
  for (const { page } of [alice, bob]) {
    await expect(page.locator('[data-testid="rf__node-V21"]')).toBeVisible();
    await expect(page.getByTestId('live-body-exercise')).toContainText('Class drill');
  }
  await expect(row('Alice')).toContainText('FIG. 1');
  await expect(row('Bob')).toContainText('FIG. 1');

  // Each runs their copy until both legs are in PAIR.
  for (const { page } of [alice, bob]) {
    await showWholeFigure(page);
    await page.getByTestId('speed-max').click();
    await page.getByTestId('run-play').click();
  }
  const started = Date.now();
  // Read from the instructor's roster (the engine's own state), whatever part of the figure each student's canvas shows.
  for (const name of ['Alice', 'Bob']) await expect(row(name).locator('.pair-chip', { hasText: 'pair-async PAIR' })).toBeVisible({ timeout: 180_000 });
  console.log(`both students in PAIR after ${Math.round((Date.now() - started) / 1000)} s`);
  // Back to real time for the drill: at full speed the seconds a student takes to act are hours of host writes, and
  // every track would differ by the time of the resync (a full copy, which the exercise forbids).
  for (const { page } of [alice, bob]) await page.getByTestId('speed-1').click();
  await expect(row('Alice').locator('.pair-chip', { hasText: 'pair-async PAIR' })).toBeVisible();

  // "Now the relay's link to the remote fails": CN4 cut in both runs at once.
  await instructor.getByTestId('fault-type').selectOption({ label: 'Cut a cable' });
  await instructor.getByTestId('fault-element').selectOption('CN4');
  // Each student is told (a toast shows for a few seconds): watch for it from before the click.
  const told = expect(bob.page.getByTestId('toast')).toContainText('Your instructor: cable CN4 was cut.');
  await instructor.getByTestId('fault-fire').click();
  await expect(instructor.getByTestId('fault-outcome')).toContainText('applied in 2 of 2 student runs');
  await told;
  // It stays under the student's badge after the toast has gone.
  // Alice stops her hosts at once, so her bitmap stops growing while Bob checks.
  await alice.page.getByTestId('run-workloads').click();
  await expect(alice.page.getByTestId('run-workloads')).toHaveText('Hosts stopped');
  for (const { page } of [alice, bob]) await expect(page.getByTestId('class-notice')).toContainText('cable CN4 was cut');
  await bob.page.screenshot({ path: 'docs/screenshots/class-student.png' });
  for (const { page } of [alice, bob]) {
    await expect(page.locator('[data-testid="cable-state"][data-cable-id="CN4"]')).toHaveAttribute('data-up', 'false');
    // The P-VOL's side suspends; the S-VOL cannot be told over the cut cable (per-side status, DOMAIN.md).
  await expect(page.locator('[data-testid="pair-badge"][data-pair-id="pair-async"][data-role="primary"]')).toHaveAttribute('data-state', 'PSUE', { timeout: 20_000 });
  }

  // Bob checks at once: the remote pair is suspended, one check fails.
  await checkExercise(bob.page);
  await expect(bob.page.getByTestId('exercise-verdict')).toHaveClass(/bad/);
  await expect(row('Bob').getByTestId('student-verdict')).toHaveAttribute('data-verdict', 'failed', { timeout: 1000 });
  // Not restored, not resynced, not in PAIR: each failed check on the instructor's page, in the grader's words.
  await expect(row('Bob').locator('[data-testid="student-check"][data-ok="false"]').filter({ hasText: 'pair pair-async is PAIR: it is PSUE' })).toHaveCount(1, { timeout: 1000 });
  await expect(row('Bob').locator('[data-testid="student-check"][data-ok="false"]')).toHaveCount(3);
  await expect(row('Bob').getByTestId('student-score')).toHaveText(/^\s*5 \/ 10 points$/);

  // Bob's run waits while Alice works (the engines share two cores with the rest of the machine).
  await bob.page.getByTestId('run-pause').click();

  // Alice restores the cable and resyncs: a differential copy, back to PAIR, and she passes.
  await rightClickEdge(alice.page, 'CN4');
  await menu(alice.page, /Restore cable CN4/);
  await expect(alice.page.locator('[data-testid="cable-state"][data-cable-id="CN4"]')).toHaveAttribute('data-up', 'true');
  await rightClickEdge(alice.page, 'pair-async');
  await menu(alice.page, /^Resync$/);
  const resyncing = Date.now();
  await expect(row('Alice').locator('.pair-chip', { hasText: 'pair-async PAIR' })).toBeVisible({ timeout: 180_000 });
  console.log(`Alice resynced in ${Math.round((Date.now() - resyncing) / 1000)} s`);
  await checkExercise(alice.page);
  await expect(alice.page.getByTestId('exercise-verdict')).toHaveClass(/ok/);
  await expect(row('Alice').getByTestId('student-verdict')).toHaveAttribute('data-verdict', 'passed', { timeout: 1000 });
  // Every check of the drill met (the instructor's cut counts as the fault it asks for), and the score says so.
  await expect(row('Alice').locator('[data-testid="student-check"][data-ok="false"]')).toHaveCount(0);
  await expect(row('Alice').locator('[data-testid="student-check"][data-ok="true"]')).toHaveCount(7);
  await expect(row('Alice').getByTestId('student-score')).toHaveText('10 / 10 points');
  // Bob's result is still there next to Alice's.
  await expect(row('Bob').getByTestId('student-verdict')).toHaveAttribute('data-verdict', 'failed');

  await instructor.waitForTimeout(1200);
  await instructor.screenshot({ path: 'docs/screenshots/instructor.png' });

  // A student with the instructor's URL but a student token is refused, by link and by cookie, and the server logs it.
  const sneaky = await alice.context.newPage();
  const byLink = await sneaky.goto(`${BASE}/instructor?token=${STUDENT_TOKEN}`);
  expect(byLink?.status()).toBe(403);
  const byCookie = await sneaky.goto(`${BASE}/instructor`);
  expect(byCookie?.status()).toBe(403);
  expect(serverLog).toMatch(/refused the instructor page from 127\.0\.0\.1: a student token/);
  // Students never see each other: nothing of Bob reaches Alice's page.
  await expect(alice.page.getByText('Bob')).toHaveCount(0);

  await Promise.all([instructorContext.close(), alice.context.close(), bob.context.close()]);
});

test('a student who reloads gets their own session back: same name, same run', async ({ browser }) => {
  test.setTimeout(120_000);
  const carol = await joinAs(browser, 'Carol');
  const { page } = carol;
  await page.getByTestId('toolbar-templates').click();
  await page.getByTestId('template-card').filter({ hasText: /FIG\.\s*1(?!\d)/ }).first().click();
  await page.getByTestId('run-play').click();
  await expect(page.getByTestId('virtual-clock')).not.toHaveText('00:00.000');
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('run-play')).toBeVisible();
  // The pause's own snapshot may land just after the button turns: read the clock once it has settled.
  await page.waitForTimeout(700);
  const clock = (await page.getByTestId('virtual-clock').textContent()) ?? '';
  expect(clock).not.toBe('00:00.000');
  await page.reload();
  // No name prompt: the session (sessionStorage) and the name are remembered; the run is taken back where it was.
  await expect(page.getByTestId('class-badge')).toContainText('Carol');
  await expect(page.getByTestId('class-join')).toHaveCount(0);
  await expect(page.locator('[data-testid="rf__node-V21"]')).toBeVisible();
  await expect(page.getByTestId('virtual-clock')).toHaveText(clock);
  const instructorContext = await browser.newContext();
  const instructor = await instructorContext.newPage();
  await instructor.goto(`${BASE}/instructor?token=${INSTRUCTOR_TOKEN}`);
  const row = instructor.locator('[data-testid="student-row"][data-student="Carol"]');
  await expect(row).toHaveCount(1);
  // The engine kept her run: the instructor sees its clock where she paused it.
  await expect(row.getByTestId('student-progress')).toContainText(clock);
  await Promise.all([instructorContext.close(), carol.context.close()]);
});
