/**
 * The sender one deliver-webhook job runs (sendDueDeliveries), against a real database and a
 * real local receiver: everything due goes out in the order it came due; a failure stops it and
 * leaves the rest due at the pause's end with one wake-up; a delivery given up does not strand
 * the ones behind it.
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
import { configSchema } from '../platform/config.ts';
import { parseEnv } from '../platform/env.ts';
import type { AttemptResult } from './delivery-attempts.ts';
import { sendDueDeliveries } from './due-deliveries.ts';
import { webhookSettingsFrom } from './settings.ts';
import { deliveries, subscriptions } from './tables.ts';

const settings = webhookSettingsFrom(parseEnv(configSchema, {}));

describe('sendDueDeliveries', () => {
  const database = useTestDatabase('due_deliveries');
  let receiver: WebhookReceiver;
  let owner: Principal;

  beforeAll(async () => {
    receiver = await webhookReceiver({ answer: 204 });
    receiver.up();
    owner = await adminKeyOwner(database().db);
  });
  afterAll(() => receiver.stop());

  /** A subscription with `n` deliveries due. */
  const subscriptionWithDue = async (n: number, prefix: string) =>
    (
      await subscriptionWithDeliveries(database().db, owner, {
        url: receiver.url,
        type: 'product.updated',
        skus: Array.from({ length: n }, (_, i) => `${prefix}-${i}`),
      })
    ).sub;

  const send = async (subscriptionId: string) => {
    const results: AttemptResult[] = [];
    await sendDueDeliveries(database().db, subscriptionId, settings, (_, a) => results.push(a.result));
    return results;
  };
  const statusesOf = (subscriptionId: string) =>
    database().db.select().from(deliveries).where(eq(deliveries.subscriptionId, subscriptionId));
  const wakeUps = async (subscriptionId: string) =>
    (
      await database().db.execute<{ key: string }>(
        sql`select key from graphile_worker.jobs where key like ${`deliver-webhook:${subscriptionId}%`}`,
      )
    ).rows.map((r) => r.key);

  test('everything due is sent, in the order it came due, in one run', async () => {
    receiver.mode = { answer: 204 };
    const sub = await subscriptionWithDue(5, 'ORDER');
    expect(await send(sub.id)).toEqual(Array(5).fill('delivered'));
    const skus = receiver.received.filter((r) => String(r.json.data.sku).startsWith('ORDER-'));
    expect(skus.map((r) => r.json.data.sku)).toEqual(['ORDER-0', 'ORDER-1', 'ORDER-2', 'ORDER-3', 'ORDER-4']);
    expect((await statusesOf(sub.id)).every((d) => d.status === 'succeeded' && d.attempts === 1)).toBe(true);
  });

  test('a failure stops the run: the rest wait for the end of the pause, with one wake-up for them', async () => {
    receiver.mode = { answer: 503 };
    const sub = await subscriptionWithDue(4, 'PAUSE');
    expect(await send(sub.id)).toEqual(['retrying', 'paused']);
    expect(receiver.received.filter((r) => String(r.json.data.sku).startsWith('PAUSE-'))).toHaveLength(1);
    const [paused] = await database().db.select().from(subscriptions).where(eq(subscriptions.id, sub.id));
    const waiting = (await statusesOf(sub.id)).filter((d) => d.attempts === 0);
    expect(waiting).toHaveLength(3);
    for (const d of waiting)
      expect(d.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(paused!.pausedUntil!.getTime());
    expect(await wakeUps(sub.id)).toContain(`deliver-webhook:${sub.id}:resume`);
  });

  test('a delivery given up after days of retries does not strand the ones due behind it', async () => {
    receiver.mode = { answer: 503 };
    const sub = await subscriptionWithDue(2, 'OLD');
    const [oldest] = await database()
      .db.select()
      .from(deliveries)
      .where(eq(deliveries.subscriptionId, sub.id))
      .orderBy(deliveries.nextAttemptAt, deliveries.id)
      .limit(1);
    await database()
      .db.update(deliveries)
      .set({ createdAt: new Date(Date.now() - settings.disableAfterMs - 60_000) })
      .where(and(eq(deliveries.id, oldest!.id)));
    // The old one is given up; the next one is still sent (and retried with its own backoff).
    expect(await send(sub.id)).toEqual(['failed', 'retrying']);
    const rows = await statusesOf(sub.id);
    const next = rows.find((d) => d.id !== oldest!.id)!;
    expect(rows.find((d) => d.id === oldest!.id)?.status).toBe('failed');
    expect(next).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await wakeUps(sub.id)).toContain(`deliver-webhook:${sub.id}:${next.id}`);
  });
});
