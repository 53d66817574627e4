/**
 * An order's holds in inventory, through its client only: reserve what the allocator planned
 * (planned again when the stock moved meanwhile), keep them for good, release them.
 */
import type { HoldLine, HoldResult } from '../inventory/holds.ts';
import { outOfStock } from '../inventory/out-of-stock.ts';
import { type Demand, type Planned, planAllocation } from './allocator.ts';
import type { OrderDeps } from './order-store.ts';

/** How long a hold taken while creating an order lives if the order never commits. */
const CREATION_HOLD_MS = 120_000;
const ALLOCATION_ATTEMPTS = 8;

/** Where an order may take stock: the warehouse it named, or any in the caller's scope. */
export interface Where {
  warehouseId: string | null;
  scope: 'all' | string[];
}

/**
 * Plans and reserves: the allocator over current availability, then one all-or-nothing hold.
 * Availability read without locks can be stale by the time the hold runs; the hold itself is
 * conditional, so a stale plan fails safely and is planned again.
 */
export async function reserveFor(
  deps: OrderDeps,
  holderId: string,
  demand: Demand[],
  where: Where,
  allowShort: boolean,
  requestId: string,
): Promise<{ allocations: Planned[]; short: Demand[] }> {
  const named = where.warehouseId;
  const scope = named ? [named] : where.scope;
  let lastShort: { sku: string; requested: number; available: number }[] = [];
  for (let attempt = 0; attempt < ALLOCATION_ATTEMPTS; attempt++) {
    // With one warehouse named, the first try assumes it has everything: one round trip when it does.
    const stock =
      named && attempt === 0
        ? demand.map((d) => ({ warehouseId: named, sku: d.sku, available: d.qty }))
        : await deps.inventory.available(
            demand.map((d) => d.sku),
            scope,
          );
    const plan = planAllocation(demand, stock);
    if (plan.short.length > 0 && !allowShort) {
      const availableOf = (sku: string) =>
        stock.filter((s) => s.sku === sku).reduce((n, s) => n + Math.max(0, s.available), 0);
      throw outOfStock(
        demand
          .filter((d) => plan.short.some((s) => s.sku === d.sku))
          .map((d) => ({ sku: d.sku, requested: d.qty, available: availableOf(d.sku) })),
      );
    }
    if (plan.allocations.length === 0) return plan;
    const held = await deps.inventory.hold({
      kind: 'reserve',
      holderType: 'order',
      holderId,
      lines: plan.allocations,
      expiresAt: new Date(Date.now() + CREATION_HOLD_MS),
      requestId,
    });
    if (held.ok) return plan;
    lastShort = held.short.map((s) => ({ sku: s.sku, requested: s.requested, available: s.available }));
  }
  throw outOfStock(lastShort);
}

/** Takes the expiry off every hold of the order: the stock stays held until released. */
export const keepHolds = (deps: OrderDeps, orderId: string, requestId: string | null) =>
  deps.inventory.hold({
    kind: 'keep',
    holderType: 'order',
    holderId: orderId,
    lines: null,
    expiresAt: null,
    requestId,
  });

/**
 * Gives the order's stock back: these lines (a line naming `held` is refused if the hold
 * changed since), or with `lines` null everything the order holds.
 */
export const releaseHolds = (
  deps: OrderDeps,
  orderId: string,
  lines: HoldLine[] | null,
  requestId: string | null,
): Promise<HoldResult> =>
  deps.inventory.hold({
    kind: 'release',
    holderType: 'order',
    holderId: orderId,
    lines,
    expiresAt: null,
    requestId,
  });
