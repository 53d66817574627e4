/**
 * Placing an order. Orders and inventory keep separate transactions (a schema each), so it is
 * ordered to fail safe: reserve with a short expiry, then commit the order. The `expire-holds`
 * sweep keeps a hold whose order committed and releases one whose order never did (a crash
 * between the two steps), so nothing is held for longer than the expiry without an order.
 */
import { assertMay, warehouseScope } from '../identity/policy.ts';
import { outOfStock } from '../inventory/out-of-stock.ts';
import { auditContext } from '../platform/audit-context.ts';
import { isUniqueViolation, pgErrorCode } from '../platform/database.ts';
import { AppError, ConflictError } from '../platform/problem.ts';
import { traceContext } from '../platform/trace-context.ts';
import { type Planned, sumBySku } from './allocator.ts';
import { assertHorizon, pendingMaxUnits, precheckPendingCap, withinPendingCap } from './hold-limits.ts';
import { ownerOf } from './order-access.ts';
import { releaseHolds, reserveFor } from './order-holds.ts';
import { type ResolvedLine, resolveLines } from './order-lines.ts';
import { type OrderLine, statusFromLines, warehousesOf } from './order-model.ts';
import {
  actorId,
  type OrderActor,
  type OrderRecord,
  type OrderRequestDeps,
  orderExists,
  orderView,
} from './order-store.ts';
import { insertOrders, type NewOrder, orderWriter } from './order-writer.ts';
import type { CreateOrder, OrderView } from './schemas.ts';

export async function createOrder(
  deps: OrderRequestDeps,
  input: CreateOrder,
  actor: OrderActor,
): Promise<OrderView> {
  if (input.warehouseId) assertMay(actor.principal, 'orders:create', input.warehouseId);
  const expiresAt = input.reservationExpiresAt ? new Date(input.reservationExpiresAt) : null;
  if (expiresAt) assertHorizon(actor.principal, deps.holds, expiresAt);
  const lines = await resolveLines(deps.db, input.lines, actor.principal);
  const owner = ownerOf(actor.principal);
  const cap = pendingMaxUnits(actor.principal, deps.holds);
  const asked = lines.reduce((n, l) => n + l.qty, 0);
  if (expiresAt) await precheckPendingCap(deps.db, { owner, adding: asked, cap });
  const id = crypto.randomUUID();
  const plan = await reserveFor(
    deps,
    id,
    sumBySku(lines),
    { warehouseId: input.warehouseId ?? null, scope: warehouseScope(actor.principal) },
    input.allowPartial || input.allowBackorder,
    actor.requestId,
  );
  const orderLines = fillLines(lines, plan.allocations, input.allowPartial, input.allowBackorder);
  if (orderLines.length === 0)
    throw outOfStock(plan.short.map((s) => ({ sku: s.sku, requested: s.qty, available: 0 })));
  const allocations = plan.allocations.map((a) => ({ ...a, shipped: 0 }));
  const status = expiresAt ? 'pending' : statusFromLines(orderLines);
  const now = new Date();
  const record: OrderRecord = {
    id,
    status,
    warehouseId: input.warehouseId ?? null,
    warehouseIds: warehousesOf(allocations, input.warehouseId ?? null),
    allocationScope: input.warehouseId ? null : asScope(warehouseScope(actor.principal)),
    allowPartial: input.allowPartial,
    allowBackorder: input.allowBackorder,
    externalRef: input.externalRef ?? null,
    channel: input.channel ?? null,
    customer: input.customer ?? null,
    lines: orderLines,
    allocations,
    reservationExpiresAt: expiresAt,
    cancelReason: null,
    pendingShipment: null,
    createdBy: actorId(actor),
    ...owner,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const view = orderView(record);
  const created: NewOrder = {
    record,
    view,
    requestId: actor.requestId,
    claim: actor.claim,
    audit: auditContext.current(),
    traceparent: traceContext.current(),
  };
  const held = allocations.reduce((n, a) => n + a.qty, 0);
  try {
    // A pending order is written on its own, under its owner's lock: the cap counts it there.
    if (expiresAt)
      await withinPendingCap(deps.db, { owner, adding: held, cap }, async (tx) => {
        await insertOrders(tx, [created]);
        await created.claim?.complete(tx, 201, created.view);
      });
    else await orderWriter(deps.db).submit(created);
  } catch (err) {
    // Without a Postgres error (nor one of ours) the outcome is unknown (the connection dropped
    // around COMMIT): if the order is there, it stands, with its holds.
    // Its holds are left to the expire-holds sweep, which keeps them only if the order is there.
    if (pgErrorCode(err) === undefined && !(err instanceof AppError)) {
      if (await orderExists(deps.db, id)) return view;
      throw err;
    }
    await releaseHolds(deps, id, null, actor.requestId);
    if (isUniqueViolation(err))
      throw new ConflictError(
        `An order with externalRef ${input.externalRef} exists already.`,
        'duplicate-external-ref',
        {
          field: 'externalRef',
        },
      );
    throw err;
  }
  // The hold keeps its expiry: the sweep keeps holds whose order committed (one set-wise pass a
  // minute) and releases the rest, so no third step sits on the order's critical path.
  return view;
}

/** Spreads what was allocated per sku over the order's lines, first line first. */
function fillLines(
  lines: ResolvedLine[],
  planned: Planned[],
  allowPartial: boolean,
  allowBackorder: boolean,
): OrderLine[] {
  const left = new Map<string, number>();
  for (const p of planned) left.set(p.sku, (left.get(p.sku) ?? 0) + p.qty);
  const filled = lines.map((l) => {
    const allocated = Math.min(l.qty, left.get(l.sku) ?? 0);
    left.set(l.sku, (left.get(l.sku) ?? 0) - allocated);
    const keep = allowBackorder || !allowPartial ? l.qty : allocated;
    return {
      sku: l.sku,
      qty: keep,
      requestedQty: l.qty,
      unitPrice: l.unitPrice,
      allocated,
      backordered: keep - allocated,
      shipped: 0,
    };
  });
  return filled.filter((l) => l.qty > 0);
}

/** The scope a warehouse-less order allocates in later (backorders): null for every warehouse. */
const asScope = (scope: 'all' | string[]) => (scope === 'all' ? null : scope);
