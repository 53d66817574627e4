/**
 * The order row and what every verb does with it: load it, save a new state at the version it
 * was read (409 when someone changed it meanwhile), publish its events, ask for it to be settled.
 * The verbs themselves live in order-creation, order-changes, order-fulfilment and order-upkeep.
 */
import { and, eq } from 'drizzle-orm';
import type { Principal } from '../identity/policy.ts';
import type { InventoryClient } from '../inventory/client.ts';
import type { HoldSettings } from '../platform/config.ts';
import type { Database, Transaction } from '../platform/database.ts';
import type { EventType } from '../platform/events.ts';
import type { IdempotencyClaim } from '../platform/idempotency.ts';
import type { Logger } from '../platform/logger.ts';
import { enqueueEvents, enqueueJob, type NewEvent } from '../platform/outbox.ts';
import { ConflictError, NotFoundError } from '../platform/problem.ts';
import { warehousesOf } from './order-model.ts';
import type { OrderView } from './schemas.ts';
import { orderRecords } from './tables.ts';

export interface OrderDeps {
  db: Database;
  inventory: InventoryClient;
  log: Logger;
}

/** What a caller's request needs besides: the limits on what it may hold. */
export type OrderRequestDeps = OrderDeps & { holds: HoldSettings };

export interface OrderActor {
  principal: Principal;
  requestId: string;
  claim?: IdempotencyClaim | undefined;
}

export type OrderRecord = typeof orderRecords.$inferSelect;

export const actorId = (a: OrderActor) => `${a.principal.kind}:${a.principal.id}`;

export function orderView(r: OrderRecord): OrderView {
  return {
    id: r.id,
    status: r.status,
    warehouseId: r.warehouseId,
    lines: r.lines,
    allocations: r.allocations,
    allowPartial: r.allowPartial,
    allowBackorder: r.allowBackorder,
    externalRef: r.externalRef,
    channel: r.channel,
    customer: r.customer ?? null,
    reservationExpiresAt: r.reservationExpiresAt?.toISOString() ?? null,
    cancelReason: r.cancelReason,
    ownerKind: r.ownerKind,
    ownerId: r.ownerId,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export async function loadOrder(db: Database, id: string): Promise<OrderRecord> {
  const [row] = await db.select().from(orderRecords).where(eq(orderRecords.id, id));
  if (!row) throw new NotFoundError('No such order.');
  return row;
}

export async function orderExists(db: Database, id: string): Promise<boolean> {
  const rows = await db.select({ id: orderRecords.id }).from(orderRecords).where(eq(orderRecords.id, id));
  return rows.length > 0;
}

/** Saves a new state of the order if nobody changed it since `version`; 409 otherwise. */
export async function saveOrder(
  q: Database | Transaction,
  order: OrderRecord,
  patch: Partial<typeof orderRecords.$inferInsert>,
): Promise<OrderRecord> {
  const [row] = await q
    .update(orderRecords)
    .set({ ...patch, version: order.version + 1, updatedAt: new Date() })
    .where(and(eq(orderRecords.id, order.id), eq(orderRecords.version, order.version)))
    .returning();
  if (!row)
    throw new ConflictError(
      'The order changed while this request ran; read it again and retry.',
      'order-changed',
    );
  return row;
}

/** One event per warehouse the order touches, so each warehouse's room hears of it. */
export function orderEvents(type: EventType, order: OrderView, requestId: string): NewEvent[] {
  const warehouses = warehousesOf(order.allocations, order.warehouseId);
  return (warehouses.length > 0 ? warehouses : [null]).map((warehouseId) => ({
    type,
    warehouseId,
    data: { ...order },
    requestId,
  }));
}

export const publish = (tx: Transaction, type: EventType, order: OrderView, requestId: string) =>
  enqueueEvents(tx, orderEvents(type, order, requestId));

/**
 * The settle-order job (the outbox), in the transaction that changes the order: a crash before
 * settling at once still gets inventory's holds to match. One per order at a time (its job key).
 */
export const enqueueSettle = (tx: Transaction, orderId: string) =>
  enqueueJob(tx, 'settle-order', { orderId }, { jobKey: `settle-order:${orderId}` });
