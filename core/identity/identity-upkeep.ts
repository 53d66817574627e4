/**
 * Identity's daily upkeep (run by the jobs runner's prune-identity task): refresh tokens past
 * expiry (and a week's margin), old throttle windows, and sealed refresh-token successors past
 * their grace period.
 */
import { sql } from 'drizzle-orm';
import type { Queryable } from '../platform/database.ts';
import { forgetSealedSuccessors } from './refresh-tokens.ts';
import type { AuthSettings } from './settings.ts';
import { pruneThrottle } from './throttle.ts';

/** Refresh tokens a week past their expiry: no longer needed to detect a replay. */
export async function pruneExpiredRefreshTokens(q: Queryable): Promise<number> {
  const result = await q.execute(sql`
    delete from identity.refresh_tokens where expires_at < now() - interval '7 days'`);
  return result.rowCount ?? 0;
}

/** Everything identity prunes daily; how many rows of each went. */
export async function pruneIdentity(q: Queryable, settings: AuthSettings) {
  return {
    refreshTokens: await pruneExpiredRefreshTokens(q),
    throttleWindows: await pruneThrottle(q, settings),
    sealedSuccessors: await forgetSealedSuccessors(q, settings),
  };
}
