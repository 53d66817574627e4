import { checkRooms } from '../room-check.ts';
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
    const { warehouses, drifted } = await checkRooms(db.$client, edge, { repair: true });
    for (const { warehouseId, levels } of drifted)
      log.warn('warehouse room drifted from Postgres; repaired', { warehouseId, repaired: levels });
    const repaired = drifted.reduce((n, d) => n + d.levels.length, 0);
    log.info('warehouse rooms checked', { warehouses, repaired });
  },
);
