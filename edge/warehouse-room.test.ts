/**
 * The warehouse room (a Durable Object in real workerd): versioned updates, where stale and
 * duplicated ones change nothing, and a resync from Postgres through the Neon driver.
 * Each test has a warehouse of its own: none relies on what another left behind.
 */
import { beforeAll, expect, test } from 'bun:test';
import { checkWarehouseRooms } from '../jobs/tasks/check-warehouse-rooms.ts';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import { eventually, expectProblem } from '../test/harness/http.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { feedRoom, roomResult } from '../test/harness/room-feed.ts';
import { receive, type StockWorld, stockWorld } from '../test/harness/stock.ts';
import { runTask } from '../test/harness/task.ts';
import type { RoomSnapshot } from './room-types.ts';

let edge: TestEdge;

beforeAll(async () => {
  edge = await testEdge();
}, 120_000);

/** A warehouse and two products of the test's own. */
const world = (): Promise<StockWorld> =>
  stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 1, skus: 2 });

const internal = (path: string, body?: unknown, secret = edge.internalSecret) =>
  fetch(`${edge.url}/internal/warehouses/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const snapshot = async (warehouseId: string) =>
  (await (await internal(`${warehouseId}/snapshot`)).json()) as RoomSnapshot;

test('updates apply by version: a duplicate or an older one changes nothing', async () => {
  const room = crypto.randomUUID();
  const level = (version: number, onHand: number) => ({ sku: 'A-1', onHand, reserved: 1, version });
  const first = await feedRoom(edge, room, [level(2, 20)]);
  expect(await roomResult(first)).toEqual({ applied: 1, stale: 0, held: 0 });
  const older = await feedRoom(edge, room, [level(1, 10)]);
  expect(await roomResult(older)).toEqual({ applied: 0, stale: 1, held: 0 });
  await feedRoom(edge, room, [level(3, 30)]);
  const again = await feedRoom(edge, room, [level(3, 99), level(2, 20)]);
  expect(await roomResult(again)).toEqual({ applied: 0, stale: 2, held: 0 });
  expect(await snapshot(room)).toEqual({
    warehouseId: room,
    version: 2, // the room's sequence: two updates applied
    levels: [{ sku: 'A-1', onHand: 30, reserved: 1, available: 29, version: 3 }],
  });
});

test('the feed wants the internal secret and well-formed levels', async () => {
  const room = crypto.randomUUID();
  await expectProblem(await feedRoom(edge, room, [], 'wrong-secret-wrong-secret-wrong-secret'), 401);
  const bad = await feedRoom(edge, room, [{ sku: 'A', onHand: -1, reserved: 0, version: 0 }]);
  const problem = await expectProblem(bad, 422);
  expect(problem.errors?.map((e) => e.path)).toEqual(['rooms.0.levels.0.onHand', 'rooms.0.levels.0.version']);
});

/**
 * Fills the room from Postgres with one level (7 received), then pushes it a newer made-up
 * level Postgres never had (onHand 100): a room that drifted.
 */
async function driftedRoom(w: StockWorld) {
  const [wh, sku] = [w.warehouses[0]!.id, w.skus[0]!];
  await receive(w, wh, sku, 7);
  const res = await internal(`${wh}/resync`, {});
  expect(res.status, await res.clone().text()).toBe(200);
  const filled = await snapshot(wh);
  expect(filled.levels).toEqual([expect.objectContaining({ sku, onHand: 7, reserved: 0, available: 7 })]);
  const newer = filled.levels[0]!.version + 5;
  await feedRoom(edge, wh, [{ sku, onHand: 100, reserved: 0, version: newer }]);
  return { wh, sku, newer };
}

test('resync fills the room from Postgres, and never goes back to an older version', async () => {
  // A newer update pushed before a resync read is not undone by the resync.
  const { wh, newer } = await driftedRoom(await world());
  await internal(`${wh}/resync`, {});
  expect((await snapshot(wh)).levels[0]).toMatchObject({ onHand: 100, version: newer });
});

/** An order of 3 out of 4 received, and its level as the jobs runner brought it to the room. */
async function changeThroughRunner(w: StockWorld) {
  const [wh, sku] = [w.warehouses[0]!.id, w.skus[1]!];
  await receive(w, wh, sku, 4);
  const res = await w.api.post('/api/orders', { lines: [{ sku, qty: 3 }], warehouseId: wh });
  expect(res.status, await res.clone().text()).toBe(201);
  const level = await eventually(async () => {
    const found = (await snapshot(wh)).levels.find((l) => l.sku === sku);
    return found?.reserved === 3 ? found : undefined;
  });
  return { wh, sku, level };
}

test('a committed change reaches its warehouse room through the jobs runner', async () => {
  const { wh, sku, level } = await changeThroughRunner(await world());
  expect(level).toMatchObject({ onHand: 4, reserved: 3, available: 1 });
  const { rows } = await edge.database.db.$client.query(
    'select version from inventory.stock_levels where warehouse_id = $1 and sku = $2',
    [wh, sku],
  );
  expect(level.version).toBe(Number(rows[0]!.version));
});

test('availability is answered by the rooms: after the first read, no database connection', async () => {
  // A room level that came through the jobs runner, so the room and Postgres agree.
  const w = await world();
  const { wh, sku } = await changeThroughRunner(w);
  const read = async () =>
    (await (
      await fetch(`${edge.url}/api/products/${sku}/availability`, { headers: w.admin.headers })
    ).json()) as {
      warehouses: { warehouseId: string; onHand: number; available: number }[];
      available: number;
    };
  await read();
  const before = edge.edgeDatabaseConnections();
  const answer = await read();
  expect(edge.edgeDatabaseConnections()).toBe(before);
  const { rows } = await edge.database.db.$client.query(
    'select on_hand, reserved from inventory.stock_levels where warehouse_id = $1 and sku = $2',
    [wh, sku],
  );
  const room = answer.warehouses.find((x) => x.warehouseId === wh);
  expect(room?.available).toBe(Number(rows[0]!.on_hand) - Number(rows[0]!.reserved));
});

test('the nightly check repairs a room that drifted from Postgres, and logs it; a second run repairs nothing', async () => {
  const { wh, sku } = await driftedRoom(await world());
  expect((await snapshot(wh)).levels.find((l) => l.sku === sku)?.onHand).toBe(100);
  const logs = captureLogger({ service: 'jobs' });
  const run = () =>
    runTask(checkWarehouseRooms, {
      db: edge.database.db,
      log: logs.log,
      edge: { url: edge.url, secret: edge.internalSecret },
    });
  await run();
  const repairs = logs.lines.filter((l) => l.msg === 'warehouse room drifted from Postgres; repaired');
  expect(JSON.stringify(repairs)).toContain(sku);
  const { rows } = await edge.database.db.$client.query(
    'select on_hand from inventory.stock_levels where warehouse_id = $1 and sku = $2',
    [wh, sku],
  );
  expect((await snapshot(wh)).levels.find((l) => l.sku === sku)?.onHand).toBe(Number(rows[0]!.on_hand));
  const before = repairs.length;
  await run();
  expect(logs.lines.filter((l) => l.msg === 'warehouse room drifted from Postgres; repaired').length).toBe(
    before,
  );
});
