/**
 * The order model's plain rules: which statuses are live, which may ship, the state machine,
 * and allocation arithmetic. Every order path (and the hold sweep's SQL) uses these.
 */
import { describe, expect, test } from 'bun:test';
import { ConflictError } from '../platform/problem.ts';
import {
  assertShippable,
  assertTransition,
  isLive,
  liveStatuses,
  mergeAllocations,
  orderStatuses,
  warehousesOf,
} from './order-model.ts';

describe('order model', () => {
  test('live orders are the ones that still want their stock', () => {
    expect([...liveStatuses].sort()).toEqual(['backordered', 'confirmed', 'partially_shipped', 'pending']);
    expect(orderStatuses.filter((s) => !isLive(s))).toEqual(['shipped', 'delivered', 'cancelled']);
  });

  test('confirmed, partially shipped and backordered orders may ship; others are a 409 naming the transition', () => {
    for (const status of ['confirmed', 'partially_shipped', 'backordered'] as const)
      expect(() => assertShippable(status)).not.toThrow();
    for (const status of ['pending', 'shipped', 'delivered', 'cancelled'] as const) {
      const err = (() => {
        try {
          assertShippable(status);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).extensions).toMatchObject({
        currentStatus: status,
        attempted: 'shipped',
      });
    }
  });

  test('only partially_shipped may stay what it is', () => {
    expect(() => assertTransition('partially_shipped', 'partially_shipped')).not.toThrow();
    expect(() => assertTransition('confirmed', 'confirmed')).toThrow(ConflictError);
    expect(() => assertTransition('shipped', 'delivered')).not.toThrow();
    expect(() => assertTransition('delivered', 'cancelled')).toThrow(ConflictError);
  });

  test('merging allocations adds up the same warehouse and sku, and starts new ones unshipped', () => {
    const current = [{ sku: 'A', warehouseId: 'w1', qty: 2, shipped: 1 }];
    const merged = mergeAllocations(current, [
      { sku: 'A', warehouseId: 'w1', qty: 3 },
      { sku: 'A', warehouseId: 'w2', qty: 1 },
    ]);
    expect(merged).toEqual([
      { sku: 'A', warehouseId: 'w1', qty: 5, shipped: 1 },
      { sku: 'A', warehouseId: 'w2', qty: 1, shipped: 0 },
    ]);
    expect(current[0]?.qty).toBe(2);
  });

  test('an order touches the warehouse it named first, then those it is allocated in, once each', () => {
    const allocations = [
      { sku: 'A', warehouseId: 'w2', qty: 1, shipped: 0 },
      { sku: 'B', warehouseId: 'w1', qty: 1, shipped: 0 },
    ];
    expect(warehousesOf(allocations, 'w1')).toEqual(['w1', 'w2']);
    expect(warehousesOf(allocations, null)).toEqual(['w2', 'w1']);
  });
});
