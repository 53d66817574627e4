import { MongoArchive } from '../../core/audit/mongo-archive.ts';
import { config } from '../../core/platform/config.ts';
import { defineTask } from '../task.ts';

let archive: MongoArchive | undefined;

/**
 * Cron: copies new archived events and chained audit entries to MongoDB when MONGODB_URL is set
 * (core/audit/mongo-archive.ts); without it, does nothing.
 */
export const archiveToMongo = defineTask('archive-to-mongodb', async (_payload, { db, log }) => {
  const cfg = config();
  if (!cfg.MONGODB_URL) return;
  archive ??= new MongoArchive({
    url: cfg.MONGODB_URL,
    database: cfg.MONGODB_DATABASE,
    eventTtlDays: cfg.MONGODB_EVENT_TTL_DAYS,
  });
  const copied = await archive.copy(db.$client);
  if (copied.events + copied.audit > 0) log.info('copied to MongoDB', copied);
});
