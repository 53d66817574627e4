/**
 * Product labels: a barcode with the sku and the product name printed under it, as SVG or PNG,
 * one at a time or as printable A4 sheets.
 *
 * How the text gets into each format:
 * - SVG: bwip-js draws the barcode as its own <svg>, which we nest in an outer <svg> next to
 *   plain <text> elements (monospace, XML-escaped). Vector all the way, so it prints sharp.
 * - PNG: bwip-js rasterises with its own pure-JS renderer and font engine. We wrap its PNG
 *   drawing context: when bwip-js reports the barcode's size we widen and heighten the canvas
 *   (through the padding it is about to apply), and before it encodes the PNG we draw the two
 *   caption lines with the same font engine, using the Inconsolata font that ships inside the
 *   bwip-js package (OFL; covers Latin-1 and most of Latin Extended-A, so Nordic names print).
 *   No native module, no system fonts, nothing downloaded: it runs wherever bwip-js runs.
 *   (Rasterising the SVG with resvg would need a native or wasm renderer in production.)
 *
 * bwip-js images are transparent and end at the outermost bar; scanners need a quiet zone on
 * a light background, so every barcode gets a white background and padding.
 *
 * Over 400 lines on purpose: SVG, PNG and sheets share the barcode spec, quiet zones and caption
 * rules (private here); split, those would become exports for one reader each. The sections
 * below read top to bottom: what is encoded, the caption, SVG, PNG, sheets, the API.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import bwipjs, { type DrawingContext, type RenderOptions } from 'bwip-js/node';
import { type FieldError, ValidationError } from '../platform/problem.ts';
import { asEan13 } from './barcodes.ts';

export type LabelFormat = 'svg' | 'png';
export type LabelSymbology = 'code128' | 'qrcode' | 'ean13';

export interface LabelProduct {
  sku: string;
  name: string;
  barcode: string | null;
}

export interface RenderedLabel {
  contentType: 'image/svg+xml' | 'image/png';
  /** PNG bytes on a plain ArrayBuffer (what fetch and Hono bodies take), or the SVG text. */
  body: Uint8Array<ArrayBuffer> | string;
}

/** Names longer than this are cut (at a word break when one is near) and end in "…". */
export const LABEL_NAME_MAX_CHARS = 32;

/**
 * The A4 sheet: 3 x 8 labels of 64 x 33.9 mm, the common 24-up self-adhesive layout.
 * Pages are stacked in one SVG, each exactly one A4 high, so printing at 100 % with no
 * margins puts every page on its own sheet of paper.
 */
export const LABEL_SHEET = {
  columns: 3,
  rows: 8,
  labelsPerPage: 24,
  maxPages: 10,
  maxLabels: 240,
  pageMm: { width: 210, height: 297 },
  labelMm: { width: 64, height: 33.9 },
  marginMm: { top: 12.9, left: 6.5 },
  columnGapMm: 2.5,
} as const;

// ---------------------------------------------------------------------------------------------
// What the barcode encodes

/** bwip-js draws in points (1/72 in): a linear module is 1 unit wide, a QR module 2 units. */
const MM_PER_UNIT = 25.4 / 72;

/** Quiet zones in bwip-js units: 10 modules beside linear codes, 4 modules around QR codes. */
const QUIET_ZONE_UNITS: Record<LabelSymbology, { width: number; height: number }> = {
  code128: { width: 10, height: 4 },
  ean13: { width: 10, height: 4 },
  qrcode: { width: 8, height: 8 },
};

/** What a label's barcode carries, and which product field it came from (for error paths). */
interface BarcodeSpec {
  symbology: LabelSymbology;
  value: string;
  field: 'barcode' | 'sku';
}

function barcodeSpec(product: LabelProduct, symbology: LabelSymbology): BarcodeSpec {
  const field = product.barcode === null ? 'sku' : 'barcode';
  if (symbology !== 'ean13') {
    const value = product.barcode ?? product.sku;
    if (value === '') throw new ValidationError([{ path: field, message: 'Nothing to encode: it is empty' }]);
    return { symbology, value, field };
  }
  const ean13 = product.barcode === null ? null : asEan13(product.barcode);
  if (ean13 === null) {
    throw new ValidationError([
      {
        path: 'symbology',
        message: 'This product has no EAN-13 or UPC-A barcode to print as EAN-13; use code128 or qrcode',
      },
    ]);
  }
  return { symbology, value: ean13, field: 'barcode' };
}

