/**
 * The cap on units a caller holds in pending orders, over real HTTP and Postgres with small
 * limits: concurrent requests of one caller cannot both pass it, each owner has its own,
 * confirming or cancelling frees it, and growing a pending order counts.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useCore } from '../../test/harness/core.ts';
import { apiClient, expectProblem } from '../../test/harness/http.ts';
import { checkInvariants, receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { createApiKey } from '../identity/api-keys.ts';
import type { OrderView } from './schemas.ts';

const CAP = 10;
const core = useCore({
  holds: {
    pendingMaxUnits: { partner: CAP, staff: 1_000 },
    pendingMaxHours: { partner: 24, staff: 720 },
    transferExpiryHours: 168,
  },
});
let w: StockWorld;
let wh = '';
let sku = '';

type Client = ReturnType<typeof apiClient>;
const partnerKey = async () => {
  const { key } = await createApiKey(
    core().database.db,
    { name: 'cap test', roles: ['partner'], warehouseIds: [wh] },
    null,
  );
  return apiClient(
    () => core().url,
    () => ({ 'x-api-key': key }),
  );
};
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const pending = (as: Client, qty: number) =>
  as.post('/api/orders', { warehouseId: wh, lines: [{ sku, qty }], reservationExpiresAt: inAnHour() });
const reserved = async () => {
  const { rows } = await core().database.db.execute<{ reserved: number }>(
    sql`select reserved from inventory.stock_levels where warehouse_id = ${wh} and sku = ${sku}`,
  );
  return rows[0]!.reserved;
};

beforeAll(async () => {
  w = await stockWorld({ url: core().url, db: core().database.db }, { warehouses: 1, skus: 1 });
  wh = w.warehouses[0]!.id;
  sku = w.skus[0]!;
  await receive(w, wh, sku, 1_000);
});

describe('pending hold cap per caller', () => {
  test('of eight concurrent pending orders of 6 units by one key under a cap of 10, exactly one passes', async () => {
    // Several rounds, each a fresh key: every round must let exactly one through.
    for (let round = 0; round < 5; round++) {
      const key = await partnerKey();
      const before = await reserved();
      const responses = await Promise.all(Array.from({ length: 8 }, () => pending(key, 6)));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      for (const res of responses.filter((r) => r.status === 409)) {
        const problem = (await expectProblem(res, 409, 'pending-hold-limit')) as unknown as Record<
          string,
          unknown
        >;
        expect(problem).toMatchObject({ field: 'lines', limit: CAP, requested: 6 });
      }
      // The refused ones hold nothing, not even the hold taken before the cap was counted.
      expect(await reserved()).toBe(before + 6);
    }
    await checkInvariants(core().database.db, [wh]);
  });

  test('each owner has its own cap; confirming or cancelling frees it; confirmed orders are not capped', async () => {
    const [a, b] = [await partnerKey(), await partnerKey()];
    const first = (await (await pending(a, 10)).json()) as OrderView;
    await expectProblem(await pending(a, 1), 409, 'pending-hold-limit');
    expect((await pending(b, 10)).status).toBe(201);
    // Not pending (no reservationExpiresAt): a sale, not a hold awaiting payment.
    expect((await a.post('/api/orders', { warehouseId: wh, lines: [{ sku, qty: 20 }] })).status).toBe(201);
    expect((await a.post(`/api/orders/${first.id}/confirm`, {})).status).toBe(200);
    const second = (await (await pending(a, 10)).json()) as OrderView;
    expect(second.status).toBe('pending');
    expect((await a.post(`/api/orders/${second.id}/cancel`, {})).status).toBe(200);
    expect((await pending(a, 4)).status).toBe(201);
    await checkInvariants(core().database.db, [wh]);
  });

  test('growing an own pending order counts against the cap; staff changing it are not capped', async () => {
    const key = await partnerKey();
    const o = (await (await pending(key, 4)).json()) as OrderView;
    expect((await pending(key, 4)).status).toBe(201);
    const grow = (as: Client, qty: number) =>
      as.send(`/api/orders/${o.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ lines: [{ sku, qty }] }),
      });
    expect((await grow(key, 6)).status).toBe(200);
    const before = await reserved();
    await expectProblem(await grow(key, 7), 409, 'pending-hold-limit');
    expect(await reserved()).toBe(before);
    const unchanged = (await (await key.get(`/api/orders/${o.id}`)).json()) as OrderView;
    expect(unchanged.lines[0]!.qty).toBe(6);
    expect((await grow(w.api, 50)).status).toBe(200);
    // Shrinking is always allowed, even over the cap.
    expect((await grow(key, 40)).status).toBe(200);
    await checkInvariants(core().database.db, [wh]);
  });
});
