/**
 * Who sees and changes which order, through the edge (workerd, then core): two partner API keys
 * and a partner user in one warehouse each see only their own orders, staff keep their
 * warehouses, external references are per owner, prices and pending holds follow the role,
 * and requested transfers expire. Real Postgres, real jobs, real HTTP.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { signedIn } from '../../test/harness/auth.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { apiClient, eventually, expectProblem } from '../../test/harness/http.ts';
import { checkInvariants, receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { expireTransfers } from '../inventory/transfer-expiry.ts';
import type { TransferView } from '../inventory/transfers.ts';
import { configSchema } from '../platform/config.ts';
import { parseEnv } from '../platform/env.ts';
import type { OrderView } from './schemas.ts';

type Client = ReturnType<typeof apiClient>;

let edge: TestEdge;
let w: StockWorld;
let [wh, far] = ['', ''];
let [sku, other] = ['', ''];
/** Two partner keys and a partner user, all scoped to `wh`; staff of `wh` and of `far`. */
let keyA: Client;
let keyB: Client;
let partnerUser: Client;
let clerk: Client;
let farClerk: Client;
let manager: Client;
let keyAId = '';

const client = (headers: Record<string, string>) =>
  apiClient(
    () => edge.url,
    () => headers,
  );
const patch = (as: Client, path: string, body: unknown) =>
  as.send(path, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const placed = async (as: Client, body: Record<string, unknown>) => {
  const res = await as.post('/api/orders', { warehouseId: wh, ...body });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as OrderView;
};
const listed = async (as: Client, query = '') => {
  const res = await as.get(`/api/orders?limit=200${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: OrderView[] }).items.map((o) => o.id);
};

beforeAll(async () => {
  edge = await testEdge();
  const target = { url: edge.url, db: edge.database.db };
  w = await stockWorld(target, { warehouses: 2, skus: 2, price: 1500 });
  [wh, far] = w.warehouses.map((x) => x.id) as [string, string];
  [sku, other] = w.skus as [string, string];
  await receive(w, wh, sku, 500);
  await receive(w, wh, other, 500);
  const key = async (name: string) => {
    const res = await w.api.post('/api/api-keys', { name, roles: ['partner'], warehouseIds: [wh] });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; key: string };
  };
  const [a, b] = [await key('partner A'), await key('partner B')];
  keyAId = a.id;
  keyA = client({ 'x-api-key': a.key });
  keyB = client({ 'x-api-key': b.key });
  const as = async (roles: ['partner'] | ['clerk'] | ['manager'], scope: string) =>
    client((await signedIn(target, { roles, warehouseIds: [scope] })).headers);
  partnerUser = await as(['partner'], wh);
  clerk = await as(['clerk'], wh);
  farClerk = await as(['clerk'], far);
  manager = await as(['manager'], wh);
}, 120_000);

describe('partners see and change only their own orders', () => {
  test("key B gets 404 for key A's order on every path, finds it in no list, and changes nothing", async () => {
    const mine = await placed(keyA, {
      lines: [{ sku, qty: 2 }],
      customer: { name: 'Alice Example', email: 'alice@example.test' },
      reservationExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(mine).toMatchObject({ ownerKind: 'api_key', ownerId: keyAId, status: 'pending' });
    expect((await keyA.get(`/api/orders/${mine.id}`)).status).toBe(200);
    expect(await listed(keyA)).toContain(mine.id);

    for (const intruder of [keyB, partnerUser]) {
      const read = await expectProblem(await intruder.get(`/api/orders/${mine.id}`), 404);
      expect(JSON.stringify(read)).not.toContain('Alice');
      // The same answer as for an order that does not exist.
      await expectProblem(await intruder.get(`/api/orders/${crypto.randomUUID()}`), 404);
      expect(await listed(intruder)).not.toContain(mine.id);
      expect(await listed(intruder, `&warehouseId=${wh}`)).not.toContain(mine.id);
      await expectProblem(await patch(intruder, `/api/orders/${mine.id}`, { lines: [{ sku, qty: 9 }] }), 404);
      await expectProblem(await intruder.post(`/api/orders/${mine.id}/cancel`, {}), 404);
      await expectProblem(await intruder.post(`/api/orders/${mine.id}/confirm`, {}), 404);
      // Fulfilment is no partner's, whoever owns the order.
      await expectProblem(await intruder.post(`/api/orders/${mine.id}/ship`, {}), 403);
    }
    const after = (await (await keyA.get(`/api/orders/${mine.id}`)).json()) as OrderView;
    expect(after).toMatchObject({ status: 'pending', version: mine.version });
    expect(after.lines[0]).toMatchObject({ qty: 2 });
    // The owner itself may change and cancel it.
    expect((await patch(keyA, `/api/orders/${mine.id}`, { lines: [{ sku, qty: 3 }] })).status).toBe(200);
    expect(((await (await keyA.post(`/api/orders/${mine.id}/cancel`, {})).json()) as OrderView).status).toBe(
      'cancelled',
    );
    await checkInvariants(edge.database.db, [wh]);
  });

  test("a partner user sees its own orders and not the keys'; staff keep their warehouse scope", async () => {
    const byUser = await placed(partnerUser, { lines: [{ sku, qty: 1 }] });
    const byKey = await placed(keyB, { lines: [{ sku, qty: 1 }] });
    expect(byUser.ownerKind).toBe('user');
    expect(await listed(partnerUser)).toContain(byUser.id);
    expect(await listed(partnerUser)).not.toContain(byKey.id);
    expect(await listed(keyB)).toContain(byKey.id);
    expect(await listed(keyB)).not.toContain(byUser.id);
    expect((await keyB.get(`/api/orders/${byUser.id}`)).status).toBe(404);
    // The clerk and manager of the warehouse see and handle both; a clerk elsewhere gets 403.
    for (const staff of [clerk, manager]) {
      expect((await staff.get(`/api/orders/${byKey.id}`)).status).toBe(200);
      expect(await listed(staff)).toEqual(expect.arrayContaining([byUser.id, byKey.id]));
    }
    await expectProblem(await farClerk.get(`/api/orders/${byKey.id}`), 403);
    expect(await listed(farClerk)).not.toContain(byKey.id);
    expect((await clerk.post(`/api/orders/${byKey.id}/cancel`, {})).status).toBe(200);
  });

  test("externalRef is unique per owner: another partner's reference is neither taken nor revealed", async () => {
    const ref = `ext-${crypto.randomUUID()}`;
    await placed(keyA, { lines: [{ sku, qty: 1 }], externalRef: ref, channel: 'shop' });
    const theirs = await placed(keyB, { lines: [{ sku, qty: 1 }], externalRef: ref, channel: 'shop' });
    expect(theirs.externalRef).toBe(ref);
    const dup = await keyA.post('/api/orders', {
      warehouseId: wh,
      lines: [{ sku, qty: 1 }],
      externalRef: ref,
      channel: 'shop',
    });
    await expectProblem(dup, 409, 'duplicate-external-ref');
  });

  test('order events carry the owner, so the live feed can keep them from other partners', async () => {
    const mine = await placed(keyA, { lines: [{ sku, qty: 1 }] });
    const data = await eventually(async () => {
      const { rows } = await edge.database.db.execute<{ data: Record<string, unknown> }>(sql`
        select data from integrations.event_archive where type = 'order.created' and data->>'id' = ${mine.id}`);
      return rows[0]?.data;
    });
    expect(data).toMatchObject({ ownerKind: 'api_key', ownerId: keyAId });
  });
  test('orders from before owners were kept: the migration takes the owner from created_by; ownerless ones are staff-only', async () => {
    const mine = await placed(keyA, { lines: [{ sku, qty: 1 }] });
    const db = edge.database.db;
    await db.execute(sql`update orders.orders set owner_kind = null, owner_id = null where id = ${mine.id}`);
    await expectProblem(await keyA.get(`/api/orders/${mine.id}`), 404);
    expect(await listed(keyA)).not.toContain(mine.id);
    expect((await clerk.get(`/api/orders/${mine.id}`)).status).toBe(200);
    const migration = await Bun.file(
      new URL('../../db/migrations/0015_order_owners_hold_limits.sql', import.meta.url),
    ).text();
    const backfill = migration
      .split('--> statement-breakpoint')
      .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
      .find((s) => s.startsWith('UPDATE "orders"."orders"'))!;
    await db.execute(sql.raw(backfill));
    expect(((await (await keyA.get(`/api/orders/${mine.id}`)).json()) as OrderView).ownerId).toBe(keyAId);
  });
});

describe('prices and pending holds follow the role', () => {
  test('only admins and managers set unitPrice; the catalog price sent back is no override', async () => {
    for (const caller of [keyA, partnerUser, clerk]) {
      const before = (await checkInvariants(edge.database.db, [wh])).find((l) => l.sku === sku)!.reserved;
      const res = await caller.post('/api/orders', {
        warehouseId: wh,
        lines: [
          { sku: other, qty: 1 },
          { sku, qty: 1, unitPrice: { amount: 0, currency: 'EUR' } },
        ],
      });
      const problem = await expectProblem(res, 403);
      expect(problem.errors?.map((e) => e.path)).toEqual(['lines.1.unitPrice']);
      expect((await checkInvariants(edge.database.db, [wh])).find((l) => l.sku === sku)!.reserved).toBe(
        before,
      );
    }
    const echoed = await placed(keyA, {
      lines: [{ sku, qty: 1, unitPrice: { amount: 1500, currency: 'EUR' } }],
    });
    expect(echoed.lines[0]!.unitPrice).toEqual({ amount: 1500, currency: 'EUR' });
    const omitted = await placed(keyA, { lines: [{ sku, qty: 1 }] });
    expect(omitted.lines[0]!.unitPrice).toEqual({ amount: 1500, currency: 'EUR' });
    const repriced = await placed(keyA, { lines: [{ sku, qty: 1 }] });
    const refused = await patch(keyA, `/api/orders/${repriced.id}`, {
      lines: [{ sku, qty: 1, unitPrice: { amount: 1, currency: 'EUR' } }],
    });
    expect((await expectProblem(refused, 403)).errors?.[0]?.path).toBe('lines.0.unitPrice');
    // A clerk changing a discounted order may keep the price it has.
    const kept = await placed(manager, {
      lines: [{ sku, qty: 1, unitPrice: { amount: 900, currency: 'EUR' } }],
    });
    const keep = await patch(clerk, `/api/orders/${kept.id}`, {
      lines: [{ sku, qty: 2, unitPrice: { amount: 900, currency: 'EUR' } }],
    });
    expect(keep.status, await keep.clone().text()).toBe(200);
    const lower = await patch(clerk, `/api/orders/${kept.id}`, {
      lines: [{ sku, qty: 2, unitPrice: { amount: 800, currency: 'EUR' } }],
    });
    await expectProblem(lower, 403);
    const discounted = await placed(manager, {
      lines: [{ sku, qty: 1, unitPrice: { amount: 0, currency: 'EUR' } }],
    });
    expect(discounted.lines[0]!.unitPrice).toEqual({ amount: 0, currency: 'EUR' });
  });

  test('a partner may hold a pending order only as far ahead as its role allows', async () => {
    const hours = parseEnv(configSchema, {}).PENDING_HOLD_MAX_HOURS_PARTNER;
    const at = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    const tooFar = await keyA.post('/api/orders', {
      warehouseId: wh,
      lines: [{ sku, qty: 1 }],
      reservationExpiresAt: at(hours + 1),
    });
    expect((await expectProblem(tooFar, 422)).errors?.map((e) => e.path)).toEqual(['reservationExpiresAt']);
    const ok = await placed(keyA, { lines: [{ sku, qty: 1 }], reservationExpiresAt: at(hours - 1) });
    expect(ok.status).toBe('pending');
    const staff = await placed(manager, { lines: [{ sku, qty: 1 }], reservationExpiresAt: at(hours + 1) });
    expect(staff.status).toBe('pending');
  });
});

describe('requested transfers expire', () => {
  test('a transfer carries its expiry; once lapsed it cannot ship, and the sweep cancels it once', async () => {
    const hours = parseEnv(configSchema, {}).TRANSFER_EXPIRY_HOURS;
    const res = await w.api.post('/api/transfers', {
      fromWarehouseId: wh,
      toWarehouseId: far,
      lines: [{ sku: other, qty: 5 }],
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const t = (await res.json()) as TransferView;
    const ahead = Date.parse(t.expiresAt!) - Date.now();
    expect(ahead).toBeGreaterThan((hours - 1) * 3_600_000);
    expect(ahead).toBeLessThanOrEqual(hours * 3_600_000);
    await edge.database.db.execute(
      sql`update inventory.transfers set expires_at = now() - interval '1 second' where id = ${t.id}`,
    );
    await expectProblem(await w.api.post(`/api/transfers/${t.id}/ship`, {}), 409, 'transfer-expired');
    const counts = await Promise.all([expireTransfers(edge.database.db), expireTransfers(edge.database.db)]);
    expect(counts.reduce((n, c) => n + c, 0)).toBe(1);
    const after = (await (await w.api.get(`/api/transfers/${t.id}`)).json()) as TransferView;
    expect(after).toMatchObject({ status: 'cancelled', cancelReason: 'expired', expiresAt: null });
    const { rows } = await edge.database.db.execute(
      sql`select count(*)::int as n from inventory.reservations where holder_id = ${t.id}`,
    );
    expect(rows[0]!.n).toBe(0);
    await checkInvariants(edge.database.db, [wh, far]);
  });

  test('expiresAt may be given (at most 30 days ahead); a transfer not yet expired is left alone; a cancel by hand says so', async () => {
    const body = (expiresAt?: string) => ({
      fromWarehouseId: wh,
      toWarehouseId: far,
      lines: [{ sku: other, qty: 1 }],
      ...(expiresAt ? { expiresAt } : {}),
    });
    const tooFar = new Date(Date.now() + 31 * 86_400_000).toISOString();
    expect(
      (await expectProblem(await w.api.post('/api/transfers', body(tooFar)), 422)).errors?.map((e) => e.path),
    ).toEqual(['expiresAt']);
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const res = await w.api.post('/api/transfers', body(soon));
    const t = (await res.json()) as TransferView;
    expect(Date.parse(t.expiresAt!)).toBe(Date.parse(soon));
    await expireTransfers(edge.database.db);
    expect(((await (await w.api.get(`/api/transfers/${t.id}`)).json()) as TransferView).status).toBe(
      'requested',
    );
    const cancelled = (await (await w.api.post(`/api/transfers/${t.id}/cancel`, {})).json()) as TransferView;
    expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'requested' });
    await checkInvariants(edge.database.db, [wh, far]);
  });
});
