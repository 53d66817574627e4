/**
 * A room socket lives no longer than the right to it, end to end on a stack of its own (core,
 * the jobs runner, the edge in workerd) with short-lived access tokens: disabling a user,
 * logging a session out, a new password, a reused refresh token, revoking an API key and
 * re-scoping a user each close the sockets concerned (identity -> outbox job -> jobs runner ->
 * edge -> rooms), and a socket closes when its token expires unless the client sent a fresh one.
 * Every wait is for the close event or a message; the bounds only turn a hang into a failure.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { decodeJwt } from 'jose';
import { type Actor, bearer, login, signedIn, type TokenPair } from '../test/harness/auth.ts';
import { type EdgeStack, startEdgeStack } from '../test/harness/edge.ts';
import { postJson } from '../test/harness/http.ts';
import { feedRoom } from '../test/harness/room-feed.ts';
import { openRoom, type RoomClient, roomUrl, upgradeStatus, within } from '../test/harness/room-socket.ts';
import { type StockWorld, stockWorld } from '../test/harness/stock.ts';
import type { RoomMessage } from './room-types.ts';

/** Short enough that a test sees tokens expire, long enough for a change to reach the rooms first. */
const ACCESS_TOKEN_TTL_SECONDS = 12;
/** A bound on how long the close frame may take, so a socket that never closes fails the test. */
const CLOSE_BOUND_MS = 10_000;
/** A bound on the close event after the frame (workerd ends the connection when the room idles). */
const CLOSE_EVENT_BOUND_MS = 40_000;

let stack: EdgeStack;
let w: StockWorld;
let whA: string;
let whB: string;

beforeAll(async () => {
  stack = await startEdgeStack({
    name: 'room-revocation',
    jobs: true,
    auth: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS, refreshReuseGraceSeconds: 0 },
  });
  w = await stockWorld({ url: stack.url, db: stack.database.db }, { warehouses: 2, skus: 1 });
  [whA, whB] = w.warehouses.map((x) => x.id) as [string, string];
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const target = () => ({ url: stack.url, db: stack.database.db });

/** The admin's headers with a token fresh enough to outlive the request (tokens live 12 s here). */
async function asAdmin(): Promise<Record<string, string>> {
  const tokens = await login(stack.url, w.admin.user.email, w.admin.password);
  return { ...bearer(tokens.accessToken), 'content-type': 'application/json' };
}

async function patchUser(id: string, body: unknown) {
  const res = await fetch(`${stack.url}/api/users/${id}`, {
    method: 'PATCH',
    headers: await asAdmin(),
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** A socket on the room, its snapshot already read. */
async function joined(warehouseId: string, token: string): Promise<RoomClient> {
  const room = await openRoom(roomUrl(stack.url, warehouseId, token));
  expect((await room.next()).type).toBe('snapshot');
  return room;
}

/** Waits for the server's close frame (the socket is no longer open). */
const closing = (room: RoomClient, what: string) =>
  room.closing(CLOSE_BOUND_MS).catch((err: Error) => {
    throw new Error(`${what}: ${err.message}`);
  });

/** Waits for the server's close frame, then for the close event, and returns its code and reason. */
async function closeOf(room: RoomClient, what: string) {
  await closing(room, what);
  return within(room.closed, CLOSE_EVENT_BOUND_MS, what);
}

test('disabling a clerk closes their sockets with 4401, and their unexpired token cannot reconnect', async () => {
  const clerk = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA] });
  const room = await joined(whA, clerk.accessToken);
  await patchUser(clerk.user.id, { status: 'disabled' });
  expect(await closeOf(room, 'the disabled clerk’s socket')).toEqual({
    code: 4401,
    reason: 'The account was disabled.',
  });
  expect((await upgradeStatus(roomUrl(stack.url, whA, clerk.accessToken))).status).toBe(401);
});

test('logging out closes that session’s sockets only', async () => {
  const clerk = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA] });
  const other: TokenPair = await login(stack.url, clerk.user.email, clerk.password);
  const loggedOut = await joined(whA, clerk.accessToken);
  const stays = await joined(whA, other.accessToken);
  const res = await postJson(`${stack.url}/api/auth/logout`, { refreshToken: clerk.refreshToken });
  expect(res.status).toBe(204);
  await closing(loggedOut, 'the logged-out session’s socket');
  await stays.ping();
  expect(await closeOf(loggedOut, 'the logged-out session’s socket')).toEqual({
    code: 4401,
    reason: 'Signed out.',
  });
  expect((await upgradeStatus(roomUrl(stack.url, whA, clerk.accessToken))).status).toBe(401);
  stays.ws.close();
});

