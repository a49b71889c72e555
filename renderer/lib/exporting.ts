// Image export of the whole design (PNG, SVG) with html-to-image, framing all nodes; and the mapping tables as CSV.
import { toPng, toSvg } from 'html-to-image';
import { getNodesBounds, getViewportForBounds } from '@xyflow/react';
import type { Topology } from '../../app/model/schema';
import { buildTables, tableToCsv } from '../../app/tables';
import { flowInstance, withFullDetail } from '../canvas/flow';
import { download } from './files';

const MAX_SIDE = 4096;

/** Renders .react-flow__viewport framed on every node; edges are part of the viewport's SVG and come along. */
export async function exportImage(format: 'png' | 'svg', baseName: string): Promise<void> {
  const flow = flowInstance();
  const viewport = document.querySelector<HTMLElement>('.react-flow__viewport');
  if (!flow || !viewport) throw new Error('the canvas is not ready');
  const nodes = flow.getNodes();
  if (!nodes.length) throw new Error('the canvas is empty');
  const bounds = getNodesBounds(nodes);
  const pad = 40;
  const scale = Math.min(2, MAX_SIDE / Math.max(bounds.width + 2 * pad, bounds.height + 2 * pad));
  const width = Math.ceil((bounds.width + 2 * pad) * scale);
  const height = Math.ceil((bounds.height + 2 * pad) * scale);
  const v = getViewportForBounds(bounds, width, height, 0.05, 4, pad * scale);
  const background = getComputedStyle(document.documentElement).getPropertyValue('--canvas-bg').trim() || '#ffffff';
  const options = {
    backgroundColor: background,
    width,
    height,
    style: { width: `${width}px`, height: `${height}px`, transform: `translate(${v.x}px, ${v.y}px) scale(${v.zoom})` },
    // Handles and resize grips are editing chrome, not part of the picture.
    filter: (el: HTMLElement) => !(el.classList?.contains('react-flow__handle') || el.classList?.contains('react-flow__resize-control')),
  };
  // The canvas leaves off-screen elements unmounted and drops small texts when zoomed out: the picture needs them all.
  const url = await withFullDetail(() => (format === 'png' ? toPng(viewport, options) : toSvg(viewport, options)));
  download(`${baseName}.${format}`, dataUrlToBlob(url));
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
