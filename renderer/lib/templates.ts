// The nine built-in topologies (assets/topologies), bundled at build time so the gallery works offline and from file://.
import { parseTopologyText } from '../../app/model/file';
import type { LoadResult } from '../../app/model/file';

export interface TemplateEntry {
  file: string;
  figure: string;
  title: string;
  description: string;
}

const texts = import.meta.glob<string>('../../assets/topologies/*.relaylab.json', { eager: true, query: '?raw', import: 'default' });
const indexes = import.meta.glob<TemplateEntry[]>('../../assets/topologies/index.json', { eager: true, import: 'default' });

/** Gallery entries in index.json order; files without an index entry come last, titled by their file name. */
export function templates(): TemplateEntry[] {
  const listed = Object.values(indexes)[0] ?? [];
  const files = Object.keys(texts).map((k) => k.split('/').pop()!);
  const known = new Set(listed.map((e) => e.file));
  const extra = files.filter((f) => !known.has(f)).map((file) => ({ file, figure: '', title: file.replace('.relaylab.json', ''), description: '' }));
  return [...listed.filter((e) => files.includes(e.file)), ...extra];
}

export function loadTemplate(file: string): LoadResult {
  const key = Object.keys(texts).find((k) => k.endsWith(`/${file}`));
  if (!key) return { ok: false, problems: [{ severity: 'error', code: 'no-template', message: `no built-in topology ${file}`, path: [] }] };
  return parseTopologyText(texts[key]!);
}
