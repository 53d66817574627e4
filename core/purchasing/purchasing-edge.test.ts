/**
 * Purchasing through the real edge, as people use it: a manager buys, a clerk of the warehouse
 * receives, and every step reaches the warehouse's live room as purchase_order.updated (delivered
 * by the jobs runner from the outbox); the level shows what is on order meanwhile.
 */
import { beforeAll, expect, test } from 'bun:test';
import { signedIn } from '../../test/harness/auth.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { requestsAs } from '../../test/harness/http.ts';
import { openRoom, roomUrl } from '../../test/harness/room-socket.ts';
import { receive, type StockWorld, stockWorld } from '../../test/harness/stock.ts';
import type { RoomMessage } from '../platform/room-contract.ts';

let edge: TestEdge;
let w: StockWorld;
let wh: string;

beforeAll(async () => {
  edge = await testEdge();
  w = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 1, skus: 3 });
  wh = w.warehouses[0]!.id;
}, 120_000);

test('a manager buys, a clerk receives; the room hears each step and the level shows on order', async () => {
  const target = { url: edge.url, db: edge.database.db };
  const manager = await signedIn(target, { roles: ['manager'], warehouseIds: [wh] });
  const clerk = await signedIn(target, { roles: ['clerk'], warehouseIds: [wh] });
  const partner = await signedIn(target, { roles: ['partner'], warehouseIds: [wh] });
  const api = requestsAs(() => edge.url);
  const sku = w.skus[0]!;

  // A level to show on order on (a sku new to the warehouse has none until stock arrives).
  await receive(w, wh, sku, 1);
  const room = await openRoom(roomUrl(edge.url, wh, clerk.accessToken));
  expect((await room.next()).type).toBe('snapshot');

  const vendor = await api.json(manager, 'POST', '/api/vendors', { name: 'Edge vendor', leadTimeDays: 2 });
  expect(vendor.status).toBe(201);
  const vendorId = ((await vendor.json()) as { id: string }).id;
  const created = await api.json(manager, 'POST', '/api/purchase-orders', {
    vendorId,
    warehouseId: wh,
    lines: [{ sku, qty: 6 }],
  });
  expect(created.status).toBe(201);
  const id = ((await created.json()) as { id: string }).id;
  expect((await api.json(partner, 'GET', `/api/purchase-orders/${id}`, undefined)).status).toBe(403);
  expect((await api.json(clerk, 'POST', `/api/purchase-orders/${id}/submit`, {})).status).toBe(403);
  expect((await api.json(manager, 'POST', `/api/purchase-orders/${id}/submit`, {})).status).toBe(200);

  const stock = await api.send(clerk, `/api/warehouses/${wh}/stock`);
  const level = ((await stock.json()) as { items: { sku: string; onOrder: number }[] }).items;
  expect(level.find((l) => l.sku === sku)?.onOrder).toBe(6);

  const received = await api.json(clerk, 'POST', `/api/purchase-orders/${id}/receive`, {
    lines: [{ sku, qty: 6 }],
  });
  expect(received.status).toBe(200);

  const step = (status: string) => (m: { type: string; event?: string; data?: unknown }) =>
    m.type === 'event' &&
    m.event === 'purchase_order.updated' &&
    (m.data as { id?: string; status?: string }).id === id &&
    (m.data as { status?: string }).status === status;
  for (const status of ['draft', 'submitted'])
    expect(await room.nextMatching(step(status), 30_000)).toMatchObject({ event: 'purchase_order.updated' });
  // The receipt itself arrives on the stock feed like any other. The feed and the event outbox
  // are separate paths, so either may come first.
  const receivedStock = (m: RoomMessage) => m.type === 'stock' && m.sku === sku && m.onHand === 7;
  const waiting: ((m: RoomMessage) => boolean)[] = [step('received'), receivedStock];
  while (waiting.length > 0) {
    const m = await room.nextMatching((m) => waiting.some((match) => match(m)), 30_000);
    waiting.splice(
      waiting.findIndex((match) => match(m)),
      1,
    );
  }
  room.ws.close();
});

