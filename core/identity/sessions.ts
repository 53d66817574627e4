import { eq, sql } from 'drizzle-orm';
import type { Database } from '../platform/database.ts';
import { UnauthorizedError } from '../platform/problem.ts';
import { issueAccessToken } from './access-tokens.ts';
import { issueRefreshToken, rotateRefreshToken } from './refresh-tokens.ts';
import type { IdentityRuntime } from './runtime.ts';
import { users } from './tables.ts';
import { assertNotThrottled, clearAccountFailures, recordFailure, throttleKeys } from './throttle.ts';
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
 * Sign-in. The same answer, after the same work, whether the email is unknown, the password
 * wrong or the account disabled; failures count against the account and the client address.
 */
export async function signIn(
  db: Database,
  rt: IdentityRuntime,
  email: string,
  password: string,
  address: string,
) {
  const keys = throttleKeys(email, address);
  await assertNotThrottled(db, rt.settings, keys);
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.trim().toLowerCase()));
  const passwordOk = await rt.passwords.verify(password, user?.passwordHash);
  if (!user || !passwordOk || user.status !== 'active') {
    await recordFailure(db, rt.settings, keys);
    throw new UnauthorizedError('The email or password is wrong.');
  }
  await clearAccountFailures(db, keys);
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
