import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { onShutdown } from '../core/platform/shutdown.ts';
import { openLocalDatabase } from '../db/local-database.ts';
import { startJobs } from './worker.ts';

const cfg = config();
const log = createLogger({ service: 'jobs' }, cfg.LOG_LEVEL);
const database = await openLocalDatabase((line) => log.debug(line));
const jobs = await startJobs({ databaseUrl: database.url, concurrency: cfg.JOBS_CONCURRENCY, log });
log.info('jobs running', { concurrency: cfg.JOBS_CONCURRENCY });

onShutdown(async (signal) => {
  log.info('stopping: letting running jobs finish', { signal });
  await jobs.stop();
  await database.stop();
});
