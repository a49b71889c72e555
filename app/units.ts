// Figures with their units (bytes, seconds, bandwidth, ratios) as people read them: one formatting for the planning text, the report, the CLI and the panel.

/** A number with at most `digits` significant digits; '∞' for infinities, '—' for null. */
export function num(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  if (!Number.isFinite(n)) return '∞';
  if (Math.abs(n) >= 1e9) return n.toExponential(2);
  return String(Number(n.toPrecision(digits)));
}

export function bytes(b: number | null | undefined): string {
  if (b === null || b === undefined) return '—';
  if (!Number.isFinite(b)) return '∞';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${num(v)} ${units[i]}`;
}

export function seconds(s: number | null | undefined): string {
  if (s === null || s === undefined) return 'never';
  if (!Number.isFinite(s)) return 'never';
  if (s < 1) return `${num(s * 1000)} ms`;
  if (s < 120) return `${num(s)} s`;
  if (s < 7200) return `${num(s / 60)} min`;
  return `${num(s / 3600)} h`;
}

export function mbps(m: number | null | undefined): string {
  if (m === null || m === undefined) return '—';
  return m >= 1000 ? `${num(m / 1000)} Gbit/s` : `${num(m)} Mbit/s`;
}

/** A figure's value in its unit, picking a readable form for bytes, seconds and ratios. */
export function withUnit(value: number | null, unit: string): string {
  if (value === null) return '—';
  switch (unit) {
    case 'B':
      return bytes(value);
    case 's':
      return seconds(value);
    case 'Mbit/s':
      return mbps(value);
    case '':
      return `${num(value * 100)}%`;
    default:
      return `${num(value)} ${unit}`;
  }
}
