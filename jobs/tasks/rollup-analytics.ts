import { rollUpAnalytics } from '../../core/analytics/rollup.ts';
import { defineTask } from '../task.ts';

/** Cron, every minute: the analytics rollups catch up with the ledger (core/analytics/rollup.ts). */
export const rollupAnalyticsTask = defineTask('rollup-analytics', async (_payload, { db, log }) => {
  const result = await rollUpAnalytics(db);
  if (result.movements > 0) log.info('analytics rolled up', { ...result });
});
