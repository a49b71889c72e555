// Which document a desktop launch names, and that it waits for the renderer to listen before it is sent.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createDispatcher, createHandlers, defaultValidator } from '../rpc';
import { ShellOpenQueue, documentPathFromArgv } from './open-file';

const home = path.resolve('/home/ana/designs');
const packaged = { defaultApp: false, cwd: home };

describe('the document a launch names', () => {
  it('takes a packaged launch by file association: the executable, then the file', () => {
    expect(documentPathFromArgv(['/opt/RelayLab/relaylab', '/srv/dr/fig01.relaylab.json'], packaged)).toBe(path.resolve('/srv/dr/fig01.relaylab.json'));
  });

  it('resolves a relative path against the working directory of the launch', () => {
    expect(documentPathFromArgv(['relaylab', 'site-b.relaylab.json'], packaged)).toBe(path.join(home, 'site-b.relaylab.json'));
    // A second instance reports its own working directory.
    expect(documentPathFromArgv(['relaylab', '../old/x.relaylab.JSON'], { defaultApp: false, cwd: '/tmp/elsewhere' })).toBe(path.resolve('/tmp/old/x.relaylab.JSON'));
  });

  it('skips the app path of an unpackaged `electron <app>` run, even when it looks like a document', () => {
    expect(documentPathFromArgv(['/usr/bin/electron', '.', 'a.relaylab.json'], { defaultApp: true, cwd: home })).toBe(path.join(home, 'a.relaylab.json'));
    expect(documentPathFromArgv(['/usr/bin/electron', 'dist/main/electron-main.cjs'], { defaultApp: true, cwd: home })).toBeNull();
    expect(documentPathFromArgv(['/usr/bin/electron', 'app.json'], { defaultApp: true, cwd: home })).toBeNull();
  });

  it('ignores switches Chromium adds on a second instance, and arguments that are not documents', () => {
    const argv = ['C:\\RelayLab\\RelayLab.exe', '--allow-file-access-from-files', '--original-process-start-time=1330', 'notes.txt', 'plan.relaylab.json', '--inspect=9229'];
    expect(documentPathFromArgv(argv, packaged)).toBe(path.join(home, 'plan.relaylab.json'));
    expect(documentPathFromArgv(['relaylab', '--flag', 'readme.md'], packaged)).toBeNull();
    expect(documentPathFromArgv(['relaylab'], packaged)).toBeNull();
  });

  it('turns a file:// URL (Linux desktop entries pass %U) into its path, and refuses other URLs', () => {
    const file = path.resolve('/srv/dr/with space.relaylab.json');
    expect(documentPathFromArgv(['relaylab', pathToFileURL(file).href], packaged)).toBe(file);
    expect(documentPathFromArgv(['relaylab', 'https://example.com/evil.relaylab.json'], packaged)).toBeNull();
  });

  it('opens the last document when several are named', () => {
    expect(documentPathFromArgv(['relaylab', 'one.relaylab.json', 'two.json'], packaged)).toBe(path.join(home, 'two.json'));
  });
});

describe('documents waiting for the renderer', () => {
  it('holds a file named at launch until the renderer says it listens, then sends it once', () => {
    const sent: string[] = [];
    const queue = new ShellOpenQueue((p) => sent.push(p));
    queue.request('/srv/a.relaylab.json');
    expect(sent).toEqual([]);
    expect(queue.waiting).toBe('/srv/a.relaylab.json');
    queue.rendererReady();
    expect(sent).toEqual(['/srv/a.relaylab.json']);
    // A reload says ready again: the file was already sent and is not opened a second time.
    queue.rendererGone();
    queue.rendererReady();
    expect(sent).toEqual(['/srv/a.relaylab.json']);
  });

  it('sends at once while the renderer listens, and keeps only the latest while it loads', () => {
    const sent: string[] = [];
    const queue = new ShellOpenQueue((p) => sent.push(p));
    queue.rendererReady();
    queue.request('/srv/b.relaylab.json');
    expect(sent).toEqual(['/srv/b.relaylab.json']);
    queue.rendererGone();
    queue.request('/srv/c.relaylab.json');
    queue.request('/srv/d.relaylab.json');
    expect(sent).toEqual(['/srv/b.relaylab.json']);
    queue.rendererReady();
    expect(sent).toEqual(['/srv/b.relaylab.json', '/srv/d.relaylab.json']);
    expect(queue.waiting).toBeNull();
  });
});

describe("the renderer's 'app.ready' request", () => {
  it('releases the document named at launch, through the dispatcher both transports use', async () => {
    const sent: string[] = [];
    const queue = new ShellOpenQueue((p) => sent.push(p));
    queue.request(path.join(home, 'fig01.relaylab.json'));
    const dispatch = createDispatcher(
      createHandlers({
        mode: 'desktop',
        version: '0',
        platform: 'test',
        validate: defaultValidator,
        engine: () => {
          throw new Error('not used');
        },
        onRendererReady: () => queue.rendererReady(),
      }),
    );
    // Sent without params, as the envelope allows.
    expect(await dispatch({ id: 1, method: 'app.ready' }, { peer: 'test' })).toEqual({ id: 1, ok: true, result: {} });
    expect(sent).toEqual([path.join(home, 'fig01.relaylab.json')]);
  });
});
