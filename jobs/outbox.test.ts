/**
 * The transactional outbox end to end: a service transaction enqueues the job, graphile-worker
 * runs it after commit, the task parses its payload and is idempotent.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { eq, sql } from 'drizzle-orm';
import { eventArchive } from '../core/integrations/tables.ts';
import { enqueueEvent, enqueueJob } from '../core/platform/outbox.ts';
import { signedIn } from '../test/harness/auth.ts';
import { useCore } from '../test/harness/core.ts';
import { eventually, postJson } from '../test/harness/http.ts';
import { holdJob, queuedEvents, queuedPayloads } from '../test/harness/job-queue.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { type JobsHandle, startJobs } from './worker.ts';

const jobLogs = captureLogger({ service: 'jobs' });
let jobs: JobsHandle | undefined;
// Registered before core's own hook, so the runner stops before its database is dropped
// (afterAll hooks run in the order they were registered).
afterAll(async () => {
  await jobs?.stop();
});
const core = useCore();

beforeAll(async () => {
  jobs = await startJobs({ databaseUrl: core().database.url, concurrency: 2, log: jobLogs.log, cron: false });
});

/** Who holds the jobs with these keys (graphile-worker's public jobs view), by key. */
async function lockedBy(keys: string[]) {
  const { rows } = await core().database.db.execute<{ key: string; locked_by: string | null }>(
    sql`select key, locked_by from graphile_worker.jobs where key = any(${sql.param(keys)}::text[]) order by key`,
  );
  return rows;
}

const archived = (warehouseId: string) =>
  core().database.db.select().from(eventArchive).where(eq(eventArchive.warehouseId, warehouseId));

test("graphile-worker's warning about the delivery runner's deliberate pool size is kept at debug", () => {
  const pool = jobLogs.lines.filter((l) => String(l.msg).includes('maxPoolSize'));
  expect(pool.length).toBeGreaterThan(0); // WEBHOOK_CONCURRENCY's 16 slots share 8 connections
  expect(pool.map((l) => l.level)).toEqual(pool.map(() => 'debug'));
});

test('creating a warehouse publishes warehouse.created with the request id', async () => {
  const res = await postJson(
    `${core().url}/api/warehouses`,
    { code: 'OBX', name: 'Outbox' },
    {
      'x-request-id': 'outbox-test-request-1',
      ...(await signedIn({ url: core().url, db: core().database.db }, { roles: ['admin'] })).headers,
    },
  );
  expect(res.status).toBe(201);
  const warehouse = (await res.json()) as { id: string };
  const [event] = await eventually(async () => {
    const rows = await archived(warehouse.id);
    return rows.length > 0 ? rows : undefined;
  });
  expect(event).toMatchObject({ type: 'warehouse.created', requestId: 'outbox-test-request-1' });
  expect(event!.data).toMatchObject({ code: 'OBX' });
  // (No webhook wants it: the event mover archived it in its move; jobs/event-mover.test.ts
  // shows no job is added then.)
});

test("graphile-worker's line for each job that succeeded is debug: at info the log is a line a request", async () => {
  await enqueueJob(core().database.db, 'publish-event', {
    id: crypto.randomUUID(),
    type: 'stock.changed',
    occurredAt: new Date().toISOString(),
    warehouseId: null,
    data: { sku: 'LOG-1' },
    requestId: 'outbox-test-request-2',
  });
  // The task logs after its insert commits: wait for its line, then for graphile-worker's.
  const published = await eventually(async () =>
    jobLogs.lines.find((l) => l.requestId === 'outbox-test-request-2' && l.msg === 'event published'),
  );
  expect(published!.level).toBe('debug');
  const completed = await eventually(async () =>
    jobLogs.lines.find(
      (l) => String(l.msg).startsWith('Completed task') && String(l.msg).includes('publish-event'),
    ),
  );
  expect(completed.level).toBe('debug');
});

