import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
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
 * updates. on_hand is always the sum of the level's movements (tested under concurrency), and
 * reserved the sum of its reservations.
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
    preferredVendorId: uuid('preferred_vendor_id'),
    /** Since when available has been at or below the reorder point (null: above it). */
    lowSince: timestamp('low_since', { withTimezone: true }),
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

export const movementTypes = [
  'receipt',
  'shipment',
  'adjustment',
  'transfer_out',
  'transfer_in',
  'count',
] as const;
export type MovementType = (typeof movementTypes)[number];

/**
 * The ledger: every change to on_hand, signed. Append-only: a trigger (migration 0005) refuses
 * UPDATE, DELETE and TRUNCATE, so history cannot be rewritten even by a buggy service.
 */
export const movements = inventory.table(
  'movements',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    sku: text().notNull(),
    type: text().$type<MovementType>().notNull(),
    reason: text().notNull(),
    qty: integer().notNull(),
    onHandAfter: integer('on_hand_after').notNull(),
    /** The level's version after this movement: what the edge projections compare. */
    levelVersion: bigint('level_version', { mode: 'number' }).notNull(),
    referenceType: text('reference_type'),
    referenceId: text('reference_id'),
    note: text(),
    actorId: text('actor_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('movements_level_idx').on(t.warehouseId, t.sku, t.id),
    index('movements_warehouse_idx').on(t.warehouseId, t.id),
    index('movements_reference_idx').on(t.referenceType, t.referenceId),
    /** One level's movements by time: analytics recomputes a level's day from them (migration 0024). */
    index('movements_level_time_idx').on(t.warehouseId, t.sku, t.createdAt),
    check('movements_qty_check', sql`${t.qty} <> 0`),
    check(
      'movements_type_check',
      sql`${t.type} in ('receipt', 'shipment', 'adjustment', 'transfer_out', 'transfer_in', 'count')`,
    ),
  ],
);

/**
 * Stock held for an order or a transfer, per level. stock_levels.reserved is the sum of these.
 * A hold with expires_at is released by the sweep once it passes (orders create theirs with a
 * short expiry and clear it once the order row is committed).
 */
export const reservations = inventory.table(
  'reservations',
  {
    holderType: text('holder_type').$type<'order' | 'transfer'>().notNull(),
    holderId: uuid('holder_id').notNull(),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    sku: text().notNull(),
    qty: integer().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.holderType, t.holderId, t.warehouseId, t.sku] }),
    index('reservations_level_idx').on(t.warehouseId, t.sku),
    index('reservations_expiry_idx').on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
    check('reservations_qty_check', sql`${t.qty} > 0`),
    check('reservations_holder_check', sql`${t.holderType} in ('order', 'transfer')`),
  ],
);

/** Consumptions already applied, by operation id, so a retried shipment consumes once. */
export const consumptions = inventory.table('consumptions', {
  operationId: uuid('operation_id').primaryKey(),
  result: jsonb().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export interface CountLine {
  sku: string;
  counted: number;
  onHandBefore: number;
  variance: number;
}

export const stockCounts = inventory.table('stock_counts', {
  id: uuid().primaryKey().defaultRandom(),
  warehouseId: uuid('warehouse_id')
    .notNull()
    .references(() => warehouses.id),
  lines: jsonb().$type<CountLine[]>().notNull(),
  actorId: text('actor_id'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const transferStatuses = [
  'requested',
  'in_transit',
  'partially_received',
  'received',
  'cancelled',
] as const;
export type TransferStatus = (typeof transferStatuses)[number];

/** `requested`: someone cancelled it; `expired`: it was not shipped before its expiresAt. */
export const transferCancelReasons = ['requested', 'expired'] as const;
export type TransferCancelReason = (typeof transferCancelReasons)[number];

export const transfers = inventory.table(
  'transfers',
  {
    id: uuid().primaryKey().defaultRandom(),
    fromWarehouseId: uuid('from_warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    toWarehouseId: uuid('to_warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    status: text().$type<TransferStatus>().notNull(),
    note: text(),
    actorId: text('actor_id'),
    version: integer().notNull().default(1),
    shippedAt: timestamp('shipped_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    /** While requested: not shipped by then, it is cancelled and its stock released (expire-transfers). */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    cancelReason: text('cancel_reason').$type<TransferCancelReason>(),
    ...timestamps,
  },
  (t) => [
    index('transfers_status_idx').on(t.status, t.createdAt),
    index('transfers_expiry_idx').on(t.expiresAt).where(sql`${t.status} = 'requested'`),
    check(
      'transfers_cancel_reason_check',
      sql`${t.cancelReason} is null or ${t.cancelReason} in ('requested', 'expired')`,
    ),
    index('transfers_to_idx').on(t.toWarehouseId, t.status),
    check('transfers_distinct_check', sql`${t.fromWarehouseId} <> ${t.toWarehouseId}`),
    check(
      'transfers_status_check',
      sql`${t.status} in ('requested', 'in_transit', 'partially_received', 'received', 'cancelled')`,
    ),
  ],
);

export const transferLines = inventory.table(
  'transfer_lines',
  {
    transferId: uuid('transfer_id')
      .notNull()
      .references(() => transfers.id),
    sku: text().notNull(),
    qty: integer().notNull(),
    received: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.transferId, t.sku] }),
    check('transfer_lines_qty_check', sql`${t.qty} > 0 and ${t.received} >= 0 and ${t.received} <= ${t.qty}`),
  ],
);
