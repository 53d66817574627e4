/**
 * Changing an order: its lines, cancelling, confirming a pending one. A change that moves stock
 * commits the order with a `settle-order` job, then settles at once (order-settling.ts), so
 * inventory's holds follow even when a crash comes between the two.
 */
import { sql } from 'drizzle-orm';
import { warehouseScope } from '../identity/policy.ts';
import { enqueueJob } from '../platform/outbox.ts';
import { ConflictError } from '../platform/problem.ts';
import { type Planned, sumBySku } from './allocator.ts';
import { assertWithinPendingCap, pendingGrowth, precheckPendingCap } from './hold-limits.ts';
import { assertMayTouchOrder } from './order-access.ts';
import { reserveFor, type Where } from './order-holds.ts';
import { resolveLines } from './order-lines.ts';
import { inOrderLock, lockOrderAt } from './order-lock.ts';
import {
  type Allocation,
  assertConfirmable,
  assertEditable,
  assertTransition,
  type CancelReason,
  mergeAllocations,
  statusFromLines,
  warehousesOf,
} from './order-model.ts';
import { settleOrder } from './order-settling.ts';
import { withShipmentApplied } from './order-shipment.ts';
import {
  enqueueSettle,
  loadOrder,
  type OrderActor,
  type OrderDeps,
  type OrderRecord,
  type OrderRequestDeps,
  orderView,
  publish,
  saveOrder,
} from './order-store.ts';
import type { OrderView, PatchOrder } from './schemas.ts';

export async function patchOrder(
  deps: OrderRequestDeps,
  id: string,
  input: PatchOrder,
  actor: OrderActor,
): Promise<OrderView> {
  const loaded = await loadOrder(deps.db, id);
  // Asked before the shipment a crash left is applied: a caller refused changes nothing.
  assertMayTouchOrder(actor.principal, 'orders:update', loaded);
  const order = await withShipmentApplied(deps, loaded);
  assertEditable(order.status);
  const lines = await resolveLines(deps.db, input.lines, actor.principal, order.lines);
  const limit = pendingGrowth(order, lines, actor.principal, deps.holds);
  if (limit) await precheckPendingCap(deps.db, limit, id);
  const wanted = new Map(sumBySku(lines).map((d) => [d.sku, d.qty]));
  const held = new Map<string, number>();
  for (const a of order.allocations) held.set(a.sku, (held.get(a.sku) ?? 0) + a.qty);
  const more = [...wanted].flatMap(([sku, qty]) =>
    qty > (held.get(sku) ?? 0) ? [{ sku, qty: qty - (held.get(sku) ?? 0) }] : [],
  );
  // Grow only where the caller may act (and in the named warehouse, if the order has one).
  const where: Where = { warehouseId: order.warehouseId, scope: warehouseScope(actor.principal) };
  let added: Planned[] = [];
  let saved: OrderRecord;
  try {
    // Under the order's lock from the reserve to the save: no settle takes the new units meanwhile.
    saved = await inOrderLock(deps.db, async (tx) => {
      await lockOrderAt(tx, order);
      if (more.length > 0)
        added = (await reserveFor(deps, id, more, where, false, actor.requestId)).allocations;
      if (limit) await assertWithinPendingCap(tx, limit, id);
      const allocations = reshape(order.allocations, wanted, added);
      const row = await saveOrder(tx, order, {
        lines: lines.map((l) => ({
          sku: l.sku,
          qty: l.qty,
          requestedQty: l.qty,
          unitPrice: l.unitPrice,
          allocated: l.qty,
          backordered: 0,
          shipped: 0,
        })),
        allocations,
        warehouseIds: warehousesOf(allocations, order.warehouseId),
        status: order.status === 'pending' ? 'pending' : 'confirmed',
      });
      await publish(tx, 'order.updated', orderView(row), actor.requestId);
      await enqueueSettle(tx, id);
      return row;
    });
  } catch (err) {
    // What it held for a change that did not land is more than the order needs: settling gives
    // back exactly that (whatever committed meanwhile), where releasing `added` could take units
    // someone else's settle had already given back.
    if (added.length > 0) await settleOrder(deps, id);
    throw err;
  }
  await settleOrder(deps, id);
  return orderView(saved);
}

/** The order's allocations after a line change: shrunk from the last warehouse first, grown by `added`. */
function reshape(current: Allocation[], wanted: Map<string, number>, added: Planned[]): Allocation[] {
  const out: Allocation[] = [];
  const bySku = new Map<string, Allocation[]>();
  for (const a of current) bySku.set(a.sku, [...(bySku.get(a.sku) ?? []), { ...a }]);
  for (const [sku, allocs] of bySku) {
    let excess = allocs.reduce((n, a) => n + a.qty, 0) - (wanted.get(sku) ?? 0);
    for (const a of allocs.reverse()) {
      const cut = Math.min(Math.max(excess, 0), a.qty);
      a.qty -= cut;
      excess -= cut;
    }
    out.push(...allocs.reverse().filter((a) => a.qty > 0));
  }
  return mergeAllocations(out, added);
}

export async function cancelOrder(deps: OrderDeps, id: string, actor: OrderActor): Promise<OrderView> {
  const loaded = await loadOrder(deps.db, id);
  assertMayTouchOrder(actor.principal, 'orders:update', loaded);
  const order = await withShipmentApplied(deps, loaded);
  return cancel(deps, order, 'requested', actor.requestId);
}

/** Cancels at the order's version (409 if it changed meanwhile), then releases its holds. */
export async function cancel(
  deps: OrderDeps,
  order: OrderRecord,
  reason: CancelReason,
  requestId: string,
): Promise<OrderView> {
  const id = order.id;
  assertTransition(order.status, 'cancelled');
  const saved = await deps.db.transaction(async (tx) => {
    const row = await saveOrder(tx, order, {
      status: 'cancelled',
      cancelReason: reason,
      reservationExpiresAt: null,
    });
    await publish(tx, 'order.cancelled', orderView(row), requestId);
    await enqueueSettle(tx, id);
    // What it held is free again: backorders waiting for it may have it.
    await enqueueJob(
      tx,
      'allocate-backorders',
      {},
      { jobKey: 'allocate-backorders', queueName: 'backorders' },
    );
    return row;
  });
  await settleOrder(deps, id);
  return orderView(saved);
}

/** A pending order is paid for: its stock stays held with no expiry. 409 once the hold has lapsed. */
export async function confirmOrder(deps: OrderDeps, id: string, actor: OrderActor): Promise<OrderView> {
  const order = await loadOrder(deps.db, id);
  assertMayTouchOrder(actor.principal, 'orders:update', order);
  assertConfirmable(order.status);
  // Lines still short stay backordered and wait for stock like any other.
  const status = statusFromLines(order.lines);
  return deps.db.transaction(async (tx) => {
    // Expired by the database's clock, under the row's lock: the sweep cannot cancel it meanwhile.
    const { rows } = await tx.execute<{ lapsed: boolean }>(sql`
      select reservation_expires_at <= now() as lapsed from orders.orders where id = ${id} for update`);
    if (rows[0]?.lapsed)
      throw new ConflictError(
        'The reservation of this order has expired; place the order again.',
        'reservation-expired',
        { reservationExpiresAt: order.reservationExpiresAt?.toISOString() ?? null },
      );
    const row = await saveOrder(tx, order, { status, reservationExpiresAt: null });
    const view = orderView(row);
    await publish(tx, status === 'confirmed' ? 'order.confirmed' : 'order.updated', view, actor.requestId);
    return view;
  });
}
