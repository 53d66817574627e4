/**
 * Receiving purchase orders over real HTTP and Postgres: receipt movements, over-receipt,
 * racing receipts counting each unit once, crash recovery, and on order on the levels.
 */
import { beforeEach, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { queuedEvents, queuedPayloads } from '../../test/harness/job-queue.ts';
import { type PO, usePurchasingWorld } from '../../test/harness/purchasing.ts';
import {
  checkInvariants,
  checkPurchaseInvariants,
  receive,
  type StockWorld,
} from '../../test/harness/stock.ts';

const core = useCore();
const purchasing = usePurchasingWorld(core);
const { vendor, draft, submitted, onHand } = purchasing;
let w: StockWorld;
let hel: string;

beforeEach(() => {
  w = purchasing.world();
  hel = purchasing.firstWarehouse();
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
    const events = await queuedEvents<{
      type: string;
      warehouseId: string;
      data: { id: string; status: string };
    }>(core().database.db);
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

  test('a sku on order where it has no level yet shows in availability with nothing on hand', async () => {
    const sku = w.skus[2]!;
    const id = await submitted([{ sku, qty: 7 }]);
    const po = (await (await w.api.get(`/api/purchase-orders/${id}`)).json()) as PO;
    const res = await w.api.get(`/api/products/${sku.toLowerCase()}/availability`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      available: 0,
      onOrder: 7,
      warehouses: [{ warehouseId: hel, onHand: 0, available: 0, onOrder: 7, nextExpectedAt: po.expectedAt }],
    });
  });
});
