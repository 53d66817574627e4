import { describe, expect, test } from 'bun:test';
import { planAllocation, sumBySku } from './allocator.ts';

const stock = (rows: [string, string, number][]) =>
  rows.map(([warehouseId, sku, available]) => ({ warehouseId, sku, available }));

describe('planAllocation', () => {
  test('one warehouse when any can serve the whole order: the one with most of it', () => {
    const plan = planAllocation(
      [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 1 },
      ],
      stock([
        ['small', 'A', 2],
        ['small', 'B', 1],
        ['big', 'A', 50],
        ['big', 'B', 9],
        ['partial', 'A', 100],
      ]),
    );
    expect(plan.short).toEqual([]);
    expect(plan.allocations).toEqual([
      { sku: 'A', warehouseId: 'big', qty: 2 },
      { sku: 'B', warehouseId: 'big', qty: 1 },
    ]);
  });

  test('fewest splits: the warehouse covering most units first, then the rest', () => {
    const plan = planAllocation(
      [
        { sku: 'A', qty: 5 },
        { sku: 'B', qty: 5 },
        { sku: 'C', qty: 1 },
      ],
      stock([
        ['x', 'A', 5],
        ['x', 'B', 5],
        ['y', 'C', 1],
        ['z', 'A', 1],
        ['z', 'C', 1],
      ]),
    );
    expect(plan.short).toEqual([]);
    const used = new Set(plan.allocations.map((a) => a.warehouseId));
    expect(used.size).toBe(2);
    expect(used.has('x')).toBe(true);
  });

  test('a line larger than any warehouse splits; what nobody has is short', () => {
    const plan = planAllocation(
      [{ sku: 'A', qty: 10 }],
      stock([
        ['x', 'A', 6],
        ['y', 'A', 3],
        ['z', 'A', 0],
      ]),
    );
    expect(plan.allocations).toEqual([
      { sku: 'A', warehouseId: 'x', qty: 6 },
      { sku: 'A', warehouseId: 'y', qty: 3 },
    ]);
    expect(plan.short).toEqual([{ sku: 'A', qty: 1 }]);
  });

  test('ties go to the lower id, so plans are deterministic', () => {
    const plan = planAllocation(
      [{ sku: 'A', qty: 1 }],
      stock([
        ['b', 'A', 5],
        ['a', 'A', 5],
      ]),
    );
    expect(plan.allocations[0]!.warehouseId).toBe('a');
  });

  test('sumBySku adds up lines of one sku, so they are checked together', () => {
    expect(
      sumBySku([
        { sku: 'A', qty: 1 },
        { sku: 'B', qty: 2 },
        { sku: 'A', qty: 3 },
      ]),
    ).toEqual([
      { sku: 'A', qty: 4 },
      { sku: 'B', qty: 2 },
    ]);
  });
});
