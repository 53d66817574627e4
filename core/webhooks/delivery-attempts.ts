/**
 * The deliver-webhook job's work: one attempt, recorded, and what follows it. 2xx: delivered.
 * 410 Gone: the receiver asks us to stop, the subscription is disabled. Anything else (an error
 * status, no answer in time, a refused address): the next attempt is scheduled with exponential
 * backoff and jitter, as a new job in the subscription's queue, in the transaction that records
 * the attempt; a subscription failing for WEBHOOK_DISABLE_AFTER_HOURS (5 days) is disabled and a
 * webhook.disabled event says so.
 */
import { and, eq, lte, sql } from 'drizzle-orm';
import type { Database, Queryable, Transaction } from '../platform/database.ts';
import { enqueueEvent } from '../platform/outbox.ts';
import { wakeSenderAt } from './delivery-queue.ts';
import { publishDelivery } from './qstash-publisher.ts';
import { type QStashSettings, retryDelayMs, type WebhookSettings } from './settings.ts';
import { deliveries, deliveryAttempts, subscriptions } from './tables.ts';
import { checkTarget } from './target-address.ts';
import { openWebhookSecret } from './webhook-secrets.ts';
import { type Outgoing, type SendOutcome, sendWebhook } from './webhook-sender.ts';

type SubscriptionRow = typeof subscriptions.$inferSelect;
type DeliveryRow = typeof deliveries.$inferSelect;

export type AttemptResult =
  | 'skipped'
  | 'paused'
  | 'delivered'
  | 'retrying'
  | 'failed'
  | 'disabled'
  | 'published';

/**
 * The secrets that sign now: the current one, and the previous during its grace period. A
 * current secret no configured KEK opens is an error to record as the attempt's (then retried and
 * in the end disabled like any failure, not a job failing unseen); a previous one only stops
 * co-signing.
 */
async function signingSecrets(
  sub: SubscriptionRow,
  settings: WebhookSettings,
): Promise<string[] | { error: string }> {
  const current = await openWebhookSecret(settings.keyEncryption, sub.id, sub.secretSealed).catch(
    (err: Error) => err,
  );
  if (current instanceof Error) return { error: current.message };
  const inGrace =
    sub.previousSecretSealed &&
    sub.secretRotatedAt &&
    Date.now() - sub.secretRotatedAt.getTime() < settings.secretGraceMs;
  if (!inGrace || !sub.previousSecretSealed) return [current];
  const previous = await openWebhookSecret(settings.keyEncryption, sub.id, sub.previousSecretSealed).catch(
    () => undefined,
  );
  return previous === undefined ? [current] : [current, previous];
}

/** An attempt that sent nothing, with why. */
const notSent = (error: string): SendOutcome => ({
  statusCode: null,
  durationMs: 0,
  responseBody: null,
  error,
});

/** Disables the subscription (once) and publishes webhook.disabled with the reason. */
export async function disableSubscription(tx: Transaction, sub: SubscriptionRow, reason: string) {
  const [row] = await tx
    .update(subscriptions)
    .set({ enabled: false, disabledReason: reason, updatedAt: new Date() })
    .where(and(eq(subscriptions.id, sub.id), eq(subscriptions.enabled, true)))
    .returning();
  if (!row) return;
  await enqueueEvent(tx, {
    type: 'webhook.disabled',
    data: { subscriptionId: row.id, url: row.url, reason, ownerKind: row.ownerKind, ownerId: row.ownerId },
  });
}

export const settle = (
  tx: Transaction,
  delivery: DeliveryRow,
  status: DeliveryRow['status'],
  nextAttemptAt: Date | null,
) =>
  tx
    .update(deliveries)
    .set({ status, attempts: delivery.attempts + 1, lastAttemptAt: new Date(), nextAttemptAt })
    .where(eq(deliveries.id, delivery.id));

/** Notes that the subscription fails (since now, unless it already did); for how long it has. */
export async function markFailing(tx: Transaction, sub: SubscriptionRow): Promise<number> {
  const [marked] = await tx
    .update(subscriptions)
    .set({ failingSince: sql`coalesce(${subscriptions.failingSince}, now())` })
    .where(eq(subscriptions.id, sub.id))
    .returning({ failingSince: subscriptions.failingSince });
  return Date.now() - (marked?.failingSince?.getTime() ?? Date.now());
}

