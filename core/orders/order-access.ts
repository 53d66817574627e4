/**
 * Who may see, change and price an order: the rules of core/identity/policy.ts (mayTouchOrder,
 * orderReadScope, orders:price-override) applied on every order path, with the answer a
 * refused caller gets.
 */
import { type SQL, sql } from 'drizzle-orm';
import {
  actsAsStaff,
  mayAttempt,
  mayTouchOrder,
  type OrderAccessFacts,
  type OrderAction,
  orderReadScope,
  type Principal,
} from '../identity/policy.ts';
import { scopeParam } from '../platform/database.ts';
import { ForbiddenError, NotFoundError } from '../platform/problem.ts';
import type { Money } from './order-model.ts';
import { orderRecords } from './tables.ts';

/** The owner a new order records: the user or API key placing it. */
export const ownerOf = (principal: Principal) => ({ ownerKind: principal.kind, ownerId: principal.id });

/**
 * Throws unless mayTouchOrder allows it. Staff (manager, clerk) refused an order outside their
 * warehouses get 403: they know those warehouses exist, as the access matrix has it. Anyone else
 * (a partner) gets 404 for another's order, the same answer as for an id that does not exist,
 * so order ids, and whether another caller has an order, are not disclosed.
 */
export function assertMayTouchOrder(
  principal: Principal,
  action: OrderAction,
  order: OrderAccessFacts,
): void {
  if (mayTouchOrder(principal, action, order)) return;
  if (actsAsStaff(principal, action)) throw new ForbiddenError('This order is outside your scope.');
  throw new NotFoundError('No such order.');
}

/** orderReadScope as a WHERE condition on orders.orders (undefined: every order). */
export function readableOrders(principal: Principal): SQL | undefined {
  const scope = orderReadScope(principal);
  if (scope === 'all') return undefined;
  const own = sql`(${orderRecords.ownerKind} = ${scope.owner.kind} and ${orderRecords.ownerId} = ${scope.owner.id}::uuid)`;
  if (scope.warehouseIds.length === 0) return own;
  return sql`(${orderRecords.warehouseIds} && ${scopeParam(scope.warehouseIds)}::uuid[] or ${own})`;
}

const samePrice = (a: Money, b: Money | null) =>
  b !== null && a.amount === b.amount && a.currency === b.currency;

/**
 * 403 naming each line whose unitPrice is not an acceptable one (the catalog's; when changing
 * an order, also the price it already has), unless the caller may override prices. Omitting
 * unitPrice takes the catalog's; sending back a price one read is no override.
 */
export function assertMayPrice(
  principal: Principal,
  lines: readonly { unitPrice?: Money | undefined; acceptable: readonly (Money | null)[] }[],
): void {
  if (mayAttempt(principal, 'orders:price-override')) return;
  const errors = lines.flatMap(({ unitPrice, acceptable }, i) =>
    unitPrice && !acceptable.some((p) => samePrice(unitPrice, p))
      ? [{ path: `lines.${i}.unitPrice`, message: "Your role may not set a price other than the catalog's." }]
      : [],
  );
  if (errors.length > 0)
    throw new ForbiddenError(
      'Setting unitPrice needs orders:price-override (admin, manager); omit it to use the catalog price.',
      { errors },
    );
}
