/**
 * Operations on the job queue (graphile-worker's public `jobs` view): what failed and why, what
 * waits, and retrying a failed job in one call.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../platform/database.ts';
import { decodeCursor, encodeCursor } from '../platform/pagination.ts';
import { ConflictError, NotFoundError } from '../platform/problem.ts';

export type JobState = 'failed' | 'pending' | 'running';

export interface JobView {
  id: string;
  task: string;
  queue: string | null;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: string;
  createdAt: string;
  key: string | null;
}

interface JobRow extends Record<string, unknown> {
  id: string | number;
  task_identifier: string;
  queue_name: string | null;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  run_at: Date | string;
  created_at: Date | string;
  key: string | null;
  locked_at: Date | string | null;
}

const stateOf = (r: JobRow): JobState =>
  r.attempts >= r.max_attempts ? 'failed' : r.locked_at ? 'running' : 'pending';

const toView = (r: JobRow): JobView => ({
  id: String(r.id),
  task: r.task_identifier,
  queue: r.queue_name,
  state: stateOf(r),
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  // Errors are our tasks' own messages; cut long ones (stack traces stay in the jobs log).
  lastError: r.last_error ? r.last_error.slice(0, 2000) : null,
  runAt: new Date(r.run_at).toISOString(),
  createdAt: new Date(r.created_at).toISOString(),
  key: r.key,
});

const cursorSchema = z.object({ id: z.string().regex(/^\d+$/) });

/** Failed or waiting jobs, newest first. */
export async function listJobs(
  db: Database,
  query: { state?: 'failed' | 'pending' | undefined; limit: number; cursor?: string | undefined },
) {
  const before = query.cursor ? decodeCursor(query.cursor, cursorSchema).id : null;
  const { rows } = await db.execute<JobRow>(sql`
    select id, task_identifier, queue_name, attempts, max_attempts, last_error, run_at, created_at, key, locked_at
    from graphile_worker.jobs
    where (${query.state ?? null}::text is null
           or (${query.state ?? null} = 'failed' and attempts >= max_attempts)
           or (${query.state ?? null} = 'pending' and attempts < max_attempts))
      and (${before}::bigint is null or id < ${before}::bigint)
    order by id desc
    limit ${query.limit + 1}`);
  const items = rows.slice(0, query.limit).map(toView);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ id: last.id }) : null };
}

/** Runs a failed job again now, with its attempts reset. */
export async function retryJob(db: Database, id: string): Promise<JobView> {
  const { rows } = await db.execute<JobRow>(sql`
    select id, task_identifier, queue_name, attempts, max_attempts, last_error, run_at, created_at, key, locked_at
    from graphile_worker.jobs where id = ${id}::bigint`);
  const job = rows[0];
  if (!job) throw new NotFoundError('No such job (it may have succeeded and been removed).');
  if (stateOf(job) !== 'failed')
    throw new ConflictError(
      `Only a failed job can be retried; this one is ${stateOf(job)}.`,
      'job-not-failed',
    );
  await db.execute(
    sql`select graphile_worker.reschedule_jobs(array[${id}::bigint], run_at := now(), attempts := 0)`,
  );
  const { rows: after } = await db.execute<JobRow>(sql`
    select id, task_identifier, queue_name, attempts, max_attempts, last_error, run_at, created_at, key, locked_at
    from graphile_worker.jobs where id = ${id}::bigint`);
  return toView(after[0] ?? job);
}

/**
 * Jobs that failed for good stay listed (and retryable) for `days` after their last attempt,
 * then go (graphile-worker's complete_jobs removes them). graphile-worker removes jobs that succeed
 * by itself. (A failure moves run_at past
 * the attempt; updated_at is not touched then.)
 */
export async function pruneFailedJobs(db: Database, days: number): Promise<number> {
  const deleted = await db.execute(sql`
    select id from graphile_worker.complete_jobs(array(
      select id from graphile_worker.jobs
      where attempts >= max_attempts and locked_at is null
        and run_at < now() - make_interval(days => ${days})))`);
  return deleted.rowCount ?? 0;
}
