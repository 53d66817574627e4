import { describe, expect, test } from 'bun:test';
import {
  actionsFor,
  draftsOf,
  outstanding,
  receiptLines,
  requestLines,
  statusLabel,
  toMajorUnits,
  toMinorUnits,
} from './purchase-order-lines';

const allowed =
  (...actions: string[]) =>
  (action: string) =>
    actions.includes(action);

describe('what a status allows', () => {
  test('a buyer edits, submits and cancels a draft; nobody receives it yet', () => {
    const buyer = allowed('purchase-orders:write', 'purchase-orders:receive');
    expect(actionsFor('draft', buyer)).toEqual({
      editLines: true,
      submit: true,
      cancel: true,
      receive: false,
      closeShort: false,
    });
    expect(actionsFor('submitted', buyer)).toEqual({
      editLines: false,
      submit: false,
      cancel: true,
      receive: true,
      closeShort: false,
    });
    expect(actionsFor('partially_received', buyer)).toMatchObject({
      receive: true,
      closeShort: true,
      cancel: false,
    });
    for (const done of ['received', 'closed', 'cancelled'] as const)
      expect(Object.values(actionsFor(done, buyer))).not.toContain(true);
  });

  test('a clerk only receives', () => {
    const clerk = allowed('purchase-orders:receive');
    expect(actionsFor('draft', clerk)).toMatchObject({ editLines: false, submit: false, cancel: false });
    expect(actionsFor('partially_received', clerk)).toEqual({
      editLines: false,
      submit: false,
      cancel: false,
      receive: true,
      closeShort: false,
    });
  });

  test('status labels say closed short', () => {
    expect(statusLabel('closed')).toBe('Closed short');
    expect(statusLabel('partially_received')).toBe('Partially received');
  });
});

describe('money in major units', () => {
  test('typed amounts become minor units; empty is the vendor price; nonsense is refused', () => {
    expect(toMinorUnits('4.2')).toBe(420);
    expect(toMinorUnits('4,25')).toBe(425);
    expect(toMinorUnits(' 12 ')).toBe(1200);
    expect(toMinorUnits('0.05')).toBe(5);
    expect(toMinorUnits('')).toBeNull();
    expect(toMinorUnits('4.255')).toBeUndefined();
    expect(toMinorUnits('-1')).toBeUndefined();
    expect(toMinorUnits('abc')).toBeUndefined();
  });

  test('minor units back to a field', () => {
    expect(toMajorUnits(420)).toBe('4.20');
    expect(toMajorUnits(null)).toBe('');
  });
});

describe('lines sent', () => {
  test('blank rows are dropped, costs converted, the vendor price left out', () => {
    const { lines, errors } = requestLines([
      { sku: ' A-1 ', qty: '5', unitCost: '4.20' },
      { sku: '', qty: '1', unitCost: '' },
      { sku: 'B-2', qty: '3', unitCost: '' },
    ]);
    expect(errors).toEqual({});
    expect(lines).toEqual([
      { sku: 'A-1', qty: 5, unitCost: 420 },
      { sku: 'B-2', qty: 3 },
    ]);
  });

  test('a unit cost that is not money is named by its line, counted without the blank rows', () => {
    const { errors } = requestLines([
      { sku: '', qty: '1', unitCost: '' },
      { sku: 'A', qty: '1', unitCost: '1' },
      { sku: 'B', qty: '1', unitCost: 'ten' },
    ]);
    expect(errors).toEqual({ 'lines.1.unitCost': 'Write the unit cost as a number, e.g. 4.20' });
  });

  test('a quantity left empty is sent for the API to name, not silently zero', () => {
    expect(Number.isNaN(requestLines([{ sku: 'A', qty: '', unitCost: '' }]).lines[0]?.qty)).toBe(true);
  });

  test('a draft becomes form rows and back unchanged', () => {
    const lines = [{ sku: 'A', qty: 4, received: 0, unitCost: 199 }];
    expect(requestLines(draftsOf(lines)).lines).toEqual([{ sku: 'A', qty: 4, unitCost: 199 }]);
  });
});

describe('receiving', () => {
  test('what is outstanding never goes below zero', () => {
    expect(outstanding({ sku: 'A', qty: 10, received: 4, unitCost: null })).toBe(6);
    expect(outstanding({ sku: 'A', qty: 10, received: 11, unitCost: null })).toBe(0);
  });

  test('a receipt carries only the lines with a quantity', () => {
    expect(receiptLines({ A: '4', B: '', C: '0', D: '2' })).toEqual([
      { sku: 'A', qty: 4 },
      { sku: 'D', qty: 2 },
    ]);
  });
});
