// One what-if chart of a sweep with uPlot: x is the swept parameter, one line per series of one unit; gaps where unbounded.
import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SweepResult, SweepSeries } from '../../app/planning/sweep';

const PALETTE = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#dc2626', '#0891b2', '#db2777', '#65a30d'];

export const SweepChart = memo(function SweepChart({ result, unit, series, width }: { result: SweepResult; unit: string; series: SweepSeries[]; width: number }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const data = [result.x, ...series.map((s) => s.values.map((v) => (v === null ? null : unit === '' ? v * 100 : v)))] as uPlot.AlignedData;
    const plot = new uPlot(
      {
        width,
        height: 170,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [
          { stroke: 'var(--ink-2)', grid: { stroke: 'rgba(128,128,128,0.15)' }, label: `${result.xLabel} (${result.xUnit})`, labelSize: 16 },
          { stroke: 'var(--ink-2)', grid: { stroke: 'rgba(128,128,128,0.15)' }, size: 52, label: unit === '' ? '%' : unit, labelSize: 16 },
        ],
        series: [
          { label: result.xLabel },
          ...series.map((s, i) => ({ label: s.label, stroke: PALETTE[i % PALETTE.length]!, width: 2, spanGaps: false, points: { show: true, size: 4 } })),
        ],
      },
      data,
      el,
    );
    return () => plot.destroy();
  }, [result, unit, series, width]);
  return <div className="planning-chart" ref={host} data-testid={`sweep-chart-${unit || 'ratio'}`} />;
});
