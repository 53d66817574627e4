/**
 * Replenishment: for each level whose inventory position (on hand - reserved + on order + in
 * transit, drafts counted as on order) is below its reorder point, a line on the open draft of
 * its preferred vendor for that warehouse, sized by replenishmentQuantity. Each warehouse is done
 * in one transaction under lockWarehouseBuying, reading the position after taking the lock: a run
 * that overlaps another, repeats, or races a manual draft sees the line already there and adds
 * nothing for the same shortfall.
 *
 * Set-based, so a run costs about the same few statements per warehouse however many levels it
 * has: inventory returns only the levels short before on order (a few percent of them), on order
 * and vendor terms are read for those skus alone, and the drafts of all its vendors, their lines,
 * versions and events are written in one statement each.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { InventoryClient } from '../inventory/client.ts';
import { type ReorderLevel, readReorderCandidates } from '../inventory/reorder-reads.ts';
import { arrayParam, type Database, type Transaction } from '../platform/database.ts';
import { expected } from '../platform/invariant.ts';
import { onOrderByLevel } from './on-order-reads.ts';
import {
  expectedArrival,
  lockWarehouseBuying,
  type PurchaseOrderRow,
  publishAll,
  purchaseOrderView,
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
  // Only which warehouses have a shortfall now; each is read again under its lock.
  const candidates = await readReorderCandidates(db.$client, opts.warehouseIds);
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
  const levels = await readReorderCandidates(db.$client, [warehouseId]);
  const result: ReplenishmentResult = { lines: [], noVendor: [] };
  if (levels.length === 0) return result;
  const onOrder = await onOrderByLevel(
    db.$client,
    [warehouseId],
    levels.map((l) => l.sku),
    { includeDrafts: true },
  );
  const short = levels.flatMap((level) => {
    const position = inventoryPosition({
      ...level,
      onOrder: onOrder.get(`${warehouseId}/${level.sku}`)?.onOrder ?? 0,
    });
    return position < level.reorderPoint ? [{ level, position }] : [];
  });
  if (short.length === 0) return result;
  const terms = await vendorTerms(
    tx,
    short.map((s) => s.level),
  );
  // Each short level's quantity, grouped by the vendor whose draft it goes on.
  const byVendor = new Map<string, { terms: VendorTerms; sku: string; qty: number }[]>();
  for (const { level, position } of short) {
    const t = terms.get(level.sku);
    if (!t) {
      result.noVendor.push({ warehouseId, sku: level.sku });
      continue;
    }
    const qty = replenishmentQuantity({
      ...t,
      position,
      reorderPoint: level.reorderPoint,
      reorderQty: level.reorderQty,
    });
    const vendorLines = byVendor.get(t.vendorId) ?? [];
    vendorLines.push({ terms: t, sku: level.sku, qty });
    byVendor.set(t.vendorId, vendorLines);
  }
  if (byVendor.size === 0) return result;
  // Every vendor's draft, lines, version and event in one statement each, however many vendors
  // and skus: a row of parameters per line cost more to build than the insert took to run.
  const drafts = await openDrafts(
    tx,
    warehouseId,
    [...byVendor.values()].flatMap((lines) => (lines[0] ? [lines[0].terms] : [])),
  );
  const lines = [...byVendor].flatMap(([vendorId, vendorLines]) =>
    vendorLines.map((l) => ({
      ...l,
      vendorId,
      purchaseOrderId: expected(drafts.get(vendorId), 'a draft for each vendor').id,
    })),
  );
  await tx.execute(sql`
    insert into purchasing.purchase_order_lines (purchase_order_id, sku, qty, unit_cost)
    select l.purchase_order_id, l.sku, l.qty, l.unit_cost
    from unnest(${arrayParam(lines.map((l) => l.purchaseOrderId))}::uuid[],
                ${arrayParam(lines.map((l) => l.sku))}::text[], ${arrayParam(lines.map((l) => l.qty))}::int[],
                ${arrayParam(lines.map((l) => l.terms.unitCost))}::int[]) as l(purchase_order_id, sku, qty, unit_cost)
    on conflict (purchase_order_id, sku)
    do update set qty = purchasing.purchase_order_lines.qty + excluded.qty`);
  const poIds = [...drafts.values()].map((d) => d.id);
  const saved = await tx
    .select()
    .from(purchaseOrderLines)
    .where(inArray(purchaseOrderLines.purchaseOrderId, poIds));
  // The drafts are locked (openDrafts): each version goes up by one, as saveStep does.
  const updated = await tx
    .update(purchaseOrders)
    .set({ version: sql`${purchaseOrders.version} + 1`, updatedAt: new Date() })
    .where(inArray(purchaseOrders.id, poIds))
    .returning();
  await publishAll(
    tx,
    updated.map((po) =>
      purchaseOrderView(
        po,
        saved.filter((l) => l.purchaseOrderId === po.id),
      ),
    ),
    requestId,
  );
  result.lines.push(
    ...lines.map((l) => ({
      warehouseId,
      sku: l.sku,
      vendorId: l.vendorId,
      purchaseOrderId: l.purchaseOrderId,
      qty: l.qty,
    })),
  );
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

/**
 * Each level's preferred vendor's terms for its sku (defaults where the vendor has no supplier
 * item), in two statements; a level whose vendor is inactive or gone has none.
 */
