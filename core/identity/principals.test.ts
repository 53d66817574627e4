/**
 * Every principal kind through identity's endpoints, over the edge: an admin API key manages
 * keys and users as an admin user does (it used to get a 500 from a foreign key to users), what
 * identity records about "who did it" names the right kind, and odd input never answers 500.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { type TestEdge, testEdgeWithAdmin } from '../../test/harness/edge.ts';
import { apiClient, expectProblem } from '../../test/harness/http.ts';
import { type Action, policy } from './policy.ts';
import { roleNames } from './tables.ts';

let edge: TestEdge;
let admin: Actor;
beforeAll(async () => {
  ({ edge, admin } = await testEdgeWithAdmin());
}, 120_000);
const as = (headers: () => Record<string, string>) => apiClient(() => edge.url, headers);
const asAdmin = as(() => admin.headers);
const patch = (client: ReturnType<typeof as>, path: string, body: unknown) =>
  client.send(path, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function newKey(roles: string[], by = asAdmin): Promise<{ id: string; key: string }> {
  const res = await by.post('/api/api-keys', { name: `key ${roles.join('/')}`, roles, warehouseIds: [] });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

async function creatorOf(keyId: string) {
  const result = await edge.database.db.execute<{ by_user: string | null; by_key: string | null }>(sql`
    select created_by_user_id as by_user, created_by_key_id as by_key
    from identity.api_keys where id = ${keyId}`);
  return result.rows[0];
}

describe('an admin API key', () => {
  test('creates an API key (201, not 500), and the new key records which key created it', async () => {
    const adminKey = await newKey(['admin']);
    expect(await creatorOf(adminKey.id)).toEqual({ by_user: admin.user.id, by_key: null });
    const viaKey = as(() => ({ 'x-api-key': adminKey.key }));
    const partnerKey = await newKey(['partner'], viaKey);
    expect(await creatorOf(partnerKey.id)).toEqual({ by_user: null, by_key: adminKey.id });
    // The key a key created works, and the creator can list and revoke it.
    expect((await as(() => ({ 'x-api-key': partnerKey.key })).get('/api/auth/me')).status).toBe(200);
    expect((await viaKey.get('/api/api-keys')).status).toBe(200);
    expect((await viaKey.send(`/api/api-keys/${partnerKey.id}`, { method: 'DELETE' })).status).toBe(204);
    await expectProblem(await as(() => ({ 'x-api-key': partnerKey.key })).get('/api/auth/me'), 401);
  });

  test('manages users: create, list, read, update, disable', async () => {
    const adminKey = await newKey(['admin']);
    const viaKey = as(() => ({ 'x-api-key': adminKey.key }));
    const created = await viaKey.post('/api/users', {
      email: `made-by-key-${crypto.randomUUID().slice(0, 8)}@example.test`,
      password: 'a-long-enough-password',
      name: 'Made by a key',
      roles: ['clerk'],
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string };
    expect((await viaKey.get('/api/users')).status).toBe(200);
    expect((await viaKey.get(`/api/users/${user.id}`)).status).toBe(200);
    expect((await patch(viaKey, `/api/users/${user.id}`, { roles: ['manager'] })).status).toBe(200);
    expect((await patch(viaKey, `/api/users/${user.id}`, { status: 'disabled' })).status).toBe(200);
  });

  test('a key for a user that does not exist: 422 naming userId, for a user and for a key', async () => {
    const adminKey = await newKey(['admin']);
    for (const client of [asAdmin, as(() => ({ 'x-api-key': adminKey.key }))]) {
      const res = await client.post('/api/api-keys', {
        name: 'orphan',
        roles: ['partner'],
        userId: crypto.randomUUID(),
      });
      const body = await expectProblem(res, 422, 'validation');
      expect(body.errors!.map((e) => e.path)).toEqual(['userId']);
    }
  });
});

describe('API keys of every role on the profile endpoints', () => {
  test('GET /api/auth/me: 200; PATCH /api/auth/me: 403 (a key has no profile), never 500', async () => {
    for (const role of roleNames) {
      const key = await newKey([role]);
      const client = as(() => ({ 'x-api-key': key.key }));
      const me = await client.get('/api/auth/me');
      const body = (await me.json()) as { actions: string[] };
      expect(body).toMatchObject({ kind: 'api_key', id: key.id, roles: [role] });
      // What a client may offer is the policy's answer for the role, nothing more.
      expect(body.actions).toEqual(
        (Object.keys(policy) as Action[]).filter((a) =>
          (policy[a].roles as readonly string[]).includes(role),
        ),
      );
      expect(body.actions.includes('users:manage')).toBe(role === 'admin');
      await expectProblem(await patch(client, '/api/auth/me', { name: 'renamed' }), 403, 'forbidden');
      await expectProblem(
        await patch(client, '/api/auth/me', { currentPassword: 'x', newPassword: 'y'.repeat(20) }),
        403,
      );
    }
  });
});

describe('odd input to refresh, logout and PATCH /api/auth/me: 4xx, never 500', () => {
  const oddTokens = [
    '',
    ' ',
    'rt_',
    'x'.repeat(512),
    'x'.repeat(513),
    '\u0000',
    '🙂'.repeat(100),
    'rt_../../etc',
  ];
  const post = (path: string, body: unknown, contentType = 'application/json') =>
    fetch(`${edge.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  test('refresh and logout', async () => {
    for (const path of ['/api/auth/refresh', '/api/auth/logout']) {
      const bodies: unknown[] = [
        ...oddTokens.map((refreshToken) => ({ refreshToken })),
        { refreshToken: 42 },
        { refreshToken: null },
        { refreshToken: ['rt_x'] },
        { refreshToken: { $ne: null } },
        {},
        [],
        'null',
        '{"refreshToken":',
      ];
      for (const body of bodies) {
        const res = await post(path, body);
        expect(res.status, `${path} ${JSON.stringify(body)}`).toBeLessThan(500);
        if (res.status !== 204)
          expect(res.headers.get('content-type')).toStartWith('application/problem+json');
      }
      expect((await post(path, 'refreshToken=x', 'text/plain')).status).toBe(415);
    }
  });

  test('PATCH /api/auth/me', async () => {
    const user = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });
    const client = as(() => user.headers);
    const bodies: unknown[] = [
      {},
      { newPassword: 'short' },
      { currentPassword: '', newPassword: 'a-long-enough-password' },
      { currentPassword: user.password, newPassword: '' },
      { currentPassword: 7, newPassword: 7 },
      { name: '' },
      { name: 'x'.repeat(10_000) },
      { roles: ['admin'] },
      [],
      null,
    ];
    for (const body of bodies) {
      const res = await patch(client, '/api/auth/me', body);
      expect(res.status, JSON.stringify(body)).toBeLessThan(500);
    }
    // The right password still works after the odd attempts (at most one counted as a failure).
    const ok = await patch(client, '/api/auth/me', {
      currentPassword: user.password,
      newPassword: 'the-new-password-1',
    });
    expect(ok.status).toBe(200);
  });
});
