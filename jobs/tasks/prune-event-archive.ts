import { pruneEventArchive as pruneArchive } from '../../core/integrations/event-archive.ts';
import { config } from '../../core/platform/config.ts';
import { defineTask } from '../task.ts';

/** Cron: drops archived events older than EVENT_ARCHIVE_DAYS, in bounded batches. */
export const pruneEventArchive = defineTask('prune-event-archive', async (_payload, { db, log }) => {
  const days = config().EVENT_ARCHIVE_DAYS;
  log.info('event archive pruned', { deleted: await pruneArchive(db, days), olderThanDays: days });
});
