/**
 * The order's shape and its state machine, in one place. Every status change goes through
 * assertTransition(), so an illegal one is a 409 wherever it is attempted.
 */
import { ConflictError } from '../platform/problem.ts';

export const orderStatuses = [
  'pending',
  'backordered',
  'confirmed',
  'partially_shipped',
  'shipped',
  'delivered',
  'cancelled',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** `requested`: someone cancelled it; `reservation_expired`: a pending order was not confirmed in time. */
export const cancelReasons = ['requested', 'reservation_expired'] as const;
export type CancelReason = (typeof cancelReasons)[number];

export interface Money {
  amount: number;
  currency: string;
}

export interface OrderLine {
  sku: string;
  /** What the order is for now (after allowPartial trimmed it, or a PATCH changed it). */
  qty: number;
  /** What the customer asked for at first. */
  requestedQty: number;
  unitPrice: Money | null;
  /** Units held for this line in some warehouse (see allocations), shipped or not. */
  allocated: number;
  /** Units waiting for stock (allowBackorder). */
  backordered: number;
  shipped: number;
}

export interface Allocation {
  sku: string;
  warehouseId: string;
  /** Units this warehouse holds or has shipped for the line. */
  qty: number;
  shipped: number;
}

export interface PendingShipment {
  operationId: string;
  lines: { sku: string; warehouseId: string; qty: number }[];
}

const transitions: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['confirmed', 'backordered', 'cancelled'],
  backordered: ['confirmed', 'partially_shipped', 'cancelled'],
  confirmed: ['partially_shipped', 'shipped', 'cancelled', 'backordered'],
  partially_shipped: ['partially_shipped', 'shipped'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

/**
 * The statuses of an order that still wants its stock: its holds are kept, a recorded shipment
 * is finished, backorders may be allocated to it.
 */
export const liveStatuses: readonly OrderStatus[] = [
  'pending',
  'backordered',
  'confirmed',
  'partially_shipped',
];

export const isLive = (status: OrderStatus) => liveStatuses.includes(status);

/** 409 unless the state machine allows from -> to (only partially_shipped may stay what it is). */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  const allowed = from === to ? to === 'partially_shipped' : transitions[from].includes(to);
  if (!allowed)
    throw new ConflictError(`An order that is ${from} cannot become ${to}.`, 'illegal-transition', {
      currentStatus: from,
      attempted: to,
    });
}

/** Only a pending order (awaiting payment) can be confirmed. */
export function assertConfirmable(status: OrderStatus): void {
  if (status !== 'pending')
    throw new ConflictError(
      `Only a pending order can be confirmed; this one is ${status}.`,
      'illegal-transition',
      {
        currentStatus: status,
        attempted: 'confirmed',
      },
    );
}

/**
 * Which states can ship: confirmed and partially shipped, and backordered for what is already
 * allocated. Anything else is the state machine's 409.
 */
export function assertShippable(status: OrderStatus): void {
  if (status !== 'confirmed' && status !== 'partially_shipped' && status !== 'backordered')
    assertTransition(status, 'shipped');
}

/** Which states allow changing the lines. */
export function assertEditable(status: OrderStatus): void {
  if (status !== 'pending' && status !== 'confirmed')
    throw new ConflictError(
      `Lines can only change while an order is pending or confirmed, not ${status}.`,
      'illegal-transition',
      {
        currentStatus: status,
        attempted: 'edit',
      },
    );
}

/** The status an open order's quantities imply. */
export function statusFromLines(lines: readonly OrderLine[]): OrderStatus {
  const shipped = lines.reduce((n, l) => n + l.shipped, 0);
  const open = lines.reduce((n, l) => n + (l.qty - l.shipped), 0);
  const backordered = lines.some((l) => l.backordered > 0);
  if (shipped > 0) return open === 0 ? 'shipped' : 'partially_shipped';
  return backordered ? 'backordered' : 'confirmed';
}

/** Allocations with `added` merged in: same warehouse and sku add up, new ones start unshipped. */
export function mergeAllocations(
  current: readonly Allocation[],
  added: readonly { sku: string; warehouseId: string; qty: number }[],
): Allocation[] {
  const out = current.map((a) => ({ ...a }));
  for (const p of added) {
    const same = out.find((a) => a.sku === p.sku && a.warehouseId === p.warehouseId);
    if (same) same.qty += p.qty;
    else out.push({ ...p, shipped: 0 });
  }
  return out;
}

/** The warehouses an order touches: the one it named, then those it is allocated in. */
export const warehousesOf = (allocations: readonly Allocation[], requested: string | null) => [
  ...new Set([...(requested ? [requested] : []), ...allocations.map((a) => a.warehouseId)]),
];
