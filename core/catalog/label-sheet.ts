/** Printable A4 sheets of labels: 3 x 8 per page, as one SVG in mm. */
import { type FieldError, ValidationError } from '../platform/problem.ts';
import {
  type BarcodeSpec,
  barcodeSpec,
  type LabelProduct,
  type LabelSymbology,
  labelCaption,
  MM_PER_UNIT,
} from './label-barcode.ts';
import {
  barcodeSvg,
  fittingFontSize,
  placedBarcode,
  SVG_FONT_FAMILY,
  type SvgBarcode,
  svgNumber,
  svgText,
} from './label-svg.ts';

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
