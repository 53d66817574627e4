/**
 * Makes inventory's holds for an order match the order. Changing lines, cancelling and shipping
 * commit the order with a `settle-order` job (the outbox), then settle at once; settling is
 * idempotent, so the job finishes whatever a crash interrupted.
 */

import { keepHolds, releaseHolds } from './order-holds.ts';
import { inOrderLock, lockOrder } from './order-lock.ts';
import { isLive } from './order-model.ts';
import { withShipmentApplied } from './order-shipment.ts';
import { loadOrder, type OrderDeps } from './order-store.ts';

/**
 * Finishes a recorded shipment, releases what the order no longer needs (all of it once
 * cancelled), keeps what it does. Settling holds the order's lock, as a change that reserves
 * more does from its reserve to its save, so what it sees held beyond the order's needs is
 * surplus. Returns false if it never saw a quiet moment (the order locked, a shipment recorded
 * or consuming); the settle-order job retries then.
 */
export async function settleOrder(deps: OrderDeps, id: string): Promise<boolean> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (await settleOnce(deps, id)) return true;
    await Bun.sleep(attempt * 20);
  }
  deps.log.info('holds kept changing while settling; the settle-order job retries', { orderId: id });
  return false;
}

async function settleOnce(deps: OrderDeps, id: string): Promise<boolean> {
  // A shipment recorded meanwhile is finished first (it writes the order, so not under our lock).
  await withShipmentApplied(deps, await loadOrder(deps.db, id));
  return inOrderLock(deps.db, async (tx) => {
    // Under the order's lock (order-lock.ts): no change is between its reserve and its save.
    const order = await lockOrder(tx, id);
    if (order === 'busy' || (order.pendingShipment && isLive(order.status))) return false;
    const wanted = new Map<string, number>();
    if (isLive(order.status))
      for (const a of order.allocations) wanted.set(`${a.warehouseId}|${a.sku}`, a.qty - a.shipped);
    const holds = await deps.inventory.holdsOf('order', id);
    const extra = holds.flatMap((h) => {
      const surplus = h.qty - (wanted.get(`${h.warehouseId}|${h.sku}`) ?? 0);
      return surplus > 0 ? [{ warehouseId: h.warehouseId, sku: h.sku, qty: surplus, held: h.qty }] : [];
    });
    // `held`: a shipment consuming meanwhile (it needs no lock of ours) makes inventory refuse.
    if (extra.length > 0 && !(await releaseHolds(deps, id, extra, null)).ok) return false;
    if (holds.some((h) => h.expiresAt !== null) && wanted.size > 0) await keepHolds(deps, id, null);
    const missing = [...wanted].filter(
      ([k, qty]) => qty > 0 && !holds.some((h) => `${h.warehouseId}|${h.sku}` === k),
    );
    if (missing.length > 0) deps.log.warn('order holds less than it allocated', { orderId: id, missing });
    return true;
  });
}
