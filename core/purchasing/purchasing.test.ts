/**
 * Purchasing over real HTTP and Postgres: vendors and their terms, purchase orders through their
 * states, receiving (racing receipts count each unit once), on order on the levels, and
 * replenishment drafting each shortfall once however many runs overlap.
 */
import { beforeEach, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { queuedPayloads, takeQueued } from '../../test/harness/job-queue.ts';
import {
  checkInvariants,
  checkPurchaseInvariants,
  receive,
  type StockWorld,
  stockWorld,
} from '../../test/harness/stock.ts';

const core = useCore();
let w: StockWorld;
let hel: string;

beforeEach(async () => {
  w = await stockWorld({ url: core().url, db: core().database.db }, { warehouses: 2, skus: 3 });
  hel = w.warehouses[0]!.id;
});

type PO = {
  id: string;
  status: string;
  version: number;
  expectedAt: string | null;
  lines: { sku: string; qty: number; received: number; unitCost: number | null }[];
};

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

async function draft(
  vendorId: string,
  lines: { sku: string; qty: number }[],
  extra: Record<string, unknown> = {},
) {
  const res = await w.api.post('/api/purchase-orders', { vendorId, warehouseId: hel, lines, ...extra });
  expect(res.status).toBe(201);
  return { po: (await res.json()) as PO, etag: res.headers.get('etag')! };
}

async function submitted(lines: { sku: string; qty: number }[], extra: Record<string, unknown> = {}) {
  const { po } = await draft(await vendor(), lines, extra);
  expect((await w.api.post(`/api/purchase-orders/${po.id}/submit`, {})).status).toBe(200);
  return po.id;
}

const onHand = async (sku: string) => {
  const { rows } = await core().database.db.execute<{ on_hand: number }>(
    sql`select on_hand from inventory.stock_levels where warehouse_id = ${hel} and sku = ${sku}`,
  );
  return rows[0]?.on_hand ?? 0;
};

describe('vendors and supplier items', () => {
  test('create, read, change, and terms per sku (defaults, then kept when left out)', async () => {
    const id = await vendor({ currency: 'SEK', email: 'buy@vendor.example' });
    const read = (await (await w.api.get(`/api/vendors/${id}`)).json()) as Record<string, unknown>;
    expect(read).toMatchObject({ currency: 'SEK', leadTimeDays: 5, active: true });
    const patched = await send('PATCH', `/api/vendors/${id}`, { leadTimeDays: 9 });
    expect(((await patched.json()) as { leadTimeDays: number }).leadTimeDays).toBe(9);
    const sku = w.skus[0]!;
    const put = await send('PUT', `/api/vendors/${id}/items/${sku.toLowerCase()}`, {
      unitCost: 300,
      packSize: 6,
    });
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({ sku, unitCost: 300, packSize: 6, minOrderQty: 1 });
    const again = await send('PUT', `/api/vendors/${id}/items/${sku}`, { minOrderQty: 12 });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ unitCost: 300, packSize: 6, minOrderQty: 12 });
    const list = (await (await w.api.get(`/api/vendors/${id}/items`)).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(1);
  });

  test('bad input is a 422 naming the field; an unknown sku or vendor writes nothing', async () => {
    const bad = await expectProblem(await w.api.post('/api/vendors', { name: '', currency: 'euro' }), 422);
    expect(bad.errors?.map((e) => e.path).sort()).toEqual(['currency', 'name']);
    const id = await vendor();
    const unknown = await expectProblem(
      await send('PUT', `/api/vendors/${id}/items/NOPE-1`, { packSize: 2 }),
      422,
    );
    expect(unknown.errors?.[0]?.path).toBe('sku');
    await expectProblem(await send('PUT', `/api/vendors/${id}/items/${w.skus[0]}`, { packSize: 0 }), 422);
    await expectProblem(await send('PUT', `/api/vendors/${crypto.randomUUID()}/items/${w.skus[0]}`, {}), 404);
  });
});

