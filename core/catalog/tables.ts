import { sql } from 'drizzle-orm';
import { boolean, check, integer, jsonb, pgSchema, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
    uniqueIndex('products_barcode_key').on(t.barcode).where(sql`${t.barcode} is not null`),
    check('products_price_check', sql`${t.priceAmount} is null or ${t.priceAmount} >= 0`),
    check('products_cost_check', sql`${t.costAmount} is null or ${t.costAmount} >= 0`),
  ],
);
