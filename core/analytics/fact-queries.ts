/**
 * The KPI queries over analytics' own rollups (never the ledger): one statement per figure,
 * the summary and series over the warehouse-day totals, ABC and dead stock over the sku facts. Days are the warehouses'
 * local dates, YYYY-MM-DD, both ends included.
 */
import type { WarehouseZone } from '../inventory/ledger-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';

export interface Window {
  warehouseIds: readonly string[];
  from: string;
  to: string;
}

export interface PeriodTotals {
  unitsSold: number;
  /** Receipts and transfers in. */
  unitsIn: number;
  /** On hand at the end of the day before the window, and at the end of its last day. */
  onHandStart: number;
  onHandEnd: number;
}

/**
 * Units over the window, and on hand around it as the sum of every earlier day's net change
 * (on hand is the sum of the ledger): from the warehouse-day totals, one row per day.
 */
export async function readPeriodTotals(client: SqlClient, w: Window): Promise<PeriodTotals> {
  const { rows } = await client.query(
    `select coalesce(sum(units_sold) filter (where day >= $2::date), 0) as sold,
       coalesce(sum(units_in) filter (where day >= $2::date), 0) as units_in,
       coalesce(sum(net_change) filter (where day < $2::date), 0) as start_on_hand,
       coalesce(sum(net_change), 0) as end_on_hand
     from analytics.daily_totals where warehouse_id = any($1::uuid[]) and day <= $3::date`,
    [w.warehouseIds, w.from, w.to],
  );
  const r = rows[0] ?? {};
  return {
    unitsSold: Number(r.sold ?? 0),
    unitsIn: Number(r.units_in ?? 0),
    onHandStart: Number(r.start_on_hand ?? 0),
    onHandEnd: Number(r.end_on_hand ?? 0),
  };
}

/** Revenue and cost of goods sold per currency over the window. */
export async function readPeriodMoney(
  client: SqlClient,
  w: Window,
): Promise<{ currency: string; revenue: number; costOfGoodsSold: number }[]> {
  const { rows } = await client.query(
    `select currency, sum(revenue) as revenue, sum(cost_of_goods_sold) as cogs from analytics.daily_money
     where warehouse_id = any($1::uuid[]) and day between $2::date and $3::date
     group by currency order by currency`,
    [w.warehouseIds, w.from, w.to],
  );
  return rows.map((r) => ({
    currency: String(r.currency),
    revenue: Number(r.revenue),
    costOfGoodsSold: Number(r.cogs),
  }));
}

export interface StockoutTotals {
  /** Runs of on hand = 0 that started in the window. */
  count: number;
  /** Minutes of the window spent at 0, over every run that overlaps it (ongoing ones until now). */
  minutes: number;
  /** Runs going on now (whatever the window). */
  ongoing: number;
}

/** The stockouts of these warehouses over the window, each warehouse's days in its timezone. */
export async function readStockoutTotals(
  client: SqlClient,
  zones: readonly WarehouseZone[],
  from: string,
  to: string,
): Promise<StockoutTotals> {
  const { rows } = await client.query(
    `with win as (
       select z.id, ($3::date::timestamp at time zone z.tz) as s,
              (($4::date + 1)::timestamp at time zone z.tz) as e
       from unnest($1::uuid[], $2::text[]) as z(id, tz))
     select count(*) filter (where st.started_at >= win.s and st.started_at < win.e) as started,
       coalesce(sum(extract(epoch from least(coalesce(st.ended_at, now()), win.e) - greatest(st.started_at, win.s)))
         filter (where least(coalesce(st.ended_at, now()), win.e) > greatest(st.started_at, win.s)), 0) / 60 as minutes,
       count(*) filter (where st.ended_at is null) as ongoing
     from win join analytics.stockouts st on st.warehouse_id = win.id`,
    [zones.map((z) => z.id), zones.map((z) => z.timezone), from, to],
  );
  const r = rows[0] ?? {};
  return {
    count: Number(r.started ?? 0),
    minutes: Math.round(Number(r.minutes ?? 0) * 100) / 100,
    ongoing: Number(r.ongoing ?? 0),
  };
}

export interface SalesBucket {
  start: string;
  unitsSold: number;
  revenue: { currency: string; amount: number }[];
}

/** Units sold and revenue per day or per week (weeks start on Monday), buckets with sales only. */
export async function readSalesBuckets(
  client: SqlClient,
  w: Window,
  interval: 'day' | 'week',
): Promise<SalesBucket[]> {
  const bucket = interval === 'day' ? 'day' : `date_trunc('week', day)::date`;
  const params = [w.warehouseIds, w.from, w.to];
  const where = 'warehouse_id = any($1::uuid[]) and day between $2::date and $3::date';
  const [units, revenue] = await Promise.all([
    client.query(
      `select ${bucket}::text as start, sum(units_sold) as units from analytics.daily_totals
       where ${where} group by 1 having sum(units_sold) <> 0 order by 1`,
      params,
    ),
    client.query(
      `select ${bucket}::text as start, currency, sum(revenue) as amount from analytics.daily_money
       where ${where} group by 1, 2 having sum(revenue) <> 0 order by 1, 2`,
      params,
    ),
  ]);
  const buckets = new Map<string, SalesBucket>();
  const at = (start: string) => {
    const b = buckets.get(start) ?? { start, unitsSold: 0, revenue: [] };
    buckets.set(start, b);
    return b;
  };
  for (const r of units.rows) at(String(r.start)).unitsSold = Number(r.units);
  for (const r of revenue.rows)
    at(String(r.start)).revenue.push({ currency: String(r.currency), amount: Number(r.amount) });
  return [...buckets.values()];
}

export interface SkuDemand {
  sku: string;
  unitsSold: number;
  /** The sum over the window's 7-day periods of each period's units squared. */
  weeklySumOfSquares: number;
}

/** Units sold per sku over the window, with the square sum of its 7-day periods (counted from `from`). */
export async function readSkuDemand(client: SqlClient, w: Window): Promise<SkuDemand[]> {
  const { rows } = await client.query(
    `select sku, sum(units) as sold, sum(units::float8 * units) as sumsq from (
       select sku, (day - $2::date) / 7 as period, sum(units_sold) as units
       from analytics.daily_facts
       where warehouse_id = any($1::uuid[]) and day between $2::date and $3::date
       group by sku, period) p
     group by sku`,
    [w.warehouseIds, w.from, w.to],
  );
  return rows.map((r) => ({
    sku: String(r.sku),
    unitsSold: Number(r.sold),
    weeklySumOfSquares: Number(r.sumsq),
  }));
}

/** Each level's last day with a movement (levels as (warehouse, sku) pairs; absent: none rolled up). */
export async function readLastMovementDays(
  client: SqlClient,
  levels: readonly { warehouseId: string; sku: string }[],
): Promise<Map<string, string>> {
  if (levels.length === 0) return new Map();
  const { rows } = await client.query(
    `select l.warehouse_id, l.sku,
       (select max(f.day) from analytics.daily_facts f
        where f.warehouse_id = l.warehouse_id and f.sku = l.sku)::text as last_day
     from unnest($1::uuid[], $2::text[]) as l(warehouse_id, sku)`,
    [levels.map((l) => l.warehouseId), levels.map((l) => l.sku)],
  );
  return new Map(
    rows.filter((r) => r.last_day !== null).map((r) => [`${r.warehouse_id}|${r.sku}`, String(r.last_day)]),
  );
}
