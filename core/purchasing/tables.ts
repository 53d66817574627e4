import { sql } from 'drizzle-orm';
import { check, integer, pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { timestamps } from '../platform/columns.ts';

export const purchasing = pgSchema('purchasing');

export const vendors = purchasing.table(
  'vendors',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    email: text(),
    leadTimeDays: integer('lead_time_days').notNull().default(7),
    ...timestamps,
  },
  (t) => [check('vendors_lead_time_check', sql`${t.leadTimeDays} >= 0`)],
);
