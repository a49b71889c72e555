// The designer's acceptance test: a new user builds FIG. 1 of the patent from an empty canvas with the mouse, saves it, undoes every step, reopens the file and finds no problems.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { chooseField, connect, dragPalette, drawnCount, flowRoot, handle, node, centreOf, settledCount, nodeFlowPosition, panNodeTo, selectedId, resizeTo, rootToFlow, selectNode, settledZoom, typeField } from './helpers/canvas';
import type { XY } from './helpers/canvas';

const SHOTS = 'docs/screenshots';

// A wide monitor: the three sites of FIG. 1 side by side.
test.use({ viewport: { width: 1920, height: 1200 } });

/** Collapses runs of equal numbers: [3, 3, 2, 2, 0] -> [3, 2, 0]. */
function collapse(xs: number[]): number[] {
  return xs.filter((x, i) => i === 0 || xs[i - 1] !== x);
}

/** The parts of the saved file the test follows (the schema itself is checked by the CLI). */
interface SavedTopology {
  sites: { id: string; name: string }[];
  systems: { id: string; role: string; siteId: string }[];
  hosts: { id: string; workloads: { luId: string }[] }[];
  ports: { id: string; ownerId: string; kind: string }[];
  cables: { id: string; name: string; kind: string; aPortId: string; bPortId: string; distanceKm: number }[];
  volumes: { id: string; kind: string; systemId: string }[];
  lus: { id: string; portId: string; volumeId: string }[];
  pairs: { id: string; primaryVolumeId: string; secondaryVolumeId: string; mode: string; fence: string; journalBytes?: number }[];
}

/** Canvas points relative to the top-left corner the build starts from. */
type Plan = (p: XY) => XY;

