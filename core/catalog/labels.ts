/**
 * Product labels: a barcode with the sku and the product name printed under it, as SVG or PNG,
 * one at a time or as printable A4 sheets. By format: label-svg.ts, label-png.ts and
 * label-sheet.ts, over what they share in label-barcode.ts (what the barcode encodes, quiet
 * zones, the caption rules).
 *
 * bwip-js images are transparent and end at the outermost bar; scanners need a quiet zone on
 * a light background, so every barcode gets a white background and padding.
 */
import {
  barcodeSpec,
  type LabelFormat,
  type LabelProduct,
  type LabelSymbology,
  labelCaption,
  type RenderedLabel,
} from './label-barcode.ts';
import { pngLabel } from './label-png.ts';
import { svgLabel } from './label-svg.ts';

export {
  LABEL_NAME_MAX_CHARS,
  type LabelFormat,
  type LabelProduct,
  type LabelSymbology,
  type RenderedLabel,
} from './label-barcode.ts';
export { LABEL_SHEET, renderLabelSheet } from './label-sheet.ts';

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
