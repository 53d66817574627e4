/**
 * Orders' reads for analytics, as plain SQL: the price each order charged for a sku, so
 * shipped units become revenue. Analytics never reads orders' tables itself.
 */
import type { SqlClient } from '../platform/sql-client.ts';

export interface LinePrice {
  orderId: string;
  sku: string;
  amount: number;
  currency: string;
}

/**
 * The unit price of each (order, sku) among these orders: the first priced line for the sku
 * (an order lists a sku once unless a client repeats it; then the first line's price counts).
 */
export async function readLinePrices(client: SqlClient, orderIds: readonly string[]): Promise<LinePrice[]> {
  if (orderIds.length === 0) return [];
  const { rows } = await client.query(
    `select distinct on (o.id, l.line->>'sku') o.id, l.line->>'sku' as sku,
       (l.line->'unitPrice'->>'amount')::bigint as amount, l.line->'unitPrice'->>'currency' as currency
     from orders.orders o
     cross join lateral jsonb_array_elements(o.lines) with ordinality as l(line, n)
     where o.id = any($1::uuid[]) and jsonb_typeof(l.line->'unitPrice') = 'object'
     order by o.id, l.line->>'sku', l.n`,
    [orderIds],
  );
  return rows.map((r) => ({
    orderId: String(r.id),
    sku: String(r.sku),
    amount: Number(r.amount),
    currency: String(r.currency),
  }));
}
