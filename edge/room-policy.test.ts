/**
 * Who may open a live room, what reaches it, and what one socket may ask of a room, through
 * the real edge: the upgrade asks the same policy as GET /api/warehouses/:id/stock (a partner is
 * refused both), an API key is taken from X-API-Key outside browsers, event messages reach the
 * sockets that may read them, and a socket over its limits is closed with 1008.
 */
import { beforeAll, expect, test } from 'bun:test';
import { signedIn } from '../test/harness/auth.ts';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import { openRoom, type RoomClient, roomUrl, upgradeStatus, within } from '../test/harness/room-socket.ts';
import { type StockWorld, stockWorld } from '../test/harness/stock.ts';
import { roomLimits } from './room-limits.ts';

let edge: TestEdge;
let w: StockWorld;
let wh: string;

beforeAll(async () => {
  edge = await testEdge();
  w = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 1, skus: 1 });
  wh = w.warehouses[0]!.id;
}, 120_000);

const target = () => ({ url: edge.url, db: edge.database.db });

async function joined(url: string, headers?: Record<string, string>): Promise<RoomClient> {
  const room = await openRoom(url, headers ? { headers } : {});
  expect((await room.next()).type).toBe('snapshot');
  return room;
}

async function apiKey(roles: string[]): Promise<string> {
  const res = await w.api.post('/api/api-keys', {
    name: `room ${roles.join('/')}`,
    roles,
    warehouseIds: [wh],
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

test('a partner refused the stock over REST is refused the room too (403 before the upgrade)', async () => {
  const partner = await signedIn(target(), { roles: ['partner'], warehouseIds: [wh] });
  const rest = await fetch(`${edge.url}/api/warehouses/${wh}/stock`, { headers: partner.headers });
  expect(rest.status).toBe(403);
  const upgrade = await upgradeStatus(roomUrl(edge.url, wh, partner.accessToken));
  expect(upgrade.status, upgrade.body).toBe(403);
  expect(upgrade.headers.get('content-type')).toStartWith('application/problem+json');
  expect(JSON.parse(upgrade.body).detail).toContain('stock:read');
});

test('an API key opens a room from X-API-Key when its role may read stock; a partner key or a bad key may not', async () => {
  const clerkKey = await apiKey(['clerk']);
  const room = await joined(roomUrl(edge.url, wh), { 'x-api-key': clerkKey });
  room.ws.close();
  expect(
    (await upgradeStatus(roomUrl(edge.url, wh), { 'x-api-key': await apiKey(['partner']) })).status,
  ).toBe(403);
  expect((await upgradeStatus(roomUrl(edge.url, wh), { 'x-api-key': 'vk_nope' })).status).toBe(401);
});

const pushEvent = (type: string, data: Record<string, unknown>) =>
  fetch(`${edge.url}/internal/warehouses/${wh}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.internalSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      event: { id: crypto.randomUUID(), type, occurredAt: new Date().toISOString(), data },
    }),
  });

test('order and transfer events reach a clerk of the warehouse', async () => {
  const clerk = await signedIn(target(), { roles: ['clerk'], warehouseIds: [wh] });
  const room = await joined(roomUrl(edge.url, wh, clerk.accessToken));
  const orderId = crypto.randomUUID();
  expect((await pushEvent('order.created', { id: orderId })).status).toBe(200);
  expect((await pushEvent('transfer.updated', { id: orderId })).status).toBe(200);
  const isEvent = (m: { type: string }) => m.type === 'event';
  expect(await room.nextMatching(isEvent)).toMatchObject({ event: 'order.created', data: { id: orderId } });
  expect(await room.nextMatching(isEvent)).toMatchObject({ event: 'transfer.updated' });
  room.ws.close();
});

const closeEvent = (room: RoomClient) => within(room.closed, 10_000, 'the abuser’s socket');

test('a message over the size limit closes the socket with 1008', async () => {
  const room = await joined(roomUrl(edge.url, wh, w.admin.accessToken));
  room.send({ type: 'resume', since: 0, pad: 'x'.repeat(roomLimits.maxMessageBytes) });
  expect(await closeEvent(room)).toMatchObject({ code: 1008 });
});

test('more messages than the window allows close the socket with 1008', async () => {
  const room = await joined(roomUrl(edge.url, wh, w.admin.accessToken));
  for (let i = 0; i <= roomLimits.messages; i++) room.send({ type: 'nonsense' });
  expect(await closeEvent(room)).toMatchObject({ code: 1008 });
});

test('resume from 0 in a loop is stopped after the resume budget (1008); pings cost nothing', async () => {
  const room = await joined(roomUrl(edge.url, wh, w.admin.accessToken));
  for (let i = 0; i < roomLimits.messages * 2; i++) await room.ping();
  for (let i = 0; i < roomLimits.resumes; i++) {
    room.send({ type: 'resume', since: 0 });
    await room.ping(); // the answer (if any) came before the pong
  }
  room.send({ type: 'resume', since: 0 });
  expect(await closeEvent(room)).toMatchObject({ code: 1008 });
});
