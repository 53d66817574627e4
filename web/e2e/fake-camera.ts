/**
 * A video for Chromium's fake camera (`--use-file-for-fake-video-capture=`): a label the API
 * rendered, drawn on a white frame and written as Y4M (a text header, then raw I420 frames).
 * resvg draws the SVG, so no ffmpeg or image tools are needed.
 */
import { writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';

const WIDTH = 640;
const HEIGHT = 480;

/** Luma of an RGB pixel, BT.601 studio range (what Chromium expects of a Y4M file). */
const luma = (r: number, g: number, b: number) =>
  Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);

/** The label centred on a white frame, as luma (the label is black on white: chroma stays neutral). */
function labelFrame(svg: string): Uint8Array {
  const image = new Resvg(svg, {
    fitTo: { mode: 'width', value: Math.round(WIDTH * 0.8) },
    background: 'white',
    font: { loadSystemFonts: true },
  }).render();
  const y = new Uint8Array(WIDTH * HEIGHT).fill(luma(255, 255, 255));
  const left = Math.floor((WIDTH - image.width) / 2);
  const top = Math.max(0, Math.floor((HEIGHT - image.height) / 2));
  const rgba = image.pixels;
  for (let row = 0; row < Math.min(image.height, HEIGHT); row++) {
    for (let col = 0; col < image.width; col++) {
      const i = (row * image.width + col) * 4;
      const alpha = (rgba[i + 3] ?? 255) / 255;
      const mix = (c: number) => c * alpha + 255 * (1 - alpha);
      y[(top + row) * WIDTH + left + col] = luma(
        mix(rgba[i] ?? 255),
        mix(rgba[i + 1] ?? 255),
        mix(rgba[i + 2] ?? 255),
      );
    }
  }
  return y;
}

/** Writes `path` as a short Y4M video of the label (Chromium loops it). */
export function writeLabelVideo(svg: string, path: string, frames = 10): void {
  const y = labelFrame(svg);
  const chroma = new Uint8Array((WIDTH / 2) * (HEIGHT / 2)).fill(128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

/** An EAN-13 (12 digits and their check digit) in the in-store range 200-299, unique enough for a test run. */
export function testEan13(): string {
  const body = `2${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`;
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return body + String((10 - (sum % 10)) % 10);
}
