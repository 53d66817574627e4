/**
 * Orders in one process, inventory in another: orders reach stock only through inventory's API,
 * here over HTTP (POST /internal/inventory/:method with the shared secret).
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { serveCore } from '../../test/harness/core.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/database.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { checkInvariants, receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { createHttpInventoryClient } from '../inventory/client.ts';
import type { OrderView } from './schemas.ts';

const secret = `s-${crypto.randomUUID()}-${crypto.randomUUID()}`;
let database: TestDatabase;
let inventoryCore: ReturnType<typeof serveCore>;
let ordersCore: ReturnType<typeof serveCore>;
let w: StockWorld;

beforeAll(async () => {
  database = await createTestDatabase('remote');
  inventoryCore = serveCore({
    db: database.db,
    services: ['identity', 'catalog', 'inventory'],
    internalSecret: secret,
  });
  ordersCore = serveCore({
    db: database.db,
    services: ['identity', 'orders'],
    inventory: createHttpInventoryClient(inventoryCore.url, secret),
  });
  w = await stockWorld({ url: inventoryCore.url, db: database.db }, { warehouses: 1, skus: 1 });
  await receive(w, w.warehouses[0]!.id, w.skus[0]!, 5);
});

afterAll(async () => {
  await ordersCore.stop();
  await inventoryCore.stop();
  await database.drop();
});

const post = (url: string, body?: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { ...w.admin.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

test('an order placed in the orders process holds stock through inventory over HTTP', async () => {
  const [wh, sku] = [w.warehouses[0]!.id, w.skus[0]!];
  const res = await post(`${ordersCore.url}/api/orders`, { lines: [{ sku, qty: 2 }] });
  expect(res.status, await res.clone().text()).toBe(201);
  const order = (await res.json()) as OrderView;
  expect(order.allocations).toEqual([{ sku, warehouseId: wh, qty: 2, shipped: 0 }]);
  await expectProblem(
    await post(`${ordersCore.url}/api/orders`, { lines: [{ sku, qty: 4 }] }),
    409,
    'out-of-stock',
  );
  const shipped = await post(`${ordersCore.url}/api/orders/${order.id}/ship`, { lines: [{ sku, qty: 1 }] });
  expect(((await shipped.json()) as OrderView).status).toBe('partially_shipped');
  const cancelled = await post(`${ordersCore.url}/api/orders/${order.id}/cancel`);
  expect(cancelled.status).toBe(409);
  const rows = await checkInvariants(database.db, [wh]);
  expect(rows.find((r) => r.sku === sku)).toMatchObject({ on_hand: 4, reserved: 1 });
});

test('the internal endpoint wants the secret, knows its methods, and is not in the public document', async () => {
  const call = (method: string, auth?: string) =>
    fetch(`${inventoryCore.url}/internal/inventory/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: JSON.stringify([100]),
    });
  await expectProblem(await call('expiredHolders'), 401);
  await expectProblem(await call('expiredHolders', `${secret}x`), 401);
  expect((await call('expiredHolders', secret)).status).toBe(200);
  await expectProblem(await call('dropAllTables', secret), 404);
  const doc = (await (await fetch(`${inventoryCore.url}/openapi.json`)).json()) as {
    paths: Record<string, unknown>;
  };
  expect(Object.keys(doc.paths).some((p) => p.startsWith('/internal'))).toBe(false);
});
