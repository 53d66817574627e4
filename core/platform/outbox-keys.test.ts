/**
 * Keyed jobs added in bulk (enqueueJobs) are never lost to a worker taking their pending
 * namesake at the same moment: graphile-worker's add_jobs then skips the locked row and inserts
 * nothing. Reproduced exactly: another transaction locks the pending job while add_jobs waits on
 * it, as a worker's get_job would (the one file test/graphile-worker-api.test.ts lets name
 * graphile-worker's private job table: no public API can hold a job row locked like this).
 */
import { expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useTestDatabase } from '../../test/harness/database.ts';
import { eventually } from '../../test/harness/http.ts';
import { enqueueJob, enqueueJobs } from './outbox.ts';

const database = useTestDatabase('outbox_keys');

test('a keyed job whose namesake a worker locks meanwhile is still added, as a job of its own', async () => {
  const { db } = database();
  const subscriptionId = crypto.randomUUID();
  const key = `deliver-webhook:${subscriptionId}`;
  // Pending, and not due for an hour: no worker runs in this test anyway.
  await enqueueJob(
    db,
    'deliver-webhook',
    { subscriptionId },
    { jobKey: key, runAt: new Date(Date.now() + 3_600_000) },
  );

  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  let commit!: () => void;
  const committing = new Promise<void>((resolve) => {
    commit = resolve;
  });
  const worker = db.transaction(async (tx) => {
    await tx.execute(
      sql`update graphile_worker._private_jobs set locked_at = now(), locked_by = 'test-worker' where key = ${key}`,
    );
    locked();
    await committing;
  });
  await isLocked;
  const adding = enqueueJobs(db, 'deliver-webhook', [{ payload: { subscriptionId }, opts: { jobKey: key } }]);
  // add_jobs waits for the worker's row lock: then the worker commits.
  await eventually(async () => {
    const { rows } = await db.execute(
      sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%add_jobs%'`,
    );
    return rows.length > 0 ? true : undefined;
  });
  commit();
  await worker;
  await adding;

  const { rows } = await db.execute<{ key: string | null; locked_by: string | null }>(
    sql`select key, locked_by from graphile_worker.jobs order by id`,
  );
  // The locked one lost its key (it started before this job's news); a new one carries it.
  expect(rows).toEqual([
    { key: null, locked_by: 'test-worker' },
    { key, locked_by: null },
  ]);
});
