/**
 * Recovering jobs whose worker died. graphile-worker locks a job with its worker's id and only
 * frees it after four hours; a worker killed with SIGKILL never frees it. So every worker
 * registers itself and beats four times per JOBS_DEAD_WORKER_SECONDS (default 60), and every
 * runner, at start and once per that period, unlocks the jobs of workers silent for that long
 * (graphile-worker's force_unlock_workers) and forgets them. A graceful stop deregisters.
 */
import { hostname } from 'node:os';
import { sql } from 'drizzle-orm';
import type { WorkerEvents } from 'graphile-worker';
import { config } from '../core/platform/config.ts';
import type { Database } from '../core/platform/database.ts';
import type { Logger } from '../core/platform/logger.ts';

/**
 * Unlocks the jobs of workers that stopped beating, and of workers never seen beating whose
 * locks are as old (killed before their first beat reached the database); returns their ids.
 * One statement, so the registry rows go only if their jobs are unlocked.
 */
export async function unlockDeadWorkers(
  db: Database,
  log: Logger,
  silentSeconds = config().JOBS_DEAD_WORKER_SECONDS,
): Promise<string[]> {
  const silent = sql`now() - make_interval(secs => ${silentSeconds})`;
  const { rows } = await db.execute<{ dead: string[] }>(sql`
    with dead as (
      delete from platform.job_workers where heartbeat_at < ${silent} returning worker_id
    ), unseen as (
      select distinct j.locked_by as worker_id from graphile_worker._private_jobs j
      where j.locked_by is not null and j.locked_at < ${silent}
        and not exists (select 1 from platform.job_workers w
                        where w.worker_id = j.locked_by and w.heartbeat_at >= ${silent})
    ), gone as (
      select array(select worker_id from dead union select worker_id from unseen) as ids
    )
    select ids as dead, graphile_worker.force_unlock_workers(ids) from gone`);
  const dead = rows[0]?.dead ?? [];
  if (dead.length > 0) log.warn('unlocked the jobs of workers that died', { workers: dead });
  return dead;
}

/** Listens on the runner's events (pass them to run(), so no worker is created unseen). */
export function registerWorkers(events: WorkerEvents, db: Database, log: Logger): { stop(): Promise<void> } {
  const mine = new Set<string>();
  const host = hostname();
  const beat = async () => {
    if (mine.size === 0) return;
    await db.execute(sql`
      insert into platform.job_workers (worker_id, host, heartbeat_at)
      select id, ${host}, now() from unnest(${sql.param([...mine])}::text[]) as id
      on conflict (worker_id) do update set heartbeat_at = now()`);
  };
  const safely = (work: () => Promise<unknown>) => () =>
    void work().catch((err) => log.warn('worker registry', { err: (err as Error).message }));
  // Jobs are locked under the pool's id (graphile-worker fetches them for its workers) or a
  // worker's: both are registered, so force_unlock_workers frees either after a kill.
  events.on('pool:create', ({ workerPool }) => {
    mine.add(workerPool.id);
    safely(beat)();
  });
  events.on('worker:create', ({ worker }) => {
    mine.add(worker.workerId);
    safely(beat)();
  });
  const silentMs = config().JOBS_DEAD_WORKER_SECONDS * 1000;
  safely(() => unlockDeadWorkers(db, log))();
  const beating = setInterval(safely(beat), silentMs / 4);
  const sweeping = setInterval(
    safely(() => unlockDeadWorkers(db, log)),
    silentMs,
  );
  return {
    async stop() {
      clearInterval(beating);
      clearInterval(sweeping);
      // Best effort: a row left behind goes silent and is swept like a dead worker's.
      await db
        .execute(sql`delete from platform.job_workers where worker_id = any(${sql.param([...mine])}::text[])`)
        .catch((err: Error) => log.debug('worker registry: deregistering failed', { err: err.message }));
    },
  };
}
