/**
 * Purchase orders: draft -> submitted -> partially_received -> received; cancelled from draft or
 * submitted; a partially received one closed short. Each step is one transaction with its
 * purchase_order.updated event. Receiving is in receiving.ts.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { warehouseExists } from '../inventory/reorder-reads.ts';
import type { Database, Transaction } from '../platform/database.ts';
import type { IdempotencyClaim } from '../platform/idempotency.ts';
import { returnedRow } from '../platform/invariant.ts';
import { newestFirst } from '../platform/newest-first.ts';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../platform/problem.ts';
import {
  assertStatus,
  checkedLines,
  expectedArrival,
  lockPurchaseOrder,
  lockWarehouseBuying,
  publish,
  purchaseOrderView,
  readPurchaseOrder,
  saveStep,
} from './purchase-order-store.ts';
import type {
  CreatePurchaseOrder,
  PurchaseOrderLineInput,
  PurchaseOrderView,
  UpdatePurchaseOrder,
} from './schemas.ts';
import { type PurchaseOrderStatus, purchaseOrderLines, purchaseOrders } from './tables.ts';
import { termsOf } from './vendors.ts';

export interface Buyer {
  actorId: string;
  requestId: string;
  claim?: IdempotencyClaim | undefined;
}

/** Unit costs from the vendor's terms where the line gives none. */
async function linesWithCosts(tx: Transaction, vendorId: string, lines: PurchaseOrderLineInput[]) {
  const { vendor, items } = await termsOf(tx, vendorId);
  return {
    vendor,
    items,
    rows: lines.map((l) => ({
      sku: l.sku,
      qty: l.qty,
      unitCost: l.unitCost === undefined ? (items.get(l.sku)?.unitCost ?? null) : l.unitCost,
    })),
  };
}

export async function createPurchaseOrder(
  db: Database,
  input: CreatePurchaseOrder,
  buyer: Buyer,
): Promise<PurchaseOrderView> {
  if (!(await warehouseExists(db.$client, input.warehouseId)))
    throw new ValidationError([{ path: 'warehouseId', message: 'No such warehouse.' }]);
  const lines = await checkedLines(db, input.lines);
  return db.transaction(async (tx) => {
    const terms = await linesWithCosts(tx, input.vendorId, lines).catch((err) => {
      if (err instanceof NotFoundError)
        throw new ValidationError([{ path: 'vendorId', message: 'No such vendor.' }]);
      throw err;
    });
    if (!terms.vendor.active)
      throw new ValidationError([{ path: 'vendorId', message: 'This vendor is not active.' }]);
    await lockWarehouseBuying(tx, input.warehouseId);
    const po = returnedRow(
      await tx
        .insert(purchaseOrders)
        .values({
          vendorId: input.vendorId,
          warehouseId: input.warehouseId,
          status: 'draft',
          currency: terms.vendor.currency,
          receiveTolerancePct: input.receiveTolerancePct,
          expectedAt: expectedArrival(
            new Date(),
            terms.vendor.leadTimeDays,
            lines.map((l) => terms.items.get(l.sku)?.leadTimeDays),
          ),
          note: input.note ?? null,
          actorId: buyer.actorId,
        })
        .returning(),
    );
    const rows = await tx
      .insert(purchaseOrderLines)
      .values(terms.rows.map((l) => ({ ...l, purchaseOrderId: po.id })))
      .returning();
    const view = purchaseOrderView(po, rows);
    await publish(tx, view, buyer.requestId);
    await buyer.claim?.complete(tx, 201, view);
    return view;
  });
}

export async function getPurchaseOrder(db: Database, id: string): Promise<PurchaseOrderView> {
  const { row, lines } = await readPurchaseOrder(db, id);
  return purchaseOrderView(row, lines);
}

/**
 * Changes a draft if it is still at one of `expectedVersions` (If-Match): 412 if it moved on.
 * `lines` replaces them all.
 */
