import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { makeIcons } from '../../scripts/make-icons';
import { APP_PACKAGE } from './helpers';

function readPng(file: string): PNG {
  return PNG.sync.read(fs.readFileSync(path.join(APP_PACKAGE, file)));
}

function pixel(png: PNG, x: number, y: number): { r: number; g: number; b: number; a: number } {
  const i = (y * png.width + x) * 4;
  return { r: png.data[i], g: png.data[i + 1], b: png.data[i + 2], a: png.data[i + 3] };
}

function pixels(png: PNG): Array<{ x: number; y: number; r: number; g: number; b: number; a: number }> {
  const all = [];
  for (let y = 0; y < png.height; y++) for (let x = 0; x < png.width; x++) all.push({ x, y, ...pixel(png, x, y) });
  return all;
}

describe('app icons', () => {
  it('color.png is a 192×192 opaque, full-colour icon', () => {
    const png = readPng('color.png');
    expect([png.width, png.height]).toEqual([192, 192]);
    const all = pixels(png);
    expect(all.every((p) => p.a === 255)).toBe(true);
    const colours = new Set(all.map((p) => `${p.r},${p.g},${p.b}`));
    expect(colours.size).toBeGreaterThan(2);
    // The background is the manifest's accent colour, not white or grey.
    expect(pixel(png, 0, 0)).toEqual({ r: 0x0f, g: 0x6c, b: 0xbd, a: 255 });
  });

  it('outline.png is 32×32, white on transparent, and transparent outside the glyph', () => {
    const png = readPng('outline.png');
    expect([png.width, png.height]).toEqual([32, 32]);
    const all = pixels(png);
    const painted = all.filter((p) => p.a > 0);
    // Anti-aliased edges may be partly transparent, but never any colour other than white.
    expect(painted.every((p) => p.r === 255 && p.g === 255 && p.b === 255)).toBe(true);
    expect(all.filter((p) => p.a === 255).length).toBeGreaterThan(all.length * 0.15);
    expect(all.filter((p) => p.a === 0).length).toBeGreaterThan(all.length * 0.3);
    const border = all.filter((p) => p.x === 0 || p.y === 0 || p.x === 31 || p.y === 31);
    expect(border.every((p) => p.a === 0)).toBe(true);
    for (const [x, y] of [
      [0, 0],
      [31, 0],
      [0, 31],
      [31, 31],
      [16, 1],
    ])
      expect(pixel(png, x, y).a).toBe(0);
  });

  it('are what scripts/make-icons.ts draws (the committed PNGs are not stale)', () => {
    const { color, outline } = makeIcons();
    expect(PNG.sync.read(color).data.equals(readPng('color.png').data)).toBe(true);
    expect(PNG.sync.read(outline).data.equals(readPng('outline.png').data)).toBe(true);
  });
});
