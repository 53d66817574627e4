/**
 * Sessions through the edge: refresh rotation and reuse detection, logout, disabling a user, API
 * keys, user administration and the rules against mass assignment.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { type Actor, login, signedIn, type TokenPair } from '../../test/harness/auth.ts';
import { type TestEdge, testEdgeWithAdmin } from '../../test/harness/edge.ts';
import { apiClient, expectProblem, postJson } from '../../test/harness/http.ts';

let edge: TestEdge;
let admin: Actor;
beforeAll(async () => {
  ({ edge, admin } = await testEdgeWithAdmin());
}, 120_000);
const asAdmin = apiClient(
  () => edge.url,
  () => admin.headers,
);
const as = (headers: Record<string, string>) =>
  apiClient(
    () => edge.url,
    () => headers,
  );
const refresh = (refreshToken: string) => postJson(`${edge.url}/api/auth/refresh`, { refreshToken });
const me = (accessToken: string) =>
  fetch(`${edge.url}/api/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });

describe('refresh tokens', () => {
  test('rotate on every use: the new pair works, the old refresh token is spent', async () => {
    const clerk = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });
    const res = await refresh(clerk.refreshToken);
    expect(res.status).toBe(200);
    const next = (await res.json()) as TokenPair;
    expect(next.refreshToken).not.toBe(clerk.refreshToken);
    expect(next.expiresIn).toBe(900);
    expect((await me(next.accessToken)).status).toBe(200);
  });

  test('a second use after the grace period revokes the whole family (RFC 9700)', async () => {
    const clerk = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });
    const next = (await (await refresh(clerk.refreshToken)).json()) as TokenPair;
    await Bun.sleep(5_500); // REFRESH_REUSE_GRACE_SECONDS is 5
    const reuse = await expectProblem(await refresh(clerk.refreshToken), 401);
    expect(reuse.detail).toContain('already used');
    // The thief's replay killed the legitimate descendant too, and its access token.
    await expectProblem(await refresh(next.refreshToken), 401);
    await expectProblem(await me(next.accessToken), 401);
  }, 20_000);

  test('two refreshes at the same moment (two tabs) both succeed within the grace period, with one successor', async () => {
    const clerk = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });
    const [a, b] = await Promise.all([refresh(clerk.refreshToken), refresh(clerk.refreshToken)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const pairs = [(await a.json()) as TokenPair, (await b.json()) as TokenPair];
    expect(pairs[0]!.refreshToken).toBe(pairs[1]!.refreshToken); // never a sibling: see refresh-replay.test.ts
    for (const p of pairs) expect((await me(p.accessToken)).status).toBe(200);
    expect((await refresh(pairs[0]!.refreshToken)).status).toBe(200);
  });

  test('garbage and unknown refresh tokens: 401; a missing one: 422', async () => {
    await expectProblem(await refresh('rt_not-a-real-token'), 401);
    await expectProblem(await postJson(`${edge.url}/api/auth/refresh`, {}), 422, 'validation');
  });

  test('logout revokes the family: refresh and access token both stop', async () => {
    const clerk = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });
    const out = await postJson(`${edge.url}/api/auth/logout`, { refreshToken: clerk.refreshToken });
    expect(out.status).toBe(204);
    await expectProblem(await refresh(clerk.refreshToken), 401);
    await expectProblem(await me(clerk.accessToken), 401);
    // Logging out with an unknown token says nothing either way.
    expect((await postJson(`${edge.url}/api/auth/logout`, { refreshToken: 'rt_unknown' })).status).toBe(204);
  });
});

describe('disabling a user', () => {
  test("stops their access token, refresh token and API keys at once; re-enabling doesn't revive them", async () => {
    const partner = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['partner'] });
    const keyRes = await asAdmin.post('/api/api-keys', {
      name: 'partner feed',
      roles: ['partner'],
      userId: partner.user.id,
    });
    const { key } = (await keyRes.json()) as { key: string };
    expect((await as({ 'x-api-key': key }).get('/api/auth/me')).status).toBe(200);

    const disabled = await asAdmin.send(`/api/users/${partner.user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'disabled' }),
    });
    expect(disabled.status).toBe(200);
    await expectProblem(await me(partner.accessToken), 401);
    await expectProblem(await refresh(partner.refreshToken), 401);
    await expectProblem(await as({ 'x-api-key': key }).get('/api/auth/me'), 401);
    await expectProblem(
      await postJson(`${edge.url}/api/auth/login`, { email: partner.user.email, password: partner.password }),
      401,
    );

    await asAdmin.send(`/api/users/${partner.user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'active' }),
    });
    await expectProblem(await refresh(partner.refreshToken), 401);
    expect((await login(edge.url, partner.user.email, partner.password)).accessToken).toBeString();
  });
});

describe('API keys', () => {
  test('shown once, listed by prefix, accepted as X-API-Key with their scope, revocable', async () => {
    const res = await asAdmin.post('/api/api-keys', {
      name: 'shop sync',
      roles: ['partner'],
      warehouseIds: [],
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; key: string; prefix: string };
    expect(created.key).toStartWith(`vk_${created.prefix}_`);

    const listed = (await (await asAdmin.get('/api/api-keys')).json()) as {
      items: Record<string, unknown>[];
    };
    const entry = listed.items.find((k) => k.id === created.id)!;
    expect(entry.prefix).toBe(created.prefix);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const partner = as({ 'x-api-key': created.key });
    const mine = await partner.get('/api/auth/me');
    expect(await mine.json()).toMatchObject({
      kind: 'api_key',
      id: created.id,
      roles: ['partner'],
      email: null,
    });
    await expectProblem(await partner.get('/api/users'), 403, 'forbidden');
    const used = (await (await asAdmin.get('/api/api-keys')).json()) as {
      items: { id: string; lastUsedAt: string | null }[];
    };
    expect(used.items.find((k) => k.id === created.id)?.lastUsedAt).toBeString();

    expect((await asAdmin.send(`/api/api-keys/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    await expectProblem(await partner.get('/api/auth/me'), 401);
    await expectProblem(
      await asAdmin.send(`/api/api-keys/${crypto.randomUUID()}`, { method: 'DELETE' }),
      404,
    );
  });

  test('a malformed or made-up key: 401', async () => {
    for (const key of ['nope', `vk_abcdefghij_${'x'.repeat(43)}`]) {
      await expectProblem(await as({ 'x-api-key': key }).get('/api/auth/me'), 401);
    }
  });

  test('bad input: 422 naming the field', async () => {
    const body = await expectProblem(await asAdmin.post('/api/api-keys', { name: '', roles: ['root'] }), 422);
    expect(body.errors!.map((e) => e.path).sort()).toEqual(['name', 'roles.0']);
  });
});

describe('users', () => {
  test('admin creates, reads, lists and updates; emails are unique regardless of case', async () => {
    const email = `Mixed.Case-${Date.now()}@Example.test`;
    const created = await asAdmin.post('/api/users', {
      email,
      password: 'a-long-enough-password',
      name: 'Mia Manager',
      roles: ['manager'],
      warehouseIds: [crypto.randomUUID()],
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string };
    expect(JSON.stringify(user)).not.toMatch(/password|argon/i);
    await expectProblem(
      await asAdmin.post('/api/users', {
        email: email.toLowerCase(),
        password: 'a-long-enough-password',
        name: 'X',
        roles: ['clerk'],
      }),
      409,
    );
    expect(await (await asAdmin.get(`/api/users/${user.id}`)).json()).toMatchObject({
      email,
      roles: ['manager'],
    });
    const page = (await (await asAdmin.get('/api/users?limit=200')).json()) as { items: { id: string }[] };
    expect(page.items.map((u) => u.id)).toContain(user.id);
    const patched = await asAdmin.send(`/api/users/${user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Mia M.', roles: ['clerk'] }),
    });
    expect(await patched.json()).toMatchObject({ name: 'Mia M.', roles: ['clerk'] });
    // The new role applies at once to an existing session: core reads roles fresh.
    const session = await login(edge.url, email, 'a-long-enough-password');
    expect(await (await me(session.accessToken)).json()).toMatchObject({ roles: ['clerk'] });
  });

  test('validation: short password, bad email, unknown role, unknown field: 422 each named', async () => {
    const body = await expectProblem(
      await asAdmin.post('/api/users', {
        email: 'not-an-email',
        password: 'x',
        name: 'N',
        roles: ['wizard'],
        isAdmin: true,
      }),
      422,
    );
    expect(body.errors!.map((e) => e.path).sort()).toEqual(['email', 'isAdmin', 'roles.0']);
    const short = await expectProblem(
      await asAdmin.post('/api/users', {
        email: `s-${Date.now()}@example.test`,
        password: 'short',
        name: 'S',
        roles: ['clerk'],
      }),
      422,
    );
    expect(short.errors).toEqual([{ path: 'password', message: 'At least 12 characters' }]);
    await expectProblem(await asAdmin.get(`/api/users/${crypto.randomUUID()}`), 404);
    await expectProblem(await asAdmin.get('/api/users/not-a-uuid'), 422);
  });

  test('nobody sets their own roles, scopes or status: not through /me, not as admin on themselves', async () => {
    const clerk = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });
    const self = as(clerk.headers);
    const escalate = await self.send('/api/auth/me', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ roles: ['admin'], warehouseIds: [crypto.randomUUID()] }),
    });
    expect((await expectProblem(escalate, 422)).errors!.map((e) => e.path).sort()).toEqual([
      'roles',
      'warehouseIds',
    ]);
    await expectProblem(
      await self.send(`/api/users/${clerk.user.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ roles: ['admin'] }),
      }),
      403,
    );
    const adminSelf = await asAdmin.send(`/api/users/${admin.user.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'disabled' }),
    });
    expect((await expectProblem(adminSelf, 403)).detail).toContain('your own status');
    expect(await (await self.get('/api/auth/me')).json()).toMatchObject({ roles: ['clerk'] });
  });

  test('a user changes their own name and password; the old password stops working', async () => {
    const clerk = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });
    const self = as(clerk.headers);
    const patch = (body: unknown) =>
      self.send('/api/auth/me', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await expectProblem(await patch({ newPassword: 'another-long-password' }), 422);
    await expectProblem(
      await patch({ currentPassword: 'wrong-password!', newPassword: 'another-long-password' }),
      401,
    );
    const ok = await patch({
      name: 'Renamed',
      currentPassword: clerk.password,
      newPassword: 'another-long-password',
    });
    expect(await ok.json()).toMatchObject({ name: 'Renamed' });
    await expectProblem(
      await postJson(`${edge.url}/api/auth/login`, { email: clerk.user.email, password: clerk.password }),
      401,
    );
    expect((await login(edge.url, clerk.user.email, 'another-long-password')).user.name).toBe('Renamed');
  });
});
