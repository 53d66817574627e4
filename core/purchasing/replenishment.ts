/**
 * Replenishment: for each level whose inventory position (on hand - reserved + on order + in
 * transit, drafts counted as on order) is below its reorder point, a line on the open draft of
 * its preferred vendor for that warehouse, sized by replenishmentQuantity. Each warehouse is done
 * in one transaction under lockWarehouseBuying, reading the position after taking the lock: a run
 * that overlaps another, repeats, or races a manual draft sees the line already there and adds
 * nothing for the same shortfall.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { InventoryClient } from '../inventory/client.ts';
import { type ReorderLevel, readReorderLevels } from '../inventory/reorder-reads.ts';
import type { Database, Transaction } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { onOrderByLevel } from './on-order-reads.ts';
import {
  expectedArrival,
  lockWarehouseBuying,
  publish,
  purchaseOrderView,
  saveStep,
} from './purchase-order-store.ts';
import { finishPendingReceipts } from './receiving.ts';
import { inventoryPosition, replenishmentQuantity } from './reorder-formulas.ts';
import { purchaseOrderLines, purchaseOrders, supplierItems, vendors } from './tables.ts';

export interface ReplenishmentResult {
  /** Lines added to drafts, or grown on them. */
  lines: { warehouseId: string; sku: string; vendorId: string; purchaseOrderId: string; qty: number }[];
  /** Levels below their reorder point with no (active) preferred vendor: nobody to order from. */
  noVendor: { warehouseId: string; sku: string }[];
}

export async function runReplenishment(
  db: Database,
  inventory: InventoryClient,
  opts: { warehouseIds: string[] | null; requestId: string | null },
): Promise<ReplenishmentResult> {
  await finishPendingReceipts(db, inventory);
  const candidates = await readReorderLevels(db.$client, opts.warehouseIds);
  const warehouseIds = [...new Set(candidates.map((l) => l.warehouseId))];
  const result: ReplenishmentResult = { lines: [], noVendor: [] };
  for (const warehouseId of warehouseIds) {
    const done = await db.transaction(async (tx) => {
      await lockWarehouseBuying(tx, warehouseId);
      // Read after the lock: whatever a run before us drafted is committed and counted now.
      return replenishWarehouse(tx, db, warehouseId, opts.requestId);
    });
    result.lines.push(...done.lines);
    result.noVendor.push(...done.noVendor);
  }
  return result;
}

async function replenishWarehouse(
  tx: Transaction,
  db: Database,
  warehouseId: string,
  requestId: string | null,
): Promise<ReplenishmentResult> {
  const levels = await readReorderLevels(db.$client, [warehouseId]);
  const onOrder = await onOrderByLevel(db.$client, [warehouseId], null, { includeDrafts: true });
  const result: ReplenishmentResult = { lines: [], noVendor: [] };
  const touched = new Set<string>();
  for (const level of levels) {
    const position = inventoryPosition({
      ...level,
      onOrder: onOrder.get(`${warehouseId}/${level.sku}`)?.onOrder ?? 0,
    });
    if (position >= level.reorderPoint) continue;
    const terms = level.preferredVendorId ? await vendorTerms(tx, level.preferredVendorId, level.sku) : null;
    if (!terms) {
      result.noVendor.push({ warehouseId, sku: level.sku });
      continue;
    }
    const qty = replenishmentQuantity({
      ...terms,
      position,
      reorderPoint: level.reorderPoint,
      reorderQty: level.reorderQty,
    });
    const poId = await openDraft(tx, level, terms);
    await tx
      .insert(purchaseOrderLines)
      .values({ purchaseOrderId: poId, sku: level.sku, qty, unitCost: terms.unitCost })
      .onConflictDoUpdate({
        target: [purchaseOrderLines.purchaseOrderId, purchaseOrderLines.sku],
        set: { qty: sql`${purchaseOrderLines.qty} + ${qty}` },
      });
    touched.add(poId);
    result.lines.push({ warehouseId, sku: level.sku, vendorId: terms.vendorId, purchaseOrderId: poId, qty });
  }
  for (const poId of touched) {
    const [row] = await tx.select().from(purchaseOrders).where(eq(purchaseOrders.id, poId));
    const lines = await tx
      .select()
      .from(purchaseOrderLines)
      .where(eq(purchaseOrderLines.purchaseOrderId, poId));
    const updated = await saveStep(tx, returnedRow(row ? [row] : []), {});
    await publish(tx, purchaseOrderView(updated, lines), requestId);
  }
  return result;
}

interface VendorTerms {
  vendorId: string;
  currency: string;
  leadTimeDays: number;
  unitCost: number | null;
  packSize: number;
  minOrderQty: number;
}

/** The preferred vendor's terms for the sku (defaults when it has no supplier item), null if inactive or gone. */
async function vendorTerms(tx: Transaction, vendorId: string, sku: string): Promise<VendorTerms | null> {
  const [v] = await tx.select().from(vendors).where(eq(vendors.id, vendorId));
  if (!v?.active) return null;
  const [item] = await tx
    .select()
    .from(supplierItems)
    .where(and(eq(supplierItems.vendorId, vendorId), eq(supplierItems.sku, sku)));
  return {
    vendorId,
    currency: v.currency,
    leadTimeDays: item?.leadTimeDays ?? v.leadTimeDays,
    unitCost: item?.unitCost ?? null,
    packSize: item?.packSize ?? 1,
    minOrderQty: item?.minOrderQty ?? 1,
  };
}

/** The oldest draft of this vendor for this warehouse, or a new one (origin replenishment). */
async function openDraft(tx: Transaction, level: ReorderLevel, terms: VendorTerms): Promise<string> {
  const [draft] = await tx
    .select({ id: purchaseOrders.id })
    .from(purchaseOrders)
    .where(
      and(
        eq(purchaseOrders.vendorId, terms.vendorId),
        eq(purchaseOrders.warehouseId, level.warehouseId),
        eq(purchaseOrders.status, 'draft'),
      ),
    )
    .orderBy(asc(purchaseOrders.createdAt))
    .limit(1);
  if (draft) return draft.id;
  const rows = await tx
    .insert(purchaseOrders)
    .values({
      vendorId: terms.vendorId,
      warehouseId: level.warehouseId,
      status: 'draft',
      currency: terms.currency,
      origin: 'replenishment',
      expectedAt: expectedArrival(new Date(), terms.leadTimeDays, [terms.leadTimeDays]),
      actorId: 'system:replenishment',
    })
    .returning({ id: purchaseOrders.id });
  return returnedRow(rows).id;
}
