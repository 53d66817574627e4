/**
 * The jobs runner's GET /metrics (on JOBS_HEALTH_PORT) over a real database: Prometheus text a
 * strict reader accepts, with the job queue (depth and age of the oldest runnable job, through
 * graphile_worker.jobs), the rooms' feed lag, the events' outbox and the webhook backlog as the database holds them;
 * 401 without METRICS_TOKEN.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { EventEmitter } from 'node:events';
import { sql } from 'drizzle-orm';
import type { WorkerEvents } from 'graphile-worker';
import { freePort } from '../core/platform/ports.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { expectProblem } from '../test/harness/http.ts';
import { parsePrometheus, sampleValue } from '../test/harness/prometheus.ts';
import { type JobsHealth, serveJobsHealth } from './health.ts';
import { jobsMetrics } from './metrics.ts';

const database = useTestDatabase('jobs_metrics');
const token = `jobs-metrics-${crypto.randomUUID()}`;
let health: JobsHealth;
let url: string;
const events: WorkerEvents = new EventEmitter();

beforeAll(async () => {
  health = serveJobsHealth({
    hostname: '127.0.0.1',
    port: await freePort(),
    running: () => true,
    metrics: { access: { token, production: false }, registries: [jobsMetrics(database().db, events)] },
  });
  url = `http://127.0.0.1:${health.port}`;
});
afterAll(() => health.stop());

/** Work that waits: no runner runs here, so it stays as written. */
async function leaveWaitingWork(): Promise<void> {
  const { db } = database();
  await db.execute(sql`select graphile_worker.add_job('purge-edge-catalog', '{}'::json,
    run_at => now() - interval '2 minutes')`);
  await db.execute(sql`select graphile_worker.add_job('purge-edge-catalog', '{}'::json,
    run_at => now() + interval '1 hour')`);
  await db.execute(sql`insert into inventory.level_feed
    (warehouse_id, sku, on_hand, reserved, version, from_version, written_at)
    values (gen_random_uuid(), 'FEED-1', 5, 0, 2, 1, now() - interval '10 seconds')`);
  await db.execute(sql`insert into platform.event_outbox (events, written_at)
    values ('[]'::json, now() - interval '20 seconds'), ('[]'::json, now())`);
  await db.execute(sql`insert into platform.room_event_feed (warehouse_id, event)
    values (gen_random_uuid(), '{}'::json), (gen_random_uuid(), '{}'::json), (gen_random_uuid(), '{}'::json)`);
  await db.execute(sql`with sub as (
      insert into webhooks.subscriptions (url, events, owner_kind, owner_id, secret_sealed)
      values ('https://hooks.example.test/in', '{order.created}', 'user', gen_random_uuid(), 'sealed')
      returning id)
    insert into webhooks.deliveries
      (subscription_id, event_id, event_type, payload, occurred_at, status, next_attempt_at)
    select id, gen_random_uuid(), 'order.created', '{}'::jsonb, now(), 'pending', now() - interval '30 seconds'
      from sub
    union all
    select id, gen_random_uuid(), 'order.created', '{}'::jsonb, now(), 'pending', now() + interval '1 hour'
      from sub`);
}

test('the queue, the feed lag and the webhook backlog, as Prometheus text', async () => {
  await leaveWaitingWork();
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toStartWith('text/plain; version=0.0.4');
  const metrics = parsePrometheus(await res.text());
  const task = { task: 'purge-edge-catalog' };
  // The job due two minutes ago waits; the one due in an hour is not runnable yet.
  expect(sampleValue(metrics, 'varastokkr_jobs_runnable', task)).toBe(1);
  expect(sampleValue(metrics, 'varastokkr_jobs_oldest_runnable_age_seconds', task)).toBeGreaterThanOrEqual(
    119,
  );
  expect(sampleValue(metrics, 'varastokkr_jobs_running', task)).toBe(0);
  expect(sampleValue(metrics, 'varastokkr_room_feed_waiting_levels')).toBe(1);
  expect(sampleValue(metrics, 'varastokkr_room_feed_lag_seconds')).toBeGreaterThanOrEqual(10);
  expect(sampleValue(metrics, 'varastokkr_event_outbox_waiting')).toBe(2);
  expect(sampleValue(metrics, 'varastokkr_room_feed_waiting_events')).toBe(3);
  expect(sampleValue(metrics, 'varastokkr_event_outbox_lag_seconds')).toBeGreaterThanOrEqual(20);
  // One delivery is due (30 s overdue), the other waits for its retry time.
  expect(sampleValue(metrics, 'varastokkr_webhook_backlog')).toBe(1);
  expect(sampleValue(metrics, 'varastokkr_webhook_oldest_due_age_seconds')).toBeGreaterThanOrEqual(30);
});

test("the runner's finished jobs are counted by task and outcome", async () => {
  const job = { task_identifier: 'settle-order' };
  events.emit('job:success', { job } as never);
  events.emit('job:error', { job } as never);
  events.emit('job:failed', { job } as never);
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const metrics = parsePrometheus(await res.text());
  for (const outcome of ['success', 'error', 'failed'])
    expect(sampleValue(metrics, 'varastokkr_jobs_finished_total', { task: 'settle-order', outcome })).toBe(1);
});

test('401 without METRICS_TOKEN; /healthz stays open', async () => {
  const refused = await fetch(`${url}/metrics`);
  await expectProblem(refused, 401, 'unauthorized');
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
});
