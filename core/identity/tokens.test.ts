/**
 * Forged and broken access tokens get 401 through the edge (workerd verifies against the JWKS)
 * and from core directly (which verifies again): none of them reaches a handler.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { serveCore, testAuthSettings } from '../../test/harness/core.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { expectProblem } from '../../test/harness/http.ts';
import { keks, openPrivateJwk } from './signing-key-sealing.ts';
import { signingKeys } from './tables.ts';

let edge: TestEdge;
let core: ReturnType<typeof serveCore>;
let actor: Actor;
let claims: Record<string, unknown>;
let header: Record<string, unknown>;

beforeAll(async () => {
  edge = await testEdge();
  core = serveCore({ db: edge.database.db });
  actor = await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });
  const [h, p] = actor.accessToken
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part!, 'base64url').toString()));
  header = h;
  claims = p;
}, 120_000);

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function signWithFreshKey(payload: Record<string, unknown>, kid = header.kid as string) {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign(privateKey);
}

const forgeries: [string, () => Promise<string>][] = [
  ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`],
  [
    'HS256 signed with the public key',
    async () => {
      const jwks = (await (await fetch(`${edge.url}/.well-known/jwks.json`)).json()) as {
        keys: Record<string, unknown>[];
      };
      const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: header.kid as string }).sign(secret);
    },
  ],
  ['signed by a key of our own with the real kid', () => signWithFreshKey(claims)],
  ['an unknown kid', () => signWithFreshKey(claims, 'no-such-key')],
  [
    'tampered claims (admin role added)',
    async () => {
      const [h, , sig] = actor.accessToken.split('.');
      return `${h}.${b64({ ...claims, roles: ['admin'] })}.${sig}`;
    },
  ],
  ['truncated signature', async () => actor.accessToken.slice(0, -6)],
];

describe('forged tokens are refused with 401', () => {
  for (const [name, forge] of forgeries) {
    test(`${name}: at the edge and at core`, async () => {
      const token = await forge();
      for (const base of [edge.url, core.url]) {
        const res = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
        await expectProblem(res, 401, 'unauthorized');
        expect(res.headers.get('www-authenticate')).toContain('Bearer');
      }
    });
  }
});

describe('tokens with the right key but wrong claims are refused', () => {
  // Signed by the server's real key via a second core over the same database, with altered settings.
  const variants: [string, Parameters<typeof serveCore>[0]['auth']][] = [
    ['wrong issuer', { issuer: 'someone-else' }],
    ['wrong audience', { audience: 'another-api' }],
  ];
  for (const [name, auth] of variants) {
    test(`${name}: 401`, async () => {
      const other = serveCore({ db: edge.database.db, auth });
      try {
        const res = await fetch(`${other.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: actor.user.email, password: actor.password }),
        });
        const { accessToken } = (await res.json()) as { accessToken: string };
        for (const base of [edge.url, core.url]) {
          await expectProblem(
            await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } }),
            401,
          );
        }
      } finally {
        await other.stop();
      }
    });
  }

  test('expired, and not yet valid, though signed with the real active key: 401', async () => {
    const [active] = await edge.database.db
      .select()
      .from(signingKeys)
      .where(eq(signingKeys.status, 'active'));
    const jwk = await openPrivateJwk(await keks(testAuthSettings()), active!.kid, active!.privateKeySealed!);
    const realKey = await importJWK(jwk, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const sign = (payload: Record<string, unknown>) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: active!.kid }).sign(realKey);
    const control = await sign({ ...claims, iat: now, nbf: now, exp: now + 60 });
    expect(
      (await fetch(`${core.url}/api/auth/me`, { headers: { authorization: `Bearer ${control}` } })).status,
    ).toBe(200);
    const expired = await sign({ ...claims, iat: now - 1000, nbf: now - 1000, exp: now - 600 });
    const early = await sign({ ...claims, iat: now, nbf: now + 600, exp: now + 900 });
    for (const [token, detail] of [
      [expired, 'expired'],
      [early, 'not valid'],
    ] as const) {
      for (const base of [edge.url, core.url]) {
        const res = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
        expect((await expectProblem(res, 401)).detail).toContain(detail);
      }
    }
  });

  test('the genuine token works, at the edge and at core', async () => {
    for (const base of [edge.url, core.url]) {
      const res = await fetch(`${base}/api/auth/me`, { headers: actor.headers });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: actor.user.id, roles: ['clerk'] });
    }
  });
});

test('the edge refuses a request without credentials before it reaches core', async () => {
  const requestId = `no-credentials-${Date.now()}`;
  const res = await fetch(`${edge.url}/api/users`, { headers: { 'x-request-id': requestId } });
  await expectProblem(res, 401, 'unauthorized');
  expect(edge.coreLogs.some((l) => l.requestId === requestId)).toBe(false);
});

test('identity headers from the network are ignored: only credentials count', async () => {
  const res = await fetch(`${core.url}/api/users`, {
    headers: { 'x-user-id': actor.user.id, 'x-roles': 'admin', 'x-principal': 'admin' },
  });
  await expectProblem(res, 401);
});
