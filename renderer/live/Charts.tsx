// Charts over virtual time with uPlot: host write latency, throughput, RPO per pair, link utilisation, journal and cache fill.
import { memo, useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useLive } from './store';
import type { ChartData, ChartKey } from './series';

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

const CHARTS: { key: ChartKey; title: string; unit: string }[] = [
  { key: 'latency', title: 'Host write latency', unit: 'ms' },
  { key: 'throughput', title: 'Host throughput', unit: 'MB/s' },
  { key: 'rpo', title: 'RPO per async pair', unit: 'ms' },
  { key: 'links', title: 'Link utilisation', unit: '%' },
  { key: 'fill', title: 'Journal and cache fill', unit: '%' },
];

function toAligned(d: ChartData, names: string[]): uPlot.AlignedData {
  return [d.x, ...names.map((n) => d.columns[n] ?? [])] as uPlot.AlignedData;
}

/** One uPlot chart; rebuilt only when its set of series changes, otherwise fed with setData. */
const Chart = memo(function Chart({ chartKey, title, unit }: { chartKey: ChartKey; title: string; unit: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<{ u: uPlot; names: string } | null>(null);
  const data = useLive((s) => s.series[chartKey]);
  // As wide as its grid cell: the charts share the dock's width instead of running off its right edge.
  const [width, setWidth] = useState(300);
  useEffect(() => {
    const el = host.current?.parentElement;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      const w = Math.max(200, Math.floor(el.clientWidth));
      setWidth((prev) => (Math.abs(prev - w) > 2 ? w : prev));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    plot.current?.u.setSize({ width, height: CHART_HEIGHT });
  }, [width]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const names = Object.keys(data.columns).sort();
    const namesKey = names.join('|');
    if (plot.current && plot.current.names === namesKey) {
      if (plot.current.u.width !== width) plot.current.u.setSize({ width, height: CHART_HEIGHT });
      plot.current.u.setData(toAligned(data, names));
      return;
    }
    plot.current?.u.destroy();
    // uPlot draws on a canvas, which does not resolve CSS variables: read the theme's ink colour now.
    const ink = getComputedStyle(document.documentElement).getPropertyValue('--ink-2').trim() || '#555';
    const opts: uPlot.Options = {
      width,
      height: CHART_HEIGHT,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [
        { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.15)' }, values: (_u, ticks) => ticks.map((t) => `${t}s`) },
        { stroke: ink, grid: { stroke: 'rgba(128,128,128,0.15)' }, size: 48, label: unit, labelSize: 14 },
      ],
      series: [{ label: 'time' }, ...names.map((n, i) => ({ label: n, stroke: PALETTE[i % PALETTE.length]!, width: 1.5, spanGaps: false }))],
    };
    plot.current = { u: new uPlot(opts, toAligned(data, names), el), names: namesKey };
  }, [data, width, unit]);

  useEffect(() => () => plot.current?.u.destroy(), []);

  return (
    <div className="live-chart" data-testid={`chart-${chartKey}`}>
      <div className="live-chart-title">{title}</div>
      {data.x.length === 0 ? <div className="live-empty">no data yet: play the run</div> : null}
      <div ref={host} />
    </div>
  );
});

const CHART_HEIGHT = 130;

export const Charts = memo(function Charts() {
  return (
    <div className="live-charts" data-testid="charts">
      {CHARTS.map((c) => (
        <Chart key={c.key} chartKey={c.key} title={c.title} unit={c.unit} />
      ))}
    </div>
  );
});
