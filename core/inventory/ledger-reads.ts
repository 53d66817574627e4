/**
 * Inventory's reads for analytics, as plain SQL: which levels and (warehouse-local) days new
 * movements touched, each such day recomputed whole from the ledger, the runs of on hand = 0,
 * and the levels as they are now. Analytics never reads inventory's tables itself.
 */
import type { SqlClient } from '../platform/sql-client.ts';

/** A level's local day: the key the daily facts are kept by. */
export interface LevelDay {
  warehouseId: string;
  sku: string;
  /** YYYY-MM-DD in the warehouse's timezone. */
  day: string;
}

export interface LedgerEntry extends LevelDay {
  id: number;
}

const dayOf = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

/** The highest movement id committed (0 for an empty ledger). */
export async function readLastMovementId(client: SqlClient): Promise<number> {
  const { rows } = await client.query('select coalesce(max(id), 0) as id from inventory.movements');
  return Number(rows[0]?.id ?? 0);
}

/** How many movements have ids in (after, upTo]: more than before means one committed late. */
export async function countMovements(client: SqlClient, after: number, upTo: number): Promise<number> {
  const { rows } = await client.query(
    'select count(*) as n from inventory.movements where id > $1 and id <= $2',
    [after, upTo],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Movements with ids in (after, upTo], oldest first, at most `limit`, with their local day. */
export async function readLedgerEntries(
  client: SqlClient,
  after: number,
  upTo: number,
  limit: number,
): Promise<LedgerEntry[]> {
  const { rows } = await client.query(
    `select m.id, m.warehouse_id, m.sku, (m.created_at at time zone w.timezone)::date::text as day
     from inventory.movements m join inventory.warehouses w on w.id = m.warehouse_id
     where m.id > $1 and m.id <= $2 order by m.id limit $3`,
    [after, upTo, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    warehouseId: String(r.warehouse_id),
    sku: String(r.sku),
    day: dayOf(r.day),
  }));
}

export interface LedgerDay extends LevelDay {
  /** Units shipped (type shipment), positive. */
  unitsSold: number;
  unitsReceived: number;
  unitsTransferredIn: number;
  unitsTransferredOut: number;
  /** Adjustments and counts, signed. */
  unitsAdjusted: number;
  movements: number;
  onHandEnd: number;
}

/** The keys as three parallel arrays for unnest(), and the CTE that joins their day bounds. */
const keyParams = (keys: readonly LevelDay[]) => [
  keys.map((k) => k.warehouseId),
  keys.map((k) => k.sku),
  keys.map((k) => k.day),
];
const keyBounds = `keys as (
  select k.warehouse_id, k.sku, k.day,
         (k.day::timestamp at time zone w.timezone) as starts,
         ((k.day + 1)::timestamp at time zone w.timezone) as ends
  from unnest($1::uuid[], $2::text[], $3::date[]) as k(warehouse_id, sku, day)
  join inventory.warehouses w on w.id = k.warehouse_id)`;

/** Each level-day recomputed from all of its movements (key by key on movements_level_time_idx). */
export async function readLedgerDays(client: SqlClient, keys: readonly LevelDay[]): Promise<LedgerDay[]> {
  if (keys.length === 0) return [];
  const { rows } = await client.query(
    `with ${keyBounds}
     select k.warehouse_id, k.sku, k.day::text as day,
       coalesce(-sum(m.qty) filter (where m.type = 'shipment'), 0) as units_sold,
       coalesce(sum(m.qty) filter (where m.type = 'receipt'), 0) as units_received,
       coalesce(sum(m.qty) filter (where m.type = 'transfer_in'), 0) as units_transferred_in,
       coalesce(-sum(m.qty) filter (where m.type = 'transfer_out'), 0) as units_transferred_out,
       coalesce(sum(m.qty) filter (where m.type in ('adjustment', 'count')), 0) as units_adjusted,
       count(*) as movements,
       (array_agg(m.on_hand_after order by m.id desc))[1] as on_hand_end
     from keys k
     cross join lateral (select * from inventory.movements m where m.warehouse_id = k.warehouse_id
       and m.sku = k.sku and m.created_at >= k.starts and m.created_at < k.ends) m
     group by k.warehouse_id, k.sku, k.day`,
    keyParams(keys),
  );
  return rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    sku: String(r.sku),
    day: dayOf(r.day),
    unitsSold: Number(r.units_sold),
    unitsReceived: Number(r.units_received),
    unitsTransferredIn: Number(r.units_transferred_in),
    unitsTransferredOut: Number(r.units_transferred_out),
    unitsAdjusted: Number(r.units_adjusted),
    movements: Number(r.movements),
    onHandEnd: Number(r.on_hand_end),
  }));
}

