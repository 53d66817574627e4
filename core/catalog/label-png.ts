/**
 * Labels as PNG: bwip-js rasterises with its own pure-JS renderer and font engine. Its PNG drawing
 * context is wrapped: when bwip-js reports the barcode's size the canvas is widened and heightened
 * (through the padding it is about to apply), and before it encodes the PNG the two caption lines
 * are drawn with the same font engine, using the Inconsolata font that ships inside the bwip-js
 * package (OFL; covers Latin-1 and most of Latin Extended-A, so Nordic names print). No native
 * module, no system fonts, nothing downloaded: it runs wherever bwip-js runs. (Rasterising the SVG
 * with resvg would need a native or wasm renderer in production.)
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import bwipjs, { type DrawingContext, type RenderOptions } from 'bwip-js/node';
import {
  type BarcodeSpec,
  bwipOptions,
  LABEL_NAME_MAX_CHARS,
  type LabelCaption,
  withBwipErrors,
} from './label-barcode.ts';

/** Pixels per bwip-js unit: 3 px per linear module, 6 px per QR module. */
const PNG_SCALE = 3;
/** bwip-js looks fonts up by name; this one is loaded from its package on first use. */
const CAPTION_FONT = 'INCONSOLATA';
const PNG_CAPTION_PT = { sku: 11, name: 9, lineGap: 2, margin: 6 };

let captionFontLoaded: Promise<void> | undefined;

function loadCaptionFont(): Promise<void> {
  captionFontLoaded ??= readFile(
    fileURLToPath(new URL('../fonts/Inconsolata.otf', import.meta.resolve('bwip-js/node'))),
  )
    .then((font) => bwipjs.loadFont(CAPTION_FONT, new Uint8Array(font)))
    .catch((err: unknown) => {
      captionFontLoaded = undefined; // let the next label try again
      throw err;
    });
  return captionFontLoaded;
}

/** Characters the caption font has no glyph for print as "?", not as nothing. */
function inCaptionFont(text: string, px: number): string {
  const font = bwipjs.FontLib.lookup(CAPTION_FONT);
  return Array.from(text, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code > 0xffff || bwipjs.FontLib.getglyph(font, code, px, px).glyph === 0 ? '?' : ch;
  }).join('');
}

interface CaptionLine {
  text: string;
  px: number;
  width: number;
  /** Distance from the top of the line to its baseline, and the line's full height. */
  ascent: number;
  height: number;
}

function captionLine(drawing: DrawingContext<unknown>, text: string, px: number): CaptionLine {
  const printable = inCaptionFont(text, px);
  // Line metrics from tall and deep glyphs, so both lines sit on the same grid whatever they say.
  const metrics = drawing.measure('ÅÉjgy|', CAPTION_FONT, px, px);
  const { width } = drawing.measure(printable, CAPTION_FONT, px, px);
  return { text: printable, px, width, ascent: metrics.ascent, height: metrics.ascent + metrics.descent };
}

function captionLines(drawing: DrawingContext<unknown>, caption: LabelCaption): CaptionLine[] {
  const namePx = PNG_CAPTION_PT.name * PNG_SCALE;
  const skuPx = PNG_CAPTION_PT.sku * PNG_SCALE;
  const budget = drawing.measure('M'.repeat(LABEL_NAME_MAX_CHARS), CAPTION_FONT, namePx, namePx).width;
  const sku = captionLine(drawing, caption.sku, skuPx);
  // A sku is never cut (people type it in): a long one is set smaller, down to the name's
  // size, and past that the label grows wider.
  const fittedPx = Math.max(namePx, Math.floor((skuPx * budget) / sku.width));
  const fittedSku = sku.width <= budget ? sku : captionLine(drawing, caption.sku, fittedPx);
  return [fittedSku, captionLine(drawing, caption.name, namePx)];
}

/**
 * bwip-js's PNG drawing with the caption under the barcode. bwip-js calls init() with the
 * barcode's size and then adds the padding from the options it handed to setopts(); we grow
 * that padding there to make room for the text (centring the barcode), and draw the text in
 * end(), just before the PNG is encoded. Coordinates given to text() are relative to the
 * barcode's top left corner, like bwip-js's own.
 */
function captionedPngDrawing(caption: LabelCaption): DrawingContext<Promise<Buffer>> {
  const png = bwipjs.drawingZlibPng();
  let options: RenderOptions | undefined;
  let draws: Array<() => void> = [];
  return {
    ...png,
    setopts(opts) {
      options = opts;
      png.setopts?.(opts);
    },
    init(width, height) {
      if (!options) throw new Error('bwip-js called init() before setopts()');
      draws = makeRoomForCaption(png, options, { width, height }, captionLines(png, caption));
      png.init(width, height);
    },
    end() {
      for (const draw of draws) draw();
      return png.end();
    },
  };
}

/** Grows the padding for the caption; returns the calls that draw it once the image exists. */
function makeRoomForCaption(
  png: DrawingContext<unknown>,
  options: RenderOptions,
  barcode: { width: number; height: number },
  lines: CaptionLine[],
): Array<() => void> {
  const left = options.paddingleft ?? 0;
  const right = options.paddingright ?? 0;
  const bottom = options.paddingbottom ?? 0;
  const margin = PNG_CAPTION_PT.margin * PNG_SCALE;
  const gap = PNG_CAPTION_PT.lineGap * PNG_SCALE;
  const barcodeWidth = left + barcode.width + right;
  const width = Math.max(barcodeWidth, ...lines.map((line) => Math.ceil(line.width) + 2 * margin));
  const extraLeft = Math.floor((width - barcodeWidth) / 2);
  const barcodeLeft = left + extraLeft;
  options.paddingleft = barcodeLeft;
  options.paddingright = right + (width - barcodeWidth - extraLeft);

  let top = barcode.height + bottom + gap;
  const draws = lines.map((line) => {
    const x = Math.round((width - line.width) / 2) - barcodeLeft;
    const baseline = top + line.ascent;
    top += line.height + gap;
    const font = { name: CAPTION_FONT, width: line.px, height: line.px, dx: 0 };
    return () => png.text(x, baseline, line.text, '000000', font);
  });
  options.paddingbottom = top - barcode.height + margin - gap;
  return draws;
}

export async function pngLabel(spec: BarcodeSpec, caption: LabelCaption): Promise<Uint8Array<ArrayBuffer>> {
  await loadCaptionFont();
  const drawing = captionedPngDrawing(caption);
  const png = await withBwipErrors(spec, () => bwipjs.render(bwipOptions(spec, PNG_SCALE), drawing));
  return Uint8Array.from(png);
}
