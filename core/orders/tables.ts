import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps } from '../platform/columns.ts';
import type { Allocation, CancelReason, OrderLine, OrderStatus, PendingShipment } from './order-model.ts';

export const orders = pgSchema('orders');

/**
 * One row per order. Lines and allocations are small JSON arrays read and written with the order
 * as a whole (under its version), so creating an order is one INSERT; `warehouse_ids` indexes
 * the warehouses it touches for scoped lists.
 */
export const orderRecords = orders.table(
  'orders',
  {
    id: uuid().primaryKey(),
    status: text().$type<OrderStatus>().notNull(),
    warehouseId: uuid('warehouse_id'),
    warehouseIds: uuid('warehouse_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** Where the allocator may look for this order (the creator's scope); null: everywhere. */
    allocationScope: uuid('allocation_scope').array(),
    allowPartial: boolean('allow_partial').notNull().default(false),
    allowBackorder: boolean('allow_backorder').notNull().default(false),
    externalRef: text('external_ref'),
    channel: text(),
    customer: jsonb().$type<Record<string, unknown>>(),
    lines: jsonb().$type<OrderLine[]>().notNull(),
    allocations: jsonb().$type<Allocation[]>().notNull(),
    /** A pending order's stock is held until then; past it, the order is cancelled (expire-reservations). */
    reservationExpiresAt: timestamp('reservation_expires_at', { withTimezone: true }),
    /** Why a cancelled order was cancelled. */
    cancelReason: text('cancel_reason').$type<CancelReason>(),
    /** A shipment recorded but not yet applied to inventory (see shipOrder). */
    pendingShipment: jsonb('pending_shipment').$type<PendingShipment>(),
    createdBy: text('created_by').notNull(),
    version: integer().notNull().default(1),
    ...timestamps,
  },
  (t) => [
    index('orders_status_idx').on(t.status, t.createdAt, t.id),
    index('orders_created_idx').on(t.createdAt, t.id),
    index('orders_warehouses_idx').using('gin', t.warehouseIds),
    index('orders_reservation_expiry_idx')
      .on(t.reservationExpiresAt)
      .where(sql`${t.status} = 'pending' and ${t.reservationExpiresAt} is not null`),
    // One order per external id and channel; orders without a channel share one namespace.
    uniqueIndex('orders_channel_external_ref_key')
      .on(sql`coalesce(${t.channel}, '')`, t.externalRef)
      .where(sql`${t.externalRef} is not null`),
  ],
);
