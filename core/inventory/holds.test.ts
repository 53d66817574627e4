/**
 * Consuming holds (a shipment) by operation id, straight against Postgres: the outcome of an
 * operation is final, a refusal as much as a success, so a shipment given up after it found its
 * holds short never ships later, once the holder holds stock again.
 */
import { beforeAll, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { useCore } from '../../test/harness/core.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import { applyHolds, type ConsumeOp, consumeHolds } from './holds.ts';

const core = useCore();
let w: StockWorld;

beforeAll(async () => {
  w = await stockWorld({ url: core().url, db: core().database.db }, { warehouses: 1, skus: 1 });
  await receive(w, w.warehouses[0]!.id, w.skus[0]!, 10);
});

const holder = () => crypto.randomUUID();
const line = (qty: number) => ({ warehouseId: w.warehouses[0]!.id, sku: w.skus[0]!, qty });
const reserve = (holderId: string, qty: number) =>
  applyHolds(core().database.db, [
    { kind: 'reserve', holderType: 'order', holderId, lines: [line(qty)], expiresAt: null, requestId: null },
  ]);
const shipment = (holderId: string, qty: number): ConsumeOp => ({
  operationId: crypto.randomUUID(),
  holderType: 'order',
  holderId,
  lines: [line(qty)],
  type: 'shipment',
  reason: 'order',
  referenceType: 'order',
  referenceId: holderId,
  actorId: null,
  requestId: null,
});
const shippedFor = async (holderId: string) => {
  const { rows } = await core().database.db.execute<{ n: number }>(sql`
    select coalesce(-sum(qty), 0)::int as n from inventory.movements
     where reference_type = 'order' and reference_id = ${holderId}`);
  return rows[0]?.n;
};

test('a shipment is consumed once, however often it is asked', async () => {
  const id = holder();
  await reserve(id, 2);
  const op = shipment(id, 2);
  expect(await consumeHolds(core().database.db, op)).toEqual({ ok: true, movements: 1 });
  expect(await consumeHolds(core().database.db, op)).toEqual({ ok: true, movements: 1 });
  expect(await shippedFor(id)).toBe(2);
});

test('a shipment refused for short holds stays refused once the holder holds enough', async () => {
  const id = holder();
  await reserve(id, 1);
  const op = shipment(id, 3);
  const refused = await consumeHolds(core().database.db, op);
  expect(refused.ok).toBe(false);
  await reserve(id, 2);
  expect(await consumeHolds(core().database.db, op)).toEqual(refused);
  expect(await shippedFor(id)).toBe(0);
  // A new shipment of the same units goes.
  expect((await consumeHolds(core().database.db, shipment(id, 3))).ok).toBe(true);
  expect(await shippedFor(id)).toBe(3);
});
