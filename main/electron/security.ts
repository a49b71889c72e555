// The desktop window's hardening in one place: webPreferences, the content security policy, and who may send IPC.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebPreferences } from 'electron';
import { contentSecurityPolicy } from '../csp';

/**
 * Every BrowserWindow gets exactly these (plus its preload path). security.test.ts fails if one drifts:
 * the renderer runs untrusted documents' names and descriptions, so it gets no Node and no way out of its sandbox.
 */
export const HARDENED_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
} as const satisfies WebPreferences;

/** As strict as web mode's, with no network at all: the desktop renderer talks to main only through the preload. */
export const DESKTOP_CSP = contentSecurityPolicy("'none'");

export interface TrustedOrigins {
  /** Absolute path of dist/renderer/index.html. */
  indexHtml: string;
  /** The Vite dev server's origin during development (e.g. http://localhost:5173), never in a packaged app. */
  devServerOrigin?: string;
}

/** True when an IPC message comes from our own page: the packaged index.html, or the dev server. Parsed, never string-matched. */
export function isTrustedSenderUrl(senderUrl: string | undefined, trusted: TrustedOrigins): boolean {
  if (!senderUrl) return false;
  let url: URL;
  try {
    url = new URL(senderUrl);
  } catch {
    return false;
  }
  if (url.protocol === 'file:') {
    if (url.host !== '') return false;
    try {
      return path.resolve(fileURLToPath(url)) === path.resolve(trusted.indexHtml);
    } catch {
      return false;
    }
  }
  if (!trusted.devServerOrigin) return false;
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === new URL(trusted.devServerOrigin).origin;
}