export async function updatePurchaseOrder(
  db: Database,
  id: string,
  expectedVersions: number[] | 'any',
  patch: UpdatePurchaseOrder,
  buyer: Buyer,
): Promise<PurchaseOrderView> {
  const lines = patch.lines ? await checkedLines(db, patch.lines) : null;
  return db.transaction(async (tx) => {
    const current = await lockPurchaseOrder(tx, id);
    if (expectedVersions !== 'any' && !expectedVersions.includes(current.row.version))
      throw new PreconditionFailedError();
    assertStatus(current.row, ['draft'], 'changed');
    await lockWarehouseBuying(tx, current.row.warehouseId);
    let lineRows = current.lines;
    let expectedAt = current.row.expectedAt;
    if (lines) {
      const terms = await linesWithCosts(tx, current.row.vendorId, lines);
      await tx.delete(purchaseOrderLines).where(eq(purchaseOrderLines.purchaseOrderId, id));
      lineRows = await tx
        .insert(purchaseOrderLines)
        .values(terms.rows.map((l) => ({ ...l, purchaseOrderId: id })))
        .returning();
      expectedAt = expectedArrival(
        new Date(),
        terms.vendor.leadTimeDays,
        lines.map((l) => terms.items.get(l.sku)?.leadTimeDays),
      );
    }
    const row = await saveStep(tx, current.row, {
      expectedAt,
      ...(patch.receiveTolerancePct === undefined ? {} : { receiveTolerancePct: patch.receiveTolerancePct }),
      ...(patch.note === undefined ? {} : { note: patch.note }),
    });
    const view = purchaseOrderView(row, lineRows);
    await publish(tx, view, buyer.requestId);
    return view;
  });
}

/** Sends a draft to the vendor: it counts as on order from now, expected after its lead time. */
export async function submitPurchaseOrder(db: Database, id: string, buyer: Buyer) {
  return db.transaction(async (tx) => {
    const { row, lines } = await lockPurchaseOrder(tx, id);
    assertStatus(row, ['draft'], 'submitted');
    const { vendor, items } = await termsOf(tx, row.vendorId);
    const now = new Date();
    const updated = await saveStep(tx, row, {
      status: 'submitted',
      submittedAt: now,
      expectedAt: expectedArrival(
        now,
        vendor.leadTimeDays,
        lines.map((l) => items.get(l.sku)?.leadTimeDays),
      ),
    });
    const view = purchaseOrderView(updated, lines);
    await publish(tx, view, buyer.requestId);
    return view;
  });
}

/** Cancelled (nothing received yet) or closed short (what is left will not come). */
export async function endPurchaseOrder(db: Database, id: string, how: 'cancel' | 'close', buyer: Buyer) {
  return db.transaction(async (tx) => {
    const { row, lines } = await lockPurchaseOrder(tx, id);
    if (how === 'cancel') assertStatus(row, ['draft', 'submitted'], 'cancelled');
    else assertStatus(row, ['partially_received'], 'closed');
    const updated = await saveStep(tx, row, {
      status: how === 'cancel' ? 'cancelled' : 'closed',
      closedAt: new Date(),
    });
    const view = purchaseOrderView(updated, lines);
    await publish(tx, view, buyer.requestId);
    return view;
  });
}

/** Newest first, in a scope of warehouses. */
export async function listPurchaseOrders(
  db: Database,
  query: {
    status?: PurchaseOrderStatus | undefined;
    vendorId?: string | undefined;
    warehouseId?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
  scope: 'all' | string[],
) {
  const order = newestFirst(purchaseOrders.createdAt, purchaseOrders.id, query.cursor);
  const rows = await db
    .select()
    .from(purchaseOrders)
    .where(
      and(
        query.status ? eq(purchaseOrders.status, query.status) : undefined,
        query.vendorId ? eq(purchaseOrders.vendorId, query.vendorId) : undefined,
        query.warehouseId ? eq(purchaseOrders.warehouseId, query.warehouseId) : undefined,
        scope === 'all'
          ? undefined
          : scope.length > 0
            ? inArray(purchaseOrders.warehouseId, scope)
            : sql`false`,
        order.where,
      ),
    )
    .orderBy(...order.orderBy)
    .limit(query.limit + 1);
  const { items: page, nextCursor } = order.page(rows, query.limit);
  const lines =
    page.length === 0
      ? []
      : await db
          .select()
          .from(purchaseOrderLines)
          .where(
            inArray(
              purchaseOrderLines.purchaseOrderId,
              page.map((r) => r.id),
            ),
          );
  return {
    items: page.map((r) =>
      purchaseOrderView(
        r,
        lines.filter((l) => l.purchaseOrderId === r.id),
      ),
    ),
    nextCursor,
  };
}
