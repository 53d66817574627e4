/**
 * Live warehouse rooms over real WebSockets through wrangler dev: the token and scope checked
 * before the upgrade, a snapshot first, a stock message per committed change, resume.
 * A test waits for the message it expects (others, such as a late push, may come between).
 */
import { beforeAll, expect, test } from 'bun:test';
import { signedIn } from '../test/harness/auth.ts';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import { eventually } from '../test/harness/http.ts';
import { feedRoom, roomResult } from '../test/harness/room-feed.ts';
import { openRoom, roomUrl, upgradeStatus as upgradeStatusOf } from '../test/harness/room-socket.ts';
import { receive, type StockWorld, stockWorld } from '../test/harness/stock.ts';
import type { RoomMessage, RoomSnapshot } from './room-types.ts';

let edge: TestEdge;
let w: StockWorld;
let wh: string;

beforeAll(async () => {
  edge = await testEdge();
  w = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 2, skus: 2 });
  wh = w.warehouses[0]!.id;
}, 120_000);

/**
 * A warehouse and products of the test's own, so no change another test made reaches its
 * sockets (a push still on its way through the jobs runner arrives whenever it arrives).
 */
const ownWorld = (warehouses = 1) =>
  stockWorld({ url: edge.url, db: edge.database.db }, { warehouses, skus: 2 });

const wsUrl = (warehouseId: string, token?: string) => roomUrl(edge.url, warehouseId, token);

/** A socket with its messages queued, so a test awaits the one it wants. */
const connect = (url: string, protocols?: string[]) => openRoom(url, protocols ? { protocols } : {});

const isStockOf = (sku: string) => (m: RoomMessage) => m.type === 'stock' && m.sku === sku;

/** What the room holds now (read over /internal, as the jobs runner and the nightly check do). */
const roomLevel = async (warehouseId: string, sku: string) => {
  const res = await fetch(`${edge.url}/internal/warehouses/${warehouseId}/snapshot`, {
    headers: { authorization: `Bearer ${edge.internalSecret}` },
  });
  return ((await res.json()) as RoomSnapshot).levels.find((l) => l.sku === sku);
};

const upgradeStatus = async (warehouseId: string, token?: string) =>
  (await upgradeStatusOf(wsUrl(warehouseId, token))).status;

test('no token, a garbage token and a clerk of another warehouse are refused before the upgrade', async () => {
  expect(await upgradeStatus(wh)).toBe(401);
  expect(await upgradeStatus(wh, 'abc.def.ghi')).toBe(401);
  const clerk = await signedIn(
    { url: edge.url, db: edge.database.db },
    { roles: ['clerk'], warehouseIds: [w.warehouses[1]!.id] },
  );
  expect(await upgradeStatus(wh, clerk.accessToken)).toBe(403);
  expect((await fetch(`${edge.url}/ws/warehouses/${wh}?token=${clerk.accessToken}`)).status).toBe(426);
});

test('snapshot first, then a stock message for each committed change; ping answers pong', async () => {
  const own = await ownWorld();
  const [wh, sku] = [own.warehouses[0]!.id, own.skus[0]!];
  const { ws, next, nextMatching } = await connect(wsUrl(wh, own.admin.accessToken));
  const first = await next();
  expect(first.type).toBe('snapshot');
  await receive(own, wh, sku, 5);
  const change = await nextMatching(isStockOf(sku));
  expect(change).toMatchObject({ type: 'stock', warehouseId: wh, sku, onHand: 5, reserved: 0, available: 5 });
  ws.send('{"type":"ping"}');
  expect(await nextMatching((m) => (m as { type: string }).type === 'pong')).toEqual({
    type: 'pong',
  } as never);
  ws.close();
});

test('the bearer.<token> protocol works; resume returns what was missed', async () => {
  const own = await ownWorld();
  const [wh, sku] = [own.warehouses[0]!.id, own.skus[1]!];
  const first = await connect(wsUrl(wh), [`bearer.${own.admin.accessToken}`]);
  const snap = await first.next();
  expect(snap.type).toBe('snapshot');
  const since = (snap as { version: number }).version;
  first.ws.close();
  await receive(own, wh, sku, 2);
  await receive(own, wh, sku, 3);
  // Missed only once the room has them: the jobs runner pushes after the commit, in its own time.
  await eventually(async () => ((await roomLevel(wh, sku))?.onHand === 5 ? true : undefined));
  const again = await connect(wsUrl(wh, own.admin.accessToken));
  expect((await again.next()).type).toBe('snapshot'); // its own
  again.ws.send(JSON.stringify({ type: 'resume', since }));
  const missed = await again.nextMatching(isStockOf(sku));
  expect(missed).toMatchObject({ type: 'stock', sku, onHand: 5 });
  again.ws.send('not json');
  expect((await again.nextMatching((m) => m.type === 'error')).type).toBe('error');
  again.ws.close();
});

