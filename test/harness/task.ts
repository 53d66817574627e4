/**
 * Runs one job task directly, as graphile-worker would run a job of it once, for tests that
 * want a task's effect now rather than whenever the runner gets to it.
 */
import type { JobHelpers } from 'graphile-worker';
import type { defineTask, TaskDeps } from '../../jobs/task.ts';
import { captureLogger } from './logs.ts';

/** A task as jobs/ defines it: its dependencies in, a graphile-worker task out. */
type DefinedTask = ReturnType<typeof defineTask>;

let jobIds = 0;

/**
 * Runs `task` once with `payload` (parsed by the task's schema, as on a real run). The logger
 * defaults to a captured one, so a test that looks at the log passes its own.
 */
export async function runTask(
  task: DefinedTask,
  deps: Omit<TaskDeps, 'log'> & Partial<Pick<TaskDeps, 'log'>>,
  payload: unknown = {},
): Promise<void> {
  const log = deps.log ?? captureLogger({ service: 'jobs' }).log;
  // The tasks read only the job's id and attempt from the helpers (jobs/task.ts); the rest of
  // JobHelpers (a pg pool, addJob, …) belongs to a live runner, which a direct run has not.
  const helpers = { job: { id: `direct-${++jobIds}`, attempts: 1 } } as unknown as JobHelpers;
  await task({ ...deps, log })(payload, helpers);
}
