/**
 * The jobs runner's Prometheus metrics (GET /metrics on JOBS_HEALTH_PORT): the state of the work
 * waiting in Postgres, read when scraped (at most once a second, however many scrapers), and the
 * jobs this runner finished, counted as they finish.
 *
 * - The job queue through graphile-worker's public `graphile_worker.jobs` view only: runnable
 *   jobs (due, unlocked, attempts left) and the age of the oldest, running and failed-for-good.
 * - The rooms' feed: changes waiting in inventory.level_feed and how long the oldest has waited
 *   (the lag between a stock change and the rooms seeing it), and the room events waiting.
 * - The events' outbox: statements whose events wait for the event mover, and the oldest's age.
 * - The webhook backlog: pending deliveries already due, and how long the oldest is overdue.
 *
 * These describe the database, not this process: every runner reports the same values (alert on
 * max(), not sum()).
 */
import { EventEmitter } from 'node:events';
import type { WorkerEvents } from 'graphile-worker';
import { levelFeedBacklog } from '../core/inventory/level-feed.ts';
import type { Database } from '../core/platform/database.ts';
import { eventOutboxBacklog, roomEventFeedBacklog } from '../core/platform/event-outbox.ts';
import { jobQueueByTask, type TaskQueue } from '../core/platform/job-queue-state.ts';
import { type GaugeReading, MetricsRegistry } from '../core/platform/metrics.ts';
import { sharedResult } from '../core/platform/shared-result.ts';
import { dueDeliveryBacklog } from '../core/webhooks/due-deliveries.ts';

interface WaitingWork {
  tasks: TaskQueue[];
  feed: { waiting: number; oldestSeconds: number };
  outbox: { waiting: number; oldestSeconds: number };
  roomEvents: { waiting: number; oldestSeconds: number };
  webhooks: { due: number; oldestSeconds: number };
}

async function readWaitingWork(db: Database): Promise<WaitingWork> {
  const [tasks, feed, outbox, roomEvents, webhooks] = await Promise.all([
    jobQueueByTask(db),
    levelFeedBacklog(db),
    eventOutboxBacklog(db),
    roomEventFeedBacklog(db),
    dueDeliveryBacklog(db),
  ]);
  return { tasks, feed, outbox, roomEvents, webhooks };
}

/** The jobs runner's registry: scraped gauges over `db`, and counters fed by `events`. */
export function jobsMetrics(db: Database, events: WorkerEvents): MetricsRegistry {
  return registryOver(() => readWaitingWork(db), events);
}

/** The metrics a jobs runner exports, named without a database (for deploy:check). */
export function jobsMetricFamilies(): { name: string; type: string }[] {
  const noDatabase = () => Promise.reject(new Error('no database'));
  return registryOver(noDatabase, new EventEmitter()).families();
}

function registryOver(read: () => Promise<WaitingWork>, events: WorkerEvents): MetricsRegistry {
  const registry = new MetricsRegistry();
  const work = sharedResult(read, 1000);
  const perTask = (value: (q: TaskQueue) => number) => async (): Promise<GaugeReading[]> =>
    (await work.get()).tasks.map((q) => ({ labels: { task: q.task }, value: value(q) }));
  const one = (value: (w: WaitingWork) => number) => async (): Promise<GaugeReading[]> => [
    { value: value(await work.get()) },
  ];
  registry.gauge(
    'varastokkr_jobs_runnable',
    'Jobs due and waiting for a worker, by task (graphile_worker.jobs).',
    perTask((q) => q.runnable),
  );
  registry.gauge(
    'varastokkr_jobs_oldest_runnable_age_seconds',
    'How long the oldest runnable job has been due, by task (0 when none waits).',
    perTask((q) => q.oldestRunnableSeconds),
  );
  registry.gauge(
    'varastokkr_jobs_running',
    'Jobs locked by a worker, by task.',
    perTask((q) => q.running),
  );
  registry.gauge(
    'varastokkr_jobs_failed',
    'Jobs out of attempts (failed for good, retryable from GET /api/jobs), by task.',
    perTask((q) => q.failed),
  );
  registry.gauge(
    'varastokkr_room_feed_waiting_levels',
    'Stock level changes written but not yet acknowledged by the warehouse rooms.',
    one((w) => w.feed.waiting),
  );
  registry.gauge(
    'varastokkr_room_feed_lag_seconds',
    'How long the oldest change waiting for the rooms has waited (0 when the feed is empty).',
    one((w) => w.feed.oldestSeconds),
  );
  registry.gauge(
    'varastokkr_room_feed_waiting_events',
    'Order, transfer and purchase order events moved but not yet acknowledged by the warehouse rooms.',
    one((w) => w.roomEvents.waiting),
  );
  registry.gauge(
    'varastokkr_event_outbox_waiting',
    'Statements whose domain events wait in the outbox for the event mover (platform.event_outbox).',
    one((w) => w.outbox.waiting),
  );
  registry.gauge(
    'varastokkr_event_outbox_lag_seconds',
    'How long the oldest events waiting in the outbox have waited (0 when it is empty).',
    one((w) => w.outbox.oldestSeconds),
  );
  registry.gauge(
    'varastokkr_webhook_backlog',
    'Webhook deliveries pending and due (not yet sent, or due for a retry).',
    one((w) => w.webhooks.due),
  );
  registry.gauge(
    'varastokkr_webhook_oldest_due_age_seconds',
    'How long the most overdue pending webhook delivery has been due (0 when none).',
    one((w) => w.webhooks.oldestSeconds),
  );
  const finished = registry.counter(
    'varastokkr_jobs_finished_total',
    'Job attempts this runner finished, by task and outcome (success; error: the attempt failed; failed: it was the last attempt, counted under error too).',
  );
  events.on('job:success', ({ job }) => finished.inc({ task: job.task_identifier, outcome: 'success' }));
  events.on('job:error', ({ job }) => finished.inc({ task: job.task_identifier, outcome: 'error' }));
  events.on('job:failed', ({ job }) => finished.inc({ task: job.task_identifier, outcome: 'failed' }));
  return registry;
}
