/**
 * Orders over real HTTP and Postgres: the allocator, partial and backorder, idempotency, line
 * changes, cancel, partial and full shipping, delivery, the state machine, and bad inputs.
 */
import { beforeEach, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useCore } from '../../test/harness/core.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { queuedEvents } from '../../test/harness/job-queue.ts';
import { captureLogger } from '../../test/harness/logs.ts';
import { checkInvariants, receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { runTask } from '../../test/harness/task.ts';
import { createLocalInventoryClient } from '../inventory/client.ts';
import { allocateBackorders, expireReservations } from './order-upkeep.ts';
import type { OrderView } from './schemas.ts';

const core = useCore();
let w: StockWorld;
let [a, b, c] = ['', '', ''];
let [hel, ber] = ['', ''];

// A world of its own for every test, stocked the same way: no test relies on what another one
// ordered, shipped or received (they pass in any order: bun test --randomize).
beforeEach(async () => {
  w = await stockWorld({ url: core().url, db: core().database.db }, { warehouses: 2, skus: 6, price: 1299 });
  [hel, ber] = w.warehouses.map((x) => x.id) as [string, string];
  [a, b, c] = w.skus as [string, string, string];
  await receive(w, hel, a, 40);
  await receive(w, hel, b, 2);
  await receive(w, ber, b, 8);
  await receive(w, ber, c, 3);
});

const order = async (body: unknown, headers: Record<string, string> = {}) => {
  const res = await w.api.post('/api/orders', body, headers);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as OrderView;
};
const levels = async () => {
  const { rows } = await core().database.db.execute<{
    warehouse_id: string;
    sku: string;
    on_hand: number;
    reserved: number;
  }>(
    sql`select warehouse_id, sku, on_hand, reserved from inventory.stock_levels where warehouse_id in (${hel}, ${ber})`,
  );
  return (wh: string, sku: string) => rows.find((r) => r.warehouse_id === wh && r.sku === sku);
};
const invariants = () => checkInvariants(core().database.db, [hel, ber]);

describe('placing orders', () => {
  test('a single warehouse serves the whole order when one can; the catalog price is the default', async () => {
    const o = await order({
      lines: [
        { sku: a, qty: 2 },
        { sku: b.toLowerCase(), qty: 1 },
      ],
    });
    expect(o.status).toBe('confirmed');
    expect(o.allocations.map((x) => x.warehouseId)).toEqual([hel, hel]);
    expect(o.lines[1]).toMatchObject({
      sku: b,
      qty: 1,
      allocated: 1,
      unitPrice: { amount: 1299, currency: 'EUR' },
    });
    const at = await levels();
    expect(at(hel, a)).toMatchObject({ on_hand: 40, reserved: 2 });
    const holds = await createLocalInventoryClient(core().database.db).holdsOf('order', o.id);
    // Until the sweep keeps it, the hold carries the expiry that covers a crash before the order committed.
    expect(holds.every((h) => h.expiresAt !== null)).toBe(true);
    await invariants();
  });

  test('lines of one sku are summed before the check; out of stock is 409 with the short lines and holds nothing', async () => {
    const before = await levels();
    const res = await w.api.post('/api/orders', {
      lines: [
        { sku: c, qty: 2 },
        { sku: c, qty: 2 },
      ],
    });
    const problem = (await expectProblem(res, 409, 'out-of-stock')) as unknown as {
      lines: { sku: string; requested: number; available: number }[];
    };
    expect(problem.lines).toEqual([{ sku: c, requested: 4, available: 3 }]);
    expect((await levels())(ber, c)).toEqual(before(ber, c)!);
  });

  test('allowPartial takes what there is; allowBackorder keeps the rest waiting, then allocates it when stock arrives', async () => {
    const partial = await order({ lines: [{ sku: c, qty: 5 }], allowPartial: true });
    expect(partial.lines[0]).toMatchObject({ qty: 3, requestedQty: 5, allocated: 3, backordered: 0 });
    const waiting = await order({ lines: [{ sku: c, qty: 4 }], allowBackorder: true });
    expect(waiting.status).toBe('backordered');
    expect(waiting.lines[0]).toMatchObject({ qty: 4, allocated: 0, backordered: 4 });
    await receive(w, ber, c, 10);
    const deps = {
      db: core().database.db,
      inventory: createLocalInventoryClient(core().database.db),
      log: captureLogger({}).log,
    };
    expect(await allocateBackorders(deps)).toBe(1);
    const after = (await (await w.api.get(`/api/orders/${waiting.id}`)).json()) as OrderView;
    expect(after.status).toBe('confirmed');
    expect(after.lines[0]).toMatchObject({ allocated: 4, backordered: 0 });
    await invariants();
  });

  test('a named warehouse is the only one used', async () => {
    const res = await w.api.post('/api/orders', { lines: [{ sku: b, qty: 5 }], warehouseId: hel });
    await expectProblem(res, 409, 'out-of-stock');
    const o = await order({ lines: [{ sku: b, qty: 5 }], warehouseId: ber });
    expect(o.allocations).toEqual([{ sku: b, warehouseId: ber, qty: 5, shipped: 0 }]);
  });

  test('bad orders are 422 naming the field, and hold nothing', async () => {
    const cases: [unknown, string][] = [
      [{ lines: [] }, 'lines'],
      [{ lines: [{ sku: a, qty: 0 }] }, 'lines.0.qty'],
      [{ lines: [{ sku: a, qty: -1 }] }, 'lines.0.qty'],
      [{ lines: [{ sku: a, qty: 1.5 }] }, 'lines.0.qty'],
      [{ lines: [{ sku: 'NOPE-404', qty: 1 }] }, 'lines.0.sku'],
      [{ lines: [{ sku: a, qty: 1 }], warehouseId: 'x' }, 'warehouseId'],
      [
        { lines: [{ sku: a, qty: 1, unitPrice: { amount: -1, currency: 'EUR' } }] },
        'lines.0.unitPrice.amount',
      ],
      [{ lines: [{ sku: a, qty: 1 }], surprise: 1 }, 'surprise'],
      [{ lines: [{ sku: a, qty: 1 }], reservationExpiresAt: 'tomorrow' }, 'reservationExpiresAt'],
      [
        { lines: [{ sku: a, qty: 1 }], reservationExpiresAt: new Date(Date.now() - 60_000).toISOString() },
        'reservationExpiresAt',
      ],
      [
        {
          lines: [{ sku: a, qty: 1 }],
          reservationExpiresAt: new Date(Date.now() + 31 * 86_400_000).toISOString(),
        },
        'reservationExpiresAt',
      ],
    ];
    const before = await levels();
    for (const [body, path] of cases) {
      const problem = await expectProblem(await w.api.post('/api/orders', body), 422);
      expect(
        problem.errors?.map((e) => e.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const raw = await w.api.send('/api/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"lines": [',
    });
    await expectProblem(raw, 400);
    expect((await levels())(hel, a)).toEqual(before(hel, a)!);
  });
});

describe('review cases', () => {
  test('the same externalRef twice without a channel is 409 and holds nothing more', async () => {
    const ref = `ext-${crypto.randomUUID()}`;
    await order({ lines: [{ sku: a, qty: 1 }], externalRef: ref });
    const before = (await levels())(hel, a)!.reserved;
    const dup = await w.api.post('/api/orders', { lines: [{ sku: a, qty: 1 }], externalRef: ref });
    await expectProblem(dup, 409, 'duplicate-external-ref');
    expect((await levels())(hel, a)!.reserved).toBe(before);
    await order({ lines: [{ sku: a, qty: 1 }], externalRef: ref, channel: 'web' });
  });

  test('a clerk of one warehouse cannot ship or cancel an order split across two', async () => {
    await receive(w, hel, b, 5);
    const split = await order({ lines: [{ sku: b, qty: 9 }] });
    expect(new Set(split.allocations.map((x) => x.warehouseId)).size).toBe(2);
    const { signedIn } = await import('../../test/harness/auth.ts');
    const clerk = await signedIn(
      { url: core().url, db: core().database.db },
      { roles: ['clerk'], warehouseIds: [ber] },
    );
    const as = (path: string) => fetch(`${core().url}${path}`, { method: 'POST', headers: clerk.headers });
    expect((await as(`/api/orders/${split.id}/ship`)).status).toBe(403);
    expect((await as(`/api/orders/${split.id}/cancel`)).status).toBe(403);
    expect((await fetch(`${core().url}/api/orders/${split.id}`, { headers: clerk.headers })).status).toBe(
      200,
    );
    await w.api.post(`/api/orders/${split.id}/cancel`, {});
    await invariants();
  });

  test('settling refuses to release a hold that changed since it was read', async () => {
    const o = await order({ lines: [{ sku: a, qty: 2 }], warehouseId: hel });
    const inventory = createLocalInventoryClient(core().database.db);
    const stale = await inventory.hold({
      kind: 'release',
      holderType: 'order',
      holderId: o.id,
      lines: [{ warehouseId: hel, sku: a, qty: 1, held: 5 }],
      expiresAt: null,
      requestId: null,
    });
    expect(stale.ok).toBe(false);
    expect((await inventory.holdsOf('order', o.id)).map((h) => h.qty)).toEqual([2]);
    await w.api.post(`/api/orders/${o.id}/cancel`, {});
    expect(await inventory.holdsOf('order', o.id)).toEqual([]);
  });

  test('backordered units of a partially shipped order are allocated when stock arrives', async () => {
    const sku = w.skus[4]!;
    await receive(w, hel, sku, 2);
    const o = await order({ lines: [{ sku, qty: 5 }], warehouseId: hel, allowBackorder: true });
    expect(o.lines[0]).toMatchObject({ allocated: 2, backordered: 3 });
    const shipped = (await (await w.api.post(`/api/orders/${o.id}/ship`, {})).json()) as OrderView;
    expect(shipped.status).toBe('partially_shipped');
    await receive(w, hel, sku, 3);
    const deps = {
      db: core().database.db,
      inventory: createLocalInventoryClient(core().database.db),
      log: captureLogger({}).log,
    };
    await allocateBackorders(deps);
    const after = (await (await w.api.get(`/api/orders/${o.id}`)).json()) as OrderView;
    expect(after.lines[0]).toMatchObject({ allocated: 5, backordered: 0, shipped: 2 });
    const done = (await (await w.api.post(`/api/orders/${o.id}/ship`, {})).json()) as OrderView;
    expect(done.status).toBe('shipped');
    await invariants();
  });
});

describe('idempotency', () => {
  test('a replay returns the first order; another body with the key is 422', async () => {
    const key = crypto.randomUUID();
    const body = { lines: [{ sku: a, qty: 1 }] };
    const first = await order(body, { 'idempotency-key': key });
    const replay = await w.api.post('/api/orders', body, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(((await replay.json()) as OrderView).id).toBe(first.id);
    await expectProblem(
      await w.api.post('/api/orders', { lines: [{ sku: a, qty: 2 }] }, { 'idempotency-key': key }),
      422,
      'idempotency-key-reused',
    );
  });

  test('concurrent duplicates produce one order', async () => {
    const key = crypto.randomUUID();
    const body = { lines: [{ sku: a, qty: 1 }], externalRef: `dup-${key}` };
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => w.api.post('/api/orders', body, { 'idempotency-key': key })),
    );
    const ids = new Set<string>();
    for (const res of responses) {
      expect(res.status).toBe(201);
      ids.add(((await res.json()) as OrderView).id);
    }
    expect(ids.size).toBe(1);
    const { rows } = await core().database.db.execute(
      sql`select count(*)::int as n from orders.orders where external_ref = ${body.externalRef}`,
    );
    expect(rows[0]!.n).toBe(1);
  });

  test('keys are per caller: another caller with the same key places its own order', async () => {
    const key = crypto.randomUUID();
    const mine = await order({ lines: [{ sku: a, qty: 1 }] }, { 'idempotency-key': key });
    const { signedIn } = await import('../../test/harness/auth.ts');
    const other = await signedIn({ url: core().url, db: core().database.db }, { roles: ['admin'] });
    const res = await fetch(`${core().url}/api/orders`, {
      method: 'POST',
      headers: { ...other.headers, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ lines: [{ sku: a, qty: 1 }] }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as OrderView).id).not.toBe(mine.id);
    await invariants();
  });
});

describe('changing, shipping and the state machine', () => {
  test('PATCH lines: reservations follow the difference', async () => {
    const o = await order({ lines: [{ sku: a, qty: 3 }], warehouseId: hel });
    const before = (await levels())(hel, a)!.reserved;
    const grown = await w.api.send(`/api/orders/${o.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        lines: [
          { sku: a, qty: 1 },
          { sku: b, qty: 1 },
        ],
      }),
    });
    expect(grown.status, await grown.clone().text()).toBe(200);
    const view = (await grown.json()) as OrderView;
    expect(view.lines.map((l) => [l.sku, l.qty])).toEqual([
      [a, 1],
      [b, 1],
    ]);
    expect((await levels())(hel, a)!.reserved).toBe(before - 2);
    await invariants();
  });

  test('partial ship, then the rest; deliver; cancel after shipping is 409', async () => {
    const o = await order({ lines: [{ sku: a, qty: 3 }] });
    const bad = await w.api.post(`/api/orders/${o.id}/ship`, { lines: [{ sku: a, qty: 4 }] });
    await expectProblem(bad, 422);
    const part = await w.api.post(`/api/orders/${o.id}/ship`, { lines: [{ sku: a, qty: 1 }] });
    expect(part.status, await part.clone().text()).toBe(200);
    expect(((await part.json()) as OrderView).status).toBe('partially_shipped');
    await expectProblem(await w.api.post(`/api/orders/${o.id}/deliver`, {}), 409, 'illegal-transition');
    await expectProblem(await w.api.post(`/api/orders/${o.id}/cancel`, {}), 409, 'illegal-transition');
    const rest = await w.api.post(`/api/orders/${o.id}/ship`, {});
    const shipped = (await rest.json()) as OrderView;
    expect(shipped.status).toBe('shipped');
    expect(shipped.lines[0]).toMatchObject({ shipped: 3 });
    await expectProblem(await w.api.post(`/api/orders/${o.id}/ship`, {}), 409);
    const delivered = await w.api.post(`/api/orders/${o.id}/deliver`, {});
    expect(((await delivered.json()) as OrderView).status).toBe('delivered');
    const { rows } = await core().database.db.execute(
      sql`select sum(qty)::int as q from inventory.movements where reference_id = ${o.id} and type = 'shipment'`,
    );
    expect(rows[0]!.q).toBe(-3);
    await invariants();
  });

  test('cancel releases; a second cancel is 409; unknown orders are 404', async () => {
    const o = await order({ lines: [{ sku: a, qty: 2 }] });
    const before = (await levels())(hel, a)!.reserved;
    const res = await w.api.post(`/api/orders/${o.id}/cancel`, {});
    expect(((await res.json()) as OrderView).status).toBe('cancelled');
    expect((await levels())(hel, a)!.reserved).toBe(before - 2);
    await expectProblem(await w.api.post(`/api/orders/${o.id}/cancel`, {}), 409, 'illegal-transition');
    const patch = await w.api.send(`/api/orders/${o.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lines: [{ sku: a, qty: 1 }] }),
    });
    await expectProblem(patch, 409, 'illegal-transition');
    await expectProblem(await w.api.get(`/api/orders/${crypto.randomUUID()}`), 404);
    await invariants();
  });

  test('lists page without repeats and filter by status', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await w.api.get(`/api/orders?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const page = (await res.json()) as { items: OrderView[]; nextCursor: string | null };
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const { rows } = await core().database.db.execute(sql`select count(*)::int as n from orders.orders`);
    expect(seen.length).toBe(rows[0]!.n as number);
    const cancelled = (await (await w.api.get('/api/orders?status=cancelled')).json()) as {
      items: OrderView[];
    };
    expect(cancelled.items.every((o) => o.status === 'cancelled')).toBe(true);
  });

  test('a hold left by a crash before the order committed is released by the sweep; a committed order keeps its hold', async () => {
    const db = core().database.db;
    const inventory = createLocalInventoryClient(db);
    const ghost = crypto.randomUUID();
    const held = await inventory.hold({
      kind: 'reserve',
      holderType: 'order',
      holderId: ghost,
      lines: [{ warehouseId: hel, sku: a, qty: 1 }],
      expiresAt: new Date(Date.now() - 1000),
      requestId: null,
    });
    expect(held.ok).toBe(true);
    const live = await order({ lines: [{ sku: a, qty: 1 }] });
    await db.execute(
      sql`update inventory.reservations set expires_at = now() - interval '1 second' where holder_id = ${live.id}`,
    );
    const { expireHoldsTask } = await import('../../jobs/tasks/order-upkeep.ts');
    await runTask(expireHoldsTask, { db });
    expect(await inventory.holdsOf('order', ghost)).toEqual([]);
    expect((await inventory.holdsOf('order', live.id)).map((h) => h.expiresAt)).toEqual([null]);
    await invariants();
  });
});

describe('reservations that expire (pending orders)', () => {
  const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
  const lapse = (id: string) =>
    core().database.db.execute(
      sql`update orders.orders set reservation_expires_at = now() - interval '1 second' where id = ${id}`,
    );
  const expireTwiceAtOnce = async () => {
    const deps = {
      db: core().database.db,
      log: captureLogger({}).log,
      inventory: createLocalInventoryClient(core().database.db),
    };
    const counts = await Promise.all([expireReservations(deps), expireReservations(deps)]);
    return counts.reduce((n, c) => n + c, 0);
  };

  test('a pending order holds its stock, cannot ship, and keeps it for good once confirmed', async () => {
    const before = await levels();
    const o = await order({
      lines: [{ sku: a, qty: 2 }],
      warehouseId: hel,
      reservationExpiresAt: inAnHour(),
    });
    expect(o.status).toBe('pending');
    expect(Date.parse(o.reservationExpiresAt!)).toBeGreaterThan(Date.now());
    expect((await levels())(hel, a)!.reserved).toBe(before(hel, a)!.reserved + 2);
    await expectProblem(await w.api.post(`/api/orders/${o.id}/ship`, {}), 409, 'illegal-transition');
    const patched = (await (
      await w.api.send(`/api/orders/${o.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lines: [{ sku: a, qty: 3 }] }),
      })
    ).json()) as OrderView;
    expect(patched).toMatchObject({ status: 'pending', reservationExpiresAt: o.reservationExpiresAt });
    const confirmed = await w.api.post(`/api/orders/${o.id}/confirm`, {});
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ status: 'confirmed', reservationExpiresAt: null });
    await expectProblem(await w.api.post(`/api/orders/${o.id}/confirm`, {}), 409, 'illegal-transition');
    await lapse(o.id);
    expect(await expireTwiceAtOnce()).toBe(0);
    expect((await levels())(hel, a)!.reserved).toBe(before(hel, a)!.reserved + 3);
    await invariants();
  });

  test('past its expiry, a pending order is cancelled once (two sweeps at once), its stock released, with an event', async () => {
    const before = await levels();
    const o = await order({
      lines: [{ sku: a, qty: 4 }],
      warehouseId: hel,
      reservationExpiresAt: inAnHour(),
    });
    const keep = await order({
      lines: [{ sku: a, qty: 1 }],
      warehouseId: hel,
      reservationExpiresAt: inAnHour(),
    });
    await lapse(o.id);
    await expectProblem(await w.api.post(`/api/orders/${o.id}/confirm`, {}), 409, 'reservation-expired');
    expect(await expireTwiceAtOnce()).toBe(1);
    const after = (await (await w.api.get(`/api/orders/${o.id}`)).json()) as OrderView;
    expect(after).toMatchObject({
      status: 'cancelled',
      cancelReason: 'reservation_expired',
      reservationExpiresAt: null,
    });
    expect(((await (await w.api.get(`/api/orders/${keep.id}`)).json()) as OrderView).status).toBe('pending');
    expect((await levels())(hel, a)!.reserved).toBe(before(hel, a)!.reserved + 1);
    expect(await createLocalInventoryClient(core().database.db).holdsOf('order', o.id)).toEqual([]);
    const events = await queuedEvents<{ type: string; data: { id?: string } }>(core().database.db);
    expect(events.filter((e) => e.type === 'order.cancelled' && e.data.id === o.id)).toHaveLength(1);
    await invariants();
  });

  test('a cancel by hand says so', async () => {
    const o = await order({
      lines: [{ sku: a, qty: 1 }],
      warehouseId: hel,
      reservationExpiresAt: inAnHour(),
    });
    expect(await (await w.api.post(`/api/orders/${o.id}/cancel`, {})).json()).toMatchObject({
      status: 'cancelled',
      cancelReason: 'requested',
    });
  });
});