function bwipOptions(spec: BarcodeSpec, scale: number, barHeightMm = 15): RenderOptions {
  const quietZone = QUIET_ZONE_UNITS[spec.symbology];
  const options: RenderOptions = {
    bcid: spec.symbology,
    text: spec.value,
    scale,
    backgroundcolor: 'FFFFFF',
    paddingwidth: quietZone.width,
    paddingheight: quietZone.height,
  };
  if (spec.symbology === 'qrcode') return options;
  // EAN-13 carries its digits under the bars by convention; the guards reach into them.
  return { ...options, height: barHeightMm, includetext: spec.symbology === 'ean13' };
}

/** Runs bwip-js, turning its refusals of the data (bad check digit, too long) into a 422. */
function withBwipErrors<T>(spec: BarcodeSpec, draw: () => T): T {
  try {
    return draw();
  } catch (err) {
    throw asValidationError(spec, err);
  }
}

function asValidationError(spec: BarcodeSpec, err: unknown): unknown {
  const refusal = err instanceof Error ? /^bwipp\.\w+#\d+: (.*)$/.exec(err.message) : null;
  if (!refusal) return err;
  return new ValidationError([
    { path: spec.field, message: `Cannot be printed as ${spec.symbology}: ${refusal[1]}` },
  ]);
}

// ---------------------------------------------------------------------------------------------
// The caption: sku and name as printable text

interface LabelCaption {
  sku: string;
  name: string;
}

function labelCaption(product: LabelProduct): LabelCaption {
  return { sku: printableText(product.sku), name: shortenedName(printableText(product.name)) };
}

/** One line of text that is valid XML: no control characters or lone surrogates, single spaces. */
function printableText(text: string): string {
  return text
    .normalize('NFC')
    .replace(
      /\p{Cc}|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFE|\uFFFF/gu,
      ' ',
    )
    .replace(/\s+/g, ' ')
    .trim();
}

function shortenedName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= LABEL_NAME_MAX_CHARS) return name;
  const head = chars.slice(0, LABEL_NAME_MAX_CHARS - 1).join('');
  // Prefer ending on a whole word, unless that throws away too much of the name.
  const wordBreak = head.lastIndexOf(' ');
  const cut = wordBreak >= head.length * 0.6 ? head.slice(0, wordBreak) : head;
  return `${cut.replace(/[\s,;:.\-–—/]+$/, '')}…`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

const XML_ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};

// ---------------------------------------------------------------------------------------------
// SVG

/** Monospace, so a character budget is a width budget whichever of these fonts the printer has. */
const SVG_FONT_FAMILY = "Inconsolata, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace";
/** Advance of one monospace character, in em; 0.6 is the widest of the fonts above. */
const MONOSPACE_ADVANCE_EM = 0.6;

/** The caption in points for a single label: sku a little larger than the name. */
const SVG_CAPTION_PT = { sku: 11, name: 9, lineGap: 2, margin: 6 };

interface SvgBarcode {
  /** bwip-js's <svg> markup, with its viewBox and no size of its own. */
  markup: string;
  width: number;
  height: number;
}

function barcodeSvg(spec: BarcodeSpec, barHeightMm?: number): SvgBarcode {
  const markup = withBwipErrors(spec, () => bwipjs.toSVG(bwipOptions(spec, 1, barHeightMm)));
  const viewBox = /^<svg viewBox="0 0 ([\d.]+) ([\d.]+)"[^>]*>/.exec(markup);
  if (!viewBox) throw new Error('bwip-js returned an SVG without the expected viewBox');
  return { markup, width: Number(viewBox[1]), height: Number(viewBox[2]) };
}

/** The barcode as a nested <svg> filling (and centred in) the given box, in the parent's units. */
function placedBarcode(barcode: SvgBarcode, box: { x: number; y: number; width: number; height: number }) {
  return barcode.markup.replace(
    /^<svg /,
    `<svg x="${svgNumber(box.x)}" y="${svgNumber(box.y)}" width="${svgNumber(box.width)}" height="${svgNumber(box.height)}" shape-rendering="crispEdges" `,
  );
}

