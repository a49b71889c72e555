// A vector PDF of an SVG drawing (the report's topology drawing): rects, M/L/C paths with arrowheads, dashes and text, in the PDF's own fonts.
/**
 * Reads the drawing after the browser has laid it out (in a shadow root, so its <style> stays scoped): computed fills,
 * strokes and fonts, and each text run's start after anchoring. Covers what app/report/topology-svg.ts draws, nothing more.
 */

const FONTS = { sans: 'Helvetica', sansBold: 'Helvetica-Bold', sansItalic: 'Helvetica-Oblique', mono: 'Courier', monoBold: 'Courier-Bold' } as const;
type FontKey = keyof typeof FONTS;
const FONT_KEYS = Object.keys(FONTS) as FontKey[];

function rgb(css: string): [number, number, number] | null {
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(css);
  if (!m || m[4] === '0') return null;
  return [Number(m[1]) / 255, Number(m[2]) / 255, Number(m[3]) / 255];
}

const n = (x: number): string => (Math.round(x * 100) / 100).toString();
const color = (c: [number, number, number]): string => c.map(n).join(' ');

/** A string for a PDF literal in WinAnsi: arrows become ASCII, other characters outside Latin-1 a '?'. */
function pdfString(text: string): string {
  const mapped = text.replace(/→/g, '->').replace(/←/g, '<-').replace(/…/g, '...').replace(/[–—]/g, '-');
  let out = '';
  for (const ch of mapped) {
    const code = ch.codePointAt(0)!;
    if (ch === '(' || ch === ')' || ch === '\\') out += `\\${ch}`;
    else if (code >= 32 && code < 127) out += ch;
    else if (code >= 160 && code < 256) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += '?';
  }
  return `(${out})`;
}

function fontOf(style: CSSStyleDeclaration): FontKey {
  const bold = Number(style.fontWeight) >= 600 || style.fontWeight === 'bold';
  if (/mono/i.test(style.fontFamily)) return bold ? 'monoBold' : 'mono';
  if (style.fontStyle === 'italic') return 'sansItalic';
  return bold ? 'sansBold' : 'sans';
}

/** Path data of M, L and C commands (absolute), as PDF operators; the end point and the direction it arrives from. */
function pathOps(d: string): { ops: string; end?: [number, number]; from?: [number, number] } {
  const tokens = d.match(/[MLCZmlcz]|-?\d*\.?\d+(?:e-?\d+)?/g) ?? [];
  let ops = '';
  let i = 0;
  let cmd = '';
  let end: [number, number] | undefined;
  let from: [number, number] | undefined;
  const num = () => Number(tokens[i++]);
  while (i < tokens.length) {
    if (/[A-Za-z]/.test(tokens[i]!)) cmd = tokens[i++]!.toUpperCase();
    if (cmd === 'M' || cmd === 'L') {
      const p: [number, number] = [num(), num()];
      ops += `${n(p[0])} ${n(p[1])} ${cmd === 'M' ? 'm' : 'l'}\n`;
      from = end;
      end = p;
    } else if (cmd === 'C') {
      const c1 = [num(), num()];
      const c2: [number, number] = [num(), num()];
      const p: [number, number] = [num(), num()];
      ops += `${n(c1[0]!)} ${n(c1[1]!)} ${n(c2[0])} ${n(c2[1])} ${n(p[0])} ${n(p[1])} c\n`;
      from = c2[0] === p[0] && c2[1] === p[1] ? end : c2;
      end = p;
    } else if (cmd === 'Z') {
      ops += 'h\n';
    } else i++;
  }
  return { ops, end, from };
}

function roundedRect(x: number, y: number, w: number, h: number, r: number): string {
  if (r <= 0) return `${n(x)} ${n(y)} ${n(w)} ${n(h)} re\n`;
  r = Math.min(r, w / 2, h / 2);
  const k = r * 0.5523;
  return (
    `${n(x + r)} ${n(y)} m ${n(x + w - r)} ${n(y)} l ${n(x + w - r + k)} ${n(y)} ${n(x + w)} ${n(y + r - k)} ${n(x + w)} ${n(y + r)} c\n` +
    `${n(x + w)} ${n(y + h - r)} l ${n(x + w)} ${n(y + h - r + k)} ${n(x + w - r + k)} ${n(y + h)} ${n(x + w - r)} ${n(y + h)} c\n` +
    `${n(x + r)} ${n(y + h)} l ${n(x + r - k)} ${n(y + h)} ${n(x)} ${n(y + h - r + k)} ${n(x)} ${n(y + h - r)} c\n` +
    `${n(x)} ${n(y + r)} l ${n(x)} ${n(y + r - k)} ${n(x + r - k)} ${n(y)} ${n(x + r)} ${n(y)} c h\n`
  );
}

