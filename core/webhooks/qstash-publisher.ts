/**
 * Deliveries through Upstash QStash (with QSTASH_TOKEN): the jobs runner publishes the signed
 * Standard Webhooks request, QStash sends it (its `Upstash-Forward-*` headers become the
 * receiver's webhook-id, webhook-timestamp and webhook-signature), retries it and keeps what it
 * gives up on in its dead-letter queue. Every attempt's result comes back to the callback route
 * (qstash-callback.ts) with the delivery's id in the URL QStash signs.
 */
import { Client } from '@upstash/qstash';
import type { QStashSettings, WebhookSettings } from './settings.ts';
import { type Outgoing, signedHeaders } from './webhook-sender.ts';

const QSTASH_DEFAULT_URL = 'https://qstash.upstash.io';

export const QSTASH_CALLBACK_PATH = '/api/webhooks/qstash/callback';

/** `attempt`: QStash's callback (each attempt's answer); `failure`: its failure callback (gave up). */
export type CallbackOutcome = 'attempt' | 'failure';

export function qstashCallbackUrl(settings: QStashSettings, deliveryId: string, outcome: CallbackOutcome) {
  const url = new URL(`${settings.callbackBaseUrl}${QSTASH_CALLBACK_PATH}`);
  url.searchParams.set('delivery', deliveryId);
  url.searchParams.set('outcome', outcome);
  return url.toString();
}

const clients = new WeakMap<QStashSettings, Client>();

function clientFor(settings: QStashSettings): Client {
  let client = clients.get(settings);
  if (!client) {
    // Both given, so the SDK reads nothing from the environment; devMode false: never its local
    // dev server (it downloads a binary), whatever QSTASH_DEV says.
    client = new Client({
      token: settings.token,
      baseUrl: settings.url ?? QSTASH_DEFAULT_URL,
      devMode: false,
      enableTelemetry: false,
    });
    clients.set(settings, client);
  }
  return client;
}

/**
 * QStash re-sends the request exactly as published, its webhook-timestamp included, and
 * receivers refuse a timestamp older than five minutes (Standard Webhooks' tolerance). So its
 * retries are kept inside that window: 5 s doubling, at most a minute apart (QSTASH_RETRIES is
 * capped at 7: 5+10+20+40+60+60+60 s). When it gives up, its failure callback hands the delivery
 * back to us, and we publish it again later, signed afresh (qstash-callback.ts).
 */
const QSTASH_RETRY_DELAY_MS = 'min(60000, pow(2, retried) * 5000)';

/**
 * Hands one delivery to QStash. `sendingSince` (when the delivery was made due: at its creation, a
 * retry or a replay) and `attempts` (how many attempts it has had) key QStash's deduplication, so
 * a job that runs twice publishes it once, while an explicit retry or our own retry after QStash
 * gave up publishes it again.
 */
export async function publishDelivery(
  out: Outgoing & { sendingSince: Date; attempts: number },
  settings: WebhookSettings & { qstash: QStashSettings },
): Promise<{ messageId: string }> {
  const qstash = settings.qstash;
  const published = await clientFor(qstash).publish({
    url: out.url,
    body: out.body,
    headers: { 'content-type': 'application/json', ...signedHeaders(out) },
    retries: qstash.retries,
    retryDelay: QSTASH_RETRY_DELAY_MS,
    timeout: Math.max(1, Math.ceil(settings.timeoutMs / 1000)), // seconds
    callback: qstashCallbackUrl(qstash, out.deliveryId, 'attempt'),
    failureCallback: qstashCallbackUrl(qstash, out.deliveryId, 'failure'),
    deduplicationId: `${out.deliveryId}-${out.sendingSince.getTime()}-${out.attempts}`,
  });
  return { messageId: published.messageId };
}

/** Stops QStash's retries of a message (a delivery we settled as failed: 410, or five days). */
export async function cancelPublished(settings: QStashSettings, messageId: string): Promise<void> {
  await clientFor(settings).messages.cancel(messageId);
}
