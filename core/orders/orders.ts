/**
 * Orders: creation with the allocator, line changes, cancel, ship, deliver, and settling.
 *
 * Orders and inventory keep separate transactions (a schema each), so every step that spans
 * both is ordered to fail safe:
 * - creating: reserve with a short expiry, then commit the order. The `expire-holds` sweep
 *   keeps a hold whose order committed and releases one whose order never did (a crash between
 *   the two steps), so nothing is held for longer than the expiry without an order;
 * - changing lines, cancelling: commit the order with a `settle-order` job (the outbox), then
 *   settle at once. Settling makes inventory's holds match the order and is idempotent, so the
 *   job finishes whatever a crash interrupted;
 * - shipping: record the shipment on the order first, consume it in inventory (idempotent by
 *   its operation id), then apply it to the order.
 */
import { and, eq, sql } from 'drizzle-orm';
import { readProductRefs } from '../catalog/product-reads.ts';
import { assertMay, type Principal, warehouseScope } from '../identity/policy.ts';
import type { InventoryClient } from '../inventory/client.ts';
import type { HoldLine } from '../inventory/holds.ts';
import { outOfStock } from '../inventory/out-of-stock.ts';
import { Batcher, perKey } from '../platform/batcher.ts';
import type { HoldSettings } from '../platform/config.ts';
import type { Database, Transaction } from '../platform/database.ts';
import { isUniqueViolation, pgErrorCode } from '../platform/database.ts';
import type { EventType } from '../platform/events.ts';
import type { IdempotencyClaim } from '../platform/idempotency.ts';
import type { Logger } from '../platform/logger.ts';
import { newestFirst } from '../platform/newest-first.ts';
import { addEventJobs, enqueueEvents, enqueueJob, type NewEvent } from '../platform/outbox.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../platform/problem.ts';
import { type Demand, type Planned, planAllocation, sumBySku } from './allocator.ts';
import {
  assertHorizon,
  assertWithinPendingCap,
  pendingGrowth,
  pendingMaxUnits,
  precheckPendingCap,
  withinPendingCap,
} from './hold-limits.ts';
import { assertMayPrice, assertMayTouchOrder, ownerOf, readableOrders } from './order-access.ts';
import {
  type Allocation,
  assertConfirmable,
  assertEditable,
  assertTransition,
  type CancelReason,
  type Money,
  type OrderLine,
  type OrderStatus,
  statusFromLines,
} from './order-model.ts';
import type { CreateOrder, OrderView, PatchOrder, ShipOrder } from './schemas.ts';
import { orderRecords } from './tables.ts';

export interface OrderDeps {
  db: Database;
  inventory: InventoryClient;
  log: Logger;
}

/** What a caller's request needs besides: the limits on what it may hold. */
export type OrderRequestDeps = OrderDeps & { holds: HoldSettings };

export interface OrderActor {
  principal: Principal;
  requestId: string;
  claim?: IdempotencyClaim | undefined;
}

type OrderRecord = typeof orderRecords.$inferSelect;

/** How long a hold taken while creating an order lives if the order never commits. */
const CREATION_HOLD_MS = 120_000;
const ALLOCATION_ATTEMPTS = 8;
const LIVE: readonly OrderStatus[] = ['pending', 'backordered', 'confirmed', 'partially_shipped'];

const actorId = (a: OrderActor) => `${a.principal.kind}:${a.principal.id}`;

