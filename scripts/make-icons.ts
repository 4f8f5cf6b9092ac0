/**
 * Draws the two Teams app icons into appPackage/: color.png (192×192, full colour) and
 * outline.png (32×32, white glyph on a transparent background). The glyph is an office
 * chair, i.e. a seat. Run with `npx tsx scripts/make-icons.ts`; the output is deterministic,
 * so re-running only changes the files when this script changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';

/** Signed distance to a shape in glyph units (0..1 on both axes); negative inside. */
type Shape = (x: number, y: number) => number;

function roundedRect(x0: number, y0: number, x1: number, y1: number, radius: number): Shape {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const hw = (x1 - x0) / 2 - radius;
  const hh = (y1 - y0) / 2 - radius;
  return (x, y) => {
    const dx = Math.max(Math.abs(x - cx) - hw, 0);
    const dy = Math.max(Math.abs(y - cy) - hh, 0);
    const inside = Math.min(Math.max(Math.abs(x - cx) - hw, Math.abs(y - cy) - hh), 0);
    return Math.hypot(dx, dy) + inside - radius;
  };
}

function union(...shapes: Shape[]): Shape {
  return (x, y) => Math.min(...shapes.map((shape) => shape(x, y)));
}

/**
 * An armchair seen from the front: backrest, seat cushion, two armrests and feet. The small gaps
 * between the parts are what make it read as a seat rather than a blob at 32 px.
 */
const chair: Shape = union(
  roundedRect(0.25, 0.08, 0.75, 0.56, 0.1),
  roundedRect(0.25, 0.62, 0.75, 0.8, 0.05),
  roundedRect(0.02, 0.36, 0.2, 0.8, 0.09),
  roundedRect(0.8, 0.36, 0.98, 0.8, 0.09),
  roundedRect(0.02, 0.74, 0.98, 0.86, 0.04),
  roundedRect(0.06, 0.8, 0.16, 0.96, 0.03),
  roundedRect(0.84, 0.8, 0.94, 0.96, 0.03),
);

const ACCENT = { r: 0x0f, g: 0x6c, b: 0xbd };

/**
 * Coverage of the glyph per pixel, from an 8×8 grid of samples: edges get partial alpha
 * instead of jaggies, and pixels the glyph never touches stay exactly 0.
 */
function coverage(size: number, glyphSize: number, x: number, y: number): number {
  const samples = 8;
  const offset = (size - glyphSize) / 2;
  let hits = 0;
  for (let sy = 0; sy < samples; sy++) {
    for (let sx = 0; sx < samples; sx++) {
      const gx = (x + (sx + 0.5) / samples - offset) / glyphSize;
      const gy = (y + (sy + 0.5) / samples - offset) / glyphSize;
      if (gx >= 0 && gx <= 1 && gy >= 0 && gy <= 1 && chair(gx, gy) <= 0) hits++;
    }
  }
  return hits / (samples * samples);
}

function draw(size: number, glyphSize: number, background: 'accent' | 'transparent'): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const a = coverage(size, glyphSize, x, y);
      const i = (y * size + x) * 4;
      if (background === 'accent') {
        png.data[i] = Math.round(ACCENT.r + (255 - ACCENT.r) * a);
        png.data[i + 1] = Math.round(ACCENT.g + (255 - ACCENT.g) * a);
        png.data[i + 2] = Math.round(ACCENT.b + (255 - ACCENT.b) * a);
        png.data[i + 3] = 255;
      } else {
        png.data[i] = 255;
        png.data[i + 1] = 255;
        png.data[i + 2] = 255;
        png.data[i + 3] = Math.round(255 * a);
      }
    }
  }
  return PNG.sync.write(png);
}

export function makeIcons(): { color: Buffer; outline: Buffer } {
  return {
    // Teams crops the colour icon to a rounded square; the glyph stays inside the 96 px safe area plus a little.
    color: draw(192, 112, 'accent'),
    // Outline icons are drawn by Teams at 20–32 px, so the glyph uses nearly the whole square.
    outline: draw(32, 28, 'transparent'),
  };
}

if (require.main === module) {
  const outDir = path.join(__dirname, '../appPackage');
  const { color, outline } = makeIcons();
  fs.writeFileSync(path.join(outDir, 'color.png'), color);
  fs.writeFileSync(path.join(outDir, 'outline.png'), outline);
  console.log(`Wrote ${path.join(outDir, 'color.png')} and ${path.join(outDir, 'outline.png')}`);
}
