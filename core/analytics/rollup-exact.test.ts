/**
 * Every figure the analytics API answers, recomputed here from the raw ledger, the orders and
 * the catalog with SQL of the test's own (no rollup involved), over a seeded year of demand in
 * two warehouses of different timezones, prices and costs in two currencies. Half the year is
 * rolled up first; the rest is written while rollups run in a loop, then one more catches up.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { useCore } from '../../test/harness/core.ts';
import { requestsAs } from '../../test/harness/http.ts';
import {
  type SeedLine,
  type SeedMove,
  seedCatalog,
  seedMoves,
  seedOrders,
} from '../../test/harness/ledger-seed.ts';
import {
  abcClasses,
  coefficientOfVariation,
  daysBetween,
  daysOfCover,
  sellThrough,
  turnover,
  xyzClass,
} from './formulas.ts';
import { rollUpAnalytics } from './rollup.ts';

const core = useCore();
const as = requestsAs(() => core().url);
const db = () => core().database.db;
let admin: Actor;
let warehouses: string[] = [];
const skus = Array.from({ length: 12 }, (_, i) => `Y-${String(i).padStart(2, '0')}`);
const cost = (i: number) =>
  i === 11
    ? null
    : i >= 5 && i <= 8
      ? { amount: 40 + i, currency: 'USD' }
      : { amount: 30 + i, currency: 'EUR' };
const price = (i: number) =>
  i % 2 === 0 ? { amount: 100 + i * 10, currency: 'EUR' } : { amount: 200 + i * 5, currency: 'USD' };

/** Deterministic: the same year on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY = 86_400_000;
const start = Date.parse('2025-01-01T00:00:00Z');

/** Days [first, last) of the year in both warehouses: receipts, adjustments and each day's order shipments. */
async function seedDays(onHand: Map<string, number>, first: number, last: number, rnd: () => number) {
  for (const wh of warehouses) {
    const moves: SeedMove[] = [];
    const orders: SeedLine[][] = [];
    const orderMoves: SeedMove[][] = [];
    for (let d = first; d < last; d++) {
      const lines: SeedLine[] = [];
      const shipped: SeedMove[] = [];
      for (const [i, sku] of skus.entries()) {
        const key = `${wh}|${sku}`;
        // Any minute of the UTC day: local days differ from UTC ones near midnight.
        const times = [rnd(), rnd()]
          .sort()
          .map((f) => new Date(start + d * DAY + Math.floor(f * 1440) * 60_000));
        let level = onHand.get(key) ?? 0;
        if (level < 15 && rnd() < 0.35) {
          moves.push({ warehouseId: wh, sku, at: times[0] as Date, type: 'receipt', qty: 60 });
          level += 60;
        }
        const demand =
          i % 3 === 0
            ? 4 + Math.floor(rnd() * 3)
            : i % 3 === 1
              ? rnd() < 0.2
                ? 20
                : 0
              : d % 60 < 10
                ? 15
                : 1;
        const qty = Math.min(demand, level);
        if (qty > 0) {
          lines.push({ sku, qty, price: price(i) });
          shipped.push({ warehouseId: wh, sku, at: times[1] as Date, type: 'shipment', qty: -qty });
          level -= qty;
        }
        if (level > 0 && rnd() < 0.02) {
          moves.push({
            warehouseId: wh,
            sku,
            at: new Date((times[1] as Date).getTime() + 1000),
            type: 'adjustment',
            qty: -1,
          });
          level -= 1;
        }
        onHand.set(key, level);
      }
      if (lines.length > 0) {
        orders.push(lines);
        orderMoves.push(shipped);
      }
    }
    const ids = await seedOrders(db(), wh, orders);
    orderMoves.forEach((ms, n) => {
      for (const m of ms) moves.push({ ...m, orderId: ids[n] as string });
    });
    await seedMoves(db(), moves);
  }
}

beforeAll(async () => {
  admin = await signedIn({ url: core().url, db: db() }, { roles: ['admin'] });
  const products = skus.map((sku, i) => ({ sku, cost: cost(i) }));
  warehouses = [
    await seedCatalog(db(), { code: 'YHEL', timezone: 'Europe/Helsinki', products }),
    await seedCatalog(db(), { code: 'YNYC', timezone: 'America/New_York', products }),
  ];
  const rnd = random(19);
  const onHand = new Map<string, number>();
  await seedDays(onHand, 0, 180, rnd);
  await rollUpAnalytics(db(), { batch: 997 });
  // The rest of the year in 20-day slices, each committed while rollups keep running.
  let seeding = true;
  const rollups = (async () => {
    while (seeding) await rollUpAnalytics(db(), { settleSeconds: 0, batch: 997 });
  })();
  for (let d = 180; d < 365; d += 20) await seedDays(onHand, d, Math.min(d + 20, 365), rnd);
  seeding = false;
  await rollups;
  await rollUpAnalytics(db());
  await db().execute(
    sql`update inventory.stock_levels set reorder_point = 20 where sku in ('Y-00', 'Y-04', 'Y-07')`,
  );
}, 120_000);

