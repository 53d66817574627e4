/**
 * A spent refresh token replayed within the grace period gets the successor already issued,
 * never a new sibling: however many replays, concurrent or one after another, the family has
 * exactly one live refresh token. After the grace, a replay still revokes the whole family.
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { type Actor, bearer, signedIn, type TokenPair } from '../../test/harness/auth.ts';
import { testAuthSettings } from '../../test/harness/core.ts';
import { type TestEdge, testEdge } from '../../test/harness/edge.ts';
import { expectProblem, postJson } from '../../test/harness/http.ts';
import { forgetSealedSuccessors } from './refresh-tokens.ts';
import { sha256 } from './secrets.ts';

let edge: TestEdge;
beforeAll(async () => {
  edge = await testEdge();
}, 120_000);

const refresh = (refreshToken: string) => postJson(`${edge.url}/api/auth/refresh`, { refreshToken });
const pairOf = async (res: Response) => {
  expect(res.status).toBe(200);
  return (await res.json()) as TokenPair;
};
const me = (accessToken: string) => fetch(`${edge.url}/api/auth/me`, { headers: bearer(accessToken) });
const clerk = () => signedIn({ url: edge.url, db: edge.database.db }, { roles: ['clerk'] });

/** The refresh tokens of the actor's family still usable (status active), by hash. */
async function liveTokens(actor: Actor): Promise<string[]> {
  const result = await edge.database.db.execute<{ token_hash: string }>(sql`
    select token_hash from identity.refresh_tokens
    where status = 'active'
      and family_id = (select family_id from identity.refresh_tokens where token_hash = ${sha256(actor.refreshToken)})`);
  return result.rows.map((r) => r.token_hash);
}

describe('replays within the grace period', () => {
  test('concurrent first uses: all answered with the same successor, one live token', async () => {
    const actor = await clerk();
    const pairs = await Promise.all(
      Array.from({ length: 6 }, () => refresh(actor.refreshToken).then(pairOf)),
    );
    expect(new Set(pairs.map((p) => p.refreshToken)).size).toBe(1);
    expect(await liveTokens(actor)).toEqual([sha256(pairs[0]!.refreshToken)]);
    for (const p of pairs) expect((await me(p.accessToken)).status).toBe(200);
  });

  test('sequential and concurrent replays of a spent token: the same successor, one live token', async () => {
    const actor = await clerk();
    const first = await pairOf(await refresh(actor.refreshToken));
    const sequential: string[] = [];
    for (let i = 0; i < 5; i++)
      sequential.push((await pairOf(await refresh(actor.refreshToken))).refreshToken);
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => refresh(actor.refreshToken).then(pairOf)),
    );
    expect(new Set([...sequential, ...concurrent.map((p) => p.refreshToken)])).toEqual(
      new Set([first.refreshToken]),
    );
    expect(await liveTokens(actor)).toEqual([sha256(first.refreshToken)]);
    // The one successor works once, as any refresh token.
    const next = await pairOf(await refresh(first.refreshToken));
    expect(await liveTokens(actor)).toEqual([sha256(next.refreshToken)]);
  });

  test('the successor is stored sealed, not readable from the database', async () => {
    const actor = await clerk();
    const next = await pairOf(await refresh(actor.refreshToken));
    const [row] = (
      await edge.database.db.execute<{ successor_sealed: string }>(sql`
        select successor_sealed from identity.refresh_tokens where token_hash = ${sha256(actor.refreshToken)}`)
    ).rows;
    expect(row!.successor_sealed).toBeString();
    expect(row!.successor_sealed).not.toContain(next.refreshToken.slice(3));
    // Past the grace, the daily prune forgets it.
    await edge.database.db.execute(sql`
      update identity.refresh_tokens set rotated_at = now() - interval '1 minute'
      where token_hash = ${sha256(actor.refreshToken)}`);
    expect(await forgetSealedSuccessors(edge.database.db, testAuthSettings())).toBeGreaterThanOrEqual(1);
    const [after] = (
      await edge.database.db.execute<{ successor_sealed: string | null }>(sql`
        select successor_sealed from identity.refresh_tokens where token_hash = ${sha256(actor.refreshToken)}`)
    ).rows;
    expect(after!.successor_sealed).toBeNull();
  });

  test('after logout, a replay within the grace answers 401', async () => {
    const actor = await clerk();
    const next = await pairOf(await refresh(actor.refreshToken));
    expect((await postJson(`${edge.url}/api/auth/logout`, { refreshToken: next.refreshToken })).status).toBe(
      204,
    );
    await expectProblem(await refresh(actor.refreshToken), 401);
    expect(await liveTokens(actor)).toEqual([]);
  });
});

test('after the grace period, a replay still revokes the whole family (401)', async () => {
  const actor = await clerk();
  const next = await pairOf(await refresh(actor.refreshToken));
  expect((await pairOf(await refresh(actor.refreshToken))).refreshToken).toBe(next.refreshToken);
  await Bun.sleep(5_500); // REFRESH_REUSE_GRACE_SECONDS is 5
  const reuse = await expectProblem(await refresh(actor.refreshToken), 401);
  expect(reuse.detail).toContain('already used');
  expect(await liveTokens(actor)).toEqual([]);
  await expectProblem(await refresh(next.refreshToken), 401);
  await expectProblem(await me(next.accessToken), 401);
}, 20_000);
