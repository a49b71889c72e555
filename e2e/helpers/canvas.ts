// Mouse gestures on the designer canvas, as a user makes them: palette drops at canvas points, handle-to-handle drags, node moves; positions given in canvas (flow) units.
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

export type XY = { x: number; y: number };

/** The element kinds the palette offers (the part of its data-testid after "palette-"). */
export type PaletteKind =
  | 'site'
  | 'system'
  | 'externalSystem'
  | 'host'
  | 'port-target'
  | 'port-initiator'
  | 'port-switchable'
  | 'volume-real'
  | 'volume-virtual'
  | 'volume-virtualReal'
  | 'lu'
  | 'cache';

/** Handle families of the canvas nodes (renderer/canvas/derive.ts HANDLE). */
export type HandleId = 'cable' | 'map-down' | 'map-up' | 'pair-out' | 'pair-in';

export const flowRoot = (page: Page): Locator => page.locator('.react-flow').first();
export const node = (page: Page, id: string): Locator => page.locator(`[data-testid="rf__node-${id}"]`);
export const handle = (page: Page, id: string, which: HandleId): Locator => node(page, id).locator(`.react-flow__handle[data-handleid="${which}"]`);

/** The viewport transform React Flow applies: screen = origin + translate + flow * zoom. */
async function viewport(page: Page): Promise<{ tx: number; ty: number; zoom: number; box: { x: number; y: number } }> {
  const style = (await page.locator('.react-flow__viewport').getAttribute('style')) ?? '';
  const m = /translate\((-?[\d.]+)px,\s*(-?[\d.]+)px\)\s*scale\(([\d.]+)\)/.exec(style);
  if (!m) throw new Error(`unexpected viewport transform "${style}"`);
  const box = await flowRoot(page).boundingBox();
  if (!box) throw new Error('the canvas is not visible');
  return { tx: Number(m[1]), ty: Number(m[2]), zoom: Number(m[3]), box };
}

/** A canvas point -> a point relative to the React Flow root element (what dragTo's targetPosition wants). */
export async function flowToRoot(page: Page, p: XY): Promise<XY> {
  const v = await viewport(page);
  return { x: v.tx + p.x * v.zoom, y: v.ty + p.y * v.zoom };
}

/** The canvas point under a point given relative to the React Flow root element. */
export async function rootToFlow(page: Page, p: XY): Promise<XY> {
  const v = await viewport(page);
  return { x: (p.x - v.tx) / v.zoom, y: (p.y - v.ty) / v.zoom };
}

/** The id shown in the inspector's title: the element selected now. */
export async function selectedId(page: Page): Promise<string> {
  return ((await page.getByTestId('inspector').locator('.panel-title .id-label').textContent({ timeout: 2000 }).catch(() => '')) ?? '').trim();
}

/**
 * Drags a palette item onto the canvas at a canvas point (inside the site, system or port that should receive it)
 * and returns the id of the element created there (the designer selects what it just made).
 */
export async function dragPalette(page: Page, kind: PaletteKind, at: XY): Promise<string> {
  const before = await selectedId(page);
  const count = await page.locator('.react-flow__node').count();
  await page.getByTestId(`palette-${kind}`).dragTo(flowRoot(page), { targetPosition: await flowToRoot(page, at), timeout: 5000 });
  await expect(page.locator('.react-flow__node'), `dropping ${kind} at ${at.x},${at.y} adds a node`).toHaveCount(count + 1);
  await expect.poll(() => selectedId(page), { message: `the new ${kind} is selected`, intervals: [25] }).not.toBe(before);
  return selectedId(page);
}

/** Draws a connection from one handle to another (cable, mapping or pair: the handles say which). */
export async function connect(page: Page, from: Locator, to: Locator): Promise<void> {
  await from.dragTo(to, { force: true, timeout: 5000 });
}

/** Moves a node by dragging its body (or its header, for groups) so that its top-left lands on a canvas point. */
export async function moveNode(page: Page, id: string, to: XY): Promise<void> {
  const box = await node(page, id).boundingBox();
  if (!box) throw new Error(`node ${id} is not visible`);
  const target = await flowToRoot(page, to);
  const root = (await flowRoot(page).boundingBox())!;
  const grab = { x: box.x + box.width / 2, y: box.y + Math.min(box.height / 2, 12) };
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  const dx = root.x + target.x - box.x;
  const dy = root.y + target.y - box.y;
  await page.mouse.move(grab.x + dx / 2, grab.y + dy / 2, { steps: 4 });
  await page.mouse.move(grab.x + dx, grab.y + dy, { steps: 4 });
  await page.mouse.up();
}

