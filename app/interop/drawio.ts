// draw.io (diagrams.net): the design as an editable .drawio file, at the canvas's own positions.
//
// Followed: jgraph/drawio's uncompressed file format: <mxfile><diagram><mxGraphModel><root> with the two base cells
// (id "0", and id "1" parent "0"), vertices `vertex="1"` with an <mxGeometry as="geometry"> relative to their parent
// cell, containers as `swimlane;container=1`, edges `edge="1"` with source/target and `<mxGeometry relative="1">`.
// The model is not encoded (draw.io reads plain XML inside <diagram>), so the file diffs and opens in any draw.io.
import { indexTopology } from '../model/index-topology';
import type { Topology } from '../model/schema';
import type { ExportResult } from './types';

export interface CanvasRect {
  x: number;
  y: number;
  w: number;
  h: number;
}
/** Where the canvas draws each element: positions relative to the parent node, as renderer/canvas/derive.ts computes them. */
export interface CanvasPlacement {
  geometry: ReadonlyMap<string, CanvasRect>;
  parentOf: (id: string) => string | undefined;
}

const STYLE = {
  site: 'swimlane;startSize=30;rounded=1;arcSize=4;fillColor=#f5f5f5;strokeColor=#666666;fontStyle=1;container=1;collapsible=0;whiteSpace=wrap;',
  system: 'swimlane;startSize=26;fillColor=#dae8fc;strokeColor=#6c8ebf;fontStyle=1;container=1;collapsible=0;whiteSpace=wrap;',
  host: 'swimlane;startSize=26;fillColor=#d5e8d4;strokeColor=#82b366;fontStyle=1;container=1;collapsible=0;whiteSpace=wrap;',
  port: 'rounded=1;whiteSpace=wrap;fontSize=10;fillColor=#fff2cc;strokeColor=#d6b656;',
  real: 'shape=cylinder3;whiteSpace=wrap;boundedLbl=1;backgroundOutline=1;size=6;fontSize=10;fillColor=#e1d5e7;strokeColor=#9673a6;',
  virtual: 'rounded=1;whiteSpace=wrap;fontSize=10;fillColor=#ffffff;strokeColor=#9673a6;dashed=1;',
  virtualReal: 'shape=cylinder3;whiteSpace=wrap;boundedLbl=1;backgroundOutline=1;size=6;fontSize=10;fillColor=#ffffff;strokeColor=#9673a6;dashed=1;',
  lu: 'shape=hexagon;perimeter=hexagonPerimeter2;size=0.12;whiteSpace=wrap;fontSize=10;fillColor=#f8cecc;strokeColor=#b85450;',
  cache: 'shape=process;whiteSpace=wrap;size=0.08;fontSize=10;fillColor=#ffe6cc;strokeColor=#d79b00;',
  cable: 'endArrow=none;html=0;strokeWidth=2;strokeColor=#333333;edgeStyle=orthogonalEdgeStyle;rounded=1;fontSize=10;labelBackgroundColor=#ffffff;',
  pairSync: 'endArrow=block;endFill=1;html=0;strokeWidth=2;strokeColor=#b85450;curved=1;fontSize=10;labelBackgroundColor=#ffffff;',
  pairAsync: 'endArrow=block;endFill=1;html=0;strokeWidth=2;strokeColor=#b85450;dashed=1;curved=1;fontSize=10;labelBackgroundColor=#ffffff;',
} as const;

const escapeXml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/\r?\n/g, '&#xa;')
    // Characters XML 1.0 does not allow at all.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
/** Cell ids: the element's id, except the two the base cells use. */
const cellId = (id: string) => (id === '0' || id === '1' ? `el-${id}` : id);
const km = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)} km`;
const bw = (mbps: number) => (mbps >= 1000 ? `${+(mbps / 1000).toFixed(1)} Gbit/s` : `${mbps} Mbit/s`);
const bytes = (n: number) => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${+n.toFixed(1)} ${units[i]}`;
};