/** After a failed attempt: retry later, give the delivery up, or disable the subscription. */
async function afterFailure(
  tx: Transaction,
  sub: SubscriptionRow,
  delivery: DeliveryRow,
  settings: WebhookSettings,
): Promise<AttemptResult> {
  const failingFor = await markFailing(tx, sub);
  if (failingFor >= settings.disableAfterMs) {
    await settle(tx, delivery, 'failed', null);
    await disableSubscription(tx, sub, `deliveries failed for ${Math.round(failingFor / 3_600_000)} hours`);
    return 'disabled';
  }
  if (Date.now() - delivery.createdAt.getTime() >= settings.disableAfterMs) {
    await settle(tx, delivery, 'failed', null);
    return 'failed';
  }
  const runAt = new Date(Date.now() + retryDelayMs(settings, delivery.attempts + 1));
  await settle(tx, delivery, 'pending', runAt);
  await wakeSenderAt(tx, sub.id, runAt, delivery.id);
  // The breaker: the longer it has failed, the longer the pause (half of it, up to the longest
  // delay), so a receiver down for hours is probed rarely, not once per waiting delivery.
  const pauseMs = Math.max(retryDelayMs(settings, 1), Math.min(failingFor / 2, settings.retryMaxDelayMs));
  await tx
    .update(subscriptions)
    .set({ pausedUntil: new Date(Date.now() + pauseMs) })
    .where(eq(subscriptions.id, sub.id));
  return 'retrying';
}

/**
 * A success, in one statement (the common case, once per delivery): the delivery settled, the
 * subscription healthy again if it was failing, and the attempt recorded when given here (the
 * QStash callback records its attempt itself, whatever its outcome).
 */
export async function settleSucceeded(
  q: Queryable,
  sub: SubscriptionRow,
  delivery: DeliveryRow,
  outcome?: SendOutcome,
) {
  const attempt = delivery.attempts + 1;
  const recordAttempt = outcome
    ? sql`attempt as (
        insert into ${deliveryAttempts} (delivery_id, attempt, url, status_code, duration_ms, response_body)
        values (${delivery.id}, ${attempt}, ${sub.url}, ${outcome.statusCode}, ${outcome.durationMs}, ${outcome.responseBody})
      ), `
    : sql``;
  await q.execute(sql`
    with ${recordAttempt}healthy as (
      update ${subscriptions} set failing_since = null, paused_until = null
      where id = ${sub.id} and failing_since is not null
    )
    update ${deliveries}
    set status = 'succeeded', attempts = ${attempt}, last_attempt_at = now(), next_attempt_at = null
    where id = ${delivery.id}`);
}

async function record(
  db: Database,
  sub: SubscriptionRow,
  delivery: DeliveryRow,
  outcome: SendOutcome,
  settings: WebhookSettings,
): Promise<AttemptResult> {
  const code = outcome.statusCode ?? 0;
  if (code >= 200 && code < 300) {
    await settleSucceeded(db, sub, delivery, outcome);
    return 'delivered';
  }
  return db.transaction(async (tx) => {
    await tx.insert(deliveryAttempts).values({
      deliveryId: delivery.id,
      attempt: delivery.attempts + 1,
      url: sub.url,
      statusCode: outcome.statusCode,
      durationMs: outcome.durationMs,
      responseBody: outcome.responseBody,
      error: outcome.error,
    });
    if (code === 410) {
      await settle(tx, delivery, 'failed', null);
      await disableSubscription(tx, sub, 'the receiver answered 410 Gone');
      return 'disabled';
    }
    return afterFailure(tx, sub, delivery, settings);
  });
}

/**
 * While its subscription is paused after a failure, its deliveries are not sent (they would only
 * wait on a dead receiver): every one due before the pause ends is due just after its end, each
 * at a random moment within WEBHOOK_RETRY_BASE_MS, so the next probe of the receiver is any of
 * them (not always the same one) and a wake-up once they are all due sends the rest.
 */
