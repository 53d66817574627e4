/**
 * The attempt logic on its own, against a real database and a real local receiver: the retry
 * schedule (a plain function), and the breaker that keeps a failing receiver from being sent
 * every waiting delivery in turn.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { and, eq, sql } from 'drizzle-orm';
import { useTestDatabase } from '../../test/harness/database.ts';
import {
  adminKeyOwner,
  subscriptionWithDeliveries,
  type WebhookReceiver,
  webhookReceiver,
} from '../../test/harness/webhook-receiver.ts';
import type { Principal } from '../identity/policy.ts';
import { archiveEvent } from '../integrations/event-archive.ts';
import { configSchema } from '../platform/config.ts';
import { parseEnv } from '../platform/env.ts';
import { attemptDelivery } from './delivery-attempts.ts';
import { pruneDeliveries, replayDeliveries } from './delivery-log.ts';
import { queueEventDeliveries } from './delivery-queue.ts';
import { retryDelayMs, webhookSettingsFrom } from './settings.ts';
import { createSubscription } from './subscriptions.ts';
import { deliveries, deliveryAttempts, subscriptions } from './tables.ts';

const defaults = () => webhookSettingsFrom(parseEnv(configSchema, {}));

describe('retryDelayMs', () => {
  test('the first retry comes within seconds, each doubles up to the cap, with jitter of at most half', () => {
    const s = defaults();
    expect(retryDelayMs(s, 1, 0)).toBe(2_500);
    expect(retryDelayMs(s, 1, 1)).toBe(5_000);
    expect(retryDelayMs(s, 2, 1)).toBe(10_000);
    expect(retryDelayMs(s, 3, 0.5)).toBe(15_000);
    expect(retryDelayMs(s, 40, 1)).toBe(s.retryMaxDelayMs);
  });

  test('retries go on for more than a day before a delivery is given up (five days by default)', () => {
    const s = defaults();
    let elapsed = 0;
    let attempts = 0;
    while (elapsed + retryDelayMs(s, attempts + 1, 1) < s.disableAfterMs)
      elapsed += retryDelayMs(s, ++attempts, 1);
    expect(elapsed).toBeGreaterThan(24 * 3_600_000);
    expect(s.disableAfterMs).toBe(5 * 24 * 3_600_000);
  });
});

describe('the breaker', () => {
  const database = useTestDatabase('webhook_attempts');
  let receiver: WebhookReceiver;
  let owner: Principal;

  beforeAll(async () => {
    receiver = await webhookReceiver({ answer: 500 });
    receiver.up();
    owner = await adminKeyOwner(database().db);
  });
  afterAll(() => receiver.stop());

  test('after a failure the other waiting deliveries wait out the pause instead of being sent', async () => {
    const db = database().db;
    const sub = await createSubscription(
      db,
      owner,
      { url: receiver.url, events: ['product.updated'] },
      defaults().keyEncryption,
    );
    for (const n of [1, 2]) {
      await queueEventDeliveries(db, {
        id: crypto.randomUUID(),
        type: 'product.updated',
        occurredAt: new Date().toISOString(),
        warehouseId: null,
        data: { sku: `B-${n}`, version: n },
        requestId: null,
      });
    }
    const [first, second] = await db
      .select()
      .from(deliveries)
      .where(eq(deliveries.subscriptionId, sub.id))
      .orderBy(sql`${deliveries.payload}->'data'->>'sku'`);
    expect((await attemptDelivery(db, first!.id, defaults())).result).toBe('retrying');
    const [paused] = await db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    expect(paused?.pausedUntil?.getTime()).toBeGreaterThan(Date.now());
    expect(paused?.failingSince).not.toBeNull();

    expect((await attemptDelivery(db, second!.id, defaults())).result).toBe('paused');
    expect(receiver.received).toHaveLength(1);
    const [waiting] = await db.select().from(deliveries).where(eq(deliveries.id, second!.id));
    expect(waiting?.attempts).toBe(0);
    expect(waiting?.nextAttemptAt?.getTime()).toBeGreaterThanOrEqual(paused!.pausedUntil!.getTime());

    // Once the pause is over it is sent; a success closes the breaker and forgets the failures.
    await db
      .update(subscriptions)
      .set({ pausedUntil: new Date(Date.now() - 1) })
      .where(eq(subscriptions.id, sub.id));
    receiver.mode = { answer: 204 };
    expect((await attemptDelivery(db, second!.id, defaults())).result).toBe('delivered');
    const [closed] = await db
      .select()
      .from(subscriptions)
      .where(and(eq(subscriptions.id, sub.id)));
    expect(closed).toMatchObject({ pausedUntil: null, failingSince: null });
  });
  test('settled deliveries past the archive retention are pruned with their attempts; pending ones stay', async () => {
    const db = database().db;
    const sub = await createSubscription(
      db,
      owner,
      { url: receiver.url, events: ['product.updated'] },
      defaults().keyEncryption,
    );
    const delivery = (status: 'pending' | 'succeeded' | 'failed', daysAgo: number) => ({
      subscriptionId: sub.id,
      eventId: crypto.randomUUID(),
      eventType: 'product.updated',
      payload: { type: 'product.updated', timestamp: new Date().toISOString(), data: {} },
      occurredAt: new Date(),
      status,
      createdAt: new Date(Date.now() - daysAgo * 86_400_000),
    });
    const made = await db
      .insert(deliveries)
      .values([
        delivery('succeeded', 40),
        delivery('failed', 40),
        delivery('pending', 40),
        delivery('succeeded', 1),
      ])
      .returning({ id: deliveries.id, status: deliveries.status, createdAt: deliveries.createdAt });
    expect(await pruneDeliveries(db, 30)).toBeGreaterThanOrEqual(2);
    const left = await db
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(eq(deliveries.subscriptionId, sub.id));
    const kept = made.filter(
      (d) => d.status === 'pending' || d.createdAt.getTime() > Date.now() - 30 * 86_400_000,
    );
    expect(left.map((d) => d.id).sort()).toEqual(kept.map((d) => d.id).sort());
  });

  test('a replay of a range longer than one call says where the next call starts', async () => {
    const db = database().db;
    const sub = await createSubscription(
      db,
      owner,
      { url: receiver.url, events: ['product.updated'] },
      defaults().keyEncryption,
    );
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
    for (const second of [1, 2, 3])
      await archiveEvent(db, {
        id: crypto.randomUUID(),
        type: 'product.updated',
        occurredAt: at(second),
        warehouseId: null,
        data: { sku: `R-${second}`, version: second },
        requestId: null,
      });
    const range = { from: at(0), to: at(10) };
    expect(await replayDeliveries(db, owner, sub.id, range, 2)).toEqual({ queued: 2, nextFrom: at(2) });
    expect(await replayDeliveries(db, owner, sub.id, { ...range, from: at(2) }, 5)).toEqual({
      queued: 2,
      nextFrom: null,
    });
  });

  /** A new subscription of `url` to `type`, and the one delivery of an event of it for `sku`. */
  const oneDelivery = async (url: string, type: 'product.archived' | 'product.created', sku: string) =>
    (await subscriptionWithDeliveries(database().db, owner, { url, type, skus: [sku] })).deliveries[0]!;

  test('a 2xx whose answer holds NUL bytes is recorded as delivered, once, its NULs replaced', async () => {
    const db = database().db;
    const binary = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () => new Response('ok\u0000\u0001ack'),
    });
    try {
      const delivery = await oneDelivery(
        `http://127.0.0.1:${binary.port}/hooks`,
        'product.archived',
        'NUL-1',
      );
      expect((await attemptDelivery(db, delivery.id, defaults())).result).toBe('delivered');
      const attempts = await db
        .select()
        .from(deliveryAttempts)
        .where(eq(deliveryAttempts.deliveryId, delivery.id));
      expect(attempts.map((a) => [a.statusCode, a.responseBody])).toEqual([[200, 'ok\uFFFD\u0001ack']]);
    } finally {
      binary.stop(true);
    }
  });

  test('a secret no configured KEK opens is a failed attempt that says what to set, retried like any failure', async () => {
    const db = database().db;
    const delivery = await oneDelivery(receiver.url, 'product.created', 'KEK-1');
    const otherKek = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    const settings = { ...defaults(), keyEncryption: { current: otherKek } };
    expect((await attemptDelivery(db, delivery.id, settings)).result).toBe('retrying');
    const attempts = await db
      .select()
      .from(deliveryAttempts)
      .where(eq(deliveryAttempts.deliveryId, delivery.id));
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.error).toContain('SIGNING_KEY_ENCRYPTION_KEY');
  });
});
