/**
 * The registry of job workers (platform.job_workers) and the unlocking of dead workers' jobs in
 * graphile-worker's queue. jobs/worker-registry.ts decides when these run.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './database.ts';

/**
 * Unlocks the jobs of workers that stopped beating for `silentSeconds`, and of workers never
 * seen beating whose locks are as old (killed before their first beat reached the database);
 * returns their ids. One statement, so the registry rows go only if their jobs are unlocked.
 */
export async function unlockSilentWorkers(db: Database, silentSeconds: number): Promise<string[]> {
  const silent = sql`now() - make_interval(secs => ${silentSeconds})`;
  const { rows } = await db.execute<{ dead: string[] }>(sql`
    with dead as (
      delete from platform.job_workers where heartbeat_at < ${silent} returning worker_id
    ), unseen as (
      select distinct j.locked_by as worker_id from graphile_worker.jobs j
      where j.locked_by is not null and j.locked_at < ${silent}
        and not exists (select 1 from platform.job_workers w
                        where w.worker_id = j.locked_by and w.heartbeat_at >= ${silent})
    ), gone as (
      select array(select worker_id from dead union select worker_id from unseen) as ids
    )
    select ids as dead, graphile_worker.force_unlock_workers(ids) from gone`);
  return rows[0]?.dead ?? [];
}

/** Records that these workers (of this host) are alive now. */
export async function beatWorkers(db: Database, host: string, workerIds: readonly string[]): Promise<void> {
  await db.execute(sql`
    insert into platform.job_workers (worker_id, host, heartbeat_at)
    select id, ${host}, now() from unnest(${sql.param([...workerIds])}::text[]) as id
    on conflict (worker_id) do update set heartbeat_at = now()`);
}

/** Forgets these workers (a graceful stop). */
export async function forgetWorkers(db: Database, workerIds: readonly string[]): Promise<void> {
  await db.execute(
    sql`delete from platform.job_workers where worker_id = any(${sql.param([...workerIds])}::text[])`,
  );
}

/**
 * Batch jobs (jobs/task.ts defineBatchTask) that a new add unkeyed while they ran and whose
 * worker then died. add_jobs spends the attempts of a job it unkeys (a replaced job is not
 * retried), so once unlocked such a job would never run again and its items would be lost. It
 * is the only kind with its attempts spent and no error (a job that failed has its error), and
 * gets its attempts back. Returns how many were revived.
 */
export async function reviveReplacedBatches(db: Database, tasks: readonly string[]): Promise<number> {
  const { rows } = await db.execute<{ id: string }>(sql`
    select id from graphile_worker.reschedule_jobs(array(
      select id from graphile_worker.jobs
      where task_identifier = any(${sql.param([...tasks])}::text[])
        and locked_at is null and attempts >= max_attempts and last_error is null
    ), attempts => 0)`);
  return rows.length;
}
