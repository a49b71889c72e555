// The DR plan report from the designer: build it from the current document, download it as HTML, or print it (Save as PDF) via the browser.
import type { Topology } from '../../app/model/schema';
import type { Plan } from '../../app/planning/plan';
import { runSweep, type SweepResult } from '../../app/planning/sweep';
import { buildReportHtml, defaultReportSweeps, type ReportCrossCheck } from '../../app/report/index';
import { download } from '../lib/files';
import { api, appMode } from '../services';
import { documentStore } from '../store/document';
import { planOptions, type PlanningInputs } from './model';

export interface ReportInputs {
  doc: Topology;
  plan: Plan;
  inputs: PlanningInputs;
  /** The sweep on screen, charted in the report before the default ones. */
  sweep: SweepResult | null;
  crossCheck: ReportCrossCheck | null;
}

export function reportHtml({ doc, plan, inputs, sweep, crossCheck }: ReportInputs, printButton = false): string {
  const sweeps: SweepResult[] = sweep ? [sweep] : [];
  for (const spec of defaultReportSweeps(plan)) {
    // The default sweep equal to the one on screen is not charted twice.
    if (sweep && sweep.spec.parameter === spec.parameter && sweep.spec.targetId === spec.targetId) continue;
    try {
      sweeps.push(runSweep(doc, spec, planOptions(inputs)));
    } catch {
      // A default sweep that does not fit this topology is left out; the report still has everything else.
    }
  }
  return buildReportHtml(doc, plan, { sweeps, ...(crossCheck ? { crossCheck } : {}), generatedAt: new Date().toISOString().slice(0, 16).replace('T', ' '), printButton });
}

export function reportFileName(doc: Topology): string {
  const stem = (doc.name || 'topology').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'topology';
  return `${stem}-dr-plan.html`;
}

/** Saves the self-contained report; opened from disk, its own "Print / Save as PDF" button works. */
export function downloadReport(inputs: ReportInputs): void {
  download(reportFileName(inputs.doc), reportHtml(inputs, true), 'text/html;charset=utf-8');
}

/**
 * Prints the report through the browser (web mode and desktop alike): the report goes into a hidden frame and the
 * frame's print dialog opens, where "Save as PDF" is one of the destinations. The frame is removed afterwards.
 */
export function printReport(inputs: ReportInputs): void {
  const frame = document.createElement('iframe');
  frame.setAttribute('aria-hidden', 'true');
  frame.style.cssText = 'position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden';
  frame.srcdoc = reportHtml(inputs);
  frame.addEventListener('load', () => {
    const win = frame.contentWindow;
    if (!win) return;
    win.addEventListener('afterprint', () => setTimeout(() => frame.remove(), 0));
    win.focus();
    win.print();
  });
  document.body.appendChild(frame);
}

/** Desktop: main prints the report with Electron's printToPDF into a file the user picks. Web: the browser's print dialog. */
export async function printOrSavePdf(inputs: ReportInputs): Promise<void> {
  const a = await api();
  if (!a || (await appMode()) !== 'desktop') {
    printReport(inputs);
    return;
  }
  try {
    const result = await a.call('report.pdf', { html: reportHtml(inputs), suggestedName: reportFileName(inputs.doc) });
    if (!('cancelled' in result)) documentStore.getState().notify(`Saved ${result.path}`);
  } catch (e) {
    documentStore.getState().notify(`Cannot save the PDF: ${e instanceof Error ? e.message : String(e)}`, 'error');
  }
}
