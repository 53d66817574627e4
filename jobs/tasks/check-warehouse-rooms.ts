import { sql } from 'drizzle-orm';
import { defineTask } from '../task.ts';

/**
 * Nightly: compares every warehouse room at the edge with Postgres and repairs any drift,
 * logging each repaired level (what the room had, what Postgres has). Idempotent: a second run
 * finds nothing to repair.
 */
export const checkWarehouseRooms = defineTask(
  'check-warehouse-rooms',
  async (_payload, { db, edge, log }) => {
    if (!edge) {
      log.debug('no edge configured: no warehouse rooms to check');
      return;
    }
    const readLevels = async (warehouseId: string, skus: string[] | null) => {
      const { rows } = await db.execute<{
        sku: string;
        on_hand: number;
        reserved: number;
        version: string;
      }>(sql`
      select sku, on_hand, reserved, version from inventory.stock_levels
      where warehouse_id = ${warehouseId}
        and (${skus ? sql.param(skus) : null}::text[] is null or sku = any(${skus ? sql.param(skus) : null}::text[]))`);
      return rows.map((r) => ({
        sku: r.sku,
        onHand: r.on_hand,
        reserved: r.reserved,
        version: Number(r.version),
      }));
    };
    const { rows: sites } = await db.execute<{ id: string }>(
      sql`select id from inventory.warehouses order by code`,
    );
    let repairedTotal = 0;
    for (const { id } of sites) {
      const first = await edge.reconcile(id, await readLevels(id, null), false);
      let repaired = first.repaired;
      // The room is ahead of what we read: read again; if Postgres is still older, the room is wrong.
      if (first.ahead.length > 0)
        repaired = repaired.concat(
          (await edge.reconcile(id, await readLevels(id, first.ahead), true)).repaired,
        );
      if (repaired.length > 0)
        log.warn('warehouse room drifted from Postgres; repaired', { warehouseId: id, repaired });
      repairedTotal += repaired.length;
    }
    log.info('warehouse rooms checked', { warehouses: sites.length, repaired: repairedTotal });
  },
);
