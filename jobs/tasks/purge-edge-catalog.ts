import { defineTask } from '../task.ts';

/**
 * After product changes: tells the edge to move to a new catalog generation, so cached catalog
 * reads everywhere are replaced within a second. Enqueued with one job key, so a bulk import
 * collapses into one purge. A failed call throws, and graphile-worker retries it.
 */
export const purgeEdgeCatalog = defineTask('purge-edge-catalog', async (_payload, { edge, log }) => {
  if (!edge) {
    log.debug('no edge configured: nothing to purge');
    return;
  }
  const { generation } = await edge.purgeCatalog();
  log.info('edge catalog purged', { generation });
});