test('order events of the warehouse reach its room', async () => {
  const own = await ownWorld();
  const [wh, sku] = [own.warehouses[0]!.id, own.skus[0]!];
  await receive(own, wh, sku, 1);
  const { ws, next, nextMatching } = await connect(wsUrl(wh, own.admin.accessToken));
  await next(); // snapshot
  const res = await own.api.post('/api/orders', { lines: [{ sku, qty: 1 }], warehouseId: wh });
  expect(res.status, await res.clone().text()).toBe(201);
  const order = (await res.json()) as { id: string };
  const event = await nextMatching((m) => m.type === 'event' && m.event === 'order.created');
  expect(event).toMatchObject({
    type: 'event',
    event: 'order.created',
    warehouseId: wh,
    data: { id: order.id },
  });
  ws.close();
});

test('a room never filled rebuilds from Postgres before its first snapshot', async () => {
  const { stockLevels } = await import('../core/inventory/tables.ts');
  const own = await ownWorld();
  const [other, sku] = [own.warehouses[0]!.id, own.skus[1]!];
  await edge.database.db
    .insert(stockLevels)
    .values({ warehouseId: other, sku, onHand: 9, reserved: 2, version: 3 });
  const { ws, next } = await connect(wsUrl(other, own.admin.accessToken));
  const snap = await next();
  expect(snap).toMatchObject({
    type: 'snapshot',
    warehouseId: other,
    levels: [{ sku, onHand: 9, reserved: 2, available: 7, version: 3 }],
  });
  ws.close();
});

const push = (warehouseId: string, levels: unknown[]) => feedRoom(edge, warehouseId, levels);

test('a push that overtook an earlier one waits for it: clients see every step, in order', async () => {
  const own = await ownWorld();
  const other = own.warehouses[0]!.id;
  // Joining fills the room from Postgres first, so the pushes below meet a filled room.
  const { ws, next: anyNext, nextMatching } = await connect(wsUrl(other, own.admin.accessToken));
  expect((await anyNext()).type).toBe('snapshot');
  const next = () => nextMatching(isStockOf('GAP-1'));
  const step = (fromVersion: number, version: number) => ({
    sku: 'GAP-1',
    onHand: version * 10,
    reserved: 0,
    version,
    fromVersion,
  });
  // Versions 4 and 5 arrive first: the room keeps them (and answers at once); 2 and 3 follow.
  const result = roomResult;
  expect(await result(push(other, [step(4, 5)]))).toEqual({ applied: 0, stale: 0, held: 1 });
  expect(await result(push(other, [step(3, 4)]))).toEqual({ applied: 0, stale: 0, held: 1 });
  expect(await result(push(other, [step(1, 2)]))).toEqual({ applied: 1, stale: 0, held: 0 });
  expect(await result(push(other, [step(2, 3)]))).toEqual({ applied: 1, stale: 0, held: 0 });
  const seen = [await next(), await next(), await next(), await next()];
  expect(seen.map((m) => (m as { version: number }).version)).toEqual([2, 3, 4, 5]);
  // A duplicate is stale at once; a push whose predecessor never comes applies after the wait.
  expect(await result(push(other, [step(3, 4)]))).toEqual({ applied: 0, stale: 1, held: 0 });
  expect(await result(push(other, [step(7, 8)]))).toEqual({ applied: 0, stale: 0, held: 1 });
  expect(await result(push(other, [step(8, 9)]))).toEqual({ applied: 0, stale: 0, held: 1 });
  expect(await next()).toMatchObject({ type: 'stock', sku: 'GAP-1', version: 8 });
  expect(await next()).toMatchObject({ type: 'stock', sku: 'GAP-1', version: 9 });
  // When the wait of 11 -> 12 ends, 10 -> 11 (held later, still waiting) goes first: no step the
  // room has is skipped.
  expect(await result(push(other, [step(11, 12)]))).toEqual({ applied: 0, stale: 0, held: 1 });
  // Not a wait for something to happen: the second push must be held a second later than the
  // first, so that the first's wait ends while the second's still runs.
  await Bun.sleep(1000);
  expect(await result(push(other, [step(10, 11)]))).toEqual({ applied: 0, stale: 0, held: 1 });
  expect(await next()).toMatchObject({ type: 'stock', sku: 'GAP-1', version: 11 });
  expect(await next()).toMatchObject({ type: 'stock', sku: 'GAP-1', version: 12 });
  ws.close();
});

