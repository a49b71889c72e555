// Export of the design as a picture: one vector drawing (the report's, app/report/topology-svg.ts) as SVG, PDF or a PNG rendered from it; and the mapping tables as CSV.
import type { Topology } from '../../app/model/schema';
import { topologySvg } from '../../app/report/topology-svg';
import { buildTables, tableToCsv } from '../../app/tables';
import { download } from './files';
import { svgToPdf } from './svg-pdf';

/** PNG pixels per drawing unit: the drawing's 12 px labels come out 24 px tall. */
export const PNG_SCALE = 2;
/** Longest side of a PNG (browsers refuse bigger canvases; a huge topology gets a smaller scale). */
const MAX_SIDE = 8192;

export type ImageFormat = 'png' | 'svg' | 'pdf';

/** The size of the drawing, from its root element. */
export function drawingSize(svg: string): { width: number; height: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('the drawing has no size');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** Renders the SVG text into a canvas at `scale` on a white page, as a PNG blob. */
async function svgToPng(svg: string, scale: number): Promise<Blob> {
  const { width, height } = drawingSize(svg);
  const s = Math.min(scale, MAX_SIDE / Math.max(width, height));
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('the drawing could not be rendered'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * s);
    canvas.height = Math.ceil(height * s);
    const g = canvas.getContext('2d');
    if (!g) throw new Error('no 2D canvas here');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * The whole design as one picture. SVG is the drawing itself (rects, paths and text a vector tool edits); PDF draws the same
 * shapes as PDF vectors; PNG renders it at twice its size. All three are framed on the drawing, so it fills the image.
 */
export async function exportImage(format: ImageFormat, baseName: string, t: Topology): Promise<void> {
  if (!t.sites.length && !t.systems.length && !t.hosts.length) throw new Error('the canvas is empty');
  const svg = topologySvg(t);
  if (format === 'svg') download(`${baseName}.svg`, svg, 'image/svg+xml');
  else if (format === 'pdf') download(`${baseName}.pdf`, new Blob([svgToPdf(svg) as BlobPart], { type: 'application/pdf' }));
  else download(`${baseName}.png`, await svgToPng(svg, PNG_SCALE));
}

/** T1-T4 of every storage system in one CSV, a `table` and `system` column first. */
export function tablesCsv(t: Topology): string {
  const rows: object[] = [];
  for (const s of t.systems) {
    const tables = buildTables(t, s.id);
    for (const [name, list] of [['T1', tables.t1], ['T2', tables.t2], ['T3', tables.t3], ['T4', tables.t4]] as const)
      for (const r of list) rows.push({ table: name, system: s.id, ...r });
  }
  return tableToCsv(rows);
}

/** Decodes a data: URL without fetch (the CSP's connect-src does not allow data:). */
export function dataUrlToBlob(url: string): Blob {
  const comma = url.indexOf(',');
  const head = url.slice(0, comma);
  const body = url.slice(comma + 1);
  const mime = /^data:([^;,]+)/.exec(head)?.[1] ?? 'application/octet-stream';
  if (head.includes(';base64')) {
    const bin = atob(body);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type: mime });
  }
  return new Blob([decodeURIComponent(body)], { type: mime });
}