export interface OrderShipmentDay extends LevelDay {
  orderId: string;
  units: number;
}

/** Units shipped for each order on each level-day (shipments that reference an order). */
export async function readOrderShipmentDays(
  client: SqlClient,
  keys: readonly LevelDay[],
): Promise<OrderShipmentDay[]> {
  if (keys.length === 0) return [];
  const { rows } = await client.query(
    `with ${keyBounds}
     select k.warehouse_id, k.sku, k.day::text as day, m.reference_id, -sum(m.qty) as units
     from keys k
     cross join lateral (select * from inventory.movements m where m.warehouse_id = k.warehouse_id
       and m.sku = k.sku and m.created_at >= k.starts and m.created_at < k.ends) m
     where m.type = 'shipment' and m.reference_type = 'order'
     group by k.warehouse_id, k.sku, k.day, m.reference_id`,
    keyParams(keys),
  );
  return rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    sku: String(r.sku),
    day: dayOf(r.day),
    orderId: String(r.reference_id),
    units: Number(r.units),
  }));
}

export interface LevelFrom {
  warehouseId: string;
  sku: string;
  /** The first movement id to look at. */
  fromId: number;
  /** The last (a batch's end: a run still open there is carried into the next batch). */
  toId: number;
}

export interface LevelHistory {
  warehouseId: string;
  sku: string;
  /** On hand after the level's last movement before fromId (null: none). */
  before: number | null;
  moves: { id: number; at: Date; onHandAfter: number }[];
}

/** Each level's movements from fromId to toId, with on hand just before them: where its zero runs start and end. */
export async function readLevelHistories(
  client: SqlClient,
  levels: readonly LevelFrom[],
): Promise<LevelHistory[]> {
  if (levels.length === 0) return [];
  const { rows } = await client.query(
    `select l.warehouse_id, l.sku,
       (select p.on_hand_after from inventory.movements p
        where p.warehouse_id = l.warehouse_id and p.sku = l.sku and p.id < l.from_id
        order by p.id desc limit 1) as before,
       coalesce((select json_agg(json_build_array(m.id, m.created_at, m.on_hand_after) order by m.id)
        from inventory.movements m
        where m.warehouse_id = l.warehouse_id and m.sku = l.sku and m.id >= l.from_id and m.id <= l.to_id), '[]') as moves
     from unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[]) as l(warehouse_id, sku, from_id, to_id)`,
    [
      levels.map((l) => l.warehouseId),
      levels.map((l) => l.sku),
      levels.map((l) => l.fromId),
      levels.map((l) => l.toId),
    ],
  );
  return rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    sku: String(r.sku),
    before: r.before === null ? null : Number(r.before),
    moves: (r.moves as [number, string, number][]).map(([id, at, onHand]) => ({
      id: Number(id),
      at: new Date(at),
      onHandAfter: Number(onHand),
    })),
  }));
}

export interface LevelNow {
  warehouseId: string;
  sku: string;
  onHand: number;
  reserved: number;
  reorderPoint: number | null;
}

/** The levels of these warehouses (null: all) as they are now. */
export async function readLevelsNow(
  client: SqlClient,
  warehouseIds: readonly string[] | null,
): Promise<LevelNow[]> {
  const { rows } = await client.query(
    `select warehouse_id, sku, on_hand, reserved, reorder_point from inventory.stock_levels
     where $1::uuid[] is null or warehouse_id = any($1::uuid[])`,
    [warehouseIds],
  );
  return rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    sku: String(r.sku),
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    reorderPoint: r.reorder_point === null ? null : Number(r.reorder_point),
  }));
}

export interface WarehouseZone {
  id: string;
  code: string;
  timezone: string;
}

/** These warehouses (null: all) with the timezone their days are counted in. */
export async function readWarehouseZones(
  client: SqlClient,
  ids: readonly string[] | null,
): Promise<WarehouseZone[]> {
  const { rows } = await client.query(
    `select id, code, timezone from inventory.warehouses
     where $1::uuid[] is null or id = any($1::uuid[]) order by code`,
    [ids],
  );
  return rows.map((r) => ({ id: String(r.id), code: String(r.code), timezone: String(r.timezone) }));
}