describe('purchase orders', () => {
  test('a draft takes unit costs and the expected date from the vendor; PATCH needs If-Match', async () => {
    const vendorId = await vendor({ leadTimeDays: 10 });
    const [a, b] = w.skus as [string, string];
    await send('PUT', `/api/vendors/${vendorId}/items/${a}`, { unitCost: 250, leadTimeDays: 3 });
    const before = Date.now();
    const { po, etag } = await draft(vendorId, [
      { sku: a, qty: 5 },
      { sku: b, qty: 2 },
    ]);
    expect(po.status).toBe('draft');
    expect(etag).toBe(`"${po.version}"`);
    expect(po.lines.find((l) => l.sku === a)?.unitCost).toBe(250);
    // The longest lead time of its lines: b takes the vendor's 10 days.
    const days = (Date.parse(po.expectedAt!) - before) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(10);
    expect(days).toBeLessThan(10.1);

    const path = `/api/purchase-orders/${po.id}`;
    await expectProblem(await send('PATCH', path, { lines: [{ sku: a, qty: 7 }] }), 428);
    const changed = await send('PATCH', path, { lines: [{ sku: a, qty: 7 }] }, { 'if-match': etag });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as PO).lines).toEqual([{ sku: a, qty: 7, received: 0, unitCost: 250 }]);
    // The old tag no longer matches: someone else's edit is not overwritten.
    await expectProblem(
      await send('PATCH', path, { lines: [{ sku: a, qty: 9 }] }, { 'if-match': etag }),
      412,
    );

    expect((await w.api.post(`${path}/submit`, {})).status).toBe(200);
    const after = await send('PATCH', path, { note: 'x' }, { 'if-match': '*' });
    await expectProblem(after, 409, 'illegal-transition');
  });

  test('bad lines are a 422 naming them, and nothing is written', async () => {
    const vendorId = await vendor();
    const res = await w.api.post('/api/purchase-orders', {
      vendorId,
      warehouseId: hel,
      lines: [
        { sku: w.skus[0], qty: 1 },
        { sku: 'NOPE-404', qty: 1 },
        { sku: w.skus[0], qty: 0 },
      ],
    });
    const problem = await expectProblem(res, 422);
    expect(problem.errors?.map((e) => e.path)).toContain('lines.2.qty');
    const unknownVendor = await w.api.post('/api/purchase-orders', {
      vendorId: crypto.randomUUID(),
      warehouseId: hel,
      lines: [{ sku: w.skus[0], qty: 1 }],
    });
    expect((await expectProblem(unknownVendor, 422)).errors?.[0]?.path).toBe('vendorId');
    const { rows } = await core().database.db.execute(
      sql`select 1 from purchasing.purchase_orders where vendor_id = ${vendorId}`,
    );
    expect(rows).toHaveLength(0);
  });

  test('Idempotency-Key on creation: a retry returns the same draft, one row', async () => {
    const vendorId = await vendor();
    const body = { vendorId, warehouseId: hel, lines: [{ sku: w.skus[0], qty: 3 }] };
    const key = { 'idempotency-key': crypto.randomUUID() };
    const first = (await (await w.api.post('/api/purchase-orders', body, key)).json()) as PO;
    const retry = await w.api.post('/api/purchase-orders', body, key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(((await retry.json()) as PO).id).toBe(first.id);
  });

  test('cancel from draft or submitted; close only when partially received', async () => {
    const sku = w.skus[0]!;
    const id = await submitted([{ sku, qty: 4 }]);
    await expectProblem(await w.api.post(`/api/purchase-orders/${id}/close`, {}), 409, 'illegal-transition');
    expect((await w.api.post(`/api/purchase-orders/${id}/cancel`, {})).status).toBe(200);
    await expectProblem(
      await w.api.post(`/api/purchase-orders/${id}/receive`, { lines: [{ sku, qty: 1 }] }),
      409,
      'illegal-transition',
    );
  });
});