test('a new password signs the user out everywhere, sockets included', async () => {
  const clerk = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA] });
  const room = await joined(whA, clerk.accessToken);
  const res = await fetch(`${stack.url}/api/auth/me`, {
    method: 'PATCH',
    headers: { ...clerk.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ currentPassword: clerk.password, newPassword: `new-${clerk.password}` }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(await closeOf(room, 'the socket after a new password')).toMatchObject({ code: 4401 });
});

test('a refresh token used twice revokes its session, and the session’s sockets close', async () => {
  const clerk = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA] });
  const room = await joined(whA, clerk.accessToken);
  expect((await postJson(`${stack.url}/api/auth/refresh`, { refreshToken: clerk.refreshToken })).status).toBe(
    200,
  );
  // The reuse grace is 0 here: a second use is theft, and the family is revoked.
  let reuse = await postJson(`${stack.url}/api/auth/refresh`, { refreshToken: clerk.refreshToken });
  while (reuse.status === 200)
    reuse = await postJson(`${stack.url}/api/auth/refresh`, { refreshToken: clerk.refreshToken });
  expect(reuse.status).toBe(401);
  expect(await closeOf(room, 'the socket of a revoked session')).toEqual({
    code: 4401,
    reason: 'The session has ended.',
  });
});

test('revoking an API key closes the sockets opened with it (X-API-Key, outside a browser)', async () => {
  const created = await fetch(`${stack.url}/api/api-keys`, {
    method: 'POST',
    headers: await asAdmin(),
    body: JSON.stringify({ name: 'wall screen', roles: ['clerk'], warehouseIds: [whA] }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const key = (await created.json()) as { id: string; key: string };
  const room = await openRoom(roomUrl(stack.url, whA), { headers: { 'x-api-key': key.key } });
  expect((await room.next()).type).toBe('snapshot');
  const revoked = await fetch(`${stack.url}/api/api-keys/${key.id}`, {
    method: 'DELETE',
    headers: await asAdmin(),
  });
  expect(revoked.status).toBe(204);
  expect(await closeOf(room, 'the revoked key’s socket')).toEqual({
    code: 4401,
    reason: 'The API key was revoked.',
  });
  expect((await upgradeStatus(roomUrl(stack.url, whA), { 'x-api-key': key.key })).status).toBe(401);
});

test('a warehouse taken out of a clerk’s scope closes that room’s socket with 4403; the others stay', async () => {
  const clerk: Actor = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA, whB] });
  const inA = await joined(whA, clerk.accessToken);
  const inB = await joined(whB, clerk.accessToken);
  await patchUser(clerk.user.id, { warehouseIds: [whA] });
  await closing(inB, 'the socket of the warehouse taken away');
  await inA.ping();
  // The token still names B, but core knows better.
  expect((await upgradeStatus(roomUrl(stack.url, whB, clerk.accessToken))).status).toBe(403);
  // A clerk made a partner loses stock:read everywhere.
  await patchUser(clerk.user.id, { roles: ['partner'] });
  await closing(inA, 'the socket of a clerk made partner');
  const reason = 'Your access to this warehouse changed.';
  expect(await closeOf(inB, 'the socket of the warehouse taken away')).toEqual({ code: 4403, reason });
  expect(await closeOf(inA, 'the socket of a clerk made partner')).toEqual({ code: 4403, reason });
});

/** A level of a sku of its own, pushed as the feed does, to make the room broadcast. */
const level = (version: number) => ({ sku: 'RENEW-1', onHand: version, reserved: 0, version });
const isRenewLevel = (version: number) => (m: RoomMessage) =>
  m.type === 'stock' && m.sku === 'RENEW-1' && m.version === version;

