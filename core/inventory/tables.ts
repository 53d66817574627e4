import { sql } from 'drizzle-orm';
import { check, pgSchema, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
