import { readStockLevels, readWarehouseDirectory } from '../../core/inventory/level-reads.ts';
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
    const readLevels = (warehouseId: string, skus: string[] | null) =>
      readStockLevels(db.$client, warehouseId, skus);
    const sites = await readWarehouseDirectory(db.$client);
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
