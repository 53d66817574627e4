/**
 * The room client against a stack of its own (core, the jobs runner that feeds the rooms, the
 * edge in workerd) with access tokens that live 8 seconds: it receives stock changes, renews
 * its token on the open socket, resumes what it missed while the edge was down, and stops for
 * good when its API key is revoked. Every wait is for an event; the bounds turn a hang into a
 * failure.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { moveStock } from '../../../core/inventory/movements.ts';
import { type EdgeStack, startEdgeStack } from '../../../test/harness/edge.ts';
import { eventually } from '../../../test/harness/http.ts';
import { type StockWorld, stockWorld } from '../../../test/harness/stock.ts';
import { connectRoom, createClient, type RoomSocket, type VarastokkrClient } from './index.ts';

const ACCESS_TOKEN_TTL_SECONDS = 8;

let stack: EdgeStack;
let w: StockWorld;
let wh: string;
let client: VarastokkrClient;
const rooms: RoomSocket[] = [];

beforeAll(async () => {
  stack = await startEdgeStack({
    name: 'client-room',
    jobs: true,
    auth: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS },
  });
  w = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 1, skus: 3 });
  wh = w.warehouses[0]!.id;
  client = createClient({
    baseUrl: stack.url,
    credentials: { email: w.admin.user.email, password: w.admin.password },
  });
}, 120_000);

afterAll(async () => {
  for (const room of rooms) room.close();
  await stack?.stop();
});

const adjust = (sku: string, delta: number) =>
  client.POST('/api/inventory/adjustments', { body: { warehouseId: wh, sku, delta, reason: 'received' } });

function openRoom(c = client): RoomSocket {
  const room = c.room(wh, { backoff: { initialMs: 100, maxMs: 1_000 } });
  rooms.push(room);
  return room;
}

/** The `exp` of a JWT, in ms. */
const expiryOf = (token: string) =>
  (JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { exp: number })
    .exp * 1000;

test('a room socket gets the snapshot, then each stock change as a typed message', async () => {
  const sku = w.skus[0]!;
  const room = openRoom();
  const snapshot = await room.next('snapshot');
  expect(snapshot.warehouseId).toBe(wh);

  const changed = room.next('stock', (m) => m.sku === sku && m.onHand === 5);
  await adjust(sku, 5);
  const stock = await changed;
  expect(stock).toMatchObject({ warehouseId: wh, sku, onHand: 5, reserved: 0, available: 5 });
  expect(room.lastSeen).toBeGreaterThanOrEqual(stock.seq);
  room.close();
});

test('the socket renews its access token before it expires, and stays open past the first one', async () => {
  const sku = w.skus[1]!;
  const room = openRoom();
  await room.next('snapshot');
  const firstToken = (await client.accessToken()) ?? '';
  const firstExpiry = expiryOf(firstToken);

  const renewed = await room.next('renewed', (m) => Date.parse(m.expiresAt) > firstExpiry, 20_000);
  expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(firstExpiry);

  // Past the first token's expiry, the same socket still gets changes.
  await eventually(async () => (Date.now() > firstExpiry + 1_000 ? true : undefined), 20_000);
  const changed = room.next('stock', (m) => m.sku === sku && m.onHand === 3);
  await adjust(sku, 3);
  await changed;
  expect(room.connections).toBe(1);
  expect(room.isOpen).toBe(true);
  room.close();
}, 60_000);

test('after the edge restarts, the socket reconnects and resumes with the changes it missed', async () => {
  const sku = w.skus[2]!;
  const room = openRoom();
  await room.next('snapshot');
  await Promise.all([room.next('stock', (m) => m.sku === sku && m.onHand === 10), adjust(sku, 10)]);
  const seenBefore = room.lastSeen ?? 0;

  const dropped = room.next('close', () => true, 30_000);
  await stack.stopEdge();
  expect((await dropped).reconnecting).toBe(true);

  // A change while the edge is down: no socket is there to be told.
  const moved = await moveStock(stack.database.db, {
    mode: 'delta',
    lines: [{ warehouseId: wh, sku, qty: 7 }],
    type: 'receipt',
    reason: 'received',
    actorId: null,
    requestId: null,
  });
  expect(moved.ok).toBe(true);

  const snapshot = room.next('snapshot', () => true, 60_000);
  const replayed = room.next('stock', (m) => m.sku === sku && m.seq > seenBefore, 60_000);
  await stack.startEdge();

  const fresh = await snapshot;
  expect(fresh.levels.find((l) => l.sku === sku)?.onHand).toBe(17);
  // Sent in answer to the client's resume: a change from before the new snapshot was taken, not
  // a live one after it.
  const missed = await replayed;
  expect(missed).toMatchObject({ sku, onHand: 17 });
  expect(missed.seq).toBeLessThanOrEqual(fresh.version);
  expect(room.connections).toBe(2);
  room.close();
}, 120_000);

test('a socket on a revoked API key closes with 4401 and does not reconnect', async () => {
  const { data: key } = await client.POST('/api/api-keys', {
    body: { name: 'room client test', roles: ['manager'], warehouseIds: [wh] },
  });
  const partner = createClient({ baseUrl: stack.url, credentials: { apiKey: key.key } });
  const room = openRoom(partner);
  await room.next('snapshot');

  const closed = room.next('close', () => true, 60_000);
  await client.DELETE('/api/api-keys/{id}', { params: { path: { id: key.id } } });
  expect(await closed).toMatchObject({ code: 4401, kind: 'credential-gone', reconnecting: false });
  expect(room.connections).toBe(1);
}, 90_000);

test('a socket closed at its token’s expiry (4401) reconnects when a fresh token can be had', async () => {
  // A token function that gives nothing fresher until the room refused the token it has.
  let current = (await client.accessToken({ minValidityMs: 5_000 })) ?? '';
  const room = connectRoom({
    baseUrl: stack.url,
    warehouseId: wh,
    backoff: { initialMs: 100, maxMs: 1_000 },
    token: async (need) => {
      if (need.rejected) current = (await client.accessToken({ minValidityMs: 5_000 })) ?? '';
      return current;
    },
  });
  rooms.push(room);
  await room.next('snapshot');

  const expired = await room.next('close', () => true, 90_000);
  expect(expired).toMatchObject({ code: 4401, kind: 'credential-gone', reconnecting: true });
  await room.next('snapshot', () => true, 30_000);
  expect(room.connections).toBe(2);
  room.close();
}, 120_000);

test('a socket whose session signs out closes with 4401 and does not reconnect', async () => {
  const user = createClient({
    baseUrl: stack.url,
    credentials: { email: w.admin.user.email, password: w.admin.password },
  });
  const room = openRoom(user);
  await room.next('snapshot');

  const closed = room.next('close', () => true, 90_000);
  await user.logout();
  expect(await closed).toMatchObject({ code: 4401, kind: 'credential-gone', reconnecting: false });
  expect(room.connections).toBe(1);
}, 120_000);
