import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { processMetrics } from '../core/platform/metrics.ts';
import { onShutdown } from '../core/platform/shutdown.ts';
import { startProcessTracer } from '../core/platform/trace-context.ts';
import { openLocalDatabase } from '../db/local-database.ts';
import { serveJobsHealth } from './health.ts';
import { startJobs } from './worker.ts';

const cfg = config();
const log = createLogger({ service: 'jobs' }, cfg.LOG_LEVEL);
const database = await openLocalDatabase((line) => log.debug(line));
const edge =
  cfg.EDGE_URL && cfg.EDGE_INTERNAL_SECRET
    ? { url: cfg.EDGE_URL, secret: cfg.EDGE_INTERNAL_SECRET }
    : undefined;
if (!edge)
  log.warn(
    'EDGE_URL or EDGE_INTERNAL_SECRET unset: the edge catalog cache is not purged on changes, and no warehouse room is fed',
  );
const traces =
  cfg.OTEL_EXPORTER_OTLP_ENDPOINT &&
  startProcessTracer(cfg.OTEL_EXPORTER_OTLP_ENDPOINT, 'varastokkr-jobs', log);
const jobs = await startJobs({
  databaseUrl: database.url,
  concurrency: cfg.JOBS_CONCURRENCY,
  log,
  edge,
  ...(traces ? { tracer: traces.tracer } : {}),
});
log.info('jobs running', { concurrency: cfg.JOBS_CONCURRENCY });
// Running until either runner settles: stopped on SIGTERM, or ended by a fatal error.
let running = true;
const stopped = () => {
  running = false;
};
Promise.race([jobs.runner.promise, jobs.deliveries.promise]).then(stopped, stopped);
const health =
  cfg.JOBS_HEALTH_PORT === undefined
    ? undefined
    : serveJobsHealth({
        hostname: cfg.JOBS_HEALTH_HOST,
        port: cfg.JOBS_HEALTH_PORT,
        running: () => running,
        metrics: {
          access: { token: cfg.METRICS_TOKEN, production: cfg.NODE_ENV === 'production' },
          registries: [jobs.metrics, processMetrics],
        },
      });
if (health)
  log.info('jobs health listening', {
    url: `http://${cfg.JOBS_HEALTH_HOST}:${health.port}/healthz`,
    metrics: `http://${cfg.JOBS_HEALTH_HOST}:${health.port}/metrics`,
  });

onShutdown(async (signal) => {
  log.info('stopping: letting running jobs finish', { signal });
  await jobs.stop();
  if (traces) await traces.stop();
  await health?.stop();
  await database.stop();
});