/** A number for SVG output: at most 3 decimals, no trailing zeros. */
function svgNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** A font size at which the text fits the width, never larger than the preferred size. */
function fittingFontSize(text: string, preferred: number, maxWidth: number): number {
  const width = Array.from(text).length * MONOSPACE_ADVANCE_EM * preferred;
  return width <= maxWidth ? preferred : maxWidth / (Array.from(text).length * MONOSPACE_ADVANCE_EM);
}

function svgText(text: string, x: number, baseline: number, size: number): string {
  return `<text x="${svgNumber(x)}" y="${svgNumber(baseline)}" font-size="${svgNumber(size)}" text-anchor="middle">${escapeXml(text)}</text>`;
}

function svgLabel(spec: BarcodeSpec, caption: LabelCaption): string {
  const barcode = barcodeSvg(spec);
  const { sku: skuPt, name: namePt, lineGap, margin } = SVG_CAPTION_PT;
  const textWidth = LABEL_NAME_MAX_CHARS * MONOSPACE_ADVANCE_EM * namePt;
  // A sku is never cut (people type it in): a long one is set smaller, down to the name's
  // size, and past that the label grows wider.
  const skuSize = Math.max(namePt, fittingFontSize(caption.sku, skuPt, textWidth));
  const skuWidth = Array.from(caption.sku).length * MONOSPACE_ADVANCE_EM * skuSize;
  const width = Math.max(barcode.width, Math.max(textWidth, skuWidth) + 2 * margin);
  const skuBaseline = barcode.height + skuPt * 0.8;
  const nameBaseline = skuBaseline + lineGap + namePt;
  const height = nameBaseline + namePt * 0.25 + margin;
  const barcodeBox = { x: (width - barcode.width) / 2, y: 0, width: barcode.width, height: barcode.height };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgNumber(width * MM_PER_UNIT)}mm" height="${svgNumber(height * MM_PER_UNIT)}mm" viewBox="0 0 ${svgNumber(width)} ${svgNumber(height)}">`,
    `<rect width="100%" height="100%" fill="#FFFFFF"/>`,
    placedBarcode(barcode, barcodeBox),
    `<g font-family="${SVG_FONT_FAMILY}" fill="#000000">`,
    svgText(caption.sku, width / 2, skuBaseline, skuSize),
    svgText(caption.name, width / 2, nameBaseline, namePt),
    '</g>',
    '</svg>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// PNG

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

async function pngLabel(spec: BarcodeSpec, caption: LabelCaption): Promise<Uint8Array<ArrayBuffer>> {
  await loadCaptionFont();
  const drawing = captionedPngDrawing(caption);
  const png = await withBwipErrors(spec, () => bwipjs.render(bwipOptions(spec, PNG_SCALE), drawing));
  return Uint8Array.from(png);
}

// ---------------------------------------------------------------------------------------------
// Sheets

/** Inside a sheet label, in mm: the barcode box and the two text lines under it. */
const SHEET_CELL = {
  padding: 2,
  top: 1.5,
  sku: { size: 3.2, baseline: 27.8 },
  name: { size: 2.8, baseline: 31.4 },
  barcodeBottom: 24.2,
} as const;

/** Linear barcodes grow to fill the width only up to this module size (EAN-13 at 150 %). */
const MAX_LINEAR_MODULE_MM = 0.5;

/**
 * A barcode shaped for a box: QR codes just scale, linear codes get their bar height chosen
 * so that at the module size that fits the width they also fill the height.
 */
function barcodeFitting(spec: BarcodeSpec, box: { width: number; height: number }): SvgBarcode {
  const trial = barcodeSvg(spec, 10);
  if (spec.symbology === 'qrcode') return trial;
  const moduleMm = Math.min(MAX_LINEAR_MODULE_MM, box.width / trial.width);
  const besidesBars = trial.height - 10 / MM_PER_UNIT;
  const barHeightMm = (box.height / moduleMm - besidesBars) * MM_PER_UNIT;
  return barcodeSvg(spec, Math.max(5, barHeightMm));
}