test('a socket closes when its token expires, unless a fresh token of its session came over the socket', async () => {
  const clerk = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA] });
  const refreshed = await joined(whA, clerk.accessToken);
  // Another session, signed in after: its token expires no sooner than the first one.
  const other = await login(stack.url, clerk.user.email, clerk.password);
  const left = await joined(whA, other.accessToken);
  const firstExpiry = decodeJwt(clerk.accessToken).exp! * 1000;
  const leftExpiry = decodeJwt(other.accessToken).exp! * 1000;
  expect(leftExpiry).toBeGreaterThanOrEqual(firstExpiry);

  // A tick reaches both: the room has read both sockets' states for a broadcast (it keeps them
  // in memory), so the renewal below must replace what it read.
  expect((await feedRoom(stack, whA, [level(1)])).status).toBe(200);
  for (const room of [refreshed, left]) expect(await room.nextMatching(isRenewLevel(1))).toBeTruthy();

  // A token of another session is not taken.
  refreshed.send({ type: 'auth', token: other.accessToken });
  expect(await refreshed.nextMatching((m) => m.type === 'error' || m.type === 'auth')).toMatchObject({
    type: 'error',
  });

  // Refreshed once the clock is 2 s past the other token's issue, the new token outlives it by 2 s.
  const issuedLeft = decodeJwt(other.accessToken).iat! * 1000;
  await Bun.sleep(Math.max(0, issuedLeft + 2_000 - Date.now()));
  const res = await postJson(`${stack.url}/api/auth/refresh`, { refreshToken: clerk.refreshToken });
  const fresh = (await res.json()) as TokenPair;
  refreshed.send({ type: 'auth', token: fresh.accessToken });
  const ack = await refreshed.nextMatching((m) => m.type === 'auth' || m.type === 'error');
  expect(ack.type, JSON.stringify(ack)).toBe('auth');
  expect(Date.parse((ack as { expiresAt: string }).expiresAt)).toBeGreaterThan(leftExpiry);

  await closing(left, 'the socket whose token expired');
  // Past its first token's expiry (and the other's), the refreshed socket is still served...
  expect(Date.now()).toBeGreaterThan(firstExpiry);
  await refreshed.ping();
  expect((await feedRoom(stack, whA, [level(2)])).status).toBe(200);
  expect(await refreshed.nextMatching(isRenewLevel(2))).toBeTruthy();
  // ...until its new token expires in turn.
  await closing(refreshed, 'the refreshed socket, at its new expiry');
  const expired = { code: 4401, reason: 'The access token expired.' };
  expect(await closeOf(left, 'the socket whose token expired')).toEqual(expired);
  expect(await closeOf(refreshed, 'the refreshed socket, at its new expiry')).toEqual(expired);
});

/** A change delivered to the rooms, as the jobs runner does (here without core knowing of it). */
const deliver = async (change: unknown) => {
  const res = await fetch(`${stack.url}/internal/rooms/access`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.internalSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify(change),
  });
  expect(res.status, await res.clone().text()).toBe(200);
};

test('a change that reaches the room after core checked the caller, but before the socket joined, still refuses it', async () => {
  // Core still finds these callers fine: the changes go to the rooms alone, as if core's check
  // had run just before the change committed.
  const loggedOut = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA] });
  await deliver({ kind: 'ended', reason: 'signed_out', sessionId: decodeJwt(loggedOut.accessToken).sid });
  const refused = await upgradeStatus(roomUrl(stack.url, whA, loggedOut.accessToken));
  expect(refused.status, refused.body).toBe(401);

  const rescoped = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA] });
  await deliver({ kind: 'rescoped', userId: rescoped.user.id, roles: ['clerk'], warehouseIds: [whB] });
  expect((await upgradeStatus(roomUrl(stack.url, whA, rescoped.accessToken))).status).toBe(403);

  // Ended by user id: a token from before the change is refused, one from signing in after is not.
  const disabled = await signedIn(target(), { roles: ['clerk'], warehouseIds: [whA] });
  const issued = decodeJwt(disabled.accessToken).iat! * 1000;
  await Bun.sleep(Math.max(0, issued + 1_000 - Date.now())); // tokens carry whole seconds
  await deliver({ kind: 'ended', reason: 'disabled', userId: disabled.user.id });
  expect((await upgradeStatus(roomUrl(stack.url, whA, disabled.accessToken))).status).toBe(401);
  const again = await login(stack.url, disabled.user.email, disabled.password);
  const room = await joined(whA, again.accessToken);
  await room.ping();
  room.ws.close();
});
