// Where canvas frame time goes: opens the ~1,000-element topology in RelayLab's web mode, drags a node and pans while a Chromium trace and a JS CPU profile run, and prints the main thread's time by activity and the hottest JS functions.
// Usage: node bench/canvas-profile.mjs [topology.json] [rendererRoot] [--gesture=drag|pan|both] [--react-profile]
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM_ARGS, PAGE_HELPERS, VIEWPORT, frameStats } from './canvas.mjs';

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('--'));
const root = process.env.RELAYLAB_ROOT ?? process.cwd();
const topologyFile = positional[0] ?? path.join(root, 'dist/bench/bench-1000.relaylab.json');
const rendererRoot = positional[1];
const gesture = args.find((a) => a.startsWith('--gesture='))?.slice(10) ?? 'both';

/** Sums the trace's complete events on the renderer main thread by name, counting only time not covered by a child (self time). */
function mainThreadSelfTime(events) {
  const mainTid = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.name === 'FunctionCall'));
  if (!mainTid) return [];
  const mine = events
    .filter((e) => e.pid === mainTid.pid && e.tid === mainTid.tid && e.ph === 'X' && typeof e.dur === 'number')
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  for (const e of mine) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - Math.min(e.dur, parent.ts + parent.dur - e.ts));
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
    stack.push(e);
  }
  return [...self].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
}

/** Self time per JS function (with its script) from a V8 CPU profile. */
function hotFunctions(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const n = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${path.basename(cf.url || '')}:${cf.lineNumber + 1}:${cf.columnNumber + 1}`;
    hits.set(key, (hits.get(key) ?? 0) + dt);
  }
  return [...hits].map(([fn, us]) => ({ fn, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
}

async function main() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const port = 20000 + Math.floor(Math.random() * 20000);
  const web = spawn(process.execPath, [path.join(root, 'dist/main/server.mjs'), '--port', String(port), ...(rendererRoot ? ['--root', rendererRoot] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    for (let i = 0; i < 75; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (e) => console.error('pageerror', String(e)));
    page.on('dialog', (d) => d.accept());
    await page.addInitScript(PAGE_HELPERS);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.locator('.react-flow__pane').waitFor();
    // File > Open…, as bench/canvas.mjs (Ctrl+O at once lost the chooser about 1 time in 10: see there).
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('toolbar-file').click().then(() => page.getByTestId('menu-open').click())]);
    await chooser.setFiles(topologyFile);
    const painted = await page.evaluate(() => window.__bench.painted(performance.now()));
    const counts = await page.evaluate(() => {
      const n = (sel) => document.querySelectorAll(sel).length;
      return { nodesShown: 0, domElements: n('.react-flow *'), nodes: n('.react-flow__node'), edges: n('.react-flow__edge'), edgeLabels: n('.edge-label'), handles: n('.react-flow__handle'), viewport: document.querySelector('.react-flow__viewport').style.transform };
    });
    console.log(JSON.stringify({ ...counts, nodesShown: painted.nodes }));
    await page.waitForTimeout(1000);

    const cdp = await page.context().newCDPSession(page);
    const events = [];
    cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
    const traced = async (name, run) => {
      events.length = 0;
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,v8.execute', transferMode: 'ReportEvents' });
      await cdp.send('Profiler.start');
      await page.evaluate(() => window.__bench.startFrames());
      await run();
      const frames = frameStats(await page.evaluate(() => window.__bench.stopFrames()));
      const { profile } = await cdp.send('Profiler.stop');
      const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
      await cdp.send('Tracing.end');
      await done;
      const self = mainThreadSelfTime(events);
      const total = self.reduce((s, x) => s + Math.max(0, x.ms), 0);
      console.log(`\n== ${name}: ${JSON.stringify(frames)}`);
      console.log(`main thread busy ${total.toFixed(0)} ms; self time by trace event:`);
      for (const x of self.slice(0, 16)) console.log(`  ${x.ms.toFixed(1).padStart(8)} ms  ${x.name}`);
      console.log('hottest JS functions (self):');
      for (const x of hotFunctions(profile).slice(0, 22)) console.log(`  ${x.ms.toFixed(1).padStart(8)} ms  ${x.fn}`);
    };

    if (gesture !== 'pan') {
      const node = await page.evaluate(() => window.__bench.nodePoint('.react-flow__node-site, .react-flow__node'));
      await page.mouse.move(node.x, node.y);
      await traced('drag', async () => {
        await page.mouse.down();
        for (let i = 1; i <= 60; i++) await page.mouse.move(node.x + i * 4, node.y + i);
        await page.mouse.up();
      });
    }
    if (gesture !== 'drag') {
      const pane = await page.evaluate(() => window.__bench.panePoint());
      await page.mouse.move(pane.x, pane.y);
      await traced('pan', async () => {
        await page.mouse.down();
        for (let i = 1; i <= 60; i++) await page.mouse.move(pane.x + i * 6, pane.y + i * 3);
        await page.mouse.up();
      });
    }
  } finally {
    await browser.close();
    web.kill();
  }
}

if (!existsSync(topologyFile)) throw new Error(`no topology at ${topologyFile}: run \`node scripts/bench.mjs --only=topology\` first`);
await main();
