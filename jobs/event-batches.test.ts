/**
 * Events are published in batches, end to end on a stack of its own: hundreds of events committed
 * while no jobs runner runs (orders through the edge, stock adjustments) wait in the outbox, not
 * in a job each; once a runner starts, its event mover moves them into a few publish-event jobs
 * and every one of them is archived,
 * delivered exactly once to a real webhook receiver, and the order events reach the warehouse's
 * room over its socket.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { eventArchive } from '../core/integrations/tables.ts';
import { configSchema } from '../core/platform/config.ts';
import { parseEnv } from '../core/platform/env.ts';
import type { RoomMessage } from '../core/platform/room-contract.ts';
import { webhookSettingsFrom } from '../core/webhooks/settings.ts';
import { createSubscription } from '../core/webhooks/subscriptions.ts';
import { eventuallyAllIn } from '../test/harness/database.ts';
import { type EdgeStack, startEdgeStack } from '../test/harness/edge.ts';
import { eventually } from '../test/harness/http.ts';
import { queuedEvents } from '../test/harness/job-queue.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { openRoom, roomUrl } from '../test/harness/room-socket.ts';
import { receive, type StockWorld, stockWorld } from '../test/harness/stock.ts';
import { adminKeyOwner, type WebhookReceiver, webhookReceiver } from '../test/harness/webhook-receiver.ts';
import { type JobsHandle, startJobs } from './worker.ts';

let stack: EdgeStack;
let w: StockWorld;
let wh: string;
let receiver: WebhookReceiver;
let jobs: JobsHandle | undefined;

beforeAll(async () => {
  stack = await startEdgeStack({ name: 'event_batches', jobs: false });
  w = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 1, skus: 2 });
  wh = w.warehouses[0]!.id;
  receiver = await webhookReceiver({ answer: 204 });
  receiver.up();
}, 120_000);

afterAll(async () => {
  receiver?.stop();
  await jobs?.stop();
  await stack?.stop();
});

interface QueuedEvent {
  id: string;
  type: string;
  occurredAt: string;
  warehouseId: string | null;
  data: { id?: string; sku?: string; version?: number };
}

/** What tells an event's deliveries apart (a delivery's body has no event id): its object and version. */
const identity = (type: string, data: QueuedEvent['data']) =>
  type === 'stock.changed' ? `${type}:${data.sku}@${data.version}` : `${type}:${data.id}`;

const count = async (query: ReturnType<typeof sql>) => {
  const { rows } = await stack.database.db.execute<{ n: number }>(query);
  return rows[0]!.n;
};
const publishJobs = () =>
  count(sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'publish-event'`);
const outboxRows = () => count(sql`select count(*)::int as n from platform.event_outbox`);

test('events committed while no runner runs wait in the outbox, then each is archived, delivered once and reaches the room', async () => {
  const { db } = stack.database;
  const { keyEncryption } = webhookSettingsFrom(parseEnv(configSchema, {}));
  await createSubscription(
    db,
    await adminKeyOwner(db),
    { url: receiver.url, events: ['order.created', 'stock.changed'] },
    keyEncryption,
  );
  const [hot, other] = w.skus as [string, string];
  await receive(w, wh, hot, 500);
  const room = await openRoom(roomUrl(stack.url, wh, w.admin.accessToken));
  expect((await room.next()).type).toBe('snapshot');

  // 100 orders through the edge (order.created, and stock.changed for their holds) and 100 stock
  // adjustments (stock.changed each), ten requests at a time, as many connections as that takes.
  const orderIds: string[] = [];
  for (let round = 0; round < 10; round++)
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const ordered = await w.api.post('/api/orders', { warehouseId: wh, lines: [{ sku: hot, qty: 1 }] });
        expect(ordered.status, await ordered.clone().text()).toBe(201);
        orderIds.push(((await ordered.json()) as { id: string }).id);
        const adjusted = await w.api.post('/api/inventory/adjustments', {
          warehouseId: wh,
          sku: other,
          delta: round * 10 + i + 1,
          reason: 'found',
        });
        expect(adjusted.status).toBe(201);
      }),
    );

  const queued = (await queuedEvents<QueuedEvent>(db)).filter((e) => e.warehouseId === wh);
  expect(queued.filter((e) => e.type === 'order.created')).toHaveLength(100);
  expect(queued.length).toBeGreaterThanOrEqual(200);
  // No request added a job: the events wait in the outbox, a row per statement that recorded them.
  expect(await publishJobs()).toBe(0);
  console.info(`${queued.length} events in ${await outboxRows()} outbox rows`);

  jobs = await startJobs({
    databaseUrl: stack.database.url,
    concurrency: 2,
    log: captureLogger({ service: 'jobs' }).log,
    cron: false,
    edge: { url: stack.url, secret: stack.internalSecret },
  });

  // The room hears every order.created (in the order of their batch, each room's in one call).
  const heard = new Set<string>();
  while (heard.size < orderIds.length) {
    const m = (await room.nextMatching((x) => x.type === 'event', 30_000)) as Extract<
      RoomMessage,
      { type: 'event' }
    >;
    if (m.event === 'order.created') heard.add(String(m.data.id));
  }
  expect([...heard].sort()).toEqual([...orderIds].sort());

  // Every event archived, by its id.
  const ids = queued.map((e) => e.id);
  await eventuallyAllIn(db, eventArchive.id, ids);

  // Every event delivered, and once: nothing left to send, and no event's body came twice.
  const expected = queued
    .filter((e) => e.type === 'order.created' || e.type === 'stock.changed')
    .map((e) => identity(e.type, e.data))
    .sort();
  await eventually(async () => (receiver.received.length >= expected.length ? true : undefined), 60_000);
  await eventually(async () => {
    const { rows } = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from webhooks.deliveries where status <> 'succeeded'`,
    );
    return rows[0]!.n === 0 ? true : undefined;
  }, 30_000);
  const delivered = receiver.received
    .map((r) => identity(r.json.type, r.json.data as QueuedEvent['data']))
    .sort();
  expect(delivered).toEqual(expected);
  expect(await publishJobs()).toBe(0);
  expect(await outboxRows()).toBe(0);
}, 180_000);
