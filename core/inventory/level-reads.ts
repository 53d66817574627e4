/**
 * Inventory's read queries for the warehouse rooms, as plain SQL run by both core's drivers
 * (the jobs runner's node-postgres pool, `db.$client`) and the edge worker (the Neon driver),
 * as core/catalog/product-reads.ts does for products. The edge's database role may read exactly
 * these columns (see db/edge-role.test.ts). No Node-only or Bun-only imports: the edge bundles it.
 */
import type { LevelUpdate } from '../platform/room-contract.ts';
import type { SqlClient } from '../platform/sql-client.ts';

/** A warehouse as the rooms know it: its id, and the code it is listed by. */
export interface WarehouseEntry {
  id: string;
  code: string;
}

/** Every warehouse, by code. */
export async function readWarehouseDirectory(client: SqlClient): Promise<WarehouseEntry[]> {
  const { rows } = await client.query('select id, code from inventory.warehouses order by code');
  return rows.map((r) => ({ id: String(r.id), code: String(r.code) }));
}

/**
 * A warehouse's stock levels with the ledger version each reflects: all of them, or only these
 * skus (as stored). Versions are bigints, read as numbers.
 */
export async function readStockLevels(
  client: SqlClient,
  warehouseId: string,
  skus: readonly string[] | null = null,
): Promise<LevelUpdate[]> {
  const { rows } = await client.query(
    `select sku, on_hand, reserved, version from inventory.stock_levels
     where warehouse_id = $1 and ($2::text[] is null or sku = any($2::text[]))`,
    [warehouseId, skus],
  );
  return rows.map((r) => ({
    sku: String(r.sku),
    onHand: Number(r.on_hand),
    reserved: Number(r.reserved),
    version: Number(r.version),
  }));
}
