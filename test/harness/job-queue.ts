/**
 * graphile-worker's queue as tests look at it, through its public API only (its jobs view and
 * SQL functions), never its private tables, so an upgrade of it cannot break the tests.
 */
import { sql } from 'drizzle-orm';
import { run, Logger as WorkerLogger } from 'graphile-worker';
import pg from 'pg';
import type { Database } from '../../core/platform/database.ts';
import { eventually } from './http.ts';

/**
 * The payloads of a task's jobs waiting in the queue, oldest first, left in place: the public
 * jobs view has no payload, so they are taken with complete_jobs in a transaction rolled back.
 */
export async function queuedPayloads<T = unknown>(db: Database, task: string): Promise<T[]> {
  const client = await db.$client.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ payload: T }>(
      `select payload from graphile_worker.complete_jobs(array(
         select id from graphile_worker.jobs where task_identifier = $1)) order by id`,
      [task],
    );
    return rows.map((r) => r.payload);
  } finally {
    await client.query('rollback');
    client.release();
  }
}

/**
 * The domain events waiting to be published, left in place, in the order they occurred: in the
 * outbox (platform.event_outbox, a row per statement) or already moved into publish-event jobs
 * (a job carries a batch of them, an array, or one: a job of an earlier version).
 */
export async function queuedEvents<T>(db: Database): Promise<T[]> {
  const { rows } = await db.execute<{ events: T[] }>(
    sql`select events from platform.event_outbox order by seq`,
  );
  const payloads = await queuedPayloads<T | T[]>(db, 'publish-event');
  // Jobs are not moved in the events' order (several movers, several statements per job).
  const events = [
    ...rows.flatMap((r) => r.events),
    ...payloads.flatMap((p): T[] => (Array.isArray(p) ? p : [p])),
  ];
  const at = (e: T) => Date.parse((e as { occurredAt?: string }).occurredAt ?? '');
  return events.sort((a, b) => at(a) - at(b));
}

/**
 * Takes a task's waiting jobs out of the queue (complete_jobs) and returns their payloads,
 * oldest first: a test that checks what was queued sees each job once.
 */
export async function takeQueued<T = unknown>(db: Database, task: string): Promise<T[]> {
  const { rows } = await db.execute<{ payload: T }>(sql`
    select payload from graphile_worker.complete_jobs(array(
      select id from graphile_worker.jobs where task_identifier = ${task})) order by id`);
  return rows.map((r) => r.payload);
}

/**
 * A job locked by a real graphile-worker runner, as a runner killed mid-job leaves it: the
 * runner's task waits until released, so the lock stays under the runner's id.
 */
export interface HeldJob {
  /** The worker id graphile-worker locked the job under (the public jobs view's locked_by). */
  lockedBy: string;
  /** Lets the task finish and stops the runner. */
  release(): Promise<void>;
}

const quiet = new WorkerLogger(() => () => {});

/** Adds a job with this key for a task only this runner runs, and waits until it holds it. */
export async function holdJob(databaseUrl: string, key: string): Promise<HeldJob> {
  let release = () => {};
  const released = new Promise<void>((done) => {
    release = done;
  });
  const task = `held-by-test-${crypto.randomUUID().slice(0, 8)}`;
  const runner = await run({
    connectionString: databaseUrl,
    concurrency: 1,
    noHandleSignals: true,
    pollInterval: 100,
    logger: quiet,
    taskList: { [task]: () => released },
  });
  await runner.addJob(task, {}, { jobKey: key });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const lockedBy = await eventually(async () => {
      const { rows } = await client.query<{ locked_by: string | null }>(
        'select locked_by from graphile_worker.jobs where key = $1',
        [key],
      );
      return rows[0]?.locked_by ?? undefined;
    });
    return {
      lockedBy,
      release: async () => {
        release();
        await runner.stop();
      },
    };
  } finally {
    await client.end();
  }
}