const get = async (path: string) => {
  const res = await as.send(admin, path);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Record<string, unknown>;
};

type Row = Record<string, unknown>;
const query = async (text: string, values: unknown[]) =>
  (await db().$client.query(text, values)).rows as Row[];

/** The raw ledger of these warehouses with each movement's local day. */
const ledger = `with m as (
  select m.*, w.timezone as tz, (m.created_at at time zone w.timezone)::date as day
  from inventory.movements m join inventory.warehouses w on w.id = m.warehouse_id
  where m.warehouse_id = any($1::uuid[]))`;
/** Each shipment with the price of its order's first line for the sku. */
const priced = `${ledger}, p as (
  select m.*, (l.line->'unitPrice'->>'amount')::bigint as price, l.line->'unitPrice'->>'currency' as currency
  from m join orders.orders o on o.id::text = m.reference_id
  cross join lateral (select x as line from jsonb_array_elements(o.lines) x where x->>'sku' = m.sku limit 1) l
  where m.type = 'shipment' and m.reference_type = 'order')`;
const money = (rows: Row[]) => rows.map((r) => ({ currency: String(r.currency), amount: Number(r.amount) }));

async function expectedSummary(ids: string[], from: string, to: string) {
  const [units] = await query(
    `${ledger} select
       coalesce(-sum(qty) filter (where type = 'shipment' and day between $2 and $3), 0) as sold,
       coalesce(sum(qty) filter (where type in ('receipt', 'transfer_in') and day between $2 and $3), 0) as received,
       coalesce(sum(qty) filter (where day < $2), 0) as start_on_hand,
       coalesce(sum(qty) filter (where day <= $3), 0) as end_on_hand
     from m`,
    [ids, from, to],
  );
  const revenue = await query(
    `${priced} select currency, sum(-qty * price) as amount from p where day between $2 and $3 group by 1 order by 1`,
    [ids, from, to],
  );
  const cogs = await query(
    `${ledger} select c.cost_currency as currency, sum(-m.qty * c.cost_amount) as amount
     from m join catalog.products c on c.sku = m.sku
     where m.type = 'shipment' and m.day between $2 and $3 and c.cost_amount is not null group by 1 order by 1`,
    [ids, from, to],
  );
  const value = await query(
    `select c.cost_currency as currency, sum(s.on_hand * c.cost_amount) as amount
     from inventory.stock_levels s join catalog.products c on c.sku = s.sku
     where s.warehouse_id = any($1::uuid[]) and c.cost_amount is not null group by 1 order by 1`,
    [ids],
  );
  const [levels] = await query(
    `select sum(s.on_hand) as now, coalesce(sum(s.on_hand) filter (where c.cost_amount is null), 0) as unvalued,
       count(*) filter (where s.reorder_point is not null and s.on_hand - s.reserved <= s.reorder_point) as low
     from inventory.stock_levels s left join catalog.products c on c.sku = s.sku
     where s.warehouse_id = any($1::uuid[])`,
    [ids],
  );
  // Runs of on hand = 0 by window functions over each level's movements.
  const [stockouts] = await query(
    `${ledger}, seq as (
       select m.*, lag(on_hand_after) over (partition by warehouse_id, sku order by id) as prev,
         ($2::date::timestamp at time zone tz) as ws, (($3::date + 1)::timestamp at time zone tz) as we from m),
     runs as (
       select s.created_at as began, s.ws, s.we,
         (select min(n.created_at) from m n where n.warehouse_id = s.warehouse_id and n.sku = s.sku
            and n.id > s.id and n.on_hand_after > 0) as ended
       from seq s where s.on_hand_after = 0 and coalesce(s.prev, 1) > 0)
     select count(*) filter (where began >= ws and began < we) as count,
       coalesce(sum(extract(epoch from least(coalesce(ended, now()), we) - greatest(began, ws)))
         filter (where least(coalesce(ended, now()), we) > greatest(began, ws)), 0) / 60 as minutes,
       count(*) filter (where ended is null) as ongoing
     from runs`,
    [ids, from, to],
  );
  const sold = Number(units?.sold);
  const received = Number(units?.received);
  const startOnHand = Number(units?.start_on_hand);
  const endOnHand = Number(units?.end_on_hand);
  const days = daysBetween(from, to);
  return {
    from,
    to,
    days,
    unitsSold: sold,
    unitsReceived: received,
    revenue: money(revenue),
    costOfGoodsSold: money(cogs),
    inventoryValue: money(value),
    onHandStart: startOnHand,
    onHandEnd: endOnHand,
    onHandNow: Number(levels?.now),
    unvaluedOnHand: Number(levels?.unvalued),
    turnover: turnover(sold, startOnHand, endOnHand),
    daysOfCover: daysOfCover(endOnHand, sold, days),
    sellThrough: sellThrough(sold, startOnHand, received),
    stockouts: {
      count: Number(stockouts?.count),
      minutes: Math.round(Number(stockouts?.minutes) * 100) / 100,
      ongoing: Number(stockouts?.ongoing),
    },
    lowStockCount: Number(levels?.low),
  };
}

