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

/** A submitted purchase order as a warehouse room keeps it: enough to tell what is on order. */
export interface OpenPurchaseOrder {
  id: string;
  version: number;
  status: string;
  expectedAt: string | null;
  lines: { sku: string; qty: number; received: number }[];
}

/**
 * The warehouse's submitted purchase orders with units still to come (a room's rebuild; the
 * room then follows purchase_order.updated events, newest version winning).
 */
export async function readOpenPurchaseOrders(
  client: SqlClient,
  warehouseId: string,
): Promise<OpenPurchaseOrder[]> {
  const { rows } = await client.query(
    `select p.id, p.version, p.status, p.expected_at,
            json_agg(json_build_object('sku', l.sku, 'qty', l.qty, 'received', l.received)) as lines
     from purchasing.purchase_orders p
     join purchasing.purchase_order_lines l on l.purchase_order_id = p.id
     where p.warehouse_id = $1 and p.status in ('submitted', 'partially_received')
     group by p.id, p.version, p.status, p.expected_at`,
    [warehouseId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    version: Number(r.version),
    status: String(r.status),
    expectedAt: r.expected_at ? new Date(r.expected_at as Date | string).toISOString() : null,
    lines: (typeof r.lines === 'string' ? JSON.parse(r.lines) : r.lines) as OpenPurchaseOrder['lines'],
  }));
}

/**
 * On order per sku (any spelling) from purchase orders as a room holds them: what submitted
 * ones have not received yet, and the earliest expected date among those still bringing some.
 */
export function onOrderFrom(
  orders: readonly OpenPurchaseOrder[],
  warehouseId: string,
  skus: readonly string[],
): OnOrder[] {
  const wanted = new Set(skus.map((s) => s.toLowerCase()));
  const bySku = new Map<string, OnOrder>();
  for (const po of orders) {
    if (po.status !== 'submitted' && po.status !== 'partially_received') continue;
    for (const line of po.lines) {
      const open = line.qty - line.received;
      if (open <= 0 || !wanted.has(line.sku.toLowerCase())) continue;
      const held = bySku.get(line.sku) ?? { warehouseId, sku: line.sku, onOrder: 0, nextExpectedAt: null };
      held.onOrder += open;
      if (po.expectedAt && (held.nextExpectedAt === null || po.expectedAt < held.nextExpectedAt))
        held.nextExpectedAt = po.expectedAt;
      bySku.set(line.sku, held);
    }
  }
  return [...bySku.values()];
}
