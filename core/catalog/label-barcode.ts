/**
 * What a label's barcode encodes (the bwip-js options, quiet zones, its refusals as 422s) and its
 * caption (sku and name as printable text): shared by the SVG, PNG and sheet renderers.
 */
import type { RenderOptions } from 'bwip-js/node';
import { ValidationError } from '../platform/problem.ts';
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

/** bwip-js draws in points (1/72 in): a linear module is 1 unit wide, a QR module 2 units. */
export const MM_PER_UNIT = 25.4 / 72;

/** Quiet zones in bwip-js units: 10 modules beside linear codes, 4 modules around QR codes. */
const QUIET_ZONE_UNITS: Record<LabelSymbology, { width: number; height: number }> = {
  code128: { width: 10, height: 4 },
  ean13: { width: 10, height: 4 },
  qrcode: { width: 8, height: 8 },
};

/** What a label's barcode carries, and which product field it came from (for error paths). */
export interface BarcodeSpec {
  symbology: LabelSymbology;
  value: string;
  field: 'barcode' | 'sku';
}

export function barcodeSpec(product: LabelProduct, symbology: LabelSymbology): BarcodeSpec {
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

export function bwipOptions(spec: BarcodeSpec, scale: number, barHeightMm = 15): RenderOptions {
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
export function withBwipErrors<T>(spec: BarcodeSpec, draw: () => T): T {
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

export interface LabelCaption {
  sku: string;
  name: string;
}

export function labelCaption(product: LabelProduct): LabelCaption {
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

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => XML_ENTITIES[ch] ?? ch);
}

const XML_ENTITIES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  '"': '&quot;',
  "'": '&apos;',
};