export function exportDrawio(t: Topology, canvas: CanvasPlacement, fileName = 'design.drawio'): ExportResult {
  const ix = indexTopology(t);
  const cells: string[] = [];
  const placed = new Set<string>();
  const vertex = (id: string, value: string, style: string, tooltip?: string) => {
    const g = canvas.geometry.get(id);
    if (!g) return;
    const parent = canvas.parentOf(id);
    const parentCell = parent && canvas.geometry.has(parent) ? cellId(parent) : '1';
    const tip = tooltip ? ` tooltip="${escapeXml(tooltip)}"` : '';
    cells.push(
      `        <mxCell id="${escapeXml(cellId(id))}" value="${escapeXml(value)}" style="${style}"${tip} vertex="1" parent="${escapeXml(parentCell)}">\n` +
        `          <mxGeometry x="${Math.round(g.x)}" y="${Math.round(g.y)}" width="${Math.round(g.w)}" height="${Math.round(g.h)}" as="geometry" />\n` +
        '        </mxCell>',
    );
    placed.add(id);
  };
  const edge = (id: string, value: string, style: string, source: string, target: string) => {
    if (!placed.has(source) || !placed.has(target)) return;
    cells.push(
      `        <mxCell id="${escapeXml(cellId(id))}" value="${escapeXml(value)}" style="${style}" edge="1" parent="1" source="${escapeXml(cellId(source))}" target="${escapeXml(cellId(target))}">\n` +
        '          <mxGeometry relative="1" as="geometry" />\n' +
        '        </mxCell>',
    );
  };
  // Parents before children: draw.io resolves a cell's parent when it reads it.
  for (const s of t.sites) vertex(s.id, s.name, STYLE.site, s.description);
  for (const s of t.systems) vertex(s.id, `${s.name}${s.role ? ` (${s.role})` : ''}`, STYLE.system, `storage system ${s.id}${s.serialNumber ? `, Serial# ${s.serialNumber}` : ''}`);
  for (const h of t.hosts) vertex(h.id, h.name, STYLE.host, `host ${h.id}`);
  for (const p of t.ports) vertex(p.id, `${p.name} (${p.kind === 'target' ? 'TP' : p.kind === 'initiator' ? 'IP' : 'TP/IP'})`, STYLE.port, `${p.kind} port, WWN ${p.wwn}`);
  for (const v of t.volumes) {
    const size = v.kind === 'real' ? `\n${bytes(v.sizeBytes)}` : v.kind === 'virtual' ? `\n${bytes(v.ranges.reduce((a, r) => a + r.lengthBytes, 0))}` : '';
    const kind = v.kind === 'real' ? 'real volume' : v.kind === 'virtual' ? 'virtual volume' : `virtual real volume (alias of ${v.aliasOfId})`;
    vertex(v.id, `${v.name}${size}`, STYLE[v.kind], `${kind} ${v.id}${v.ldevId !== undefined ? `, LDEV ${v.ldevId}` : ''}`);
  }
  for (const l of t.lus) vertex(l.id, `${l.name} (LUN ${l.lun})`, STYLE.lu, `LU on port ${l.portId}, maps ${l.volumeId}`);
  for (const c of t.caches) vertex(c.id, `${c.name} ${bytes(c.sizeBytes)}`, STYLE.cache, `cache for ${c.volumeIds.join(', ')}`);
  for (const c of t.cables)
    edge(c.id, `${c.name}${c.kind === 'internal-loop' ? ' (loop)' : ` ${c.kind.toUpperCase()} ${km(c.distanceKm)}, ${bw(c.bandwidthMbps)}`}`, STYLE.cable, c.aPortId, c.bPortId);
  for (const p of t.pairs)
    edge(p.id, `${p.name}: ${p.mode}${p.mode === 'sync' ? `, fence ${p.fence}` : p.consistencyGroup ? `, ${p.consistencyGroup}` : ''}`, p.mode === 'sync' ? STYLE.pairSync : STYLE.pairAsync, p.primaryVolumeId, p.secondaryVolumeId);

  const notes: string[] = [];
  const unplaced = [...ix.byId.keys()].filter((id) => !placed.has(id) && !ix.cables.has(id) && !ix.pairs.has(id));
  if (unplaced.length) notes.push(`not on the canvas, so not drawn: ${unplaced.slice(0, 8).join(', ')}${unplaced.length > 8 ? ', ...' : ''}`);
  notes.push('mappings (virtual volume ranges, aliases, LU placement) are drawn by nesting only, not as edges; the draw.io file is a picture to edit, not re-imported');

  const xml =
    `<mxfile host="RelayLab" agent="RelayLab" type="device">\n` +
    `  <diagram id="relaylab" name="${escapeXml(t.name || 'RelayLab')}">\n` +
    '    <mxGraphModel dx="1600" dy="1000" grid="1" gridSize="10" guides="1" tooltips="1" connect="1" arrows="1" fold="1" page="0" pageScale="1" pageWidth="1600" pageHeight="1200" math="0" shadow="0">\n' +
    '      <root>\n' +
    '        <mxCell id="0" />\n' +
    '        <mxCell id="1" parent="0" />\n' +
    cells.join('\n') +
    (cells.length ? '\n' : '') +
    '      </root>\n' +
    '    </mxGraphModel>\n' +
    '  </diagram>\n' +
    '</mxfile>\n';
  return { files: { [fileName]: xml }, notes };
}
