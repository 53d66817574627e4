/**
 * `bun run verify:invariants` as an operator runs it, against a stack of its own (its database
 * is the whole database the script checks): it passes on a consistent database with orders and
 * transfers in flight and a room fed by the jobs runner; it fails, naming the level, once the
 * ledger, a hold or a room is made wrong behind the system's back.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { runCommand } from '../test/harness/command.ts';
import { type EdgeStack, startEdgeStack } from '../test/harness/edge.ts';
import { feedRoom } from '../test/harness/room-feed.ts';
import { receive, type StockWorld, stockWorld } from '../test/harness/stock.ts';

let stack: EdgeStack;
let w: StockWorld;
let wh: string;
let code: string;
let orderId: string;

const verify = (...args: string[]) =>
  runCommand(['bun', 'scripts/verify-invariants.ts', ...args], {
    env: {
      DATABASE_URL: stack.database.url,
      EDGE_URL: stack.url,
      EDGE_INTERNAL_SECRET: stack.internalSecret,
    },
  });

const internal = (path: string, body?: unknown) =>
  fetch(`${stack.url}/internal/warehouses/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${stack.internalSecret}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  stack = await startEdgeStack({ name: 'verify', jobs: true });
  w = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 2, skus: 3 });
  const [first, second] = w.warehouses;
  if (!first || !second) throw new Error('two warehouses');
  [wh, code] = [first.id, first.code];
  for (const sku of w.skus) await receive(w, wh, sku, 10);
  expect((await internal(`${wh}/resync`, {})).status).toBe(200);
  const order = await w.api.post('/api/orders', { lines: [{ sku: w.skus[0], qty: 3 }], warehouseId: wh });
  expect(order.status, await order.clone().text()).toBe(201);
  orderId = ((await order.json()) as { id: string }).id;
  const transfer = await w.api.post('/api/transfers', {
    fromWarehouseId: wh,
    toWarehouseId: second.id,
    lines: [{ sku: w.skus[1], qty: 2 }],
  });
  expect(transfer.status, await transfer.clone().text()).toBe(201);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

test('passes on a consistent database, its rooms included', async () => {
  const run = await verify();
  expect(run.code, run.stderr + run.stdout).toBe(0);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('checking every warehouse room');
  expect(run.stderr).toContain('Every invariant holds.');
}, 60_000);

test('names a room that differs from Postgres, and leaves it as it was', async () => {
  const sku = w.skus[2] ?? '';
  const snapshot = async () =>
    ((await (await internal(`${wh}/snapshot`)).json()) as { levels: { sku: string; version: number }[] })
      .levels;
  const version = (await snapshot()).find((l) => l.sku === sku)?.version ?? 0;
  await feedRoom(stack, wh, [{ sku, onHand: 99, reserved: 0, version: version + 5 }]);
  const run = await verify('--settle', '1');
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toContain(`VIOLATED room: warehouse ${wh} sku ${sku}: room has on_hand 99`);
  expect(run.stdout).toContain('Postgres on_hand 10');
  expect((await snapshot()).find((l) => l.sku === sku)?.version).toBe(version + 5);
  // The nightly job repairs it; then the check passes again.
  const repaired = await internal(`${wh}/reconcile`, {
    levels: [{ sku, onHand: 10, reserved: 0, version }],
    force: true,
  });
  expect(repaired.status).toBe(200);
  const again = await verify('--settle', '1');
  expect(again.code, again.stdout + again.stderr).toBe(0);
}, 60_000);

test('names the level whose on hand is not its ledger, and the hold no order needs', async () => {
  const [onHandSku, heldSku] = [w.skus[1] ?? '', w.skus[0] ?? ''];
  const db = stack.database.db.$client;
  await db.query(
    'update inventory.stock_levels set on_hand = on_hand + 5 where warehouse_id = $1 and sku = $2',
    [wh, onHandSku],
  );
  await db.query(
    `update inventory.reservations set qty = qty + 1 where holder_id = $1 and warehouse_id = $2 and sku = $3`,
    [orderId, wh, heldSku],
  );
  // The level's reserved kept in step with the hold, so only the hold itself is wrong there.
  await db.query(
    'update inventory.stock_levels set reserved = reserved + 1 where warehouse_id = $1 and sku = $2',
    [wh, heldSku],
  );
  const run = await verify('--settle', '0');
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toContain(
    `VIOLATED stock level: warehouse ${code} (${wh}) sku ${onHandSku}: on_hand 15 <> ledger sum 10`,
  );
  expect(run.stdout).toContain(
    `VIOLATED holds: order ${orderId} at warehouse ${code} (${wh}) sku ${heldSku}: needs 3, holds 4`,
  );
  expect(run.stderr).toMatch(/\d+ invariant violation\(s\)\./);
}, 60_000);
