/** Which events a subscription's owner receives: the policy's read rules, as a plain function. */
import { describe, expect, test } from 'bun:test';
import type { Principal } from '../identity/policy.ts';
import type { DomainEvent, EventType } from '../platform/events.ts';
import { mayReceive } from './event-access.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

const who = (
  roles: Principal['roles'],
  warehouseIds: string[] = [A],
  id = crypto.randomUUID(),
): Principal => ({
  kind: 'api_key',
  id,
  name: 'p',
  email: null,
  roles,
  warehouseIds,
});

const event = (type: EventType, warehouseId: string | null, data: Record<string, unknown>): DomainEvent => ({
  id: crypto.randomUUID(),
  type,
  occurredAt: new Date().toISOString(),
  warehouseId,
  data,
  requestId: null,
});

describe('mayReceive', () => {
  const partner = who(['partner']);
  const admin = who(['admin'], []);
  const clerk = who(['clerk']);

  test('stock: partners and staff of the warehouse, not of others', () => {
    const here = event('stock.changed', A, { sku: 'X', version: 3 });
    const there = event('stock.low', B, { sku: 'X', version: 3 });
    expect([mayReceive(partner, here), mayReceive(clerk, here), mayReceive(admin, here)]).toEqual([
      true,
      true,
      true,
    ]);
    expect([mayReceive(partner, there), mayReceive(clerk, there), mayReceive(admin, there)]).toEqual([
      false,
      false,
      true,
    ]);
  });

  test('orders: a partner its own only, even in its warehouse; one delivery for an order split over two', () => {
    const order = { id: 'o', ownerKind: 'api_key', ownerId: partner.id, warehouseId: null, version: 1 };
    const split = { ...order, allocations: [{ warehouseId: A }, { warehouseId: B }] };
    expect(mayReceive(partner, event('order.created', A, split))).toBe(true);
    expect(mayReceive(partner, event('order.created', B, split))).toBe(false);
    const anothers = { ...split, ownerId: crypto.randomUUID() };
    expect(mayReceive(partner, event('order.created', A, anothers))).toBe(false);
    expect(mayReceive(clerk, event('order.created', A, anothers))).toBe(true);
    expect(mayReceive(admin, event('order.shipped', A, anothers))).toBe(true);
  });

  test('transfers once, to staff of either end; purchase orders and warehouses by scope; never to partners', () => {
    const transfer = { id: 't', fromWarehouseId: B, toWarehouseId: A };
    expect(mayReceive(clerk, event('transfer.updated', B, transfer))).toBe(true);
    expect(mayReceive(clerk, event('transfer.updated', A, transfer))).toBe(false);
    expect(mayReceive(partner, event('transfer.updated', B, transfer))).toBe(false);
    expect(mayReceive(clerk, event('purchase_order.updated', A, { id: 'po' }))).toBe(true);
    expect(mayReceive(partner, event('purchase_order.updated', A, { id: 'po' }))).toBe(false);
    expect(mayReceive(partner, event('warehouse.created', B, { id: B }))).toBe(false);
  });

  test('the catalog for everyone who may read it; webhook.disabled for admins and its owner', () => {
    expect(mayReceive(partner, event('product.updated', null, { sku: 'X', version: 2 }))).toBe(true);
    const disabled = (owner: Principal) =>
      event('webhook.disabled', null, { subscriptionId: 's', ownerKind: owner.kind, ownerId: owner.id });
    expect(mayReceive(admin, disabled(partner))).toBe(true);
    expect(mayReceive(partner, disabled(partner))).toBe(true);
    expect(mayReceive(who(['partner']), disabled(partner))).toBe(false);
  });
});
