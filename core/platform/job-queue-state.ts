/**
 * graphile-worker's queue as metrics see it (jobs/metrics.ts), through its public
 * `graphile_worker.jobs` view only: per task, the jobs runnable now and how long the oldest has
 * been due, the jobs a worker holds, and those out of attempts; and the backlog of the tables
 * the jobs process's loops drain (the rooms' feed, the events' outbox).
 */
import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';
import type { SqlClient } from './sql-client.ts';

export interface TaskQueue {
  task: string;
  runnable: number;
  running: number;
  failed: number;
  oldestRunnableSeconds: number;
}

// Runnable: due, not locked and with attempts left. (A job whose worker died keeps its lock
// until the worker registry unlocks it: it counts as running meanwhile.)
const runnable = sql.raw('locked_at is null and attempts < max_attempts and run_at <= now()');

export async function jobQueueByTask(db: Database): Promise<TaskQueue[]> {
  const { rows } = await db.execute<{
    task: string;
    runnable: number;
    running: number;
    failed: number;
    oldest: number;
  }>(sql`
    select task_identifier as task,
           (count(*) filter (where ${runnable}))::int as runnable,
           (count(*) filter (where locked_at is not null))::int as running,
           (count(*) filter (where attempts >= max_attempts))::int as failed,
           coalesce(extract(epoch from now() - min(run_at) filter (where ${runnable})), 0)::float8 as oldest
      from graphile_worker.jobs group by task_identifier order by task_identifier`);
  return rows.map(({ oldest, ...counts }) => ({ ...counts, oldestRunnableSeconds: oldest }));
}

/**
 * Rows waiting in a table of one of the jobs process's loops (each row with its written_at) for
 * metrics, and how long the oldest has waited in seconds (0 when none waits). The table is a
 * constant of the caller's, never input.
 */
export async function waitingRowsBacklog(
  db: Database,
  table: `${string}.${string}`,
): Promise<{ waiting: number; oldestSeconds: number }> {
  if (!/^[a-z_]+\.[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  const { rows } = await db.execute<{ waiting: number; oldest: number }>(sql`
    select count(*)::int as waiting, coalesce(extract(epoch from now() - min(written_at)), 0)::float8 as oldest
      from ${sql.raw(table)}`);
  return { waiting: rows[0]?.waiting ?? 0, oldestSeconds: rows[0]?.oldest ?? 0 };
}

/**
 * Drops rows that waited in such a table longer than `hours` (no loop drained them: no feeder
 * without an edge). Returns how many. The table is a constant of the caller's, never input.
 */
export async function pruneWaitingRows(
  client: SqlClient,
  table: `${string}.${string}`,
  hours: number,
): Promise<number> {
  if (!/^[a-z_]+\.[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  const { rows } = await client.query(
    `with gone as (delete from ${table} where written_at < now() - make_interval(hours => $1) returning 1)
     select count(*)::int as n from gone`,
    [hours],
  );
  return Number(rows[0]?.n ?? 0);
}
