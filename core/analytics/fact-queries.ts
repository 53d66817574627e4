/**
 * The KPI queries over analytics' own rollups (never the ledger): one statement per figure,
 * each reading the (warehouse, day) or (warehouse, sku, day) indexes. Days are the warehouses'
 * local dates, YYYY-MM-DD, both ends included.
 */
import type { WarehouseZone } from '../inventory/ledger-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';

export interface Window {
  warehouseIds: readonly string[];
  from: string;
  to: string;
}

export interface SkuMovement {
  sku: string;
  unitsSold: number;
  /** Receipts and transfers in. */
  unitsIn: number;
}

/** Units sold and received per sku over the window. */
export async function readSkuMovements(client: SqlClient, w: Window): Promise<SkuMovement[]> {
  const { rows } = await client.query(
    `select sku, sum(units_sold) as sold, sum(units_received + units_transferred_in) as received
     from analytics.daily_facts
     where warehouse_id = any($1::uuid[]) and day between $2::date and $3::date
     group by sku`,
    [w.warehouseIds, w.from, w.to],
  );
  return rows.map((r) => ({ sku: String(r.sku), unitsSold: Number(r.sold), unitsIn: Number(r.received) }));
}

/** Revenue per currency over the window. */
export async function readRevenue(
  client: SqlClient,
  w: Window,
): Promise<{ currency: string; amount: number }[]> {
  const { rows } = await client.query(
    `select currency, sum(amount) as amount from analytics.daily_revenue
     where warehouse_id = any($1::uuid[]) and day between $2::date and $3::date
     group by currency order by currency`,
    [w.warehouseIds, w.from, w.to],
  );
  return rows.map((r) => ({ currency: String(r.currency), amount: Number(r.amount) }));
}

export interface OnHandSpan {
  /** At the end of the day before the window. */
  start: number;
  /** At the end of its last day. */
  end: number;
}

/**
 * On hand per sku before and at the end of the window, summed over these levels: each level's
 * on hand after its last day with movements up to then (0 before its first). Two index probes
 * per level.
 */
export async function readOnHandSpan(
  client: SqlClient,
  levels: readonly { warehouseId: string; sku: string }[],
  from: string,
  to: string,
): Promise<Map<string, OnHandSpan>> {
  if (levels.length === 0) return new Map();
  const probe = (cmp: string, day: string) => `coalesce((select f.on_hand_end from analytics.daily_facts f
      where f.warehouse_id = l.warehouse_id and f.sku = l.sku and f.day ${cmp} ${day}
      order by f.day desc limit 1), 0)`;
  const { rows } = await client.query(
    `select l.sku, sum(${probe('<', '$3::date')}) as start_on_hand, sum(${probe('<=', '$4::date')}) as end_on_hand
     from unnest($1::uuid[], $2::text[]) as l(warehouse_id, sku)
     group by l.sku`,
    [levels.map((l) => l.warehouseId), levels.map((l) => l.sku), from, to],
  );
  return new Map(
    rows.map((r) => [String(r.sku), { start: Number(r.start_on_hand), end: Number(r.end_on_hand) }]),
  );
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
      `select ${bucket}::text as start, sum(units_sold) as units from analytics.daily_facts
       where ${where} group by 1 having sum(units_sold) <> 0 order by 1`,
      params,
    ),
    client.query(
      `select ${bucket}::text as start, currency, sum(amount) as amount from analytics.daily_revenue
       where ${where} group by 1, 2 order by 1, 2`,
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
