/**
 * The KPIs over real HTTP and Postgres, on a ledger seeded at chosen times: a worked example
 * with answers computed by hand (currencies apart), the rollup's idempotence, replays and a
 * movement that commits late, and the answers' validation and scope.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem, requestsAs } from '../../test/harness/http.ts';
import { at, seedCatalog, seedMoves, seedOrder } from '../../test/harness/ledger-seed.ts';
import { rollUpAnalytics } from './rollup.ts';

const core = useCore();
const as = requestsAs(() => core().url);
let admin: Actor;
const db = () => core().database.db;
const get = async (who: Actor, path: string) => {
  const res = await as.send(who, path);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, unknown>;
};
const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();

beforeAll(async () => {
  admin = await signedIn({ url: core().url, db: db() }, { roles: ['admin'] });
});

/**
 * The README's worked example, over 2025-01-01..2025-01-10 (10 days, UTC):
 * A (cost 2.00 EUR): 100 received 2024-12-20; 10 shipped a day on the 1st..8th at 5.00 EUR; 20 received the 5th.
 * B (cost 1.00 EUR): 50 received 2024-12-20; all 50 shipped the 3rd at noon at 3.00 EUR (on hand 0),
 *   30 received the 6th at midnight (a stockout of 2.5 days = 3600 minutes).
 * C (cost 0.50 USD): 10 received the 1st; 5 shipped the 2nd at 10.00 USD.
 */
async function workedExample() {
  const t = tag();
  const [A, B, C] = [`A-${t}`, `B-${t}`, `C-${t}`];
  const wh = await seedCatalog(db(), {
    code: `WX${t}`.slice(0, 10),
    products: [
      { sku: A, cost: { amount: 200, currency: 'EUR' } },
      { sku: B, cost: { amount: 100, currency: 'EUR' } },
      { sku: C, cost: { amount: 50, currency: 'USD' } },
    ],
  });
  const moves = [
    { sku: A, at: at('2024-12-20'), type: 'receipt' as const, qty: 100 },
    { sku: B, at: at('2024-12-20'), type: 'receipt' as const, qty: 50 },
    { sku: A, at: at('2025-01-05', '08:00'), type: 'receipt' as const, qty: 20 },
    { sku: B, at: at('2025-01-06', '00:00'), type: 'receipt' as const, qty: 30 },
    { sku: C, at: at('2025-01-01'), type: 'receipt' as const, qty: 10 },
  ].map((m) => ({ ...m, warehouseId: wh }));
  const shipments: typeof moves = [];
  for (let d = 1; d <= 8; d++) {
    const orderId = await seedOrder(db(), wh, [{ sku: A, qty: 10, price: { amount: 500, currency: 'EUR' } }]);
    shipments.push({
      warehouseId: wh,
      sku: A,
      at: at(`2025-01-0${d}`, '15:00'),
      type: 'shipment' as never,
      qty: -10,
      orderId,
    } as never);
  }
  const orderB = await seedOrder(db(), wh, [{ sku: B, qty: 50, price: { amount: 300, currency: 'EUR' } }]);
  const orderC = await seedOrder(db(), wh, [{ sku: C, qty: 5, price: { amount: 1000, currency: 'USD' } }]);
  await seedMoves(db(), [
    ...moves,
    ...shipments,
    { warehouseId: wh, sku: B, at: at('2025-01-03', '12:00'), type: 'shipment', qty: -50, orderId: orderB },
    { warehouseId: wh, sku: C, at: at('2025-01-02'), type: 'shipment', qty: -5, orderId: orderC },
  ]);
  return { wh, A, B, C };
}

const tables = async () => {
  const { rows } = await db().execute(sql`
    select (select json_agg(f order by warehouse_id, sku, day) from analytics.daily_facts f) as facts,
           (select json_agg(r order by warehouse_id, sku, day, currency) from analytics.daily_revenue r) as revenue,
           (select json_agg(s order by start_movement_id) from analytics.stockouts s) as stockouts`);
  return rows[0];
};

