/**
 * The crontab parses and names real tasks, and the nightly prune removes exactly the events
 * older than EVENT_ARCHIVE_DAYS (default 30), run through a real worker.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { parseCrontab } from 'graphile-worker';
import { eventArchive } from '../core/integrations/tables.ts';
import { enqueueJob } from '../core/platform/outbox.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { tasks } from './tasks/index.ts';
import { type JobsHandle, startJobs } from './worker.ts';

const database = useTestDatabase('cron');
const logs = captureLogger({ service: 'jobs' });
let jobs: JobsHandle;
beforeAll(async () => {
  jobs = await startJobs({ databaseUrl: database().url, concurrency: 1, log: logs.log, cron: false });
});
afterAll(async () => {
  await jobs.stop();
});

test('every crontab line parses and names a task the worker has', () => {
  const items = parseCrontab(readFileSync(new URL('./crontab', import.meta.url), 'utf8'));
  expect(items.length).toBeGreaterThan(0);
  for (const item of items) expect(Object.keys(tasks)).toContain(item.task);
});

test('prune-event-archive deletes events older than the retention and keeps the rest', async () => {
  const { db } = database();
  const event = (daysAgo: number) => ({
    id: crypto.randomUUID(),
    type: 'stock.changed',
    data: { daysAgo },
    occurredAt: new Date(Date.now() - daysAgo * 86_400_000),
  });
  await db.insert(eventArchive).values([event(45), event(31), event(29), event(0)]);
  await enqueueJob(db, 'prune-event-archive', {});
  await eventually(async () => logs.lines.find((l) => l.msg === 'event archive pruned'));
  const left = await db.execute<{ days: number }>(
    sql`select (data->>'daysAgo')::int as days from ${eventArchive} order by 1`,
  );
  expect(left.rows.map((r) => r.days)).toEqual([0, 29]);
  expect(logs.lines.find((l) => l.msg === 'event archive pruned')).toMatchObject({
    deleted: 2,
    olderThanDays: 30,
  });
});

test('prune-failed-jobs drops jobs failed for good once FAILED_JOB_DAYS (14) old, and nothing else', async () => {
  const { db } = database();
  // A task this worker does not run, so it never picks these up.
  // Labelled by their job key (the public jobs view has no payload); aged and failed through
  // graphile-worker's reschedule_jobs.
  const add = async (label: string, failed: boolean, daysAgo: number) => {
    await db.execute(sql`select graphile_worker.reschedule_jobs(
      array(select id from graphile_worker.add_job('no-such-task', '{}'::json, max_attempts := 3, job_key := ${label})),
      run_at := now() - make_interval(days => ${daysAgo}), attempts := ${failed ? 3 : 1})`);
  };
  await add('old-failed', true, 20);
  await add('new-failed', true, 2);
  await add('old-retrying', false, 20);
  await enqueueJob(db, 'prune-failed-jobs', {});
  await eventually(async () => logs.lines.find((l) => l.msg === 'failed jobs pruned'));
  const left = await db.execute<{ label: string }>(
    sql`select key as label from graphile_worker.jobs
        where key in ('old-failed', 'new-failed', 'old-retrying') order by 1`,
  );
  expect(left.rows.map((r) => r.label)).toEqual(['new-failed', 'old-retrying']);
  expect(logs.lines.find((l) => l.msg === 'failed jobs pruned')).toMatchObject({
    deleted: 1,
    olderThanDays: 14,
  });
});
