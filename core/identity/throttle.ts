import { sql } from 'drizzle-orm';
import type { Queryable } from '../platform/database.ts';
import { TooManyRequestsError } from '../platform/problem.ts';
import type { AuthSettings } from './settings.ts';

/**
 * Failed sign-ins are counted per account (by email, whether or not it exists, so the answer
 * says nothing about which emails are registered) and per client address, in fixed windows.
 */
export interface ThrottleKeys {
  account: string;
  address: string;
}

export function throttleKeys(email: string, address: string): ThrottleKeys {
  return { account: `account:${email.trim().toLowerCase()}`, address: `address:${address}` };
}

/** 429 with Retry-After while either key has used up its failures in the current window. */
export async function assertNotThrottled(
  q: Queryable,
  settings: AuthSettings,
  keys: ThrottleKeys,
): Promise<void> {
  const result = await q.execute<{ key: string; failures: number; retry_after: number }>(sql`
    select key, failures,
           ceil(extract(epoch from window_started_at + make_interval(secs => ${settings.loginWindowSeconds}) - now()))::int
             as retry_after
    from identity.login_throttle
    where key in (${keys.account}, ${keys.address})
      and window_started_at > now() - make_interval(secs => ${settings.loginWindowSeconds})`);
  const limit = (key: string) =>
    key === keys.account ? settings.loginMaxFailuresPerAccount : settings.loginMaxFailuresPerAddress;
  const blocked = result.rows.filter((r) => r.failures >= limit(r.key));
  if (blocked.length > 0) {
    const retryAfter = Math.max(1, ...blocked.map((r) => r.retry_after));
    throw new TooManyRequestsError(`Too many failed sign-ins; try again in ${retryAfter} s.`, retryAfter);
  }
}

/** One more failure for both keys; a window that has passed starts again at one. */
export async function recordFailure(q: Queryable, settings: AuthSettings, keys: ThrottleKeys): Promise<void> {
  await q.execute(sql`
    insert into identity.login_throttle as t (key, failures, window_started_at)
    values (${keys.account}, 1, now()), (${keys.address}, 1, now())
    on conflict (key) do update set
      failures = case when t.window_started_at > now() - make_interval(secs => ${settings.loginWindowSeconds})
                      then t.failures + 1 else 1 end,
      window_started_at = case when t.window_started_at > now() - make_interval(secs => ${settings.loginWindowSeconds})
                               then t.window_started_at else now() end`);
}

/** A successful sign-in clears the account's count (not the address's). */
export async function clearAccountFailures(q: Queryable, keys: ThrottleKeys): Promise<void> {
  await q.execute(sql`delete from identity.login_throttle where key = ${keys.account}`);
}

/** Cron: forget windows long past. */
export async function pruneThrottle(q: Queryable, settings: AuthSettings): Promise<number> {
  const result = await q.execute(sql`
    delete from identity.login_throttle
    where window_started_at < now() - make_interval(secs => ${settings.loginWindowSeconds * 2})`);
  return result.rowCount ?? 0;
}
