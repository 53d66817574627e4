import { pgSchema } from 'drizzle-orm/pg-core';

/** The orders service's schema; its tables arrive with the orders issue. */
export const orders = pgSchema('orders');