async function vendorTerms(tx: Transaction, levels: ReorderLevel[]): Promise<Map<string, VendorTerms>> {
  const vendorIds = [...new Set(levels.flatMap((l) => (l.preferredVendorId ? [l.preferredVendorId] : [])))];
  if (vendorIds.length === 0) return new Map();
  const found = await tx
    .select()
    .from(vendors)
    .where(and(inArray(vendors.id, vendorIds), eq(vendors.active, true)));
  const items = await tx
    .select()
    .from(supplierItems)
    .where(
      and(
        inArray(supplierItems.vendorId, vendorIds),
        sql`${supplierItems.sku} = any(${arrayParam(levels.map((l) => l.sku))}::text[])`,
      ),
    );
  const vendorById = new Map(found.map((v) => [v.id, v]));
  const itemByKey = new Map(items.map((i) => [`${i.vendorId}/${i.sku}`, i]));
  const terms = new Map<string, VendorTerms>();
  for (const level of levels) {
    const v = level.preferredVendorId ? vendorById.get(level.preferredVendorId) : undefined;
    if (!v) continue;
    const item = itemByKey.get(`${v.id}/${level.sku}`);
    terms.set(level.sku, {
      vendorId: v.id,
      currency: v.currency,
      leadTimeDays: item?.leadTimeDays ?? v.leadTimeDays,
      unitCost: item?.unitCost ?? null,
      packSize: item?.packSize ?? 1,
      minOrderQty: item?.minOrderQty ?? 1,
    });
  }
  return terms;
}

/** Each vendor's oldest draft for this warehouse, locked, or a new one (origin replenishment). */
async function openDrafts(
  tx: Transaction,
  warehouseId: string,
  terms: VendorTerms[],
): Promise<Map<string, PurchaseOrderRow>> {
  const found = await tx
    .select()
    .from(purchaseOrders)
    .where(
      and(
        inArray(
          purchaseOrders.vendorId,
          terms.map((t) => t.vendorId),
        ),
        eq(purchaseOrders.warehouseId, warehouseId),
        eq(purchaseOrders.status, 'draft'),
      ),
    )
    .orderBy(asc(purchaseOrders.createdAt))
    // Locked: a submit racing this run either goes first (and its draft is not among these) or waits.
    .for('update');
  const drafts = new Map<string, PurchaseOrderRow>();
  for (const po of found) if (!drafts.has(po.vendorId)) drafts.set(po.vendorId, po);
  const missing = terms.filter((t) => !drafts.has(t.vendorId));
  if (missing.length === 0) return drafts;
  const made = await tx
    .insert(purchaseOrders)
    .values(
      missing.map((t) => ({
        vendorId: t.vendorId,
        warehouseId,
        status: 'draft' as const,
        currency: t.currency,
        origin: 'replenishment' as const,
        expectedAt: expectedArrival(new Date(), t.leadTimeDays, [t.leadTimeDays]),
        actorId: 'system:replenishment',
      })),
    )
    .returning();
  for (const po of made) drafts.set(po.vendorId, po);
  return drafts;
}
