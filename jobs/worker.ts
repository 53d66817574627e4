import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseCrontab, type Runner, run, type WorkerEvents, Logger as WorkerLogger } from 'graphile-worker';
import { config } from '../core/platform/config.ts';
import { connectDatabase } from '../core/platform/database.ts';
import type { Logger } from '../core/platform/logger.ts';
import type { MetricsRegistry } from '../core/platform/metrics.ts';
import type { Tracer } from '../core/platform/tracing.ts';
import type { WebhookSettings } from '../core/webhooks/settings.ts';
import { type EdgeLink, edgeClient } from './edge-client.ts';
import { type EventMover, startEventMover } from './event-mover.ts';
import { jobsMetrics } from './metrics.ts';
import { type RoomFeed, type RoomFeedOptions, startRoomFeed } from './room-feed.ts';
import { tasks } from './tasks/index.ts';
import { registerWorkers } from './worker-registry.ts';

export interface JobsOptions {
  databaseUrl: string;
  concurrency: number;
  /** Webhook attempts sent at once, in slots of their own; unset, WEBHOOK_CONCURRENCY. */
  webhookConcurrency?: number;
  log: Logger;
  /** Off in tests that should not see cron jobs fire. */
  cron?: boolean;
  /** The edge worker, for tasks that call it (catalog cache purges) and the rooms' feed. */
  edge?: EdgeLink | undefined;
  /** Told of each tick of the rooms' feed (see jobs/room-feed.ts). */
  onFeedTick?: RoomFeedOptions['onTick'];
  /** Webhook delivery settings; unset, the configured ones. */
  webhooks?: WebhookSettings;
  /** Exports a span per job that continues a trace (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracer?: Tracer;
}

export interface JobsHandle {
  runner: Runner;
  /** The runner of webhook deliveries alone (see startJobs). */
  deliveries: Runner;
  /** The rooms' feed, when an edge is configured. */
  feed: RoomFeed | undefined;
  /** Moves the events' outbox: archived, fed to the rooms, to webhooks by job (jobs/event-mover.ts). */
  mover: EventMover;
  /** What GET /metrics on JOBS_HEALTH_PORT shows (jobs/metrics.ts). */
  metrics: MetricsRegistry;
  stop(): Promise<void>;
}

function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    // graphile-worker attaches the whole job row (payload included) to some messages: keep its id.
    const { job, ...rest } = (meta ?? {}) as { job?: { id?: string } } & Record<string, unknown>;
    const fields = { ...scope, ...rest, ...(job ? { jobId: job.id } : {}) };
    // The delivery runner's slots outnumber its connections on purpose (a delivery waits on its
    // receiver holding none): graphile-worker's warning about it would greet every start.
    if (message.startsWith('WARNING: having maxPoolSize')) log.debug(message, fields);
    else if (level === 'error') log.error(message, fields);
    else if (level === 'warning') log.warn(message, fields);
    // A line per job that succeeded is debug: under load it was most of the log (failures stay).
    else if (level === 'debug' || (meta as { success?: unknown } | undefined)?.success === true)
      log.debug(message, fields);
    else log.info(message, fields);
  });
}

/** The task that sends webhooks: it waits on receivers, so it runs in slots of its own. */
const DELIVERY_TASK = 'deliver-webhook';

/**
 * Starts graphile-worker on our task list and crontab, and beside it the warehouse rooms' feed
 * (jobs/room-feed.ts: it feeds while this process holds its lease) and the event mover
 * (jobs/event-mover.ts: the events' outbox into the archive, the rooms' feed and, when webhooks
 * may want them, publish-event jobs); stop() ends the feed's tick
 * and the mover's move, then drains running jobs.
 *
 * Webhook deliveries run in a second runner of their own: an attempt mostly waits on a
 * receiver (up to WEBHOOK_TIMEOUT_MS when it never answers), so sharing slots with the order
 * path's jobs would let a dead receiver slow stock reaching the rooms, and cheap waiting slots
 * can be many. Each runner only fetches the tasks it knows, so the two never take each
 * other's jobs; a subscription's own queue still sends its deliveries one at a time.
 */
export async function startJobs(opts: JobsOptions): Promise<JobsHandle> {
  // graphile-worker needs concurrency + 2 connections of its own; the tasks share the pool.
  // Asynchronous commit: every task is idempotent and a job whose completion was lost in a crash
  // runs again, so the runner need not wait for a WAL flush per job; the requests' own commits
  // then share the disk with fewer flushes.
  const handle = connectDatabase(opts.databaseUrl, {
    max: opts.concurrency * 2 + 2,
    application: 'varastokkr-jobs',
    log: opts.log,
    asyncCommit: true,
  });
  const webhookConcurrency = opts.webhookConcurrency ?? config().WEBHOOK_CONCURRENCY;
  // A delivery holds no connection while it waits on the receiver: a few serve many slots.
  const deliveryHandle = connectDatabase(opts.databaseUrl, {
    max: Math.min(webhookConcurrency, 6) + 2,
    application: 'varastokkr-webhooks',
    log: opts.log,
    asyncCommit: true,
  });
  const deps = {
    db: handle.db,
    log: opts.log,
    edge: opts.edge,
    webhooks: opts.webhooks,
    tracer: opts.tracer,
  };
  const { [DELIVERY_TASK]: delivery, ...others } = tasks;
  const taskList = Object.fromEntries(Object.entries(others).map(([name, make]) => [name, make(deps)]));
  const crontab = readFileSync(new URL('./crontab', import.meta.url), 'utf8');
  // One emitter for both runners: the registry sees every worker, so a kill frees all their jobs.
  const events: WorkerEvents = new EventEmitter();
  const registry = registerWorkers(events, handle.db, opts.log);
  const metrics = jobsMetrics(handle.db, events);
  const runner = await run({
    events,
    pgPool: handle.pool,
    concurrency: opts.concurrency,
    taskList,
    parsedCronItems: parseCrontab(opts.cron === false ? '' : crontab),
    noHandleSignals: true,
    logger: workerLogger(opts.log),
  });
  const deliveries = await run({
    events,
    pgPool: deliveryHandle.pool,
    concurrency: webhookConcurrency,
    taskList: { [DELIVERY_TASK]: delivery({ ...deps, db: deliveryHandle.db }) },
    parsedCronItems: [],
    noHandleSignals: true,
    logger: workerLogger(opts.log),
  });
  // Without an edge there are no rooms to feed: no feeder (a replica missing EDGE_URL must not
  // take the lease and starve the rooms); what waits in the feed is pruned after a day.
  const feedEdge = opts.edge && edgeClient(opts.edge);
  const feed =
    feedEdge &&
    startRoomFeed({
      databaseUrl: opts.databaseUrl,
      edge: feedEdge,
      log: opts.log,
      ...(opts.onFeedTick ? { onTick: opts.onFeedTick } : {}),
    });
  const mover = startEventMover({ databaseUrl: opts.databaseUrl, log: opts.log });
  return {
    runner,
    deliveries,
    feed,
    mover,
    metrics,
    stop: async () => {
      await Promise.all([feed?.stop(), mover.stop()]);
      feedEdge?.close(); // after the feed's last tick
      await Promise.all([runner.stop(), deliveries.stop()]);
      await registry.stop();
      await Promise.all([handle.close(), deliveryHandle.close()]);
    },
  };
}
