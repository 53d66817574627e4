import { describe, expect, test } from 'bun:test';
import { type Order, orderSteps, pickList, shipmentLines, shippableBySku, statusLabel } from './order-steps';

const order = (over: Partial<Order> = {}): Order => ({
  id: 'o1',
  status: 'confirmed',
  warehouseId: null,
  lines: [
    {
      sku: 'A',
      qty: 5,
      requestedQty: 5,
      unitPrice: { amount: 100, currency: 'EUR' },
      allocated: 5,
      backordered: 0,
      shipped: 1,
    },
    {
      sku: 'B',
      qty: 2,
      requestedQty: 2,
      unitPrice: { amount: 100, currency: 'EUR' },
      allocated: 2,
      backordered: 0,
      shipped: 0,
    },
  ],
  allocations: [
    { sku: 'A', warehouseId: 'w1', qty: 3, shipped: 1 },
    { sku: 'A', warehouseId: 'w2', qty: 2, shipped: 0 },
    { sku: 'B', warehouseId: 'w1', qty: 2, shipped: 0 },
  ],
  allowPartial: false,
  allowBackorder: false,
  externalRef: null,
  channel: null,
  customer: null,
  reservationExpiresAt: null,
  cancelReason: null,
  ownerKind: 'user',
  ownerId: 'u',
  version: 1,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  ...over,
});
const everything = () => true;
const partner = (action: string) => ['orders:read', 'orders:update', 'orders:create'].includes(action);

describe('ship quantities', () => {
  test('what is allocated and unshipped, summed over warehouses', () => {
    expect(shippableBySku(order())).toEqual(
      new Map([
        ['A', 4],
        ['B', 2],
      ]),
    );
  });

  test('typed quantities become the ship request; empty and 0 leave a line out', () => {
    expect(shipmentLines(order(), ['3', ''])).toEqual({ lines: [{ sku: 'A', qty: 3 }], errors: {} });
    expect(shipmentLines(order(), ['0', ' 2 '])).toEqual({ lines: [{ sku: 'B', qty: 2 }], errors: {} });
  });

  test('more than allocated, a fraction or a negative is named beside its line', () => {
    expect(shipmentLines(order(), ['5', '1']).errors).toEqual({
      'lines.0.qty': 'Only 4 allocated and not shipped.',
    });
    expect(shipmentLines(order(), ['1.5', '-1']).errors).toEqual({
      'lines.0.qty': 'Enter a whole number.',
      'lines.1.qty': 'Enter 0 or more.',
    });
  });

  test('nothing to ship is one message for the form', () => {
    expect(shipmentLines(order(), ['', '0'])).toEqual({
      lines: [],
      errors: { lines: 'Enter a quantity to ship.' },
    });
  });
});

describe('the steps offered', () => {
  test('a confirmed order ships and cancels for staff; a partner may only cancel', () => {
    expect(orderSteps(order(), everything)).toEqual({
      confirm: false,
      ship: true,
      cancel: true,
      deliver: false,
    });
    expect(orderSteps(order(), partner)).toEqual({
      confirm: false,
      ship: false,
      cancel: true,
      deliver: false,
    });
  });

  test('pending confirms; shipped delivers; partially shipped no longer cancels', () => {
    expect(orderSteps(order({ status: 'pending' }), everything).confirm).toBe(true);
    expect(orderSteps(order({ status: 'shipped' }), everything)).toEqual({
      confirm: false,
      ship: false,
      cancel: false,
      deliver: true,
    });
    expect(orderSteps(order({ status: 'partially_shipped' }), everything).cancel).toBe(false);
  });

  test('a backordered order with nothing allocated offers no shipment', () => {
    const waiting = order({
      status: 'backordered',
      allocations: [{ sku: 'A', warehouseId: 'w1', qty: 1, shipped: 1 }],
    });
    expect(orderSteps(waiting, everything).ship).toBe(false);
  });
});

test('the pick list: unshipped units per warehouse, by sku', () => {
  expect(pickList(order())).toEqual([
    {
      warehouseId: 'w1',
      lines: [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 2 },
      ],
    },
    { warehouseId: 'w2', lines: [{ sku: 'A', qty: 2 }] },
  ]);
});

test('status labels read as words', () => {
  expect(statusLabel('partially_shipped')).toBe('Partially shipped');
});
