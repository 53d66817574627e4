/**
 * The orders benchmark's check after every phase, in SQL: reserved <= on_hand, on_hand = its
 * movements, reserved = its holds, holds = what live orders allocated.
 */
import type { Database } from '../../core/platform/database.ts';

export interface Violation {
  check: string;
  detail: string;
}

/** The no-oversell invariants over every stock level and every live order, in SQL. */
export async function checkLedger(db: Database): Promise<Violation[]> {
  const pool = db.$client;
  const out: Violation[] = [];
  const levels = await pool.query(`
    with m as (select warehouse_id, sku, sum(qty)::bigint q from inventory.movements group by 1, 2),
         r as (select warehouse_id, sku, sum(qty)::bigint q from inventory.reservations group by 1, 2)
    select s.warehouse_id, s.sku, s.on_hand, s.reserved,
           coalesce(m.q, 0)::bigint as ledger, coalesce(r.q, 0)::bigint as held
    from inventory.stock_levels s
    left join m on m.warehouse_id = s.warehouse_id and m.sku = s.sku
    left join r on r.warehouse_id = s.warehouse_id and r.sku = s.sku
    where s.reserved > s.on_hand or s.reserved < 0
       or s.on_hand <> coalesce(m.q, 0) or s.reserved <> coalesce(r.q, 0)
    limit 20`);
  for (const r of levels.rows as Record<string, unknown>[]) {
    const where = `${r.warehouse_id}/${r.sku}`;
    const parts: string[] = [];
    if (Number(r.reserved) > Number(r.on_hand)) parts.push(`reserved ${r.reserved} > on_hand ${r.on_hand}`);
    if (Number(r.reserved) < 0) parts.push(`reserved ${r.reserved} < 0`);
    if (Number(r.on_hand) !== Number(r.ledger)) parts.push(`on_hand ${r.on_hand} <> movements ${r.ledger}`);
    if (Number(r.reserved) !== Number(r.held)) parts.push(`reserved ${r.reserved} <> holds ${r.held}`);
    out.push({ check: 'stock level', detail: `${where}: ${parts.join(', ')}` });
  }
  const orphans = await pool.query(`
    select (select count(*) from inventory.movements m where not exists (select 1 from inventory.stock_levels s
              where s.warehouse_id = m.warehouse_id and s.sku = m.sku))::int as movements,
           (select count(*) from inventory.reservations r where not exists (select 1 from inventory.stock_levels s
              where s.warehouse_id = r.warehouse_id and s.sku = r.sku))::int as holds`);
  const o = orphans.rows[0] as { movements: number; holds: number };
  if (o.movements > 0) out.push({ check: 'movements', detail: `${o.movements} without a stock level` });
  if (o.holds > 0) out.push({ check: 'holds', detail: `${o.holds} without a stock level` });
  // Each live order holds exactly what it allocated and has not shipped; nothing else holds for orders.
  const mismatched = await pool.query(`
    with a as (
      select o.id holder_id, (x->>'warehouseId')::uuid warehouse_id, x->>'sku' sku,
             sum((x->>'qty')::int - (x->>'shipped')::int)::bigint q
      from orders.orders o, jsonb_array_elements(o.allocations) x
      where o.status in ('pending', 'backordered', 'confirmed', 'partially_shipped')
      group by 1, 2, 3 having sum((x->>'qty')::int - (x->>'shipped')::int) > 0),
    h as (
      select holder_id, warehouse_id, sku, sum(qty)::bigint q from inventory.reservations
      where holder_type = 'order' group by 1, 2, 3)
    select coalesce(a.holder_id, h.holder_id) as order_id, coalesce(a.sku, h.sku) as sku,
           coalesce(a.q, 0) as allocated, coalesce(h.q, 0) as held
    from a full join h on a.holder_id = h.holder_id and a.warehouse_id = h.warehouse_id and a.sku = h.sku
    where coalesce(a.q, 0) <> coalesce(h.q, 0)`);
  for (const r of mismatched.rows.slice(0, 10) as Record<string, unknown>[])
    out.push({
      check: 'order holds',
      detail: `order ${r.order_id} ${r.sku}: allocated ${r.allocated}, held ${r.held}`,
    });
  if (mismatched.rows.length > 10)
    out.push({ check: 'order holds', detail: `and ${mismatched.rows.length - 10} more` });
  // Creation holds keep their expiry until the expire-holds sweep keeps them (its order
  // committed); the full join above already flags any hold without a live order behind it.
  return out;
}

export const countOrders = async (db: Database) =>
  Number(
    ((await db.$client.query('select count(*)::bigint as n from orders.orders')).rows[0] as { n: string }).n,
  );
