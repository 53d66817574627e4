/**
 * Shipping and delivering. Shipping records the shipment on the order first (with a
 * settle-order job), consumes it in inventory (idempotent by its operation id), then applies it
 * to the order: a crash anywhere in between is finished by settling.
 */
import type { HoldLine } from '../inventory/holds.ts';
import { ConflictError, ValidationError } from '../platform/problem.ts';
import { sumBySku } from './allocator.ts';
import { assertMayTouchOrder } from './order-access.ts';
import { assertShippable, assertTransition, type PendingShipment } from './order-model.ts';
import { settleOrder } from './order-settling.ts';
import { completeShipment, withShipmentApplied } from './order-shipment.ts';
import {
  actorId,
  enqueueSettle,
  loadOrder,
  type OrderActor,
  type OrderDeps,
  type OrderRecord,
  orderView,
  publish,
  saveOrder,
} from './order-store.ts';
import type { OrderView, ShipOrder } from './schemas.ts';

export async function shipOrder(
  deps: OrderDeps,
  id: string,
  input: ShipOrder,
  actor: OrderActor,
): Promise<OrderView> {
  const loaded = await loadOrder(deps.db, id);
  assertMayTouchOrder(actor.principal, 'orders:fulfil', loaded);
  const order = await withShipmentApplied(deps, loaded);
  assertShippable(order.status);
  // One recorded shipment at a time: another's is finished above, never replaced.
  if (order.pendingShipment)
    throw new ConflictError(
      'The order changed while this request ran; read it again and retry.',
      'order-changed',
    );
  const pendingShipment: PendingShipment = {
    operationId: crypto.randomUUID(),
    lines: shipmentLines(order, input),
  };
  // Recorded with a settle-order job: a crash after inventory ships it still reaches the order.
  const recorded = await deps.db.transaction(async (tx) => {
    const row = await saveOrder(tx, order, { pendingShipment });
    await enqueueSettle(tx, id);
    return row;
  });
  const shipped = await completeShipment(deps, recorded, pendingShipment, actor.requestId, actorId(actor));
  if (shipped.status === 'shipped') await settleOrder(deps, id);
  return orderView(shipped);
}

/** The units a ship request takes from each allocation: named lines, or everything still allocated. */
function shipmentLines(order: OrderRecord, input: ShipOrder): HoldLine[] {
  const open = order.allocations.map((a) => ({ ...a, left: a.qty - a.shipped }));
  const requests = input.lines ?? sumBySku(open.map((a) => ({ sku: a.sku, qty: a.left })));
  const out: HoldLine[] = [];
  const errors = requests.flatMap((r, i) => {
    let need = r.qty;
    for (const a of open.filter((x) => x.sku.toLowerCase() === r.sku.toLowerCase())) {
      const take = Math.min(need, a.left);
      if (take <= 0) continue;
      out.push({ warehouseId: a.warehouseId, sku: a.sku, qty: take });
      a.left -= take;
      need -= take;
    }
    return need > 0
      ? [
          {
            path: `lines.${i}.qty`,
            message: `Only ${r.qty - need} of ${r.sku} are allocated and not shipped.`,
          },
        ]
      : [];
  });
  if (errors.length > 0) throw new ValidationError(errors);
  if (out.length === 0)
    throw new ConflictError('Nothing on this order is allocated and waiting to ship.', 'nothing-to-ship');
  return out;
}

export async function deliverOrder(deps: OrderDeps, id: string, actor: OrderActor): Promise<OrderView> {
  const order = await loadOrder(deps.db, id);
  assertMayTouchOrder(actor.principal, 'orders:fulfil', order);
  assertTransition(order.status, 'delivered');
  return deps.db.transaction(async (tx) => {
    const row = await saveOrder(tx, order, { status: 'delivered' });
    const view = orderView(row);
    await publish(tx, 'order.delivered', view, actor.requestId);
    return view;
  });
}
