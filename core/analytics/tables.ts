import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** Analytics' rollups (migration 0024): rows recomputed whole from the ledger by rollup-analytics. */
export const analytics = pgSchema('analytics');

/** One (warehouse, sku, local day) with movements: what moved, and on hand at the day's end. */
export const dailyFacts = analytics.table(
  'daily_facts',
  {
    warehouseId: uuid('warehouse_id').notNull(),
    sku: text().notNull(),
    day: date().notNull(),
    unitsSold: integer('units_sold').notNull().default(0),
    unitsReceived: integer('units_received').notNull().default(0),
    unitsTransferredIn: integer('units_transferred_in').notNull().default(0),
    unitsTransferredOut: integer('units_transferred_out').notNull().default(0),
    unitsAdjusted: integer('units_adjusted').notNull().default(0),
    movements: integer().notNull().default(0),
    onHandEnd: integer('on_hand_end').notNull(),
  },
  (t) => [
    primaryKey({ name: 'daily_facts_pkey', columns: [t.warehouseId, t.sku, t.day] }),
    index('daily_facts_day_idx').on(t.warehouseId, t.day),
  ],
);

/** The day's order shipments at their order lines' prices, per currency. */
export const dailyRevenue = analytics.table(
  'daily_revenue',
  {
    warehouseId: uuid('warehouse_id').notNull(),
    sku: text().notNull(),
    day: date().notNull(),
    currency: text().notNull(),
    units: integer().notNull(),
    amount: bigint({ mode: 'number' }).notNull(),
  },
  // Day before sku: one index finds a level-day's rows and a warehouse-day's alike.
  (t) => [primaryKey({ name: 'daily_revenue_pkey', columns: [t.warehouseId, t.day, t.sku, t.currency] })],
);

/** The day's facts added over its skus: what a year's summary reads (365 rows per warehouse). */
export const dailyTotals = analytics.table(
  'daily_totals',
  {
    warehouseId: uuid('warehouse_id').notNull(),
    day: date().notNull(),
    unitsSold: bigint('units_sold', { mode: 'number' }).notNull(),
    unitsIn: bigint('units_in', { mode: 'number' }).notNull(),
    netChange: bigint('net_change', { mode: 'number' }).notNull(),
    movements: bigint({ mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'daily_totals_pkey', columns: [t.warehouseId, t.day] })],
);

/** The day's revenue and cost of goods sold (at the cost when rolled up), per currency. */
export const dailyMoney = analytics.table(
  'daily_money',
  {
    warehouseId: uuid('warehouse_id').notNull(),
    day: date().notNull(),
    currency: text().notNull(),
    revenue: bigint({ mode: 'number' }).notNull(),
    costOfGoodsSold: bigint('cost_of_goods_sold', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'daily_money_pkey', columns: [t.warehouseId, t.day, t.currency] })],
);

/** A run of on hand = 0 of one level, from the movement that emptied it to the one that refilled it. */
export const stockouts = analytics.table(
  'stockouts',
  {
    startMovementId: bigint('start_movement_id', { mode: 'number' }).primaryKey(),
    warehouseId: uuid('warehouse_id').notNull(),
    sku: text().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endMovementId: bigint('end_movement_id', { mode: 'number' }),
  },
  (t) => [
    index('stockouts_level_idx').on(t.warehouseId, t.sku, t.startMovementId),
    index('stockouts_started_idx').on(t.warehouseId, t.startedAt),
  ],
);

/** Where the rollup stands (one row): movements <= low_id are final; (low_id, high_id] seen_count. */
export const rollupState = analytics.table(
  'rollup_state',
  {
    id: integer().primaryKey().default(1),
    lowId: bigint('low_id', { mode: 'number' }).notNull().default(0),
    highId: bigint('high_id', { mode: 'number' }).notNull().default(0),
    seenCount: bigint('seen_count', { mode: 'number' }).notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [check('rollup_state_single_check', sql`id = 1`)],
);

/** The highest movement id each run saw, and when (low_id follows them once they settle). */
export const rollupMarks = analytics.table('rollup_marks', {
  takenAt: timestamp('taken_at', { withTimezone: true }).primaryKey(),
  highId: bigint('high_id', { mode: 'number' }).notNull(),
});
