/**
 * The world purchasing's tests share: a stock world (2 warehouses, 3 skus) made fresh before each
 * test, and the requests they all make: vendors, drafts, submitted purchase orders, on hand.
 */
import { beforeEach, expect } from 'bun:test';
import { sql } from 'drizzle-orm';
import type { TestCore } from './core.ts';
import { type StockWorld, stockWorld } from './stock.ts';

export type PO = {
  id: string;
  status: string;
  version: number;
  expectedAt: string | null;
  lines: { sku: string; qty: number; received: number; unitCost: number | null }[];
};

export function usePurchasingWorld(core: () => TestCore) {
  let w: StockWorld;
  let hel: string;

  beforeEach(async () => {
    w = await stockWorld({ url: core().url, db: core().database.db }, { warehouses: 2, skus: 3 });
    hel = w.warehouses[0]!.id;
  });

  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    w.api.send(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function vendor(extra: Record<string, unknown> = {}): Promise<string> {
    const res = await w.api.post('/api/vendors', {
      name: `Vendor ${crypto.randomUUID()}`,
      leadTimeDays: 5,
      ...extra,
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  }

  /** A draft of this vendor's for the first warehouse. */
  async function draft(
    vendorId: string,
    lines: { sku: string; qty: number }[],
    extra: Record<string, unknown> = {},
  ) {
    const res = await w.api.post('/api/purchase-orders', { vendorId, warehouseId: hel, lines, ...extra });
    expect(res.status).toBe(201);
    return { po: (await res.json()) as PO, etag: res.headers.get('etag')! };
  }

  /** A submitted purchase order from a new vendor: its id. */
  async function submitted(lines: { sku: string; qty: number }[], extra: Record<string, unknown> = {}) {
    const { po } = await draft(await vendor(), lines, extra);
    expect((await w.api.post(`/api/purchase-orders/${po.id}/submit`, {})).status).toBe(200);
    return po.id;
  }

  /** On hand of a sku in the first warehouse, from the database. */
  const onHand = async (sku: string) => {
    const { rows } = await core().database.db.execute<{ on_hand: number }>(
      sql`select on_hand from inventory.stock_levels where warehouse_id = ${hel} and sku = ${sku}`,
    );
    return rows[0]?.on_hand ?? 0;
  };

  return { world: () => w, firstWarehouse: () => hel, send, vendor, draft, submitted, onHand };
}
