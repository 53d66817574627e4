import { eq, sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { UnauthorizedError } from '../platform/problem.ts';
import { issueAccessToken } from './access-tokens.ts';
import { issueRefreshToken, rotateRefreshToken } from './refresh-tokens.ts';
import type { IdentityRuntime } from './runtime.ts';
import { users } from './tables.ts';
import { countAttempt, recordSuccess, recordUnchecked, throttleKeys } from './throttle.ts';
import { userView } from './users.ts';

async function tokenPair(
  rt: IdentityRuntime,
  user: typeof users.$inferSelect,
  refresh: { token: string; familyId: string },
) {
  const accessToken = await issueAccessToken(rt.keys, rt.settings, {
    sub: user.id,
    roles: user.roles,
    wh: user.warehouseIds,
    sid: refresh.familyId,
  });
  return {
    accessToken,
    refreshToken: refresh.token,
    tokenType: 'Bearer' as const,
    expiresIn: rt.settings.accessTokenTtlSeconds,
    user: userView(user),
  };
}

/**
 * Checks a password under the sign-in throttle: the attempt is counted before the (costly)
 * check, 429 beyond the limits; a right password clears this address's failures.
 */
export async function checkPasswordThrottled(
  db: Database,
  rt: IdentityRuntime,
  attempt: { email: string; address: string; password: string },
  hash: string | undefined,
  acceptable = true,
): Promise<boolean> {
  const counted = await countAttempt(db, rt.settings, throttleKeys(attempt.email, attempt.address));
  let ok: boolean;
  try {
    ok = await rt.passwords.verify(attempt.password, hash);
  } catch (err) {
    await recordUnchecked(db, counted); // the hasher was busy: nothing was checked
    throw err;
  }
  if (ok && acceptable) await recordSuccess(db, counted);
  return ok && acceptable;
}

/**
 * Sign-in. The same answer, after the same work, whether the email is unknown, the password
 * wrong or the account disabled; every attempt counts against the throttle (throttle.ts).
 */
export async function signIn(
  db: Database,
  rt: IdentityRuntime,
  email: string,
  password: string,
  address: string,
) {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()));
  const ok = await checkPasswordThrottled(
    db,
    rt,
    { email, address, password },
    user?.passwordHash,
    user?.status === 'active',
  );
  if (!user || !ok) throw new UnauthorizedError('The email or password is wrong.');
  const refresh = await db.transaction(async (tx) => {
    await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
    return issueRefreshToken(tx, rt.settings, user.id);
  });
  return tokenPair(rt, user, refresh);
}

export async function refreshSession(db: Database, rt: IdentityRuntime, refreshToken: string) {
  const { userId, next } = await rotateRefreshToken(db, rt.settings, refreshToken);
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new UnauthorizedError('The refresh token is not valid.');
  return tokenPair(rt, user, next);
}
