import { mergeCatalogChanges } from '../../core/catalog/catalog-changes.ts';
import { defineTask } from '../task.ts';

/**
 * After catalog changes: tells the edge what changed (the skus and barcodes; everything for a
 * new warehouse), so the cached reads that depend on them are replaced within a second and the
 * others stay. Enqueued with one job key and an array payload, which graphile-worker appends to
 * while the job waits: a burst of edits or a bulk import is one purge naming all of them (or
 * everything, past MAX_NAMED_SKUS). A failed call throws, and graphile-worker retries it.
 */
export const purgeEdgeCatalog = defineTask('purge-edge-catalog', async (payload, { edge, log }) => {
  if (!edge) {
    log.debug('no edge configured: nothing to purge');
    return;
  }
  // A payload from before per-product purges (`{}`) asked for everything.
  const change = Array.isArray(payload) ? mergeCatalogChanges(payload) : ({ scope: 'all' } as const);
  const { generation } = await edge.purgeCatalog(change);
  log.info('edge catalog purged', {
    generation,
    skus: change.scope === 'products' ? change.skus.length : 'all',
  });
});
