/**
 * Sockets that watch a few skus (`?skus=` at the upgrade, `{"type":"watch"}` after it): their
 * snapshots and resumes hold only those levels, their stock messages only those skus. Real
 * rooms through wrangler dev. A room sends a socket its messages in the order it applied the
 * changes, so "the first stock message after an unwatched change is the watched one" proves
 * the unwatched one was not sent, without waiting for an absence.
 */
import { beforeAll, expect, test } from 'bun:test';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import { eventually } from '../test/harness/http.ts';
import { openRoom, roomUrl, upgradeStatus } from '../test/harness/room-socket.ts';
import { receive, type StockWorld, stockWorld } from '../test/harness/stock.ts';
import type { RoomMessage, RoomSnapshot } from './room-types.ts';

let edge: TestEdge;

beforeAll(async () => {
  edge = await testEdge();
}, 120_000);

/** Waits until the room holds these on-hand figures (the feed applies commits in its own time). */
async function roomHolds(wh: string, onHand: Record<string, number>) {
  await eventually(async () => {
    const res = await fetch(`${edge.url}/internal/warehouses/${wh}/snapshot`, {
      headers: { authorization: `Bearer ${edge.internalSecret}` },
    });
    const levels = ((await res.json()) as RoomSnapshot).levels;
    return Object.entries(onHand).every(([sku, n]) => levels.some((l) => l.sku === sku && l.onHand === n))
      ? true
      : undefined;
  });
}

/**
 * A change the room has broadcast before the next one commits: the feed may carry changes of
 * different skus in separate ticks, in either order, so a test that needs an order waits.
 */
async function receiveApplied(world: StockWorld, wh: string, sku: string, qty: number, then: number) {
  await receive(world, wh, sku, qty);
  await roomHolds(wh, { [sku]: then });
}

/** A warehouse with three skus in stock, each level already in its room. */
async function stockedRoom() {
  const world = await stockWorld({ url: edge.url, db: edge.database.db }, { warehouses: 1, skus: 3 });
  const wh = world.warehouses[0]!.id;
  for (const sku of world.skus) await receive(world, wh, sku, 10);
  await roomHolds(wh, Object.fromEntries(world.skus.map((sku) => [sku, 10])));
  const url = (skus?: string) =>
    `${roomUrl(edge.url, wh, world.admin.accessToken)}${skus === undefined ? '' : `&skus=${skus}`}`;
  return { world, wh, skus: world.skus as [string, string, string], url };
}

const snapshotSkus = (m: RoomMessage) => {
  if (m.type !== 'snapshot') throw new Error(`expected a snapshot, got ${m.type}`);
  return m.levels.map((l) => l.sku).sort();
};
const isStock = (m: RoomMessage) => m.type === 'stock';
const isSnapshot = (m: RoomMessage) => m.type === 'snapshot';

test('a socket watching skus gets only their levels, in any case, in its snapshot and its stock messages', async () => {
  const { world, wh, skus, url } = await stockedRoom();
  const [a, b, c] = skus;
  const watching = await openRoom(url(`${a.toLowerCase()},${c}`));
  const everything = await openRoom(url());
  expect(snapshotSkus(await watching.next())).toEqual([a, c].sort());
  expect(snapshotSkus(await everything.next())).toEqual([a, b, c].sort());

  await receiveApplied(world, wh, b, 1, 11); // not watched
  await receive(world, wh, a, 2);
  expect(await watching.nextMatching(isStock)).toMatchObject({ type: 'stock', sku: a, onHand: 12 });
  expect(await everything.nextMatching(isStock)).toMatchObject({ sku: b, onHand: 11 });
  watching.ws.close();
  everything.ws.close();
});

test('watch replaces the skus and answers with their snapshot; null watches every sku; none watches no level', async () => {
  const { world, wh, skus, url } = await stockedRoom();
  const [a, b, c] = skus;
  const room = await openRoom(url(''));
  expect(snapshotSkus(await room.next())).toEqual([]);

  // A scanner sends one per scan: many in a row cost no more than messages.
  for (const sku of [a, c, a, c, b]) {
    room.ws.send(JSON.stringify({ type: 'watch', skus: [sku] }));
    expect(snapshotSkus(await room.nextMatching(isSnapshot))).toEqual([sku]);
  }
  await receiveApplied(world, wh, a, 1, 11);
  await receive(world, wh, b, 1);
  expect(await room.nextMatching(isStock)).toMatchObject({ sku: b, onHand: 11 });

  room.ws.send(JSON.stringify({ type: 'watch', skus: null }));
  expect(snapshotSkus(await room.nextMatching(isSnapshot))).toEqual([a, b, c].sort());
  await receive(world, wh, c, 1);
  expect(await room.nextMatching(isStock)).toMatchObject({ sku: c, onHand: 11 });

  room.ws.send(JSON.stringify({ type: 'watch', skus: Array.from({ length: 21 }, (_, i) => `S${i}`) }));
  const refused = await room.nextMatching((m) => m.type === 'error');
  expect((refused as { message: string }).message).toStartWith('skus: at most 20 skus.');
  room.ws.close();
});

test('a resume sends only the watched skus it missed', async () => {
  const { world, wh, skus, url } = await stockedRoom();
  const [a, b] = skus;
  const first = await openRoom(url(a));
  const since = (await first.next()) as Extract<RoomMessage, { type: 'snapshot' }>;
  first.ws.close();
  await receiveApplied(world, wh, b, 3, 13); // not watched: missed, but not sent
  await receiveApplied(world, wh, a, 4, 14);
  const again = await openRoom(url(a));
  expect(snapshotSkus(await again.next())).toEqual([a]);
  again.ws.send(JSON.stringify({ type: 'resume', since: since.version }));
  expect(await again.nextMatching(isStock)).toMatchObject({ sku: a, onHand: 14 });
  again.ws.close();
});

test('skus that are not skus, or too many, are refused before the upgrade with a 422 naming them', async () => {
  const { url } = await stockedRoom();
  const tooMany = await upgradeStatus(url(Array.from({ length: 21 }, (_, i) => `S${i}`).join(',')));
  expect(tooMany.status).toBe(422);
  expect(tooMany.headers.get('content-type')).toContain('application/problem+json');
  expect(JSON.parse(tooMany.body).errors).toEqual([{ path: 'skus', message: 'at most 20 skus' }]);
  for (const bad of [`OK,${'X'.repeat(65)}`, 'OK,caf%C3%A9', 'OK,a%20b']) {
    const refused = await upgradeStatus(url(bad));
    expect(refused.status, bad).toBe(422);
    expect(JSON.parse(refused.body).errors[0], bad).toEqual({ path: 'skus.1', message: 'not a sku' });
  }
});

test('the most skus a socket may watch, each as long as a sku may be, fit the socket', async () => {
  const { skus, url } = await stockedRoom();
  const longest = Array.from({ length: 19 }, (_, i) => `${i}`.padEnd(64, 'x'));
  const room = await openRoom(url([skus[0], ...longest].join(',')));
  expect(snapshotSkus(await room.next())).toEqual([skus[0]]);
  room.ws.send(JSON.stringify({ type: 'watch', skus: [skus[1], ...longest] }));
  expect(snapshotSkus(await room.nextMatching(isSnapshot))).toEqual([skus[1]]);
  await room.ping();
  room.ws.close();
});
