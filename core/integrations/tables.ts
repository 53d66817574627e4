import { index, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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
  },
  (t) => [
    index('event_archive_occurred_at_idx').on(t.occurredAt),
    index('event_archive_type_idx').on(t.type),
  ],
);
