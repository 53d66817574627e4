/**
 * A jobs runner killed with SIGKILL while it publishes a batch to webhooks, with more events
 * recorded meanwhile, loses none of them: the batch's job stays locked until the sweep frees the
 * dead worker's lock (and gives a batch job whose attempts a keyed add spent them back:
 * reviveReplacedBatches), and what came meanwhile is in the outbox or in a job the dead runner's
 * event mover added, whichever the kill left. The next runner publishes both, and both reach
 * the rooms' edge.
 *
 * The runner is a real `bun jobs/main.ts` process. A webhook subscription wants the events, so
 * each move hands them to a publish-event job; the test holds that job mid-run by locking the
 * webhook deliveries' table (the move itself archives, and never touches it). The edge is the
 * stand-in of test/harness/stand-in-edge.ts.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import { inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { eventArchive } from '../core/integrations/tables.ts';
import { configSchema } from '../core/platform/config.ts';
import { parseEnv } from '../core/platform/env.ts';
import type { DomainEvent } from '../core/platform/events.ts';
import { webhookSettingsFrom } from '../core/webhooks/settings.ts';
import { createSubscription } from '../core/webhooks/subscriptions.ts';
import { deliveries } from '../core/webhooks/tables.ts';
import { eventuallyAllIn, useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { type StandInEdge, standInEdge } from '../test/harness/stand-in-edge.ts';
import { adminKeyOwner, type WebhookReceiver, webhookReceiver } from '../test/harness/webhook-receiver.ts';
import { type JobsHandle, startJobs } from './worker.ts';
import { unlockDeadWorkers } from './worker-registry.ts';

let edge: StandInEdge;
let runner: Subprocess | undefined;
let jobs: JobsHandle | undefined;
let client: pg.Client;
let locker: pg.Client;
let receiver: WebhookReceiver | undefined;
const runnerLog: string[] = [];

afterAll(async () => {
  runner?.kill('SIGKILL');
  edge?.release();
  await jobs?.stop();
  await client?.end();
  await locker?.end();
  edge?.stop();
  receiver?.stop();
});
const database = useTestDatabase('event_kill');

beforeAll(async () => {
  edge = standInEdge();
  edge.mode = 'accept';
  client = new pg.Client({ connectionString: database().url });
  await client.connect();
  locker = new pg.Client({ connectionString: database().url });
  await locker.connect();
  // A receiver of our own that answers at once: no delivery outlives the test.
  receiver = await webhookReceiver();
  const { keyEncryption } = webhookSettingsFrom(parseEnv(configSchema, {}));
  const owner = await adminKeyOwner(database().db);
  await createSubscription(
    database().db,
    owner,
    { url: receiver.url, events: ['order.created'] },
    keyEncryption,
  );
});

const orderEvent = (): DomainEvent => {
  const warehouseId = crypto.randomUUID();
  return {
    id: crypto.randomUUID(),
    type: 'order.created',
    occurredAt: new Date().toISOString(),
    warehouseId,
    // An order in that warehouse, so the (admin) subscriber may receive it.
    data: { id: crypto.randomUUID(), warehouseId },
    requestId: null,
  };
};
const addEvents = (events: DomainEvent[]) =>
  client.query('select platform.add_events($1::json)', [JSON.stringify(events)]);

test('a batch whose runner is killed is run again by the next runner, with what came meanwhile', async () => {
  const db = database().db;
  const proc = Bun.spawn(['bun', join(import.meta.dir, 'main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: database().url,
      EDGE_URL: edge.url,
      EDGE_INTERNAL_SECRET: 'test-internal-secret-of-at-least-32-characters',
      JOBS_CONCURRENCY: '1',
      LOG_LEVEL: 'warn',
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  runner = proc;
  // Its log, shown if the test fails.
  for (const stream of [proc.stdout, proc.stderr])
    void (async () => {
      for await (const chunk of stream) runnerLog.push(new TextDecoder().decode(chunk));
    })();
  // The deliveries are locked: the runner's publish-event job waits on its insert.
  await locker.query('begin');
  await locker.query('lock table webhooks.deliveries in access exclusive mode');
  const first = orderEvent();
  await addEvents([first]);
  await eventually(async () => {
    const { rows } = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker.jobs
          where task_identifier = 'publish-event' and locked_by is not null`,
    );
    return rows[0]!.n > 0 ? true : undefined;
  }, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; runner log:\n${runnerLog.join('').slice(-3000)}`);
  });
  const second = orderEvent();
  await addEvents([second]);
  proc.kill('SIGKILL');
  await proc.exited;
  // Its sessions would go on (the deliveries' insert waiting on the lock would commit once it is
  // free): end them, as a dead host's connections end, so only a new runner can publish. Not
  // the test's own pool's (varastokkr-test), whose next query would fail.
  await locker.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
      where application_name like 'varastokkr-%' and application_name <> 'varastokkr-test'
        and datname = current_database()`,
  );
  await locker.query('rollback');

  // The dead runner's job: still locked under its id.
  const { rows: left } = await db.execute<{ locked: boolean }>(
    sql`select locked_by is not null as locked from graphile_worker.jobs
        where task_identifier = 'publish-event' order by id`,
  );
  expect(left[0]).toEqual({ locked: true });

  // The sweep, as a runner makes it once the dead one has been silent for a while, until every
  // id the dead runner locked under is swept (its pool beat after its workers did) and the job
  // has its attempts back. Before the next runner starts: a live runner beats every 15 s, so a
  // sweep for 1 s of silence would take it for dead too.
  const log = captureLogger({ service: 'jobs' }).log;
  await eventually(async () => {
    await unlockDeadWorkers(db, log, 1);
    const { rows } = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker.jobs
          where task_identifier = 'publish-event' and (locked_by is not null or attempts >= max_attempts)`,
    );
    return rows[0]!.n === 0 ? true : undefined;
  }, 30_000);
  jobs = await startJobs({
    databaseUrl: database().url,
    concurrency: 1,
    log,
    cron: false,
    edge: { url: edge.url, secret: 'test-internal-secret' },
  });
  const ids = [first.id, second.id];
  await eventuallyAllIn(db, eventArchive.id, ids);
  // Each event's delivery queued once.
  await eventuallyAllIn(db, deliveries.eventId, ids);
  const queued = await db
    .select({ eventId: deliveries.eventId })
    .from(deliveries)
    .where(inArray(deliveries.eventId, ids));
  expect(queued.length).toBe(ids.length);
  await eventually(async () => {
    const accepted = edge.answered(200);
    return accepted.includes(first.id) && accepted.includes(second.id) ? true : undefined;
  }, 30_000);
  await eventually(async () => {
    const { rows } = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'publish-event'`,
    );
    return rows[0]!.n === 0 ? true : undefined;
  }, 30_000);
}, 90_000);
