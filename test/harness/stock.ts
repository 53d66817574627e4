/**
 * A small world for stock tests: warehouses and products written straight to the database, an
 * admin signed in over HTTP, and the invariant checker every stock test ends with.
 */
import { expect } from 'bun:test';
import { createClient, type VarastokkrClient } from '@varastokkr/client';
import { sql } from 'drizzle-orm';
import { products } from '../../core/catalog/tables.ts';
import { warehouses } from '../../core/inventory/tables.ts';
import type { Database } from '../../core/platform/database.ts';
import { type LevelState, levelProblems, readLevelStates } from '../../db/invariants.ts';
import { type Actor, signedIn } from './auth.ts';
import { apiClient } from './http.ts';

export interface StockWorld {
  admin: Actor;
  api: ReturnType<typeof apiClient>;
  /** The typed client (packages/client), signed in as the admin: refreshes its own tokens. */
  client: VarastokkrClient;
  warehouses: { id: string; code: string }[];
  skus: string[];
}

const tag = () => crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();

export async function stockWorld(
  target: { url: string; db: Database },
  opts: { warehouses: number; skus: number; price?: number },
): Promise<StockWorld> {
  const run = tag();
  const made = await target.db
    .insert(warehouses)
    .values(
      Array.from({ length: opts.warehouses }, (_, i) => ({
        code: `W${run}${i}`.slice(0, 10),
        name: `Stock test ${i}`,
      })),
    )
    .returning({ id: warehouses.id, code: warehouses.code });
  const skus = Array.from({ length: opts.skus }, (_, i) => `S${run}-${i}`);
  await target.db.insert(products).values(
    skus.map((sku) => ({
      sku,
      name: `Product ${sku}`,
      priceAmount: opts.price ?? 500,
      priceCurrency: 'EUR',
    })),
  );
  const admin = await signedIn(target, { roles: ['admin'] });
  return {
    admin,
    api: apiClient(
      () => target.url,
      () => admin.headers,
    ),
    client: createClient({
      baseUrl: target.url,
      credentials: { email: admin.user.email, password: admin.password },
    }),
    warehouses: made,
    skus,
  };
}

/** Receives stock through the API (a `received` adjustment); a refusal throws its ProblemError. */
export async function receive(world: StockWorld, warehouseId: string, sku: string, qty: number) {
  const { response } = await world.client.POST('/api/inventory/adjustments', {
    body: { warehouseId, sku, delta: qty, reason: 'received' },
  });
  expect(response.status).toBe(201);
}

/**
 * The invariants, checked in the database (db/invariants.ts): for every level of these
 * warehouses, on_hand is the sum of its ledger, reserved is the sum of its holds, and
 * 0 <= reserved <= on_hand. The levels, with their sums.
 */
export async function checkInvariants(db: Database, warehouseIds: string[]): Promise<LevelState[]> {
  const levels = await readLevelStates(db.$client, { warehouseIds });
  expect(levels.flatMap(levelProblems)).toEqual([]);
  return levels;
}

/**
 * Purchasing's invariants, checked in the database: no line received more than ordered plus its
 * PO's tolerance, and every applied receipt of a PO is in the ledger exactly once (the receipt
 * movements referencing the PO add up to what its applied receipts recorded).
 */
export async function checkPurchaseInvariants(db: Database, warehouseIds: string[]): Promise<void> {
  const { rows: lines } = await db.execute<{
    id: string;
    sku: string;
    qty: number;
    received: number;
    pct: number;
  }>(sql`
    select p.id, l.sku, l.qty, l.received, p.receive_tolerance_pct as pct
    from purchasing.purchase_order_lines l join purchasing.purchase_orders p on p.id = l.purchase_order_id
    where p.warehouse_id = any(${sql.param(warehouseIds)}::uuid[])`);
  for (const l of lines)
    expect(l.received, `received within ordered + tolerance on ${l.id}/${l.sku}`).toBeLessThanOrEqual(
      l.qty + Math.floor((l.qty * l.pct) / 100),
    );
  const { rows } = await db.execute<{ id: string; recorded: number; ledger: number }>(sql`
    select p.id,
      coalesce((select sum((e->>'qty')::int) from purchasing.receipts r, jsonb_array_elements(r.lines) e
                where r.purchase_order_id = p.id and r.applied_at is not null), 0)::int as recorded,
      coalesce((select sum(m.qty) from inventory.movements m
                where m.reference_type = 'purchase_order' and m.reference_id = p.id::text), 0)::int as ledger
    from purchasing.purchase_orders p where p.warehouse_id = any(${sql.param(warehouseIds)}::uuid[])`);
  for (const r of rows) expect(r.ledger, `receipts of ${r.id} in the ledger once`).toBe(r.recorded);
}
