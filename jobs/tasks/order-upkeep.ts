/**
 * Keeping orders and inventory's holds in step: settling an order after a change, giving
 * arrived stock to backorders, and the sweep of holds past their expiry. Each is idempotent and
 * safe to run twice at once (holds change only inside inventory.hold_stock, under row locks).
 */
import { createLocalInventoryClient } from '../../core/inventory/client.ts';
import { liveOrderIds } from '../../core/orders/order-reads.ts';
import { settleOrder } from '../../core/orders/order-settling.ts';
import { allocateBackorders, expireReservations } from '../../core/orders/order-upkeep.ts';
import { defineTask, type TaskDeps } from '../task.ts';

const orderDeps = (deps: Pick<TaskDeps, 'db' | 'log'>) => ({
  db: deps.db,
  log: deps.log,
  inventory: createLocalInventoryClient(deps.db),
});

export const settleOrderTask = defineTask('settle-order', async ({ orderId }, deps) => {
  // Thrown, so graphile-worker tries again later with backoff.
  if (!(await settleOrder(orderDeps(deps), orderId))) throw new Error('holds kept changing while settling');
});

export const allocateBackordersTask = defineTask('allocate-backorders', async (_payload, deps) => {
  const allocated = await allocateBackorders(orderDeps(deps));
  if (allocated > 0) deps.log.info('backorders allocated', { orders: allocated });
});

/**
 * Holds past their expiry: an order's creation hold outlives a crash between reserving and
 * committing the order. A hold whose order did commit is kept; any other is released.
 */
export const expireHoldsTask = defineTask('expire-holds', async (_payload, deps) => {
  const inventory = createLocalInventoryClient(deps.db);
  const orders = { db: deps.db, log: deps.log, inventory };
  // Bounded: a hold that stays expired (its order's settle refused) waits for the next run.
  for (let round = 0; round < 20; round++) {
    const expired = await inventory.expiredHolders(200);
    if (expired.length === 0) return;
    const live = await liveOrderIds(
      deps.db,
      expired.filter((h) => h.holderType === 'order').map((h) => h.holderId),
    );
    // A live order's holds are settled: kept as far as the order needs them, any surplus (a
    // change that crashed between reserving and committing) released. A few at a time.
    const kept = expired.filter((x) => live.has(x.holderId));
    for (let i = 0; i < kept.length; i += 16)
      await Promise.all(kept.slice(i, i + 16).map((h) => settleOrder(orders, h.holderId)));
    const dead = expired.filter((x) => !live.has(x.holderId));
    await inventory.releaseExpired(dead);
    deps.log.info('expired holds swept', { kept: kept.length, released: dead.length });
    if (expired.length < 200) return;
  }
});

/** Pending orders not confirmed before their reservation lapsed: cancelled, their stock released. */
export const expireReservationsTask = defineTask('expire-reservations', async (_payload, deps) => {
  const cancelled = await expireReservations(orderDeps(deps));
  if (cancelled > 0) deps.log.info('lapsed reservations cancelled', { orders: cancelled });
});
