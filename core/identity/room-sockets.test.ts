/**
 * Identity tells the live rooms, through the outbox, exactly when a credential ends or a user's
 * rights change: one job written by the change's own transaction, none for a change that did not
 * happen. (Core alone, no jobs runner: the jobs stay queued for the test to read. Their delivery
 * and the sockets closing are edge/room-revocation.test.ts.)
 */
import { beforeAll, expect, test } from 'bun:test';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { useCore } from '../../test/harness/core.ts';
import { postJson } from '../../test/harness/http.ts';
import { takeQueued } from '../../test/harness/job-queue.ts';
import type { RoomAccessChange } from '../platform/room-contract.ts';

const core = useCore();
let admin: Actor;

beforeAll(async () => {
  admin = await signedIn({ url: core().url, db: core().database.db }, { roles: ['admin'] });
});

/** The room access changes queued so far, oldest first (and forgotten, so each test sees its own). */
async function takeChanges(): Promise<RoomAccessChange[]> {
  return takeQueued<RoomAccessChange>(core().database.db, 'recheck-room-sockets');
}

const send = (method: string, path: string, body?: unknown) =>
  fetch(`${core().url}${path}`, {
    method,
    headers: { ...admin.headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

test('disabling a user queues one change that ends the user and the keys revoked with them', async () => {
  const clerk = await signedIn({ url: core().url, db: core().database.db }, { roles: ['clerk'] });
  const key = (await (
    await send('POST', '/api/api-keys', {
      name: 'k',
      roles: ['clerk'],
      warehouseIds: [],
      userId: clerk.user.id,
    })
  ).json()) as { id: string };
  await takeChanges();
  expect((await send('PATCH', `/api/users/${clerk.user.id}`, { status: 'disabled' })).status).toBe(200);
  expect(await takeChanges()).toEqual([
    { kind: 'ended', reason: 'disabled', userId: clerk.user.id, apiKeyIds: [key.id] },
  ]);
});

test('new roles or warehouses queue a re-scope with the rights now; a new name queues nothing', async () => {
  const clerk = await signedIn({ url: core().url, db: core().database.db }, { roles: ['clerk'] });
  await takeChanges();
  expect((await send('PATCH', `/api/users/${clerk.user.id}`, { name: 'Renamed' })).status).toBe(200);
  expect(await takeChanges()).toEqual([]);
  expect((await send('PATCH', `/api/users/${clerk.user.id}`, { roles: ['manager'] })).status).toBe(200);
  expect(await takeChanges()).toEqual([
    { kind: 'rescoped', userId: clerk.user.id, roles: ['manager'], warehouseIds: [] },
  ]);
});

test('a change that fails queues nothing', async () => {
  await takeChanges();
  expect((await send('PATCH', `/api/users/${crypto.randomUUID()}`, { status: 'disabled' })).status).toBe(404);
  expect((await send('DELETE', `/api/api-keys/${crypto.randomUUID()}`)).status).toBe(404);
  expect((await postJson(`${core().url}/api/auth/logout`, { refreshToken: 'rt_unknown' })).status).toBe(204);
  expect(await takeChanges()).toEqual([]);
});

test('logout ends its session; revoking a key ends that key', async () => {
  const clerk = await signedIn({ url: core().url, db: core().database.db }, { roles: ['clerk'] });
  const key = (await (
    await send('POST', '/api/api-keys', { name: 'k2', roles: ['clerk'], warehouseIds: [] })
  ).json()) as {
    id: string;
  };
  await takeChanges();
  expect((await postJson(`${core().url}/api/auth/logout`, { refreshToken: clerk.refreshToken })).status).toBe(
    204,
  );
  const [logout] = await takeChanges();
  expect(logout).toMatchObject({ kind: 'ended', reason: 'signed_out', apiKeyIds: [] });
  expect((logout as { sessionId?: string }).sessionId).toBeString();
  expect((await send('DELETE', `/api/api-keys/${key.id}`)).status).toBe(204);
  expect(await takeChanges()).toEqual([{ kind: 'ended', reason: 'key_revoked', apiKeyIds: [key.id] }]);
});
