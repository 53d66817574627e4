/** One tick's body: the waiting rows and events grouped by room, each room's in the order they were read. */
import { expect, test } from 'bun:test';
import { tickOf } from './room-feed.ts';

test('a tick groups the waiting changes and events by room, keeping their order, and leaves the seq behind', () => {
  const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const row = (seq: number, warehouseId: string, sku: string, version: number) => ({
    seq: String(seq),
    warehouseId,
    sku,
    onHand: version,
    reserved: 0,
    version,
    fromVersion: version - 1,
  });
  const event = (seq: number, warehouseId: string, type: string) => ({
    seq: String(seq),
    warehouseId,
    event: { id: `e${seq}`, type, occurredAt: '2026-12-01T00:00:00.000Z', data: {} },
  });
  const levels = [row(1, a, 'X', 2), row(2, b, 'X', 5), row(3, a, 'Y', 3), row(4, a, 'X', 3)];
  const [created, elsewhere, cancelled] = [
    event(7, a, 'order.created'),
    event(8, c, 'order.created'),
    event(9, a, 'order.cancelled'),
  ];
  const events = [created, elsewhere, cancelled];
  expect(tickOf(levels, events)).toEqual([
    {
      warehouseId: a,
      levels: [
        { sku: 'X', onHand: 2, reserved: 0, version: 2, fromVersion: 1 },
        { sku: 'Y', onHand: 3, reserved: 0, version: 3, fromVersion: 2 },
        { sku: 'X', onHand: 3, reserved: 0, version: 3, fromVersion: 2 },
      ],
      events: [created.event, cancelled.event],
    },
    {
      warehouseId: b,
      levels: [{ sku: 'X', onHand: 5, reserved: 0, version: 5, fromVersion: 4 }],
      events: [],
    },
    // A room with events and no level change gets a part of its own.
    { warehouseId: c, levels: [], events: [elsewhere.event] },
  ]);
  expect(tickOf([], [])).toEqual([]);
});
