#!/usr/bin/env node
// Draws the app icon (three sites in a cascade: local -> relay -> remote) as assets/icons/icon.svg and a 512 px icon.png, without image libraries.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'assets/icons');
const SIZE = 512;
const background = [0x12, 0x2a, 0x4a];
const link = [0x9f, 0xb8, 0xd6];
const sites = [
  { x: 112, y: 330, r: 62, color: [0x3d, 0x9c, 0xf0] }, // local
  { x: 256, y: 182, r: 62, color: [0xf5, 0xb0, 0x41] }, // relay
  { x: 400, y: 330, r: 62, color: [0x4c, 0xc9, 0x8a] }, // remote
];

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <rect width="${SIZE}" height="${SIZE}" rx="96" fill="rgb(${background})"/>
  <polyline points="${sites.map((s) => `${s.x},${s.y}`).join(' ')}" fill="none" stroke="rgb(${link})" stroke-width="28" stroke-linejoin="round"/>
${sites.map((s) => `  <circle cx="${s.x}" cy="${s.y}" r="${s.r}" fill="rgb(${s.color})"/>`).join('\n')}
</svg>
`;

/** Distance from point p to segment a-b. */
function segmentDistance(px, py, a, b) {
  const dx = b.x - a.x, dy = b.y - a.y;
  const t = Math.max(0, Math.min(1, ((px - a.x) * dx + (py - a.y) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (a.x + t * dx), py - (a.y + t * dy));
}
function insideRoundedSquare(x, y, radius) {
  const cx = Math.min(Math.max(x, radius), SIZE - radius), cy = Math.min(Math.max(y, radius), SIZE - radius);
  return Math.hypot(x - cx, y - cy) <= radius;
}

// RGBA rows, each prefixed by filter byte 0; 2x2 supersampling smooths the edges.
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0;
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (const [ox, oy] of [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]) {
      const px = x + ox, py = y + oy;
      if (!insideRoundedSquare(px, py, 96)) continue;
      let color = background;
      if (segmentDistance(px, py, sites[0], sites[1]) <= 14 || segmentDistance(px, py, sites[1], sites[2]) <= 14) color = link;
      for (const s of sites) if (Math.hypot(px - s.x, py - s.y) <= s.r) color = s.color;
      sum[0] += color[0]; sum[1] += color[1]; sum[2] += color[2]; sum[3] += 255;
    }
    const at = y * (SIZE * 4 + 1) + 1 + x * 4;
    const coverage = sum[3] / 255;
    for (let c = 0; c < 3; c++) raw[at + c] = coverage ? Math.round(sum[c] / coverage) : 0;
    raw[at + 3] = Math.round(sum[3] / 4);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);

mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'icon.svg'), svg);
writeFileSync(path.join(dir, 'icon.png'), png);
console.log(`make-icons: wrote assets/icons/icon.svg and icon.png (${SIZE}x${SIZE}, ${png.length} bytes)`);
