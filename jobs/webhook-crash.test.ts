/**
 * kill -9 of the jobs runner in the middle of a burst of webhook deliveries loses none: the
 * runner is a real `bun jobs/main.ts` process, SIGKILLed while deliveries are in flight; a second
 * runner unlocks the dead one's jobs (JOBS_DEAD_WORKER_SECONDS) and every event reaches every
 * subscription, signed, at least once.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { Webhook } from 'standardwebhooks';
import { configSchema } from '../core/platform/config.ts';
import { parseEnv } from '../core/platform/env.ts';
import { enqueueEvents } from '../core/platform/outbox.ts';
import { webhookSettingsFrom } from '../core/webhooks/settings.ts';
import { createSubscription } from '../core/webhooks/subscriptions.ts';
import { repoRoot } from '../test/harness/command.ts';
import { useTestDatabase } from '../test/harness/database.ts';
import { eventually } from '../test/harness/http.ts';
import { adminKeyOwner, type WebhookReceiver, webhookReceiver } from '../test/harness/webhook-receiver.ts';

const database = useTestDatabase('webhook_crash');
let receiver: WebhookReceiver;
const runners: ReturnType<typeof Bun.spawn>[] = [];

/** A jobs runner as deployed: its own process over the test database, no edge. */
function startRunner() {
  const proc = Bun.spawn(['bun', 'jobs/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: database().url,
      JOBS_CONCURRENCY: '4',
      JOBS_DEAD_WORKER_SECONDS: '2',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_RETRY_MAX_DELAY_MS: '500',
      LOG_LEVEL: 'error',
      EDGE_URL: '',
      EDGE_INTERNAL_SECRET: '',
    },
    stdout: 'ignore',
    stderr: 'inherit',
  });
  runners.push(proc);
  return proc;
}

beforeAll(async () => {
  receiver = await webhookReceiver({ answer: 200 });
  receiver.up();
});

afterAll(async () => {
  for (const r of runners) {
    r.kill('SIGTERM');
    await r.exited;
  }
  receiver.stop();
});

test('a runner killed with SIGKILL mid-burst loses no delivery', async () => {
  const db = database().db;
  const owner = await adminKeyOwner(db);
  const keyEncryption = webhookSettingsFrom(parseEnv(configSchema, {})).keyEncryption;
  const subs = await Promise.all(
    [1, 2].map(() =>
      createSubscription(db, owner, { url: receiver.url, events: ['product.updated'] }, keyEncryption),
    ),
  );
  const skus = Array.from({ length: 200 }, (_, i) => `CRASH-${i}`);
  await enqueueEvents(
    db,
    skus.map((sku) => ({ type: 'product.updated' as const, data: { sku, version: 2 } })),
  );

  const first = startRunner();
  // From the 40th request on the receiver holds its answers: the runner dies with deliveries in
  // flight, whatever the machine's speed.
  await receiver.waitFor(() => receiver.received.length >= 40, 60_000);
  receiver.mode = 'hang';
  await receiver.waitFor((r) => r.answered === undefined, 60_000);
  first.kill('SIGKILL');
  await first.exited;
  const answeredBeforeKill = receiver.received.filter((r) => r.answered === 200).length;
  expect(answeredBeforeKill).toBeLessThan(skus.length * subs.length);

  receiver.mode = { answer: 200 };
  startRunner();
  // Every (event, subscription) arrives: each subscription verifies its own deliveries.
  const arrived = await eventually(async () => {
    const bySub = subs.map((sub) => {
      const verifier = new Webhook(sub.secret);
      const got = new Set<string>();
      // Only what was answered counts: a request held when the runner died is not delivered.
      for (const r of receiver.received.filter((r) => r.answered === 200)) {
        try {
          got.add((verifier.verify(r.body, r.headers) as { data: { sku: string } }).data.sku);
        } catch {
          // Signed for the other subscription.
        }
      }
      return got;
    });
    return bySub.every((got) => got.size === skus.length) ? bySub : undefined;
  }, 90_000);
  for (const got of arrived) expect([...got].sort()).toEqual([...skus].sort());
  // One webhook-id per (event, subscription), however often it was sent.
  expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(skus.length * subs.length);
}, 180_000);
