// The topology as a static, deterministic SVG for the report: sites as columns along the data flow, systems and hosts inside, cables and pairs between.
import type { Topology, Volume } from '../model/schema';
import { bytes, escapeHtml, mbps, num } from './format';
import { sizeBytesOf } from '../model/index-topology';

/** Geometry of one drawn box (a host or a storage system) and its volume rows. */
interface Box {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Centre y of each volume row, by volume id. */
  rows: Map<string, number>;
}

const BOX_WIDTH = 240;
const COLUMN_GAP = 170;
const SITE_PAD = 14;
const SITE_HEADER = 30;
const BOX_HEADER = 42;
const ROW = 20;
const BOX_GAP = 34;
const SITE_GAP = 26;
const MARGIN = 20;

const CABLE_KIND: Record<string, string> = { fc: 'FC', ip: 'IP', internet: 'Internet', 'internal-loop': 'loop' };

function volumeKindLabel(v: Volume): string {
  if (v.kind === 'real') return v.backing.type === 'external' ? 'real (external)' : 'real';
  return v.kind === 'virtual' ? 'virtual' : 'virtual real';
}

/**
 * Orders sites along the data flow: replication pairs lead from a primary's site to a secondary's site, so a site's
 * column is how many pair hops it lies from a site that only sends (local, relay, remote). Sites no pair reaches follow
 * their cables; sites at the same depth share a column, so every replication link runs left to right.
 */
export function siteColumns(t: Topology): string[][] {
  const siteOfSystem = new Map(t.systems.map((s) => [s.id, s.siteId] as const));
  const siteOfVolume = (id: string) => siteOfSystem.get(t.volumes.find((v) => v.id === id)?.systemId ?? '');
  const flows = new Map<string, Set<string>>();
  const receives = new Set<string>();
  for (const p of t.pairs) {
    const a = siteOfVolume(p.primaryVolumeId);
    const b = siteOfVolume(p.secondaryVolumeId);
    if (!a || !b || a === b) continue;
    if (!flows.has(a)) flows.set(a, new Set());
    flows.get(a)!.add(b);
    receives.add(b);
  }
  const siteOfOwner = new Map<string, string>(siteOfSystem);
  for (const h of t.hosts) siteOfOwner.set(h.id, h.siteId);
  const ownerOfPort = new Map(t.ports.map((p) => [p.id, p.ownerId] as const));
  const cabled = new Map<string, Set<string>>();
  for (const c of t.cables) {
    const a = siteOfOwner.get(ownerOfPort.get(c.aPortId) ?? '');
    const b = siteOfOwner.get(ownerOfPort.get(c.bPortId) ?? '');
    if (!a || !b || a === b) continue;
    if (!cabled.has(a)) cabled.set(a, new Set());
    if (!cabled.has(b)) cabled.set(b, new Set());
    cabled.get(a)!.add(b);
    cabled.get(b)!.add(a);
  }
  const byDocument = (ids: Iterable<string>) => [...ids].sort((a, b) => siteIndex(t, a) - siteIndex(t, b));
  const depth = new Map<string, number>();
  const sources = byDocument(flows.keys()).filter((s) => !receives.has(s));
  const hostSites = t.sites.filter((s) => t.hosts.some((h) => h.siteId === s.id)).map((s) => s.id);
  let frontier = sources.length ? sources : hostSites.length ? hostSites : t.sites.slice(0, 1).map((s) => s.id);
  for (const s of frontier) depth.set(s, 0);
  // Pair flow first (longest path from a source, bounded by the number of sites), then cables for the rest.
  for (let round = 0; round < t.sites.length && frontier.length; round++) {
    const next: string[] = [];
    for (const s of frontier)
      for (const n of byDocument(flows.get(s) ?? []))
        if ((depth.get(n) ?? -1) < depth.get(s)! + 1) {
          depth.set(n, depth.get(s)! + 1);
          next.push(n);
        }
    frontier = next;
  }
  frontier = byDocument(depth.keys());
  while (frontier.length) {
    const next: string[] = [];
    for (const s of frontier)
      for (const n of byDocument(cabled.get(s) ?? []))
        if (!depth.has(n)) {
          depth.set(n, depth.get(s)! + 1);
          next.push(n);
        }
    frontier = next;
  }
  const unreached = Math.max(-1, ...depth.values()) + 1;
  const columns: string[][] = [];
  for (const site of t.sites) {
    const d = depth.get(site.id) ?? unreached;
    (columns[d] ??= []).push(site.id);
  }
  return columns.filter((c) => c !== undefined && c.length > 0);
}

