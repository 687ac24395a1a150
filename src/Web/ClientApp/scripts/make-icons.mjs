// Writes the PWA icons (public/icons/*.png) from code, so they need no image tool, no download and no designer file:
// three rising bars on the SalesDash blue. Run `node scripts/make-icons.mjs` after changing the drawing or colours;
// the PNGs are committed. Colours are the branding defaults (features/branding/branding.ts SALESDASH).
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BLUE = [0x1f, 0x6f, 0xeb];
const AMBER = [0xf5, 0x9e, 0x0b];
const WHITE = [0xff, 0xff, 0xff];

/**
 * RGBA pixels of one icon. `maskable` fills the whole square and keeps the drawing inside the central 60 %
 * (the safe zone is a circle of 80 %); the plain icon is a rounded square with transparent corners.
 */
function draw(size, maskable) {
  const px = new Uint8Array(size * size * 4);
  const radius = maskable ? 0 : size * 0.18;
  const inset = maskable ? 0.2 : 0.14;
  const left = size * inset;
  const right = size * (1 - inset);
  const bottom = size * (1 - inset);
  const top = size * inset;
  const gap = (right - left) * 0.08;
  const barWidth = (right - left - 2 * gap) / 3;
  const heights = [0.45, 0.7, 1];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      if (!inside(x + 0.5, y + 0.5, size, radius)) continue;
      let colour = BLUE;
      for (let b = 0; b < 3; b++) {
        const x0 = left + b * (barWidth + gap);
        const y0 = bottom - (bottom - top) * heights[b];
        if (x >= x0 && x < x0 + barWidth && y >= y0 && y < bottom) colour = b === 2 ? AMBER : WHITE;
      }
      px.set([...colour, 0xff], i);
    }
  }
  return px;
}

function inside(x, y, size, r) {
  if (r === 0) return true;
  const cx = Math.min(Math.max(x, r), size - r);
  const cy = Math.min(Math.max(y, r), size - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG (RGBA, 8 bits, no filtering) per the PNG specification: signature, IHDR, one IDAT, IEND. */
export function png(size, pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    Buffer.from(pixels.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const icons = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'maskable-192.png', size: 192, maskable: true },
  { file: 'maskable-512.png', size: 512, maskable: true },
  // iOS ignores the manifest's icons and wants a square without transparency.
  { file: 'apple-touch-icon-180.png', size: 180, maskable: true },
];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
  mkdirSync(folder, { recursive: true });
  for (const icon of icons) writeFileSync(join(folder, icon.file), png(icon.size, draw(icon.size, icon.maskable)));
  console.log(`wrote ${icons.length} icons to ${folder}`);
}
