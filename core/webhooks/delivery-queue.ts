/**
 * From committed events to deliveries: the publish-event job the event mover adds for events a
 * subscription may want (migration 0034), and a replay, writes
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
import { enqueueJob, enqueueJobs } from '../platform/outbox.ts';
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

// Every deliver-webhook job runs in its subscription's own queue: one at a time per receiver,
// so a slow or dead one holds up at most one delivery slot, never the others.
const queueOf = (subscriptionId: string) => `webhook:${subscriptionId}`;

/**
 * A deliver-webhook job is a wake-up: it sends everything of its subscription that is due (see
 * sendDueDeliveries), so any job of a subscription covers whatever another did not finish.
 * Deliveries due now wake their subscriptions through one waiting job each (keyed by the
 * subscription: a burst costs a job per subscription, not per delivery); once a worker holds
 * that job, the next wake-up makes a new one, which sends what came due meanwhile.
 */
export function wakeSenders(q: Queryable, subscriptionIds: Iterable<string>) {
  return enqueueJobs(
    q,
    'deliver-webhook',
    [...new Set(subscriptionIds)].map((subscriptionId) => ({
      payload: { subscriptionId },
      opts: { jobKey: `deliver-webhook:${subscriptionId}`, queueName: queueOf(subscriptionId) },
    })),
  );
}

/**
 * A wake-up at a later moment: a retry's backoff (`key` the delivery's id), or the end of the
 * subscription's pause (`key` "resume": the latest pause replaces an earlier one).
 */
export function wakeSenderAt(q: Queryable, subscriptionId: string, runAt: Date, key: string) {
  return enqueueJob(
    q,
    'deliver-webhook',
    { subscriptionId },
    { jobKey: `deliver-webhook:${subscriptionId}:${key}`, queueName: queueOf(subscriptionId), runAt },
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

/** Writes and enqueues this event's deliveries (once); how many are new. */
export function queueEventDeliveries(db: Database, event: DomainEvent): Promise<number> {
  return queueDeliveries(db, [event]);
}

/** Delivery rows per insert: well under Postgres's 65,535 parameters a statement. */
const ROWS_PER_INSERT = 1000;

/**
 * Writes and enqueues the deliveries of a batch of events (each once), with one read of the
 * subscriptions and of their owners for all of them, in one transaction; how many are new.
 */
export async function queueDeliveries(db: Database, events: readonly DomainEvent[]): Promise<number> {
  const types = [...new Set(events.map((e) => e.type))];
  if (types.length === 0) return 0;
  const candidates = await db
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.enabled, true),
        sql`${subscriptions.events} && array[${sql.join(
          types.map((t) => sql`${t}`),
          sql`, `,
        )}, '*']::text[]`,
      ),
    );
  if (candidates.length === 0) return 0;
  const owner = await ownersOf(db, candidates);
  const principals = await Promise.all(candidates.map(owner));
  const rows = events.flatMap((event, k) =>
    candidates.flatMap((s, i) => {
      const principal = principals[i];
      const receives = wants(s, event.type) && principal !== undefined && mayReceive(principal, event);
      return receives
        ? [
            {
              subscriptionId: s.id,
              eventId: event.id,
              eventType: event.type,
              payload: deliveryBody(event),
              occurredAt: new Date(event.occurredAt),
              // The database's clock, as the sender's "due" check reads it; a microsecond apart
              // and all already due, so a subscription's deliveries go out in the batch's order.
              nextAttemptAt: sql`now() - make_interval(secs => ${(events.length - k) / 1e6})`,
            },
          ]
        : [];
    }),
  );
  if (rows.length === 0) return 0;
  return db.transaction(async (tx) => {
    const woken: string[] = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const created = await tx
        .insert(deliveries)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .onConflictDoNothing({ target: [deliveries.eventId, deliveries.subscriptionId] })
        .returning({ subscriptionId: deliveries.subscriptionId });
      woken.push(...created.map((d) => d.subscriptionId));
    }
    await wakeSenders(tx, woken);
    return woken.length;
  });
}
