/**
 * The jobs runner's client of the edge, against the real worker in workerd: every endpoint
 * answers what the room contract says, one feed tick reaches several rooms, and a level the
 * contract refuses never leaves the runner. The feed's ticks go over one WebSocket, answered by
 * id, and as requests while it cannot open.
 */
import { beforeAll, expect, test } from 'bun:test';
import { EVENTS_PER_TICK, LEVELS_PER_PUSH, roomSnapshotSchema } from '../core/platform/room-contract.ts';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import { eventually, expectProblem } from '../test/harness/http.ts';
import { openRoom, roomUrl } from '../test/harness/room-socket.ts';
import { stockWorld } from '../test/harness/stock.ts';
import { type EdgeClient, edgeClient } from './edge-client.ts';
import { feedSocket } from './room-feed-socket.ts';

let edge: TestEdge;
let client: EdgeClient;

beforeAll(async () => {
  edge = await testEdge();
  client = edgeClient({ url: edge.url, secret: edge.internalSecret });
}, 120_000);

const snapshot = async (room: string) => {
  const res = await fetch(`${edge.url}/internal/warehouses/${room}/snapshot`, {
    headers: { authorization: `Bearer ${edge.internalSecret}` },
  });
  return roomSnapshotSchema.parse(await res.json());
};

test('one tick feeds several rooms at once, each answering for itself; a repeated tick changes nothing', async () => {
  const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
  const rooms = [
    { warehouseId: a, levels: [{ sku: 'TICK-1', onHand: 3, reserved: 1, version: 2 }] },
    {
      warehouseId: b,
      levels: [
        { sku: 'TICK-1', onHand: 9, reserved: 0, version: 4 },
        { sku: 'TICK-2', onHand: 1, reserved: 1, version: 2 },
      ],
    },
  ];
  expect(await client.feedRooms(rooms)).toEqual({
    rooms: [
      { warehouseId: a, applied: 1, stale: 0, held: 0 },
      { warehouseId: b, applied: 2, stale: 0, held: 0 },
    ],
  });
  expect((await client.feedRooms(rooms)).rooms.map((r) => ('stale' in r ? r.stale : 'failed'))).toEqual([
    1, 2,
  ]);
  expect((await snapshot(a)).levels).toEqual([
    { sku: 'TICK-1', onHand: 3, reserved: 1, available: 2, version: 2 },
  ]);
  expect((await snapshot(b)).levels.map((l) => [l.sku, l.version])).toEqual([
    ['TICK-1', 4],
    ['TICK-2', 2],
  ]);
});

test('a level the contract refuses is refused before it is sent; the edge refuses it as well', async () => {
  const room = crypto.randomUUID();
  const bad = { sku: 'NEG-1', onHand: -1, reserved: 0, version: 1 };
  await expect(client.feedRooms([{ warehouseId: room, levels: [bad] }])).rejects.toThrow();
  const sent = await fetch(`${edge.url}/internal/rooms/levels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.internalSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ rooms: [{ warehouseId: room, levels: [bad] }] }),
  });
  expect((await expectProblem(sent, 422)).errors?.map((e) => e.path)).toEqual(['rooms.0.levels.0.onHand']);
  expect((await snapshot(room)).levels).toEqual([]);
});

test('a tick of more levels than the edge takes at once is refused whole', async () => {
  const levels = Array.from({ length: LEVELS_PER_PUSH + 1 }, (_, i) => ({
    sku: `BIG-${i}`,
    onHand: 1,
    reserved: 0,
    version: 2,
  }));
  const sent = await fetch(`${edge.url}/internal/rooms/levels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.internalSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ rooms: [{ warehouseId: crypto.randomUUID(), levels }] }),
  });
  expect((await expectProblem(sent, 422)).errors?.map((e) => e.path)).toEqual(['rooms']);
});

test('every call answers what the contract says', async () => {
  const room = crypto.randomUUID();
  const first = await client.purgeCatalog();
  expect((await client.purgeCatalog()).generation).toBeGreaterThan(first.generation);
  const level = { sku: 'REC-1', onHand: 5, reserved: 0, version: 3 };
  const repaired = await client.reconcile(room, [level], false);
  expect(repaired).toEqual({
    repaired: [{ sku: 'REC-1', had: null, now: { ...level, available: 5 } }],
    ahead: [],
  });
  const access = await client.changeRoomAccess({ kind: 'ended', reason: 'key_revoked', apiKeyIds: [] });
  expect(access).toMatchObject({ closed: 0, rescoped: 0 });
  expect(access.rooms).toBeGreaterThanOrEqual(0);
});

