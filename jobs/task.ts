import type { JobHelpers, Task } from 'graphile-worker';
import type { Database } from '../core/platform/database.ts';
import { type TaskName, type TaskPayload, taskPayloads } from '../core/platform/events.ts';
import type { Logger } from '../core/platform/logger.ts';
import { isSaneRequestId } from '../core/platform/request-id.ts';
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
}

export interface TaskContext extends Omit<TaskDeps, 'edge'> {
  /** The edge worker's /internal/* endpoints, when an edge is configured: tasks call nothing else. */
  edge?: EdgeClient | undefined;
  helpers: JobHelpers;
}

export type TaskHandler<T extends TaskName> = (payload: TaskPayload<T>, ctx: TaskContext) => Promise<void>;

/** A graphile-worker task whose payload is parsed with the task's zod schema on arrival. */
export function defineTask<T extends TaskName>(name: T, handler: TaskHandler<T>): (deps: TaskDeps) => Task {
  return (deps) => {
    const edge = deps.edge && edgeClient(deps.edge);
    return async (raw, helpers) => {
      const parsed = taskPayloads[name].safeParse(raw);
      const claimed = (raw as { requestId?: unknown } | null)?.requestId;
      const requestId = typeof claimed === 'string' && isSaneRequestId(claimed) ? claimed : undefined;
      const log = deps.log.child({
        task: name,
        jobId: helpers.job.id,
        attempt: helpers.job.attempts,
        requestId,
      });
      if (!parsed.success) {
        // Thrown, so the job stays in the queue as failed and visible instead of vanishing.
        log.error('invalid job payload', { errors: fieldErrors(parsed.error.issues) });
        throw new Error(`invalid payload for ${name}`);
      }
      await handler(parsed.data as TaskPayload<T>, { ...deps, edge, log, helpers });
    };
  };
}