describe('the worked example', () => {
  test('summary: every figure as computed by hand, money per currency', async () => {
    const { wh } = await workedExample();
    await rollUpAnalytics(db());
    const s = await get(admin, `/api/analytics/summary?warehouseId=${wh}&from=2025-01-01&to=2025-01-10`);
    expect(s).toMatchObject({
      days: 10,
      unitsSold: 135,
      unitsReceived: 60,
      onHandStart: 150,
      onHandEnd: 75,
      revenue: [
        { currency: 'EUR', amount: 55_000 },
        { currency: 'USD', amount: 5_000 },
      ],
      costOfGoodsSold: [
        { currency: 'EUR', amount: 21_000 },
        { currency: 'USD', amount: 250 },
      ],
      inventoryValue: [
        { currency: 'EUR', amount: 11_000 },
        { currency: 'USD', amount: 250 },
      ],
      // 135 / ((150 + 75) / 2); 75 / (135 / 10); 135 / (150 + 60)
      turnover: 1.2,
      daysOfCover: 5.5556,
      sellThrough: 0.6429,
      stockouts: { count: 1, minutes: 3600, ongoing: 0 },
      lowStockCount: 0,
    });
  });

  test('sales per day and per week, empty buckets as zeros', async () => {
    const { wh } = await workedExample();
    await rollUpAnalytics(db());
    const days = await get(admin, `/api/analytics/sales?warehouseId=${wh}&from=2025-01-01&to=2025-01-10`);
    const points = days.points as { start: string; unitsSold: number; revenue: unknown[] }[];
    expect(points.map((p) => p.unitsSold)).toEqual([10, 15, 60, 10, 10, 10, 10, 10, 0, 0]);
    expect(points[2]?.revenue).toEqual([{ currency: 'EUR', amount: 5_000 + 15_000 }]);
    expect(points[1]?.revenue).toEqual([
      { currency: 'EUR', amount: 5_000 },
      { currency: 'USD', amount: 5_000 },
    ]);
    // 2025-01-01 is a Wednesday: the first week (from its Monday, Dec 30) holds the 1st..5th.
    const weeks = await get(
      admin,
      `/api/analytics/sales?warehouseId=${wh}&from=2025-01-01&to=2025-01-10&interval=week`,
    );
    expect(weeks.points).toEqual([
      { start: '2024-12-30', end: '2025-01-05', unitsSold: 105, revenue: expect.any(Array) },
      {
        start: '2025-01-06',
        end: '2025-01-10',
        unitsSold: 30,
        revenue: [{ currency: 'EUR', amount: 15_000 }],
      },
    ]);
  });
});

describe('the rollup', () => {
  test('a second run, and a replay from scratch, change nothing', async () => {
    await workedExample();
    await rollUpAnalytics(db());
    const first = await tables();
    expect((await rollUpAnalytics(db())).movements).toBe(0);
    expect(await tables()).toEqual(first);
    await db().execute(sql`update analytics.rollup_state set low_id = 0, high_id = 0, seen_count = 0`);
    await db().execute(sql`delete from analytics.rollup_marks`);
    expect((await rollUpAnalytics(db())).movements).toBeGreaterThan(0);
    expect(await tables()).toEqual(first);
  });

  test('a movement committed after a higher id was rolled up lands in its own day', async () => {
    const { wh, A } = await workedExample();
    await rollUpAnalytics(db());
    const late = await db().$client.connect();
    try {
      await late.query('begin');
      await late.query(
        `insert into inventory.movements (warehouse_id, sku, type, reason, qty, on_hand_after, level_version, created_at)
         values ($1, $2, 'receipt', 'seed', 7, 47, 100, '2025-01-09T10:00:00Z')`,
        [wh, A],
      );
      // A higher id commits and is rolled up while the first is still open.
      await seedMoves(db(), [
        { warehouseId: wh, sku: `other-${A}`, at: at('2025-01-09'), type: 'receipt', qty: 1 },
      ]);
      await rollUpAnalytics(db());
      await late.query('commit');
    } finally {
      late.release();
    }
    const result = await rollUpAnalytics(db());
    expect(result.lateCommits).toBe(true);
    const s = await get(admin, `/api/analytics/summary?warehouseId=${wh}&from=2025-01-09&to=2025-01-09`);
    expect(s.unitsReceived).toBe(7 + 1);
  });
});

describe('the query', () => {
  test('a backwards or too long window, or a bad interval, is a 422 naming the field', async () => {
    const from = await as.send(admin, '/api/analytics/summary?from=2025-02-01&to=2025-01-01');
    expect((await expectProblem(from, 422)).errors).toEqual([expect.objectContaining({ path: 'from' })]);
    const long = await as.send(admin, '/api/analytics/sales?from=2020-01-01&to=2025-01-01');
    expect((await expectProblem(long, 422)).errors).toEqual([expect.objectContaining({ path: 'to' })]);
    const interval = await as.send(admin, '/api/analytics/sales?interval=month');
    expect((await expectProblem(interval, 422)).errors).toEqual([
      expect.objectContaining({ path: 'interval' }),
    ]);
    const date = await as.send(admin, '/api/analytics/abc?from=yesterday');
    expect((await expectProblem(date, 422)).errors).toEqual([expect.objectContaining({ path: 'from' })]);
    const days = await as.send(admin, '/api/analytics/dead-stock?days=0');
    expect((await expectProblem(days, 422)).errors).toEqual([expect.objectContaining({ path: 'days' })]);
  });
});
