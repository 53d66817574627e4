import { takeQueuedJobs } from '../../core/integrations/jobs.ts';
import type { Transaction } from '../../core/platform/database.ts';
import { type TaskPayload, taskPayloads } from '../../core/platform/events.ts';
import { defineTask } from '../task.ts';

type Push = TaskPayload<'push-warehouse-levels'>;

/** At most this many queued pushes ride along with one call. */
const TAKE_AT_MOST = 200;

/**
 * Takes the pushes for this warehouse still waiting in the queue, inside the caller's
 * transaction: committed, they are done; rolled back (the call failed, the runner died), they
 * are queued again (see takeQueuedJobs).
 */
async function takeQueuedPushes(tx: Transaction, warehouseId: string): Promise<Push[]> {
  // inventory.publish_stock_changes flags each push with its warehouse.
  const payloads = await takeQueuedJobs(
    tx,
    'push-warehouse-levels',
    `warehouse:${warehouseId}`,
    TAKE_AT_MOST,
  );
  return payloads.flatMap((payload) => {
    const parsed = taskPayloads['push-warehouse-levels'].safeParse(payload);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * Feeds a warehouse room at the edge with the levels stock changes left behind (enqueued in
 * each change's transaction by inventory.publish_stock_changes, one job per warehouse). Under
 * load many wait for the same room: the first to run takes the others along, so one call
 * carries them all instead of one call each. The room applies each level only if its version
 * is newer, so a retry, a duplicate or a late job changes nothing; one that overtook an earlier
 * job is held by the room until that one arrives. A failed call throws, and graphile-worker
 * retries it.
 */
export const pushWarehouseLevels = defineTask('push-warehouse-levels', async (payload, { db, edge, log }) => {
  if (!edge) {
    log.debug('no edge configured: no warehouse room to feed');
    return;
  }
  await db.transaction(async (tx) => {
    const along = await takeQueuedPushes(tx, payload.warehouseId);
    const levels = [payload, ...along].flatMap((p) => p.levels);
    const fed = await edge.pushLevels(payload.warehouseId, levels);
    log.debug('warehouse room fed', { warehouseId: payload.warehouseId, pushes: 1 + along.length, ...fed });
  });
});
