import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { xid8 } from '../platform/columns.ts';

/**
 * The audit log (db/migrations/0025_audit.sql): entries written by triggers on the audited
 * tables in the writing transaction, and the hash chain the chain-audit job appends them to.
 * Both refuse UPDATE, DELETE and TRUNCATE.
 */
export const audit = pgSchema('audit');

export const auditEntries = audit.table(
  'entries',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    txid: xid8().notNull().default(sql`pg_current_xact_id()`),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actor: jsonb().$type<Record<string, unknown>>().notNull(),
    actorId: text('actor_id').generatedAlwaysAs(sql`actor->>'id'`),
    action: text().notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    changes: jsonb().$type<Record<string, { before: unknown; after: unknown }>>().notNull(),
    requestId: text('request_id'),
    warehouseIds: uuid('warehouse_ids').array().notNull().default(sql`'{}'::uuid[]`),
  },
  (t) => [
    index('entries_entity_idx').on(t.entityType, t.entityId, t.id),
    index('entries_actor_idx').on(t.actorId, t.id),
    index('entries_at_idx').on(t.at, t.id),
    index('entries_chain_order_idx').on(t.txid, t.id),
    index('entries_warehouses_idx').using('gin', t.warehouseIds),
  ],
);

export const auditChain = audit.table('chain', {
  position: bigint({ mode: 'number' }).primaryKey(),
  entryId: bigint('entry_id', { mode: 'number' })
    .notNull()
    .unique()
    .references(() => auditEntries.id),
  prevHash: text('prev_hash').notNull(),
  hash: text().notNull(),
  chainedAt: timestamp('chained_at', { withTimezone: true }).notNull().defaultNow(),
});