async function waitOutPause(db: Database, subscriptionId: string, until: Date, settings: WebhookSettings) {
  await db.transaction(async (tx) => {
    await tx
      .update(deliveries)
      .set({
        nextAttemptAt: sql`${until.toISOString()}::timestamptz + random() * make_interval(secs => ${settings.retryBaseMs / 1000})`,
      })
      .where(
        and(
          eq(deliveries.subscriptionId, subscriptionId),
          eq(deliveries.status, 'pending'),
          lte(deliveries.nextAttemptAt, until),
        ),
      );
    await wakeSenderAt(tx, subscriptionId, new Date(until.getTime() + settings.retryBaseMs), 'resume');
  });
}

/** One attempt of this delivery, if it still waits for one. */
export async function attemptDelivery(
  db: Database,
  deliveryId: string,
  settings: WebhookSettings,
): Promise<Attempt> {
  const [row] = await db
    .select({ delivery: deliveries, sub: subscriptions })
    .from(deliveries)
    .innerJoin(subscriptions, eq(subscriptions.id, deliveries.subscriptionId))
    .where(eq(deliveries.id, deliveryId));
  if (row?.delivery.status !== 'pending') return { result: 'skipped' };
  return attemptPending(db, row.sub, row.delivery, settings);
}

export type Attempt = { result: AttemptResult; outcome?: SendOutcome };

/**
 * One attempt of a pending delivery, as its subscription stands (read by the caller): nothing
 * sent while it is disabled or paused.
 */
export async function attemptPending(
  db: Database,
  sub: SubscriptionRow,
  delivery: DeliveryRow,
  settings: WebhookSettings,
): Promise<Attempt> {
  if (!sub.enabled) {
    // Disabled (by its owner, a 410, or days of failures): none of what waits is sent.
    await db
      .update(deliveries)
      .set({ status: 'failed', nextAttemptAt: null })
      .where(and(eq(deliveries.subscriptionId, sub.id), eq(deliveries.status, 'pending')));
    return { result: 'failed' };
  }
  if (sub.pausedUntil && sub.pausedUntil.getTime() > Date.now()) {
    await waitOutPause(db, sub.id, sub.pausedUntil, settings);
    return { result: 'paused' };
  }
  const secrets = await signingSecrets(sub, settings);
  if (!Array.isArray(secrets)) {
    const outcome = notSent(secrets.error);
    return { result: await record(db, sub, delivery, outcome, settings), outcome };
  }
  const out: Outgoing = {
    deliveryId: delivery.id,
    url: sub.url,
    body: JSON.stringify(delivery.payload),
    secrets,
  };
  if (settings.qstash) return handToQStash(db, sub, delivery, out, { ...settings, qstash: settings.qstash });
  const outcome = await sendWebhook(out, settings);
  return { result: await record(db, sub, delivery, outcome, settings), outcome };
}

/**
 * With QStash, the attempt is QStash's: the delivery is published (still pending, with no next
 * attempt of ours) and its callbacks record what came of it. A target refused here is a failed
 * attempt like any other. A publish QStash does not accept throws: the job is retried.
 */
async function handToQStash(
  db: Database,
  sub: SubscriptionRow,
  delivery: DeliveryRow,
  out: Outgoing,
  settings: WebhookSettings & { qstash: QStashSettings },
): Promise<{ result: AttemptResult; outcome?: SendOutcome }> {
  const target = await checkTarget(out.url, settings.allowPrivateUrls);
  if (!target.ok) {
    const outcome = notSent(target.reason);
    return { result: await record(db, sub, delivery, outcome, settings), outcome };
  }
  await publishDelivery({ ...out, sendingSince: delivery.createdAt, attempts: delivery.attempts }, settings);
  // In QStash's hands: not due for us. Unless a callback came first (QStash can be quicker than
  // this update): it counted an attempt and said what follows, so this changes nothing then.
  await db
    .update(deliveries)
    .set({ nextAttemptAt: null })
    .where(
      and(
        eq(deliveries.id, delivery.id),
        eq(deliveries.status, 'pending'),
        eq(deliveries.attempts, delivery.attempts),
      ),
    );
  return { result: 'published' };
}