describe('receiving', () => {
  test('receipt movements with the PO as reference, received counts, statuses, and stock.changed', async () => {
    const [a, b] = w.skus as [string, string];
    const id = await submitted([
      { sku: a, qty: 10 },
      { sku: b, qty: 4 },
    ]);
    const part = await w.api.post(`/api/purchase-orders/${id}/receive`, {
      lines: [{ sku: a.toLowerCase(), qty: 6 }],
    });
    expect(part.status).toBe(200);
    expect(((await part.json()) as PO).status).toBe('partially_received');
    expect(await onHand(a)).toBe(6);
    const moves = (await (
      await w.api.get(`/api/inventory/movements?warehouseId=${hel}&sku=${a}`)
    ).json()) as {
      items: { type: string; reason: string; qty: number; reference: unknown }[];
    };
    expect(moves.items).toEqual([
      expect.objectContaining({
        type: 'receipt',
        reason: 'purchase_order',
        qty: 6,
        reference: { type: 'purchase_order', id },
      }),
    ]);
    const done = await w.api.post(`/api/purchase-orders/${id}/receive`, {
      lines: [
        { sku: a, qty: 4 },
        { sku: b, qty: 4 },
      ],
    });
    const po = (await done.json()) as PO;
    expect(po.status).toBe('received');
    expect(po.lines.map((l) => l.received)).toEqual([10, 4].slice(0, 2));
    // Arriving stock wakes the backorder allocator, as any receipt does.
    expect((await queuedPayloads(core().database.db, 'allocate-backorders')).length).toBeGreaterThan(0);
    const events = await queuedPayloads<{
      type: string;
      warehouseId: string;
      data: { id: string; status: string };
    }>(core().database.db, 'publish-event');
    const mine = events.filter((e) => e.type === 'purchase_order.updated' && e.data.id === id);
    expect(mine.map((e) => e.data.status)).toEqual(['draft', 'submitted', 'partially_received', 'received']);
    expect(mine.every((e) => e.warehouseId === hel)).toBe(true);
    await checkInvariants(core().database.db, [hel]);
  });

  test('over-receipt is a 409 naming the line, unless within the tolerance; nothing written', async () => {
    const sku = w.skus[0]!;
    const strict = await submitted([{ sku, qty: 10 }]);
    const over = await w.api.post(`/api/purchase-orders/${strict}/receive`, { lines: [{ sku, qty: 11 }] });
    const problem = (await expectProblem(over, 409, 'over-receipt')) as unknown as {
      path: string;
      line: { sku: string; ordered: number };
    };
    expect(problem.path).toBe('lines.0.qty');
    expect(problem.line).toMatchObject({ sku, ordered: 10 });
    expect(await onHand(sku)).toBe(0);
    const lax = await submitted([{ sku, qty: 10 }], { receiveTolerancePct: 10 });
    const ok = await w.api.post(`/api/purchase-orders/${lax}/receive`, { lines: [{ sku, qty: 11 }] });
    expect(((await ok.json()) as PO).status).toBe('received');
    await expectProblem(
      await w.api.post(`/api/purchase-orders/${lax}/receive`, { lines: [{ sku, qty: 1 }] }),
      409,
    );
    const notOnIt = await w.api.post(`/api/purchase-orders/${strict}/receive`, {
      lines: [{ sku: w.skus[1], qty: 1 }],
    });
    expect((await expectProblem(notOnIt, 422)).errors?.[0]?.path).toBe('lines.0.sku');
  });

  test('racing receipts never count a unit twice: 10 ordered, 16 receipts of 1 at once', async () => {
    const sku = w.skus[0]!;
    const id = await submitted([{ sku, qty: 10 }]);
    const answers = await Promise.all(
      Array.from({ length: 16 }, () =>
        w.api.post(`/api/purchase-orders/${id}/receive`, { lines: [{ sku, qty: 1 }] }).then((r) => r.status),
      ),
    );
    expect(answers.filter((s) => s === 200)).toHaveLength(10);
    expect(answers.filter((s) => s === 409)).toHaveLength(6);
    const po = (await (await w.api.get(`/api/purchase-orders/${id}`)).json()) as PO;
    expect(po.status).toBe('received');
    expect(po.lines[0]?.received).toBe(10);
    expect(await onHand(sku)).toBe(10);
    await checkInvariants(core().database.db, [hel]);
    await checkPurchaseInvariants(core().database.db, [hel]);
  });

  test('a receipt retried with its Idempotency-Key is received once', async () => {
    const sku = w.skus[0]!;
    const id = await submitted([{ sku, qty: 10 }]);
    const key = { 'idempotency-key': crypto.randomUUID() };
    const body = { lines: [{ sku, qty: 3 }] };
    const answers = await Promise.all(
      [1, 2, 3].map(() => w.api.post(`/api/purchase-orders/${id}/receive`, body, key)),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await onHand(sku)).toBe(3);
  });
});

