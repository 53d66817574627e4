import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from './database.ts';
import type { DomainEvent, EventType, TaskName, TaskPayload } from './events.ts';
import { traceContext, withTrace } from './trace-context.ts';

export interface EnqueueOptions {
  /**
   * Deduplicates: a second job with the same key replaces a pending one. When both payloads are
   * arrays (a batch job) they are concatenated instead: one job takes what piled up.
   */
  jobKey?: string;
  /** With jobKey: keep a pending namesake's run_at (a retry waiting out its backoff gathers what comes meanwhile). */
  keepRunAt?: boolean;
  queueName?: string;
  maxAttempts?: number;
  runAt?: Date;
}

/**
 * The transactional outbox: the job row is written by the caller's transaction, so it exists
 * if and only if the state change committed. graphile-worker picks it up after commit.
 */
export async function enqueueJob<T extends TaskName>(
  q: Queryable,
  task: T,
  payload: TaskPayload<T>,
  opts: EnqueueOptions = {},
): Promise<void> {
  await q.execute(sql`select graphile_worker.add_job(
    identifier => ${task},
    payload => ${JSON.stringify(withTrace(payload))}::json,
    queue_name => ${opts.queueName ?? null},
    run_at => ${opts.runAt?.toISOString() ?? null}::timestamptz,
    max_attempts => ${opts.maxAttempts ?? 25},
    job_key => ${opts.jobKey ?? null},
    job_key_mode => ${opts.keepRunAt ? 'preserve_run_at' : 'replace'}
  )`);
}

/**
 * Many jobs of one task in one statement (graphile-worker's add_jobs); keys must differ. A keyed
 * job whose pending namesake a worker locks while this runs is dropped by add_jobs (its upsert
 * then skips the locked row and inserts nothing); add_job handles that case, so those few are
 * added again one by one.
 */
export async function enqueueJobs<T extends TaskName>(
  q: Queryable,
  task: T,
  jobs: { payload: TaskPayload<T>; opts?: EnqueueOptions }[],
): Promise<void> {
  if (jobs.length === 0) return;
  const specs = jobs.map(({ payload, opts = {} }) => ({
    identifier: task,
    payload: withTrace(payload),
    queue_name: opts.queueName ?? null,
    run_at: opts.runAt?.toISOString() ?? null,
    max_attempts: opts.maxAttempts ?? 25,
    job_key: opts.jobKey ?? null,
  }));
  const { rows } = await q.execute<{ key: string | null }>(sql`select key from graphile_worker.add_jobs(
    array(select json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json))
  )`);
  const added = new Set(rows.map((r) => r.key));
  for (const { payload, opts } of jobs)
    if (opts?.jobKey && !added.has(opts.jobKey)) await enqueueJob(q, task, payload, opts);
}

export interface NewEvent {
  type: EventType;
  warehouseId?: string | null;
  data: Record<string, unknown>;
  requestId?: string | null;
  /** The trace its job continues, when written outside the request's context (a batch); else the current one. */
  traceparent?: string | undefined;
}

const toDomainEvent = (event: NewEvent): DomainEvent => ({
  id: crypto.randomUUID(),
  type: event.type,
  occurredAt: new Date().toISOString(),
  warehouseId: event.warehouseId ?? null,
  data: event.data,
  requestId: event.requestId ?? null,
});

/** Records a domain event for delivery (archive now; webhooks and live rooms later). */
export async function enqueueEvent(q: Queryable, event: NewEvent): Promise<DomainEvent> {
  const full = toDomainEvent(event);
  await q.execute(sql`select ${addEvents([withTrace(full, event.traceparent ?? traceContext.current())])}`);
  return full;
}

/** Many events in one statement, for bulk changes such as imports. */
export async function enqueueEvents(q: Queryable, events: NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await q.execute(sql`select ${addEventJobs(events)}`);
}

/**
 * The call that records these events, to embed in a statement of one's own (one round trip):
 * one row in the events' outbox (platform.add_events, migration 0032), which the jobs runner's
 * event mover moves, many statements' events at a time (archive, rooms' feed, webhooks' jobs).
 */
export function addEventJobs(events: NewEvent[]): SQL {
  // Each event carries its request's trace (when one is exported): a batch holds many requests'.
  return addEvents(events.map((e) => withTrace(toDomainEvent(e), e.traceparent ?? traceContext.current())));
}

const addEvents = (events: DomainEvent[]): SQL => sql`platform.add_events(${JSON.stringify(events)}::json)`;
