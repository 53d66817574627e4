import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../platform/database.ts';
import { UnauthorizedError } from '../platform/problem.ts';
import { tellRoomsSessionEnded } from './room-sockets.ts';
import { derivedAesKey, seal, unseal } from './sealing.ts';
import { randomSecret, sha256 } from './secrets.ts';
import type { AuthSettings } from './settings.ts';

export interface IssuedRefreshToken {
  token: string;
  familyId: string;
}

const newRefreshToken = () => `rt_${randomSecret()}`;

/**
 * The key that seals a rotated token's successor: derived from the rotated token itself, which
 * the database does not hold (only its hash). Whoever can open the successor could already
 * present the old token within the grace period; a database dump alone opens nothing.
 */
const successorKey = (token: string) => derivedAesKey(token, 'varastokkr refresh-token successor');

/** A new opaque refresh token in a family (a new family at sign-in); only its hash is stored. */
export async function issueRefreshToken(
  q: Queryable,
  settings: AuthSettings,
  userId: string,
  familyId: string = crypto.randomUUID(),
  token = newRefreshToken(),
): Promise<IssuedRefreshToken> {
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

/** Cron: sealed successors past the grace period (families that did not rotate again since). */
export async function forgetSealedSuccessors(q: Queryable, settings: AuthSettings): Promise<number> {
  const result = await q.execute(sql`
    update identity.refresh_tokens set successor_sealed = null
    where successor_sealed is not null
      and rotated_at < now() - make_interval(secs => ${settings.refreshReuseGraceSeconds})`);
  return result.rowCount ?? 0;
}

type Outcome = { ok: true; userId: string; next: IssuedRefreshToken } | { ok: false; detail: string };

/**
 * Rotation (RFC 9700 4.14): a refresh token works once. Used again after its replacement was
 * issued, it signals theft, and the whole family is revoked, unless the second use comes within
 * a few seconds (two tabs refreshing at once), which gets the same successor again: never a
 * second live token. The successor is stored sealed (see `successorKey`) so it can be returned.
 */
export async function rotateRefreshToken(
  db: Database,
  settings: AuthSettings,
  token: string,
): Promise<{ userId: string; next: IssuedRefreshToken }> {
  const hash = sha256(token);
  const successor = newRefreshToken();
  const sealed = await seal(await successorKey(token), successor, hash);
  const grace = sql`make_interval(secs => ${settings.refreshReuseGraceSeconds})`;
  const outcome = await db.transaction(async (tx): Promise<Outcome> => {
    // The one statement that claims the token: concurrent uses serialise on the row lock, and
    // exactly one finds it still active; the others find its successor, committed.
    const claimed = await tx.execute<{ user_id: string; family_id: string }>(sql`
      update identity.refresh_tokens t
      set status = 'rotated', rotated_at = now(), successor_sealed = ${sealed}
      from identity.users u
      where t.token_hash = ${hash} and t.status = 'active' and t.expires_at > now()
        and u.id = t.user_id and u.status = 'active'
      returning t.user_id, t.family_id`);
    const row = claimed.rows[0];
    if (row) {
      const next = await issueRefreshToken(tx, settings, row.user_id, row.family_id, successor);
      // Successors sealed in this family longer ago than the grace can no longer be asked for.
      await tx.execute(sql`
        update identity.refresh_tokens set successor_sealed = null
        where family_id = ${row.family_id} and successor_sealed is not null
          and rotated_at < now() - ${grace}`);
      return { ok: true, userId: row.user_id, next };
    }

    const seen = await tx.execute<{
      user_id: string;
      family_id: string;
      status: string;
      in_grace: boolean;
      usable: boolean;
      successor_sealed: string | null;
    }>(sql`
      select t.user_id, t.family_id, t.status, t.successor_sealed,
             t.rotated_at > now() - ${grace} as in_grace,
             t.expires_at > now() and u.status = 'active' as usable
      from identity.refresh_tokens t join identity.users u on u.id = t.user_id
      where t.token_hash = ${hash}`);
    const prior = seen.rows[0];
    if (!prior) return { ok: false, detail: 'The refresh token is not valid.' };
    if (prior.status === 'rotated' && prior.in_grace && prior.usable) {
      const again = prior.successor_sealed
        ? await unseal(await successorKey(token), prior.successor_sealed, hash)
        : undefined;
      if (!again) return { ok: false, detail: 'The refresh token is not valid.' };
      return { ok: true, userId: prior.user_id, next: { token: again, familyId: prior.family_id } };
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
