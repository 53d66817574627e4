import { describe, expect, test } from 'bun:test';
import { checkSkuLines, wholeNumber } from './quantity-lines';

describe('typed sku lines (transfers, counts)', () => {
  test('empty rows are skipped; a count may be 0, a transfer line may not', () => {
    const rows = [
      { sku: 'A', qty: '0' },
      { sku: '', qty: '' },
      { sku: 'B', qty: '3' },
    ];
    expect(checkSkuLines(rows, { min: 0 })).toEqual({
      lines: [
        { sku: 'A', qty: 0 },
        { sku: 'B', qty: 3 },
      ],
      errors: {},
    });
    expect(checkSkuLines(rows, { min: 1 }).errors).toEqual({ 'lines.0.qty': 'Enter 1 or more.' });
  });

  test('a missing or repeated sku and a missing quantity are named', () => {
    const rows = [
      { sku: 'A', qty: '1' },
      { sku: 'a', qty: '2' },
      { sku: '', qty: '4' },
      { sku: 'C', qty: '' },
    ];
    expect(checkSkuLines(rows, { min: 1 }).errors).toEqual({
      'lines.1.sku': 'a is already on another line.',
      'lines.2.sku': 'Enter a sku.',
      'lines.3.qty': 'Enter a number.',
    });
    expect(checkSkuLines([], { min: 1 }).errors).toEqual({ lines: 'Add at least one line.' });
  });

  test('whole numbers with bounds', () => {
    expect(wholeNumber('12', { min: 1 })).toEqual({ value: 12 });
    expect(wholeNumber('2000001', { min: 1, max: 1_000_000 })).toEqual({ error: 'At most 1000000.' });
  });
});
