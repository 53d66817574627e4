import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps } from '../platform/columns.ts';

export const webhooks = pgSchema('webhooks');

export const deliveryStatuses = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** Where events go, which ones, and who asked (their read rights filter what they receive). */
export const subscriptions = webhooks.table(
  'subscriptions',
  {
    id: uuid().primaryKey().defaultRandom(),
    url: text().notNull(),
    events: text().array().notNull(),
    description: text(),
    enabled: boolean().notNull().default(true),
    disabledReason: text('disabled_reason'),
    ownerKind: text('owner_kind').$type<'user' | 'api_key'>().notNull(),
    ownerId: uuid('owner_id').notNull(),
    secretSealed: text('secret_sealed').notNull(),
    previousSecretSealed: text('previous_secret_sealed'),
    secretRotatedAt: timestamp('secret_rotated_at', { withTimezone: true }),
    failingSince: timestamp('failing_since', { withTimezone: true }),
    /** After a failure, nothing is sent to it before then: one probe per backoff step. */
    pausedUntil: timestamp('paused_until', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('subscriptions_owner_idx').on(t.ownerKind, t.ownerId),
    index('subscriptions_events_idx').using('gin', t.events).where(sql`${t.enabled}`),
    check('subscriptions_owner_kind_check', sql`${t.ownerKind} in ('user', 'api_key')`),
  ],
);

/** One event for one subscription: its body, fixed at the first attempt, and where it stands. */
export const deliveries = webhooks.table(
  'deliveries',
  {
    id: uuid().primaryKey().defaultRandom(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => subscriptions.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    status: text().$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('deliveries_event_subscription_idx').on(t.eventId, t.subscriptionId),
    index('deliveries_subscription_idx').on(t.subscriptionId, t.createdAt, t.id),
    index('deliveries_created_at_idx').on(t.createdAt).where(sql`${t.status} <> 'pending'`),
    index('deliveries_due_idx')
      .on(t.subscriptionId, t.nextAttemptAt, t.id)
      .where(sql`${t.status} = 'pending'`),
    check('deliveries_status_check', sql`${t.status} in ('pending', 'succeeded', 'failed')`),
  ],
);

/** Every attempt to send a delivery: what the receiver answered, or why nothing was sent. */
export const deliveryAttempts = webhooks.table(
  'delivery_attempts',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    attempt: integer().notNull(),
    url: text().notNull(),
    statusCode: integer('status_code'),
    durationMs: integer('duration_ms').notNull(),
    responseBody: text('response_body'),
    error: text(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('delivery_attempts_delivery_idx').on(t.deliveryId, t.id)],
);
