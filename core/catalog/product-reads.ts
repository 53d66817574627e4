/**
 * The catalog's read queries, as plain SQL run by both core (node-postgres) and the edge worker
 * (the Neon driver), so a product reads the same wherever it is served from. No Node-only or
 * Bun-only imports here: the edge bundles this file.
 */
import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../platform/pagination.ts';
import type { SqlClient } from '../platform/sql-client.ts';
import { barcodeLookupKey } from './barcodes.ts';
import type { ListProductsQuery, ProductView } from './schemas.ts';

/** What both drivers offer: `pg.Pool`, `pg.Client` and Neon's `Client`. */
export type { SqlClient };

/** Who reads: cost prices are for admins and managers only. */
export interface ProductAudience {
  withCost: boolean;
}

export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  barcode: string | null;
  category: string | null;
  unit: string;
  price_amount: number | null;
  price_currency: string | null;
  cost_amount: number | null;
  cost_currency: string | null;
  attributes: Record<string, unknown>;
  archived: boolean;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export const PRODUCT_COLUMNS = `p.id, p.sku, p.name, p.description, p.barcode, p.category, p.unit,
  p.price_amount, p.price_currency, p.cost_amount, p.cost_currency, p.attributes, p.archived,
  p.version, p.created_at, p.updated_at`;

export const money = (amount: number | null, currency: string | null) =>
  amount === null || currency === null ? null : { amount, currency };

export function productFromRow(row: ProductRow, audience: ProductAudience): ProductView {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    barcode: row.barcode,
    category: row.category,
    unit: row.unit,
    price: money(row.price_amount, row.price_currency),
    ...(audience.withCost ? { cost: money(row.cost_amount, row.cost_currency) } : {}),
    attributes: row.attributes,
    archived: row.archived,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** A product by sku, case-insensitively; archived ones too, for history. */
export async function readProductBySku(client: SqlClient, sku: string): Promise<ProductRow | null> {
  const { rows } = await client.query(
    `select ${PRODUCT_COLUMNS} from catalog.products p where lower(p.sku) = lower($1)`,
    [sku],
  );
  return (rows[0] as ProductRow | undefined) ?? null;
}

/**
 * The product a scanned code belongs to: by barcode (GTINs in any of their lengths), else a
 * product without a barcode whose label carries its sku.
 */
export async function readProductByBarcode(client: SqlClient, code: string): Promise<ProductRow | null> {
  const { rows } = await client.query(
    `select ${PRODUCT_COLUMNS} from catalog.products p
     where p.barcode_key = $1 or (p.barcode is null and lower(p.sku) = lower($2))
     order by p.barcode_key = $1 desc nulls last
     limit 1`,
    [barcodeLookupKey(code), code],
  );
  return (rows[0] as ProductRow | undefined) ?? null;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const plainCursor = z.object({ s: z.string() });
const searchCursor = z.object({ t: z.number().int().min(0).max(3), s: z.string() });

/**
 * A page of active products. Without `q`: by sku. With `q`: best matches first, in tiers (exact
 * sku or barcode, then prefix of sku, name or barcode, then substring, then fuzzy by trigram
 * word similarity), by sku within a tier. Tiers are integers so the cursor is exact.
 */
export async function listProducts(
  client: SqlClient,
  query: ListProductsQuery,
  audience: ProductAudience,
): Promise<{ items: ProductView[]; nextCursor: string | null }> {
  const category = query.category?.toLowerCase() ?? null;
  const q = query.q?.toLowerCase();
  const { text, values } =
    q === undefined ? plainListing(query, category) : searchListing(query, q, category);
  const { rows } = await client.query(text, values);
  const page = rows.slice(0, query.limit) as unknown as (ProductRow & { tier: number; sort_key: string })[];
  const last = page.at(-1);
  const nextCursor =
    rows.length > query.limit && last
      ? encodeCursor(q === undefined ? { s: last.sort_key } : { t: last.tier, s: last.sort_key })
      : null;
  return { items: page.map((row) => productFromRow(row, audience)), nextCursor };
}

function plainListing(query: ListProductsQuery, category: string | null) {
  const after = query.cursor ? decodeCursor(query.cursor, plainCursor).s : null;
  return {
    text: `select ${PRODUCT_COLUMNS}, 0 as tier, lower(p.sku) as sort_key
      from catalog.products p
      where not p.archived
        and ($1::text is null or lower(p.category) = $1)
        and ($2::text is null or lower(p.sku) > $2)
      order by lower(p.sku)
      limit $3`,
    values: [category, after, query.limit + 1],
  };
}

function searchListing(query: ListProductsQuery, q: string, category: string | null) {
  const after = query.cursor ? decodeCursor(query.cursor, searchCursor) : null;
  const raw = query.q ?? q;
  return {
    text: `select * from (
        select ${PRODUCT_COLUMNS}, lower(p.sku) as sort_key,
          case
            when lower(p.sku) = $1 or p.barcode_key = $2 then 0
            when lower(p.sku) like $3 or lower(p.name) like $3 or p.barcode like $4 then 1
            when lower(p.sku) like $5 or lower(p.name) like $5 then 2
            else 3
          end as tier
        from catalog.products p
        where not p.archived
          and ($6::text is null or lower(p.category) = $6)
          and (lower(p.sku) like $5 or lower(p.name) like $5 or p.barcode like $4
               or $1 <% lower(p.name) or $1 <% lower(p.sku))
      ) m
      where ($7::int is null or (m.tier, m.sort_key) > ($7::int, $8::text))
      order by m.tier, m.sort_key
      limit $9`,
    values: [
      q,
      barcodeLookupKey(raw),
      `${likeEscape(q)}%`,
      `${likeEscape(raw)}%`,
      `%${likeEscape(q)}%`,
      category,
      after?.t ?? null,
      after?.s ?? null,
      query.limit + 1,
    ],
  };
}
