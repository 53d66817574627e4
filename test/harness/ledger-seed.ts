/**
 * A ledger written straight to Postgres at chosen times, for analytics tests: movements with
 * their on hand after, the levels they end at, and shipped orders with their line prices. What
 * the API would write, but dated in the past (the API stamps now()).
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../core/platform/database.ts';

export interface SeedMove {
  warehouseId: string;
  sku: string;
  at: Date;
  type: 'receipt' | 'shipment' | 'adjustment' | 'transfer_in' | 'transfer_out' | 'count';
  /** Signed. */
  qty: number;
  /** For a shipment: its order (made by seedOrder). */
  orderId?: string;
}

export interface SeededLevel {
  warehouseId: string;
  sku: string;
  onHand: number;
}

/** A warehouse in a timezone, and products with a cost (null: none). */
export async function seedCatalog(
  db: Database,
  opts: {
    code: string;
    timezone?: string;
    products: { sku: string; cost: { amount: number; currency: string } | null }[];
  },
): Promise<string> {
  const { rows } = await db.execute<{ id: string }>(sql`
    insert into inventory.warehouses (code, name, timezone)
    values (${opts.code}, ${`Analytics ${opts.code}`}, ${opts.timezone ?? 'UTC'}) returning id`);
  const id = rows[0]?.id;
  if (!id) throw new Error('no warehouse');
  for (const p of opts.products)
    await db.execute(sql`
      insert into catalog.products (sku, name, cost_amount, cost_currency)
      values (${p.sku}, ${p.sku}, ${p.cost?.amount ?? null}, ${p.cost?.currency ?? null})
      on conflict do nothing`);
  return id;
}

export interface SeedLine {
  sku: string;
  qty: number;
  price: { amount: number; currency: string } | null;
}

/** A shipped order whose lines sell these skus at these prices (null: unpriced). */
export async function seedOrder(db: Database, warehouseId: string, lines: SeedLine[]): Promise<string> {
  const [id] = await seedOrders(db, warehouseId, [lines]);
  if (!id) throw new Error('no order');
  return id;
}

/** Many shipped orders in one statement: their ids, in order. */
export async function seedOrders(db: Database, warehouseId: string, orders: SeedLine[][]): Promise<string[]> {
  const ids = orders.map(() => crypto.randomUUID());
  const docs = orders.map((lines, i) => ({ id: ids[i], ...orderDocument(warehouseId, lines) }));
  await db.execute(sql`
    insert into orders.orders (id, status, warehouse_id, warehouse_ids, lines, allocations, created_by)
    select (d->>'id')::uuid, 'shipped', ${warehouseId}, ${sql.param([warehouseId])}::uuid[], d->'lines', d->'allocations', 'seed'
    from jsonb_array_elements(${JSON.stringify(docs)}::jsonb) as d`);
  return ids;
}

function orderDocument(warehouseId: string, lines: SeedLine[]) {
  const orderLines = lines.map((l) => ({
    sku: l.sku,
    qty: l.qty,
    requestedQty: l.qty,
    unitPrice: l.price,
    allocated: l.qty,
    backordered: 0,
    shipped: l.qty,
  }));
  const allocations = lines.map((l) => ({ sku: l.sku, warehouseId, qty: l.qty, shipped: l.qty }));
  return { lines: orderLines, allocations };
}

/**
 * The moves, in time order per level, appended to the ledger with their on hand after and
 * version (continuing any the level has), and the levels set to where they end.
 */
export async function seedMoves(db: Database, moves: readonly SeedMove[]): Promise<SeededLevel[]> {
  const sorted = [...moves].sort((a, b) => a.at.getTime() - b.at.getTime());
  const levels = new Map<string, { onHand: number; version: number }>();
  const rows: unknown[][] = [];
  for (const m of sorted) {
    const key = `${m.warehouseId}|${m.sku}`;
    let level = levels.get(key);
    if (!level) {
      const { rows: found } = await db.execute<{ on_hand: number; version: number }>(sql`
        select on_hand, version from inventory.stock_levels where warehouse_id = ${m.warehouseId} and sku = ${m.sku}`);
      level = { onHand: Number(found[0]?.on_hand ?? 0), version: Number(found[0]?.version ?? 0) };
      levels.set(key, level);
    }
    level.onHand += m.qty;
    level.version += 1;
    if (level.onHand < 0) throw new Error(`seed takes ${key} below 0`);
    rows.push([m.warehouseId, m.sku, m.type, m.qty, level.onHand, level.version, m.orderId ?? null, m.at]);
  }
  const col = (i: number) => sql.param(rows.map((r) => r[i]));
  if (rows.length > 0)
    await db.execute(sql`
      insert into inventory.movements (warehouse_id, sku, type, reason, qty, on_hand_after, level_version,
        reference_type, reference_id, created_at)
      select w, s, t, 'seed', q, o, v, case when r is null then null else 'order' end, r, at
      from unnest(${col(0)}::uuid[], ${col(1)}::text[], ${col(2)}::text[], ${col(3)}::int[], ${col(4)}::int[],
        ${col(5)}::bigint[], ${col(6)}::text[], ${col(7)}::timestamptz[]) as x(w, s, t, q, o, v, r, at)
      order by at`);
  const result: SeededLevel[] = [];
  for (const [key, level] of levels) {
    const [warehouseId = '', sku = ''] = key.split('|');
    await db.execute(sql`
      insert into inventory.stock_levels (warehouse_id, sku, on_hand, version)
      values (${warehouseId}, ${sku}, ${level.onHand}, ${level.version})
      on conflict (warehouse_id, sku) do update set on_hand = excluded.on_hand, version = excluded.version`);
    result.push({ warehouseId, sku, onHand: level.onHand });
  }
  return result;
}

/** A moment on a UTC day: `day` (YYYY-MM-DD) at hh:mm. */
export const at = (day: string, time = '12:00') => new Date(`${day}T${time}:00Z`);
