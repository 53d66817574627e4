/**
 * The jobs runner's client of the edge, against the real worker in workerd: every endpoint
 * answers what the room contract says, a push over the edge's limit is split, and a level the
 * contract refuses never leaves the runner.
 */
import { beforeAll, expect, test } from 'bun:test';
import { roomSnapshotSchema } from '../core/platform/room-contract.ts';
import { type TestEdge, testEdge } from '../test/harness/edge.ts';
import { expectProblem } from '../test/harness/http.ts';
import { type EdgeClient, edgeClient } from './edge-client.ts';

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

test('a push of more levels than the edge takes at once goes in several calls, their results added up', async () => {
  const room = crypto.randomUUID();
  const levels = Array.from({ length: 5001 }, (_, i) => ({
    sku: `SPLIT-${String(i).padStart(5, '0')}`,
    onHand: 3,
    reserved: 1,
    version: 2,
  }));
  expect(await client.pushLevels(room, levels)).toEqual({ applied: 5001, stale: 0, held: 0 });
  expect(await client.pushLevels(room, levels.slice(0, 2))).toEqual({ applied: 0, stale: 2, held: 0 });
  const held = await snapshot(room);
  expect(held.levels.length).toBe(5001);
  expect(held.levels[5000]).toEqual({ sku: 'SPLIT-05000', onHand: 3, reserved: 1, available: 2, version: 2 });
});

test('a level the contract refuses is refused before it is sent; the edge refuses it as well', async () => {
  const room = crypto.randomUUID();
  const bad = { sku: 'NEG-1', onHand: -1, reserved: 0, version: 1 };
  await expect(client.pushLevels(room, [bad])).rejects.toThrow();
  const sent = await fetch(`${edge.url}/internal/warehouses/${room}/levels`, {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.internalSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ levels: [bad] }),
  });
  expect((await expectProblem(sent, 422)).errors?.map((e) => e.path)).toEqual(['levels.0.onHand']);
  expect((await snapshot(room)).levels).toEqual([]);
});

test('every call answers what the contract says', async () => {
  const room = crypto.randomUUID();
  const first = await client.purgeCatalog();
  expect((await client.purgeCatalog()).generation).toBeGreaterThan(first.generation);
  const event = {
    id: crypto.randomUUID(),
    type: 'order.created',
    occurredAt: new Date().toISOString(),
    data: {},
  };
  expect(await client.pushEvent(room, event)).toEqual({ sockets: 0 });
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

test('a refused call throws with what the edge answered, for graphile-worker to retry', async () => {
  const stranger = edgeClient({ url: edge.url, secret: 'not-the-internal-secret' });
  await expect(stranger.purgeCatalog()).rejects.toThrow('the edge answered 401 to a catalog purge');
  await expect(
    stranger.pushLevels(crypto.randomUUID(), [{ sku: 'A', onHand: 1, reserved: 0, version: 1 }]),
  ).rejects.toThrow('the edge answered 401 to a warehouse room push');
});
