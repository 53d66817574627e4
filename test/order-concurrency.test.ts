/**
 * One order changed by many requests at once: shipped, and its lines changed. Each ship records
 * its shipment on the order, consumes it in inventory, then applies it to the order; a request
 * that finds another's shipment recorded finishes that one first. A change that needs more stock
 * holds it before the order is saved, and the order's holds are settled after. Whatever the
 * interleaving, what inventory shipped for an order is what the order says it shipped, and its
 * holds are what it still needs.
 */
import { beforeAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { holdViolations } from '../db/invariants.ts';
import { useCore } from './harness/core.ts';
import { checkInvariants, receive, type StockWorld, stockWorld } from './harness/stock.ts';

const core = useCore();
let w: StockWorld;

const ROUNDS = 12;
const SHIPPERS = 8;

beforeAll(async () => {
  w = await stockWorld({ url: core().url, db: core().database.db }, { warehouses: 2, skus: 2 });
  for (const wh of w.warehouses) for (const sku of w.skus) await receive(w, wh.id, sku, ROUNDS * 6);
});

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${core().url}${path}`, {
    method,
    headers:
      body === undefined ? w.admin.headers : { ...w.admin.headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const post = (path: string, body?: unknown) => send('POST', path, body);

/** Sends until the answer is not "the order changed meanwhile" (a few times at most); its status. */
async function untilSettled(method: string, path: string, body: unknown, statuses: Map<number, number>) {
  for (let attempt = 0; attempt < 6; attempt++) {
    const res = await send(method, path, body);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const problem = (await res.json()) as { type?: string };
    if (res.status === 200 || !problem.type?.endsWith('/order-changed')) return res.status;
  }
}

const warehouseIds = () => w.warehouses.map((x) => x.id);

/** Per order: units inventory shipped for it (its shipment movements) and units it records shipped. */
async function shippedBothWays(orderIds: string[]) {
  const { rows } = await core().database.db.execute<{ id: string; moved: number; recorded: number }>(sql`
    select o.id,
           coalesce((select -sum(m.qty) from inventory.movements m
                      where m.reference_type = 'order' and m.reference_id = o.id::text
                        and m.type = 'shipment'), 0)::int as moved,
           (select coalesce(sum((a->>'shipped')::int), 0) from jsonb_array_elements(o.allocations) a)::int as recorded
      from orders.orders o where o.id = any(${sql.param(orderIds)}::uuid[])`);
  return rows;
}

test('concurrent ships of one order: inventory ships exactly what the order records, holds follow', async () => {
  const orderIds: string[] = [];
  const statuses = new Map<number, number>();
  for (let round = 0; round < ROUNDS; round++) {
    // Two skus over both warehouses, so shipments have several lines to interleave.
    const res = await post('/api/orders', {
      lines: w.skus.map((sku) => ({ sku, qty: 3 })),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    orderIds.push(id);
    // Partial ships of one unit and whole ships, all at once, so shipments keep overlapping
    // until nothing is left.
    await Promise.all(
      Array.from({ length: SHIPPERS }, async (_, i) => {
        const body = i % 3 === 2 ? undefined : { lines: [{ sku: w.skus[i % w.skus.length], qty: 1 }] };
        // A shipper refused because the order changed meanwhile tries again.
        for (let shipped = 0; shipped < 3; shipped++)
          if ((await untilSettled('POST', `/api/orders/${id}/ship`, body, statuses)) !== 200) return;
      }),
    );
  }
  // Refusals are 409s and 422s (changed meanwhile, nothing left to ship), never a 5xx.
  expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  expect(statuses.get(200) ?? 0, JSON.stringify(Object.fromEntries(statuses))).toBeGreaterThan(ROUNDS);

  const unequal = (await shippedBothWays(orderIds)).filter((r) => r.moved !== r.recorded);
  expect(unequal, 'orders whose shipped units differ from what inventory shipped for them').toEqual([]);
  const db = core().database.db;
  const { rows: recorded } = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from orders.orders
         where id = any(${sql.param(orderIds)}::uuid[]) and pending_shipment is not null`,
  );
  expect(recorded[0]?.n, 'no shipment left recorded and unfinished').toBe(0);
  expect(
    (await holdViolations(db.$client, { warehouseIds: w.warehouses.map((x) => x.id) })).violations,
  ).toEqual([]);
  await checkInvariants(
    db,
    w.warehouses.map((x) => x.id),
  );
}, 120_000);

test('concurrent line changes of one order: its holds are what it needs, whoever wins', async () => {
  const orderIds: string[] = [];
  const statuses = new Map<number, number>();
  for (let round = 0; round < ROUNDS; round++) {
    const res = await post('/api/orders', { lines: w.skus.map((sku) => ({ sku, qty: 2 })) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    orderIds.push(id);
    // Changes that grow the order (holding more first), shrink it, or move it to the other sku,
    // each tried again when another won meanwhile.
    await Promise.all(
      Array.from({ length: SHIPPERS }, async (_, i) => {
        const lines = [{ sku: w.skus[i % w.skus.length], qty: 1 + ((i * 7 + round) % 5) }];
        for (let change = 0; change < 2; change++)
          if ((await untilSettled('PATCH', `/api/orders/${id}`, { lines }, statuses)) !== 200) return;
      }),
    );
  }
  expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  expect(statuses.get(200) ?? 0, JSON.stringify(Object.fromEntries(statuses))).toBeGreaterThan(ROUNDS);
  const db = core().database.db;
  const { violations } = await holdViolations(db.$client, { warehouseIds: warehouseIds() });
  expect(violations).toEqual([]);
  await checkInvariants(db, warehouseIds());
}, 120_000);
