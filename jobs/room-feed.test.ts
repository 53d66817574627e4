/**
 * The feeder's tick (the waiting rows grouped by room), and its pacing against a real Postgres:
 * the edge here only records the ticks it is sent (the rooms' side has its own tests through
 * workerd: edge/edge-recovery.test.ts, edge/warehouse-room.test.ts).
 */
import { afterAll, expect, test } from 'bun:test';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { captureLogger } from '../test/harness/logs.ts';
import type { EdgeClient } from './edge-client.ts';
import { type RoomFeed, startRoomFeed, tickOf } from './room-feed.ts';

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
      events: [],
    },
    {
      warehouseId: b,
      levels: [{ sku: 'X', onHand: 5, reserved: 0, version: 5, fromVersion: 4 }],
      events: [],
    },
  ]);
  expect(tickOf([])).toEqual([]);
});

test("a tick carries each room's events after its levels, in order, and rooms with events alone", () => {
  const [a, c] = [crypto.randomUUID(), crypto.randomUUID()];
  const event = (seq: number, warehouseId: string, id: string) => ({
    seq: String(seq),
    warehouseId,
    event: { id, type: 'order.created', occurredAt: '2026-12-02T00:00:00.000Z', data: { id } },
  });
  const level = { seq: '9', warehouseId: a, sku: 'X', onHand: 1, reserved: 0, version: 1, fromVersion: 0 };
  const rooms = tickOf([level], [event(1, c, 'e1'), event(2, a, 'e2'), event(3, c, 'e3')]);
  expect(rooms.map((r) => [r.warehouseId, r.levels?.length, r.events?.map((e) => e.id)])).toEqual([
    [a, 1, ['e2']],
    [c, 0, ['e1', 'e3']],
  ]);
});

let feed: RoomFeed | undefined;
afterAll(async () => {
  await feed?.stop();
});
const database = useTestDatabase('room_feed');

// Spaced 6 s apart: the three changes after the first commit well within that, however loaded the machine.
test('changes that commit while a tick is spaced out go in the next tick together', async () => {
  const ticks: string[][] = [];
  const feedRooms: EdgeClient['feedRooms'] = async (rooms) => {
    ticks.push(rooms.flatMap((r) => (r.levels ?? []).map((l) => l.sku)));
    return {
      rooms: rooms.map((r) => ({
        warehouseId: r.warehouseId,
        applied: r.levels?.length ?? 0,
        stale: 0,
        held: 0,
      })),
    };
  };
  const edge = { feedRooms } as EdgeClient; // the feeder calls nothing else
  const { pool } = database();
  const warehouseId = crypto.randomUUID();
  let version = 0;
  // As inventory.publish_stock_changes writes a change: its row, then the notification.
  const change = async (sku: string) => {
    version++;
    await pool.query(
      `insert into inventory.level_feed (warehouse_id, sku, on_hand, reserved, version, from_version)
       values ($1, $2, $3::int, 0, $3::int, $3::int - 1)`,
      [warehouseId, sku, version],
    );
    await pool.query(`select pg_notify('inventory_level_feed', '')`);
  };
  feed = startRoomFeed({ databaseUrl: database().url, edge, log: captureLogger().log, tickSpacingMs: 6000 });
  await eventually(async () => (feed?.leading() ? true : undefined));
  await change('A');
  await eventually(async () => (ticks.length === 1 ? true : undefined));
  for (const sku of ['B', 'C', 'D']) await change(sku);
  await eventually(async () => (ticks.flat().length === 4 ? true : undefined), 20_000);
  expect(ticks).toEqual([['A'], ['B', 'C', 'D']]);
  await eventually(async () => {
    const { rows } = await pool.query('select count(*)::int as n from inventory.level_feed');
    return rows[0].n === 0 ? true : undefined;
  });
}, 30_000);
