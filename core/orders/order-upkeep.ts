/**
 * Background upkeep of orders, run by jobs: cancelling pending orders whose reservation lapsed,
 * and giving arrived stock to backordered orders. Settling (order-settling.ts) is the third.
 */
import { and, eq, sql } from 'drizzle-orm';
import { ConflictError } from '../platform/problem.ts';
import { type Planned, sumBySku } from './allocator.ts';
import { cancel } from './order-changes.ts';
import { keepHolds, reserveFor, type Where } from './order-holds.ts';
import { inOrderLock, lockOrderAt } from './order-lock.ts';
import { mergeAllocations, type OrderLine, statusFromLines, warehousesOf } from './order-model.ts';
import { settleOrder } from './order-settling.ts';
import { type OrderDeps, type OrderRecord, orderView, publish, saveOrder } from './order-store.ts';
import { orderRecords } from './tables.ts';

/**
 * Cancels pending orders whose reservation has lapsed, oldest first, and releases their stock.
 * Two runs at once are safe: each cancel is conditional on the order's version, so an order
 * confirmed, changed or cancelled by the other run meanwhile is left alone.
 */
export async function expireReservations(deps: OrderDeps, pageSize = 100): Promise<number> {
  let cancelled = 0;
  for (;;) {
    const due = await deps.db
      .select()
      .from(orderRecords)
      .where(and(eq(orderRecords.status, 'pending'), sql`${orderRecords.reservationExpiresAt} <= now()`))
      .orderBy(orderRecords.reservationExpiresAt)
      .limit(pageSize);
    let progressed = false;
    for (const order of due) {
      try {
        await cancel(deps, order, 'reservation_expired', '');
        cancelled++;
        progressed = true;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    if (due.length < pageSize || !progressed) return cancelled;
  }
}

/**
 * Gives arrived stock to backordered orders, oldest first: each takes what it can before the
 * next one is looked at.
 */
export async function allocateBackorders(deps: OrderDeps, pageSize = 100): Promise<number> {
  let changed = 0;
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const page: OrderRecord[] = await deps.db
      .select()
      .from(orderRecords)
      .where(
        and(
          sql`${orderRecords.status} in ('backordered', 'partially_shipped')`,
          sql`exists (select 1 from jsonb_array_elements(${orderRecords.lines}) l where (l->>'backordered')::int > 0)`,
          after
            ? sql`(${orderRecords.createdAt}, ${orderRecords.id}) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(orderRecords.createdAt, orderRecords.id)
      .limit(pageSize);
    for (const order of page) if (await allocateBackorder(deps, order)) changed++;
    const last = page.at(-1);
    if (page.length < pageSize || !last) return changed;
    after = { at: last.createdAt, id: last.id };
  }
}

/** Gives one order what it can have of its backordered lines; false when nothing arrived for it. */
async function allocateBackorder(deps: OrderDeps, order: OrderRecord): Promise<boolean> {
  const demand = sumBySku(
    order.lines.filter((l) => l.backordered > 0).map((l) => ({ sku: l.sku, qty: l.backordered })),
  );
  let planned: Planned[] = [];
  try {
    // Under the order's lock from the reserve to the save (order-lock.ts), as a line change is.
    await inOrderLock(deps.db, async (tx) => {
      await lockOrderAt(tx, order);
      // A shipment recorded on it is finished by its request or its settle; this run leaves it be.
      if (order.pendingShipment) return;
      const where: Where = { warehouseId: order.warehouseId, scope: order.allocationScope ?? 'all' };
      planned = (await reserveFor(deps, order.id, demand, where, true, '')).allocations;
      if (planned.length === 0) return;
      const lines = filledBackorders(order.lines, planned);
      const merged = mergeAllocations(order.allocations, planned);
      const status = statusFromLines(lines);
      const row = await saveOrder(tx, order, {
        lines,
        allocations: merged,
        warehouseIds: warehousesOf(merged, order.warehouseId),
        status,
      });
      await publish(tx, status === 'confirmed' ? 'order.confirmed' : 'order.updated', orderView(row), '');
    });
  } catch (err) {
    // What it held for an order that changed meanwhile (cancelled, edited) is surplus: settling
    // gives it back. The next run looks at the order afresh.
    if (planned.length > 0) await settleOrder(deps, order.id);
    if (err instanceof ConflictError) return false;
    throw err;
  }
  if (planned.length === 0) return false;
  await keepHolds(deps, order.id, null);
  return true;
}

/** The order's lines with `planned` units moved from backordered to allocated, first line first. */
function filledBackorders(current: readonly OrderLine[], planned: readonly Planned[]): OrderLine[] {
  const lines = current.map((l) => ({ ...l }));
  for (const p of planned) {
    let left = p.qty;
    for (const l of lines.filter((x) => x.sku === p.sku && x.backordered > 0)) {
      const take = Math.min(left, l.backordered);
      l.backordered -= take;
      l.allocated += take;
      left -= take;
    }
  }
  return lines;
}