test('a burst of concurrent changes reaches a socket as every version, in order', async () => {
  const w = await ownWorld();
  const [wh, sku] = [w.warehouses[0]!.id, w.skus[0]!];
  await receive(w, wh, sku, 1);
  const { ws, next } = await connect(wsUrl(wh, w.admin.accessToken));
  const { rows } = await edge.database.db.$client.query(
    'select version from inventory.stock_levels where warehouse_id = $1 and sku = $2',
    [wh, sku],
  );
  const from = Number(rows[0]!.version);
  // The room may not have had that change yet when the socket joined.
  for (let v = 0; v < from; ) {
    const m = await next();
    v =
      m.type === 'snapshot'
        ? (m.levels.find((l) => l.sku === sku)?.version ?? 0)
        : m.type === 'stock' && m.sku === sku
          ? m.version
          : v;
  }
  const burst = 30;
  await Promise.all(Array.from({ length: burst }, () => receive(w, wh, sku, 1)));
  const versions: number[] = [];
  while (versions.length < burst) {
    const m = await next();
    if (m.type === 'stock' && m.sku === sku) versions.push(m.version);
  }
  expect(versions).toEqual(Array.from({ length: burst }, (_, i) => from + i + 1));
  ws.close();
});

test('a tick of several levels reaches every socket as one message per level, in order, each with its seq', async () => {
  const own = await ownWorld();
  const wh = own.warehouses[0]!.id;
  const sockets = [
    await connect(wsUrl(wh, own.admin.accessToken)),
    await connect(wsUrl(wh, own.admin.accessToken)),
  ];
  const snaps = await Promise.all(sockets.map((s) => s.next()));
  const since = Math.max(...snaps.map((m) => (m as RoomSnapshot).version));
  const level = (sku: string, version: number) => ({ sku, onHand: version, reserved: 0, version });
  expect(await roomResult(push(wh, [level('TICK-B', 2), level('TICK-A', 2), level('TICK-A', 3)]))).toEqual({
    applied: 3,
    stale: 0,
    held: 0,
  });
  const isTick = (m: RoomMessage) => m.type === 'stock' && m.sku.startsWith('TICK-');
  for (const socket of sockets) {
    const got = [
      await socket.nextMatching(isTick),
      await socket.nextMatching(isTick),
      await socket.nextMatching(isTick),
    ];
    const seqs = got.map((m) => (m as { seq: number }).seq);
    expect(got.map((m) => [(m as { sku: string }).sku, (m as { version: number }).version])).toEqual([
      ['TICK-A', 2],
      ['TICK-A', 3],
      ['TICK-B', 2],
    ]);
    expect(seqs).toEqual([seqs[0]!, seqs[0]! + 1, seqs[0]! + 2]);
    expect(seqs[0]!).toBeGreaterThan(since);
  }
  // The resume log has them: from before the tick, a socket gets each level's last change.
  const late = await connect(wsUrl(wh, own.admin.accessToken));
  expect((await late.next()).type).toBe('snapshot');
  late.send({ type: 'resume', since });
  const missed = [await late.nextMatching(isTick), await late.nextMatching(isTick)];
  expect(missed.map((m) => [(m as { sku: string }).sku, (m as { version: number }).version])).toEqual([
    ['TICK-A', 3],
    ['TICK-B', 2],
  ]);
  for (const s of [...sockets, late]) s.ws.close();
});

test('the resume log keeps the last 1,000 changes: resuming from before them gets a snapshot', async () => {
  const own = await ownWorld();
  const wh = own.warehouses[0]!.id;
  const first = await connect(wsUrl(wh, own.admin.accessToken));
  const since = ((await first.next()) as RoomSnapshot).version;
  first.ws.close();
  // One tick of 1,005 changes: the log drops the 5 oldest.
  const levels = Array.from({ length: 1005 }, (_, i) => ({
    sku: `LOG-${i}`,
    onHand: 1,
    reserved: 0,
    version: 2,
  }));
  expect((await roomResult(push(wh, levels))).applied).toBe(1005);
  const late = await connect(wsUrl(wh, own.admin.accessToken));
  expect((await late.next()).type).toBe('snapshot');
  late.send({ type: 'resume', since });
  const answer = await late.nextMatching((m) => m.type === 'snapshot' || m.type === 'stock');
  expect(answer).toMatchObject({ type: 'snapshot', version: since + 1005 });
  // From within the log, the changes after it come one by one.
  late.send({ type: 'resume', since: since + 1003 });
  const rest = [
    await late.nextMatching((m) => m.type === 'stock'),
    await late.nextMatching((m) => m.type === 'stock'),
  ];
  expect(rest.map((m) => (m as { seq: number }).seq)).toEqual([since + 1004, since + 1005]);
  late.ws.close();
});