function sheetCell(product: LabelProduct, symbology: LabelSymbology, x: number, y: number): string {
  const spec = barcodeSpec(product, symbology);
  const caption = labelCaption(product);
  const { padding, top, sku, name, barcodeBottom } = SHEET_CELL;
  const inner = LABEL_SHEET.labelMm.width - 2 * padding;
  const box = { x: padding, y: top, width: inner, height: barcodeBottom - top };
  const centre = LABEL_SHEET.labelMm.width / 2;
  return [
    `<g transform="translate(${svgNumber(x)} ${svgNumber(y)})">`,
    placedBarcode(barcodeFitting(spec, box), box),
    svgText(caption.sku, centre, sku.baseline, fittingFontSize(caption.sku, sku.size, inner)),
    svgText(caption.name, centre, name.baseline, name.size),
    '</g>',
  ].join('\n');
}

/** Where label `index` goes, counting across rows, then down, then onto the next page. */
function cellOrigin(index: number): { x: number; y: number } {
  const { columns, labelsPerPage, pageMm, labelMm, marginMm, columnGapMm } = LABEL_SHEET;
  const page = Math.floor(index / labelsPerPage);
  const onPage = index % labelsPerPage;
  const column = onPage % columns;
  const row = Math.floor(onPage / columns);
  return {
    x: marginMm.left + column * (labelMm.width + columnGapMm),
    y: page * pageMm.height + marginMm.top + row * labelMm.height,
  };
}

function sheetSizeProblem(count: number): FieldError | null {
  if (count === 0) return { path: 'products', message: 'Choose at least one product' };
  if (count > LABEL_SHEET.maxLabels) {
    return {
      path: 'products',
      message: `At most ${LABEL_SHEET.maxLabels} labels (${LABEL_SHEET.maxPages} A4 pages) at a time; got ${count}`,
    };
  }
  return null;
}

/** A product's refusal as it reads in a sheet request: which product, and which field. */
function sheetFieldErrors(err: unknown, index: number, sku: string): FieldError[] {
  if (!(err instanceof ValidationError)) throw err;
  return err.errors.map((e) => ({
    path: e.path === 'symbology' ? 'symbology' : `products.${index}.${e.path}`,
    message: `${sku}: ${e.message}`,
  }));
}

// ---------------------------------------------------------------------------------------------
// The API

/** One label: the barcode plus the sku and the product name printed as text. */
export async function renderLabel(
  product: LabelProduct,
  opts: { format: LabelFormat; symbology: LabelSymbology },
): Promise<RenderedLabel> {
  const spec = barcodeSpec(product, opts.symbology);
  const caption = labelCaption(product);
  if (opts.format === 'svg') return { contentType: 'image/svg+xml', body: svgLabel(spec, caption) };
  return { contentType: 'image/png', body: await pngLabel(spec, caption) };
}

/**
 * A printable A4 sheet of labels (SVG sized in mm), 3 x 8 per page, up to
 * LABEL_SHEET.maxLabels (10 pages) in one SVG with the pages stacked top to bottom. Every
 * product is checked first; all refusals come back together in one ValidationError.
 */
export async function renderLabelSheet(
  products: LabelProduct[],
  opts: { symbology: LabelSymbology },
): Promise<string> {
  const sizeProblem = sheetSizeProblem(products.length);
  if (sizeProblem) throw new ValidationError([sizeProblem]);

  const cells: string[] = [];
  const problems: FieldError[] = [];
  products.forEach((product, index) => {
    const { x, y } = cellOrigin(index);
    try {
      cells.push(sheetCell(product, opts.symbology, x, y));
    } catch (err) {
      problems.push(...sheetFieldErrors(err, index, product.sku));
    }
  });
  if (problems.length > 0) throw new ValidationError(problems);

  const { pageMm, labelsPerPage } = LABEL_SHEET;
  const height = Math.ceil(products.length / labelsPerPage) * pageMm.height;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${pageMm.width}mm" height="${height}mm" viewBox="0 0 ${pageMm.width} ${height}">`,
    `<style>@page { size: A4; margin: 0 }</style>`,
    `<rect width="100%" height="100%" fill="#FFFFFF"/>`,
    `<g font-family="${SVG_FONT_FAMILY}" fill="#000000">`,
    ...cells,
    '</g>',
    '</svg>',
  ].join('\n');
}
