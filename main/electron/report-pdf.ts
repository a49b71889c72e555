// Desktop 'report.pdf': the report HTML is laid out in a hidden, script-free window and printed with webContents.printToPDF.
import { BrowserWindow, dialog } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RpcFailure, type ReportService } from '../rpc';
import { HARDENED_WEB_PREFERENCES } from './security';

/** The report needs no scripts: its print button is hidden in print and the rest is HTML and CSS. */
export const REPORT_WEB_PREFERENCES = { ...HARDENED_WEB_PREFERENCES, javascript: false } as const;

export function createReportService(parentWindow: () => BrowserWindow | null): ReportService {
  return {
    async savePdf({ html, suggestedName }) {
      const parent = parentWindow();
      const options = {
        title: 'Save DR plan report as PDF',
        defaultPath: `${(suggestedName ?? 'dr-plan').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.html?$/i, '')}.pdf`,
        filters: [{ name: 'PDF', extensions: ['pdf'] }],
      };
      const answer = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      if (answer.canceled || !answer.filePath) return { cancelled: true };
      const file = answer.filePath.toLowerCase().endsWith('.pdf') ? answer.filePath : `${answer.filePath}.pdf`;
      // A file rather than a data: URL, so that reports of any size load.
      const dir = await mkdtemp(path.join(tmpdir(), 'relaylab-report-'));
      const window = new BrowserWindow({ show: false, width: 1100, height: 1400, webPreferences: REPORT_WEB_PREFERENCES });
      try {
        const htmlFile = path.join(dir, 'report.html');
        await writeFile(htmlFile, html);
        await window.loadFile(htmlFile);
        const pdf = await window.webContents.printToPDF({ printBackground: true, preferCSSPageSize: true, pageSize: 'A4' });
        await writeFile(file, pdf);
        return { path: file };
      } catch (e) {
        throw new RpcFailure('internal', `cannot print the report to ${file}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        window.destroy();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
