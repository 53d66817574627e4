import { type SQL, sql } from 'drizzle-orm';
import { arrayParam, type Queryable } from '../platform/database.ts';
import { TooManyRequestsError } from '../platform/problem.ts';
import { sha256 } from './secrets.ts';
import type { AuthSettings } from './settings.ts';

/**
 * Sign-in throttling. Every attempt is counted BEFORE its password is checked, in one statement,
 * so concurrent attempts cannot all slip under a limit; a success gives its count back. Counted
 * in fixed windows (`loginWindowSeconds`), by email whether or not it exists (the answer says
 * nothing about which emails are registered):
 *
 * - per (account, client address): a hard limit. A stranger's failures lock out only the
 *   stranger's own address, never the user at theirs.
 * - per client address, over every account: a hard limit against spraying one password.
 * - per account, over every address the account has not signed in from lately: a progressive
 *   delay (each attempt past a few failures waits, 1 s doubling) and a hard ceiling, which bound
 *   a guess spread over many addresses. An address the account signed in from within
 *   `loginKnownAddressDays` is spared these, so the real user keeps a way in.
 */
export interface ThrottleKeys {
  pair: string;
  address: string;
  account: string;
  /** Marks an address the account signed in from. */
  known: string;
}

export function throttleKeys(email: string, rawAddress: string): ThrottleKeys {
  const account = email.trim().toLowerCase();
  // An address is whatever the request carried: a long one is hashed to keep the key indexable.
  const address = rawAddress.length > 64 ? `sha256:${sha256(rawAddress)}` : rawAddress;
  return {
    pair: `pair:${account}|${address}`,
    address: `address:${address}`,
    account: `account:${account}`,
    known: `known:${account}|${address}`,
  };
}

/** Seconds the next attempt on an account waits after `failures` account-wide failures. */
export function accountDelaySeconds(failures: number, settings: AuthSettings): number {
  const over = failures - settings.loginDelayAfterFailures;
  if (over < 0) return 0;
  return Math.min(2 ** Math.min(over, 30), settings.loginMaxDelaySeconds);
}

/** One attempt's counts, as the counting statement returns them. */
export interface AttemptCounts {
  pair: { attempts: number; windowLeft: number };
  address: { attempts: number; windowLeft: number };
  /** Absent when the address is known to the account or a per-address limit refused first. */
  account?: { admitted: boolean; failures: number; windowLeft: number; waitLeft: number };
}

/** Whether the counted attempt may check its password; if not, how long to wait. */
export function throttleVerdict(
  counts: AttemptCounts,
  settings: AuthSettings,
): { allowed: true } | { allowed: false; retryAfter: number } {
  const refusals: number[] = [];
  if (counts.pair.attempts > settings.loginMaxFailuresPerAccount) refusals.push(counts.pair.windowLeft);
  if (counts.address.attempts > settings.loginMaxFailuresPerAddress) refusals.push(counts.address.windowLeft);
  const account = counts.account;
  if (account && !account.admitted) {
    refusals.push(
      account.failures >= settings.loginMaxFailuresPerAccountTotal ? account.windowLeft : account.waitLeft,
    );
  }
  if (refusals.length === 0) return { allowed: true };
  return { allowed: false, retryAfter: Math.max(1, ...refusals) };
}

/** The account-wide delays by failure count, 1-based, for the counting statement. */
function delaySchedule(settings: AuthSettings): number[] {
  return Array.from({ length: settings.loginMaxFailuresPerAccountTotal + 1 }, (_, i) =>
    accountDelaySeconds(i + 1, settings),
  );
}

const inWindow = (settings: AuthSettings): SQL =>
  sql`t.window_started_at > now() - make_interval(secs => ${settings.loginWindowSeconds})`;
const windowLeft = (settings: AuthSettings): SQL =>
  sql`ceil(extract(epoch from window_started_at + make_interval(secs => ${settings.loginWindowSeconds}) - now()))::int`;

/**
 * Counts one attempt under every key it falls under, in one statement (row locks serialise
 * concurrent attempts, so each sees a distinct count), and answers whether it may go on to check
 * its password: else a 429 with Retry-After. The account-wide row counts only attempts that pass
 * the per-address limits and that it admits, so refused hammering does not lengthen the delay.
 */
