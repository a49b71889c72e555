// Sweep results as static SVG line charts (one per unit), so the printed report carries the charts without scripts.
import type { SweepResult, SweepSeries } from '../planning/sweep';
import { escapeHtml, num } from './format';

const PALETTE = ['#1f6fd1', '#d9731c', '#2e9e5b', '#a23fb8', '#c0392b', '#5b6b80', '#b8860b', '#138d90'];
/** Checks that shade the chart where they fire: the ones an architect sizes against. */
const SHADED_CHECKS = new Set(['sync-latency-over-target', 'link-too-small', 'journal-overflow', 'link-near-full']);

export interface SweepChart {
  unit: string;
  title: string;
  series: SweepSeries[];
  svg: string;
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 x 10^k. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const unitTitle = (unit: string): string => (unit === '' ? 'ratio (1 = 100%)' : unit);

/** One chart per unit, for the series the swept parameter actually moves (constant series are listed, not drawn). */
/** `targetLatencyMs` draws the host latency target across latency charts that reach it. */
export function sweepCharts(result: SweepResult, opts: { targetLatencyMs?: number } = {}): SweepChart[] {
  const varies = (s: SweepSeries) => s.values.some((v) => v !== s.values[0]);
  const byUnit = new Map<string, SweepSeries[]>();
  for (const s of result.series.filter(varies)) byUnit.set(s.unit, [...(byUnit.get(s.unit) ?? []), s]);
  return [...byUnit].map(([unit, series]) => {
    const title = `${series.map((s) => s.label.replace(/ \S+$/, '')).filter((l, i, all) => all.indexOf(l) === i).join(', ')} vs ${result.xLabel}`;
    const target = unit === 'ms' && series.some((s) => s.key.startsWith('hostLatencyMs:')) ? opts.targetLatencyMs : undefined;
    return { unit, title, series, svg: lineChartSvg(result, series, unit, title, target) };
  });
}

function lineChartSvg(result: SweepResult, series: SweepSeries[], unit: string, title: string, targetMs?: number): string {
  const W = 680;
  const H = 280;
  const left = 64;
  const right = 16;
  const top = 30;
  const legendRows = Math.ceil(series.length / 2);
  const bottom = 44 + legendRows * 16;
  const plotW = W - left - right;
  const plotH = H - top - bottom + legendRows * 16;
  const height = top + plotH + bottom;
  const xs = result.x;
  const xLo = xs[0] ?? 0;
  const xHi = xs[xs.length - 1] ?? 1;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  let yLo = Math.min(0, ...values);
  let yHi = Math.max(...values, 0);
  if (!(yHi > yLo)) yHi = yLo + 1;
  const yTicks = niceTicks(yLo, yHi);
  yHi = Math.max(yHi, yTicks[yTicks.length - 1] ?? yHi);
  yLo = Math.min(yLo, yTicks[0] ?? yLo);
  const px = (x: number) => left + ((x - xLo) / (xHi - xLo || 1)) * plotW;
  const py = (y: number) => top + plotH - ((y - yLo) / (yHi - yLo)) * plotH;
  const out: string[] = [];
  out.push(`<text class="ct" x="${left}" y="18">${escapeHtml(title)}</text>`);
  // Shade the x ranges where a sizing check fires, so the chart shows where advice applies.
  const step = xs.length > 1 ? (px(xs[1]!) - px(xs[0]!)) / 2 : 0;
  xs.forEach((x, i) => {
    if ((result.checkCodes[i] ?? []).some((c) => SHADED_CHECKS.has(c)))
      out.push(`<rect class="warn" x="${num(Math.max(left, px(x) - step), 6)}" y="${top}" width="${num(Math.min(2 * step, left + plotW - Math.max(left, px(x) - step)), 6)}" height="${plotH}"/>`);
  });
  for (const t of yTicks) {
    const y = py(t);
    out.push(`<line class="grid" x1="${left}" x2="${left + plotW}" y1="${num(y, 6)}" y2="${num(y, 6)}"/><text class="tick" x="${left - 6}" y="${num(y + 3, 6)}" text-anchor="end">${escapeHtml(num(t, 4))}</text>`);
  }
  for (const t of niceTicks(xLo, xHi, 6)) {
    const x = px(t);
    out.push(`<line class="grid" x1="${num(x, 6)}" x2="${num(x, 6)}" y1="${top}" y2="${top + plotH}"/><text class="tick" x="${num(x, 6)}" y="${top + plotH + 14}" text-anchor="middle">${escapeHtml(num(t, 4))}</text>`);
  }
  if (targetMs !== undefined && targetMs >= yLo && targetMs <= yHi) {
    const y = num(py(targetMs), 6);
    out.push(`<line class="target" x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}"/><text class="target-label" x="${left + 6}" y="${num(py(targetMs) - 5, 6)}">${escapeHtml(`latency target ${num(targetMs)} ms`)}</text>`);
  }
  out.push(`<rect class="frame" x="${left}" y="${top}" width="${plotW}" height="${plotH}"/>`);
  out.push(`<text class="axis" x="${left + plotW / 2}" y="${top + plotH + 30}" text-anchor="middle">${escapeHtml(`${result.xLabel} (${result.xUnit})`)}</text>`);
  out.push(`<text class="axis" transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(unitTitle(unit))}</text>`);
  series.forEach((s, k) => {
    const colour = PALETTE[k % PALETTE.length]!;
    // A null (unbounded) value breaks the line rather than dropping to zero.
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'} ${num(px(xs[i]!), 6)} ${num(py(v), 6)} `;
      pen = true;
    });
    out.push(`<path class="line" d="${d.trim()}" stroke="${colour}"/>`);
    s.values.forEach((v, i) => {
      if (v !== null) out.push(`<circle cx="${num(px(xs[i]!), 6)}" cy="${num(py(v), 6)}" r="2" fill="${colour}"/>`);
    });
    const lx = left + (k % 2) * (plotW / 2);
    const ly = top + plotH + 44 + Math.floor(k / 2) * 16;
    const gaps = s.values.some((v) => v === null) ? ' (gaps: unbounded)' : '';
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${colour}" stroke-width="2.5"/><text class="legend" x="${lx + 24}" y="${ly}">${escapeHtml(s.label + gaps)}</text>`);
  });
  const style = `.ct{font:600 12px sans-serif;fill:#1d2630}.tick{font:10px sans-serif;fill:#5a6573}.axis{font:11px sans-serif;fill:#3b4553}
.legend{font:10.5px sans-serif;fill:#1d2630}.grid{stroke:#e3e7ed;stroke-width:1}.frame{fill:none;stroke:#9aa5b4}
.line{fill:none;stroke-width:2}.warn{fill:#fbe3e1}.target{stroke:#b42318;stroke-width:1.5;stroke-dasharray:6 4}
.target-label{font:600 10.5px sans-serif;fill:#b42318}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${escapeHtml(title)}"><style>${style}</style>${out.join('')}</svg>`;
}
