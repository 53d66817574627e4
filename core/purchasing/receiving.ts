/**
 * Receiving a purchase order. One transaction, under the PO's row lock, checks each line against
 * what is still open (plus the PO's tolerance), adds it to the lines' received quantities and
 * records the receipt; so two receipts racing for the last units cannot both count them. The
 * receipt then goes to inventory (receipt movements, once per receipt id) and is marked applied.
 * A receipt a crash left unapplied is applied by the next receipt of the PO, or by the
 * replenishment run (finishPendingReceipts): inventory's operation id makes that safe to repeat.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { InventoryClient } from '../inventory/client.ts';
import type { Database } from '../platform/database.ts';
import { expected } from '../platform/invariant.ts';
import { ConflictError, type FieldError, ValidationError } from '../platform/problem.ts';
import {
  assertStatus,
  lockPurchaseOrder,
  type PurchaseOrderLineRow,
  publish,
  purchaseOrderView,
  saveStep,
} from './purchase-order-store.ts';
import type { Buyer } from './purchase-orders.ts';
import type { PurchaseOrderView, ReceivePurchaseOrder } from './schemas.ts';
import { purchaseOrderLines, purchaseOrders, receipts } from './tables.ts';

/** The most a line may receive in all: its quantity plus the tolerance (rounded down). */
export const receivableLimit = (qty: number, tolerancePct: number) =>
  qty + Math.floor((qty * tolerancePct) / 100);

export async function receivePurchaseOrder(
  db: Database,
  inventory: InventoryClient,
  id: string,
  input: ReceivePurchaseOrder,
  buyer: Buyer,
): Promise<PurchaseOrderView> {
  await finishPendingReceipts(db, inventory, id);
  const receiptId = crypto.randomUUID();
  const { view, warehouseId, lines } = await db.transaction(async (tx) => {
    const { row, lines } = await lockPurchaseOrder(tx, id);
    assertStatus(row, ['submitted', 'partially_received'], 'received');
    const bySku = new Map(lines.map((l) => [l.sku.toLowerCase(), l]));
    const arriving = checkReceipt(input, bySku, row.receiveTolerancePct);
    for (const a of arriving) {
      await tx
        .update(purchaseOrderLines)
        .set({ received: sql`${purchaseOrderLines.received} + ${a.qty}` })
        .where(and(eq(purchaseOrderLines.purchaseOrderId, id), eq(purchaseOrderLines.sku, a.line.sku)));
      a.line.received += a.qty;
    }
    const receiptLines = arriving.map((a) => ({ sku: a.line.sku, qty: a.qty }));
    await tx.insert(receipts).values({
      id: receiptId,
      purchaseOrderId: id,
      lines: receiptLines,
      actorId: buyer.actorId,
      requestId: buyer.requestId,
    });
    const complete = lines.every((l) => l.received >= l.qty);
    const updated = await saveStep(tx, row, {
      status: complete ? 'received' : 'partially_received',
      closedAt: complete ? new Date() : null,
    });
    const view = purchaseOrderView(updated, lines);
    await publish(tx, view, buyer.requestId);
    await buyer.claim?.complete(tx, 200, view);
    return { view, warehouseId: row.warehouseId, lines: receiptLines };
  });
  await applyReceipt(db, inventory, { id: receiptId, purchaseOrderId: id, warehouseId, lines, buyer });
  return view;
}

/** The receipt's lines against the PO's: 422 for unknown or repeated skus, 409 naming an over-receipt. */
function checkReceipt(
  input: ReceivePurchaseOrder,
  bySku: Map<string, PurchaseOrderLineRow>,
  tolerancePct: number,
): { line: PurchaseOrderLineRow; qty: number }[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  input.lines.forEach((r, i) => {
    const key = r.sku.toLowerCase();
    if (seen.has(key)) errors.push({ path: `lines.${i}.sku`, message: 'Each sku once per receipt.' });
    else if (!bySku.has(key))
      errors.push({ path: `lines.${i}.sku`, message: 'This sku is not on the purchase order.' });
    seen.add(key);
  });
  if (errors.length > 0) throw new ValidationError(errors);
  const arriving = input.lines.map((r) => ({
    line: expected(bySku.get(r.sku.toLowerCase()), 'a line checked above'),
    qty: r.qty,
  }));
  const over = arriving.findIndex((a) => a.line.received + a.qty > receivableLimit(a.line.qty, tolerancePct));
  const first = arriving[over];
  if (first)
    throw new ConflictError(
      `Line ${first.line.sku} would receive more than ordered: ${first.line.qty} ordered, ${first.line.received} received, at most ${receivableLimit(first.line.qty, tolerancePct) - first.line.received} more.`,
      'over-receipt',
      {
        path: `lines.${over}.qty`,
        line: {
          sku: first.line.sku,
          ordered: first.line.qty,
          received: first.line.received,
          attempted: first.qty,
          receivableLimit: receivableLimit(first.line.qty, tolerancePct),
        },
      },
    );
  return arriving;
}

async function applyReceipt(
  db: Database,
  inventory: InventoryClient,
  r: {
    id: string;
    purchaseOrderId: string;
    warehouseId: string;
    lines: { sku: string; qty: number }[];
    buyer: { actorId: string | null; requestId: string | null };
  },
) {
  await inventory.receive({
    operationId: r.id,
    warehouseId: r.warehouseId,
    lines: r.lines,
    reason: 'purchase_order',
    referenceType: 'purchase_order',
    referenceId: r.purchaseOrderId,
    actorId: r.buyer.actorId,
    requestId: r.buyer.requestId,
  });
  await db.update(receipts).set({ appliedAt: new Date() }).where(eq(receipts.id, r.id));
}

/** Applies receipts recorded but not yet known to be in the ledger (of one PO, or all). */
export async function finishPendingReceipts(
  db: Database,
  inventory: InventoryClient,
  purchaseOrderId: string | null = null,
): Promise<number> {
  const pending = await db
    .select({
      id: receipts.id,
      purchaseOrderId: receipts.purchaseOrderId,
      lines: receipts.lines,
      actorId: receipts.actorId,
      requestId: receipts.requestId,
      warehouseId: purchaseOrders.warehouseId,
    })
    .from(receipts)
    .innerJoin(purchaseOrders, eq(purchaseOrders.id, receipts.purchaseOrderId))
    .where(
      and(
        isNull(receipts.appliedAt),
        purchaseOrderId ? eq(receipts.purchaseOrderId, purchaseOrderId) : undefined,
        // A receipt being applied right now by its own request is left to it for a minute.
        sql`${receipts.createdAt} < now() - interval '1 minute'`,
      ),
    );
  for (const p of pending)
    await applyReceipt(db, inventory, { ...p, buyer: { actorId: p.actorId, requestId: p.requestId } });
  return pending.length;
}
