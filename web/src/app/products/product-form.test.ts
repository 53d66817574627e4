import { describe, expect, test } from 'bun:test';
import {
  changesFrom,
  conflicts,
  createBody,
  DraftError,
  draftFromProduct,
  emptyDraft,
  type Product,
} from './product-form';

const product: Product = {
  id: 'p1',
  sku: 'HAM-16OZ',
  name: 'Claw hammer',
  description: null,
  barcode: '6414893012340',
  category: 'tools',
  unit: 'each',
  price: { amount: 1299, currency: 'EUR' },
  cost: { amount: 640, currency: 'EUR' },
  attributes: { size: 'M' },
  archived: false,
  version: 3,
  createdAt: '2026-01-15T09:30:00.000Z',
  updatedAt: '2026-01-15T09:30:00.000Z',
};

describe('createBody', () => {
  test('prices typed in major units go as minor units; blanks are null', () => {
    const body = createBody({ ...emptyDraft(), sku: ' A-1 ', name: 'Thing', price: '12,5', cost: '3' }, true);
    expect(body).toEqual({
      sku: 'A-1',
      name: 'Thing',
      description: null,
      barcode: null,
      category: null,
      unit: 'each',
      price: { amount: 1250, currency: 'EUR' },
      cost: { amount: 300, currency: 'EUR' },
      attributes: {},
    });
  });

  test('cost is left out for someone who may not see costs', () => {
    expect(createBody({ ...emptyDraft(), sku: 'A', name: 'B', cost: '3' }, false)).not.toHaveProperty('cost');
  });

  test('a price or attributes the form cannot read name their field', () => {
    try {
      createBody({ ...emptyDraft(), sku: 'A', name: 'B', price: '12.999', attributes: '[1]' }, true);
      throw new Error('expected a DraftError');
    } catch (err) {
      expect(err).toBeInstanceOf(DraftError);
      expect(Object.keys((err as DraftError).fields).sort()).toEqual(['attributes', 'price.amount']);
    }
  });
});

describe('changesFrom', () => {
  test('only what the person changed', () => {
    const draft = { ...draftFromProduct(product), name: 'Claw hammer 16 oz', price: '13.50' };
    expect(changesFrom(product, draft, true)).toEqual({
      name: 'Claw hammer 16 oz',
      price: { amount: 1350, currency: 'EUR' },
    });
    expect(changesFrom(product, draftFromProduct(product), true)).toEqual({});
  });
});

describe('conflicts', () => {
  test("the fields changed elsewhere, with theirs and mine side by side; others' untouched fields are not listed", () => {
    const theirs = { ...product, name: 'Hammer (theirs)', category: 'hand tools', version: 4 };
    const mine = { ...draftFromProduct(product), name: 'Hammer (mine)' };
    expect(conflicts(product, theirs, mine)).toEqual([
      { field: 'name', label: 'Name', mine: 'Hammer (mine)', theirs: 'Hammer (theirs)', mineChanged: true },
      { field: 'category', label: 'Category', mine: 'tools', theirs: 'hand tools', mineChanged: false },
    ]);
    // Saving mine over theirs sends only what the person changed: their category stays.
    expect(changesFrom(product, mine, true)).toEqual({ name: 'Hammer (mine)' });
  });
});