test('a new user builds FIG. 1 by mouse from an empty canvas, saves it, undoes every step, reopens it, and the problems panel is empty', async ({ page }) => {
  // About 70 s on a shared 2-core machine: some 90 gestures and as many undos, each waiting for the canvas to settle.
  test.setTimeout(180_000);
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
  const record = async () => counts.push(await settledCount(page));
  // Inspector edits are steps too (choosing an external backing draws a line).
  const choose = async (field: string, value: string) => {
    await chooseField(page, field, value);
    await record();
  };
  const type = async (field: string, value: string) => {
    await typeField(page, field, value);
    await record();
  };

  // The first site lands where it is dropped: the view neither jumps nor rezooms on the first drop of an empty drawing.
  const viewBefore = await page.locator('.react-flow__viewport').getAttribute('style');
  const localSite = await dragPalette(page, 'site', await rootToFlow(page, { x: 120, y: 120 }));
  await record();
  await settledZoom(page);
  expect(await page.locator('.react-flow__viewport').getAttribute('style')).toBe(viewBefore);
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
    return selectedId(page);
  };

  // ---- Local site: a host and the local storage system 10 --------------------------------------------------
  await type('name', 'Local site');
  await resizeTo(page, localSite, at({ x: 650, y: 400 }));
  const host = await drop('host', { x: 20, y: 60 });
  const hba = await drop('port-initiator', { x: 100, y: 120 });
  const local = await drop('system', { x: 230, y: 60 });
  await type('role', 'local');
  await resizeTo(page, local, at({ x: 630, y: 380 }));
  const tp11 = await drop('port-target', { x: 240, y: 110 });
  const r11 = await drop('volume-real', { x: 360, y: 290 });
  const v11 = await drop('volume-virtual', { x: 360, y: 180 });
  const lu11 = await drop('lu', { x: 378, y: 110 });
  const ip11 = await drop('port-initiator', { x: 528, y: 180 });
  // CN1: the host's initiator to the local target port.
  await cable(hba, tp11);

  // ---- Relay site: relay system 20 with the cascade's mapping stack ---------------------------------------------
  const relaySite = await drop('site', { x: 680, y: 0 });
  await type('name', 'Relay site');
  await resizeTo(page, relaySite, at({ x: 1240, y: 850 }));
  const relay = await drop('system', { x: 700, y: 60 });
  await type('role', 'relay');
  await resizeTo(page, relay, at({ x: 1220, y: 580 }));
  const tp21 = await drop('port-target', { x: 710, y: 110 });
  const ip21 = await drop('port-initiator', { x: 1118, y: 200 });
  const tp22 = await drop('port-target', { x: 710, y: 400 });
  const ip22 = await drop('port-initiator', { x: 1118, y: 110 });
  const ip23 = await drop('port-initiator', { x: 1118, y: 500 });
  // CN2 from the local system to the relay (60 km in FIG. 1), and CN3, the internal loop from IP21 back to TP22.
  const cn2 = await cable(ip11, tp21);
  await type('distanceKm', '60');
  const cn3 = await cable(ip21, tp22);
  await expect(page.getByTestId('inspector').getByTestId('field-kind')).toHaveValue('internal-loop');
  const r1 = await drop('volume-real', { x: 910, y: 500 });
  const v21 = await drop('volume-virtual', { x: 910, y: 400 });
  const r2 = await drop('volume-virtualReal', { x: 790, y: 290 });
  // V12 is dropped beside the stack: R1 is full (V21 maps all of it), so it maps onto the free virtual real volume R2.
  const v12 = await drop('volume-virtual', { x: 790, y: 180 });
  // An LU dropped on the system goes to its first target port, TP21; it starts on V21 and is dragged onto V12.
  const lu21 = await drop('lu', { x: 808, y: 110 });
  await connect(page, handle(page, lu21, 'map-down'), handle(page, v12, 'map-up'));
  await record();
  // An LU dropped on TP22 is exposed there (on V21, the system's first virtual volume) and placed beside the port, not on it.
  const lu22 = await dragPalette(page, 'lu', await centreOf(page, tp22));
  await record();
  const [portBox, luBox] = [(await node(page, tp22).boundingBox())!, (await node(page, lu22).boundingBox())!];
  expect(luBox.x >= portBox.x + portBox.width || luBox.y >= portBox.y + portBox.height || luBox.y + luBox.height <= portBox.y).toBe(true);

  // V12 stands on the virtual real volume R2.
  await selectNode(page, v12);
  await expect(page.getByTestId('inspector').getByTestId('field-lowerId')).toHaveValue(r2);
  // R2 is the alias of V21 (the drag says so) reached through the loop: IP21 -> CN3 -> TP22, LU22.
  await connect(page, handle(page, r2, 'map-down'), handle(page, v21, 'map-up'));
  await record();
  await selectNode(page, r2);
  await expect(page.getByTestId('inspector').getByTestId('field-aliasOfId')).toHaveValue(v21);
  await choose('path', 'loop');
  await choose('pathInitiator', ip21);
  await choose('pathLu', lu22);

  // ---- Remote site: remote system 30 with V22, reached over CN4 (600 km) ------------------------------------------
  const remoteSite = await drop('site', { x: 1290, y: 0 });
  await type('name', 'Remote site');
  await resizeTo(page, remoteSite, at({ x: 1670, y: 400 }));
  const remote = await drop('system', { x: 1310, y: 60 });
  await type('role', 'remote');
  await resizeTo(page, remote, at({ x: 1650, y: 380 }));
  const tp31 = await drop('port-target', { x: 1320, y: 110 });
  const r3 = await drop('volume-real', { x: 1430, y: 290 });
  const v22 = await drop('volume-virtual', { x: 1430, y: 180 });
  const lu31 = await drop('lu', { x: 1448, y: 110 });
  const cn4 = await cable(ip22, tp31);
  await type('distanceKm', '600');
  await choose('kind', 'ip');

  // ---- External system 40 below the relay: its LU40 on TP41 backs the relay's R1 over CN5 ---------------------
  const relayBox = (await node(page, relay).boundingBox())!;
  const root = (await flowRoot(page).boundingBox())!;
  const external = await dragPalette(page, 'externalSystem', await rootToFlow(page, { x: relayBox.x + 20 - root.x, y: relayBox.y + relayBox.height + 14 - root.y }));
  await record();
  await resizeTo(page, external, at({ x: 1220, y: 830 }));
  const tp41 = await drop('port-target', { x: 1118, y: 690 });
  const r40 = await drop('volume-real', { x: 910, y: 750 });
  const lu40 = await drop('lu', { x: 928, y: 680 });
  const cn5 = await cable(ip23, tp41);
  await selectNode(page, r1);
  await choose('backing', 'external');
  await choose('initiatorPortId', ip23);
  await choose('luId', lu40);
  await page.screenshot({ path: `${SHOTS}/build-1-stacks.png` });

  // ---- Both pairs, drawn from volume to volume ---------------------------------------------------------------
  const edgesBefore = await page.locator('.react-flow__edge').count();
  await connect(page, handle(page, v11, 'pair-out'), handle(page, v12, 'pair-in'));
  await expect(page.locator('.react-flow__edge')).toHaveCount(edgesBefore + 1);
  await record();
  // 60 km of CN2 between the local and relay systems: the pair is synchronous with fence 'data' by default.
  const syncPair = await selectedId(page);
  await expect(page.getByTestId('inspector').getByTestId('field-mode')).toHaveValue('sync');
  await expect(page.getByTestId('inspector').getByTestId('field-fence')).toHaveValue('data');
  await connect(page, handle(page, v21, 'pair-out'), handle(page, v22, 'pair-in'));
  await expect(page.locator('.react-flow__edge')).toHaveCount(edgesBefore + 2);
  await record();
  const asyncPair = await selectedId(page);
  await expect(page.getByTestId('inspector').getByTestId('field-mode')).toHaveValue('async');

  // The host writes to LU11; the topology gets its name.
  await selectNode(page, host);
  await page.getByTestId('add-workload').click();
  await expect(page.getByTestId('inspector').getByTestId('field-workload-0-lu')).toHaveValue(lu11);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('inspector').locator('.kind-label')).toHaveText('Topology');
  await page.getByTestId('field-docName').fill('FIG 1 built by mouse');
  await page.getByTestId('field-docName').press('Tab');
  await expect(page.getByTestId('doc-title')).toContainText('FIG 1 built by mouse');

  await page.getByTestId('tab-problems').click();
  await page.getByTestId('toolbar-fit').click();
  await settledZoom(page);
  await expect(page.getByTestId('problems-empty')).toBeVisible();
  await expect(page.getByTestId('problem-row')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/build-2-fig1-built.png` });
  const built = await drawnCount(page);
  expect(built).toBe(counts.at(-1));

  // ---- Save: web mode downloads the file --------------------------------------------------------------------
  const dir = mkdtempSync(join(tmpdir(), 'relaylab-e2e-'));
  const saved = join(dir, 'fig1-by-mouse.relaylab.json');
  await page.getByTestId('toolbar-file').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('menu-save').click()]);
  expect(download.suggestedFilename()).toMatch(/\.relaylab\.json$/);
  await download.saveAs(saved);
  await expect(page.getByTestId('dirty-marker')).toBeHidden();

  // The command line accepts the file (execFileSync throws on a non-zero exit).
  const report = execFileSync(process.execPath, ['dist/main/cli.mjs', 'validate', saved], { encoding: 'utf8' });
  expect(report).not.toMatch(/error/i);

  // What was saved is FIG. 1: follow the references the way the write flow does.
  const t = JSON.parse(readFileSync(saved, 'utf8')) as SavedTopology;
  const byId = <E extends { id: string }>(list: E[], id: string): E => {
    const e = list.find((x) => x.id === id);
    if (!e) throw new Error(`saved file lacks ${id}`);
    return e;
  };
  expect(t.sites.map((s) => s.name)).toEqual(['Local site', 'Relay site', 'Remote site']);
  expect(Object.fromEntries(t.systems.map((s) => [s.id, [s.role, s.siteId]]))).toEqual({
    [local]: ['local', localSite],
    [relay]: ['relay', relaySite],
    [external]: ['external', relaySite],
    [remote]: ['remote', remoteSite],
  });
  const cableBetween = (a: string, b: string) => t.cables.find((c) => (c.aPortId === a && c.bPortId === b) || (c.aPortId === b && c.bPortId === a));
  expect(byId(t.ports, hba)).toMatchObject({ ownerId: host, kind: 'initiator' });
  expect(cableBetween(hba, tp11)).toBeDefined();
  expect(byId(t.lus, lu11)).toMatchObject({ portId: tp11, volumeId: v11 });
  expect(byId(t.volumes, v11)).toMatchObject({ kind: 'virtual', systemId: local, ranges: [{ lowerId: r11 }] });
  expect(byId(t.volumes, r11)).toMatchObject({ kind: 'real', backing: { type: 'internal' } });
  expect(byId(t.cables, cn2)).toMatchObject({ aPortId: ip11, bPortId: tp21, distanceKm: 60 });
  expect(byId(t.lus, lu21)).toMatchObject({ portId: tp21, volumeId: v12 });
  expect(byId(t.volumes, v12)).toMatchObject({ kind: 'virtual', systemId: relay, ranges: [{ lowerId: r2 }] });
  expect(byId(t.volumes, r2)).toMatchObject({ kind: 'virtualReal', aliasOfId: v21, path: { initiatorPortId: ip21, luId: lu22 } });
  expect(byId(t.cables, cn3)).toMatchObject({ aPortId: ip21, bPortId: tp22, kind: 'internal-loop' });
  expect(byId(t.lus, lu22)).toMatchObject({ portId: tp22, volumeId: v21 });
  expect(byId(t.volumes, v21)).toMatchObject({ kind: 'virtual', systemId: relay, ranges: [{ lowerId: r1 }] });
  expect(byId(t.volumes, r1)).toMatchObject({ kind: 'real', backing: { type: 'external', initiatorPortId: ip23, luId: lu40 } });
  expect(byId(t.cables, cn5)).toMatchObject({ aPortId: ip23, bPortId: tp41 });
  expect(byId(t.lus, lu40)).toMatchObject({ portId: tp41, volumeId: r40 });
  expect(byId(t.volumes, r40)).toMatchObject({ kind: 'real', systemId: external });
  expect(byId(t.cables, cn4)).toMatchObject({ aPortId: ip22, bPortId: tp31, distanceKm: 600, kind: 'ip' });
  expect(byId(t.lus, lu31)).toMatchObject({ portId: tp31, volumeId: v22 });
  expect(byId(t.volumes, v22)).toMatchObject({ kind: 'virtual', systemId: remote, ranges: [{ lowerId: r3 }] });
  expect(t.pairs).toHaveLength(2);
  expect(byId(t.pairs, syncPair)).toMatchObject({ primaryVolumeId: v11, secondaryVolumeId: v12, mode: 'sync', fence: 'data' });
  expect(byId(t.pairs, asyncPair)).toMatchObject({ primaryVolumeId: v21, secondaryVolumeId: v22, mode: 'async' });
  expect(byId(t.pairs, asyncPair).journalBytes).toBeGreaterThan(0);
  expect(byId(t.hosts, host).workloads.map((w) => w.luId)).toEqual([lu11]);
  expect(t.cables.map((c) => c.name)).toEqual(['CN1', 'CN2', 'CN3', 'CN4', 'CN5']);

  // ---- Undo walks back through every step, in reverse order, to the empty canvas ----------------------------------
  await page.mouse.click(root.x + 8, root.y + (await flowRoot(page).boundingBox())!.height - 8);
  const undone: number[] = [built];
  for (let i = 0; i < 150 && (await page.getByTestId('toolbar-undo').isEnabled()); i++) {
    await page.keyboard.press('Control+z');
    undone.push(await settledCount(page));
  }
  await expect(page.getByTestId('toolbar-undo')).toBeDisabled();
  expect(undone.at(-1)).toBe(0);
  expect(collapse(undone)).toEqual(collapse([...counts].reverse()));

  // ---- Reopen the saved file (upload) on the empty canvas: everything is back and nothing is wrong -------------
  await page.getByTestId('toolbar-file').click();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('menu-open').click()]);
  await chooser.setFiles(saved);
  await expect(page.getByTestId('doc-title')).toContainText('FIG 1 built by mouse');
  await expect.poll(() => drawnCount(page)).toBe(built);
  await page.getByTestId('tab-problems').click();
  // Neither errors nor warnings: the problems panel is empty.
  await expect(page.getByTestId('problems-empty')).toBeVisible();
  await expect(page.getByTestId('problem-row')).toHaveCount(0);
  await page.getByTestId('toolbar-fit').click();
  await settledZoom(page);
  await page.screenshot({ path: `${SHOTS}/build-3-reopened.png` });
  await page.getByTestId('toolbar-theme').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/build-4-reopened-dark.png` });
  await page.getByTestId('toolbar-theme').click();

  expect(pageErrors).toEqual([]);
});
