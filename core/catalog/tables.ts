import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamps } from '../platform/columns.ts';

export const catalog = pgSchema('catalog');

export const products = catalog.table(
  'products',
  {
    id: uuid().primaryKey().defaultRandom(),
    sku: text().notNull(),
    name: text().notNull(),
    description: text(),
    barcode: text(),
    // What a barcode is unique by and found by: GTINs (8, 12 or 13 digits) as 14 digits, so a
    // UPC-A and the same code read as an EAN-13 are one product (see barcodes.ts).
    barcodeKey: text('barcode_key').generatedAlwaysAs(
      sql`case when barcode ~ '^([0-9]{8}|[0-9]{12,13})$' then lpad(barcode, 14, '0') else barcode end`,
    ),
    category: text(),
    unit: text().notNull().default('each'),
    priceAmount: integer('price_amount'),
    priceCurrency: text('price_currency'),
    costAmount: integer('cost_amount'),
    costCurrency: text('cost_currency'),
    attributes: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    archived: boolean().notNull().default(false),
    version: integer().notNull().default(1),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('products_sku_lower_key').on(sql`lower(${t.sku})`),
    uniqueIndex('products_barcode_key').on(t.barcodeKey).where(sql`${t.barcodeKey} is not null`),
    // Listing: active products by sku, within a category or not.
    index('products_active_sku_idx').on(sql`lower(${t.sku})`).where(sql`not ${t.archived}`),
    index('products_category_sku_idx').on(sql`lower(${t.category})`, sql`lower(${t.sku})`),
    // Search: substring and fuzzy matches on sku and name (pg_trgm).
    index('products_sku_trgm_idx').using('gin', sql`lower(${t.sku}) gin_trgm_ops`),
    index('products_name_trgm_idx').using('gin', sql`lower(${t.name}) gin_trgm_ops`),
    check('products_price_check', sql`${t.priceAmount} is null or ${t.priceAmount} >= 0`),
    check('products_cost_check', sql`${t.costAmount} is null or ${t.costAmount} >= 0`),
    check(
      'products_money_check',
      sql`(${t.priceAmount} is null) = (${t.priceCurrency} is null)
      and (${t.costAmount} is null) = (${t.costCurrency} is null)`,
    ),
  ],
);
