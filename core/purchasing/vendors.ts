/** Vendors and what each sells us (supplier items): the terms purchase orders and reorders use. */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { canonicalSku } from '../inventory/adjustments.ts';
import type { Database, Queryable } from '../platform/database.ts';
import { returnedRow } from '../platform/invariant.ts';
import { decodeCursor, encodeCursor } from '../platform/pagination.ts';
import { NotFoundError } from '../platform/problem.ts';
import type { CreateVendor, PutSupplierItem, SupplierItemView, UpdateVendor, VendorView } from './schemas.ts';
import { supplierItems, vendors } from './tables.ts';

type VendorRow = typeof vendors.$inferSelect;
type ItemRow = typeof supplierItems.$inferSelect;

const vendorView = (r: VendorRow): VendorView => ({
  id: r.id,
  name: r.name,
  email: r.email,
  currency: r.currency,
  leadTimeDays: r.leadTimeDays,
  active: r.active,
  version: r.version,
  createdAt: r.createdAt.toISOString(),
});

const itemView = (r: ItemRow): SupplierItemView => ({
  vendorId: r.vendorId,
  sku: r.sku,
  vendorSku: r.vendorSku,
  unitCost: r.unitCost,
  minOrderQty: r.minOrderQty,
  packSize: r.packSize,
  leadTimeDays: r.leadTimeDays,
});

export async function createVendor(db: Database, input: CreateVendor): Promise<VendorView> {
  const rows = await db
    .insert(vendors)
    .values({
      name: input.name,
      email: input.email ?? null,
      currency: input.currency,
      leadTimeDays: input.leadTimeDays,
    })
    .returning();
  return vendorView(returnedRow(rows));
}

export async function getVendor(q: Queryable, id: string): Promise<VendorView> {
  const [row] = await q.select().from(vendors).where(eq(vendors.id, id));
  if (!row) throw new NotFoundError('No such vendor.');
  return vendorView(row);
}

export async function updateVendor(db: Database, id: string, patch: UpdateVendor): Promise<VendorView> {
  const [row] = await db
    .update(vendors)
    .set({ ...patch, version: sql`${vendors.version} + 1`, updatedAt: new Date() })
    .where(eq(vendors.id, id))
    .returning();
  if (!row) throw new NotFoundError('No such vendor.');
  return vendorView(row);
}

const nameCursor = z.object({ name: z.string(), id: z.uuid() });

/** By name, a page at a time. */
export async function listVendors(
  db: Database,
  query: { limit: number; cursor?: string | undefined; active?: boolean | undefined },
) {
  const after = query.cursor ? decodeCursor(query.cursor, nameCursor) : null;
  const rows = await db
    .select()
    .from(vendors)
    .where(
      and(
        query.active === undefined ? undefined : eq(vendors.active, query.active),
        after ? sql`(${vendors.name}, ${vendors.id}) > (${after.name}, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(vendors.name), asc(vendors.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map(vendorView);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > query.limit && last ? encodeCursor({ name: last.name, id: last.id }) : null,
  };
}

/** Creates or replaces what the vendor sells of a sku; fields left out keep their value (or default). */
export async function putSupplierItem(
  db: Database,
  vendorId: string,
  sku: string,
  input: PutSupplierItem,
): Promise<{ item: SupplierItemView; created: boolean }> {
  await getVendor(db, vendorId);
  const canonical = await canonicalSku(db, sku, 'sku');
  const set = { ...input, updatedAt: new Date() };
  const { rows } = await db.execute<{ inserted: boolean }>(sql`
    insert into purchasing.supplier_items as i
      (vendor_id, sku, vendor_sku, unit_cost, min_order_qty, pack_size, lead_time_days)
    values (${vendorId}, ${canonical}, ${input.vendorSku ?? null}, ${input.unitCost ?? null},
            ${input.minOrderQty ?? 1}, ${input.packSize ?? 1}, ${input.leadTimeDays ?? null})
    on conflict (vendor_id, sku) do update set
      vendor_sku = case when ${'vendorSku' in set} then excluded.vendor_sku else i.vendor_sku end,
      unit_cost = case when ${'unitCost' in set} then excluded.unit_cost else i.unit_cost end,
      min_order_qty = case when ${'minOrderQty' in set} then excluded.min_order_qty else i.min_order_qty end,
      pack_size = case when ${'packSize' in set} then excluded.pack_size else i.pack_size end,
      lead_time_days = case when ${'leadTimeDays' in set} then excluded.lead_time_days else i.lead_time_days end,
      updated_at = now()
    returning (xmax = 0) as inserted`);
  const [row] = await db
    .select()
    .from(supplierItems)
    .where(and(eq(supplierItems.vendorId, vendorId), eq(supplierItems.sku, canonical)));
  return { item: itemView(returnedRow(row ? [row] : [])), created: Boolean(rows[0]?.inserted) };
}

/** A vendor's items, by sku. */
export async function listSupplierItems(
  db: Database,
  vendorId: string,
  query: { limit: number; cursor?: string | undefined },
) {
  await getVendor(db, vendorId);
  const after = query.cursor ? decodeCursor(query.cursor, z.object({ sku: z.string() })).sku : null;
  const rows = await db
    .select()
    .from(supplierItems)
    .where(and(eq(supplierItems.vendorId, vendorId), after ? gt(supplierItems.sku, after) : undefined))
    .orderBy(asc(supplierItems.sku))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit).map(itemView);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor({ sku: last.sku }) : null };
}

/** The terms for these skus from one vendor, with the lead time each one takes. */
export async function termsOf(
  q: Queryable,
  vendorId: string,
): Promise<{ vendor: VendorView; items: Map<string, SupplierItemView> }> {
  const vendor = await getVendor(q, vendorId);
  const rows = await q.select().from(supplierItems).where(eq(supplierItems.vendorId, vendorId));
  return { vendor, items: new Map(rows.map((r) => [r.sku, itemView(r)])) };
}
