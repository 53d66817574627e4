/**
 * From committed events to deliveries: the publish-event job of each event (and a replay) writes
 * one delivery per subscription that wants the event and whose owner may read its object, with
 * the job that sends it, in one transaction. A delivery exists only for a committed event (the
 * event's own job makes it), and once: (event, subscription) is unique, so a publish-event that
 * runs again writes nothing new.
 */
import { and, eq, sql } from 'drizzle-orm';
import { ownerPrincipal } from '../identity/owner-principals.ts';
import type { Principal } from '../identity/policy.ts';
import type { Database, Queryable } from '../platform/database.ts';
import type { DomainEvent } from '../platform/events.ts';
import { enqueueJob } from '../platform/outbox.ts';
import { mayReceive } from './event-access.ts';
import { deliveries, subscriptions } from './tables.ts';

type SubscriptionRow = typeof subscriptions.$inferSelect;

/** The body every attempt sends: `{ type, timestamp, data }`, data the object with its version. */
export function deliveryBody(event: DomainEvent): Record<string, unknown> {
  const data =
    event.warehouseId && !('warehouseId' in event.data)
      ? { ...event.data, warehouseId: event.warehouseId }
      : event.data;
  return { type: event.type, timestamp: event.occurredAt, data };
}

/** The job that sends a delivery: one per delivery (its key), in its subscription's own queue. */
export function enqueueDelivery(
  q: Queryable,
  delivery: { id: string; subscriptionId: string },
  runAt?: Date,
) {
  return enqueueJob(
    q,
    'deliver-webhook',
    { deliveryId: delivery.id },
    {
      jobKey: `deliver-webhook:${delivery.id}`,
      // One receiver's slow or dead endpoint holds up at most one worker slot, never the others.
      queueName: `webhook:${delivery.subscriptionId}`,
      ...(runAt ? { runAt } : {}),
    },
  );
}

const wants = (sub: SubscriptionRow, type: string) => sub.events.includes('*') || sub.events.includes(type);

/** The subscriptions' owners as principals, each read once (undefined: disabled or revoked). */
async function ownersOf(q: Queryable, subs: SubscriptionRow[]) {
  const found = new Map<string, Promise<Principal | undefined>>();
  for (const s of subs) {
    const key = `${s.ownerKind}:${s.ownerId}`;
    if (!found.has(key)) found.set(key, ownerPrincipal(q, { kind: s.ownerKind, id: s.ownerId }));
  }
  return (s: SubscriptionRow) => found.get(`${s.ownerKind}:${s.ownerId}`);
}

/** Of these subscriptions, those that receive this event. */
async function receiversOf(q: Queryable, subs: SubscriptionRow[], event: DomainEvent) {
  const owner = await ownersOf(q, subs);
  const checked = await Promise.all(
    subs.map(async (s) => {
      const principal = await owner(s);
      return wants(s, event.type) && principal !== undefined && mayReceive(principal, event);
    }),
  );
  return subs.filter((_, i) => checked[i]);
}

/** Writes and enqueues this event's deliveries (once); how many are new. */
export async function queueEventDeliveries(db: Database, event: DomainEvent): Promise<number> {
  const candidates = await db
    .select()
    .from(subscriptions)
    .where(
      and(eq(subscriptions.enabled, true), sql`${subscriptions.events} && array[${event.type}, '*']::text[]`),
    );
  if (candidates.length === 0) return 0;
  const receivers = await receiversOf(db, candidates, event);
  if (receivers.length === 0) return 0;
  return db.transaction(async (tx) => {
    const created = await tx
      .insert(deliveries)
      .values(
        receivers.map((s) => ({
          subscriptionId: s.id,
          eventId: event.id,
          eventType: event.type,
          payload: deliveryBody(event),
          occurredAt: new Date(event.occurredAt),
        })),
      )
      .onConflictDoNothing({ target: [deliveries.eventId, deliveries.subscriptionId] })
      .returning({ id: deliveries.id, subscriptionId: deliveries.subscriptionId });
    for (const d of created) await enqueueDelivery(tx, d);
    return created.length;
  });
}
