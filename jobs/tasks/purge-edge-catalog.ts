import { mergeCatalogChanges } from '../../core/catalog/catalog-changes.ts';
import { defineBatchTask } from '../task.ts';

/**
 * After catalog changes: tells the edge what changed (the skus and barcodes; everything for a
 * new warehouse), so the cached reads that depend on them are replaced within a second and the
 * others stay. A batch task under one job key (jobs/task.ts defineBatchTask): a burst of edits or
 * a bulk import waiting for the runner is one purge naming all of them (or everything, past
 * MAX_NAMED_SKUS). A failed call is queued again under the key, where later changes join it
 * while it waits out its backoff, so a purge is not lost when a new change took the running
 * job's key meanwhile, and an edge that was down gets one purge when it is back.
 */
export const purgeEdgeCatalog = defineBatchTask(
  'purge-edge-catalog',
  async (changes, { edge, log }) => {
    if (!edge) {
      log.debug('no edge configured: nothing to purge');
      return [];
    }
    // A failed call throws: the task then queues every change again (defineBatchTask).
    const change = mergeCatalogChanges(changes);
    const { generation } = await edge.purgeCatalog(change);
    log.info('edge catalog purged', {
      generation,
      skus: change.scope === 'products' ? change.skus.length : 'all',
    });
    return [];
  },
  { retryKey: 'purge-edge-catalog' },
);
