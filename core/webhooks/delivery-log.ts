/**
 * What a subscription's owner sees of its deliveries and can do about them: every delivery with
 * every attempt (newest deliveries first), one call to send a delivery again now, and a replay of
 * the events of a time range from the event archive (with the same webhook-id as before, so a
 * receiver that has one already drops it).
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { ownerPrincipal } from '../identity/owner-principals.ts';
import type { Principal } from '../identity/policy.ts';
import { readArchivedEvents } from '../integrations/event-archive-reads.ts';
import type { Database } from '../platform/database.ts';
import { newestFirst } from '../platform/newest-first.ts';
import { ConflictError, NotFoundError } from '../platform/problem.ts';
import { deliveryBody, wakeSenders } from './delivery-queue.ts';
import { mayReceive } from './event-access.ts';
import type { DeliveryView } from './schemas.ts';
import { managedSubscription, type SubscriptionRow } from './subscriptions.ts';
import { type DeliveryStatus, deliveries, deliveryAttempts, subscriptions } from './tables.ts';
import { webhookIdOf } from './webhook-sender.ts';

type DeliveryRow = typeof deliveries.$inferSelect;
type AttemptRow = typeof deliveryAttempts.$inferSelect;

/** The most events one replay call sends again; a longer range is replayed in parts. */
export const REPLAY_MAX_EVENTS = 10_000;

const deliveryView = (d: DeliveryRow, attempts: AttemptRow[]): DeliveryView => ({
  id: d.id,
  webhookId: webhookIdOf(d.id),
  subscriptionId: d.subscriptionId,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attemptCount: d.attempts,
  nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
  occurredAt: d.occurredAt.toISOString(),
  createdAt: d.createdAt.toISOString(),
  attempts: attempts.map((a) => ({
    attempt: a.attempt,
    at: a.at.toISOString(),
    url: a.url,
    statusCode: a.statusCode,
    durationMs: a.durationMs,
    responseBody: a.responseBody,
    error: a.error,
  })),
});

async function withAttempts(db: Database, rows: DeliveryRow[]): Promise<DeliveryView[]> {
  if (rows.length === 0) return [];
  const attempts = await db
    .select()
    .from(deliveryAttempts)
    .where(
      inArray(
        deliveryAttempts.deliveryId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(deliveryAttempts.id));
  return rows.map((r) =>
    deliveryView(
      r,
      attempts.filter((a) => a.deliveryId === r.id),
    ),
  );
}

export async function listDeliveries(
  db: Database,
  principal: Principal,
  subscriptionId: string,
  query: { limit: number; cursor?: string | undefined; status?: DeliveryStatus | undefined },
) {
  await managedSubscription(db, principal, subscriptionId);
  const order = newestFirst(deliveries.createdAt, deliveries.id, query.cursor);
  const rows = await db
    .select()
    .from(deliveries)
    .where(
      and(
        eq(deliveries.subscriptionId, subscriptionId),
        query.status ? eq(deliveries.status, query.status) : undefined,
        order.where,
      ),
    )
    .orderBy(...order.orderBy)
    .limit(query.limit + 1);
  const { items, nextCursor } = order.page(rows, query.limit);
  return { items: await withAttempts(db, items), nextCursor };
}

/** 409 unless enabled; an explicit retry or replay also ends a pause after failures (try now). */
async function readyToSend(db: Database, sub: SubscriptionRow): Promise<void> {
  if (!sub.enabled)
    throw new ConflictError(
      'The subscription is disabled; enable it (PATCH enabled: true) to send to it again.',
      'webhook-disabled',
    );
  if (sub.pausedUntil)
    await db.update(subscriptions).set({ pausedUntil: null }).where(eq(subscriptions.id, sub.id));
}

/** Sends a delivery again now, whatever became of it, with fresh retries. */
export async function retryDelivery(
  db: Database,
  principal: Principal,
  subscriptionId: string,
  deliveryId: string,
): Promise<DeliveryView> {
  const sub = await managedSubscription(db, principal, subscriptionId);
  await readyToSend(db, sub);
  const row = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(deliveries)
      .set({ status: 'pending', nextAttemptAt: sql`now()`, createdAt: new Date() })
      .where(and(eq(deliveries.id, deliveryId), eq(deliveries.subscriptionId, subscriptionId)))
      .returning();
    if (!updated) throw new NotFoundError('No such delivery of this subscription.');
    await wakeSenders(tx, [subscriptionId]);
    return updated;
  });
  const [view] = await withAttempts(db, [row]);
  if (!view) throw new NotFoundError('No such delivery of this subscription.');
  return view;
}

/**
 * Sends again the archived events of [from, to) that this subscription wants and its owner may
 * read: each as its delivery for this subscription (made now if the subscription did not exist
 * then), due at once. At most `limit` events a call: when the range held more, `nextFrom` says
 * where the next call starts (the last event's time: one sent twice is deduped by its webhook-id).
 */
export async function replayDeliveries(
  db: Database,
  principal: Principal,
  subscriptionId: string,
  range: { from: string; to: string },
  limit = REPLAY_MAX_EVENTS,
): Promise<{ queued: number; nextFrom: string | null }> {
  const sub = await managedSubscription(db, principal, subscriptionId);
  await readyToSend(db, sub);
  const owner = await ownerPrincipal(db, { kind: sub.ownerKind, id: sub.ownerId });
  if (!owner)
    throw new ConflictError('The owner of this subscription is disabled or revoked.', 'webhook-owner-gone');
  const events = await readArchivedEvents(db.$client, {
    from: new Date(range.from),
    to: new Date(range.to),
    types: sub.events.includes('*') ? null : sub.events,
    limit,
  });
  const nextFrom = events.length === limit ? (events.at(-1)?.occurredAt ?? null) : null;
  const wanted = events.filter((event) => mayReceive(owner, event));
  if (wanted.length === 0) return { queued: 0, nextFrom };
  return db.transaction(async (tx) => {
    const queued = await tx
      .insert(deliveries)
      .values(
        wanted.map((event) => ({
          subscriptionId,
          eventId: event.id,
          eventType: event.type,
          payload: deliveryBody(event),
          occurredAt: new Date(event.occurredAt),
        })),
      )
      .onConflictDoUpdate({
        target: [deliveries.eventId, deliveries.subscriptionId],
        set: { status: 'pending', nextAttemptAt: sql`now()`, createdAt: sql`now()` },
      })
      .returning({ id: deliveries.id, subscriptionId: deliveries.subscriptionId });
    if (queued.length > 0) await wakeSenders(tx, [subscriptionId]);
    return { queued: queued.length, nextFrom };
  });
}

/**
 * Drops settled deliveries (and their attempts) older than `days`, in bounded batches, with the
 * event archive they could be replayed from; pending ones stay whatever their age.
 */
export async function pruneDeliveries(db: Database, days: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from ${deliveries} where id in (
        select id from ${deliveries}
        where status <> 'pending' and created_at < now() - make_interval(days => ${days})
        limit 5000)`);
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < 5000) return total;
  }
}
