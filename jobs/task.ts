import type { JobHelpers, Task } from 'graphile-worker';
import type { Database } from '../core/platform/database.ts';
import {
  type BatchItem,
  type BatchTaskName,
  batchTaskItems,
  type TaskName,
  type TaskPayload,
  taskPayloads,
} from '../core/platform/events.ts';
import type { Logger } from '../core/platform/logger.ts';
import { enqueueJob } from '../core/platform/outbox.ts';
import { isSaneRequestId } from '../core/platform/request-id.ts';
import { takeTrace, traceContext } from '../core/platform/trace-context.ts';
import { formatTraceparent, SpanKind, type TraceIds, type Tracer } from '../core/platform/tracing.ts';
import { fieldErrors } from '../core/platform/validation.ts';
import type { WebhookSettings } from '../core/webhooks/settings.ts';
import { type EdgeClient, type EdgeLink, edgeClient } from './edge-client.ts';

export interface TaskDeps {
  db: Database;
  log: Logger;
  /** Where the edge worker answers, when an edge is configured. */
  edge?: EdgeLink | undefined;
  /** Webhook delivery settings; unset, the configured ones (tests shorten the delays). */
  webhooks?: WebhookSettings | undefined;
  /** Exports a span per job (OTEL_EXPORTER_OTLP_ENDPOINT), continuing the enqueuer's trace. */
  tracer?: Tracer | undefined;
}

export interface TaskContext extends Omit<TaskDeps, 'edge' | 'tracer'> {
  /** The edge worker's /internal/* endpoints, when an edge is configured: tasks call nothing else. */
  edge?: EdgeClient | undefined;
  helpers: JobHelpers;
}

export type TaskHandler<T extends TaskName> = (payload: TaskPayload<T>, ctx: TaskContext) => Promise<void>;

/** A graphile-worker task whose payload is parsed with the task's zod schema on arrival. */
export function defineTask<T extends TaskName>(name: T, handler: TaskHandler<T>): (deps: TaskDeps) => Task {
  return (deps) => {
    const edge = deps.edge && edgeClient(deps.edge);
    const { tracer, ...taskDeps } = deps;
    return async (traced, helpers) => {
      // The enqueuer's trace rides in the payload; the task's schema never sees it.
      const { payload: raw, parent } = takeTrace(traced);
      const span = parent && tracer?.start(`job ${name}`, SpanKind.consumer, parent);
      const trace: TraceIds | undefined = span?.ids ?? parent;
      const parsed = taskPayloads[name].safeParse(raw);
      const claimed = (raw as { requestId?: unknown } | null)?.requestId;
      const requestId = typeof claimed === 'string' && isSaneRequestId(claimed) ? claimed : undefined;
      const log = deps.log.child({
        task: name,
        jobId: helpers.job.id,
        attempt: helpers.job.attempts,
        requestId,
        ...(trace ? { traceId: trace.traceId } : {}),
      });
      span?.set({ 'varastokkr.job_id': helpers.job.id, 'varastokkr.attempt': helpers.job.attempts });
      try {
        if (!parsed.success) {
          // Thrown, so the job stays in the queue as failed and visible instead of vanishing.
          log.error('invalid job payload', { errors: fieldErrors(parsed.error.issues) });
          throw new Error(`invalid payload for ${name}`);
        }
        const run = () => handler(parsed.data as TaskPayload<T>, { ...taskDeps, edge, log, helpers });
        // Jobs this one enqueues continue the trace.
        await (span ? traceContext.run(formatTraceparent(span.ids), run) : run());
        span?.end();
      } catch (err) {
        span?.end((err as Error).message);
        throw err;
      }
    };
  };
}

/** An item of a batch that could not be done this time, and why. */
export interface BatchFailure<T> {
  item: T;
  error: unknown;
}

export type BatchTaskHandler<T extends BatchTaskName> = (
  items: BatchItem<T>[],
  ctx: TaskContext,
) => Promise<BatchFailure<BatchItem<T>>[]>;

export interface BatchTaskOptions {
  /**
   * Items that failed are queued again under this job key (keeping a waiting namesake's run_at),
   * so while the far end is down one retry gathers every later item instead of each item
   * retrying on its own. Without it, under no key.
   */
  retryKey?: string;
}

/** graphile-worker's own backoff after a job's nth attempt. */
const backoffMs = (attempts: number) => Math.exp(Math.min(attempts, 10)) * 1000;

