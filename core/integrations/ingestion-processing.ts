/**
 * Turning a stored delivery into an order, once: the ingest-order job. Deliveries of one platform
 * order run one at a time (their job queue), and the order itself is made under orders' unique
 * key (owner, channel, externalRef): a job that crashed after placing the order and runs again
 * finds it there (409 duplicate-external-ref) and links it instead of placing a second, if it is
 * this shop's (its channel and warehouse). What cannot become an order (an unknown sku, too little
 * stock, a shipped order the shop changed, a creator no longer active) is kept as an ingestion
 * needing attention, with the reason; orders refuses it whole, so nothing is half-made and nothing
 * stays held. The queue runs deliveries in arrival order, which is not the shop's: one older than
 * the change already applied, or one that would place an order the shop cancelled, is skipped.
 */
import { and, eq, sql } from 'drizzle-orm';
import { ownerPrincipal } from '../identity/owner-principals.ts';
import type { Principal } from '../identity/policy.ts';
import type { OrderCaller, OrdersClient } from '../orders/client.ts';
import { createOrderSchema, type OrderView } from '../orders/schemas.ts';
import type { Database } from '../platform/database.ts';
import type { Logger } from '../platform/logger.ts';
import { AppError } from '../platform/problem.ts';
import type { ConnectionRow } from './connections.ts';
import { type PlatformOrder, parsePlatformOrder } from './platform-orders.ts';
import { connections, deliveries, type IngestionStatus, ingestions } from './tables.ts';

export interface IngestDeps {
  db: Database;
  orders: OrdersClient;
  log: Logger;
}

type Outcome = { status: IngestionStatus; reason: string | null; orderId?: string | null };
type IngestionRow = typeof ingestions.$inferSelect;
type DeliveryRef = { connectionId: string; deliveryId: string };

/**
 * Who the shop's orders are placed as: the admin who connected it, read fresh (a disabled or
 * deleted one has no principal), acting as a manager of the connection's warehouse only (orders
 * there, the shop's prices), so the orders are theirs.
 */
async function connectionCaller(
  db: Database,
  c: ConnectionRow,
  requestId: string,
): Promise<OrderCaller | { refused: string }> {
  const creator = await ownerPrincipal(db, { kind: 'user', id: c.createdBy });
  if (!creator) return { refused: 'The admin who connected this shop is disabled or deleted; reconnect it.' };
  if (!creator.roles.includes('admin'))
    return { refused: 'The user who connected this shop is no longer an admin; reconnect it.' };
  return {
    principal: {
      kind: 'user',
      id: creator.id,
      name: `${c.kind} ${c.source}`,
      email: null,
      roles: ['manager'],
      warehouseIds: [c.warehouseId],
    } satisfies Principal,
    requestId,
  };
}

const deliveryWhere = (ref: DeliveryRef) =>
  and(eq(deliveries.connectionId, ref.connectionId), eq(deliveries.deliveryId, ref.deliveryId));

/** Why this delivery is not applied: older than what was, or placing what the shop cancelled. */
function skipReason(ingestion: IngestionRow, order: PlatformOrder): string | null {
  if (ingestion.cancelledAt && order.action === 'upsert')
    return 'The shop cancelled this order already: a later delivery does not place it again.';
  if (order.updatedAt && ingestion.sourceUpdatedAt && order.updatedAt < ingestion.sourceUpdatedAt)
    return `Older (${order.updatedAt.toISOString()}) than the change applied already (${ingestion.sourceUpdatedAt.toISOString()}).`;
  return null;
}

