/**
 * Sign-in throttling and the rules that keep it from leaking who has an account, plus the bound
 * on concurrent password hashing. A core of its own, with a minute's window that the tests let
 * pass by moving the windows' start back (no sleeping, no racing a loaded machine's clock).
 * Races and distributed guesses: throttle-limits.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Actor, signedIn } from '../../test/harness/auth.ts';
import { fromAddress, serveCore } from '../../test/harness/core.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/database.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { expectProblem, postJson } from '../../test/harness/http.ts';
import { PasswordHasher } from './passwords.ts';

let database: TestDatabase;
let core: ReturnType<typeof serveCore>;
let user: Actor;
beforeAll(async () => {
  database = await createTestDatabase('throttle');
  core = serveCore({
    db: database.db,
    auth: { loginWindowSeconds: 60, loginMaxFailuresPerAccount: 3, loginMaxFailuresPerAddress: 6 },
  });
  user = await signedIn({ url: core.url, db: database.db }, { roles: ['clerk'] });
});
afterAll(async () => {
  await core.stop();
  await database.drop();
});

/** The current windows end, as if a minute had passed. */
const windowsPass = () =>
  database.db.execute(sql`
    update identity.login_throttle set window_started_at = window_started_at - interval '61 seconds'
    where key not like 'known:%'`);

const attempt = async (email: string, password: string, address = '198.51.100.7') =>
  postJson(
    `${core.url}/api/auth/login`,
    { email, password },
    await fromAddress(address, 'POST', '/api/auth/login'),
  );

describe('per account', () => {
  test('after 3 failures: 429 with Retry-After, even with the right password; it recovers after the window', async () => {
    for (let i = 0; i < 3; i++) await expectProblem(await attempt(user.user.email, 'wrong-password-1'), 401);
    const blocked = await attempt(user.user.email, user.password);
    const body = await expectProblem(blocked, 429, 'too-many-requests');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(body.detail).not.toContain(user.user.email);
    await windowsPass();
    expect((await attempt(user.user.email, user.password)).status).toBe(200);
  });
});

describe('no user enumeration', () => {
  test('an unknown email and a wrong password answer alike, and are throttled alike', async () => {
    const known = await attempt(user.user.email, 'wrong-password-2', '203.0.113.1');
    const unknown = await attempt(`nobody-${Date.now()}@example.test`, 'wrong-password-2', '203.0.113.2');
    const [a, b] = [await known.json(), await unknown.json()] as { detail: string; status: number }[];
    expect(known.status).toBe(unknown.status);
    expect(a!.detail).toBe(b!.detail);
    expect(a!.status).toBe(401);

    const ghost = `ghost-${Date.now()}@example.test`;
    for (let i = 0; i < 3; i++) await attempt(ghost, 'whatever-password', '203.0.113.3');
    await expectProblem(await attempt(ghost, 'whatever-password', '203.0.113.3'), 429);
    await windowsPass();
  });

  test('a disabled account with the right password answers like a wrong password', async () => {
    const other = await signedIn({ url: core.url, db: database.db }, { roles: ['clerk'] });
    await database.db.execute(`update identity.users set status = 'disabled' where id = '${other.user.id}'`);
    const res = await attempt(other.user.email, other.password, '203.0.113.4');
    expect((await expectProblem(res, 401)).detail).toBe('The email or password is wrong.');
  });
});

describe('per client address', () => {
  test('6 failures from one address block it for every account, other addresses still sign in', async () => {
    const address = '192.0.2.99';
    for (let i = 0; i < 6; i++)
      await attempt(`spray-${i}-${Date.now()}@example.test`, 'password-guess', address);
    await expectProblem(await attempt(user.user.email, user.password, address), 429);
    expect((await attempt(user.user.email, user.password, '192.0.2.100')).status).toBe(200);
    await windowsPass();
    expect((await attempt(user.user.email, user.password, address)).status).toBe(200);
  });
});

describe('password hashing is bounded', () => {
  test('beyond the concurrency and queue, hashing is refused with 503 instead of piling up', async () => {
    const hasher = new PasswordHasher(1, 1);
    const results = await Promise.allSettled([
      hasher.hash('a-password-1'),
      hasher.hash('a-password-2'),
      hasher.hash('a-password-3'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const refused = results[2] as PromiseRejectedResult;
    expect(refused.reason.status).toBe(503);
    expect(await hasher.verify('a-password-1', (results[0] as PromiseFulfilledResult<string>).value)).toBe(
      true,
    );
    expect(await hasher.verify('a-password-1', undefined)).toBe(false); // the decoy never matches
  });
});

describe('through the edge', () => {
  let edge: TestEdge;
  beforeAll(async () => {
    edge = await testEdge();
  }, 120_000);

  test('the fifth failure for an account gets 429 problem+json with Retry-After through workerd', async () => {
    const email = `edge-throttle-${Date.now()}@example.test`;
    for (let i = 0; i < 5; i++) {
      await expectProblem(
        await postJson(`${edge.url}/api/auth/login`, { email, password: 'not-the-password' }),
        401,
      );
    }
    const res = await postJson(`${edge.url}/api/auth/login`, { email, password: 'not-the-password' });
    await expectProblem(res, 429, 'too-many-requests');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(800);
  });
});