test("a tick's events reach each room after its levels, in order; a room may bring events alone", async () => {
  const w = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 2, skus: 1 });
  const [a, b] = w.warehouses.map((x) => x.id) as [string, string];
  const sku = w.skus[0]!;
  const room = await openRoom(roomUrl(edge.url, a, w.admin.accessToken));
  const snap = await room.next();
  if (snap.type !== 'snapshot') throw new Error(`expected the snapshot, got ${snap.type}`);
  const version = snap.levels.find((l) => l.sku === sku)?.version ?? 0;
  const event = (i: number) => ({
    id: crypto.randomUUID(),
    type: 'order.updated',
    occurredAt: new Date().toISOString(),
    data: { id: crypto.randomUUID(), n: i },
  });
  const many = Array.from({ length: EVENTS_PER_TICK - 1 }, (_, i) => event(i));
  const level = { sku, onHand: 1_000, reserved: 0, version: version + 1, fromVersion: version };
  const answer = await client.feedRooms([
    { warehouseId: a, levels: [level], events: many },
    { warehouseId: b, events: [event(0)] },
  ]);
  expect(answer.rooms.map((r) => [r.warehouseId, 'applied' in r ? r.applied : 'failed'])).toEqual([
    [a, 1],
    [b, 0],
  ]);
  const heard: string[] = [];
  const first = await room.nextMatching((x) => x.type === 'stock' || x.type === 'event');
  expect(first.type, 'the level comes before the events').toBe('stock');
  while (heard.length < many.length) {
    const m = await room.nextMatching((x) => x.type === 'event');
    if (m.type === 'event') heard.push(m.id);
  }
  expect(heard).toEqual(many.map((e) => e.id));
  room.ws.close();
  // One event over the limit is refused whole, before it is sent.
  await expect(
    client.feedRooms([{ warehouseId: a, events: [...many, event(0), event(1)] }]),
  ).rejects.toThrow();
});

test('the batch event endpoint of earlier jobs runners still answers each room', async () => {
  const [a, b] = [crypto.randomUUID(), crypto.randomUUID()];
  const event = {
    id: crypto.randomUUID(),
    type: 'order.created',
    occurredAt: new Date().toISOString(),
    data: {},
  };
  const res = await fetch(`${edge.url}/internal/rooms/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.internalSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      rooms: [
        { warehouseId: a, events: [event] },
        { warehouseId: b, events: [event] },
      ],
    }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    rooms: [
      { warehouseId: a, sockets: 0 },
      { warehouseId: b, sockets: 0 },
    ],
  });
});

test('a refused call throws with what the edge answered, for graphile-worker to retry', async () => {
  const stranger = edgeClient({ url: edge.url, secret: 'not-the-internal-secret' });
  await expect(stranger.purgeCatalog()).rejects.toThrow('the edge answered 401 to a catalog purge');
  await expect(
    stranger.feedRooms([
      { warehouseId: crypto.randomUUID(), levels: [{ sku: 'A', onHand: 1, reserved: 0, version: 1 }] },
    ]),
  ).rejects.toThrow('the edge answered 401 to a tick of the rooms feed');
});

/** A raw feed socket to the real edge, with the secret (or another). */
async function rawFeedSocket(secret: string): Promise<{ ws: WebSocket; answers: unknown[] } | 'refused'> {
  const url = `${edge.url.replace(/^http/, 'ws')}/internal/rooms/feed`;
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${secret}` } } as unknown as string[]);
  const answers: unknown[] = [];
  ws.onmessage = (m) => answers.push(JSON.parse(String(m.data)));
  const opened = await new Promise<boolean>((resolve) => {
    ws.onopen = () => resolve(true);
    ws.onclose = () => resolve(false);
  });
  return opened ? { ws, answers } : 'refused';
}

test("the feed's socket answers each tick by its id, and refuses a malformed one naming the field", async () => {
  expect(await rawFeedSocket('not-the-secret')).toBe('refused');
  const socket = await rawFeedSocket(edge.internalSecret);
  if (socket === 'refused') throw new Error('the feed socket did not open');
  const room = crypto.randomUUID();
  const level = (version: number) => ({ sku: 'SOCK-1', onHand: 10, reserved: version, version });
  socket.ws.send(JSON.stringify({ id: 7, rooms: [{ warehouseId: room, levels: [level(3)] }] }));
  socket.ws.send(JSON.stringify({ id: 8, rooms: [{ warehouseId: 'HEL', levels: [level(4)] }] }));
  socket.ws.send('not json');
  await eventually(async () => (socket.answers.length === 3 ? true : undefined));
  expect(socket.answers).toContainEqual({
    id: 7,
    rooms: [{ warehouseId: room, applied: 1, stale: 0, held: 0 }],
  });
  expect(socket.answers).toContainEqual({ id: 8, refused: expect.stringContaining('rooms.0.warehouseId') });
  expect(socket.answers).toContainEqual({ id: null, refused: expect.any(String) });
  expect((await snapshot(room)).levels.map((l) => l.version)).toEqual([3]);
  socket.ws.close();
});

test('the client sends ticks over its socket, and as requests while the socket cannot open', async () => {
  const room = crypto.randomUUID();
  const rooms = [{ warehouseId: room, levels: [{ sku: 'SOCK-2', onHand: 5, reserved: 0, version: 2 }] }];
  const feedUrl = `${edge.url}/internal/rooms/feed`;
  const socket = feedSocket({ url: feedUrl, secret: edge.internalSecret });
  try {
    expect(await socket.send(rooms, 10_000)).toEqual({
      rooms: [{ warehouseId: room, applied: 1, stale: 0, held: 0 }],
    });
  } finally {
    socket.close();
  }
  // With a secret the edge refuses, the socket does not open: the tick is left to a request.
  const refused = feedSocket({ url: feedUrl, secret: 'not-the-secret' });
  expect(await refused.send(rooms, 10_000)).toBeUndefined();
  refused.close();
});
