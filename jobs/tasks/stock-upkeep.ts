import { pruneFailedJobs } from '../../core/integrations/jobs.ts';
import { pruneLevelFeed } from '../../core/inventory/level-feed.ts';
import { detectLowStock } from '../../core/inventory/low-stock.ts';
import { expireTransfers } from '../../core/inventory/transfer-expiry.ts';
import { config } from '../../core/platform/config.ts';
import { pruneRoomEventFeed } from '../../core/platform/event-outbox.ts';
import { pruneIdempotencyKeys } from '../../core/platform/idempotency.ts';
import { defineTask } from '../task.ts';

/** Cron: announces levels that fell to their reorder point (stock.low, once per crossing). */
export const detectLowStockTask = defineTask('detect-low-stock', async (_payload, { db, log }) => {
  const crossed = await detectLowStock(db);
  if (crossed > 0) log.info('stock.low announced', { levels: crossed });
});

/** Cron: Idempotency-Keys older than 24 hours no longer replay; drop them. */
export const pruneIdempotencyKeysTask = defineTask(
  'prune-idempotency-keys',
  async (_payload, { db, log }) => {
    log.info('idempotency keys pruned', { deleted: await pruneIdempotencyKeys(db) });
  },
);

/** Cron: changes and room events that waited a day in the rooms' feed (none, while a feeder runs). */
export const pruneLevelFeedTask = defineTask('prune-level-feed', async (_payload, { db, log }) => {
  const deleted = await pruneLevelFeed(db.$client, 24);
  const events = await pruneRoomEventFeed(db.$client, 24);
  if (deleted > 0 || events > 0)
    log.warn('room feed: changes a day old dropped; is the edge configured and up?', { deleted, events });
});

/** Cron: jobs that failed for good, once FAILED_JOB_DAYS old. */
export const pruneFailedJobsTask = defineTask('prune-failed-jobs', async (_payload, { db, log }) => {
  const days = config().FAILED_JOB_DAYS;
  log.info('failed jobs pruned', { deleted: await pruneFailedJobs(db, days), olderThanDays: days });
});

/** Cron: requested transfers not shipped before their expiry: cancelled, their stock released. */
export const expireTransfersTask = defineTask('expire-transfers', async (_payload, { db, log }) => {
  const cancelled = await expireTransfers(db);
  if (cancelled > 0) log.info('expired transfers cancelled', { transfers: cancelled });
});
