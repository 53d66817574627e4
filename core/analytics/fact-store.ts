/**
 * Analytics' writes: the daily facts, revenue and stockout runs of the level-days a rollup
 * batch recomputed, and the rollup's own position. Plain SQL over analytics' tables only.
 */
import type { LedgerDay, LevelDay } from '../inventory/ledger-reads.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import type { ZeroRun } from './formulas.ts';

export interface RevenueDay extends LevelDay {
  currency: string;
  units: number;
  amount: number;
}

/** The level-days as recomputed: each row replaced whole (a re-run writes the same values). */
export async function saveLedgerDays(client: SqlClient, days: readonly LedgerDay[]): Promise<void> {
  if (days.length === 0) return;
  const col = <K extends keyof LedgerDay>(k: K) => days.map((d) => d[k]);
  await client.query(
    `insert into analytics.daily_facts as f (warehouse_id, sku, day, units_sold, units_received,
       units_transferred_in, units_transferred_out, units_adjusted, movements, on_hand_end)
     select * from unnest($1::uuid[], $2::text[], $3::date[], $4::int[], $5::int[], $6::int[],
       $7::int[], $8::int[], $9::int[], $10::int[])
     on conflict (warehouse_id, sku, day) do update set units_sold = excluded.units_sold,
       units_received = excluded.units_received, units_transferred_in = excluded.units_transferred_in,
       units_transferred_out = excluded.units_transferred_out, units_adjusted = excluded.units_adjusted,
       movements = excluded.movements, on_hand_end = excluded.on_hand_end`,
    [
      col('warehouseId'),
      col('sku'),
      col('day'),
      col('unitsSold'),
      col('unitsReceived'),
      col('unitsTransferredIn'),
      col('unitsTransferredOut'),
      col('unitsAdjusted'),
      col('movements'),
      col('onHandEnd'),
    ],
  );
}

/** The revenue of these level-days, replaced: what was there for them goes, the recomputed rows come. */
export async function replaceRevenueDays(
  client: SqlClient,
  keys: readonly LevelDay[],
  rows: readonly RevenueDay[],
): Promise<void> {
  if (keys.length === 0) return;
  await client.query(
    // By row address, found key by key on the primary key: a join with the keys could scan the table.
    `delete from analytics.daily_revenue where ctid = any(array(
       select r.ctid from unnest($1::uuid[], $2::text[], $3::date[]) as k(warehouse_id, sku, day)
       cross join lateral (select ctid from analytics.daily_revenue r
         where r.warehouse_id = k.warehouse_id and r.sku = k.sku and r.day = k.day) r))`,
    [keys.map((k) => k.warehouseId), keys.map((k) => k.sku), keys.map((k) => k.day)],
  );
  if (rows.length === 0) return;
  await client.query(
    `insert into analytics.daily_revenue (warehouse_id, sku, day, currency, units, amount)
     select * from unnest($1::uuid[], $2::text[], $3::date[], $4::text[], $5::int[], $6::bigint[])`,
    [
      rows.map((r) => r.warehouseId),
      rows.map((r) => r.sku),
      rows.map((r) => r.day),
      rows.map((r) => r.currency),
      rows.map((r) => r.units),
      rows.map((r) => r.amount),
    ],
  );
}

export interface LevelRuns {
  warehouseId: string;
  sku: string;
  fromId: number;
  /** The end of the run under way before fromId (undefined: none was; null: it goes on). */
  carried: { endId: number; endAt: Date } | null | undefined;
  runs: readonly ZeroRun[];
}

/**
 * The levels' zero runs from each one's fromId on, replaced: runs starting there go and the
 * recomputed ones come; the run under way before fromId gets its end (or none) as recomputed.
 */
