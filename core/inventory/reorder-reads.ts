/**
 * Inventory's reads for purchasing (replenishment and reorder suggestions), as plain SQL any
 * driver runs: the levels that have reorder settings, what is in transit to them, whether a
 * warehouse exists, and shipment demand per day. Purchasing never reads inventory's tables itself.
 */
import type { SqlClient } from '../platform/sql-client.ts';

export interface ReorderLevel {
  warehouseId: string;
  sku: string;
  onHand: number;
  reserved: number;
  reorderPoint: number;
  reorderQty: number | null;
  preferredVendorId: string | null;
  /** Shipped here by transfers, not yet received. */
  inTransit: number;
}

/**
 * Levels that may need reordering, in these warehouses (null: all), optionally only these skus:
 * those whose on hand - reserved + in transit is below their reorder point. What is on order
 * (purchasing's) only raises a position, so purchasing adds it to these few and keeps those
 * still short, instead of reading every level with a reorder point. One statement: in transit
 * is summed once per (warehouse, sku) and joined, not looked up level by level.
 */
export async function readReorderCandidates(
  client: SqlClient,
  warehouseIds: readonly string[] | null,
  skus: readonly string[] | null = null,
): Promise<ReorderLevel[]> {
  const { rows } = await client.query(
    `with in_transit as (
       select t.to_warehouse_id as warehouse_id, tl.sku, sum(tl.qty - tl.received) as qty
       from inventory.transfer_lines tl join inventory.transfers t on t.id = tl.transfer_id
       where t.status in ('in_transit', 'partially_received')
         and ($1::uuid[] is null or t.to_warehouse_id = any($1::uuid[]))
       group by t.to_warehouse_id, tl.sku)
     select s.warehouse_id, s.sku, s.on_hand, s.reserved, s.reorder_point, s.reorder_qty,
            s.preferred_vendor_id, coalesce(i.qty, 0) as in_transit
     from inventory.stock_levels s
     left join in_transit i on i.warehouse_id = s.warehouse_id and i.sku = s.sku
     where s.reorder_point is not null
       and s.on_hand - s.reserved + coalesce(i.qty, 0) < s.reorder_point
       and ($1::uuid[] is null or s.warehouse_id = any($1::uuid[]))
       and ($2::text[] is null or s.sku = any($2::text[]))
     order by s.warehouse_id, s.sku`,
    [warehouseIds, skus],
  );
  return rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    sku: String(r.sku),
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    reorderPoint: Number(r.reorder_point),
    reorderQty: r.reorder_qty === null ? null : Number(r.reorder_qty),
    preferredVendorId: r.preferred_vendor_id === null ? null : String(r.preferred_vendor_id),
    inTransit: Number(r.in_transit),
  }));
}

/** Whether a warehouse with this id exists. */
export async function warehouseExists(client: SqlClient, id: string): Promise<boolean> {
  const { rows } = await client.query('select 1 from inventory.warehouses where id = $1', [id]);
  return rows.length > 0;
}

export interface ShipmentDemand {
  sku: string;
  /** Units shipped over the window. */
  total: number;
  /** The sum of each day's shipped units squared (days with none add nothing). */
  sumOfSquares: number;
  /** The level's reorder settings now (null when it has none). */
  reorderPoint: number | null;
  reorderQty: number | null;
  preferredVendorId: string | null;
}

/**
 * Units shipped per sku from a warehouse over the last `days` days (whole days in UTC, today
 * excluded, so every day counted is complete), as sums a mean and a deviation are made from,
 * for every level of the warehouse (those that shipped nothing too).
 */
export async function readShipmentDemand(
  client: SqlClient,
  warehouseId: string,
  days: number,
): Promise<ShipmentDemand[]> {
  const { rows } = await client.query(
    `with daily as (
       select m.sku, date_trunc('day', m.created_at at time zone 'UTC') as day, sum(-m.qty) as shipped
       from inventory.movements m
       where m.warehouse_id = $1 and m.type = 'shipment'
         and m.created_at >= (date_trunc('day', now() at time zone 'UTC') - make_interval(days => $2)) at time zone 'UTC'
         and m.created_at < date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'
       group by m.sku, day)
     select s.sku, coalesce(sum(d.shipped), 0) as total, coalesce(sum(d.shipped * d.shipped), 0) as squares,
            s.reorder_point, s.reorder_qty, s.preferred_vendor_id
     from inventory.stock_levels s left join daily d on d.sku = s.sku
     where s.warehouse_id = $1
     group by s.sku, s.reorder_point, s.reorder_qty, s.preferred_vendor_id
     order by s.sku`,
    [warehouseId, days],
  );
  return rows.map((r) => ({
    sku: String(r.sku),
    total: Number(r.total),
    sumOfSquares: Number(r.squares),
    reorderPoint: r.reorder_point === null ? null : Number(r.reorder_point),
    reorderQty: r.reorder_qty === null ? null : Number(r.reorder_qty),
    preferredVendorId: r.preferred_vendor_id === null ? null : String(r.preferred_vendor_id),
  }));
}