test('availability through the edge (answered by the room) shows on order and the next expected date, also where the sku has no level yet', async () => {
  const target = { url: edge.url, db: edge.database.db };
  const manager = await signedIn(target, { roles: ['manager'], warehouseIds: [wh] });
  const clerk = await signedIn(target, { roles: ['clerk'], warehouseIds: [wh] });
  const api = requestsAs(() => edge.url);
  const [, stocked, unstocked] = w.skus as [string, string, string];
  // The world's warehouse was written straight to Postgres: the purge the jobs runner sends after
  // warehouse.created is what adds it to the edge's warehouse list (another file may have filled it).
  const purge = await fetch(`${edge.url}/internal/catalog/purge`, {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.internalSecret}` },
  });
  expect(purge.status).toBe(200);
  // The room follows purchase orders through their events: each check waits for the room to
  // have sent the event (it applies an event before it sends it), or the stock change, first.
  const room = await openRoom(roomUrl(edge.url, wh, clerk.accessToken));
  expect((await room.next()).type).toBe('snapshot');
  type Message = { type: string; event?: string; data?: unknown; sku?: string; onHand?: number };
  const stockShows = (sku: string, onHand: number) => (m: Message) =>
    m.type === 'stock' && m.sku === sku && m.onHand === onHand;
  const orderIs = (status: string) => (m: Message) =>
    m.type === 'event' &&
    m.event === 'purchase_order.updated' &&
    (m.data as { id?: string }).id === id &&
    (m.data as { status?: string }).status === status;
  /** Waits until every one of these messages has come, in whatever order. */
  const allCame = async (...expected: ((m: Message) => boolean)[]) => {
    const missing = [...expected];
    while (missing.length > 0) {
      const m = await room.next(30_000);
      const at = missing.findIndex((match) => match(m));
      if (at >= 0) missing.splice(at, 1);
    }
  };
  await receive(w, wh, stocked, 2);
  await allCame(stockShows(stocked, 2));

  const vendor = await api.json(manager, 'POST', '/api/vendors', {
    name: 'On order vendor',
    leadTimeDays: 3,
  });
  const vendorId = ((await vendor.json()) as { id: string }).id;
  let id = '';
  const created = await api.json(manager, 'POST', '/api/purchase-orders', {
    vendorId,
    warehouseId: wh,
    lines: [
      { sku: stocked, qty: 4 },
      { sku: unstocked, qty: 9 },
    ],
  });
  id = ((await created.json()) as { id: string }).id;
  const submitted = await api.json(manager, 'POST', `/api/purchase-orders/${id}/submit`, {});
  expect(submitted.status).toBe(200);
  const { expectedAt } = (await submitted.json()) as { expectedAt: string };
  await allCame(orderIs('submitted'));

  type Availability = {
    onOrder: number;
    available: number;
    warehouses: { warehouseId: string; onHand: number; onOrder: number; nextExpectedAt: string | null }[];
  };
  const availability = async (sku: string) => {
    const res = await api.send(clerk, `/api/products/${sku}/availability`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Availability;
  };
  const withLevel = await availability(stocked.toLowerCase());
  expect(withLevel.warehouses).toEqual([
    expect.objectContaining({ warehouseId: wh, onHand: 2, onOrder: 4, nextExpectedAt: expectedAt }),
  ]);
  expect(withLevel.onOrder).toBe(4);
  const withoutLevel = await availability(unstocked);
  expect(withoutLevel).toMatchObject({ available: 0, onOrder: 9 });
  expect(withoutLevel.warehouses).toEqual([
    expect.objectContaining({ warehouseId: wh, onHand: 0, onOrder: 9, nextExpectedAt: expectedAt }),
  ]);

  // Closed short after part arrived: nothing left on order.
  await api.json(clerk, 'POST', `/api/purchase-orders/${id}/receive`, {
    lines: [{ sku: unstocked, qty: 1 }],
  });
  expect((await api.json(manager, 'POST', `/api/purchase-orders/${id}/close`, {})).status).toBe(200);
  await allCame(orderIs('closed'), stockShows(unstocked, 1));
  expect((await availability(unstocked)).warehouses).toEqual([
    expect.objectContaining({ warehouseId: wh, onHand: 1, onOrder: 0, nextExpectedAt: null }),
  ]);
  room.ws.close();
});
