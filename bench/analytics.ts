/**
 * The analytics KPIs over a year of one warehouse, from the rollups, against one indexed SQL
 * query on the raw ledger for the same figure; and the rollup job's time per 10,000 shipments.
 *   world      10,000 skus in one warehouse (UTC), 365 days: a receipt per sku every 30 days and
 *              a shipment on every third day (about 1.2 M shipments), each on an order (100 skus
 *              an order) priced in EUR; written with generate_series, then the daily facts and
 *              revenue, the warehouse-day totals and money filled by the same aggregates the
 *              rollup computes, in bulk (rolling up 1.3 M movements through the job would take
 *              minutes and measure nothing new)
 *   summary    summarize() for 365 days, as GET /api/analytics/summary runs it, p50/p99, against
 *              units sold over the same 365 days from the ledger (warehouse_id, sku, created_at index)
 *   sales      salesSeries() per day for 365 days, against the ledger grouped by day
 *   rollup     10,000 new order shipments (one per sku) committed, then rollUpAnalytics(), the
 *              function the every-minute job runs: its time, three rounds
 * In-process on a pool like core's: the HTTP around these calls is the same for any endpoint.
 */

import { rollUpAnalytics } from '../core/analytics/rollup.ts';
import { salesSeries } from '../core/analytics/sales-series.ts';
import { summarize } from '../core/analytics/summary.ts';
import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { connectBenchDatabase } from './bench-core.ts';
import type { BenchContext } from './run.ts';

const SKUS = 10_000;
const DAYS = 365;
const FROM = '2025-01-01';
const TO = '2025-12-31';
const ROUNDS = 3;

type Pool = ReturnType<typeof connectBenchDatabase>['pool'];

export async function run(ctx: BenchContext): Promise<void> {
  const log = createLogger({ service: 'bench' }, 'warn');
  const handle = connectBenchDatabase(ctx.databaseUrl, { max: config().DB_POOL_MAX, log });
  const { db, pool } = handle;
  try {
    const warehouseId = await seed(ctx, pool);
    const zones = [{ id: warehouseId, code: 'ANB', timezone: 'UTC' }];
    const window = { warehouseIds: [warehouseId], from: FROM, to: TO };
    const sold = await pool.query(rawUnitsSold, [warehouseId, FROM, TO]);
    const summary = await summarize(pool, zones, FROM, TO);
    ctx.report(
      'units sold: rollups / ledger',
      `${summary.unitsSold} / ${sold.rows[0]?.sold}`,
      'must be equal',
    );

    ctx.progress('analytics: summary from the rollups, then the ledger query');
    const fromFacts = await sample(ctx, async () => {
      await summarize(pool, zones, FROM, TO);
    });
    const fromLedger = await sample(ctx, async () => {
      await pool.query(rawUnitsSold, [warehouseId, FROM, TO]);
    });
    reportPair(ctx, 'summary, 365 days x 10,000 skus', fromFacts, 'units sold from the ledger', fromLedger);

    ctx.progress('analytics: sales per day from the rollups, then the ledger query');
    const seriesFacts = await sample(ctx, async () => {
      await salesSeries(pool, window, 'day');
    });
    const seriesLedger = await sample(ctx, async () => {
      await pool.query(rawDailySales, [warehouseId, FROM, TO]);
    });
    reportPair(ctx, 'sales per day, 365 days', seriesFacts, 'the ledger grouped by day', seriesLedger);

    const times: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      ctx.progress(
        `analytics: rollup round ${round} of ${ROUNDS}: 10,000 shipments, then the job's function`,
      );
      await shipOneEach(pool, warehouseId, round);
      const started = performance.now();
      const result = await rollUpAnalytics(db);
      times.push(performance.now() - started);
      if (result.movements !== SKUS) throw new Error(`rolled up ${result.movements} movements, not ${SKUS}`);
    }
    ctx.report(
      'rollup job per 10,000 shipments',
      times.map((t) => `${Math.round(t)} ms`).join(', '),
      'three rounds',
    );
    const after = await summarize(pool, zones, '2026-01-01', new Date().toISOString().slice(0, 10));
    ctx.report(
      'shipments rolled up since the seeded year',
      String(after.unitsSold),
      `must be ${ROUNDS * SKUS}`,
    );
  } finally {
    await handle.close();
  }
}