export function orderView(r: OrderRecord): OrderView {
  return {
    id: r.id,
    status: r.status,
    warehouseId: r.warehouseId,
    lines: r.lines,
    allocations: r.allocations,
    allowPartial: r.allowPartial,
    allowBackorder: r.allowBackorder,
    externalRef: r.externalRef,
    channel: r.channel,
    customer: r.customer ?? null,
    reservationExpiresAt: r.reservationExpiresAt?.toISOString() ?? null,
    cancelReason: r.cancelReason,
    ownerKind: r.ownerKind,
    ownerId: r.ownerId,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

interface ResolvedLine {
  sku: string;
  qty: number;
  unitPrice: Money | null;
}

/**
 * The catalog's spelling and price of each line's sku, or a 422 naming the unknown ones; 403
 * naming the lines whose price the caller may not set (the catalog's, or the one the order
 * already has for that sku, are always fine).
 */
async function resolveLines(
  db: Database,
  lines: readonly { sku: string; qty: number; unitPrice?: Money | undefined }[],
  principal: Principal,
  current: readonly OrderLine[] = [],
): Promise<ResolvedLine[]> {
  const refs = await readProductRefs(
    db.$client,
    lines.map((l) => l.sku),
  );
  const errors = lines.flatMap((l, i) => {
    const ref = refs.get(l.sku);
    if (!ref) return [{ path: `lines.${i}.sku`, message: `No product has the sku ${l.sku}.` }];
    if (ref.archived)
      return [{ path: `lines.${i}.sku`, message: `${ref.sku} is archived and cannot be ordered.` }];
    return [];
  });
  if (errors.length > 0) throw new ValidationError(errors);
  assertMayPrice(
    principal,
    lines.map((l) => {
      const ref = refs.get(l.sku)!;
      const kept = current.filter((c) => c.sku === ref.sku).map((c) => c.unitPrice);
      return { unitPrice: l.unitPrice, acceptable: [ref.price, ...kept] };
    }),
  );
  return lines.map((l) => {
    const ref = refs.get(l.sku)!;
    return { sku: ref.sku, qty: l.qty, unitPrice: l.unitPrice ?? ref.price };
  });
}

interface Where {
  warehouseId: string | null;
  scope: 'all' | string[];
}

/**
 * Plans and reserves: the allocator over current availability, then one all-or-nothing hold.
 * Availability read without locks can be stale by the time the hold runs; the hold itself is
 * conditional, so a stale plan fails safely and is planned again.
 */
async function reserveFor(
  deps: OrderDeps,
  holderId: string,
  demand: Demand[],
  where: Where,
  allowShort: boolean,
  requestId: string,
): Promise<{ allocations: Planned[]; short: Demand[] }> {
  const scope = where.warehouseId ? [where.warehouseId] : where.scope;
  let lastShort: { sku: string; requested: number; available: number }[] = [];
  for (let attempt = 0; attempt < ALLOCATION_ATTEMPTS; attempt++) {
    // With one warehouse named, the first try assumes it has everything: one round trip when it does.
    const stock =
      where.warehouseId && attempt === 0
        ? demand.map((d) => ({ warehouseId: where.warehouseId!, sku: d.sku, available: d.qty }))
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

/** Spreads what was allocated per sku over the order's lines, first line first. */
function fillLines(
  lines: ResolvedLine[],
  planned: Planned[],
  allowPartial: boolean,
  allowBackorder: boolean,
): OrderLine[] {
  const left = new Map<string, number>();
  for (const p of planned) left.set(p.sku, (left.get(p.sku) ?? 0) + p.qty);
  const filled = lines.map((l) => {
    const allocated = Math.min(l.qty, left.get(l.sku) ?? 0);
    left.set(l.sku, (left.get(l.sku) ?? 0) - allocated);
    const keep = allowBackorder || !allowPartial ? l.qty : allocated;
    return {
      sku: l.sku,
      qty: keep,
      requestedQty: l.qty,
      unitPrice: l.unitPrice,
      allocated,
      backordered: keep - allocated,
      shipped: 0,
    };
  });
  return filled.filter((l) => l.qty > 0);
}

const asScope = (scope: 'all' | string[]) => (scope === 'all' ? null : scope);

const warehousesOf = (allocations: Allocation[], requested: string | null) => [
  ...new Set([...(requested ? [requested] : []), ...allocations.map((a) => a.warehouseId)]),
];

/** One event per warehouse the order touches, so each warehouse's room hears of it. */
function orderEvents(type: EventType, order: OrderView, requestId: string): NewEvent[] {
  const warehouses = warehousesOf(order.allocations, order.warehouseId);
  return (warehouses.length > 0 ? warehouses : [null]).map((warehouseId) => ({
    type,
    warehouseId,
    data: { ...order },
    requestId,
  }));
}

const publish = (tx: Transaction, type: EventType, order: OrderView, requestId: string) =>
  enqueueEvents(tx, orderEvents(type, order, requestId));

export async function createOrder(
  deps: OrderRequestDeps,
  input: CreateOrder,
  actor: OrderActor,
): Promise<OrderView> {
  if (input.warehouseId) assertMay(actor.principal, 'orders:create', input.warehouseId);
  const expiresAt = input.reservationExpiresAt ? new Date(input.reservationExpiresAt) : null;
  if (expiresAt) assertHorizon(actor.principal, deps.holds, expiresAt);
  const lines = await resolveLines(deps.db, input.lines, actor.principal);
  const owner = ownerOf(actor.principal);
  const cap = pendingMaxUnits(actor.principal, deps.holds);
  const asked = lines.reduce((n, l) => n + l.qty, 0);
  if (expiresAt) await precheckPendingCap(deps.db, { owner, adding: asked, cap });
  const id = crypto.randomUUID();
  const plan = await reserveFor(
    deps,
    id,
    sumBySku(lines),
    { warehouseId: input.warehouseId ?? null, scope: warehouseScope(actor.principal) },
    input.allowPartial || input.allowBackorder,
    actor.requestId,
  );
  const orderLines = fillLines(lines, plan.allocations, input.allowPartial, input.allowBackorder);
  if (orderLines.length === 0)
    throw outOfStock(plan.short.map((s) => ({ sku: s.sku, requested: s.qty, available: 0 })));
  const allocations = plan.allocations.map((a) => ({ ...a, shipped: 0 }));
  const status = expiresAt ? 'pending' : statusFromLines(orderLines);
  const now = new Date();
  const record: OrderRecord = {
    id,
    status,
    warehouseId: input.warehouseId ?? null,
    warehouseIds: warehousesOf(allocations, input.warehouseId ?? null),
    allocationScope: input.warehouseId ? null : asScope(warehouseScope(actor.principal)),
    allowPartial: input.allowPartial,
    allowBackorder: input.allowBackorder,
    externalRef: input.externalRef ?? null,
    channel: input.channel ?? null,
    customer: input.customer ?? null,
    lines: orderLines,
    allocations,
    reservationExpiresAt: expiresAt,
    cancelReason: null,
    pendingShipment: null,
    createdBy: actorId(actor),
    ...owner,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const view = orderView(record);
  const created: NewOrder = { record, view, requestId: actor.requestId, claim: actor.claim };
  const held = allocations.reduce((n, a) => n + a.qty, 0);
  try {
    // A pending order is written on its own, under its owner's lock: the cap counts it there.
    if (expiresAt)
      await withinPendingCap(deps.db, { owner, adding: held, cap }, async (tx) => {
        await insertOrders(tx, [created]);
        await created.claim?.complete(tx, 201, created.view);
      });
    else await orderWriter(deps.db).submit(created);
  } catch (err) {
    // Without a Postgres error (nor one of ours) the outcome is unknown (the connection dropped
    // around COMMIT): if the order is there, it stands, with its holds.
    // Its holds are left to the expire-holds sweep, which keeps them only if the order is there.
    if (pgErrorCode(err) === undefined && !(err instanceof AppError)) {
      if (await orderExists(deps.db, id)) return view;
      throw err;
    }
    await releaseAll(deps, id, actor.requestId);
    if (isUniqueViolation(err))
      throw new ConflictError(
        `An order with externalRef ${input.externalRef} exists already.`,
        'duplicate-external-ref',
        {
          field: 'externalRef',
        },
      );
    throw err;
  }
  // The hold keeps its expiry: the sweep keeps holds whose order committed (one set-wise pass a
  // minute) and releases the rest, so no third step sits on the order's critical path.
  return view;
}

interface NewOrder {
  record: OrderRecord;
  view: OrderView;
  requestId: string;
  claim: IdempotencyClaim | undefined;
}

/** The orders and their order.created events, in one statement. */
function insertOrders(q: Database | Transaction, batch: readonly NewOrder[]) {
  const insert = q.insert(orderRecords).values(batch.map((o) => o.record));
  const events = addEventJobs(batch.flatMap((o) => orderEvents('order.created', o.view, o.requestId)));
  return q.execute(sql`with inserted as (${insert.getSQL()}) select ${events}`);
}

/**
 * New orders are written in batches: concurrent creations share one transaction (one INSERT,
 * one add_jobs for their events, one commit). Each order's idempotency response is stored in
 * that same transaction. A batch that fails (a duplicate externalRef) is retried order by order.
 */
const orderWriter = perKey(
  (db: Database) =>
    new Batcher<NewOrder, void>(
      async (batch) => {
        if (batch.every((o) => !o.claim)) {
          // The common case in one statement: the orders and their events commit together.
          await insertOrders(db, batch);
        } else {
          await db.transaction(async (tx) => {
            await insertOrders(tx, batch);
            for (const o of batch) await o.claim?.complete(tx, 201, o.view);
          });
        }
        return batch.map(() => undefined);
      },
      { maxBatch: 128, maxInFlight: 4, splitOnError: (err) => pgErrorCode(err) !== undefined },
    ),
);

async function orderExists(db: Database, id: string): Promise<boolean> {
  const rows = await db.select({ id: orderRecords.id }).from(orderRecords).where(eq(orderRecords.id, id));
  return rows.length > 0;
}

const keepHolds = (deps: OrderDeps, id: string, requestId: string | null) =>
  deps.inventory.hold({
    kind: 'keep',
    holderType: 'order',
    holderId: id,
    lines: null,
    expiresAt: null,
    requestId,
  });

const releaseAll = (deps: OrderDeps, id: string, requestId: string | null) =>
  deps.inventory.hold({
    kind: 'release',
    holderType: 'order',
    holderId: id,
    lines: null,
    expiresAt: null,
    requestId,
  });

async function loadOrder(db: Database, id: string): Promise<OrderRecord> {
  const [row] = await db.select().from(orderRecords).where(eq(orderRecords.id, id));
  if (!row) throw new NotFoundError('No such order.');
  return row;
}

export async function readOrder(db: Database, id: string, principal: Principal): Promise<OrderView> {
  const order = await loadOrder(db, id);
  assertMayTouchOrder(principal, 'orders:read', order);
  return orderView(order);
}

/** Saves a new state of the order if nobody changed it since `version`; 409 otherwise. */
async function saveOrder(
  q: Database | Transaction,
  order: OrderRecord,
  patch: Partial<typeof orderRecords.$inferInsert>,
): Promise<OrderRecord> {
  const [row] = await q
    .update(orderRecords)
    .set({ ...patch, version: order.version + 1, updatedAt: new Date() })
    .where(and(eq(orderRecords.id, order.id), eq(orderRecords.version, order.version)))
    .returning();
  if (!row)
    throw new ConflictError(
      'The order changed while this request ran; read it again and retry.',
      'order-changed',
    );
  return row;
}

export async function patchOrder(
  deps: OrderRequestDeps,
  id: string,
  input: PatchOrder,
  actor: OrderActor,
): Promise<OrderView> {
  const loaded = await loadOrder(deps.db, id);
  // Asked before the shipment a crash left is applied: a caller refused changes nothing.
  assertMayTouchOrder(actor.principal, 'orders:update', loaded);
  const order = await withShipmentApplied(deps, loaded);
  assertEditable(order.status);
  const lines = await resolveLines(deps.db, input.lines, actor.principal, order.lines);
  const limit = pendingGrowth(order, lines, actor.principal, deps.holds);
  if (limit) await precheckPendingCap(deps.db, limit, id);
  const wanted = new Map(sumBySku(lines).map((d) => [d.sku, d.qty]));
  const held = new Map<string, number>();
  for (const a of order.allocations) held.set(a.sku, (held.get(a.sku) ?? 0) + a.qty);
  const more = [...wanted].flatMap(([sku, qty]) =>
    qty > (held.get(sku) ?? 0) ? [{ sku, qty: qty - (held.get(sku) ?? 0) }] : [],
  );
  // Grow only where the caller may act (and in the named warehouse, if the order has one).
  const where: Where = { warehouseId: order.warehouseId, scope: warehouseScope(actor.principal) };
  const added =
    more.length > 0 ? (await reserveFor(deps, id, more, where, false, actor.requestId)).allocations : [];
  const allocations = reshape(order.allocations, wanted, added);
  const orderLines = lines.map((l) => ({
    sku: l.sku,
    qty: l.qty,
    requestedQty: l.qty,
    unitPrice: l.unitPrice,
    allocated: l.qty,
    backordered: 0,
    shipped: 0,
  }));
  let saved: OrderRecord;
  try {
    saved = await deps.db.transaction(async (tx) => {
      if (limit) await assertWithinPendingCap(tx, limit, id);
      const row = await saveOrder(tx, order, {
        lines: orderLines,
        allocations,
        warehouseIds: warehousesOf(allocations, order.warehouseId),
        status: order.status === 'pending' ? 'pending' : 'confirmed',
      });
      await publish(tx, 'order.updated', orderView(row), actor.requestId);
      await enqueueJob(tx, 'settle-order', { orderId: id }, { jobKey: `settle-order:${id}` });
      return row;
    });
  } catch (err) {
    if (added.length > 0)
      await deps.inventory.hold({
        kind: 'release',
        holderType: 'order',
        holderId: id,
        lines: added,
        expiresAt: null,
        requestId: actor.requestId,
      });
    throw err;
  }
  await settleOrder(deps, id);
  return orderView(saved);
}

/** The order's allocations after a line change: shrunk from the last warehouse first, grown by `added`. */
function reshape(current: Allocation[], wanted: Map<string, number>, added: Planned[]): Allocation[] {
  const out: Allocation[] = [];
  const bySku = new Map<string, Allocation[]>();
  for (const a of current) bySku.set(a.sku, [...(bySku.get(a.sku) ?? []), { ...a }]);
  for (const [sku, allocs] of bySku) {
    let excess = allocs.reduce((n, a) => n + a.qty, 0) - (wanted.get(sku) ?? 0);
    for (const a of allocs.reverse()) {
      const cut = Math.min(Math.max(excess, 0), a.qty);
      a.qty -= cut;
      excess -= cut;
    }
    out.push(...allocs.reverse().filter((a) => a.qty > 0));
  }
  return mergeAllocations(out, added);
}

export async function cancelOrder(deps: OrderDeps, id: string, actor: OrderActor): Promise<OrderView> {
  const loaded = await loadOrder(deps.db, id);
  assertMayTouchOrder(actor.principal, 'orders:update', loaded);
  const order = await withShipmentApplied(deps, loaded);
  return cancel(deps, order, 'requested', actor.requestId);
}

/** Cancels at the order's version (409 if it changed meanwhile), then releases its holds. */
async function cancel(
  deps: OrderDeps,
  order: OrderRecord,
  reason: CancelReason,
  requestId: string,
): Promise<OrderView> {
  const id = order.id;
  assertTransition(order.status, 'cancelled');
  const saved = await deps.db.transaction(async (tx) => {
    const row = await saveOrder(tx, order, {
      status: 'cancelled',
      cancelReason: reason,
      reservationExpiresAt: null,
    });
    await publish(tx, 'order.cancelled', orderView(row), requestId);
    await enqueueJob(tx, 'settle-order', { orderId: id }, { jobKey: `settle-order:${id}` });
    // What it held is free again: backorders waiting for it may have it.
    await enqueueJob(
      tx,
      'allocate-backorders',
      {},
      { jobKey: 'allocate-backorders', queueName: 'backorders' },
    );
    return row;
  });
  await settleOrder(deps, id);
  return orderView(saved);
}

/** A pending order is paid for: its stock stays held with no expiry. 409 once the hold has lapsed. */
export async function confirmOrder(deps: OrderDeps, id: string, actor: OrderActor): Promise<OrderView> {
  const order = await loadOrder(deps.db, id);
  assertMayTouchOrder(actor.principal, 'orders:update', order);
  assertConfirmable(order.status);
  // Lines still short stay backordered and wait for stock like any other.
  const status = statusFromLines(order.lines);
  return deps.db.transaction(async (tx) => {
    // Expired by the database's clock, under the row's lock: the sweep cannot cancel it meanwhile.
    const { rows } = await tx.execute<{ lapsed: boolean }>(sql`
      select reservation_expires_at <= now() as lapsed from orders.orders where id = ${id} for update`);
    if (rows[0]?.lapsed)
      throw new ConflictError(
        'The reservation of this order has expired; place the order again.',
        'reservation-expired',
        { reservationExpiresAt: order.reservationExpiresAt?.toISOString() ?? null },
      );
    const row = await saveOrder(tx, order, { status, reservationExpiresAt: null });
    const view = orderView(row);
    await publish(tx, status === 'confirmed' ? 'order.confirmed' : 'order.updated', view, actor.requestId);
    return view;
  });
}

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

export async function shipOrder(
  deps: OrderDeps,
  id: string,
  input: ShipOrder,
  actor: OrderActor,
): Promise<OrderView> {
  const loaded = await loadOrder(deps.db, id);
  assertMayTouchOrder(actor.principal, 'orders:fulfil', loaded);
  const order = await withShipmentApplied(deps, loaded);
  if (order.status !== 'confirmed' && order.status !== 'partially_shipped' && order.status !== 'backordered')
    assertTransition(order.status, 'shipped');
  const shipment = shipmentLines(order, input);
  const operationId = crypto.randomUUID();
  // Recorded with a settle-order job: a crash after inventory ships it still reaches the order.
  const recorded = await deps.db.transaction(async (tx) => {
    const row = await saveOrder(tx, order, { pendingShipment: { operationId, lines: shipment } });
    await enqueueJob(tx, 'settle-order', { orderId: id }, { jobKey: `settle-order:${id}` });
    return row;
  });
  const shipped = await completeShipment(deps, recorded, actor.requestId, actorId(actor));
  if (shipped.status === 'shipped') await settleOrder(deps, id);
  return orderView(shipped);
}

/** The order with a recorded shipment applied first (a live order's; a crash may have left one). */
async function withShipmentApplied(deps: OrderDeps, order: OrderRecord): Promise<OrderRecord> {
  return order.pendingShipment && LIVE.includes(order.status) ? completeShipment(deps, order) : order;
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

/** Consumes the recorded shipment in inventory (once, by its id) and applies it to the order. */
async function completeShipment(
  deps: OrderDeps,
  order: OrderRecord,
  requestId: string | null = null,
  actor: string | null = null,
): Promise<OrderRecord> {
  const pending = order.pendingShipment!;
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
    const now = await loadOrder(deps.db, order.id);
    if (now.pendingShipment?.operationId !== pending.operationId && now.version > order.version) return now;
    throw err;
  }
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

/**
 * Makes inventory's holds for an order match the order: finishes a recorded shipment, releases
 * what the order no longer needs (all of it once cancelled), keeps what it does. Idempotent.
 * Each release names the quantity it saw held, so a concurrent change that reserved more
 * meanwhile makes inventory refuse; settling then looks again (that change has committed or
 * given its units back by then). Returns false if it never saw a quiet moment; the settle-order
 * job retries then.
 */
export async function settleOrder(deps: OrderDeps, id: string): Promise<boolean> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (await settleOnce(deps, id)) return true;
    await Bun.sleep(attempt * 20);
  }
  deps.log.info('holds kept changing while settling; the settle-order job retries', { orderId: id });
  return false;
}

async function settleOnce(deps: OrderDeps, id: string): Promise<boolean> {
  let order = await loadOrder(deps.db, id);
  if (order.pendingShipment && LIVE.includes(order.status)) order = await completeShipment(deps, order);
  const wanted = new Map<string, number>();
  if (LIVE.includes(order.status))
    for (const a of order.allocations) wanted.set(`${a.warehouseId}|${a.sku}`, a.qty - a.shipped);
  const holds = await deps.inventory.holdsOf('order', id);
  const extra = holds.flatMap((h) => {
    const surplus = h.qty - (wanted.get(`${h.warehouseId}|${h.sku}`) ?? 0);
    return surplus > 0 ? [{ warehouseId: h.warehouseId, sku: h.sku, qty: surplus, held: h.qty }] : [];
  });
  if (extra.length > 0) {
    const released = await deps.inventory.hold({
      kind: 'release',
      holderType: 'order',
      holderId: id,
      lines: extra,
      expiresAt: null,
      requestId: null,
    });
    if (!released.ok) return false;
  }
  if (holds.some((h) => h.expiresAt !== null) && wanted.size > 0) await keepHolds(deps, id, null);
  const missing = [...wanted].filter(
    ([k, qty]) => qty > 0 && !holds.some((h) => `${h.warehouseId}|${h.sku}` === k),
  );
  if (missing.length > 0) deps.log.warn('order holds less than it allocated', { orderId: id, missing });
  return true;
}

/** Which of these orders still want their stock (live), for the hold sweep. */
export async function liveOrderIds(db: Database, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.execute<{ id: string }>(sql`
    select id from orders.orders where id = any(${sql.param(ids)}::uuid[])
      and status in ('pending', 'backordered', 'confirmed', 'partially_shipped')`);
  return new Set(rows.map((r) => r.id));
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
    if (page.length < pageSize) return changed;
    after = { at: page.at(-1)!.createdAt, id: page.at(-1)!.id };
  }
}

/** Gives one order what it can have of its backordered lines; false when nothing arrived for it. */
async function allocateBackorder(deps: OrderDeps, order: OrderRecord): Promise<boolean> {
  const demand = sumBySku(
    order.lines.filter((l) => l.backordered > 0).map((l) => ({ sku: l.sku, qty: l.backordered })),
  );
  const plan = await reserveFor(
    deps,
    order.id,
    demand,
    { warehouseId: order.warehouseId, scope: order.allocationScope ?? 'all' },
    true,
    '',
  );
  if (plan.allocations.length === 0) return false;
  const lines = order.lines.map((l) => ({ ...l }));
  for (const p of plan.allocations) {
    let left = p.qty;
    for (const l of lines.filter((x) => x.sku === p.sku && x.backordered > 0)) {
      const take = Math.min(left, l.backordered);
      l.backordered -= take;
      l.allocated += take;
      left -= take;
    }
  }
  const merged = mergeAllocations(order.allocations, plan.allocations);
  const status = statusFromLines(lines);
  try {
    await deps.db.transaction(async (tx) => {
      const row = await saveOrder(tx, order, {
        lines,
        allocations: merged,
        warehouseIds: warehousesOf(merged, order.warehouseId),
        status,
      });
      await publish(tx, status === 'confirmed' ? 'order.confirmed' : 'order.updated', orderView(row), '');
    });
  } catch (err) {
    await deps.inventory.hold({
      kind: 'release',
      holderType: 'order',
      holderId: order.id,
      lines: plan.allocations,
      expiresAt: null,
      requestId: null,
    });
    // The order changed meanwhile (cancelled, edited): the next run looks at it afresh.
    if (err instanceof ConflictError) return false;
    throw err;
  }
  await keepHolds(deps, order.id, null);
  return true;
}

function mergeAllocations(current: Allocation[], added: Planned[]): Allocation[] {
  const out = current.map((a) => ({ ...a }));
  for (const p of added) {
    const same = out.find((a) => a.sku === p.sku && a.warehouseId === p.warehouseId);
    if (same) same.qty += p.qty;
    else out.push({ ...p, shipped: 0 });
  }
  return out;
}

/** Newest first; an order shows when the caller may read it (readableOrders: orderReadScope). */
export async function listOrders(
  db: Database,
  query: {
    status?: OrderStatus | undefined;
    warehouseId?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
  principal: Principal,
) {
  const order = newestFirst(orderRecords.createdAt, orderRecords.id, query.cursor);
  const rows = await db
    .select()
    .from(orderRecords)
    .where(
      and(
        query.status ? eq(orderRecords.status, query.status) : undefined,
        query.warehouseId ? sql`${query.warehouseId}::uuid = any(${orderRecords.warehouseIds})` : undefined,
        readableOrders(principal),
        order.where,
      ),
    )
    .orderBy(...order.orderBy)
    .limit(query.limit + 1);
  const { items, nextCursor } = order.page(rows, query.limit);
  return { items: items.map(orderView), nextCursor };
}
