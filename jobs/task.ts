import type { JobHelpers, Task } from 'graphile-worker';
import type { Database } from '../core/platform/database.ts';
import { type TaskName, type TaskPayload, taskPayloads } from '../core/platform/events.ts';
import type { Logger } from '../core/platform/logger.ts';
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