/** The reference for units sold: one statement over the ledger, on its (warehouse, sku, time) index. */
const rawUnitsSold = `select coalesce(-sum(qty), 0) as sold from inventory.movements
  where warehouse_id = $1 and type = 'shipment'
    and created_at >= $2::date::timestamptz and created_at < ($3::date + 1)::timestamptz`;
const rawDailySales = `select created_at::date as day, -sum(qty) as sold from inventory.movements
  where warehouse_id = $1 and type = 'shipment'
    and created_at >= $2::date::timestamptz and created_at < ($3::date + 1)::timestamptz
  group by 1 order by 1`;

interface Samples {
  p50: number;
  p99: number;
  n: number;
}

/** Calls f for ctx.seconds (at least 5 times): p50 and p99 in ms. */
async function sample(ctx: BenchContext, f: () => Promise<void>): Promise<Samples> {
  const times: number[] = [];
  const until = performance.now() + ctx.seconds * 1000;
  while (times.length < 5 || performance.now() < until) {
    const started = performance.now();
    await f();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), n: times.length };
}

function reportPair(ctx: BenchContext, what: string, facts: Samples, reference: string, raw: Samples) {
  const ms = (s: Samples) => `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (${s.n} calls)`;
  ctx.report(`${what}: rollups`, ms(facts));
  ctx.report(`${what}: ${reference}`, ms(raw));
  ctx.report(
    `${what}: ledger p50 / rollups p50`,
    (raw.p50 / facts.p50).toFixed(1),
    'above 1: the rollups are faster',
  );
}