/** Processes one stored delivery (a retry of a processed one does nothing). */
export async function processDelivery(deps: IngestDeps, ref: DeliveryRef): Promise<void> {
  const [row] = await deps.db
    .select({ delivery: deliveries, ingestion: ingestions, connection: connections })
    .from(deliveries)
    .innerJoin(ingestions, eq(ingestions.id, deliveries.ingestionId))
    .innerJoin(connections, eq(connections.id, deliveries.connectionId))
    .where(deliveryWhere(ref));
  if (!row || row.delivery.processedAt) return;
  const { delivery, ingestion, connection } = row;
  const parsed = parsePlatformOrder(connection.kind, delivery.topic, delivery.payload);
  const skipped = parsed.ok ? skipReason(ingestion, parsed.order) : null;
  if (skipped) {
    await deps.db
      .update(deliveries)
      .set({ processedAt: sql`now()`, skippedReason: skipped })
      .where(deliveryWhere(ref));
    deps.log.info('order delivery skipped', { ingestionId: ingestion.id, topic: delivery.topic, skipped });
    return;
  }
  const requestId = `ingest-${delivery.deliveryId}`.slice(0, 100);
  const outcome: Outcome = parsed.ok
    ? await applied(deps, connection, ingestion, parsed.order, requestId)
    : { status: 'needs_attention', reason: parsed.reason };
  const order = parsed.ok ? parsed.order : null;
  await deps.db.transaction(async (tx) => {
    await tx
      .update(ingestions)
      .set({
        status: outcome.status,
        reason: outcome.reason,
        ...(outcome.orderId !== undefined ? { orderId: outcome.orderId } : {}),
        ...(order?.number ? { externalNumber: order.number } : {}),
        ...(order?.updatedAt
          ? {
              sourceUpdatedAt: sql`greatest(${ingestions.sourceUpdatedAt}, ${order.updatedAt.toISOString()}::timestamptz)`,
            }
          : {}),
        ...(order?.action === 'cancel'
          ? { cancelledAt: sql`coalesce(${ingestions.cancelledAt}, now())` }
          : {}),
        lastTopic: delivery.topic,
        updatedAt: sql`now()`,
      })
      .where(eq(ingestions.id, ingestion.id));
    await tx.update(deliveries).set({ processedAt: sql`now()` }).where(deliveryWhere(ref));
  });
  deps.log.info('order delivery processed', {
    ingestionId: ingestion.id,
    topic: delivery.topic,
    status: outcome.status,
    orderId: outcome.orderId ?? ingestion.orderId,
  });
}

/**
 * A delivery whose job has failed its last attempt (an error no refusal explains): recorded as
 * needing attention, with the error, instead of staying a failed job nobody lists.
 */
export async function recordFailure(db: Database, ref: DeliveryRef, err: unknown): Promise<void> {
  const message = innermostMessage(err);
  await db.transaction(async (tx) => {
    const [done] = await tx
      .update(deliveries)
      .set({ processedAt: sql`now()` })
      .where(and(deliveryWhere(ref), sql`${deliveries.processedAt} is null`))
      .returning({ ingestionId: deliveries.ingestionId });
    if (!done) return;
    await tx
      .update(ingestions)
      .set({
        status: 'needs_attention',
        reason: `Processing failed on every attempt: ${message}`.slice(0, 1000),
        updatedAt: sql`now()`,
      })
      .where(eq(ingestions.id, done.ingestionId));
  });
}

/**
 * What the innermost cause says (the driver's error, not drizzle's "Failed query: ..." wrapper,
 * which repeats the statement and its parameters, a customer's email among them).
 */
function innermostMessage(err: unknown): string {
  let inner = err;
  while (inner instanceof Error && inner.cause !== undefined) inner = inner.cause;
  return inner instanceof Error ? inner.message : String(inner);
}

/** The delivery applied as the connection's creator; a refusal of orders' becomes the reason. */
async function applied(
  deps: IngestDeps,
  connection: ConnectionRow,
  ingestion: IngestionRow,
  order: PlatformOrder,
  requestId: string,
): Promise<Outcome> {
  const caller = await connectionCaller(deps.db, connection, requestId);
  if ('refused' in caller) return { status: 'needs_attention', reason: caller.refused };
  try {
    return order.action === 'cancel'
      ? await cancelled(deps, ingestion.orderId, caller)
      : await placedOrChanged(deps, connection, ingestion.orderId, order, caller);
  } catch (err) {
    return { status: 'needs_attention', reason: refusal(err) };
  }
}

/** Why orders refused (its problem's detail and the fields it named); anything else is thrown to retry. */
function refusal(err: unknown): string {
  if (!(err instanceof AppError)) throw err;
  const problem = err.toProblem() as { detail?: string; errors?: { path: string; message: string }[] };
  const fields = (problem.errors ?? []).map((e) => e.message);
  return [problem.detail, ...fields].filter(Boolean).join(' ');
}

