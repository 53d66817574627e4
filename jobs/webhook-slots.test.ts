/**
 * A receiver that never answers holds a webhook slot for the whole timeout. Those slots are the
 * delivery runner's own (jobs/worker.ts): with ONE slot for every other job, events still reach
 * the healthy subscriber and the other jobs still run while a dead receiver keeps its request
 * open. On a shared runner the dead attempt would hold that one slot for the 60 s timeout.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { configSchema } from '../core/platform/config.ts';
import { parseEnv } from '../core/platform/env.ts';
import { enqueueEvent } from '../core/platform/outbox.ts';
import { webhookSettingsFrom } from '../core/webhooks/settings.ts';
import { createSubscription } from '../core/webhooks/subscriptions.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { captureLogger } from '../test/harness/logs.ts';
import { adminKeyOwner, type WebhookReceiver, webhookReceiver } from '../test/harness/webhook-receiver.ts';
import { type JobsHandle, startJobs } from './worker.ts';

const settings = { ...webhookSettingsFrom(parseEnv(configSchema, {})), timeoutMs: 60_000 };
let jobs: JobsHandle;
let dead: WebhookReceiver;
let healthy: WebhookReceiver;
// Registered before the database's own hook, so everything stops before the database is dropped
// (afterAll hooks run in the order they were registered).
afterAll(async () => {
  dead.stop();
  healthy.stop();
  await jobs.stop();
});
const database = useTestDatabase('webhook_slots');

beforeAll(async () => {
  dead = await webhookReceiver('hang');
  healthy = await webhookReceiver({ answer: 204 });
  dead.up();
  healthy.up();
  jobs = await startJobs({
    databaseUrl: database().url,
    concurrency: 1,
    webhookConcurrency: 2,
    log: captureLogger({ service: 'jobs' }).log,
    cron: false,
    webhooks: settings,
  });
});

const productUpdated = (sku: string) => ({ type: 'product.updated' as const, data: { sku, version: 1 } });

test('while a dead receiver holds its request open, the other jobs run and the healthy subscriber gets every event', async () => {
  const db = database().db;
  const owner = await adminKeyOwner(db);
  for (const receiver of [dead, healthy])
    await createSubscription(
      db,
      owner,
      { url: receiver.url, events: ['product.updated'] },
      settings.keyEncryption,
    );

  await enqueueEvent(db, productUpdated('SLOW-1'));
  await dead.waitFor((r) => r.json.data.sku === 'SLOW-1');
  // The dead attempt is in flight now, for up to 60 s. The next event needs the one general slot
  // (publish-event makes its deliveries) and a delivery slot: both are free.
  await enqueueEvent(db, productUpdated('SLOW-2'));
  const second = await healthy.waitFor((r) => r.json.data.sku === 'SLOW-2', 30_000);
  expect(second.headers['webhook-id']).toMatch(/^msg_/);
  expect(dead.received.filter((r) => r.json.data.sku === 'SLOW-2')).toHaveLength(0);
});
