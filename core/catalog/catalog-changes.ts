/**
 * What a catalog change tells the edge's cache (edge/catalog.ts): which cached reads it may have
 * made wrong. Core describes each committed change (the skus, the barcodes they carry, whether a
 * barcode moved); the jobs runner merges pending ones and passes them on; the edge turns them into
 * names in its change log (edge/catalog-generation.ts) and keys each cached read by the last change
 * of the names it depends on. No Node-only or Bun-only imports here: the edge bundles this file.
 */
import { type CatalogChange, MAX_NAMED_SKUS } from '../platform/room-contract.ts';
import { barcodeLookupKey } from './barcodes.ts';

export type { CatalogChange };
export { MAX_NAMED_SKUS };

/** The change for these products; `barcodeMoved` when a barcode may have been replaced. */
export function productsChanged(
  products: { sku: string; barcode: string | null }[],
  barcodeMoved: boolean,
): CatalogChange {
  if (products.length > MAX_NAMED_SKUS) return { scope: 'all' };
  return {
    scope: 'products',
    skus: products.map((p) => p.sku),
    barcodes: products.flatMap((p) => (p.barcode === null ? [] : [p.barcode])),
    barcodeMoved,
  };
}

/** Several pending changes as one (what a purge job carries once graphile-worker merged them). */
export function mergeCatalogChanges(changes: CatalogChange[]): CatalogChange {
  const skus = new Set<string>();
  const barcodes = new Set<string>();
  let barcodeMoved = false;
  for (const change of changes) {
    if (change.scope === 'all') return change;
    for (const sku of change.skus) skus.add(sku);
    for (const code of change.barcodes) barcodes.add(code);
    barcodeMoved ||= change.barcodeMoved;
  }
  if (skus.size > MAX_NAMED_SKUS || barcodes.size > MAX_NAMED_SKUS || skus.size === 0)
    return { scope: 'all' };
  return { scope: 'products', skus: [...skus], barcodes: [...barcodes], barcodeMoved };
}

/**
 * Names in the edge's change log. A product read depends on its sku; a barcode read on the
 * code's lookup key, on the sku equal to the code (a product without a barcode is found by the
 * sku on its label) and on EVERY_BARCODE.
 */
export const skuName = (sku: string) => `s:${sku.toLowerCase()}`;
export const barcodeName = (code: string) => `b:${barcodeLookupKey(code)}`;
export const EVERY_BARCODE = '*b';

export function changedNames(change: Extract<CatalogChange, { scope: 'products' }>): string[] {
  return [
    ...change.skus.map(skuName),
    ...change.barcodes.map(barcodeName),
    ...(change.barcodeMoved ? [EVERY_BARCODE] : []),
  ];
}
