/**
 * The invariant checker under concurrency: many clients at once placing, changing, cancelling
 * and (partially) shipping orders, adjusting, counting and transferring stock over a few skus
 * and warehouses, some of them hanging up before the answer. Afterwards, for every level:
 * on_hand = sum of its ledger, reserved = sum of its holds = what live orders and transfers
 * still hold, 0 <= reserved <= on_hand; every acknowledged order exists; no 5xx; and the rooms'
 * feed holds every step of every level, in a chain of versions with no gap and no repeat.
 */
import { beforeAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import type { OrderView } from '../core/orders/schemas.ts';
import { holdViolations } from '../db/invariants.ts';
import { expireHoldsTask } from '../jobs/tasks/order-upkeep.ts';
import { useCore } from './harness/core.ts';
import { eventually } from './harness/http.ts';
import { checkInvariants, receive, type StockWorld, stockWorld } from './harness/stock.ts';
import { runTask } from './harness/task.ts';

const core = useCore();
let w: StockWorld;
let ids: string[];

const CLIENTS = 16;
const OPS_PER_CLIENT = 40;

beforeAll(async () => {
  w = await stockWorld({ url: core().url, db: core().database.db }, { warehouses: 3, skus: 3 });
  ids = w.warehouses.map((x) => x.id);
  for (const wh of ids) for (const sku of w.skus) await receive(w, wh, sku, 15);
});

/**
 * What the audit log and the hold ledger say of the orders a violation names, so a failure that
 * does not come back is still explained: every change to the order, and every hold movement.
 */
async function orderHistory(violations: { detail: string }[]): Promise<string> {
  const orderIds = [...new Set(violations.flatMap((v) => /order ([0-9a-f-]{36})/.exec(v.detail)?.[1] ?? []))];
  if (orderIds.length === 0) return '';
  const db = core().database.db;
  const { rows: changes } = await db.execute(sql`
    select at, action, request_id, changes from audit.entries
     where entity_type = 'order' and entity_id = any(${sql.param(orderIds)}::text[]) order by id`);
  const { rows: holds } = await db.execute(sql`
    select * from inventory.reservations where holder_type = 'order' and holder_id = any(${sql.param(orderIds)}::uuid[])`);
  const { rows: now } = await db.execute(sql`
    select id, status, version, allocations, pending_shipment from orders.orders
     where id = any(${sql.param(orderIds)}::uuid[])`);
  // A shipment consumed in inventory but never applied to the order would show here.
  const { rows: moved } = await db.execute(sql`
    select reference_id, warehouse_id, sku, type, qty, created_at from inventory.movements
     where reference_type = 'order' and reference_id = any(${sql.param(orderIds)}::text[]) order by id`);
  return `\norders now: ${JSON.stringify(now)}\norder changes: ${JSON.stringify(changes)}\nholds now: ${JSON.stringify(holds)}\nstock moved for them: ${JSON.stringify(moved)}`;
}

/** A tiny seeded generator, so a failing run can be replayed from its printed seed (STOCK_SEED=<seed>). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('no oversell, no lost update, no lost order, no 5xx', async () => {
  const seed = Number(process.env.STOCK_SEED ?? Date.now() % 100000);
  const statuses = new Map<number, number>();
  const acknowledged = new Set<string>();
  const orders: string[] = [];
  const transfers: string[] = [];
  const fivexx: string[] = [];

  const call = async (method: string, path: string, body: unknown, drop: boolean) => {
    const controller = new AbortController();
    if (drop) setTimeout(() => controller.abort(), Math.random() * 5);
    try {
      const res = await fetch(`${core().url}${path}`, {
        method,
        headers:
          body === undefined ? w.admin.headers : { ...w.admin.headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      if (res.status >= 500) fivexx.push(`${method} ${path}: ${text}`);
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch (err) {
      if ((err as Error).name === 'AbortError') return { status: 0, body: null };
      throw err;
    }
  };

  const client = async (n: number) => {
    const rand = rng(seed + n);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const qty = () => 1 + Math.floor(rand() * 4);
    // Half the time one of the newest orders, so requests often meet on the same order.
    const someOrder = () => pick(rand() < 0.5 ? orders.slice(-4) : orders);
    for (let i = 0; i < OPS_PER_CLIENT; i++) {
      const drop = rand() < 0.1;
      const r = rand();
      if (r < 0.35) {
        const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
          sku: pick(w.skus),
          qty: qty(),
        }));
        const body = {
          lines,
          ...(rand() < 0.4 ? { warehouseId: pick(ids) } : {}),
          allowPartial: rand() < 0.2,
          allowBackorder: rand() < 0.1,
        };
        const res = await call('POST', '/api/orders', body, drop);
        if (res.status === 201) {
          acknowledged.add((res.body as OrderView).id);
          orders.push((res.body as OrderView).id);
        }
      } else if (r < 0.45 && orders.length > 0) {
        await call('POST', `/api/orders/${someOrder()}/cancel`, undefined, drop);
      } else if (r < 0.57 && orders.length > 0) {
        const id = someOrder();
        await call(
          'POST',
          `/api/orders/${id}/ship`,
          rand() < 0.5 ? undefined : { lines: [{ sku: pick(w.skus), qty: 1 }] },
          drop,
        );
      } else if (r < 0.62 && orders.length > 0) {
        await call(
          'PATCH',
          `/api/orders/${someOrder()}`,
          { lines: [{ sku: pick(w.skus), qty: qty() }] },
          drop,
        );
      } else if (r < 0.75) {
        const delta = rand() < 0.5 ? qty() : -qty();
        await call(
          'POST',
          '/api/inventory/adjustments',
          { warehouseId: pick(ids), sku: pick(w.skus), delta, reason: delta > 0 ? 'found' : 'damaged' },
          drop,
        );
      } else if (r < 0.8) {
        await call(
          'POST',
          '/api/inventory/counts',
          { warehouseId: pick(ids), lines: [{ sku: pick(w.skus), counted: Math.floor(rand() * 20) }] },
          drop,
        );
      } else if (r < 0.9) {
        const [from, to] = [pick(ids), pick(ids)];
        if (from === to) continue;
        const res = await call(
          'POST',
          '/api/transfers',
          { fromWarehouseId: from, toWarehouseId: to, lines: [{ sku: pick(w.skus), qty: qty() }] },
          drop,
        );
        if (res.status === 201) transfers.push((res.body as { id: string }).id);
      } else if (transfers.length > 0) {
        const step = pick(['ship', 'receive', 'cancel']);
        await call(
          'POST',
          `/api/transfers/${pick(transfers)}/${step}`,
          step === 'receive' ? {} : undefined,
          drop,
        );
      }
    }
  };

  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  // Requests whose callers hung up still run to the end on the server: wait for the last.
  await eventually(async () => (core().inFlight() === 0 ? true : undefined));

  const summary = Object.fromEntries(statuses);
  console.log(
    `stock concurrency (seed ${seed}): statuses ${JSON.stringify(summary)}, ${acknowledged.size} orders`,
  );
  expect(fivexx, `seed ${seed}: ${JSON.stringify(summary)}`).toEqual([]);
  expect(statuses.get(201) ?? 0).toBeGreaterThan(CLIENTS * 3);

  const db = core().database.db;
  await checkInvariants(db, ids);

  const { rows: found } = await db.execute<{ id: string }>(
    sql`select id from orders.orders where id = any(${sql.param([...acknowledged])}::uuid[])`,
  );
  expect(found.length, 'every acknowledged order exists').toBe(acknowledged.size);

  // What inventory holds is exactly what live orders and requested transfers still need.
  const holds = await holdViolations(db.$client, { warehouseIds: ids });
  expect(
    holds.violations,
    `holds match live orders and transfers${await orderHistory(holds.violations)}`,
  ).toEqual([]);
  // Past their expiry, the sweep keeps every hold of a committed order and releases the rest.
  await db.execute(
    sql`update inventory.reservations set expires_at = now() - interval '1 second' where expires_at is not null`,
  );
  await runTask(expireHoldsTask, { db });
  const { rows: pending } = await db.execute(
    sql`select count(*)::int as n from inventory.reservations where expires_at is not null`,
  );
  expect(pending[0]!.n, 'no hold left waiting for the sweep').toBe(0);
  await checkInvariants(db, ids);
  await expectEveryStepInTheFeed(ids);
}, 120_000);

/**
 * No jobs runner here, so nothing has left inventory.level_feed: for each level, its rows sorted
 * by version must chain (each starts from the version the one before reached) up to the level's
 * version now, whatever order the concurrent transactions committed in.
 */
async function expectEveryStepInTheFeed(warehouseIds: string[]) {
  const { rows } = await core().database.db.execute<{
    warehouse_id: string;
    sku: string;
    steps: [number, number][];
    version: number;
  }>(sql`
    select s.warehouse_id, s.sku, s.version::int as version,
           json_agg(json_build_array(f.from_version, f.version) order by f.version) as steps
    from inventory.stock_levels s join inventory.level_feed f using (warehouse_id, sku)
    where s.warehouse_id = any(${sql.param(warehouseIds)}::uuid[])
    group by s.warehouse_id, s.sku, s.version`);
  expect(rows.length).toBe(warehouseIds.length * w.skus.length);
  const broken = rows.filter(({ steps, version }) => {
    const chained = steps.every(([from], i) => i === 0 || from === steps[i - 1]![1]);
    return !chained || steps.at(-1)![1] !== version || steps[0]![0] > 1;
  });
  expect(broken, 'levels whose feed misses or repeats a step').toEqual([]);
}
