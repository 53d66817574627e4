/**
 * The feed socket's own rules against a stand-in edge that answers on cue (the real worker's side
 * of the protocol is tested in jobs/edge-client.test.ts): a tick not answered in time fails and
 * the next goes over a new socket; a socket is replaced after its room calls, and at once when
 * every room of a tick failed, each only after its ticks are answered; while no socket opens,
 * ticks are left to requests; the socket offers no compression.
 */
import { afterAll, expect, test } from 'bun:test';
import type { ServerWebSocket } from 'bun';
import { eventually } from '../test/harness/http.ts';
import { feedSocket } from './room-feed-socket.ts';

type Tick = { id: number; rooms: { warehouseId: string }[] };
/** How the stand-in answers the next ticks. */
let answer: 'ok' | 'failed' | 'silent' = 'ok';
const sockets: { ws: ServerWebSocket<unknown>; ticks: number[]; closed: boolean }[] = [];
const secret = `feed-${crypto.randomUUID()}`;
/** Each upgrade's Sec-WebSocket-Extensions, as the runner sent it. */
const offers: (string | null)[] = [];
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch(req, srv) {
    if (req.headers.get('authorization') !== `Bearer ${secret}`) return new Response(null, { status: 401 });
    offers.push(req.headers.get('sec-websocket-extensions'));
    return srv.upgrade(req) ? undefined : new Response(null, { status: 426 });
  },
  websocket: {
    open(ws) {
      sockets.push({ ws, ticks: [], closed: false });
    },
    message(ws, raw) {
      const tick = JSON.parse(String(raw)) as Tick;
      const socket = sockets.find((s) => s.ws === ws);
      socket?.ticks.push(tick.id);
      if (answer === 'silent') return;
      const rooms = tick.rooms.map(({ warehouseId }) =>
        answer === 'failed' ? { warehouseId, failed: true } : { warehouseId, applied: 1, stale: 0, held: 0 },
      );
      ws.send(JSON.stringify({ id: tick.id, rooms }));
    },
    close(ws) {
      const socket = sockets.find((s) => s.ws === ws);
      if (socket) socket.closed = true;
    },
  },
});
afterAll(() => server.stop(true));
const link = { url: `http://127.0.0.1:${server.port}`, secret };
const rooms = (n: number) => Array.from({ length: n }, () => ({ warehouseId: crypto.randomUUID() }));

test('ticks share one socket; one not answered in time fails, and the next opens a new socket', async () => {
  answer = 'ok';
  const socket = feedSocket(link);
  const before = sockets.length;
  try {
    await socket.send(rooms(1), 5_000);
    await socket.send(rooms(2), 5_000);
    expect(sockets.length).toBe(before + 1);
    answer = 'silent';
    await expect(socket.send(rooms(1), 200)).rejects.toThrow('did not answer');
    answer = 'ok';
    expect((await socket.send(rooms(1), 5_000))?.rooms).toHaveLength(1);
    expect(sockets.length).toBe(before + 2);
    await eventually(async () => (sockets[before]?.closed ? true : undefined));
  } finally {
    socket.close();
  }
});

test('the socket offers no compression (a tick would be deflated here and inflated at the edge)', async () => {
  answer = 'ok';
  const socket = feedSocket(link);
  const before = offers.length;
  try {
    await socket.send(rooms(1), 5_000);
    expect(offers.length).toBe(before + 1);
    expect(offers[before]).toBeNull();
  } finally {
    socket.close();
  }
});

test('a socket is replaced after its room calls, once its ticks are answered', async () => {
  answer = 'ok';
  const socket = feedSocket(link, { roomCalls: 3 });
  const before = sockets.length;
  try {
    await socket.send(rooms(2), 5_000);
    await socket.send(rooms(2), 5_000); // 4 calls: answered, then its socket closes
    await socket.send(rooms(1), 5_000);
    expect(sockets.slice(before).map((s) => s.ticks.length)).toEqual([2, 1]);
    await eventually(async () => (sockets[before]?.closed ? true : undefined));
  } finally {
    socket.close();
  }
});

test('when every room of a tick failed, the next tick goes over a new socket', async () => {
  const socket = feedSocket(link);
  const before = sockets.length;
  try {
    answer = 'failed';
    expect((await socket.send(rooms(2), 5_000))?.rooms.every((r) => 'failed' in r)).toBe(true);
    answer = 'ok';
    await socket.send(rooms(1), 5_000);
    expect(sockets.slice(before).map((s) => s.ticks.length)).toEqual([1, 1]);
  } finally {
    socket.close();
  }
});

test('while no socket opens, ticks are left to requests', async () => {
  const refused = feedSocket({ ...link, secret: 'not-it' });
  expect(await refused.send(rooms(1), 5_000)).toBeUndefined();
  expect(await refused.send(rooms(1), 5_000)).toBeUndefined(); // within the retry wait: not tried
  refused.close();
  const nowhere = feedSocket({ url: 'http://127.0.0.1:1', secret });
  expect(await nowhere.send(rooms(1), 5_000)).toBeUndefined();
  nowhere.close();
});
