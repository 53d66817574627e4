/**
 * What a deliver-webhook job does (jobs/tasks/deliver-webhook.ts): sends every delivery of its
 * subscription that is due, one after another in the order they came due, until none is. The
 * subscription is read once per run of successes; after anything else it is read again, so a
 * pause (after a failure) or a disabling stops the sending: the next attempt then moves what
 * waits to the pause's end (and stops), or fails it all. Every attempt leaves its delivery
 * settled or due later, so this ends.
 */
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { type Attempt, attemptPending } from './delivery-attempts.ts';
import type { WebhookSettings } from './settings.ts';
import { deliveries, subscriptions } from './tables.ts';

const DUE_BATCH = 100;

/** Up to DUE_BATCH of this subscription's due deliveries, in the order they came due. */
const dueDeliveries = (db: Database, subscriptionId: string) =>
  db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.subscriptionId, subscriptionId),
        eq(deliveries.status, 'pending'),
        lte(deliveries.nextAttemptAt, sql`now()`),
      ),
    )
    .orderBy(deliveries.nextAttemptAt, deliveries.id)
    .limit(DUE_BATCH);

export async function sendDueDeliveries(
  db: Database,
  subscriptionId: string,
  settings: WebhookSettings,
  onAttempt: (deliveryId: string, attempt: Attempt) => void,
): Promise<void> {
  for (;;) {
    const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
    if (!sub) return;
    const due = await dueDeliveries(db, subscriptionId);
    let sentAll = true;
    for (const delivery of due) {
      const attempt = await attemptPending(db, sub, delivery, settings);
      onAttempt(delivery.id, attempt);
      // What waits is now due at the pause's end, and woken then.
      if (attempt.result === 'paused') return;
      if (attempt.result !== 'delivered' && attempt.result !== 'published') {
        sentAll = false;
        break;
      }
    }
    if (sentAll && due.length < DUE_BATCH) return;
  }
}

/**
 * The backlog for metrics (jobs/metrics.ts): pending deliveries already due, and how long the
 * most overdue one has been due in seconds (0 when none).
 */
export async function dueDeliveryBacklog(db: Database): Promise<{ due: number; oldestSeconds: number }> {
  const { rows } = await db.execute<{ due: number; oldest: number }>(sql`
    select count(*)::int as due, coalesce(extract(epoch from now() - min(next_attempt_at)), 0)::float8 as oldest
      from webhooks.deliveries where status = 'pending' and next_attempt_at <= now()`);
  return { due: rows[0]?.due ?? 0, oldestSeconds: rows[0]?.oldest ?? 0 };
}
