// HTML -> PDF outside Electron: a headless Chromium prints the report file (Electron uses webContents.printToPDF instead).
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Printing failed: which browser, and why (not found, exit code, no output). */
export class PdfError extends Error {
  override readonly name = 'PdfError';
  constructor(
    readonly browser: string,
    readonly reason: string,
  ) {
    super(`cannot print to PDF with ${browser}: ${reason}`);
  }
}

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];

/** The browser to print with: RELAYLAB_CHROMIUM / CHROMIUM_PATH, else the first usual install found. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.RELAYLAB_CHROMIUM ?? env.CHROMIUM_PATH;
  if (given) return given;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Prints `htmlFile` to `pdfFile` with headless Chromium (no network: the report is self-contained). */
export async function printHtmlFileToPdf(htmlFile: string, pdfFile: string, browser = findChromium(), timeoutMs = 60_000): Promise<void> {
  if (!browser) throw new PdfError('chromium', 'no Chromium or Chrome found; set RELAYLAB_CHROMIUM to its path');
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-pdf-header-footer',
    `--print-to-pdf=${path.resolve(pdfFile)}`,
    pathToFileURL(path.resolve(htmlFile)).href,
  ];
  const before = existsSync(pdfFile) ? statSync(pdfFile).mtimeMs : -1;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(browser, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new PdfError(browser, `no result after ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new PdfError(browser, e.message));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new PdfError(browser, `exit code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
  if (!existsSync(pdfFile) || statSync(pdfFile).mtimeMs === before || statSync(pdfFile).size === 0)
    throw new PdfError(browser, `it exited without writing ${pdfFile}`);
}
