/**
 * Turning a stored delivery into an order, once: the ingest-order job. Deliveries of one platform
 * order run one at a time (their job queue), and the order itself is made under orders' unique
 * key (owner, channel, externalRef): a job that crashed after placing the order and runs again
 * finds it there (409 duplicate-external-ref) and links it instead of placing a second. What
 * cannot become an order (an unknown sku, too little stock, a shipped order the shop changed)
 * is kept as an ingestion needing attention, with the reason; orders refuses it whole, so
 * nothing is half-made and nothing stays held.
 */
import { and, eq, sql } from 'drizzle-orm';
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

/**
 * Who the shop's orders are placed as: the admin who connected it, acting as a manager of the
 * connection's warehouse only (orders there, the shop's prices), so the orders are theirs.
 */
export const connectionCaller = (c: ConnectionRow, requestId: string): OrderCaller => ({
  principal: {
    kind: 'user',
    id: c.createdBy,
    name: `${c.kind} ${c.source}`,
    email: null,
    roles: ['manager'],
    warehouseIds: [c.warehouseId],
  } satisfies Principal,
  requestId,
});

/** Processes one stored delivery (a retry of a processed one does nothing). */
export async function processDelivery(
  deps: IngestDeps,
  ref: { connectionId: string; deliveryId: string },
): Promise<void> {
  const [row] = await deps.db
    .select({ delivery: deliveries, ingestion: ingestions, connection: connections })
    .from(deliveries)
    .innerJoin(ingestions, eq(ingestions.id, deliveries.ingestionId))
    .innerJoin(connections, eq(connections.id, deliveries.connectionId))
    .where(and(eq(deliveries.connectionId, ref.connectionId), eq(deliveries.deliveryId, ref.deliveryId)));
  if (!row || row.delivery.processedAt) return;
  const { delivery, ingestion, connection } = row;
  const parsed = parsePlatformOrder(connection.kind, delivery.topic, delivery.payload);
  const caller = connectionCaller(connection, `ingest-${delivery.deliveryId}`.slice(0, 100));
  const outcome: Outcome = !parsed.ok
    ? { status: 'needs_attention', reason: parsed.reason }
    : parsed.order.action === 'cancel'
      ? await cancelled(deps, ingestion.orderId, caller)
      : await placedOrChanged(deps, connection, ingestion.orderId, parsed.order, caller);
  await deps.db.transaction(async (tx) => {
    await tx
      .update(ingestions)
      .set({
        status: outcome.status,
        reason: outcome.reason,
        ...(outcome.orderId !== undefined ? { orderId: outcome.orderId } : {}),
        ...(parsed.ok && parsed.order.number ? { externalNumber: parsed.order.number } : {}),
        lastTopic: delivery.topic,
        updatedAt: sql`now()`,
      })
      .where(eq(ingestions.id, ingestion.id));
    await tx
      .update(deliveries)
      .set({ processedAt: sql`now()` })
      .where(and(eq(deliveries.connectionId, ref.connectionId), eq(deliveries.deliveryId, ref.deliveryId)));
  });
  deps.log.info('order delivery processed', {
    ingestionId: ingestion.id,
    topic: delivery.topic,
    status: outcome.status,
    orderId: outcome.orderId ?? ingestion.orderId,
  });
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
      existing = await deps.orders.findByExternalRef(connection.channel, order.externalId, caller);
      if (!existing) throw err;
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

/** Whether the order already has these lines (sku and quantity, in any order). */
function sameLines(order: OrderView, wanted: { sku: string; qty: number }[]): boolean {
  const key = (ls: { sku: string; qty: number }[]) =>
    ls
      .map((l) => `${l.sku.toUpperCase()}\u0000${l.qty}`)
      .sort()
      .join('\u0001');
  return key(order.lines.map((l) => ({ sku: l.sku, qty: l.qty }))) === key(wanted);
}
