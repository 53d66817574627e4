import { sql } from 'drizzle-orm';
import { eventArchive } from '../../core/integrations/tables.ts';
import { config } from '../../core/platform/config.ts';
import { defineTask } from '../task.ts';

/** Cron: drops archived events older than EVENT_ARCHIVE_DAYS, in bounded batches. */
export const pruneEventArchive = defineTask('prune-event-archive', async (_payload, { db, log }) => {
  const days = config().EVENT_ARCHIVE_DAYS;
  let total = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from ${eventArchive} where id in (
        select id from ${eventArchive}
        where occurred_at < now() - make_interval(days => ${days})
        limit 5000)`);
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < 5000) break;
  }
  log.info('event archive pruned', { deleted: total, olderThanDays: days });
});
