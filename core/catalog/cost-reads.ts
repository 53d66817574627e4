/** Catalog's reads for analytics, as plain SQL: what each sku costs us (its cost price). */
import type { SqlClient } from '../platform/sql-client.ts';

export interface SkuCost {
  sku: string;
  amount: number;
  currency: string;
}

/** The cost of these skus (as stored; null: every product with a cost). Skus without one are left out. */
export async function readSkuCosts(
  client: SqlClient,
  skus: readonly string[] | null,
): Promise<Map<string, SkuCost>> {
  const { rows } = await client.query(
    `select sku, cost_amount, cost_currency from catalog.products
     where cost_amount is not null and ($1::text[] is null or sku = any($1::text[]))`,
    [skus],
  );
  return new Map(
    rows.map((r) => [
      String(r.sku),
      { sku: String(r.sku), amount: Number(r.cost_amount), currency: String(r.cost_currency) },
    ]),
  );
}
