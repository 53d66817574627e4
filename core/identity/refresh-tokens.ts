import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../platform/database.ts';
import { UnauthorizedError } from '../platform/problem.ts';
import { tellRoomsSessionEnded } from './room-sockets.ts';
import { randomSecret, sha256 } from './secrets.ts';
import type { AuthSettings } from './settings.ts';

export interface IssuedRefreshToken {
  token: string;
  familyId: string;
}

/** A new opaque refresh token in a family (a new family at sign-in); only its hash is stored. */
export async function issueRefreshToken(
  q: Queryable,
  settings: AuthSettings,
  userId: string,
  familyId: string = crypto.randomUUID(),
): Promise<IssuedRefreshToken> {
  const token = `rt_${randomSecret()}`;
  await q.execute(sql`
    insert into identity.refresh_tokens (family_id, user_id, token_hash, expires_at)
    values (${familyId}, ${userId}, ${sha256(token)}, now() + make_interval(days => ${settings.refreshTokenTtlDays}))`);
  return { token, familyId };
}

export async function revokeFamily(q: Queryable, familyId: string): Promise<void> {
  await q.execute(sql`
    update identity.refresh_tokens set status = 'revoked'
    where family_id = ${familyId} and status <> 'revoked'`);
}

export async function revokeUserTokens(q: Queryable, userId: string): Promise<void> {
  await q.execute(sql`
    update identity.refresh_tokens set status = 'revoked'
    where user_id = ${userId} and status <> 'revoked'`);
}

/** Logout: the token's whole family is revoked. Unknown tokens are ignored (nothing to reveal). */
export async function revokeFamilyOf(q: Queryable, token: string): Promise<void> {
  await q.execute(sql`
    update identity.refresh_tokens set status = 'revoked'
    where status <> 'revoked'
      and family_id = (select family_id from identity.refresh_tokens where token_hash = ${sha256(token)})`);
}

type Outcome = { ok: true; userId: string; next: IssuedRefreshToken } | { ok: false; detail: string };

/**
 * Rotation (RFC 9700 4.14): a refresh token works once. Used again after its replacement was
 * issued, it signals theft, and the whole family is revoked, unless the second use comes within
 * a few seconds (two tabs refreshing at once), which gets a sibling token instead.
 */
export async function rotateRefreshToken(
  db: Database,
  settings: AuthSettings,
  token: string,
): Promise<{ userId: string; next: IssuedRefreshToken }> {
  const hash = sha256(token);
  const outcome = await db.transaction(async (tx): Promise<Outcome> => {
    // The one statement that claims the token: concurrent uses serialise on the row lock, and
    // exactly one finds it still active.
    const claimed = await tx.execute<{ user_id: string; family_id: string }>(sql`
      update identity.refresh_tokens t set status = 'rotated', rotated_at = now()
      from identity.users u
      where t.token_hash = ${hash} and t.status = 'active' and t.expires_at > now()
        and u.id = t.user_id and u.status = 'active'
      returning t.user_id, t.family_id`);
    const row = claimed.rows[0];
    if (row) {
      return {
        ok: true,
        userId: row.user_id,
        next: await issueRefreshToken(tx, settings, row.user_id, row.family_id),
      };
    }

    const seen = await tx.execute<{
      user_id: string;
      family_id: string;
      status: string;
      in_grace: boolean;
      usable: boolean;
    }>(sql`
      select t.user_id, t.family_id, t.status,
             t.rotated_at > now() - make_interval(secs => ${settings.refreshReuseGraceSeconds}) as in_grace,
             t.expires_at > now() and u.status = 'active' as usable
      from identity.refresh_tokens t join identity.users u on u.id = t.user_id
      where t.token_hash = ${hash}`);
    const prior = seen.rows[0];
    if (!prior) return { ok: false, detail: 'The refresh token is not valid.' };
    if (prior.status === 'rotated' && prior.in_grace && prior.usable) {
      return {
        ok: true,
        userId: prior.user_id,
        next: await issueRefreshToken(tx, settings, prior.user_id, prior.family_id),
      };
    }
    if (prior.status === 'rotated') {
      await revokeFamily(tx, prior.family_id);
      await tellRoomsSessionEnded(tx, prior.family_id);
      return {
        ok: false,
        detail: 'The refresh token was already used; every session from it has been signed out.',
      };
    }
    return { ok: false, detail: 'The refresh token is not valid.' };
  });
  // Thrown after commit, so that a detected reuse keeps its revocation.
  if (!outcome.ok) throw new UnauthorizedError(outcome.detail);
  return { userId: outcome.userId, next: outcome.next };
}
