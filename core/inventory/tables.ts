import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps } from '../platform/columns.ts';

export const inventory = pgSchema('inventory');

export const warehouses = inventory.table(
  'warehouses',
  {
    id: uuid().primaryKey().defaultRandom(),
    code: text().notNull(),
    name: text().notNull(),
    timezone: text().notNull().default('UTC'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('warehouses_code_key').on(t.code),
    check('warehouses_code_check', sql`${t.code} ~ '^[A-Z0-9]{2,10}$'`),
  ],
);

/**
 * Stock of one sku in one warehouse. The database itself keeps 0 <= reserved <= on_hand; the
 * version grows with every change so projections (the edge's warehouse rooms) can drop stale
 * updates. The movement ledger that on_hand sums arrives with the inventory issue.
 */
export const stockLevels = inventory.table(
  'stock_levels',
  {
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    sku: text().notNull(),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer().notNull().default(0),
    reorderPoint: integer('reorder_point'),
    reorderQty: integer('reorder_qty'),
    version: bigint({ mode: 'number' }).notNull().default(1),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.warehouseId, t.sku] }),
    index('stock_levels_sku_idx').on(sql`lower(${t.sku})`),
    check('stock_levels_reserved_check', sql`0 <= ${t.reserved} and ${t.reserved} <= ${t.onHand}`),
    check(
      'stock_levels_reorder_check',
      sql`coalesce(${t.reorderPoint}, 0) >= 0 and coalesce(${t.reorderQty}, 1) > 0`,
    ),
  ],
);
