/**
 * The receivers' work: a delivery is believed only with the shop's signature over its raw bytes,
 * then kept once (its delivery id), its order's ingestion row made once (the unique key on
 * connection and platform order id), and an ingest-order job enqueued in the same transaction.
 * Nothing else happens before the answer: the job does the rest.
 */
import { sql } from 'drizzle-orm';
import type { AuthSettings } from '../identity/settings.ts';
import type { Database } from '../platform/database.ts';
import type { Logger } from '../platform/logger.ts';
import { enqueueJob } from '../platform/outbox.ts';
import { MalformedJsonError, UnauthorizedError, ValidationError } from '../platform/problem.ts';
import { openConnectionSecret } from './connection-secrets.ts';
import { connectionBySource } from './connections.ts';
import {
  deliveryHeaders,
  externalOrderId,
  shopifyTopics,
  signatureMatches,
  wooTopics,
} from './platform-orders.ts';
import { type ConnectionKind, deliveries, ingestions } from './tables.ts';

export interface Received {
  /** 202 when stored for processing, 200 for what needs none (a ping, a topic we do not take). */
  status: 200 | 202;
  ingestionId: string | null;
  duplicate: boolean;
}

const ignored: Received = { status: 200, ingestionId: null, duplicate: false };

/** WooCommerce's test delivery when a webhook is saved: `webhook_id=<id>`, form-encoded, no topic. */
function isWooPing(headers: Headers, rawBody: Uint8Array): boolean {
  if (headers.get('x-wc-webhook-topic')) return false;
  return /^webhook_id=\d+$/.test(new TextDecoder().decode(rawBody).trim());
}

/** The same answer whatever failed: which part is wrong is not the sender's to learn. */
const refused = () => new UnauthorizedError('The delivery is not signed by a connected shop.');

/**
 * The body as JSON. A string or key holding U+0000 (`\u0000`, valid JSON) cannot be stored in
 * jsonb, so the payload is refused with 422 naming where it is, not failed on insert.
 */
function parsedPayload(rawBody: Uint8Array): unknown {
  let nulAt: string | undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(rawBody), (key, value) => {
      const nul = key.includes('\u0000') || (typeof value === 'string' && value.includes('\u0000'));
      if (nul && nulAt === undefined) nulAt = key.replaceAll('\u0000', '') || 'body';
      return value;
    });
  } catch {
    throw new MalformedJsonError();
  }
  if (nulAt !== undefined)
    throw new ValidationError([{ path: nulAt, message: 'A NUL character (\\u0000) cannot be stored.' }]);
  return payload;
}

export async function receiveDelivery(
  deps: { db: Database; settings: AuthSettings; log: Logger },
  kind: ConnectionKind,
  headers: Headers,
  rawBody: Uint8Array,
): Promise<Received> {
  if (kind === 'woocommerce' && isWooPing(headers, rawBody)) return ignored;
  const delivery = deliveryHeaders(kind, headers);
  if (!delivery) throw refused();
  const connection = await connectionBySource(deps.db, kind, delivery.source);
  if (!connection) throw refused();
  const secret = await openConnectionSecret(deps.settings, connection.id, connection.secretSealed);
  if (secret === undefined)
    deps.log.error('a connection secret does not open with the configured key-encryption keys', {
      connectionId: connection.id,
    });
  if (secret === undefined || !signatureMatches(rawBody, secret, delivery.signature)) throw refused();
  const topics: readonly string[] = kind === 'shopify' ? shopifyTopics : wooTopics;
  if (!topics.includes(delivery.topic)) return ignored;
  const payload = parsedPayload(rawBody);
  const orderId = externalOrderId(payload);
  if (!orderId) throw new ValidationError([{ path: 'id', message: 'An order id is required.' }]);
  return deps.db.transaction(async (tx) => {
    const [ingestion] = await tx
      .insert(ingestions)
      .values({
        id: crypto.randomUUID(),
        connectionId: connection.id,
        externalOrderId: orderId,
        status: 'received',
        lastTopic: delivery.topic,
      })
      .onConflictDoUpdate({
        target: [ingestions.connectionId, ingestions.externalOrderId],
        set: { updatedAt: sql`now()` },
      })
      .returning({ id: ingestions.id });
    if (!ingestion) throw new Error('the ingestion upsert returned no row');
    const stored = await tx
      .insert(deliveries)
      .values({
        connectionId: connection.id,
        deliveryId: delivery.deliveryId,
        ingestionId: ingestion.id,
        topic: delivery.topic,
        payload: payload as Record<string, unknown>,
      })
      .onConflictDoNothing()
      .returning({ deliveryId: deliveries.deliveryId });
    if (stored.length === 0) return { status: 202, ingestionId: ingestion.id, duplicate: true };
    // One queue per platform order: its deliveries are processed one at a time, in order.
    await enqueueJob(
      tx,
      'ingest-order',
      { connectionId: connection.id, deliveryId: delivery.deliveryId },
      { queueName: `ingest:${ingestion.id}` },
    );
    return { status: 202, ingestionId: ingestion.id, duplicate: false };
  });
}
