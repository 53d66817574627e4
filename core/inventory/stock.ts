/** Stock levels as warehouses see them: the list with reorder settings and what is in transit. */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { arrayParam, type Database, type Queryable, scopeParam } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { decodeCursor, encodeCursor } from '../platform/pagination.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import { onOrderByLevel } from '../purchasing/on-order-reads.ts';
import { canonicalSku } from './adjustments.ts';
import type { ReorderSettings } from './schemas.ts';

export interface StockLevelView {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  reorderPoint: number | null;
  reorderQty: number | null;
  preferredVendorId: string | null;
  /** Units shipped to this warehouse by transfers and not yet received. */
  inTransit: number;
  version: number;
}

/** A level with what submitted purchase orders will still bring, and when the next is expected. */
export interface StockLevelWithOrders extends StockLevelView {
  onOrder: number;
  nextExpectedAt: string | null;
}

/** Adds on order (purchasing's reads) to levels of one warehouse. */
export async function withOnOrder(
  client: SqlClient,
  warehouseId: string,
  levels: StockLevelView[],
): Promise<StockLevelWithOrders[]> {
  const onOrder =
    levels.length === 0
      ? new Map()
      : await onOrderByLevel(
          client,
          [warehouseId],
          levels.map((l) => l.sku),
        );
  return levels.map((l) => {
    const o = onOrder.get(`${warehouseId}/${l.sku}`);
    return { ...l, onOrder: o?.onOrder ?? 0, nextExpectedAt: o?.nextExpectedAt ?? null };
  });
}

type LevelRow = {
  sku: string;
  on_hand: number;
  reserved: number;
  reorder_point: number | null;
  reorder_qty: number | null;
  preferred_vendor_id: string | null;
  in_transit: number | string | null;
  version: number | string;
};

const levelFromRow = (r: LevelRow): StockLevelView => ({
  sku: r.sku,
  onHand: r.on_hand,
  reserved: r.reserved,
  available: r.on_hand - r.reserved,
  reorderPoint: r.reorder_point,
  reorderQty: r.reorder_qty,
  preferredVendorId: r.preferred_vendor_id,
  inTransit: Number(r.in_transit ?? 0),
  version: Number(r.version),
});

const inTransitColumn = sql`(select coalesce(sum(tl.qty - tl.received), 0)
   from inventory.transfer_lines tl join inventory.transfers t on t.id = tl.transfer_id
   where t.to_warehouse_id = s.warehouse_id and tl.sku = s.sku
     and t.status in ('in_transit', 'partially_received')) as in_transit`;

const cursorSchema = z.object({ sku: z.string() });

export async function listStock(
  q: Queryable,
  warehouseId: string,
  query: { limit: number; cursor?: string | undefined; belowReorderPoint?: boolean | undefined },
) {
  const after = query.cursor ? decodeCursor(query.cursor, cursorSchema).sku : null;
  const { rows } = await q.execute<LevelRow>(sql`
    select s.sku, s.on_hand, s.reserved, s.reorder_point, s.reorder_qty, s.preferred_vendor_id,
           s.version, ${inTransitColumn}
    from inventory.stock_levels s
    where s.warehouse_id = ${warehouseId}
      and (${after}::text is null or s.sku > ${after}::text)
      and (not ${query.belowReorderPoint ?? false}::boolean
           or (s.reorder_point is not null and s.on_hand - s.reserved <= s.reorder_point))
    order by s.sku
    limit ${query.limit + 1}`);
  const items = rows.slice(0, query.limit).map(levelFromRow);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ sku: last.sku }) : null };
}

/** Sets a level's reorder point and quantity, creating an empty level for a sku new here. */
export async function setReorder(
  db: Database,
  warehouseId: string,
  sku: string,
  input: ReorderSettings,
): Promise<StockLevelView> {
  const canonical = await canonicalSku(db, sku, 'sku');
  const { rows } = await db.execute<LevelRow>(sql`
    insert into inventory.stock_levels as s
      (warehouse_id, sku, reorder_point, reorder_qty, preferred_vendor_id)
    values (${warehouseId}, ${canonical}, ${input.reorderPoint}, ${input.reorderQty},
            ${input.preferredVendorId ?? null})
    on conflict (warehouse_id, sku) do update
      set reorder_point = excluded.reorder_point, reorder_qty = excluded.reorder_qty,
          preferred_vendor_id = excluded.preferred_vendor_id, updated_at = now()
    returning s.sku, s.on_hand, s.reserved, s.reorder_point, s.reorder_qty, s.preferred_vendor_id,
              s.version, ${inTransitColumn}`);
  return levelFromRow(returnedRow(rows));
}

/** Available units of these skus per warehouse (in a scope), by the catalog's spelling. */
export async function readAvailable(
  q: Queryable,
  skus: readonly string[],
  scope: 'all' | string[],
): Promise<{ warehouseId: string; sku: string; available: number }[]> {
  const { rows } = await q.execute<{ warehouse_id: string; sku: string; available: number }>(sql`
    select s.warehouse_id, s.sku, s.on_hand - s.reserved as available
    from inventory.stock_levels s
    where lower(s.sku) = any(${arrayParam(skus.map((k) => k.toLowerCase()))}::text[]) -- the index
      and s.sku = any(${arrayParam(skus)}::text[])
      and (${scopeParam(scope)}::uuid[] is null
           or s.warehouse_id = any(${scopeParam(scope)}::uuid[]))
      and s.on_hand > s.reserved`);
  return rows.map((r) => ({ warehouseId: r.warehouse_id, sku: r.sku, available: Number(r.available) }));
}