async function cancelled(deps: IngestDeps, orderId: string | null, caller: OrderCaller): Promise<Outcome> {
  if (!orderId) return { status: 'done', reason: 'Cancelled by the shop before it became an order.' };
  const order = await deps.orders.read(orderId, caller);
  if (order.status === 'cancelled') return { status: 'done', reason: null };
  try {
    await deps.orders.cancel(orderId, caller);
    return { status: 'done', reason: null };
  } catch (err) {
    return { status: 'needs_attention', reason: `The shop cancelled the order: ${refusal(err)}` };
  }
}

async function placedOrChanged(
  deps: IngestDeps,
  connection: ConnectionRow,
  orderId: string | null,
  order: PlatformOrder,
  caller: OrderCaller,
): Promise<Outcome> {
  const lines = order.lines.filter((l) => l.qty > 0);
  const unnamed = lines.filter((l) => !l.sku);
  if (unnamed.length > 0)
    return {
      status: 'needs_attention',
      reason: `${unnamed.length} line(s) have no sku to map to a product.`,
    };
  if (lines.length === 0)
    return { status: 'needs_attention', reason: 'The order has no lines with a quantity.' };
  const input = createOrderSchema.safeParse({
    lines: lines.map((l) => ({ sku: l.sku, qty: l.qty, ...(l.unitPrice ? { unitPrice: l.unitPrice } : {}) })),
    warehouseId: connection.warehouseId,
    externalRef: order.externalId,
    channel: connection.channel,
    ...(order.customer ? { customer: order.customer } : {}),
  });
  // What orders would refuse with 422 over HTTP (200 lines at most, a sku's form, a price's).
  if (!input.success)
    return {
      status: 'needs_attention',
      reason: input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  const wanted = input.data.lines;
  let existing: OrderView | null = orderId ? await deps.orders.read(orderId, caller) : null;
  if (!existing) {
    try {
      const placed = await deps.orders.create(input.data, caller);
      return { status: 'done', reason: null, orderId: placed.id };
    } catch (err) {
      const duplicate = err instanceof AppError && err.slug === 'duplicate-external-ref';
      if (!duplicate) return { status: 'needs_attention', reason: refusal(err) };
      // Placed by an earlier run that stopped before recording it: the unique key found it.
      existing = await linkable(deps, connection, order, caller);
      if (!existing)
        return {
          status: 'needs_attention',
          reason: `Another order has this shop order id (${order.externalId}) in channel ${connection.channel}; it is not this shop's and was not linked.`,
        };
    }
  }
  if (sameLines(existing, wanted)) return { status: 'done', reason: null, orderId: existing.id };
  try {
    await deps.orders.replaceLines(existing.id, { lines: wanted }, caller);
    return { status: 'done', reason: null, orderId: existing.id };
  } catch (err) {
    return {
      status: 'needs_attention',
      reason: `The shop changed the order; the change was not applied: ${refusal(err)}`,
      orderId: existing.id,
    };
  }
}

/**
 * The order the unique key found, if it is this connection's: same channel and warehouse (an
 * order placed by hand, or by a removed connection, under the same key is not linked).
 */
async function linkable(
  deps: IngestDeps,
  connection: ConnectionRow,
  order: PlatformOrder,
  caller: OrderCaller,
): Promise<OrderView | null> {
  let found: OrderView | null;
  try {
    found = await deps.orders.findByExternalRef(connection.channel, order.externalId, caller);
  } catch (err) {
    if (err instanceof AppError) return null; // in a warehouse the connection does not serve
    throw err;
  }
  const ours = found && found.channel === connection.channel && found.warehouseId === connection.warehouseId;
  return ours ? found : null;
}

/** Whether the order already has these lines (sku and quantity, in any order). */
function sameLines(order: OrderView, wanted: { sku: string; qty: number }[]): boolean {
  const key = (ls: { sku: string; qty: number }[]) =>
    ls
      .map((l) => `${l.sku.toUpperCase()}\u0000${l.qty}`)
      .sort()
      .join('\u0001');
  return key(order.lines.map((l) => ({ sku: l.sku, qty: l.qty }))) === key(wanted);
}
