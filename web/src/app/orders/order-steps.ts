/**
 * What can happen next to an order, from its status and what the signed-in role may do (the
 * API's state machine and policy decide; this only chooses which buttons to show), and the
 * quantities a shipment may take. Plain functions, tested with bun:test.
 */
import type { components } from '@varastokkr/client';
import { type CheckedLines, wholeNumber } from '../forms/quantity-lines';

export type Order = components['schemas']['Order'];
export type OrderStatus = Order['status'];

export const orderStatuses: readonly OrderStatus[] = [
  'pending',
  'backordered',
  'confirmed',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
];

/** `partially_shipped` → "Partially shipped". */
export function statusLabel(status: string): string {
  const words = status.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface OrderSteps {
  confirm: boolean;
  ship: boolean;
  cancel: boolean;
  deliver: boolean;
}

/** The steps to offer: the state machine's next steps that the role may take. */
export function orderSteps(order: Order, can: (action: string) => boolean): OrderSteps {
  const status = order.status;
  const anyToShip = [...shippableBySku(order).values()].some((n) => n > 0);
  return {
    confirm: status === 'pending' && can('orders:update'),
    cancel:
      (status === 'pending' || status === 'backordered' || status === 'confirmed') && can('orders:update'),
    ship:
      (status === 'confirmed' || status === 'partially_shipped' || status === 'backordered') &&
      anyToShip &&
      can('orders:fulfil'),
    deliver: status === 'shipped' && can('orders:fulfil'),
  };
}

/** Per sku, the units allocated and not yet shipped: what a shipment can take now. */
export function shippableBySku(order: Order): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of order.allocations) out.set(a.sku, (out.get(a.sku) ?? 0) + a.qty - a.shipped);
  return out;
}

/**
 * The ship request for the quantities typed per line (by the order's line index): empty or 0
 * leaves a line out; more than is allocated and unshipped is refused beside that line.
 */
export function shipmentLines(order: Order, typed: readonly string[]): CheckedLines {
  const shippable = shippableBySku(order);
  const lines: CheckedLines['lines'] = [];
  const errors: Record<string, string> = {};
  order.lines.forEach((line, i) => {
    const qty = wholeNumber(typed[i] ?? '', { min: 0, emptyIsZero: true });
    const max = shippable.get(line.sku) ?? 0;
    if ('error' in qty) errors[`lines.${i}.qty`] = qty.error;
    else if (qty.value > max) errors[`lines.${i}.qty`] = `Only ${max} allocated and not shipped.`;
    else if (qty.value > 0) lines.push({ sku: line.sku, qty: qty.value });
  });
  if (lines.length === 0 && Object.keys(errors).length === 0) errors.lines = 'Enter a quantity to ship.';
  return { lines, errors };
}

/** What is left to pick, per warehouse: each allocation's unshipped units, skus in order. */
export function pickList(order: Order): { warehouseId: string; lines: { sku: string; qty: number }[] }[] {
  const byWarehouse = new Map<string, { sku: string; qty: number }[]>();
  for (const a of order.allocations) {
    const left = a.qty - a.shipped;
    if (left <= 0) continue;
    const lines = byWarehouse.get(a.warehouseId) ?? [];
    lines.push({ sku: a.sku, qty: left });
    byWarehouse.set(a.warehouseId, lines);
  }
  return [...byWarehouse].map(([warehouseId, lines]) => ({
    warehouseId,
    lines: lines.sort((x, y) => x.sku.localeCompare(y.sku)),
  }));
}

/** The warehouses an order draws on (its allocations'), for the list. */
export function orderWarehouses(order: Order): string[] {
  return [...new Set(order.allocations.map((a) => a.warehouseId))];
}

/** Total units on the order. */
export const orderUnits = (order: Order) => order.lines.reduce((n, l) => n + l.qty, 0);
