/**
 * Vendors and purchase orders over real HTTP and Postgres: vendors and their terms, drafts,
 * their lines and states, Idempotency-Key on creation.
 */
import { beforeEach, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { type PO, usePurchasingWorld } from '../../test/harness/purchasing.ts';
import type { StockWorld } from '../../test/harness/stock.ts';

const core = useCore();
const purchasing = usePurchasingWorld(core);
const { send, vendor, draft, submitted } = purchasing;
let w: StockWorld;
let hel: string;

beforeEach(() => {
  w = purchasing.world();
  hel = purchasing.firstWarehouse();
});

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