function paint(style: CSSStyleDeclaration): { ops: string; op: string } | null {
  const fill = style.fill === 'none' ? null : rgb(style.fill);
  const stroke = style.stroke === 'none' ? null : rgb(style.stroke);
  const width = parseFloat(style.strokeWidth) || 1;
  let ops = '';
  if (fill) ops += `${color(fill)} rg\n`;
  if (stroke) {
    ops += `${color(stroke)} RG ${n(width)} w\n`;
    const dash = style.strokeDasharray && style.strokeDasharray !== 'none' ? style.strokeDasharray.split(/[\s,]+/).map(parseFloat).filter((x) => !Number.isNaN(x)) : [];
    ops += `[${dash.map(n).join(' ')}] 0 d\n`;
  }
  if (!fill && !stroke) return null;
  return { ops, op: fill && stroke ? 'B' : fill ? 'f' : 'S' };
}

/** The content stream of the drawing in PDF user space (y down, flipped once at the top). */
function contentOf(svg: SVGSVGElement, height: number): string {
  let out = `1 0 0 -1 0 ${n(height)} cm\n1 J 1 j\n`;
  for (const el of Array.from(svg.querySelectorAll('rect, path, text'))) {
    if (el.closest('defs')) continue;
    const style = getComputedStyle(el);
    if (el instanceof SVGRectElement) {
      const p = paint(style);
      if (!p) continue;
      const a = (name: string) => Number(el.getAttribute(name) ?? 0);
      out += `q\n${p.ops}${roundedRect(a('x'), a('y'), a('width'), a('height'), a('rx'))}${p.op}\nQ\n`;
    } else if (el instanceof SVGPathElement) {
      const p = paint(style);
      if (!p) continue;
      const path = pathOps(el.getAttribute('d') ?? '');
      out += `q\n${p.ops}${path.ops}${p.op}\nQ\n`;
      // An arrowhead where the path ends, in the stroke's colour (the SVG's marker-end).
      const stroke = rgb(style.stroke);
      if (el.getAttribute('marker-end') && path.end && path.from && stroke) {
        const [x, y] = path.end;
        const ang = Math.atan2(y - path.from[1], x - path.from[0]);
        const len = 10;
        const half = 4.5;
        const bx = x - len * Math.cos(ang);
        const by = y - len * Math.sin(ang);
        const px = -Math.sin(ang) * half;
        const py = Math.cos(ang) * half;
        out += `q\n${color(stroke)} rg\n${n(x)} ${n(y)} m ${n(bx + px)} ${n(by + py)} l ${n(bx - px)} ${n(by - py)} l h f\nQ\n`;
      }
    } else if (el instanceof SVGTextElement) {
      const fill = rgb(style.fill) ?? [0, 0, 0];
      const size = parseFloat(style.fontSize) || 12;
      const font = FONT_KEYS.indexOf(fontOf(style)) + 1;
      const halo = style.paintOrder.startsWith('stroke') && style.stroke !== 'none' ? rgb(style.stroke) : null;
      const haloWidth = parseFloat(style.strokeWidth) || 0;
      const runs = el.querySelectorAll('tspan').length ? Array.from(el.querySelectorAll('tspan')) : [el];
      for (const run of runs) {
        const text = run.textContent ?? '';
        if (!text.trim() || run.getNumberOfChars() === 0) continue;
        const start = run.getStartPositionOfChar(0);
        const tm = `1 0 0 -1 ${n(start.x)} ${n(start.y)} Tm`;
        if (halo && haloWidth > 0) out += `q\nBT /F${font} ${n(size)} Tf ${tm} 1 Tr ${color(halo)} RG ${n(haloWidth)} w ${pdfString(text)} Tj ET\nQ\n`;
        out += `BT /F${font} ${n(size)} Tf ${tm} 0 Tr ${color(fill)} rg ${pdfString(text)} Tj ET\n`;
      }
    }
  }
  return out;
}

/** Assembles a one-page PDF: catalog, pages, page, the content stream and the five standard fonts it may use. */
function pdfFile(width: number, height: number, content: string): Uint8Array {
  const objects: string[] = [];
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push('<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  const fonts = FONT_KEYS.map((k, i) => `/F${i + 1} ${5 + i} 0 R`).join(' ');
  objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${n(width)} ${n(height)}] /Contents 4 0 R /Resources << /Font << ${fonts} >> >> >>`);
  objects.push(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
  for (const k of FONT_KEYS) objects.push(`<< /Type /Font /Subtype /Type1 /BaseFont /${FONTS[k]} /Encoding /WinAnsiEncoding >>`);
  let body = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  // Every character is below 256 (pdfString escapes the rest): one byte each, so the offsets above are byte offsets.
  const bytes = new Uint8Array(body.length);
  for (let i = 0; i < body.length; i++) bytes[i] = body.charCodeAt(i) & 0xff;
  return bytes;
}

/** A vector PDF of an SVG document's drawing, one page the size of its viewBox (1 SVG px = 1 pt). */
export function svgToPdf(svgText: string): Uint8Array {
  const host = document.createElement('div');
  host.style.cssText = 'position:fixed;left:-100000px;top:0;visibility:hidden;pointer-events:none';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = svgText;
  document.body.appendChild(host);
  try {
    const svg = root.querySelector('svg');
    if (!svg) throw new Error('not an SVG drawing');
    const width = Number(svg.getAttribute('width'));
    const height = Number(svg.getAttribute('height'));
    return pdfFile(width, height, contentOf(svg, height));
  } finally {
    host.remove();
  }
}
