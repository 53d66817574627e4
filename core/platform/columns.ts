import { customType, timestamp } from 'drizzle-orm/pg-core';

/** Audit timestamps every table carries. */
export const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** A transaction id (xid8), as text: what commit-safe readers order by (see core/audit/chain.ts). */
export const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });
