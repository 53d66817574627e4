import { createLocalInventoryClient } from '../../core/inventory/client.ts';
import { runReplenishment } from '../../core/purchasing/replenishment.ts';
import { defineTask } from '../task.ts';

/**
 * Cron, and right after stock.low: drafts purchase-order lines for levels below their reorder
 * point, once per shortfall (safe to run twice at once: see core/purchasing/replenishment.ts).
 */
export const replenishTask = defineTask('replenish', async (payload, { db, log }) => {
  const result = await runReplenishment(db, createLocalInventoryClient(db), {
    warehouseIds: payload.warehouseIds ?? null,
    requestId: null,
  });
  if (result.lines.length > 0 || result.noVendor.length > 0)
    log.info('replenishment drafted', { lines: result.lines.length, noVendor: result.noVendor.length });
});
