/**
 * Inventory over real HTTP and Postgres: adjustments, counts, the ledger, reorder settings,
 * transfers, and the bad inputs each answers with a problem.
 */
import { beforeEach, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { queuedEvents } from '../../test/harness/job-queue.ts';
import { checkInvariants, receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';

const core = useCore();
let w: StockWorld;
let hel: string;
let ber: string;

// A world of its own for every test: no test relies on what another one received, counted or
// moved (they pass in any order: bun test --randomize).
beforeEach(async () => {
  w = await stockWorld({ url: core().url, db: core().database.db }, { warehouses: 2, skus: 5 });
  hel = w.warehouses[0]!.id;
  ber = w.warehouses[1]!.id;
});

const level = async (warehouseId: string, sku: string) => {
  const res = await w.api.get(`/api/warehouses/${warehouseId}/stock?limit=200`);
  expect(res.status).toBe(200);
  const page = (await res.json()) as {
    items: { sku: string; onHand: number; reserved: number; inTransit: number; version: number }[];
  };
  return page.items.find((l) => l.sku === sku);
};

describe('adjustments and the ledger', () => {
  test('a receipt creates the level and one movement; sku case follows the catalog', async () => {
    const sku = w.skus[0]!;
    const res = await w.api.post('/api/inventory/adjustments', {
      warehouseId: hel,
      sku: sku.toLowerCase(),
      delta: 10,
      reason: 'received',
      note: 'first delivery',
    });
    expect(res.status).toBe(201);
    const movement = (await res.json()) as {
      sku: string;
      type: string;
      qty: number;
      onHandAfter: number;
      version: number;
    };
    expect(movement).toMatchObject({ sku, type: 'receipt', qty: 10, onHandAfter: 10 });
    expect(await level(hel, sku)).toMatchObject({ onHand: 10, reserved: 0, version: movement.version });
    const list = await w.api.get(`/api/inventory/movements?warehouseId=${hel}&sku=${sku}`);
    const page = (await list.json()) as { items: { qty: number; note: string }[] };
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ qty: 10, note: 'first delivery' });
  });

  test('each change enqueues stock.changed with the level and its new version, in the same transaction', async () => {
    const sku = w.skus[0]!;
    const res = await w.api.post('/api/inventory/adjustments', {
      warehouseId: hel,
      sku,
      delta: 2,
      reason: 'found',
    });
    const movement = (await res.json()) as { version: number; onHandAfter: number };
    const rows = (
      await queuedEvents<{ type: string; warehouseId: string; data: Record<string, unknown> }>(
        core().database.db,
      )
    ).filter((e) => e.type === 'stock.changed' && e.data.sku === sku && e.data.version === movement.version);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.warehouseId).toBe(hel);
    expect(rows[0]!.data).toMatchObject({
      onHand: movement.onHandAfter,
      reserved: 0,
      available: movement.onHandAfter,
    });
    await w.api.post('/api/inventory/adjustments', { warehouseId: hel, sku, delta: -2, reason: 'lost' });
  });

  test('bad adjustments are problems, and write nothing', async () => {
    const sku = w.skus[1]!;
    const cases: [unknown, string][] = [
      [{ warehouseId: hel, sku, delta: 0, reason: 'other' }, 'delta'],
      [{ warehouseId: hel, sku, delta: 5, reason: 'damaged' }, 'delta'],
      [{ warehouseId: hel, sku, delta: -5, reason: 'received' }, 'delta'],
      [{ warehouseId: hel, sku, delta: 1.5, reason: 'other' }, 'delta'],
      [{ warehouseId: hel, sku, delta: 1, reason: 'stolen' }, 'reason'],
      [{ warehouseId: 'nope', sku, delta: 1, reason: 'other' }, 'warehouseId'],
      [{ warehouseId: hel, sku: 'NO-SUCH-SKU', delta: 1, reason: 'other' }, 'sku'],
      [{ warehouseId: crypto.randomUUID(), sku, delta: 1, reason: 'other' }, 'warehouseId'],
      [{ warehouseId: hel, sku, delta: 1, reason: 'other', extra: true }, 'extra'],
    ];
    for (const [body, path] of cases) {
      const problem = await expectProblem(await w.api.post('/api/inventory/adjustments', body), 422);
      expect(
        problem.errors?.map((e) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect(await level(hel, sku)).toBeUndefined();
    const below = await w.api.post('/api/inventory/adjustments', {
      warehouseId: hel,
      sku,
      delta: -1,
      reason: 'lost',
    });
    await expectProblem(below, 409, 'below-reserved');
    expect(await level(hel, sku)).toBeUndefined();
  });

  test('the ledger refuses UPDATE, DELETE and TRUNCATE', async () => {
    const db = core().database.db;
    for (const statement of [
      sql`update inventory.movements set qty = 99`,
      sql`delete from inventory.movements`,
      sql`truncate inventory.movements`,
    ]) {
      const err = await (async () => db.execute(statement))().then(
        () => undefined,
        (e: unknown) => e as { cause?: { message?: string } },
      );
      expect(err?.cause?.message).toContain('append-only');
    }
  });

  test('a count sets on hand; variances become count movements; below reserved is 409', async () => {
    const [a, b] = [w.skus[2]!, w.skus[3]!];
    await receive(w, ber, a, 7);
    const res = await w.api.post('/api/inventory/counts', {
      warehouseId: ber,
      lines: [
        { sku: a, counted: 5 },
        { sku: b, counted: 3 },
      ],
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const count = (await res.json()) as {
      lines: { sku: string; variance: number; onHandBefore: number }[];
      movements: { type: string; qty: number }[];
    };
    expect(count.lines).toEqual([
      { sku: a, counted: 5, onHandBefore: 7, variance: -2 },
      { sku: b, counted: 3, onHandBefore: 0, variance: 3 },
    ] as never);
    expect(count.movements.map((m) => [m.type, m.qty])).toEqual([
      ['count', -2],
      ['count', 3],
    ]);
    const dup = await w.api.post('/api/inventory/counts', {
      warehouseId: ber,
      lines: [
        { sku: a, counted: 1 },
        { sku: a, counted: 2 },
      ],
    });
    await expectProblem(dup, 422);
    await checkInvariants(core().database.db, [hel, ber]);
  });

  test('reorder settings, and the below-reorder-point filter', async () => {
    const sku = w.skus[0]!;
    const res = await w.api.send(`/api/warehouses/${hel}/stock/${sku}/reorder`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reorderPoint: 50, reorderQty: 100 }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ sku, reorderPoint: 50, reorderQty: 100 });
    const low = (await (await w.api.get(`/api/warehouses/${hel}/stock?belowReorderPoint=true`)).json()) as {
      items: { sku: string }[];
    };
    expect(low.items.map((l) => l.sku)).toEqual([sku]);
    const bad = await w.api.send(`/api/warehouses/${hel}/stock/${sku}/reorder`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reorderPoint: -1, reorderQty: 0 }),
    });
    const problem = await expectProblem(bad, 422);
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['reorderPoint', 'reorderQty']);
  });

  test('movement pages have no repeats and no gaps', async () => {
    const sku = w.skus[1]!;
    for (let i = 0; i < 5; i++) await receive(w, ber, sku, 1);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await w.api.get(
        `/api/inventory/movements?sku=${sku}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    await expectProblem(await w.api.get('/api/inventory/movements?cursor=garbage'), 422);
  });
});

describe('stock.low', () => {
  test('announced once per crossing of the reorder point, again after a recovery; twice at once still once', async () => {
    const { detectLowStock } = await import('./low-stock.ts');
    const db = core().database.db;
    const sku = w.skus[3]!;
    await receive(w, hel, sku, 10);
    await w.api.send(`/api/warehouses/${hel}/stock/${sku}/reorder`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reorderPoint: 5, reorderQty: 20 }),
    });
    const lowEvents = async () => {
      const events = await queuedEvents<{ type: string; data: { sku?: string } }>(db);
      return events.filter((e) => e.type === 'stock.low' && e.data.sku === sku).length;
    };
    await detectLowStock(db);
    expect(await lowEvents()).toBe(0);
    await w.api.post('/api/inventory/adjustments', { warehouseId: hel, sku, delta: -6, reason: 'damaged' });
    await Promise.all([detectLowStock(db), detectLowStock(db)]);
    await detectLowStock(db);
    expect(await lowEvents()).toBe(1);
    await receive(w, hel, sku, 10);
    await detectLowStock(db);
    await w.api.post('/api/inventory/adjustments', { warehouseId: hel, sku, delta: -12, reason: 'lost' });
    await detectLowStock(db);
    expect(await lowEvents()).toBe(2);
  });

  test('Idempotency-Keys older than 24 hours are pruned', async () => {
    const { pruneIdempotencyKeys } = await import('../platform/idempotency.ts');
    const db = core().database.db;
    await w.api.post(
      '/api/inventory/adjustments',
      { warehouseId: hel, sku: w.skus[3]!, delta: 1, reason: 'found' },
      { 'idempotency-key': 'old-key' },
    );
    await db.execute(
      sql`update platform.idempotency_keys set created_at = now() - interval '25 hours' where key = 'old-key'`,
    );
    expect(await pruneIdempotencyKeys(db)).toBeGreaterThanOrEqual(1);
    const { rows } = await db.execute(
      sql`select count(*)::int as n from platform.idempotency_keys where key = 'old-key'`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});

describe('transfers', () => {
  test('requested holds at the source, in transit shows, partial then full receipt', async () => {
    const sku = w.skus[0]!;
    await receive(w, hel, sku, 10);
    const res = await w.api.post('/api/transfers', {
      fromWarehouseId: hel,
      toWarehouseId: ber,
      lines: [{ sku, qty: 4 }],
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const t = (await res.json()) as { id: string; status: string };
    expect(t.status).toBe('requested');
    expect(await level(hel, sku)).toMatchObject({ onHand: 10, reserved: 4 });
    const shipped = await w.api.post(`/api/transfers/${t.id}/ship`, {});
    expect(shipped.status).toBe(200);
    expect(await level(hel, sku)).toMatchObject({ onHand: 6, reserved: 0 });
    expect(await level(ber, sku)).toBeUndefined();
    const part = await w.api.post(`/api/transfers/${t.id}/receive`, { lines: [{ sku, qty: 1 }] });
    expect(((await part.json()) as { status: string }).status).toBe('partially_received');
    expect(await level(ber, sku)).toMatchObject({ onHand: 1, inTransit: 3 });
    const tooMany = await w.api.post(`/api/transfers/${t.id}/receive`, { lines: [{ sku, qty: 9 }] });
    await expectProblem(tooMany, 422);
    const twice = await w.api.post(`/api/transfers/${t.id}/receive`, {
      lines: [
        { sku, qty: 2 },
        { sku: sku.toLowerCase(), qty: 2 },
      ],
    });
    expect((await expectProblem(twice, 422)).errors?.[0]?.path).toBe('lines.1.sku');
    const rest = await w.api.post(`/api/transfers/${t.id}/receive`, {});
    const done = (await rest.json()) as { status: string; lines: { received: number; inTransit: number }[] };
    expect(done.status).toBe('received');
    expect(done.lines[0]).toMatchObject({ received: 4, inTransit: 0 });
    expect(await level(ber, sku)).toMatchObject({ onHand: 4, inTransit: 0 });
    const late = await w.api.post(`/api/transfers/${t.id}/cancel`, {});
    await expectProblem(late, 409, 'illegal-transition');
    await checkInvariants(core().database.db, [hel, ber]);
  });

  test('out of stock is 409 with the lines; cancel releases; bad transfers are 422', async () => {
    const sku = w.skus[0]!;
    await receive(w, hel, sku, 10);
    const short = await w.api.post('/api/transfers', {
      fromWarehouseId: hel,
      toWarehouseId: ber,
      lines: [{ sku, qty: 1000 }],
    });
    const problem = (await expectProblem(short, 409, 'out-of-stock')) as unknown as {
      lines: { sku: string }[];
    };
    expect(problem.lines[0]!.sku).toBe(sku);
    const res = await w.api.post('/api/transfers', {
      fromWarehouseId: hel,
      toWarehouseId: ber,
      lines: [{ sku, qty: 2 }],
    });
    const t = (await res.json()) as { id: string };
    expect((await level(hel, sku))?.reserved).toBe(2);
    const cancelled = await w.api.post(`/api/transfers/${t.id}/cancel`, {});
    expect(((await cancelled.json()) as { status: string }).status).toBe('cancelled');
    expect((await level(hel, sku))?.reserved).toBe(0);
    await expectProblem(
      await w.api.post('/api/transfers', {
        fromWarehouseId: hel,
        toWarehouseId: hel,
        lines: [{ sku, qty: 1 }],
      }),
      422,
    );
    await expectProblem(
      await w.api.post('/api/transfers', { fromWarehouseId: hel, toWarehouseId: ber, lines: [] }),
      422,
    );
    await expectProblem(await w.api.get(`/api/transfers/${crypto.randomUUID()}`), 404);
    const list = (await (await w.api.get(`/api/transfers?status=cancelled`)).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((x) => x.id)).toContain(t.id);
  });

  test('an Idempotency-Key replays the first response and refuses another body', async () => {
    const sku = w.skus[0]!;
    const key = crypto.randomUUID();
    const body = { warehouseId: hel, sku, delta: 1, reason: 'found' };
    const first = await w.api.post('/api/inventory/adjustments', body, { 'idempotency-key': key });
    const again = await w.api.post('/api/inventory/adjustments', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    const other = await w.api.post(
      '/api/inventory/adjustments',
      { ...body, delta: 2 },
      { 'idempotency-key': key },
    );
    await expectProblem(other, 422, 'idempotency-key-reused');
  });

  test('a count replayed with its Idempotency-Key (a scanner resending after a lost answer) counts once', async () => {
    const sku = w.skus[4]!;
    const key = crypto.randomUUID();
    const body = { warehouseId: ber, lines: [{ sku, counted: 5 }] };
    const first = await w.api.post('/api/inventory/counts', body, { 'idempotency-key': key });
    expect(first.status, await first.clone().text()).toBe(201);
    await receive(w, ber, sku, 2);
    const again = await w.api.post('/api/inventory/counts', body, { 'idempotency-key': key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    // Counted again, on hand would be back at 5: the replay leaves the receipt made after it.
    const moves = (await (
      await w.api.get(`/api/inventory/movements?warehouseId=${ber}&sku=${sku}`)
    ).json()) as { items: { type: string }[] };
    expect(moves.items.map((m) => m.type).sort()).toEqual(['count', 'receipt']);
  });
});
