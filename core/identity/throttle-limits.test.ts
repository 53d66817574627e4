/**
 * The sign-in throttle under attack: concurrent guesses cannot outrun the count (it is taken
 * before the password is checked), a stranger's failures do not lock the user out at their own
 * address, a guess spread over many addresses is bounded, and PATCH /api/auth/me is throttled
 * like sign-in. Windows here are long (60 s): nothing depends on timing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Actor, bearer, signedIn } from '../../test/harness/auth.ts';
import { fromAddress, serveCore, testAuthSettings } from '../../test/harness/core.ts';
import { createTestDatabase, type TestDatabase } from '../../test/harness/database.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { expectProblem, postJson } from '../../test/harness/http.ts';
import { TooManyRequestsError } from '../platform/problem.ts';
import type { AuthSettings } from './settings.ts';
import {
  type AttemptCounts,
  accountDelaySeconds,
  countAttempt,
  throttleKeys,
  throttleVerdict,
} from './throttle.ts';

const limits: Partial<AuthSettings> = {
  loginWindowSeconds: 60,
  loginMaxFailuresPerAccount: 5,
  loginMaxFailuresPerAddress: 1000,
  loginMaxFailuresPerAccountTotal: 12,
  loginDelayAfterFailures: 100, // no delay here: the ceiling is what these tests count against
  loginMaxDelaySeconds: 60,
};
const settings = testAuthSettings(limits);

describe('the rule, as plain functions', () => {
  test('the account-wide delay: none below the threshold, then 1 s doubling up to the maximum', () => {
    const s = testAuthSettings({ loginDelayAfterFailures: 10, loginMaxDelaySeconds: 60 });
    expect([0, 1, 9].map((f) => accountDelaySeconds(f, s))).toEqual([0, 0, 0]);
    expect([10, 11, 12, 13, 15].map((f) => accountDelaySeconds(f, s))).toEqual([1, 2, 4, 8, 32]);
    expect([16, 17, 1000, 10_000].map((f) => accountDelaySeconds(f, s))).toEqual([60, 60, 60, 60]);
  });

  test('the verdict: refused beyond any limit, with the longest wait', () => {
    const counts = (over: Partial<AttemptCounts> = {}): AttemptCounts => ({
      pair: { attempts: 1, windowLeft: 50 },
      address: { attempts: 1, windowLeft: 40 },
      ...over,
    });
    expect(throttleVerdict(counts(), settings)).toEqual({ allowed: true });
    expect(throttleVerdict(counts({ pair: { attempts: 5, windowLeft: 50 } }), settings)).toEqual({
      allowed: true,
    });
    expect(throttleVerdict(counts({ pair: { attempts: 6, windowLeft: 50 } }), settings)).toEqual({
      allowed: false,
      retryAfter: 50,
    });
    expect(throttleVerdict(counts({ address: { attempts: 1001, windowLeft: 40 } }), settings)).toEqual({
      allowed: false,
      retryAfter: 40,
    });
    const account = { admitted: false, failures: 7, windowLeft: 30, waitLeft: 4 };
    expect(throttleVerdict(counts({ account }), settings)).toEqual({ allowed: false, retryAfter: 4 });
    expect(throttleVerdict(counts({ account: { ...account, failures: 12 } }), settings)).toEqual({
      allowed: false,
      retryAfter: 30,
    });
    expect(throttleVerdict(counts({ account: { ...account, admitted: true } }), settings)).toEqual({
      allowed: true,
    });
    // Never a Retry-After of 0.
    expect(throttleVerdict(counts({ account: { ...account, waitLeft: 0 } }), settings)).toEqual({
      allowed: false,
      retryAfter: 1,
    });
  });
});

let database: TestDatabase;
let core: ReturnType<typeof serveCore>;
beforeAll(async () => {
  database = await createTestDatabase('throttle-limits');
  core = serveCore({ db: database.db, auth: limits });
});
afterAll(async () => {
  await core.stop();
  await database.drop();
});

const attempt = async (email: string, password: string, address: string) =>
  postJson(
    `${core.url}/api/auth/login`,
    { email, password },
    await fromAddress(address, 'POST', '/api/auth/login'),
  );
const statuses = (responses: Response[]) =>
  responses.reduce<Record<number, number>>((n, r) => {
    n[r.status] = (n[r.status] ?? 0) + 1;
    return n;
  }, {});

test('an absurdly long client address is counted, not a 500', async () => {
  const res = await attempt(
    `long-${crypto.randomUUID()}@example.test`,
    'guess',
    `10.0.0.1-${Buffer.from(crypto.getRandomValues(new Uint8Array(4500))).toString('base64url')}`,
  );
  await expectProblem(res, 401);
});

describe('concurrent guesses', () => {
  test('40 wrong passwords at once from one address: 5 are checked, 35 refused; the user elsewhere signs in', async () => {
    const user = await signedIn({ url: core.url, db: database.db }, { roles: ['admin'] });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attempt(user.user.email, `wrong-${i}`, '198.51.100.40')),
    );
    // Only the attempts that were let through had their password checked (401); before, 24 were.
    expect(statuses(answers)).toEqual({ 401: 5, 429: 35 });
    for (const refused of answers.filter((r) => r.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // The stranger's address is locked, even with the right password...
    await expectProblem(await attempt(user.user.email, user.password, '198.51.100.40'), 429);
    // ...the real user at their own address is not.
    expect((await attempt(user.user.email, user.password, '203.0.113.50')).status).toBe(200);
  });
});

describe('a guess spread over many addresses', () => {
  test('is bounded by the account-wide ceiling, which spares addresses the account signed in from', async () => {
    const user = await signedIn({ url: core.url, db: database.db }, { roles: ['manager'] });
    const home = '203.0.113.60';
    expect((await attempt(user.user.email, user.password, home)).status).toBe(200); // home is known
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => attempt(user.user.email, 'guess', `10.1.0.${i + 1}`)),
    );
    // Two per address would be allowed, but the account admits 12 from unknown addresses.
    expect(statuses(answers)).toEqual({ 401: 12, 429: 18 });
    // A new address, even with the right password, waits out the window...
    const stranger = await attempt(user.user.email, user.password, '10.1.1.1');
    await expectProblem(stranger, 429, 'too-many-requests');
    expect(Number(stranger.headers.get('retry-after'))).toBeGreaterThan(30);
    // ...the user at home signs in, and can still mistype.
    await expectProblem(await attempt(user.user.email, 'mistyped', home), 401);
    expect((await attempt(user.user.email, user.password, home)).status).toBe(200);
    // Signing in at home does not lift the ceiling for the others.
    await expectProblem(await attempt(user.user.email, 'guess', '10.1.1.2'), 429);
  });

  test('the account-wide wait grows with failures, and refused attempts do not lengthen it', async () => {
    const s = testAuthSettings({
      ...limits,
      loginDelayAfterFailures: 2,
      loginMaxFailuresPerAccountTotal: 50,
    });
    const email = `spread-${crypto.randomUUID()}@example.test`;
    const keys = (i: number) => throttleKeys(email, `10.2.0.${i}`);
    const account = async () =>
      (
        await database.db.execute<{ failures: number; wait: number }>(sql`
          select failures, extract(epoch from next_attempt_at - clock_timestamp())::float8 as wait
          from identity.login_throttle where key = ${`account:${email}`}`)
      ).rows[0]!;
    // Time passes: the next attempt is due now.
    const elapse = () =>
      database.db.execute(sql`
        update identity.login_throttle set next_attempt_at = clock_timestamp() - interval '1 second'
        where key = ${`account:${email}`}`);
    // Makes the wait long, so that "refused" does not hang on how fast this machine is.
    const hold = () =>
      database.db.execute(sql`
        update identity.login_throttle set next_attempt_at = clock_timestamp() + interval '50 seconds'
        where key = ${`account:${email}`}`);

    await countAttempt(database.db, s, keys(1));
    expect((await account()).wait).toBeLessThanOrEqual(0); // 1 failure: no wait
    const waits: number[] = [];
    for (let i = 2; i <= 6; i++) {
      await elapse();
      await countAttempt(database.db, s, keys(i));
      waits.push(Math.round((await account()).wait));
    }
    expect(waits).toEqual([1, 2, 4, 8, 16]); // after 2, 3, 4, 5, 6 failures

    await hold();
    const refused = await countAttempt(database.db, s, keys(7)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect(Number((refused as TooManyRequestsError).headers['retry-after'])).toBeGreaterThan(40);
    expect((await account()).failures).toBe(6); // the refused attempt did not count
  });
});

describe('PATCH /api/auth/me checks the current password under the same throttle', () => {
  test('concurrent wrong current passwords: at most 5 checked, then 429', async () => {
    const user: Actor = await signedIn({ url: core.url, db: database.db }, { roles: ['clerk'] });
    const change = async (currentPassword: string) =>
      fetch(`${core.url}/api/auth/me`, {
        method: 'PATCH',
        headers: {
          ...bearer(user.accessToken),
          'content-type': 'application/json',
          ...(await fromAddress('198.51.100.70', 'PATCH', '/api/auth/me')),
        },
        body: JSON.stringify({ currentPassword, newPassword: 'a-brand-new-password' }),
      });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => change(`wrong-${i}`)));
    expect(statuses(answers)).toEqual({ 401: 5, 429: 15 });
    await expectProblem(await change(user.password), 429, 'too-many-requests');
    // The password did not change: the user signs in with it elsewhere.
    expect((await attempt(user.user.email, user.password, '203.0.113.70')).status).toBe(200);
  });
});

describe('through the edge', () => {
  let edge: TestEdge;
  beforeAll(async () => {
    edge = await testEdge();
  }, 120_000);

  test('40 concurrent wrong passwords for one account: 5 checked, 35 refused with 429', async () => {
    const email = `edge-race-${crypto.randomUUID()}@example.test`;
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        postJson(`${edge.url}/api/auth/login`, { email, password: 'not-the-password' }),
      ),
    );
    expect(statuses(answers)).toEqual({ 401: 5, 429: 35 });
  });
});
