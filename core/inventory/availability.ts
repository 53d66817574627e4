import type { SqlClient } from '../catalog/product-reads.ts';
import { type OnOrder, readOnOrder } from '../purchasing/on-order-reads.ts';

export interface WarehouseAvailability {
  warehouseId: string;
  code: string;
  onHand: number;
  reserved: number;
  available: number;
  version: number;
  /** On submitted purchase orders, not yet received (read from Postgres, also by the edge). */
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
  const onOrder = await readOnOrder(client, scope === 'all' ? null : scope, [sku]);
  const levels = rows.map((r) => ({
    warehouseId: String(r.warehouse_id),
    code: String(r.code),
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    available: Number(r.on_hand) - Number(r.reserved),
    version: Number(r.version),
  }));
  const codes = await warehouseCodes(
    client,
    onOrder.map((o) => o.warehouseId).filter((id) => !levels.some((l) => l.warehouseId === id)),
  );
  const warehouses = withOnOrder(levels, onOrder, codes);
  return {
    sku,
    warehouses,
    available: warehouses.reduce((n, w) => n + w.available, 0),
    onOrder: warehouses.reduce((n, w) => n + (w.onOrder ?? 0), 0),
  };
}

type LevelAvailability = Omit<WarehouseAvailability, 'onOrder' | 'nextExpectedAt'>;

/**
 * Each warehouse's level with its on order, plus the warehouses where the sku is on order but
 * has no level yet (nothing on hand, version 0), in code order. The edge answers the same way.
 */
export function withOnOrder(
  levels: LevelAvailability[],
  onOrder: OnOrder[],
  codes: ReadonlyMap<string, string>,
): WarehouseAvailability[] {
  const byWarehouse = new Map(onOrder.map((o) => [o.warehouseId, o]));
  const listed = levels.map((l) => {
    const o = byWarehouse.get(l.warehouseId);
    return { ...l, onOrder: o?.onOrder ?? 0, nextExpectedAt: o?.nextExpectedAt ?? null };
  });
  const orderedOnly = onOrder
    .filter((o) => !levels.some((l) => l.warehouseId === o.warehouseId))
    .flatMap((o) => {
      const code = codes.get(o.warehouseId);
      if (code === undefined) return [];
      return [
        {
          warehouseId: o.warehouseId,
          code,
          onHand: 0,
          reserved: 0,
          available: 0,
          version: 0,
          onOrder: o.onOrder,
          nextExpectedAt: o.nextExpectedAt,
        },
      ];
    });
  return [...listed, ...orderedOnly].sort((a, b) => a.code.localeCompare(b.code));
}

/** Codes of these warehouses, by id. */
async function warehouseCodes(client: SqlClient, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await client.query(
    'select id, code from inventory.warehouses where id = any($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((r) => [String(r.id), String(r.code)]));
}
