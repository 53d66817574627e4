import { describe, expect, test } from 'bun:test';
import { addScanned, setQty } from './scan-lines';

const hammer = { sku: 'HAM-16OZ', name: 'Hammer', barcode: '6414893012340' };
const saw = { sku: 'SAW-1', name: 'Saw', barcode: null };

describe('scan lines', () => {
  test('each scan adds one: a new product on top, a known one counted up', () => {
    let lines = addScanned([], hammer);
    lines = addScanned(lines, saw);
    lines = addScanned(lines, hammer);
    expect(lines).toEqual([
      { sku: 'SAW-1', name: 'Saw', qty: 1 },
      { sku: 'HAM-16OZ', name: 'Hammer', qty: 2 },
    ]);
  });

  test('a typed number replaces the count; anything but a whole number from 0 leaves it', () => {
    const lines = addScanned([], hammer);
    expect(setQty(lines, 'HAM-16OZ', 7)[0]?.qty).toBe(7);
    expect(setQty(lines, 'HAM-16OZ', 0)[0]?.qty).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN]) expect(setQty(lines, 'HAM-16OZ', bad)[0]?.qty).toBe(1);
  });
});
