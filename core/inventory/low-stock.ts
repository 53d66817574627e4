/**
 * stock.low, once per crossing: a level whose available falls to or below its reorder point is
 * marked (low_since) and announced; it is unmarked when it recovers, so the next fall announces
 * again. One statement marks and returns the crossings, under the rows' locks, so two runs at
 * once cannot announce one crossing twice.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { enqueueEvents, enqueueJob } from '../platform/outbox.ts';

interface Crossing extends Record<string, unknown> {
  warehouse_id: string;
  sku: string;
  on_hand: number;
  reserved: number;
  reorder_point: number;
  reorder_qty: number | null;
  preferred_vendor_id: string | null;
  version: number | string;
}

export async function detectLowStock(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`
      update inventory.stock_levels set low_since = null
      where low_since is not null and (reorder_point is null or on_hand - reserved > reorder_point)`);
    const { rows } = await tx.execute<Crossing>(sql`
      update inventory.stock_levels set low_since = now()
      where low_since is null and reorder_point is not null and on_hand - reserved <= reorder_point
      returning warehouse_id, sku, on_hand, reserved, reorder_point, reorder_qty, preferred_vendor_id, version`);
    await enqueueEvents(
      tx,
      rows.map((r) => ({
        type: 'stock.low' as const,
        warehouseId: r.warehouse_id,
        data: {
          sku: r.sku,
          onHand: r.on_hand,
          reserved: r.reserved,
          available: r.on_hand - r.reserved,
          reorderPoint: r.reorder_point,
          reorderQty: r.reorder_qty,
          preferredVendorId: r.preferred_vendor_id,
          version: Number(r.version),
        },
      })),
    );
    // Purchasing drafts the reorders now rather than at its next scheduled run (one pending run).
    if (rows.length > 0) await enqueueJob(tx, 'replenish', {}, { jobKey: 'replenish' });
    return rows.length;
  });
}