const windows = [
  ['2025-01-01', '2025-12-31'],
  ['2025-03-01', '2025-03-31'],
  ['2025-06-15', '2025-06-15'],
  ['2024-12-01', '2025-01-01'],
] as const;
const scopes = () => [[warehouses[0] as string], [warehouses[1] as string], warehouses];
const scopeParam = (ids: string[]) => (ids.length === 1 ? `&warehouseId=${ids[0]}` : '');

describe('recomputed from the raw ledger', () => {
  test('the ledger seeded is a year of real demand: stockouts, both currencies, late-night sales', async () => {
    const s = await expectedSummary(warehouses, '2025-01-01', '2025-12-31');
    expect(s.unitsSold).toBeGreaterThan(20_000);
    expect(s.stockouts.count).toBeGreaterThan(10);
    expect(s.revenue.map((r) => r.currency)).toEqual(['EUR', 'USD']);
    expect(s.lowStockCount).toBeGreaterThan(0);
  });

  test('summary: every figure, every window, each warehouse and both', async () => {
    for (const [from, to] of windows)
      for (const ids of scopes()) {
        const got = await get(`/api/analytics/summary?from=${from}&to=${to}${scopeParam(ids)}`);
        const { warehouseIds, ...figures } = got;
        expect(figures, `${from}..${to} in ${ids.length} warehouse(s)`).toEqual(
          await expectedSummary(ids, from, to),
        );
        expect([...(warehouseIds as string[])].sort()).toEqual([...ids].sort());
      }
  });

  test('sales per day and per week', async () => {
    for (const ids of scopes()) {
      const [from, to] = ['2025-02-01', '2025-04-30'];
      const rows = await query(
        `${priced}
         select day::text as day, sum(-qty) as units, currency, sum(-qty * price) as amount
         from p where day between $2 and $3 group by day, currency order by day, currency`,
        [ids, from, to],
      );
      const expected = new Map<
        string,
        { unitsSold: number; revenue: { currency: string; amount: number }[] }
      >();
      for (const r of rows) {
        const e = expected.get(String(r.day)) ?? { unitsSold: 0, revenue: [] };
        e.unitsSold += Number(r.units);
        e.revenue.push({ currency: String(r.currency), amount: Number(r.amount) });
        expected.set(String(r.day), e);
      }
      const got = await get(`/api/analytics/sales?from=${from}&to=${to}${scopeParam(ids)}`);
      const points = got.points as { start: string; unitsSold: number; revenue: unknown[] }[];
      expect(points).toHaveLength(daysBetween(from, to));
      for (const p of points)
        expect({ unitsSold: p.unitsSold, revenue: p.revenue }, p.start).toEqual(
          expected.get(p.start) ?? { unitsSold: 0, revenue: [] },
        );
      const weeks = await get(`/api/analytics/sales?from=${from}&to=${to}&interval=week${scopeParam(ids)}`);
      const weekly = (weeks.points as { unitsSold: number }[]).reduce((s, p) => s + p.unitsSold, 0);
      expect(weekly).toBe(points.reduce((s, p) => s + p.unitsSold, 0));
    }
  });

  test('ABC by value and XYZ by weekly demand', async () => {
    const [from, to] = ['2025-01-01', '2025-12-31'];
    const rows = await query(
      `${ledger}, weekly as (
         select sku, (day - $2::date) / 7 as period, -sum(qty) as units from m
         where type = 'shipment' and day between $2 and $3 group by 1, 2)
       select s.sku, coalesce(sum(w.units), 0) as sold, coalesce(sum(w.units::float8 * w.units), 0) as sumsq
       from (select distinct sku from inventory.stock_levels where warehouse_id = any($1::uuid[])) s
       left join weekly w on w.sku = s.sku group by s.sku`,
      [warehouses, from, to],
    );
    const periods = Math.ceil(daysBetween(from, to) / 7);
    const got = await get(`/api/analytics/abc?from=${from}&to=${to}`);
    const items = new Map((got.items as Row[]).map((i) => [String(i.sku), i]));
    expect(items.size).toBe(skus.length);
    for (const currency of ['EUR', 'USD']) {
      const valued = rows.flatMap((r) => {
        const c = cost(skus.indexOf(String(r.sku)));
        return c?.currency === currency ? [{ key: String(r.sku), value: Number(r.sold) * c.amount }] : [];
      });
      for (const c of abcClasses(valued))
        expect(items.get(c.key), c.key).toMatchObject({
          class: c.class,
          value: { currency, amount: c.value },
          cumulativeShare: c.cumulativeShare,
        });
    }
    for (const r of rows) {
      const cv = coefficientOfVariation(Number(r.sold), Number(r.sumsq), periods);
      expect(items.get(String(r.sku)), String(r.sku)).toMatchObject({ demandCv: cv, xyz: xyzClass(cv) });
    }
    expect(items.get('Y-11')).toMatchObject({ class: null, value: null });
    const [y00] = await query(
      `select sum(on_hand) as on_hand from inventory.stock_levels where sku = 'Y-00' and warehouse_id = any($1::uuid[])`,
      [warehouses],
    );
    const sold = Number(rows.find((r) => r.sku === 'Y-00')?.sold);
    expect(items.get('Y-00')).toMatchObject({
      onHand: Number(y00?.on_hand),
      daysOfCover: daysOfCover(Number(y00?.on_hand), sold, daysBetween(from, to)),
    });
    expect(new Set([...items.values()].map((i) => i.xyz))).toEqual(new Set(['X', 'Y', 'Z']));
  });

  test('dead stock: levels with stock and no movement for the days asked', async () => {
    for (const days of [300, 600]) {
      const expected = await query(
        `select m.warehouse_id, m.sku, s.on_hand, max((m.created_at at time zone w.timezone)::date)::text as last_day,
           (now() at time zone w.timezone)::date - max((m.created_at at time zone w.timezone)::date) as since
         from inventory.movements m join inventory.warehouses w on w.id = m.warehouse_id
         join inventory.stock_levels s on s.warehouse_id = m.warehouse_id and s.sku = m.sku
         where m.warehouse_id = any($1::uuid[]) and s.on_hand > 0
         group by m.warehouse_id, m.sku, s.on_hand, w.timezone
         having (now() at time zone w.timezone)::date - max((m.created_at at time zone w.timezone)::date) >= $2`,
        [warehouses, days],
      );
      const got = await get(`/api/analytics/dead-stock?days=${days}`);
      const key = (i: Row) => `${i.warehouseId ?? i.warehouse_id}|${i.sku}`;
      const items = (got.items as Row[]).map((i) => ({
        key: key(i),
        onHand: i.onHand,
        last: i.lastMovementDay,
        since: i.daysSinceMovement,
      }));
      expect(items.sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual(
        expected
          .map((r) => ({ key: key(r), onHand: Number(r.on_hand), last: r.last_day, since: Number(r.since) }))
          .sort((a, b) => (a.key < b.key ? -1 : 1)),
      );
    }
  });

  test('the rollup run again, and replayed from nothing, writes the same facts', async () => {
    const snapshot = async () =>
      (
        await query(
          `select (select md5(string_agg(f::text, ',' order by warehouse_id, sku, day)) from analytics.daily_facts f) as f,
             (select md5(string_agg(r::text, ',' order by warehouse_id, sku, day, currency)) from analytics.daily_revenue r) as r,
             (select md5(string_agg(s::text, ',' order by start_movement_id)) from analytics.stockouts s) as s,
             (select md5(string_agg(t::text, ',' order by warehouse_id, day)) from analytics.daily_totals t) as t,
             (select md5(string_agg(m::text, ',' order by warehouse_id, day, currency)) from analytics.daily_money m) as m`,
          [],
        )
      )[0];
    const before = await snapshot();
    await rollUpAnalytics(db());
    expect(await snapshot()).toEqual(before);
    await db().execute(
      sql`truncate analytics.daily_facts, analytics.daily_revenue, analytics.daily_totals, analytics.daily_money,
        analytics.stockouts, analytics.rollup_marks`,
    );
    await db().execute(sql`update analytics.rollup_state set low_id = 0, high_id = 0, seen_count = 0`);
    await rollUpAnalytics(db(), { batch: 2_500 });
    expect(await snapshot()).toEqual(before);
  });
});
