import { describe, expect, test } from 'bun:test';
import {
  barcodeName,
  changedNames,
  EVERY_BARCODE,
  MAX_NAMED_SKUS,
  mergeCatalogChanges,
  productsChanged,
  skuName,
} from './catalog-changes.ts';

describe('catalog changes', () => {
  test('pending changes merge into one naming every sku and barcode once', () => {
    const merged = mergeCatalogChanges([
      productsChanged([{ sku: 'A-1', barcode: '4006381333931' }], false),
      productsChanged([{ sku: 'B-2', barcode: null }], true),
      productsChanged([{ sku: 'A-1', barcode: '4006381333931' }], false),
    ]);
    expect(merged).toEqual({
      scope: 'products',
      skus: ['A-1', 'B-2'],
      barcodes: ['4006381333931'],
      barcodeMoved: true,
    });
    if (merged.scope !== 'products') throw new Error('expected products');
    expect(changedNames(merged)).toEqual([
      skuName('a-1'),
      skuName('B-2'),
      barcodeName('4006381333931'),
      EVERY_BARCODE,
    ]);
  });

  test('a full purge, or more skus than a purge names, is everything', () => {
    expect(
      mergeCatalogChanges([productsChanged([{ sku: 'A', barcode: null }], false), { scope: 'all' }]),
    ).toEqual({
      scope: 'all',
    });
    const many = Array.from({ length: MAX_NAMED_SKUS + 1 }, (_, i) => ({ sku: `S${i}`, barcode: null }));
    expect(
      mergeCatalogChanges([
        productsChanged(many.slice(0, 600), false),
        productsChanged(many.slice(600), false),
      ]),
    ).toEqual({
      scope: 'all',
    });
  });
});
