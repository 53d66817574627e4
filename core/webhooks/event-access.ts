/**
 * Which events a subscription's owner receives: only those about objects the owner may read, by
 * the rules of core/identity/policy.ts (a partner: its own orders, stock of the warehouses in its
 * scope, the catalog). Events sent once per warehouse (orders, transfers) are delivered once: the
 * copy of the first warehouse the object names.
 */
import { may, mayAttempt, mayTouchOrder, type Principal } from '../identity/policy.ts';
import type { DomainEvent } from '../platform/events.ts';

type Data = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** An order's warehouses in the order orderEvents publishes them: requested, then allocated. */
function orderWarehouses(data: Data): string[] {
  const allocations = Array.isArray(data.allocations) ? (data.allocations as Data[]) : [];
  const ids = [text(data.warehouseId), ...allocations.map((a) => text(a.warehouseId))];
  return [...new Set(ids.filter((id): id is string => id !== null))];
}

function orderReadable(principal: Principal, event: DomainEvent): boolean {
  const warehouseIds = orderWarehouses(event.data);
  if ((warehouseIds[0] ?? null) !== event.warehouseId) return false;
  const kind = text(event.data.ownerKind);
  return mayTouchOrder(principal, 'orders:read', {
    ownerKind: kind === 'user' || kind === 'api_key' ? kind : null,
    ownerId: text(event.data.ownerId),
    warehouseIds,
  });
}

function transferReadable(principal: Principal, event: DomainEvent): boolean {
  const from = text(event.data.fromWarehouseId);
  const to = text(event.data.toWarehouseId);
  if (event.warehouseId !== from) return false;
  return [from, to].some((w) => w !== null && may(principal, 'transfers:read', w));
}

const inWarehouse = (principal: Principal, event: DomainEvent, action: Parameters<typeof may>[1]) =>
  event.warehouseId !== null && may(principal, action, event.warehouseId);

/** Whether this event goes to a subscription owned by this principal. */
export function mayReceive(principal: Principal, event: DomainEvent): boolean {
  const [area] = event.type.split('.');
  switch (area) {
    case 'product':
      return mayAttempt(principal, 'catalog:read');
    case 'stock':
      return inWarehouse(principal, event, 'availability:read');
    case 'order':
      return orderReadable(principal, event);
    case 'transfer':
      return transferReadable(principal, event);
    case 'purchase_order':
      return inWarehouse(principal, event, 'purchase-orders:read');
    case 'warehouse':
      return inWarehouse(principal, event, 'warehouses:read');
    case 'webhook':
      // A subscription's own state: for admins, and the owner of that subscription.
      return (
        principal.roles.includes('admin') ||
        (event.data.ownerKind === principal.kind && event.data.ownerId === principal.id)
      );
    default:
      return false;
  }
}