describe('a receipt a crash left unapplied', () => {
  test('still counts as on order, and the next run applies it to the ledger once', async () => {
    const sku = w.skus[0]!;
    await receive(w, hel, sku, 1);
    const id = await submitted([{ sku, qty: 10 }]);
    const db = core().database.db;
    // What a receipt request leaves when it dies after its transaction, before inventory heard of it.
    await db.execute(
      sql`update purchasing.purchase_order_lines set received = 4 where purchase_order_id = ${id}`,
    );
    await db.execute(sql`
      insert into purchasing.receipts (id, purchase_order_id, lines, created_at)
      values (${crypto.randomUUID()}, ${id}, ${JSON.stringify([{ sku, qty: 4 }])}::jsonb, now() - interval '2 minutes')`);
    const onOrder = async () => {
      const page = (await (await w.api.get(`/api/warehouses/${hel}/stock`)).json()) as {
        items: { sku: string; onOrder: number }[];
      };
      return page.items.find((l) => l.sku === sku)?.onOrder;
    };
    expect(await onOrder()).toBe(10);
    expect(await onHand(sku)).toBe(1);
    for (let run = 0; run < 2; run++)
      expect((await w.api.post('/api/replenishment/run', { warehouseId: hel })).status).toBe(202);
    expect(await onHand(sku)).toBe(5);
    expect(await onOrder()).toBe(6);
    await checkInvariants(db, [hel]);
    await checkPurchaseInvariants(db, [hel]);
  });
});

describe('on order', () => {
  test('submitted and not received shows as onOrder with the next expected date; closing short clears it', async () => {
    const sku = w.skus[0]!;
    await receive(w, hel, sku, 1);
    const level = async () => {
      const page = (await (await w.api.get(`/api/warehouses/${hel}/stock`)).json()) as {
        items: { sku: string; onOrder: number; nextExpectedAt: string | null }[];
      };
      return page.items.find((l) => l.sku === sku)!;
    };
    const { po } = await draft(await vendor(), [{ sku, qty: 8 }]);
    expect((await level()).onOrder).toBe(0);
    const submittedPo = (await (await w.api.post(`/api/purchase-orders/${po.id}/submit`, {})).json()) as PO;
    expect(await level()).toMatchObject({ onOrder: 8, nextExpectedAt: submittedPo.expectedAt });
    await w.api.post(`/api/purchase-orders/${po.id}/receive`, { lines: [{ sku, qty: 5 }] });
    expect((await level()).onOrder).toBe(3);
    const availability = (await (await w.api.get(`/api/products/${sku}/availability`)).json()) as {
      onOrder: number;
    };
    expect(availability.onOrder).toBe(3);
    expect((await w.api.post(`/api/purchase-orders/${po.id}/close`, {})).status).toBe(200);
    expect(await level()).toMatchObject({ onOrder: 0, nextExpectedAt: null });
  });
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
