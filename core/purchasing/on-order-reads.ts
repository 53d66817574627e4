/**
 * What is on order per (warehouse, sku), as plain SQL any driver runs: inventory shows it on
 * stock levels and availability, without reading purchasing's tables itself. On order is what
 * submitted purchase orders have not received yet (a closed or cancelled one has none left),
 * plus receipts not yet applied to the ledger.
 */
import type { SqlClient } from '../platform/sql-client.ts';

export interface OnOrder {
  warehouseId: string;
  sku: string;
  onOrder: number;
  /** The earliest expected date of a purchase order with units still to come. */
  nextExpectedAt: string | null;
}

/**
 * On order in these warehouses (null: all), for these skus (null: all; any spelling, each row
 * in the purchase order's), with drafts too if asked.
 */
export async function readOnOrder(
  client: SqlClient,
  warehouseIds: readonly string[] | null,
  skus: readonly string[] | null,
  opts: { includeDrafts?: boolean } = {},
): Promise<OnOrder[]> {
  const statuses = opts.includeDrafts
    ? ['draft', 'submitted', 'partially_received']
    : ['submitted', 'partially_received'];
  // A receipt recorded but not yet in inventory's ledger still counts as on order: between the
  // two, the units are in neither place, and a replenishment run must not order them again.
  const { rows } = await client.query(
    `with open_lines as (
       select p.warehouse_id, l.sku, greatest(l.qty - l.received, 0) as qty,
              case when p.status <> 'draft' then p.expected_at end as expected_at
       from purchasing.purchase_order_lines l
       join purchasing.purchase_orders p on p.id = l.purchase_order_id
       where p.status = any($1::text[]) and l.qty > l.received
       union all
       select p.warehouse_id, e.line->>'sku', (e.line->>'qty')::int, null
       from purchasing.receipts r
       join purchasing.purchase_orders p on p.id = r.purchase_order_id
       cross join lateral jsonb_array_elements(r.lines) as e(line)
       where r.applied_at is null)
     select warehouse_id, sku, sum(qty) as on_order, min(expected_at) as next_expected_at
     from open_lines
     where ($2::uuid[] is null or warehouse_id = any($2::uuid[]))
       and ($3::text[] is null or lower(sku) = any($3::text[]))
     group by warehouse_id, sku`,
    // Skus as the catalog compares them (case-insensitively): a caller may hold another spelling.
    [statuses, warehouseIds, skus?.map((k) => k.toLowerCase()) ?? null],
  );
  return rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    sku: String(r.sku),
    onOrder: Number(r.on_order),
    // node-postgres gives a Date, the Neon driver a string.
    nextExpectedAt: r.next_expected_at ? new Date(r.next_expected_at as Date | string).toISOString() : null,
  }));
}

/** The same, keyed `${warehouseId}/${sku}`. */
export async function onOrderByLevel(
  client: SqlClient,
  warehouseIds: readonly string[] | null,
  skus: readonly string[] | null,
  opts: { includeDrafts?: boolean } = {},
): Promise<Map<string, OnOrder>> {
  const rows = await readOnOrder(client, warehouseIds, skus, opts);
  return new Map(rows.map((r) => [`${r.warehouseId}/${r.sku}`, r]));
}
