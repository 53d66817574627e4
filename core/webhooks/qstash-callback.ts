/**
 * QStash's callbacks, our delivery log's source when deliveries go through QStash: its callback
 * after each attempt (the receiver's status and answer) and its failure callback when its retries
 * are exhausted (the message is then in its dead-letter queue). A callback is believed only when
 * `Upstash-Signature` verifies with the SDK's Receiver under the current or the next signing key,
 * for exactly the callback URL we published (which names the delivery) and this body. What it
 * says feeds the same rules as our own attempts: 2xx succeeds, 410 disables the subscription, a
 * subscription failing for WEBHOOK_DISABLE_AFTER_HOURS is disabled, a delivery QStash gave up on
 * is published again after our backoff (a fresh signature) until five days have passed, and a
 * delivery we fail while QStash would still retry it is cancelled there.
 */
import { Receiver } from '@upstash/qstash';
import { eq } from 'drizzle-orm';
import type { Database, Transaction } from '../platform/database.ts';
import { NotFoundError, UnauthorizedError, ValidationError } from '../platform/problem.ts';
import { disableSubscription, markFailing, settle, settleSucceeded } from './delivery-attempts.ts';
import { wakeSenderAt } from './delivery-queue.ts';
import { type CallbackOutcome, cancelPublished, qstashCallbackUrl } from './qstash-publisher.ts';
import { type QStashCallbackBody, qstashCallbackBody } from './schemas.ts';
import { type QStashSettings, retryDelayMs, type WebhookSettings } from './settings.ts';
import type { SubscriptionRow } from './subscriptions.ts';
import { deliveries, deliveryAttempts, subscriptions } from './tables.ts';
import { RESPONSE_KEEP_BYTES } from './webhook-sender.ts';

type DeliveryRow = typeof deliveries.$inferSelect;

export interface QStashCallback {
  deliveryId: string;
  outcome: CallbackOutcome;
  signature: string | undefined;
  rawBody: string;
}

/** 401 unless QStash signed this body for this very callback URL (current or next key). */
async function verifySignature(settings: QStashSettings, callback: QStashCallback): Promise<void> {
  const refused = new UnauthorizedError('The callback is not signed by QStash.');
  if (!callback.signature) throw refused;
  const receiver = new Receiver({
    currentSigningKey: settings.currentSigningKey,
    nextSigningKey: settings.nextSigningKey,
    devMode: false,
  });
  const valid = await receiver
    .verify({
      signature: callback.signature,
      body: callback.rawBody,
      url: qstashCallbackUrl(settings, callback.deliveryId, callback.outcome),
    })
    .catch(() => false);
  if (!valid) throw refused;
}

function parseBody(raw: string): QStashCallbackBody {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ValidationError([{ path: 'body', message: 'QStash callbacks are JSON' }]);
  }
  const parsed = qstashCallbackBody.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message })),
  );
}

/** The first 1 KB of the receiver's answer, which QStash sends base64. */
function answerPrefix(base64: string | undefined): string | null {
  if (base64 === undefined) return null;
  return new TextDecoder().decode(Buffer.from(base64, 'base64').subarray(0, RESPONSE_KEEP_BYTES));
}

const succeeded = (status: number) => status >= 200 && status < 300;

function errorOf(outcome: CallbackOutcome, body: QStashCallbackBody): string | null {
  if (outcome === 'failure')
    return `QStash gave up after ${body.retried ?? body.maxRetries ?? 0} retries (the receiver answered ${body.status}); the message is in its dead-letter queue`;
  return succeeded(body.status) ? null : `the receiver answered ${body.status}`;
}

