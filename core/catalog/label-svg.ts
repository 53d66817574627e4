/**
 * Labels as SVG: bwip-js draws the barcode as its own <svg>, which is nested in an outer <svg> next
 * to plain <text> elements (monospace, XML-escaped). Vector all the way, so it prints sharp.
 */
import bwipjs from 'bwip-js/node';
import {
  type BarcodeSpec,
  bwipOptions,
  escapeXml,
  LABEL_NAME_MAX_CHARS,
  type LabelCaption,
  MM_PER_UNIT,
  withBwipErrors,
} from './label-barcode.ts';

/** Monospace, so a character budget is a width budget whichever of these fonts the printer has. */
export const SVG_FONT_FAMILY =
  "Inconsolata, 'DejaVu Sans Mono', 'Liberation Mono', Menlo, Consolas, monospace";
/** Advance of one monospace character, in em; 0.6 is the widest of the fonts above. */
const MONOSPACE_ADVANCE_EM = 0.6;

/** The caption in points for a single label: sku a little larger than the name. */
const SVG_CAPTION_PT = { sku: 11, name: 9, lineGap: 2, margin: 6 };

export interface SvgBarcode {
  /** bwip-js's <svg> markup, with its viewBox and no size of its own. */
  markup: string;
  width: number;
  height: number;
}

export function barcodeSvg(spec: BarcodeSpec, barHeightMm?: number): SvgBarcode {
  const markup = withBwipErrors(spec, () => bwipjs.toSVG(bwipOptions(spec, 1, barHeightMm)));
  const viewBox = /^<svg viewBox="0 0 ([\d.]+) ([\d.]+)"[^>]*>/.exec(markup);
  if (!viewBox) throw new Error('bwip-js returned an SVG without the expected viewBox');
  return { markup, width: Number(viewBox[1]), height: Number(viewBox[2]) };
}

/** The barcode as a nested <svg> filling (and centred in) the given box, in the parent's units. */
export function placedBarcode(
  barcode: SvgBarcode,
  box: { x: number; y: number; width: number; height: number },
) {
  return barcode.markup.replace(
    /^<svg /,
    `<svg x="${svgNumber(box.x)}" y="${svgNumber(box.y)}" width="${svgNumber(box.width)}" height="${svgNumber(box.height)}" shape-rendering="crispEdges" `,
  );
}

/** A number for SVG output: at most 3 decimals, no trailing zeros. */
export function svgNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** A font size at which the text fits the width, never larger than the preferred size. */
export function fittingFontSize(text: string, preferred: number, maxWidth: number): number {
  const width = Array.from(text).length * MONOSPACE_ADVANCE_EM * preferred;
  return width <= maxWidth ? preferred : maxWidth / (Array.from(text).length * MONOSPACE_ADVANCE_EM);
}

export function svgText(text: string, x: number, baseline: number, size: number): string {
  return `<text x="${svgNumber(x)}" y="${svgNumber(baseline)}" font-size="${svgNumber(size)}" text-anchor="middle">${escapeXml(text)}</text>`;
}

export function svgLabel(spec: BarcodeSpec, caption: LabelCaption): string {
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
