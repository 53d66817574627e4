import { pruneEventArchive as pruneArchive } from '../../core/integrations/event-archive.ts';
import { config } from '../../core/platform/config.ts';
import { pruneDeliveries } from '../../core/webhooks/delivery-log.ts';
import { defineTask } from '../task.ts';

/**
 * Cron: drops archived events older than EVENT_ARCHIVE_DAYS, in bounded batches, and the settled
 * webhook deliveries of that age (their log; a replay needs the archived event anyway).
 */
export const pruneEventArchive = defineTask('prune-event-archive', async (_payload, { db, log }) => {
  const days = config().EVENT_ARCHIVE_DAYS;
  log.info('event archive pruned', {
    deleted: await pruneArchive(db, days),
    webhookDeliveries: await pruneDeliveries(db, days),
    olderThanDays: days,
  });
});
