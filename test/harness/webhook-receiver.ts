/**
 * A real webhook receiver for tests: Bun.serve on a port of its own that can be down (nothing
 * listening), answer a status, hang past the sender's timeout, or accept. Every request is kept
 * with its headers and raw body; tests wait for the request they expect (no sleeps).
 */
import { asc, eq } from 'drizzle-orm';
import { createApiKey, keyPrincipal } from '../../core/identity/api-keys.ts';
import type { Principal } from '../../core/identity/policy.ts';
import { configSchema } from '../../core/platform/config.ts';
import type { Database } from '../../core/platform/database.ts';
import { parseEnv } from '../../core/platform/env.ts';
import { freePort } from '../../core/platform/ports.ts';
import { queueEventDeliveries } from '../../core/webhooks/delivery-queue.ts';
import { webhookSettingsFrom } from '../../core/webhooks/settings.ts';
import { createSubscription } from '../../core/webhooks/subscriptions.ts';
import { deliveries } from '../../core/webhooks/tables.ts';

export type ReceiverMode = { answer: number } | 'hang';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  /** What this request was answered (undefined: it hung). */
  answered: number | undefined;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  up(): void;
  down(): void;
  mode: ReceiverMode;
  /** Resolves with the first request (past or future) that matches. */
  waitFor(match: (r: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook>;
  stop(): void;
}

export async function webhookReceiver(initial: ReceiverMode = { answer: 204 }): Promise<WebhookReceiver> {
  const port = await freePort();
  let server: ReturnType<typeof Bun.serve> | undefined;
  const waiters: { match: (r: ReceivedWebhook) => boolean; resolve: (r: ReceivedWebhook) => void }[] = [];
  const hung: (() => void)[] = [];
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    received: [],
    mode: initial,
    up() {
      server ??= Bun.serve({
        hostname: '127.0.0.1',
        port,
        fetch: async (req) => {
          const body = await req.text();
          const mode = receiver.mode;
          const entry: ReceivedWebhook = {
            headers: Object.fromEntries(req.headers),
            body,
            answered: mode === 'hang' ? undefined : mode.answer,
            json: JSON.parse(body),
          };
          receiver.received.push(entry);
          for (const w of waiters.filter((w) => w.match(entry))) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(entry);
          }
          if (mode === 'hang') await new Promise<void>((resolve) => hung.push(resolve));
          if (mode === 'hang') return new Response('late');
          // A long answer: the delivery log keeps its first 1 KB.
          return new Response(mode.answer === 204 ? null : `answer ${'x'.repeat(2000)}`, {
            status: mode.answer,
          });
        },
      });
    },
    down() {
      server?.stop(true);
      server = undefined;
    },
    waitFor(match, timeoutMs = 30_000) {
      const found = receiver.received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the expected webhook did not arrive')), timeoutMs);
        waiters.push({
          match,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
      });
    },
    stop() {
      for (const release of hung) release();
      receiver.down();
    },
  };
  return receiver;
}

/** An admin API key to own subscriptions made straight through core/webhooks, as its principal. */
export async function adminKeyOwner(db: Database): Promise<Principal> {
  const key = await createApiKey(db, { name: 'webhook owner', roles: ['admin'], warehouseIds: [] }, null);
  return keyPrincipal(key);
}

/**
 * A new subscription of `url` to `type` and, for each sku, one event of that type queued to it as
 * publish-event queues them: its deliveries, oldest first.
 */
export async function subscriptionWithDeliveries(
  db: Database,
  owner: Principal,
  opts: {
    url: string;
    type: 'product.created' | 'product.updated' | 'product.archived';
    skus: readonly string[];
  },
) {
  const { keyEncryption } = webhookSettingsFrom(parseEnv(configSchema, {}));
  const sub = await createSubscription(db, owner, { url: opts.url, events: [opts.type] }, keyEncryption);
  for (const sku of opts.skus)
    await queueEventDeliveries(db, {
      id: crypto.randomUUID(),
      type: opts.type,
      occurredAt: new Date().toISOString(),
      warehouseId: null,
      data: { sku, version: 1 },
      requestId: null,
    });
  const queued = await db
    .select()
    .from(deliveries)
    .where(eq(deliveries.subscriptionId, sub.id))
    .orderBy(asc(deliveries.createdAt), asc(deliveries.id));
  return { sub, deliveries: queued };
}
