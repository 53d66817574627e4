import type { SqlClient } from '../catalog/product-reads.ts';
import { onOrderByLevel } from '../purchasing/on-order-reads.ts';

export interface WarehouseAvailability {
  warehouseId: string;
  code: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
  /** On submitted purchase orders, not yet received (core's answer; the edge's rooms do not carry it). */
  onOrder?: number;
  nextExpectedAt?: string | null;
}

export interface Availability {
  sku: string;
  warehouses: WarehouseAvailability[];
  available: number;
  onOrder?: number;
}

/**
 * What can be sold of a sku, per warehouse in the caller's scope and in all. Read from Postgres
 * until the real-time issue answers it from the warehouse rooms at the edge.
 */
export async function readAvailability(
  client: SqlClient,
  sku: string,
  scope: 'all' | string[],
): Promise<Availability> {
  const { rows } = await client.query(
    `select s.warehouse_id, s.sku, w.code, s.on_hand, s.reserved, s.version
     from inventory.stock_levels s
     join inventory.warehouses w on w.id = s.warehouse_id
     where lower(s.sku) = lower($1) and ($2::uuid[] is null or s.warehouse_id = any($2::uuid[]))
     order by w.code`,
    [sku, scope === 'all' ? null : scope],
  );
  const onOrder = await onOrderByLevel(
    client,
    rows.map((r) => String(r.warehouse_id)),
    [...new Set(rows.map((r) => String(r.sku)))],
  );
  const warehouses = rows.map((r) => {
    const o = onOrder.get(`${r.warehouse_id}/${r.sku}`);
    return {
      warehouseId: String(r.warehouse_id),
      code: String(r.code),
      onHand: Number(r.on_hand),
      reserved: Number(r.reserved),
      available: Number(r.on_hand) - Number(r.reserved),
      version: Number(r.version),
      onOrder: o?.onOrder ?? 0,
      nextExpectedAt: o?.nextExpectedAt ?? null,
    };
  });
  return {
    sku,
    warehouses,
    available: warehouses.reduce((n, w) => n + w.available, 0),
    onOrder: warehouses.reduce((n, w) => n + (w.onOrder ?? 0), 0),
  };
}
