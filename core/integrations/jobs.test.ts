/** Job operations over real HTTP and graphile-worker's schema: failed jobs listed with their errors, retried in one call. */
import { beforeAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { enqueueJob } from '../platform/outbox.ts';

const core = useCore();
let admin: Actor;
beforeAll(async () => {
  admin = await signedIn({ url: core().url, db: core().database.db }, { roles: ['admin'] });
});

const get = (path: string) => fetch(`${core().url}${path}`, { headers: admin.headers });
const post = (path: string) => fetch(`${core().url}${path}`, { method: 'POST', headers: admin.headers });

test('a failed job is listed with its error and retried in one call; others cannot be', async () => {
  const db = core().database.db;
  await enqueueJob(db, 'allocate-backorders', {}, { jobKey: `jobs-test-failed`, maxAttempts: 3 });
  await enqueueJob(db, 'detect-low-stock', {}, { jobKey: `jobs-test-pending` });
  await db.execute(sql`select graphile_worker.permanently_fail_jobs(
    array(select id from graphile_worker.jobs where key = 'jobs-test-failed'), 'the edge answered 502')`);
  const failed = (await (await get('/api/jobs?state=failed')).json()) as {
    items: { id: string; task: string; lastError: string; state: string }[];
  };
  const job = failed.items.find((j) => j.task === 'allocate-backorders');
  expect(job).toMatchObject({ state: 'failed', lastError: 'the edge answered 502' });
  const retried = await post(`/api/jobs/${job!.id}/retry`);
  expect(retried.status, await retried.clone().text()).toBe(200);
  expect(await retried.json()).toMatchObject({ id: job!.id, state: 'pending', attempts: 0 });
  const pending = (await (await get('/api/jobs?state=pending')).json()) as {
    items: { id: string; state: string }[];
  };
  expect(pending.items.map((j) => j.id)).toContain(job!.id);
  await expectProblem(await post(`/api/jobs/${job!.id}/retry`), 409, 'job-not-failed');
  await expectProblem(await post('/api/jobs/999999999/retry'), 404);
  await expectProblem(await post('/api/jobs/abc/retry'), 422);
  await expectProblem(await get('/api/jobs?state=weird'), 422);
});
