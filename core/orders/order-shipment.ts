/**
 * A shipment recorded on an order and finished: consumed in inventory (idempotent by its
 * operation id), then applied to the order's lines and allocations. Shipping records it first,
 * so one a crash interrupted is finished by the next request or by settling.
 */
import { ConflictError } from '../platform/problem.ts';
import { assertTransition, isLive, type PendingShipment, statusFromLines } from './order-model.ts';
import { loadOrder, type OrderDeps, type OrderRecord, orderView, publish, saveOrder } from './order-store.ts';

/** The order with a recorded shipment applied first (a live order's; a crash may have left one). */
export async function withShipmentApplied(deps: OrderDeps, order: OrderRecord): Promise<OrderRecord> {
  return order.pendingShipment && isLive(order.status)
    ? completeShipment(deps, order, order.pendingShipment)
    : order;
}

/** Consumes the recorded shipment in inventory (once, by its id) and applies it to the order. */
export async function completeShipment(
  deps: OrderDeps,
  order: OrderRecord,
  pending: PendingShipment,
  requestId: string | null = null,
  actor: string | null = null,
): Promise<OrderRecord> {
  const consumed = await deps.inventory.consume({
    operationId: pending.operationId,
    holderType: 'order',
    holderId: order.id,
    lines: pending.lines,
    type: 'shipment',
    reason: 'order',
    referenceType: 'order',
    referenceId: order.id,
    actorId: actor,
    requestId,
  });
  if (!consumed.ok) {
    await saveOrder(deps.db, order, { pendingShipment: null });
    throw new ConflictError(
      'The stock held for this order is not there to ship; see short.',
      'hold-missing',
      {
        short: consumed.short,
      },
    );
  }
  const allocations = order.allocations.map((a) => ({ ...a }));
  const lines = order.lines.map((l) => ({ ...l }));
  for (const s of pending.lines) {
    const alloc = allocations.find((a) => a.sku === s.sku && a.warehouseId === s.warehouseId);
    if (!alloc)
      throw new ConflictError(
        'The order no longer has the allocation this shipment was for.',
        'order-changed',
      );
    alloc.shipped += s.qty;
    let left = s.qty;
    for (const l of lines.filter((x) => x.sku === s.sku)) {
      const take = Math.min(left, l.allocated - l.shipped);
      l.shipped += take;
      left -= take;
    }
  }
  const status = statusFromLines(lines);
  assertTransition(order.status, status);
  try {
    return await deps.db.transaction(async (tx) => {
      const row = await saveOrder(tx, order, { allocations, lines, status, pendingShipment: null });
      await publish(tx, 'order.shipped', orderView(row), requestId ?? '');
      return row;
    });
  } catch (err) {
    // Someone else (a settle, a concurrent ship) applied this very shipment first: it is done.
    // They may have recorded the next shipment since, and nobody may build on the order before
    // that one is finished too: a ship recording its own over it would leave what inventory
    // shipped for it off the order.
    const now = await loadOrder(deps.db, order.id);
    if (now.pendingShipment?.operationId !== pending.operationId && now.version > order.version)
      return withShipmentApplied(deps, now);
    throw err;
  }
}
