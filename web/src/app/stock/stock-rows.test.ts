import { describe, expect, test } from 'bun:test';
import type { RoomSnapshotMessage, RoomStockMessage } from '@varastokkr/client';
import { FrameBatcher } from './frame-batcher';
import {
  emptyTable,
  filterRows,
  isBelowReorder,
  mergeStockMessages,
  type StockRow,
  tableFromSnapshot,
  withReorderInfo,
} from './stock-rows';

const level = (sku: string, onHand: number, version: number, reserved = 0) => ({
  sku,
  onHand,
  reserved,
  available: onHand - reserved,
  version,
});
const snapshot = (...levels: ReturnType<typeof level>[]): RoomSnapshotMessage => ({
  type: 'snapshot',
  warehouseId: 'w',
  version: 10,
  levels,
});
const stock = (sku: string, onHand: number, version: number, reserved = 0): RoomStockMessage => ({
  type: 'stock',
  warehouseId: 'w',
  seq: version,
  ...level(sku, onHand, version, reserved),
});
const skus = (rows: readonly StockRow[]) => rows.map((r) => r.sku);

describe('stock rows', () => {
  test('a snapshot becomes rows sorted by sku, indexed by sku', () => {
    const table = tableFromSnapshot(snapshot(level('B', 2, 1), level('A', 1, 1), level('C', 3, 1)));
    expect(skus(table.rows)).toEqual(['A', 'B', 'C']);
    expect(table.index.get('C')).toBe(2);
  });

  test('stock messages replace their rows in place; an older version never overwrites a newer one', () => {
    const table = tableFromSnapshot(snapshot(level('A', 1, 5), level('B', 2, 5)));
    const { table: after, changed } = mergeStockMessages(table, [stock('A', 9, 6, 2), stock('B', 0, 4)]);
    expect(after.rows[0]).toMatchObject({ sku: 'A', onHand: 9, reserved: 2, available: 7, version: 6 });
    expect(after.rows[1]).toMatchObject({ sku: 'B', onHand: 2, version: 5 });
    expect([...changed]).toEqual(['A']);
    expect(table.rows[0]?.onHand).toBe(1); // the old table is not mutated (signals see a new one)
  });

  test('a burst for one sku within a frame keeps only its newest level; new skus are inserted in order', () => {
    const table = tableFromSnapshot(snapshot(level('B', 2, 1), level('D', 4, 1)));
    const { table: after, changed } = mergeStockMessages(table, [
      stock('C', 1, 2),
      stock('C', 3, 4),
      stock('C', 2, 3),
      stock('A', 5, 2),
      stock('D', 8, 2),
    ]);
    expect(skus(after.rows)).toEqual(['A', 'B', 'C', 'D']);
    expect(after.rows[2]).toMatchObject({ sku: 'C', onHand: 3, version: 4 });
    expect(after.index.get('D')).toBe(3);
    expect(after.rows[3]?.onHand).toBe(8);
    expect(changed).toEqual(new Set(['C', 'A', 'D']));
  });

  test('reorder points stay on their rows through snapshots and messages', () => {
    let table = tableFromSnapshot(snapshot(level('A', 1, 1), level('B', 20, 1)));
    table = withReorderInfo(table, [
      { sku: 'A', reorderPoint: 5, inTransit: 3 },
      { sku: 'Z', reorderPoint: 1, inTransit: 0 },
    ]);
    expect(table.rows[0]).toMatchObject({ reorderPoint: 5, inTransit: 3 });
    table = mergeStockMessages(table, [stock('A', 2, 2)]).table;
    expect(table.rows[0]).toMatchObject({ onHand: 2, reorderPoint: 5, inTransit: 3 });
    table = tableFromSnapshot(snapshot(level('A', 7, 3), level('B', 20, 1)), table);
    expect(table.rows[0]).toMatchObject({ onHand: 7, reorderPoint: 5 });
    expect(table.rows[1]).toMatchObject({ reorderPoint: null });
  });

  test('search and the below-reorder filter', () => {
    const table = withReorderInfo(
      tableFromSnapshot(snapshot(level('HAM-16OZ', 4, 1), level('saw-01', 50, 1), level('HAM-8OZ', 40, 1))),
      [
        { sku: 'HAM-16OZ', reorderPoint: 4, inTransit: 0 },
        { sku: 'HAM-8OZ', reorderPoint: 10, inTransit: 0 },
      ],
    );
    expect(skus(filterRows(table.rows, { search: ' ham', belowReorderOnly: false }))).toEqual([
      'HAM-16OZ',
      'HAM-8OZ',
    ]);
    expect(skus(filterRows(table.rows, { search: 'SAW', belowReorderOnly: false }))).toEqual(['saw-01']);
    expect(skus(filterRows(table.rows, { search: '', belowReorderOnly: true }))).toEqual(['HAM-16OZ']);
    expect(filterRows(table.rows, { search: '', belowReorderOnly: false })).toBe(table.rows);
    expect(isBelowReorder({ ...(table.rows[0] as StockRow), reorderPoint: null })).toBe(false);
  });

  test('an empty batch changes nothing', () => {
    expect(mergeStockMessages(emptyTable, []).table).toBe(emptyTable);
  });
});

describe('FrameBatcher', () => {
  test('hands over everything pushed before the frame, once', () => {
    const frames: (() => void)[] = [];
    const batches: number[][] = [];
    const batcher = new FrameBatcher<number>(
      (batch) => batches.push(batch),
      (run) => frames.push(run),
    );
    for (const n of [1, 2, 3]) batcher.push(n);
    expect(frames).toHaveLength(1);
    frames.shift()?.();
    batcher.push(4);
    frames.shift()?.();
    expect(batches).toEqual([[1, 2, 3], [4]]);
    batcher.push(5);
    batcher.stop();
    frames.shift()?.();
    expect(batches).toHaveLength(2);
  });
});