/** The year, written in bulk; its facts and revenue filled by the rollup's aggregates; the rollup set after it. */
async function seed(ctx: BenchContext, pool: Pool): Promise<string> {
  const step = async (what: string, text: string, values: unknown[] = []) => {
    const started = performance.now();
    ctx.progress(`analytics: ${what}`);
    const r = await pool.query(text, values);
    ctx.progress(
      `analytics: ${what}: ${r.rowCount ?? 0} rows in ${Math.round(performance.now() - started)} ms`,
    );
  };
  const { rows } = await pool.query(
    `insert into inventory.warehouses (code, name, timezone) values ('ANB', 'Analytics bench', 'UTC') returning id`,
  );
  const wh = String(rows[0]?.id);
  await step(
    'products',
    `insert into catalog.products (sku, name, price_amount, price_currency, cost_amount, cost_currency)
     select 'B' || lpad(s::text, 5, '0'), 'Bench ' || s, 200 + s % 50, 'EUR', 100 + s % 50, 'EUR'
     from generate_series(0, $1 - 1) s`,
    [SKUS],
  );
  await step(
    'orders (one per 100 skus a day)',
    `insert into orders.orders (id, status, warehouse_id, warehouse_ids, lines, allocations, created_by)
     select md5('bench-' || d || '-' || g)::uuid, 'shipped', $1, array[$1::uuid],
       jsonb_agg(jsonb_build_object('sku', 'B' || lpad(s::text, 5, '0'), 'qty', 1 + (s + d) % 5,
         'requestedQty', 1 + (s + d) % 5, 'allocated', 1 + (s + d) % 5, 'backordered', 0, 'shipped', 1 + (s + d) % 5,
         'unitPrice', jsonb_build_object('amount', 200 + s % 50, 'currency', 'EUR'))),
       '[]'::jsonb, 'bench'
     from generate_series(0, $2 - 1) d, generate_series(0, $3 - 1) s, lateral (select s / 100 as g) grp
     where (s + d) % 3 = 0 group by d, g`,
    [wh, DAYS, SKUS],
  );
  await step(
    'the ledger (receipts every 30 days, shipments every third day)',
    `insert into inventory.movements (warehouse_id, sku, type, reason, qty, on_hand_after, level_version,
       reference_type, reference_id, created_at)
     select $1, sku, type, 'bench', qty,
       sum(qty) over (partition by sku order by at rows unbounded preceding),
       row_number() over (partition by sku order by at), ref_type, ref_id, at
     from (
       select 'B' || lpad(s::text, 5, '0') as sku, 'receipt' as type, 200 as qty, null as ref_type, null as ref_id,
         $2::date + d + time '06:00' as at
       from generate_series(0, $3 - 1) s, generate_series(0, $4 - 1, 30) d
       union all
       select 'B' || lpad(s::text, 5, '0'), 'shipment', -(1 + (s + d) % 5), 'order',
         md5('bench-' || d || '-' || (s / 100))::uuid::text, $2::date + d + time '14:00'
       from generate_series(0, $3 - 1) s, generate_series(0, $4 - 1) d where (s + d) % 3 = 0) x
     order by at`,
    [wh, FROM, SKUS, DAYS],
  );
  await step(
    'levels',
    `insert into inventory.stock_levels (warehouse_id, sku, on_hand, version)
     select warehouse_id, sku, sum(qty), count(*) from inventory.movements where warehouse_id = $1 group by 1, 2`,
    [wh],
  );
  await step(
    'daily facts (bulk, as the rollup computes them)',
    `insert into analytics.daily_facts (warehouse_id, sku, day, units_sold, units_received, units_transferred_in,
       units_transferred_out, units_adjusted, movements, on_hand_end)
     select warehouse_id, sku, (created_at at time zone 'UTC')::date,
       coalesce(-sum(qty) filter (where type = 'shipment'), 0), coalesce(sum(qty) filter (where type = 'receipt'), 0),
       0, 0, 0, count(*), (array_agg(on_hand_after order by id desc))[1]
     from inventory.movements where warehouse_id = $1 group by 1, 2, 3`,
    [wh],
  );
  await step(
    'daily totals (bulk)',
    `insert into analytics.daily_totals (warehouse_id, day, units_sold, units_in, net_change, movements)
     select warehouse_id, day, sum(units_sold), sum(units_received),
       sum(units_received - units_sold), sum(movements)
     from analytics.daily_facts where warehouse_id = $1 group by 1, 2`,
    [wh],
  );
  await step(
    'daily revenue (bulk)',
    `insert into analytics.daily_revenue (warehouse_id, sku, day, currency, units, amount)
     select m.warehouse_id, m.sku, (m.created_at at time zone 'UTC')::date, 'EUR', -sum(m.qty),
       -sum(m.qty * (l.line->'unitPrice'->>'amount')::bigint)
     from inventory.movements m join orders.orders o on o.id::text = m.reference_id
     cross join lateral (select x as line from jsonb_array_elements(o.lines) x where x->>'sku' = m.sku limit 1) l
     where m.warehouse_id = $1 and m.type = 'shipment' group by 1, 2, 3`,
    [wh],
  );
  await step(
    'daily money (bulk)',
    `insert into analytics.daily_money (warehouse_id, day, currency, revenue, cost_of_goods_sold)
     select r.warehouse_id, r.day, 'EUR', sum(r.amount), sum(r.units * p.cost_amount)
     from analytics.daily_revenue r join catalog.products p on p.sku = r.sku
     where r.warehouse_id = $1 group by 1, 2`,
    [wh],
  );
  await pool.query(
    `insert into analytics.rollup_state (id, low_id, high_id, seen_count)
     select 1, max(id), max(id), 0 from inventory.movements`,
  );
  await step('vacuum analyze', 'vacuum analyze');
  return wh;
}

/** One shipment of one unit per sku, now, on 100 orders of 100 lines, as order shipping writes them. */
async function shipOneEach(pool: Pool, wh: string, round: number): Promise<void> {
  await pool.query(
    `insert into orders.orders (id, status, warehouse_id, warehouse_ids, lines, allocations, created_by)
     select md5('round-' || $2 || '-' || s / 100)::uuid, 'shipped', $1, array[$1::uuid],
       jsonb_agg(jsonb_build_object('sku', 'B' || lpad(s::text, 5, '0'), 'qty', 1, 'requestedQty', 1,
         'allocated', 1, 'backordered', 0, 'shipped', 1,
         'unitPrice', jsonb_build_object('amount', 200 + s % 50, 'currency', 'EUR'))), '[]'::jsonb, 'bench'
     from generate_series(0, $3 - 1) s group by s / 100`,
    [wh, round, SKUS],
  );
  await pool.query(
    `with moved as (
       update inventory.stock_levels set on_hand = on_hand - 1, version = version + 1
       where warehouse_id = $1 returning sku, on_hand, version)
     insert into inventory.movements (warehouse_id, sku, type, reason, qty, on_hand_after, level_version,
       reference_type, reference_id)
     select $1, sku, 'shipment', 'order', -1, on_hand, version, 'order',
       md5('round-' || $2 || '-' || (substr(sku, 2)::int / 100))::uuid::text
     from moved order by sku`,
    [wh, round],
  );
}
