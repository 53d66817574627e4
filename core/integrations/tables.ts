import { sql } from 'drizzle-orm';
import {
  check,
  index,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps, xid8 } from '../platform/columns.ts';

export const integrations = pgSchema('integrations');

/** Every domain event, once (the event id is the key), as delivered by the outbox. */
export const eventArchive = integrations.table(
  'event_archive',
  {
    id: uuid().primaryKey(),
    type: text().notNull(),
    warehouseId: uuid('warehouse_id'),
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    requestId: text('request_id'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    archivedAt: timestamp('archived_at', { withTimezone: true }).notNull().defaultNow(),
    /** The archiving transaction: the MongoDB copy reads in commit-safe order (core/audit). */
    archivedTxid: xid8('archived_txid').default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index('event_archive_occurred_at_idx').on(t.occurredAt),
    index('event_archive_type_idx').on(t.type),
    index('event_archive_copy_order_idx').on(sql`(coalesce(${t.archivedTxid}, '0'::xid8))`, t.id),
  ],
);

export type ConnectionKind = 'shopify' | 'woocommerce';
export type IngestionStatus = 'received' | 'done' | 'needs_attention';

/** A shop whose orders come in: its webhook secret sealed (connection-secrets.ts), where they go. */
export const connections = integrations.table(
  'connections',
  {
    id: uuid().primaryKey(),
    kind: text().$type<ConnectionKind>().notNull(),
    /** The shop's domain (Shopify) or the site's URL (WooCommerce), as the platform sends it. */
    source: text().notNull(),
    secretSealed: text('secret_sealed').notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    channel: text().notNull(),
    /** The admin who connected it: the orders made from its deliveries are theirs. */
    createdBy: uuid('created_by').notNull(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('connections_kind_source_key').on(t.kind, t.source),
    /** Two shops' order ids can be the same (WooCommerce counts 1, 2, 3...): their channels differ. */
    uniqueIndex('connections_channel_key').on(t.channel),
    check('connections_kind_check', sql`${t.kind} in ('shopify', 'woocommerce')`),
  ],
);

/** One platform order, once per connection: the order made from it, or why none could be. */
export const ingestions = integrations.table(
  'ingestions',
  {
    id: uuid().primaryKey(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    externalOrderId: text('external_order_id').notNull(),
    externalNumber: text('external_number'),
    status: text().$type<IngestionStatus>().notNull(),
    reason: text(),
    orderId: uuid('order_id'),
    lastTopic: text('last_topic').notNull(),
    /** The platform's modification time of the newest delivery applied: older ones are skipped. */
    sourceUpdatedAt: timestamp('source_updated_at', { withTimezone: true }),
    /** When the shop's cancellation was processed: nothing places an order for it again. */
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('ingestions_connection_order_key').on(t.connectionId, t.externalOrderId),
    index('ingestions_status_idx').on(t.status, t.createdAt, t.id),
    index('ingestions_created_idx').on(t.createdAt, t.id),
    check('ingestions_status_check', sql`${t.status} in ('received', 'done', 'needs_attention')`),
  ],
);

/** Every delivery once (the platform's delivery id is the key), with the payload it carried. */
export const deliveries = integrations.table(
  'deliveries',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    deliveryId: text('delivery_id').notNull(),
    ingestionId: uuid('ingestion_id')
      .notNull()
      .references(() => ingestions.id, { onDelete: 'cascade' }),
    topic: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    /** Why a processed delivery was not applied (older than what was, or the order was cancelled). */
    skippedReason: text('skipped_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.connectionId, t.deliveryId] }),
    index('deliveries_ingestion_idx').on(t.ingestionId),
  ],
);