/** What the callback means for the delivery (still pending) and its subscription. */
async function applyOutcome(
  tx: Transaction,
  sub: SubscriptionRow,
  delivery: DeliveryRow,
  outcome: CallbackOutcome,
  body: QStashCallbackBody,
  settings: WebhookSettings,
): Promise<DeliveryRow['status']> {
  if (outcome === 'attempt' && succeeded(body.status)) {
    await settleSucceeded(tx, sub, delivery);
    return 'succeeded';
  }
  if (body.status === 410) {
    await settle(tx, delivery, 'failed', null);
    await disableSubscription(tx, sub, 'the receiver answered 410 Gone');
    return 'failed';
  }
  const failingFor = await markFailing(tx, sub);
  if (failingFor >= settings.disableAfterMs) {
    await settle(tx, delivery, 'failed', null);
    await disableSubscription(tx, sub, `deliveries failed for ${Math.round(failingFor / 3_600_000)} hours`);
    return 'failed';
  }
  // QStash retries an attempt that failed (no next attempt of ours meanwhile).
  if (outcome === 'attempt') {
    await settle(tx, delivery, 'pending', null);
    return 'pending';
  }
  // Its failure callback: it stopped after a short burst of retries (qstash-publisher.ts). We
  // publish it again after our own backoff, signed afresh, until five days have passed.
  if (Date.now() - delivery.createdAt.getTime() >= settings.disableAfterMs) {
    await settle(tx, delivery, 'failed', null);
    return 'failed';
  }
  // Our backoff counts QStash's rounds (each its retries + 1 attempts), not its attempts.
  const rounds = Math.max(1, Math.floor((delivery.attempts + 1) / ((settings.qstash?.retries ?? 0) + 1)));
  const runAt = new Date(Date.now() + retryDelayMs(settings, rounds));
  await settle(tx, delivery, 'pending', runAt);
  await wakeSenderAt(tx, sub.id, runAt, delivery.id);
  return 'pending';
}

/**
 * Records one verified callback as an attempt of its delivery. A delivery that is gone (its
 * subscription deleted) is answered `recorded: false`, so QStash stops calling.
 */
export async function recordQStashCallback(
  db: Database,
  settings: WebhookSettings,
  callback: QStashCallback,
): Promise<{ recorded: boolean }> {
  if (!settings.qstash) throw new NotFoundError('Webhooks are not sent through QStash here.');
  await verifySignature(settings.qstash, callback);
  const body = parseBody(callback.rawBody);
  const { recorded, status } = await recordAttempt(db, settings, callback, body);
  // Failed on an attempt QStash would retry (410, or five days of failures): stop its retries,
  // which would only hammer the receiver. Best effort: if it fails, they only add to the log.
  if (callback.outcome === 'attempt' && status === 'failed' && body.sourceMessageId && settings.qstash)
    await cancelPublished(settings.qstash, body.sourceMessageId).catch(() => {});
  return { recorded };
}

async function recordAttempt(
  db: Database,
  settings: WebhookSettings,
  callback: QStashCallback,
  body: QStashCallbackBody,
): Promise<{ recorded: boolean; status?: DeliveryRow['status'] }> {
  return db.transaction(async (tx) => {
    // Locked: callbacks for one delivery may come at once, and attempts are numbered.
    const [delivery] = await tx
      .select()
      .from(deliveries)
      .where(eq(deliveries.id, callback.deliveryId))
      .for('update');
    if (!delivery) return { recorded: false };
    const [sub] = await tx.select().from(subscriptions).where(eq(subscriptions.id, delivery.subscriptionId));
    if (!sub) return { recorded: false };
    const row = { delivery, sub };
    await tx.insert(deliveryAttempts).values({
      deliveryId: row.delivery.id,
      attempt: row.delivery.attempts + 1,
      url: row.sub.url,
      statusCode: body.status > 0 ? body.status : null,
      durationMs: Math.max(0, Math.round(body.duration ?? 0)),
      responseBody: answerPrefix(body.body),
      error: errorOf(callback.outcome, body),
    });
    // A late callback for a delivery settled meanwhile is kept in its log and changes nothing.
    if (row.delivery.status !== 'pending') {
      await tx
        .update(deliveries)
        .set({ attempts: row.delivery.attempts + 1 })
        .where(eq(deliveries.id, row.delivery.id));
      return { recorded: true };
    }
    return {
      recorded: true,
      status: await applyOutcome(tx, row.sub, row.delivery, callback.outcome, body, settings),
    };
  });
}
