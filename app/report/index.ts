// The DR plan report, environment-free: HTML builder, topology drawing and sweep charts (used by the CLI and the renderer).
export { buildReportHtml, REPORT_SECTIONS } from './report';
export type { ReportOptions, ReportCrossCheck } from './report';
export { topologySvg, siteColumns } from './topology-svg';
export { sweepCharts, niceTicks } from './chart-svg';
export type { SweepChart } from './chart-svg';
export { escapeHtml } from './format';
export { defaultReportSweeps } from './default-sweeps';
