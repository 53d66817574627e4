import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
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
    /** Who placed it (see mayTouchOrder); null for orders placed before owners were kept. */
    ownerKind: text('owner_kind').$type<'user' | 'api_key'>(),
    ownerId: uuid('owner_id'),
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
    // One order per owner, channel and external id: another owner's references are not a
    // conflict (nor a way to learn they exist). Legacy orders without an owner share one namespace.
    uniqueIndex('orders_owner_external_ref_key')
      .on(
        sql`coalesce(${t.ownerKind}, '')`,
        sql`coalesce(${t.ownerId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
        sql`coalesce(${t.channel}, '')`,
        t.externalRef,
      )
      .where(sql`${t.externalRef} is not null`),
    index('orders_owner_idx').on(t.ownerKind, t.ownerId, t.createdAt, t.id),
    // What an owner holds in pending orders, counted under its lock (hold-limits.ts).
    index('orders_owner_pending_idx').on(t.ownerKind, t.ownerId).where(sql`${t.status} = 'pending'`),
    check(
      'orders_owner_check',
      sql`(${t.ownerKind} is null) = (${t.ownerId} is null) and (${t.ownerKind} is null or ${t.ownerKind} in ('user', 'api_key'))`,
    ),
  ],
);
