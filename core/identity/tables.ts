import { sql } from 'drizzle-orm';
import { check, pgSchema, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamps } from '../platform/columns.ts';

export const identity = pgSchema('identity');

export const users = identity.table(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text('password_hash').notNull(),
    roles: text().array().notNull().default(sql`'{}'::text[]`),
    // Warehouse scopes are ids owned by the inventory service: no cross-schema foreign key.
    warehouseIds: uuid('warehouse_ids').array().notNull().default(sql`'{}'::uuid[]`),
    status: text().notNull().default('active'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    check('users_status_check', sql`${t.status} in ('active', 'disabled')`),
  ],
);