/**
 * A batch task (see batchTaskItems): each item parsed on its own, the valid ones handled
 * together. The handler names the items it could not do (throwing: none was done); those are
 * queued again as a job of their own, with graphile-worker's backoff and the attempts left, and
 * this job completes. Not failed in place: while it ran, a new add under its key may have
 * unkeyed it, and add_jobs then spends its attempts (a replaced job is not retried), which
 * would drop the batch with its first failure. On the last attempt the job fails as any job
 * does, and stays visible with what it could not do.
 *
 * Invalid items are refused through graphile-worker's batch results (its payload becomes those
 * items; the job is retried and then kept as failed); a single invalid item, as jobs of earlier
 * versions carry, fails its job.
 */
export function defineBatchTask<T extends BatchTaskName>(
  name: T,
  handler: BatchTaskHandler<T>,
  opts: BatchTaskOptions = {},
): (deps: TaskDeps) => Task {
  const schema = batchTaskItems[name];
  return (deps) => {
    const edge = deps.edge && edgeClient(deps.edge);
    const { tracer, ...taskDeps } = deps;
    return async (raw, helpers) => {
      // Each entry may carry its enqueuer's trace: the batch runs once, as a span in each trace.
      const traced = (Array.isArray(raw) ? raw : [raw]).map(takeTrace);
      const entries = traced.map((t) => t.payload);
      const spans = tracer ? batchSpans(tracer, name, traced, helpers) : [];
      const log = deps.log.child({ task: name, jobId: helpers.job.id, attempt: helpers.job.attempts });
      const parsed = entries.map((entry) => schema.safeParse(entry));
      const refused = parsed.flatMap((p) => (p.success ? [] : [p.error]));
      if (refused[0])
        log.error('invalid job payload', { errors: fieldErrors(refused[0].issues), invalid: refused.length });
      if (!Array.isArray(raw) && refused.length > 0) {
        for (const span of spans) span.end('invalid payload');
        throw new Error(`invalid payload for ${name}`);
      }
      const items = parsed.flatMap((p) => (p.success ? [p.data as BatchItem<T>] : []));
      const ctx = { ...taskDeps, edge, log, helpers };
      const failed =
        items.length === 0
          ? []
          : await handler(items, ctx).catch((error: unknown) => items.map((item) => ({ item, error })));
      for (const span of spans) span.end(failed.length > 0 ? `${failed.length} items failed` : undefined);
      if (failed.length > 0) await retryLater(name, failed, ctx, opts.retryKey);
      if (!Array.isArray(raw)) return;
      // graphile-worker's batch results: one per payload entry, the invalid ones rejected.
      return parsed.map((p) => (p.success ? Promise.resolve() : refusal(name)));
    };
  };
}

/** One consumer span per distinct trace among the entries (none without a tracer or traces). */
function batchSpans(
  tracer: Tracer,
  name: string,
  traced: { parent: TraceIds | undefined }[],
  helpers: JobHelpers,
) {
  const parents = new Map<string, TraceIds>();
  for (const { parent } of traced) if (parent) parents.set(`${parent.traceId}/${parent.spanId}`, parent);
  return [...parents.values()].map((parent) => {
    const span = tracer.start(`job ${name}`, SpanKind.consumer, parent);
    span.set({ 'varastokkr.job_id': helpers.job.id, 'varastokkr.attempt': helpers.job.attempts });
    return span;
  });
}

function refusal(name: string): Promise<never> {
  const refused = Promise.reject(new Error(`invalid payload for ${name}`));
  refused.catch(() => {}); // graphile-worker awaits it (allSettled) after the task returns
  return refused;
}

/** Queues the failed items again as a job of their own; throws on the job's last attempt. */
async function retryLater<T extends BatchTaskName>(
  name: T,
  failed: BatchFailure<BatchItem<T>>[],
  { db, log, helpers }: TaskContext,
  jobKey: string | undefined,
): Promise<void> {
  const { attempts, max_attempts: maxAttempts } = helpers.job;
  const first = failed[0]?.error;
  const reason = first instanceof Error ? first.message : String(first);
  if (attempts >= maxAttempts)
    throw new Error(`${failed.length} items failed on the last attempt: ${reason}`);
  await enqueueJob(db, name, failed.map((f) => f.item) as TaskPayload<T>, {
    runAt: new Date(Date.now() + backoffMs(attempts)),
    maxAttempts: maxAttempts - attempts,
    ...(jobKey ? { jobKey, keepRunAt: true } : {}),
  });
  log.warn('batch items failed; queued again', { failed: failed.length, error: reason });
}