export async function countAttempt(
  q: Queryable,
  settings: AuthSettings,
  keys: ThrottleKeys,
): Promise<CountedAttempt> {
  const fresh = inWindow(settings);
  const delays = sql`${arrayParam(delaySchedule(settings))}::int[]`;
  const delayAfter = (failures: SQL) =>
    sql`make_interval(secs => (${delays})[least(${failures}, cardinality(${delays}))])`;
  // clock_timestamp(), not now(): an attempt that waited for the row lock compares against when
  // it got the lock, not when its transaction began.
  const due = sql`(t.next_attempt_at is null or t.next_attempt_at <= clock_timestamp())
                  and t.failures < ${settings.loginMaxFailuresPerAccountTotal}::int`;
  const result = await q.execute<{
    key: string;
    failures: number;
    window_left: number;
    wait_left: number;
    admitted: boolean;
  }>(sql`
    with counted as (
      insert into identity.login_throttle as t (key, failures, window_started_at)
      values (${keys.pair}, 1, now()), (${keys.address}, 1, now())
      on conflict (key) do update set
        failures = case when ${fresh} then t.failures + 1 else 1 end,
        window_started_at = case when ${fresh} then t.window_started_at else now() end
      returning key, failures, window_started_at
    ), passed as (
      select bool_and(failures <= case when key = ${keys.pair} then ${settings.loginMaxFailuresPerAccount}::int
                                       else ${settings.loginMaxFailuresPerAddress}::int end) as ok
      from counted
    ), account as (
      insert into identity.login_throttle as t (key, failures, window_started_at, next_attempt_at, last_admitted)
      select ${keys.account}, 1, now(), clock_timestamp() + ${delayAfter(sql`1`)}, true
      from passed
      where passed.ok and not exists (
        select 1 from identity.login_throttle
        where key = ${keys.known}
          and window_started_at > now() - make_interval(days => ${settings.loginKnownAddressDays}))
      on conflict (key) do update set
        last_admitted = not ${fresh} or (${due}),
        failures = case when not ${fresh} then 1 when ${due} then t.failures + 1 else t.failures end,
        window_started_at = case when ${fresh} then t.window_started_at else now() end,
        next_attempt_at = case when not ${fresh} then clock_timestamp() + ${delayAfter(sql`1`)}
                               when ${due} then clock_timestamp() + ${delayAfter(sql`t.failures + 1`)}
                               else t.next_attempt_at end
      returning key, failures, window_started_at, next_attempt_at, last_admitted
    )
    select key, failures, ${windowLeft(settings)} as window_left, 0 as wait_left, true as admitted
    from counted
    union all
    select key, failures, ${windowLeft(settings)},
           greatest(ceil(extract(epoch from next_attempt_at - clock_timestamp())), 0)::int, last_admitted
    from account`);
  const row = (key: string) => result.rows.find((r) => r.key === key);
  const pair = row(keys.pair);
  const address = row(keys.address);
  const account = row(keys.account);
  const verdict = throttleVerdict(
    {
      pair: { attempts: pair?.failures ?? 0, windowLeft: pair?.window_left ?? 0 },
      address: { attempts: address?.failures ?? 0, windowLeft: address?.window_left ?? 0 },
      ...(account
        ? {
            account: {
              admitted: account.admitted,
              failures: account.failures,
              windowLeft: account.window_left,
              waitLeft: account.wait_left,
            },
          }
        : {}),
    },
    settings,
  );
  if (!verdict.allowed) {
    throw new TooManyRequestsError(
      `Too many failed sign-ins; try again in ${verdict.retryAfter} s.`,
      verdict.retryAfter,
    );
  }
  return { keys, accountCounted: account !== undefined };
}

/** An attempt let through to its password check, and whether the account-wide row counted it. */
export interface CountedAttempt {
  keys: ThrottleKeys;
  accountCounted: boolean;
}

/** The attempt was not a failure (it signed in, or never got its password checked): give it back. */
async function giveBack(q: Queryable, { keys, accountCounted }: CountedAttempt): Promise<void> {
  const counted = accountCounted ? [keys.pair, keys.address, keys.account] : [keys.pair, keys.address];
  await q.execute(sql`
    update identity.login_throttle set failures = greatest(failures - 1, 0)
    where key = any(${arrayParam(counted)}::text[])`);
}

/**
 * A sign-in succeeded: this address's failures for the account are cleared, the account-wide
 * and address counts get the attempt back (other addresses' failures stay counted), and the
 * address becomes known to the account.
 */
export async function recordSuccess(q: Queryable, attempt: CountedAttempt): Promise<void> {
  await giveBack(q, attempt);
  const { keys } = attempt;
  await q.execute(sql`
    with cleared as (delete from identity.login_throttle where key = ${keys.pair})
    insert into identity.login_throttle (key, failures, window_started_at) values (${keys.known}, 0, now())
    on conflict (key) do update set window_started_at = now()`);
}

/** The password could not be checked (the hasher was busy): the attempt does not count. */
export const recordUnchecked = giveBack;

/** Cron: forget windows long past, and addresses not signed in from for `loginKnownAddressDays`. */
export async function pruneThrottle(q: Queryable, settings: AuthSettings): Promise<number> {
  const result = await q.execute(sql`
    delete from identity.login_throttle
    where (key not like 'known:%'
           and window_started_at < now() - make_interval(secs => ${settings.loginWindowSeconds * 2}))
       or (key like 'known:%'
           and window_started_at < now() - make_interval(days => ${settings.loginKnownAddressDays}))`);
  return result.rowCount ?? 0;
}
