/** One tick's body: the waiting rows grouped by room, each room's in the order they were read. */
import { expect, test } from 'bun:test';
import { tickOf } from './room-feed.ts';

test('a tick groups the waiting changes by room, keeping their order, and leaves the seq behind', () => {
  const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
  const row = (seq: number, warehouseId: string, sku: string, version: number) => ({
    seq: String(seq),
    warehouseId,
    sku,
    onHand: version,
    reserved: 0,
    version,
    fromVersion: version - 1,
  });
  expect(tickOf([row(1, a, 'X', 2), row(2, b, 'X', 5), row(3, a, 'Y', 3), row(4, a, 'X', 3)])).toEqual([
    {
      warehouseId: a,
      levels: [
        { sku: 'X', onHand: 2, reserved: 0, version: 2, fromVersion: 1 },
        { sku: 'Y', onHand: 3, reserved: 0, version: 3, fromVersion: 2 },
        { sku: 'X', onHand: 3, reserved: 0, version: 3, fromVersion: 2 },
      ],
    },
    { warehouseId: b, levels: [{ sku: 'X', onHand: 5, reserved: 0, version: 5, fromVersion: 4 }] },
  ]);
  expect(tickOf([])).toEqual([]);
});
