import { defineTask } from '../task.ts';

/**
 * Feeds a warehouse room at the edge with the levels one stock change left behind (enqueued in
 * the change's transaction by inventory.publish_stock_changes, one job per warehouse). The room
 * applies each level only if its version is newer, so a retry, a duplicate or a late job
 * changes nothing; one that overtook an earlier job is held by the room until that one arrives. A failed call throws, and graphile-worker retries it.
 */
export const pushWarehouseLevels = defineTask('push-warehouse-levels', async (payload, { edge, log }) => {
  if (!edge) {
    log.debug('no edge configured: no warehouse room to feed');
    return;
  }
  const res = await fetch(new URL(`/internal/warehouses/${payload.warehouseId}/levels`, edge.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ levels: payload.levels }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`the edge answered ${res.status} to a warehouse room push`);
  const { applied, stale, held } = (await res.json()) as { applied: number; stale: number; held: number };
  log.debug('warehouse room fed', { warehouseId: payload.warehouseId, applied, stale, held });
});