export async function replaceLevelRuns(client: SqlClient, levels: readonly LevelRuns[]): Promise<void> {
  if (levels.length === 0) return;
  await client.query(
    `delete from analytics.stockouts where ctid = any(array(
       select s.ctid from unnest($1::uuid[], $2::text[], $3::bigint[]) as l(warehouse_id, sku, from_id)
       cross join lateral (select ctid from analytics.stockouts s
         where s.warehouse_id = l.warehouse_id and s.sku = l.sku and s.start_movement_id >= l.from_id) s))`,
    [levels.map((l) => l.warehouseId), levels.map((l) => l.sku), levels.map((l) => l.fromId)],
  );
  const carried = levels.filter((l) => l.carried !== undefined);
  if (carried.length > 0)
    await client.query(
      `update analytics.stockouts s set ended_at = c.ended_at, end_movement_id = c.end_id
       from (select (select max(p.start_movement_id) from analytics.stockouts p
               where p.warehouse_id = l.warehouse_id and p.sku = l.sku and p.start_movement_id < l.from_id) as start_id,
               l.ended_at, l.end_id
             from unnest($1::uuid[], $2::text[], $3::bigint[], $4::timestamptz[], $5::bigint[])
               as l(warehouse_id, sku, from_id, ended_at, end_id)) c
       where s.start_movement_id = c.start_id`,
      [
        carried.map((l) => l.warehouseId),
        carried.map((l) => l.sku),
        carried.map((l) => l.fromId),
        carried.map((l) => l.carried?.endAt ?? null),
        carried.map((l) => l.carried?.endId ?? null),
      ],
    );
  const runs = levels.flatMap((l) => l.runs.map((r) => ({ ...r, warehouseId: l.warehouseId, sku: l.sku })));
  if (runs.length === 0) return;
  await client.query(
    `insert into analytics.stockouts (start_movement_id, warehouse_id, sku, started_at, ended_at, end_movement_id)
     select * from unnest($1::bigint[], $2::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::bigint[])`,
    [
      runs.map((r) => r.startId),
      runs.map((r) => r.warehouseId),
      runs.map((r) => r.sku),
      runs.map((r) => r.startAt),
      runs.map((r) => r.endAt),
      runs.map((r) => r.endId),
    ],
  );
}

export interface RollupPosition {
  lowId: number;
  highId: number;
  seenCount: number;
}

export async function readPosition(client: SqlClient): Promise<RollupPosition> {
  const { rows } = await client.query(
    'select low_id, high_id, seen_count from analytics.rollup_state where id = 1',
  );
  const r = rows[0];
  return r
    ? { lowId: Number(r.low_id), highId: Number(r.high_id), seenCount: Number(r.seen_count) }
    : { lowId: 0, highId: 0, seenCount: 0 };
}

/**
 * The highest id a run saw at least `settleSeconds` ago (never below `floor`): no transaction
 * still open can commit a movement at or below it, so every one there has been rolled up.
 */
export async function readSettledId(
  client: SqlClient,
  settleSeconds: number,
  floor: number,
): Promise<number> {
  const { rows } = await client.query(
    `select coalesce(max(high_id), 0) as id from analytics.rollup_marks
     where taken_at <= now() - make_interval(secs => $1)`,
    [settleSeconds],
  );
  return Math.max(floor, Number(rows[0]?.id ?? 0));
}

/** Where the run leaves the rollup, and its mark; marks at or below the new low are dropped. */
export async function savePosition(client: SqlClient, position: RollupPosition): Promise<void> {
  await client.query(
    `insert into analytics.rollup_state (id, low_id, high_id, seen_count, updated_at)
     values (1, $1, $2, $3, now())
     on conflict (id) do update set low_id = excluded.low_id, high_id = excluded.high_id,
       seen_count = excluded.seen_count, updated_at = now()`,
    [position.lowId, position.highId, position.seenCount],
  );
  await client.query(
    `insert into analytics.rollup_marks (taken_at, high_id) values (clock_timestamp(), $1)
     on conflict (taken_at) do nothing`,
    [position.highId],
  );
  await client.query(
    `delete from analytics.rollup_marks where high_id <= $1
       and taken_at < (select max(taken_at) from analytics.rollup_marks where high_id <= $1)`,
    [position.lowId],
  );
}

