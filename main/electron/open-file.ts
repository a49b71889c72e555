// Documents the desktop shell asks us to open (command line, file association, a second launch): which path, and when to send it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ArgvContext {
  /**
   * True when run unpackaged as `electron <app> [args]` (process.defaultApp): argv[1] is the app, not a document.
   * Packaged, argv is `<executable> [args]`.
   */
  defaultApp: boolean;
  /** The directory relative paths are relative to: process.cwd(), or the second instance's workingDirectory. */
  cwd: string;
}

/** A command-line argument that names a document: ends in .json (the open dialog's filter: .relaylab.json and .json). */
const DOCUMENT = /\.json$/i;

/**
 * The document a launch names, or null. Switches (Chromium and Electron add their own, e.g. on a second instance
 * under Windows) are skipped; file:// URLs (Linux desktop entries pass %U) become paths; relative paths resolve
 * against ctx.cwd. The last document wins: the designer holds one document, so a launch opens one.
 */
export function documentPathFromArgv(argv: readonly string[], ctx: ArgvContext): string | null {
  let found: string | null = null;
  for (const arg of argv.slice(ctx.defaultApp ? 2 : 1)) {
    if (!arg || arg.startsWith('-')) continue;
    let candidate = arg;
    if (/^file:/i.test(arg)) {
      try {
        candidate = fileURLToPath(arg);
      } catch {
        continue;
      }
    } else if (/^[a-z][a-z0-9+.-]+:\/\//i.test(arg)) {
      // Other URLs (http:, relaylab:) are not files we can read.
      continue;
    }
    if (DOCUMENT.test(candidate)) found = path.resolve(ctx.cwd, candidate);
  }
  return found;
}

/**
 * Holds a document to open until the renderer listens for 'app.openFile' (it says so with 'app.ready' once its
 * listener is in place), so a file named at launch is not sent to a page still loading. Only the latest waits: a
 * second one named before the renderer is ready replaces the first, as opening it would.
 */
export class ShellOpenQueue {
  private pending: string | null = null;
  private ready = false;

  constructor(private readonly deliver: (filePath: string) => void) {}

  /** A document to open: sent now if the renderer listens, else when it says it does. */
  request(filePath: string): void {
    this.pending = filePath;
    if (this.ready) this.flush();
  }

  /** The renderer listens (it called 'app.ready'). */
  rendererReady(): void {
    this.ready = true;
    this.flush();
  }

  /** The page is (re)loading or its window closed: hold documents until the next 'app.ready'. */
  rendererGone(): void {
    this.ready = false;
  }

  /** The document waiting to be sent, if any (for logs and tests). */
  get waiting(): string | null {
    return this.pending;
  }

  private flush(): void {
    const filePath = this.pending;
    if (filePath === null) return;
    this.pending = null;
    this.deliver(filePath);
  }
}
