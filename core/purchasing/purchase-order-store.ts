/** Purchase orders as stored: load and lock, the view the API shows, saving a step, its event. */
import { eq, sql } from 'drizzle-orm';
import { canonicalLines } from '../inventory/adjustments.ts';
import type { Database, Queryable, Transaction } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { enqueueEvent, enqueueEvents } from '../platform/outbox.ts';
import { ConflictError, NotFoundError, ValidationError } from '../platform/problem.ts';
import type { PurchaseOrderLineInput, PurchaseOrderView } from './schemas.ts';
import { type PurchaseOrderStatus, purchaseOrderLines, purchaseOrders } from './tables.ts';

export type PurchaseOrderRow = typeof purchaseOrders.$inferSelect;
export type PurchaseOrderLineRow = typeof purchaseOrderLines.$inferSelect;

export function purchaseOrderView(po: PurchaseOrderRow, lines: PurchaseOrderLineRow[]): PurchaseOrderView {
  return {
    id: po.id,
    status: po.status,
    vendorId: po.vendorId,
    warehouseId: po.warehouseId,
    currency: po.currency,
    receiveTolerancePct: po.receiveTolerancePct,
    expectedAt: po.expectedAt?.toISOString() ?? null,
    origin: po.origin,
    note: po.note,
    lines: lines
      .map((l) => ({ sku: l.sku, qty: l.qty, received: l.received, unitCost: l.unitCost }))
      .sort((a, b) => a.sku.localeCompare(b.sku)),
    version: po.version,
    createdAt: po.createdAt.toISOString(),
    updatedAt: po.updatedAt.toISOString(),
    submittedAt: po.submittedAt?.toISOString() ?? null,
    closedAt: po.closedAt?.toISOString() ?? null,
  };
}

export async function readPurchaseOrder(q: Queryable, id: string) {
  const [row] = await q.select().from(purchaseOrders).where(eq(purchaseOrders.id, id));
  if (!row) throw new NotFoundError('No such purchase order.');
  const lines = await q.select().from(purchaseOrderLines).where(eq(purchaseOrderLines.purchaseOrderId, id));
  return { row, lines };
}

/** The PO, locked for this transaction (receipts and edits of one PO run one at a time), or 404. */
export async function lockPurchaseOrder(tx: Transaction, id: string) {
  const [row] = await tx.select().from(purchaseOrders).where(eq(purchaseOrders.id, id)).for('update');
  if (!row) throw new NotFoundError('No such purchase order.');
  const lines = await tx.select().from(purchaseOrderLines).where(eq(purchaseOrderLines.purchaseOrderId, id));
  return { row, lines };
}

/**
 * Buying for one warehouse, one transaction at a time: replenishment runs and edits of draft
 * lines take this lock, so a shortfall seen by two of them at once is ordered once.
 */
export async function lockWarehouseBuying(tx: Transaction, warehouseId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`buying:${warehouseId}`}, 0))`);
}

export function assertStatus(row: PurchaseOrderRow, allowed: PurchaseOrderStatus[], attempted: string) {
  if (!allowed.includes(row.status))
    throw new ConflictError(
      `A purchase order that is ${row.status} cannot be ${attempted}.`,
      'illegal-transition',
      { currentStatus: row.status, attempted },
    );
}

export async function saveStep(tx: Transaction, row: PurchaseOrderRow, patch: Partial<PurchaseOrderRow>) {
  return returnedRow(
    await tx
      .update(purchaseOrders)
      .set({ ...patch, version: row.version + 1, updatedAt: new Date() })
      .where(eq(purchaseOrders.id, row.id))
      .returning(),
  );
}

/** purchase_order.updated, in the caller's transaction, to the PO's warehouse. */
export async function publish(tx: Transaction, view: PurchaseOrderView, requestId: string | null) {
  await enqueueEvent(tx, {
    type: 'purchase_order.updated',
    warehouseId: view.warehouseId,
    data: { ...view },
    requestId,
  });
}

/** purchase_order.updated for each of these, in the caller's transaction, in one statement. */
export async function publishAll(tx: Transaction, views: PurchaseOrderView[], requestId: string | null) {
  await enqueueEvents(
    tx,
    views.map((view) => ({
      type: 'purchase_order.updated',
      warehouseId: view.warehouseId,
      data: { ...view },
      requestId,
    })),
  );
}

/** Lines with the catalog's spelling, one per sku (422 naming the line otherwise). */
export async function checkedLines(
  db: Database,
  lines: readonly PurchaseOrderLineInput[],
): Promise<PurchaseOrderLineInput[]> {
  const canonical = await canonicalLines(db, lines, (i) => `lines.${i}.sku`);
  const seen = new Set<string>();
  const errors = canonical.flatMap((l, i) => {
    if (seen.has(l.sku)) return [{ path: `lines.${i}.sku`, message: 'Each sku once per purchase order.' }];
    seen.add(l.sku);
    return [];
  });
  if (errors.length > 0) {
    throw new ValidationError(errors);
  }
  return canonical;
}

/** When goods ordered now arrive: the longest lead time of the lines (a sku's override, else the vendor's). */
export function expectedArrival(
  from: Date,
  vendorLeadTimeDays: number,
  lineLeadTimes: (number | null | undefined)[],
): Date {
  const days = Math.max(0, ...lineLeadTimes.map((d) => d ?? vendorLeadTimeDays));
  return new Date(from.getTime() + days * 86_400_000);
}
