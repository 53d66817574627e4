/**
 * Replenishment over real HTTP and Postgres: drafting each shortfall once however many runs
 * overlap, its triggers, and reorder suggestions from demand.
 */
import { beforeEach, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { queuedPayloads, takeQueued } from '../../test/harness/job-queue.ts';
import { usePurchasingWorld } from '../../test/harness/purchasing.ts';
import { receive, type StockWorld } from '../../test/harness/stock.ts';

const core = useCore();
const purchasing = usePurchasingWorld(core);
const { send, vendor, submitted } = purchasing;
let w: StockWorld;
let hel: string;

beforeEach(() => {
  w = purchasing.world();
  hel = purchasing.firstWarehouse();
});

describe('replenishment', () => {
  async function belowReorderPoint(vendorId: string, sku: string, terms: Record<string, unknown>) {
    await send('PUT', `/api/vendors/${vendorId}/items/${sku}`, terms);
    const res = await send('PUT', `/api/warehouses/${hel}/stock/${sku}/reorder`, {
      reorderPoint: 10,
      reorderQty: 25,
      preferredVendorId: vendorId,
    });
    expect(res.status).toBe(200);
  }

  const draftLines = async (vendorId: string) => {
    const { rows } = await core().database.db.execute<{ id: string; sku: string; qty: number }>(sql`
      select p.id, l.sku, l.qty from purchasing.purchase_orders p
      join purchasing.purchase_order_lines l on l.purchase_order_id = p.id
      where p.vendor_id = ${vendorId} and p.status = 'draft' order by l.sku`);
    return rows;
  };

  test('only levels short after in transit and on order get a line', async () => {
    const vendorId = await vendor();
    const [short, above, coming] = w.skus as [string, string, string];
    const ber = w.warehouses[1]!.id;
    await receive(w, hel, short, 3);
    await receive(w, hel, above, 12);
    await receive(w, ber, coming, 12);
    const transfer = await w.api.post('/api/transfers', {
      fromWarehouseId: ber,
      toWarehouseId: hel,
      lines: [{ sku: coming, qty: 12 }],
    });
    expect(transfer.status).toBe(201);
    const { id: transferId } = (await transfer.json()) as { id: string };
    expect((await w.api.post(`/api/transfers/${transferId}/ship`, {})).status).toBe(200);
    for (const sku of [short, above, coming]) await belowReorderPoint(vendorId, sku, {});
    const run = await w.api.post('/api/replenishment/run', { warehouseId: hel });
    const { lines } = (await run.json()) as { lines: { sku: string; qty: number }[] };
    // short: 3 < 10 -> 25; above: 12; coming: 0 on hand + 12 in transit, not below 10.
    expect(lines.map((l) => ({ sku: l.sku, qty: l.qty }))).toEqual([{ sku: short, qty: 25 }]);
    expect((await draftLines(vendorId)).map((l) => l.sku)).toEqual([short]);
  });

  test('two runs at once, then a third: one draft, one line, rounded to the pack and at least the MOQ', async () => {
    const vendorId = await vendor();
    const [a, b] = w.skus as [string, string];
    await receive(w, hel, a, 3);
    await belowReorderPoint(vendorId, a, { packSize: 12, minOrderQty: 1 });
    await belowReorderPoint(vendorId, b, { packSize: 1, minOrderQty: 40 });
    const runs = await Promise.all(
      [1, 2].map(() => w.api.post('/api/replenishment/run', { warehouseId: hel })),
    );
    expect(runs.map((r) => r.status)).toEqual([202, 202]);
    expect((await w.api.post('/api/replenishment/run', { warehouseId: hel })).status).toBe(202);
    const lines = await draftLines(vendorId);
    // a: position 3 < 10, reorder qty 25 -> 3 packs of 12; b: position 0, 25 -> MOQ 40.
    expect(lines.map((l) => ({ sku: l.sku, qty: l.qty }))).toEqual([
      { sku: a, qty: 36 },
      { sku: b, qty: 40 },
    ]);
    expect(new Set(lines.map((l) => l.id)).size).toBe(1);
  });

  test('a shortfall already on order (submitted) or on a manual draft is not ordered again', async () => {
    const vendorId = await vendor();
    const sku = w.skus[0]!;
    await belowReorderPoint(vendorId, sku, {});
    const id = await submitted([{ sku, qty: 20 }]);
    expect(id).toBeString();
    const res = (await (await w.api.post('/api/replenishment/run', { warehouseId: hel })).json()) as {
      lines: unknown[];
    };
    expect(res.lines).toEqual([]);
    expect(await draftLines(vendorId)).toEqual([]);
  });
});

describe('replenishment triggers', () => {
  test('a manual draft already covering the shortfall leaves the run nothing to add', async () => {
    const vendorId = await vendor();
    const sku = w.skus[1]!;
    await send('PUT', `/api/warehouses/${hel}/stock/${sku}/reorder`, {
      reorderPoint: 10,
      reorderQty: 5,
      preferredVendorId: vendorId,
    });
    const [manual, run] = await Promise.all([
      w.api.post('/api/purchase-orders', { vendorId, warehouseId: hel, lines: [{ sku, qty: 12 }] }),
      w.api.post('/api/replenishment/run', { warehouseId: hel }),
    ]);
    expect([manual.status, run.status]).toEqual([201, 202]);
    // Whichever went first, the second saw it: 12 (manual) alone, or the run's 10 plus the manual 12.
    const { rows } = await core().database.db.execute<{ n: number }>(sql`
      select count(*)::int as n from purchasing.purchase_order_lines l
      join purchasing.purchase_orders p on p.id = l.purchase_order_id
      where p.warehouse_id = ${hel} and l.sku = ${sku} and p.origin = 'replenishment'`);
    const drafted = (await run.json()) as { lines: unknown[] };
    expect(rows[0]!.n).toBe(drafted.lines.length);
    expect(
      (await (await w.api.post('/api/replenishment/run', { warehouseId: hel })).json()) as object,
    ).toEqual({
      lines: [],
      noVendor: [],
    });
  });

  test('stock.low queues a replenishment run in the same transaction', async () => {
    const { detectLowStock } = await import('../inventory/low-stock.ts');
    const sku = w.skus[2]!;
    await send('PUT', `/api/warehouses/${hel}/stock/${sku}/reorder`, { reorderPoint: 3, reorderQty: 5 });
    const db = core().database.db;
    await takeQueued(db, 'replenish');
    expect(await detectLowStock(db)).toBeGreaterThan(0);
    expect(await queuedPayloads(db, 'replenish')).toHaveLength(1);
  });
});

describe('suggestions from demand', () => {
  /** Shipped units on past days (1 = yesterday), each balanced by a receipt that day so on hand = ledger. */
  async function shippedOn(sku: string, byDaysAgo: Record<number, number>) {
    const db = core().database.db;
    for (const [ago, qty] of Object.entries(byDaysAgo)) {
      const at = new Date(Date.now() - Number(ago) * 86_400_000).toISOString();
      await db.execute(sql`
        insert into inventory.movements (warehouse_id, sku, type, reason, qty, on_hand_after, level_version, created_at)
        values (${hel}, ${sku}, 'receipt', 'test', ${qty}, ${qty}, 1, ${at}::timestamptz),
               (${hel}, ${sku}, 'shipment', 'order', ${-qty}, 0, 1, ${at}::timestamptz)`);
    }
  }

  test('a worked example: mean, deviation, lead time, reorder point and EOQ in packs; apply sets them', async () => {
    const sku = w.skus[0]!;
    const vendorId = await vendor({ leadTimeDays: 4 });
    await send('PUT', `/api/vendors/${vendorId}/items/${sku}`, { unitCost: 200, packSize: 12 });
    await send('PUT', `/api/warehouses/${hel}/stock/${sku}/reorder`, {
      reorderPoint: 1,
      reorderQty: 1,
      preferredVendorId: vendorId,
    });
    // 7 days: 2, 4, 4, 6 and three days of none -> mean 16/7, variance 72/7 - (16/7)^2.
    await shippedOn(sku, { 1: 2, 2: 4, 3: 4, 4: 6 });
    const query = `warehouseId=${hel}&windowDays=7&serviceLevel=0.95&orderCost=5000&holdingRate=0.25`;
    const res = await w.api.get(`/api/replenishment/suggestions?${query}`);
    expect(res.status).toBe(200);
    const s = ((await res.json()) as { items: Record<string, unknown>[] }).items.find((i) => i.sku === sku)!;
    const mean = 16 / 7;
    const sigma = Math.sqrt(72 / 7 - mean * mean); // 2.2497
    expect(s.avgDailyDemand).toBeCloseTo(mean, 2);
    expect(s.demandStdDev).toBeCloseTo(sigma, 2);
    expect(s.leadTimeDays).toBe(4);
    // 2.2857 x 4 + 1.6449 x 2.2497 x 2 = 9.143 + 7.401 = 16.54 -> 17
    expect(s.suggestedReorderPoint).toBe(17);
    // EOQ: sqrt(2 x 834.3 x 5000 / (200 x 0.25)) = 408.5 -> 35 packs of 12 = 420
    expect(s).toMatchObject({
      suggestedReorderQty: 420,
      qtyMethod: 'eoq',
      current: { reorderPoint: 1, reorderQty: 1 },
    });

    const bad = await w.api.post(`/api/replenishment/suggestions/apply?${query}`, {
      warehouseId: hel,
      skus: [sku, 'NOPE-1'],
    });
    expect((await expectProblem(bad, 422)).errors?.[0]?.path).toBe('skus.1');
    const applied = await w.api.post(`/api/replenishment/suggestions/apply?${query}`, {
      warehouseId: hel,
      skus: [sku],
    });
    expect(applied.status).toBe(200);
    const levels = (await (await w.api.get(`/api/warehouses/${hel}/stock`)).json()) as {
      items: { sku: string; reorderPoint: number; reorderQty: number; preferredVendorId: string }[];
    };
    expect(levels.items.find((l) => l.sku === sku)).toMatchObject({
      reorderPoint: 17,
      reorderQty: 420,
      preferredVendorId: vendorId,
    });
  });
});