export interface WarehouseDay {
  warehouseId: string;
  day: string;
}

const dayParams = (days: readonly WarehouseDay[]) => [days.map((d) => d.warehouseId), days.map((d) => d.day)];

/** The warehouse-days' totals, added up again over their skus' facts. */
export async function refreshDayTotals(client: SqlClient, days: readonly WarehouseDay[]): Promise<void> {
  if (days.length === 0) return;
  await client.query(
    `insert into analytics.daily_totals as t (warehouse_id, day, units_sold, units_in, net_change, movements)
     select f.warehouse_id, f.day, sum(f.units_sold), sum(f.units_received + f.units_transferred_in),
       sum(f.units_received + f.units_transferred_in - f.units_transferred_out + f.units_adjusted - f.units_sold),
       sum(f.movements)
     from unnest($1::uuid[], $2::date[]) as k(warehouse_id, day)
     join analytics.daily_facts f on f.warehouse_id = k.warehouse_id and f.day = k.day
     group by f.warehouse_id, f.day
     on conflict (warehouse_id, day) do update set units_sold = excluded.units_sold,
       units_in = excluded.units_in, net_change = excluded.net_change, movements = excluded.movements`,
    dayParams(days),
  );
}

/** Units sold per sku on these warehouse-days (for their cost of goods). */
export async function readDaySales(
  client: SqlClient,
  days: readonly WarehouseDay[],
): Promise<(WarehouseDay & { sku: string; unitsSold: number })[]> {
  if (days.length === 0) return [];
  const { rows } = await client.query(
    `select f.warehouse_id, f.day::text as day, f.sku, f.units_sold
     from unnest($1::uuid[], $2::date[]) as k(warehouse_id, day)
     join analytics.daily_facts f on f.warehouse_id = k.warehouse_id and f.day = k.day
     where f.units_sold <> 0`,
    dayParams(days),
  );
  return rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    day: String(r.day),
    sku: String(r.sku),
    unitsSold: Number(r.units_sold),
  }));
}

/** Revenue per currency on these warehouse-days, from the skus' revenue rows. */
export async function readDayRevenue(
  client: SqlClient,
  days: readonly WarehouseDay[],
): Promise<(WarehouseDay & { currency: string; amount: number })[]> {
  if (days.length === 0) return [];
  const { rows } = await client.query(
    `select r.warehouse_id, r.day::text as day, r.currency, sum(r.amount) as amount
     from unnest($1::uuid[], $2::date[]) as k(warehouse_id, day)
     join analytics.daily_revenue r on r.warehouse_id = k.warehouse_id and r.day = k.day
     group by 1, 2, 3`,
    dayParams(days),
  );
  return rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    day: String(r.day),
    currency: String(r.currency),
    amount: Number(r.amount),
  }));
}

export interface DayMoney extends WarehouseDay {
  currency: string;
  revenue: number;
  costOfGoodsSold: number;
}

/** The warehouse-days' money, replaced whole. */
export async function replaceDayMoney(
  client: SqlClient,
  days: readonly WarehouseDay[],
  rows: readonly DayMoney[],
): Promise<void> {
  if (days.length === 0) return;
  await client.query(
    `delete from analytics.daily_money m using unnest($1::uuid[], $2::date[]) as k(warehouse_id, day)
     where m.warehouse_id = k.warehouse_id and m.day = k.day`,
    dayParams(days),
  );
  if (rows.length === 0) return;
  await client.query(
    `insert into analytics.daily_money (warehouse_id, day, currency, revenue, cost_of_goods_sold)
     select * from unnest($1::uuid[], $2::date[], $3::text[], $4::bigint[], $5::bigint[])`,
    [
      rows.map((r) => r.warehouseId),
      rows.map((r) => r.day),
      rows.map((r) => r.currency),
      rows.map((r) => r.revenue),
      rows.map((r) => r.costOfGoodsSold),
    ],
  );
}
