// The desktop hardening must not drift: these fail if a webPreference, the CSP or the IPC sender check is loosened.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DESKTOP_CSP, HARDENED_WEB_PREFERENCES, isTrustedSenderUrl } from './security';

const here = path.dirname(new URL(import.meta.url).pathname);
const indexHtml = path.resolve('/opt/RelayLab/resources/app.asar/dist/renderer/index.html');

describe('the desktop window', () => {
  it('runs the renderer isolated, sandboxed and without Node', () => {
    expect(HARDENED_WEB_PREFERENCES).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('creates its window with exactly those preferences plus the preload', () => {
    const source = readFileSync(path.join(here, 'main.ts'), 'utf8');
    expect(source).toContain("webPreferences: { ...HARDENED_WEB_PREFERENCES, preload: path.join(bundleDir, 'preload.cjs') }");
    expect(source.match(/webPreferences:/g)).toHaveLength(1);
    expect(source).toContain("contents.on('will-navigate', (event) => event.preventDefault())");
    expect(source).toContain("return { action: 'deny' }");
  });

  it('creates every other window (the hidden report printer) from the same preferences, with scripts off', () => {
    // Every BrowserWindow in main/electron: a new file that opens a window must be listed here with its preferences.
    const files = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const windows = files.flatMap((f) => (readFileSync(path.join(here, f), 'utf8').match(/new BrowserWindow\(/g) ?? []).map(() => f));
    expect(windows.sort()).toEqual(['main.ts', 'report-pdf.ts']);
    const reportSource = readFileSync(path.join(here, 'report-pdf.ts'), 'utf8');
    expect(reportSource).toContain('webPreferences: REPORT_WEB_PREFERENCES');
    expect(reportSource).toContain('REPORT_WEB_PREFERENCES = { ...HARDENED_WEB_PREFERENCES, javascript: false }');
  });

  it('exposes only call and on from the preload, never ipcRenderer itself', () => {
    const source = readFileSync(path.join(here, 'preload.ts'), 'utf8');
    expect(source.match(/exposeInMainWorld/g)).toHaveLength(1);
    const exposed = source.slice(source.indexOf('exposeInMainWorld'));
    expect(exposed).not.toMatch(/ipcRenderer\s*[,}]/);
    expect(exposed).not.toMatch(/\bsend\s*:/);
  });

  it('allows only its own scripts and no plugins in the CSP', () => {
    expect(DESKTOP_CSP).toContain("default-src 'none'");
    expect(DESKTOP_CSP).toContain("script-src 'self'");
    expect(DESKTOP_CSP).not.toContain('unsafe-eval');
    expect(DESKTOP_CSP).toContain("object-src 'none'");
  });
});

describe('which frames may send IPC', () => {
  const packaged = { indexHtml };
  it('accepts our index.html, with a route hash or query', () => {
    expect(isTrustedSenderUrl(pathToFileURL(indexHtml).href, packaged)).toBe(true);
    expect(isTrustedSenderUrl(pathToFileURL(indexHtml).href + '#/design', packaged)).toBe(true);
  });
  it('refuses other files, other hosts and look-alike strings', () => {
    expect(isTrustedSenderUrl(pathToFileURL('/tmp/evil.html').href, packaged)).toBe(false);
    expect(isTrustedSenderUrl(pathToFileURL(path.join(path.dirname(indexHtml), '../renderer/../renderer/index.html.evil')).href, packaged)).toBe(false);
    expect(isTrustedSenderUrl('file://attacker' + indexHtml, packaged)).toBe(false);
    expect(isTrustedSenderUrl('https://evil.example/?' + pathToFileURL(indexHtml).href, packaged)).toBe(false);
    expect(isTrustedSenderUrl('not a url', packaged)).toBe(false);
    expect(isTrustedSenderUrl(undefined, packaged)).toBe(false);
  });
  it('accepts the dev server only when one is configured, and only its exact origin', () => {
    expect(isTrustedSenderUrl('http://localhost:5173/', packaged)).toBe(false);
    const dev = { indexHtml, devServerOrigin: 'http://localhost:5173' };
    expect(isTrustedSenderUrl('http://localhost:5173/#/x', dev)).toBe(true);
    expect(isTrustedSenderUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isTrustedSenderUrl('http://localhost:5173.evil.example/', dev)).toBe(false);
  });
});