/** Clicks a node (near its bottom-left corner, away from handles and the labels of lines crossing it) so the inspector shows it. */
export async function selectNode(page: Page, id: string): Promise<void> {
  const box = await node(page, id).boundingBox();
  if (!box) throw new Error(`node ${id} is not visible`);
  await page.mouse.click(box.x + Math.min(24, box.width / 4), box.y + box.height - Math.min(8, box.height / 4));
  await expect.poll(() => selectedId(page), { intervals: [25] }).toBe(id);
}

/** Elements drawn on the canvas: nodes plus edges (cables, mapping lines, pairs). */
export async function drawnCount(page: Page): Promise<number> {
  return (await page.locator('.react-flow__node').count()) + (await page.locator('.react-flow__edge').count());
}

/** Types a value into an inspector field and commits it with Enter. */
export async function typeField(page: Page, name: string, value: string): Promise<void> {
  const field = page.getByTestId('inspector').getByTestId(`field-${name}`);
  await field.fill(value);
  await field.press('Enter');
  await expect(field).toHaveValue(value);
}

/** Picks an option of an inspector select (a mouse choice in a drop-down). */
export async function chooseField(page: Page, name: string, value: string): Promise<void> {
  const field = page.getByTestId('inspector').getByTestId(`field-${name}`);
  await field.selectOption(value);
  await expect(field).toHaveValue(value);
}

/** Resizes the selected group node (site or system) by dragging its bottom-right resize handle to a canvas point. */
export async function resizeTo(page: Page, id: string, bottomRight: XY): Promise<void> {
  const grip = node(page, id).locator('.react-flow__resize-control.handle.bottom.right');
  await expect(grip).toBeVisible();
  const box = (await grip.boundingBox())!;
  const root = (await flowRoot(page).boundingBox())!;
  const target = await flowToRoot(page, bottomRight);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(root.x + target.x, root.y + target.y, { steps: 6 });
  await page.mouse.up();
}

/** Waits until the viewport stops moving (zoom and fit animate) and returns its zoom. */
export async function settledZoom(page: Page): Promise<number> {
  const read = () => page.locator('.react-flow__viewport').getAttribute('style');
  let last = await read();
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(100);
    const now = await read();
    if (now === last) break;
    last = now;
  }
  return (await viewport(page)).zoom;
}

/** The canvas point at a node's top-left corner. */
export async function nodeFlowPosition(page: Page, id: string): Promise<XY> {
  const box = (await node(page, id).boundingBox())!;
  const root = (await flowRoot(page).boundingBox())!;
  return rootToFlow(page, { x: box.x - root.x, y: box.y - root.y });
}

/** Pans the canvas by dragging the empty background (just left of a node) until the node's top-left sits at a point of the canvas element. */
export async function panNodeTo(page: Page, id: string, target: XY): Promise<void> {
  const box = (await node(page, id).boundingBox())!;
  const root = (await flowRoot(page).boundingBox())!;
  const grab = { x: box.x + box.width + 30, y: box.y + box.height + 30 };
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await page.mouse.move(grab.x + (root.x + target.x - box.x), grab.y + (root.y + target.y - box.y), { steps: 8 });
  await page.mouse.up();
  await settledZoom(page);
}

/** The canvas point at the centre of a node. */
export async function centreOf(page: Page, id: string): Promise<XY> {
  const box = (await node(page, id).boundingBox())!;
  const root = (await flowRoot(page).boundingBox())!;
  return rootToFlow(page, { x: box.x + box.width / 2 - root.x, y: box.y + box.height / 2 - root.y });
}

/** drawnCount once the canvas has stopped changing (a drop draws its node first and its mapping line a frame later). */
export async function settledCount(page: Page): Promise<number> {
  let last = await drawnCount(page);
  for (let i = 0; i < 30; i++) {
    // Two animation frames: React has committed and React Flow has drawn the edges of the nodes it just placed.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const now = await drawnCount(page);
    if (now === last) return now;
    last = now;
  }
  return last;
}
