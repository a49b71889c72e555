// Text helpers for the static report: HTML/XML escaping, and the shared unit formatting (app/units.ts), deterministic across runs.

/** Escapes text for HTML element content and attribute values (also valid inside inline SVG). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export { bytes, mbps, num, seconds, withUnit } from '../units';
