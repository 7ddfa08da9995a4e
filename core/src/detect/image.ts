/**
 * Pictures as plain RGB buffers: JPEG decode and encode with jpeg-js (pure JS, so it runs in any
 * worker thread without spawning a process), and boxes with labels drawn in place. The labels use
 * a built-in 3x5 pixel font scaled up, so no font file or canvas library is needed.
 */
import jpeg from 'jpeg-js';
import type { RgbImage } from './human.js';

/** Larger pictures are refused: a 50-megapixel decode would take seconds and hundreds of MB. */
const MAX_PIXELS = 4096 * 4096;

export function decodeJpeg(data: Uint8Array): RgbImage {
  const image = jpeg.decode(data, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
  return { width: image.width, height: image.height, data: image.data };
}

export function encodeJpeg(image: RgbImage, quality = 80): Buffer {
  // jpeg-js encodes RGBA only.
  const rgba = Buffer.alloc(image.width * image.height * 4);
  for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
    rgba[j] = image.data[i] ?? 0;
    rgba[j + 1] = image.data[i + 1] ?? 0;
    rgba[j + 2] = image.data[i + 2] ?? 0;
    rgba[j + 3] = 255;
  }
  return jpeg.encode({ width: image.width, height: image.height, data: rgba }, quality).data;
}

/** Nearest-neighbour downscale so the longer side is at most `maxSide` (detectors work at ~640). */
export function shrinkImage(image: RgbImage, maxSide: number): RgbImage {
  const scale = maxSide / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.floor(y / scale));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.floor(x / scale));
      const s = (sy * image.width + sx) * 3;
      const d = (y * width + x) * 3;
      data[d] = image.data[s] ?? 0;
      data[d + 1] = image.data[s + 1] ?? 0;
      data[d + 2] = image.data[s + 2] ?? 0;
    }
  }
  return { width, height, data };
}

export type RgbColor = readonly [number, number, number];

/** A box [x, y, w, h] in 0..1 and the text drawn above it. */
export interface BoxAnnotation {
  box: readonly [number, number, number, number];
  text: string;
  color?: RgbColor;
  /** Label under the box (faces, so it does not hide the person's label). */
  below?: boolean;
}

export const LABEL_COLORS: Readonly<Record<string, RgbColor>> = { person: [255, 64, 64], face: [255, 200, 0], car: [64, 160, 255], truck: [64, 160, 255], dog: [64, 220, 64], cat: [64, 220, 64] };

/** Draws each box and its label into the image (in place). */
export function annotateImage(image: RgbImage, annotations: readonly BoxAnnotation[]): RgbImage {
  const thickness = Math.max(2, Math.round(Math.min(image.width, image.height) / 240));
  const scale = Math.max(2, Math.round(Math.min(image.width, image.height) / 180));
  for (const a of annotations) {
    const color = a.color ?? [255, 64, 64];
    const x = Math.round(a.box[0] * image.width);
    const y = Math.round(a.box[1] * image.height);
    const w = Math.round(a.box[2] * image.width);
    const h = Math.round(a.box[3] * image.height);
    fillRect(image, x, y, w, thickness, color);
    fillRect(image, x, y + h - thickness, w, thickness, color);
    fillRect(image, x, y, thickness, h, color);
    fillRect(image, x + w - thickness, y, thickness, h, color);
    const text = a.text.toUpperCase();
    const textHeight = 7 * scale;
    if (text === '') continue;
    const ty = a.below === true && y + h + textHeight <= image.height ? y + h : y - textHeight >= 0 ? y - textHeight : y + thickness;
    fillRect(image, x, ty, text.length * 4 * scale + scale, textHeight, color);
    drawText(image, text, x + scale, ty + scale, scale, [0, 0, 0]);
  }
  return image;
}

function fillRect(image: RgbImage, x: number, y: number, w: number, h: number, color: RgbColor): void {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(image.width, x + w);
  const y1 = Math.min(image.height, y + h);
  for (let row = y0; row < y1; row++) {
    for (let col = x0; col < x1; col++) {
      const i = (row * image.width + col) * 3;
      image.data[i] = color[0];
      image.data[i + 1] = color[1];
      image.data[i + 2] = color[2];
    }
  }
}

// 3x5 glyphs, rows top to bottom, '1' = ink. Unknown characters draw as blanks.
const GLYPHS: Readonly<Record<string, string>> = {
  A: '010101111101101', B: '110101110101110', C: '011100100100011', D: '110101101101110', E: '111100110100111',
  F: '111100110100100', G: '011100101101011', H: '101101111101101', I: '111010010010111', J: '001001001101010',
  K: '101101110101101', L: '100100100100111', M: '101111111101101', N: '110101101101101', O: '010101101101010',
  P: '110101110100100', Q: '010101101110011', R: '110101110101101', S: '011100010001110', T: '111010010010010',
  U: '101101101101111', V: '101101101101010', W: '101101111111101', X: '101101010101101', Y: '101101010010010',
  Z: '111001010100111', '0': '111101101101111', '1': '010110010010111', '2': '110001010100111', '3': '110001010001110',
  '4': '101101111001001', '5': '111100110001110', '6': '011100111101111', '7': '111001010010010', '8': '111101111101111',
  '9': '111101111001110', '.': '000000000000010', '%': '101001010100101', '-': '000000111000000', ':': '000010000010000',
  _: '000000000000111',
};

function drawText(image: RgbImage, text: string, x: number, y: number, scale: number, color: RgbColor): void {
  [...text].forEach((char, index) => {
    const glyph = GLYPHS[char];
    if (glyph === undefined) return;
    for (let bit = 0; bit < 15; bit++) {
      if (glyph[bit] !== '1') continue;
      fillRect(image, x + (index * 4 + (bit % 3)) * scale, y + Math.floor(bit / 3) * scale, scale, scale, color);
    }
  });
}