const siteIndex = (t: Topology, id: string): number => t.sites.findIndex((s) => s.id === id);

/** Draws the topology; the same document always gives the same SVG text. */
export function topologySvg(t: Topology): string {
  const columns = siteColumns(t);
  const boxes = new Map<string, Box>();
  const parts: string[] = [];
  const siteRects: string[] = [];
  let height = 0;

  columns.forEach((sites, col) => {
    const x = MARGIN + col * (BOX_WIDTH + 2 * SITE_PAD + COLUMN_GAP);
    let y = MARGIN;
    for (const siteId of sites) {
      const site = t.sites.find((s) => s.id === siteId)!;
      const top = y;
      y += SITE_HEADER;
      // Hosts share one row at the top of their site, so each host's cable drops straight to its system.
      const hosts = t.hosts.filter((h) => h.siteId === siteId);
      if (hosts.length) {
        const w = (BOX_WIDTH - (hosts.length - 1) * 8) / hosts.length;
        hosts.forEach((h, i) => {
          const bx = x + SITE_PAD + i * (w + 8);
          const writes = h.workloads.reduce((sum, wl) => sum + wl.iops * (1 - wl.readRatio), 0);
          // About 8 px per title character and 6 per subtitle character at these font sizes.
          const chars = Math.floor((w - 12) / 8.2);
          boxes.set(h.id, { id: h.id, x: bx, y, width: w, height: BOX_HEADER, rows: new Map() });
          parts.push(
            `<g class="host"><rect x="${num(bx, 6)}" y="${y}" width="${num(w, 6)}" height="${BOX_HEADER}" rx="6"/>` +
              `<text class="box-title" x="${num(bx + 8, 6)}" y="${y + 18}">${escapeHtml(clip(h.name || h.id, chars))}</text>` +
              `<text class="box-sub" x="${num(bx + 8, 6)}" y="${y + 33}">${escapeHtml(clip(`host ${h.id} · ${num(writes)} writes/s`, Math.floor((w - 12) / 6)))}</text></g>`,
          );
        });
        // Room for the host cables' labels below the row.
        y += BOX_HEADER + BOX_GAP + Math.max(0, hosts.length - 1) * 14;
      }
      const members = t.systems.filter((s) => s.siteId === siteId).map((s) => ({
        id: s.id,
        title: s.name || s.id,
        subtitle: `storage system ${s.id}${s.role ? ` · ${s.role}` : ''}`,
        volumes: t.volumes.filter((v) => v.systemId === s.id),
        notes: loopCables(t, s.id),
      }));
      for (const m of members) {
        const h = BOX_HEADER + (m.volumes.length ? m.volumes.length * ROW + 8 : 0) + m.notes.length * ROW;
        const bx = x + SITE_PAD;
        const rows = new Map<string, number>();
        m.volumes.forEach((v, i) => rows.set(v.id, y + BOX_HEADER + i * ROW + ROW / 2));
        boxes.set(m.id, { id: m.id, x: bx, y, width: BOX_WIDTH, height: h, rows });
        parts.push(
          `<g class="system"><rect x="${bx}" y="${y}" width="${BOX_WIDTH}" height="${h}" rx="6"/>` +
            `<text class="box-title" x="${bx + 8}" y="${y + 18}">${escapeHtml(m.title)}</text>` +
            `<text class="box-sub" x="${bx + 8}" y="${y + 33}">${escapeHtml(clip(m.subtitle, 40))}</text>`,
        );
        m.volumes.forEach((v, i) => {
          const ry = y + BOX_HEADER + i * ROW;
          const size = sizeBytesOf(t, v.id);
          parts.push(
            `<rect class="vol vol-${v.kind}" x="${bx + 6}" y="${ry}" width="${BOX_WIDTH - 12}" height="${ROW - 2}" rx="3"/>` +
              `<text class="vol-id" x="${bx + 12}" y="${ry + 14}">${escapeHtml(v.id)}</text>` +
              `<text class="vol-kind" x="${bx + 76}" y="${ry + 14}">${escapeHtml(volumeKindLabel(v))}${size !== undefined ? ` · ${escapeHtml(bytes(size))}` : ''}</text>`,
          );
        });
        m.notes.forEach((note, i) => {
          const ry = y + BOX_HEADER + m.volumes.length * ROW + 4 + i * ROW;
          parts.push(`<text class="box-note" x="${bx + 10}" y="${ry + 14}">${escapeHtml(clip(note, 38))}</text>`);
        });
        parts.push('</g>');
        y += h + BOX_GAP;
      }
      y += SITE_PAD - BOX_GAP + 8;
      siteRects.push(
        `<g class="site"><rect x="${x}" y="${top}" width="${BOX_WIDTH + 2 * SITE_PAD}" height="${y - top}" rx="10"/>` +
          `<text class="site-title" x="${x + SITE_PAD}" y="${top + 21}">${escapeHtml(site.name || site.id)}</text></g>`,
      );
      y += SITE_GAP;
    }
    height = Math.max(height, y);
  });

  const ownerOfPort = new Map(t.ports.map((p) => [p.id, p.ownerId] as const));
  const hostIds = new Set(t.hosts.map((h) => h.id));
  const links: string[] = [];
  const labels: string[] = [];
  // Labels move down until they overlap no label placed before them (estimated text boxes: ~6.6 px per character).
  const placed: { x0: number; x1: number; y0: number; y1: number }[] = [];
  const label = (x: number, y: number, lines: string[], anchor: 'start' | 'middle' | 'end', cls = ''): string => {
    const w = Math.max(...lines.map((l) => l.length)) * 6.6;
    const x0 = anchor === 'start' ? x : anchor === 'middle' ? x - w / 2 : x - w;
    let y0 = y - 11;
    const h = lines.length * 13 + 5;
    for (let i = 0; i < 12 && placed.some((p) => p.x0 < x0 + w && x0 < p.x1 && p.y0 < y0 + h && y0 < p.y1); i++) y0 += 6;
    placed.push({ x0, x1: x0 + w, y0, y1: y0 + h });
    return textLabel(x, y0 + 11, lines, anchor, cls);
  };
  // Cables between boxes; each leaves its box at its own height so parallel cables stay apart.
  const usedSlots = new Map<string, number>();
  const slot = (boxId: string): number => {
    const n = usedSlots.get(boxId) ?? 0;
    usedSlots.set(boxId, n + 1);
    return n;
  };
  for (const c of t.cables) {
    const a = boxes.get(ownerOfPort.get(c.aPortId) ?? '');
    const b = boxes.get(ownerOfPort.get(c.bPortId) ?? '');
    if (!a || !b) continue;
    const text = `${c.id} · ${CABLE_KIND[c.kind] ?? c.kind}${c.kind === 'internal-loop' ? '' : ` · ${num(c.distanceKm)} km`} · ${mbps(c.bandwidthMbps)}`;
    const ports = `${c.aPortId} → ${c.bPortId}`;
    if (a === b) {
      // An internal loop (FIG. 1's CN3) is listed inside its system's box.
      continue;
    }
    const [left, right] = a.x <= b.x ? [a, b] : [b, a];
    if (right.x < left.x + left.width) {
      // Same column (boxes overlap horizontally): vertical, near the upper box's left side, labelled beside it.
      const [top, bottom] = left.y <= right.y ? [left, right] : [right, left];
      const x0 = top.x + Math.min(24, top.width / 3) + 14 * slot(top.id);
      links.push(`<path class="cable" d="M ${x0} ${top.y + top.height} L ${x0} ${bottom.y}"/>`);
      // A host's cable is labelled short: several hosts sit side by side above their system.
      const hostCable = hostIds.has(top.id) || hostIds.has(bottom.id);
      const short = `${c.id} · ${CABLE_KIND[c.kind] ?? c.kind} · ${num(c.distanceKm)} km`;
      labels.push(label(x0 + 6, (top.y + top.height + bottom.y) / 2 + 4, [hostCable ? short : `${text} (${ports})`], 'start'));
      continue;
    }
    const y1 = left.y + 14 + 9 * slot(left.id);
    const y2 = right.y + 14 + 9 * slot(right.id);
    const x1 = left.x + left.width;
    const x2 = right.x;
    const mx = (x1 + x2) / 2;
    links.push(`<path class="cable" d="M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}"/>`);
    labels.push(label(mx, Math.min(y1, y2) - 22, [text, ports], 'middle'));
  }
  // Pairs: primary volume row -> secondary volume row, solid for sync, dashed for async.
  for (const p of t.pairs) {
    const pv = t.volumes.find((v) => v.id === p.primaryVolumeId);
    const sv = t.volumes.find((v) => v.id === p.secondaryVolumeId);
    const a = pv ? boxes.get(pv.systemId) : undefined;
    const b = sv ? boxes.get(sv.systemId) : undefined;
    if (!a || !b || !pv || !sv) continue;
    const y1 = a.rows.get(pv.id)!;
    const y2 = b.rows.get(sv.id)!;
    const text = `${p.id} · ${p.mode}${p.mode === 'async' && p.journalBytes ? ` · journal ${bytes(p.journalBytes)}` : ''}`;
    let d: string;
    let lx: number;
    let ly: number;
    if (a === b) {
      const x = a.x + a.width - 6;
      d = `M ${x} ${y1} C ${x + 30} ${y1}, ${x + 30} ${y2}, ${x} ${y2}`;
      lx = x + 30;
      ly = (y1 + y2) / 2;
    } else if (a.x === b.x) {
      const x = a.x + 6;
      const bend = a.x - 36;
      d = `M ${x} ${y1} C ${bend} ${y1}, ${bend} ${y2}, ${x} ${y2}`;
      lx = bend + 4;
      ly = (y1 + y2) / 2;
    } else {
      const forward = a.x < b.x;
      const x1 = forward ? a.x + a.width - 6 : a.x + 6;
      const x2 = forward ? b.x + 6 : b.x + b.width - 6;
      const mx = (x1 + x2) / 2;
      d = `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`;
      lx = mx;
      ly = Math.max(y1, y2) + 16;
    }
    links.push(`<path class="pair pair-${p.mode}" d="${d}" marker-end="url(#arrow-${p.mode})"/>`);
    labels.push(label(lx, ly, [text], a.x === b.x && a !== b ? 'end' : 'middle', `pair-label pair-label-${p.mode}`));
  }

  const width = MARGIN * 2 + columns.length * (BOX_WIDTH + 2 * SITE_PAD) + Math.max(0, columns.length - 1) * COLUMN_GAP;
  const h = Math.max(height, MARGIN * 2 + 40);
  const style = `
.site rect{fill:#f4f6f9;stroke:#c5ccd6}
.site-title{font:600 16px sans-serif;fill:#2b3440}
.system rect{fill:#fff;stroke:#5b6b80;stroke-width:1.2}
.host rect{fill:#eef5ee;stroke:#5f8a5f;stroke-width:1.2}
.box-title{font:600 14px sans-serif;fill:#1d2630}
.box-sub{font:11px sans-serif;fill:#5a6573}
rect.vol{fill:#eef1f6;stroke:#b9c2cf;stroke-width:.8}
rect.vol-virtualReal{fill:#f6f0fb}
rect.vol-real{fill:#eef6f1}
.vol-id{font:600 12px monospace;fill:#1d2630}
.vol-kind{font:12px sans-serif;fill:#4a5563}
.cable{fill:none;stroke:#8792a2;stroke-width:2}
.box-note{font:italic 12px sans-serif;fill:#4a5563}
.pair{fill:none;stroke-width:2}
.pair-sync{stroke:#1f6fd1}
.pair-async{stroke:#d9731c;stroke-dasharray:7 4}
.lbl{font:12px sans-serif;fill:#3b4553;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.pair-label{font-weight:600}
.pair-label-sync{fill:#1f5bb0}
.pair-label-async{fill:#b05a12}`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="topology" viewBox="0 0 ${width} ${h}" width="${width}" height="${h}" role="img" aria-label="${escapeHtml(`Topology ${t.name}`)}">` +
    `<style>${style}</style>` +
    `<defs>${['sync', 'async'].map((m) => `<marker id="arrow-${m}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${m === 'sync' ? '#1f6fd1' : '#d9731c'}"/></marker>`).join('')}</defs>` +
    siteRects.join('') +
    parts.join('') +
    links.join('') +
    labels.join('') +
    `</svg>`
  );
}

/** Cables whose two ports belong to the same system (an internal loop), as one line each. */
function loopCables(t: Topology, systemId: string): string[] {
  const owner = new Map(t.ports.map((p) => [p.id, p.ownerId] as const));
  return t.cables
    .filter((c) => owner.get(c.aPortId) === systemId && owner.get(c.bPortId) === systemId)
    .map((c) => `loop ${c.id}: ${c.aPortId} → ${c.bPortId}, ${mbps(c.bandwidthMbps)}`);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function textLabel(x: number, y: number, lines: string[], anchor: 'start' | 'middle' | 'end', cls = ''): string {
  return `<text class="lbl ${cls}" x="${num(x, 6)}" y="${num(y, 6)}" text-anchor="${anchor}">${lines
    .map((l, i) => `<tspan x="${num(x, 6)}" dy="${i === 0 ? 0 : 13}">${escapeHtml(l)}</tspan>`)
    .join('')}</text>`;
}
