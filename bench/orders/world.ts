/**
 * The orders benchmark's world: 3 warehouses, one hot sku stocked with 100,000,000 units in each
 * (300 adjustments over HTTP, 8 at once, timed), and 10,000 mixed skus stocked in the first
 * (through the stock functions, 1,000 lines a call).
 */
import { products } from '../../core/catalog/tables.ts';
import { moveStock } from '../../core/inventory/movements.ts';
import { warehouses } from '../../core/inventory/tables.ts';
import type { DatabaseHandle } from '../../core/platform/database.ts';
import type { BenchContext } from '../run.ts';

export interface OrdersWorld {
  warehouseIds: string[];
  hotSku: string;
  mixedPrefix: string;
  mixedCount: number;
  /** How long receiving the hot sku took. */
  receiveMs: number;
}

export async function makeOrdersWorld(
  ctx: BenchContext,
  handle: DatabaseHandle,
  coreUrl: string,
  headers: Record<string, string>,
): Promise<OrdersWorld> {
  ctx.progress('orders: creating 3 warehouses, a hot sku and 10,000 mixed skus');
  const run = crypto.randomUUID().replaceAll('-', '').slice(0, 6).toUpperCase();
  const made = await handle.db
    .insert(warehouses)
    .values([0, 1, 2].map((i) => ({ code: `B${run}${i}`, name: `Orders bench ${i}` })))
    .returning({ id: warehouses.id });
  const warehouseIds = made.map((w) => w.id);
  const [first] = warehouseIds;
  if (!first) throw new Error('the bench warehouses were not created');
  const hotSku = `HOT-${run}`;
  await handle.db
    .insert(products)
    .values({ sku: hotSku, name: `Hot ${hotSku}`, priceAmount: 500, priceCurrency: 'EUR' });
  const mixedPrefix = `MIX${run}-`;
  const mixedCount = 10_000;
  await handle.pool.query(
    `insert into catalog.products (sku, name, price_amount, price_currency)
     select $1 || g, 'Mixed ' || $1 || g, 500, 'EUR' from generate_series(0, $2::int - 1) g`,
    [mixedPrefix, mixedCount],
  );

  ctx.progress('orders: receiving 100,000,000 units of the hot sku per warehouse (300 adjustments)');
  const receiveStarted = performance.now();
  const adjustments = warehouseIds.flatMap((warehouseId) =>
    Array.from({ length: 100 }, () => ({ warehouseId, sku: hotSku, delta: 1_000_000, reason: 'received' })),
  );
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let a = adjustments.pop(); a; a = adjustments.pop()) {
        const res = await fetch(`${coreUrl}/api/inventory/adjustments`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(a),
        });
        const text = await res.text();
        if (res.status !== 201) throw new Error(`receiving stock failed: ${res.status} ${text}`);
      }
    }),
  );
  const receiveMs = performance.now() - receiveStarted;
  ctx.progress(`orders: received in ${Math.round(receiveMs)} ms; stocking the mixed skus (SQL, 10 calls)`);
  for (let from = 0; from < mixedCount; from += 1000) {
    const result = await moveStock(handle.db, {
      mode: 'delta',
      lines: Array.from({ length: Math.min(1000, mixedCount - from) }, (_, i) => ({
        warehouseId: first,
        sku: `${mixedPrefix}${from + i}`,
        qty: 100_000,
      })),
      type: 'receipt',
      reason: 'received',
      actorId: null,
      requestId: null,
    });
    if (!result.ok) throw new Error(`stocking the mixed skus failed: ${JSON.stringify(result.short)}`);
  }
  return { warehouseIds, hotSku, mixedPrefix, mixedCount, receiveMs };
}