test('a rolled-back transaction leaves no job behind', async () => {
  const { db } = core().database;
  // Counting all jobs raced this file's runner finishing earlier ones; these two are found by
  // themselves. The keyed one is due in an hour, so no runner could take it before we look.
  const key = `rolled-back-${crypto.randomUUID()}`;
  let eventId = '';
  await db
    .transaction(async (tx) => {
      eventId = (await enqueueEvent(tx, { type: 'stock.changed', data: { sku: 'X' } })).id;
      await enqueueJob(tx, 'detect-low-stock', {}, { jobKey: key, runAt: new Date(Date.now() + 3_600_000) });
      throw new Error('abort');
    })
    .catch(() => {});
  const { rows } = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from graphile_worker.jobs where key = ${key}`,
  );
  expect(rows[0]!.n).toBe(0);
  const events = await queuedEvents<{ id: string }>(db);
  expect(events.filter((e) => e.id === eventId)).toEqual([]);
});

describe('publish-event', () => {
  test('is idempotent: an event archived by its move and delivered again by a job is archived once', async () => {
    const { db } = core().database;
    const warehouseId = crypto.randomUUID();
    const event = await enqueueEvent(db, { type: 'stock.changed', warehouseId, data: { sku: 'DUP-1' } });
    await eventually(async () => ((await archived(warehouseId)).length > 0 ? true : undefined));
    await enqueueJob(db, 'publish-event', event); // a redelivery of the very same event
    const again = await eventually(async () => jobLogs.lines.find((l) => l.eventId === event.id));
    expect(again.duplicate).toBe(true);
    expect(await archived(warehouseId)).toHaveLength(1);
  });

  test('a payload that fails its schema is refused and the job kept as failed', async () => {
    const { db } = core().database;
    await db.execute(
      sql`select graphile_worker.add_job('publish-event', '{"id":"not-a-uuid","type":"nope"}'::json,
            max_attempts => 1, job_key => 'bad-payload-test')`,
    );
    const failed = await eventually(async () => {
      const rows = await db.execute<{ last_error: string | null; attempts: number }>(
        sql`select last_error, attempts from graphile_worker.jobs
            where key = 'bad-payload-test'`,
      );
      const row = rows.rows[0];
      return row?.last_error ? row : undefined;
    });
    expect(failed.last_error).toContain('invalid payload for publish-event');
    const logged = jobLogs.lines.find((l) => l.msg === 'invalid job payload') as
      | { errors: { path: string }[] }
      | undefined;
    expect(logged?.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['id', 'type']));
  });

  test('in a batch, an invalid event is refused alone: the others are published, it stays as the failed job', async () => {
    const { db } = core().database;
    const warehouseId = crypto.randomUUID();
    const valid = {
      id: crypto.randomUUID(),
      type: 'stock.changed',
      occurredAt: new Date().toISOString(),
      warehouseId,
      data: { sku: 'MIXED-1' },
      requestId: null,
    };
    const invalid = { id: 'not-a-uuid', type: 'nope' };
    await db.execute(
      sql`select graphile_worker.add_job('publish-event', ${JSON.stringify([valid, invalid])}::json,
            max_attempts => 1, job_key => 'mixed-batch-test')`,
    );
    const failed = await eventually(async () => {
      const rows = await db.execute<{ last_error: string | null }>(
        sql`select last_error from graphile_worker.jobs where key = 'mixed-batch-test'`,
      );
      return rows.rows[0]?.last_error ? rows.rows[0] : undefined;
    });
    expect(failed.last_error).toContain('invalid payload for publish-event');
    expect((await archived(warehouseId)).map((e) => e.id)).toEqual([valid.id]);
    const left = await queuedPayloads<unknown[]>(db, 'publish-event');
    expect(left).toContainEqual([invalid]);
  });
});

describe('workers that die', () => {
  test('live workers are registered; the jobs of a silent one are unlocked and it is forgotten', async () => {
    const db = core().database.db;
    const live = await eventually(async () => {
      const { rows } = await db.execute<{ n: number }>(
        sql`select count(*)::int as n from platform.job_workers`,
      );
      return rows[0]!.n >= 2 ? rows[0]!.n : undefined;
    });
    expect(live).toBeGreaterThanOrEqual(2);
    // A worker that was SIGKILLed holding a job: registered, silent for minutes, its job locked.
    const dead = await holdJob(core().database.url, 'locked-by-the-dead');
    try {
      await db.execute(sql`insert into platform.job_workers (worker_id, host, heartbeat_at)
        values (${dead.lockedBy}, 'gone', now() - interval '5 minutes')`);
      const { unlockDeadWorkers } = await import('./worker-registry.ts');
      expect(await unlockDeadWorkers(db, jobLogs.log)).toEqual([dead.lockedBy]);
      expect(await lockedBy(['locked-by-the-dead'])).toEqual([
        { key: 'locked-by-the-dead', locked_by: null },
      ]);
      expect(await unlockDeadWorkers(db, jobLogs.log)).toEqual([]);
    } finally {
      await dead.release();
    }
  });

  test("a worker killed before its first beat: its old locks are freed, a live worker's are not", async () => {
    const db = core().database.db;
    const silentSeconds = 3;
    // Two locks older than silentSeconds: one by a worker never registered, one by a live one.
    const unseen = await holdJob(core().database.url, 'locked-by-the-unseen');
    const living = await holdJob(core().database.url, 'locked-by-the-living');
    const held = [unseen, living];
    try {
      await eventually(async () => {
        const { rows } = await db.execute<{
          n: number;
        }>(sql`select count(*)::int as n from graphile_worker.jobs
          where key in ('locked-by-the-unseen', 'locked-by-the-living')
            and locked_at < now() - make_interval(secs => ${silentSeconds})`);
        return rows[0]!.n === 2 ? true : undefined;
      }, 30_000);
      // And one taken just now by a worker not registered yet (starting).
      const starting = await holdJob(core().database.url, 'locked-just-now');
      held.push(starting);
      await db.execute(sql`insert into platform.job_workers (worker_id, host, heartbeat_at)
        values (${living.lockedBy}, 'here', now())`);
      // The registered workers (this file's runner among them) all beat just now.
      await db.execute(sql`update platform.job_workers set heartbeat_at = now()`);
      const { unlockDeadWorkers } = await import('./worker-registry.ts');
      expect(await unlockDeadWorkers(db, jobLogs.log, silentSeconds)).toEqual([unseen.lockedBy]);
      expect(await lockedBy(['locked-by-the-unseen', 'locked-by-the-living', 'locked-just-now'])).toEqual([
        { key: 'locked-by-the-living', locked_by: living.lockedBy },
        { key: 'locked-by-the-unseen', locked_by: null },
        { key: 'locked-just-now', locked_by: starting.lockedBy },
      ]);
    } finally {
      for (const job of held) await job.release();
      await db.execute(sql`delete from platform.job_workers where worker_id = ${living.lockedBy}`);
    }
  }, 60_000);
});
