import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { openLocalDatabase } from '../db/local-database.ts';
import { startJobs } from './worker.ts';

const cfg = config();
const log = createLogger({ service: 'jobs' }, cfg.LOG_LEVEL);
const database = await openLocalDatabase((line) => log.debug(line));
const jobs = await startJobs({ databaseUrl: database.url, concurrency: cfg.JOBS_CONCURRENCY, log });
log.info('jobs running', { concurrency: cfg.JOBS_CONCURRENCY });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping: letting running jobs finish', { signal });
    await jobs.stop();
    await database.stop();
    process.exit(0);
  });
}
