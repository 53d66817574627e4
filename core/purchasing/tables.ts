import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps } from '../platform/columns.ts';

export const purchasing = pgSchema('purchasing');

export const vendors = purchasing.table(
  'vendors',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    email: text(),
    leadTimeDays: integer('lead_time_days').notNull().default(7),
    currency: text().notNull().default('EUR'),
    active: boolean().notNull().default(true),
    version: integer().notNull().default(1),
    ...timestamps,
  },
  (t) => [
    check('vendors_lead_time_check', sql`${t.leadTimeDays} >= 0`),
    check('vendors_currency_check', sql`${t.currency} ~ '^[A-Z]{3}$'`),
  ],
);

/** What a vendor sells us, per sku (the catalog's spelling): its terms. */
export const supplierItems = purchasing.table(
  'supplier_items',
  {
    vendorId: uuid('vendor_id')
      .notNull()
      .references(() => vendors.id),
    sku: text().notNull(),
    vendorSku: text('vendor_sku'),
    /** Minor units of the vendor's currency. */
    unitCost: integer('unit_cost'),
    minOrderQty: integer('min_order_qty').notNull().default(1),
    packSize: integer('pack_size').notNull().default(1),
    /** Overrides the vendor's lead time for this sku. */
    leadTimeDays: integer('lead_time_days'),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: 'supplier_items_pk', columns: [t.vendorId, t.sku] }),
    index('supplier_items_sku_idx').on(sql`lower(${t.sku})`),
    check(
      'supplier_items_terms_check',
      sql`${t.minOrderQty} >= 1 AND ${t.packSize} >= 1 AND coalesce(${t.unitCost}, 0) >= 0 AND coalesce(${t.leadTimeDays}, 0) >= 0`,
    ),
  ],
);

export const purchaseOrderStatuses = [
  'draft',
  'submitted',
  'partially_received',
  'received',
  'closed',
  'cancelled',
] as const;
export type PurchaseOrderStatus = (typeof purchaseOrderStatuses)[number];

export const purchaseOrders = purchasing.table(
  'purchase_orders',
  {
    id: uuid().primaryKey().defaultRandom(),
    vendorId: uuid('vendor_id')
      .notNull()
      .references(() => vendors.id),
    /** Inventory's warehouse (checked through inventory's reads; no foreign key across services). */
    warehouseId: uuid('warehouse_id').notNull(),
    status: text().$type<PurchaseOrderStatus>().notNull(),
    currency: text().notNull(),
    /** How far above a line's quantity receipts may go, in percent of it. */
    receiveTolerancePct: integer('receive_tolerance_pct').notNull().default(0),
    expectedAt: timestamp('expected_at', { withTimezone: true }),
    origin: text().$type<'manual' | 'replenishment'>().notNull().default('manual'),
    note: text(),
    actorId: text('actor_id'),
    version: integer().notNull().default(1),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    index('purchase_orders_open_idx').on(t.warehouseId, t.status),
    index('purchase_orders_created_idx').on(t.createdAt, t.id),
    check(
      'purchase_orders_status_check',
      sql`${t.status} in ('draft', 'submitted', 'partially_received', 'received', 'closed', 'cancelled')`,
    ),
    check('purchase_orders_origin_check', sql`${t.origin} in ('manual', 'replenishment')`),
    check('purchase_orders_tolerance_check', sql`${t.receiveTolerancePct} between 0 and 100`),
  ],
);

export const purchaseOrderLines = purchasing.table(
  'purchase_order_lines',
  {
    purchaseOrderId: uuid('purchase_order_id')
      .notNull()
      .references(() => purchaseOrders.id),
    sku: text().notNull(),
    qty: integer().notNull(),
    unitCost: integer('unit_cost'),
    received: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ name: 'purchase_order_lines_pk', columns: [t.purchaseOrderId, t.sku] }),
    index('purchase_order_lines_sku_idx').on(t.sku),
    check(
      'purchase_order_lines_qty_check',
      sql`${t.qty} > 0 AND ${t.received} >= 0 AND coalesce(${t.unitCost}, 0) >= 0`,
    ),
  ],
);

export interface ReceiptLine {
  sku: string;
  qty: number;
}

/**
 * A receipt, recorded with the PO's received quantities in one transaction, then applied to
 * inventory by its id (idempotent there). applied_at null: not yet known to be in the ledger.
 */
export const receipts = purchasing.table(
  'receipts',
  {
    id: uuid().primaryKey(),
    purchaseOrderId: uuid('purchase_order_id')
      .notNull()
      .references(() => purchaseOrders.id),
    lines: jsonb().$type<ReceiptLine[]>().notNull(),
    actorId: text('actor_id'),
    requestId: text('request_id'),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('receipts_pending_idx').on(t.purchaseOrderId).where(sql`${t.appliedAt} is null`)],
);
