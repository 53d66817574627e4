import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { carryAuditContext } from './audit-context.ts';
import type { Logger } from './logger.ts';

export type Database = NodePgDatabase & { $client: pg.Pool };
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Anything that can run a query: the database or an open transaction. */
export type Queryable = Database | Transaction;

export interface DatabaseHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export function connectDatabase(
  url: string,
  opts: {
    max?: number;
    application?: string;
    log?: Logger;
    connectionTimeoutMs?: number;
    /**
     * Commits return before their WAL is flushed (synchronous_commit off). Only for work that is
     * safe to redo: a crash may then lose the last few hundred milliseconds of commits (whole
     * transactions, never part of one), as if it had come that much earlier.
     */
    asyncCommit?: boolean;
  } = {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.application ?? 'varastokkr',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 5_000,
    ...(opts.asyncCommit ? { options: '-c synchronous_commit=off' } : {}),
  });
  // A client losing its connection must not crash the process: the pool replaces it.
  const onError = (err: Error) => opts.log?.warn('database connection error', { err: err.message });
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  carryAuditContext(pool);
  if (opts.log) poolLogs.set(pool, opts.log);
  const db = drizzle({ client: pool }) as Database;
  return { db, pool, close: () => pool.end() };
}

/** An error and its causes, outermost first (drizzle wraps the driver's error as `cause`). */
function* causeChain(err: unknown): Generator<Record<string, unknown>> {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause)
    yield e as Record<string, unknown>;
}

/** The Postgres error code of a failed query, looking through drizzle's wrapper. */
export function pgErrorCode(err: unknown): string | undefined {
  for (const e of causeChain(err))
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}

/**
 * Whether a query failed because no pooled connection freed up in time (pg-pool's own error,
 * which carries no SQLSTATE): the database is busy, not the request wrong.
 */
export function isPoolTimeout(err: unknown): boolean {
  const pattern = /^timeout exceeded when trying to connect$|due to connection timeout/;
  for (const e of causeChain(err)) if (typeof e.message === 'string' && pattern.test(e.message)) return true;
  return false;
}

export const isUniqueViolation = (err: unknown) => pgErrorCode(err) === '23505';

/** The constraint a failed statement violated (unique, check), looking through drizzle's wrapper. */
export function pgConstraint(err: unknown): string | undefined {
  for (const e of causeChain(err)) if (typeof e.constraint === 'string') return e.constraint;
  return undefined;
}

/** A JS array as one Postgres array parameter (drizzle's sql`` would spread it into a list). */
export const arrayParam = (values: readonly unknown[]) => sql.param(values);

/** A warehouse scope as a uuid[] parameter: null for 'all'. */
export const scopeParam = (scope: 'all' | readonly string[]) => sql.param(scope === 'all' ? null : scope);

/** A statement kept prepared, by name, on each connection that runs it (see queryNamed). */
export interface NamedStatement {
  name: string;
  text: string;
}

const poolLogs = new WeakMap<pg.Pool, Logger>();
const unnamedOnly = new WeakSet<pg.Pool>();
/**
 * What a statement kept by name meets behind a pooler that hands server connections from client
 * to client: on the one a call lands on, it does not exist (26000), or another client's of that
 * name does (42P05).
 */
const LOST_TO_A_POOLER = new Set(['26000', '42P05']);
/** A migration changed the type of a column a kept plan returns (cached plan must not change result type). */
const STALE_PLAN = '0A000';

/**
 * Runs a hot statement as a named prepared statement: Postgres parses and plans it once per
 * connection (keeping a generic plan after five runs when that plan is no dearer), where an
 * unnamed one is parsed and planned on every call. For the session check of every authenticated
 * request that was ~0.2 ms of a 0.46 ms round trip on one client.
 *
 * A transaction-mode pooler that does not track prepared statements (PgBouncer before 1.21, or
 * with `max_prepared_statements = 0`) hands server connections from client to client, so a
 * statement may be missing, or another's, where the call lands. A migration that changes the
 * type of a column a kept plan returns makes that plan fail too, and a pooler that does keep
 * prepared statements keeps the stale one on its server connections. The first failure of
 * either kind switches the pool to unnamed statements for the rest of the process (a restart
 * prepares afresh), with one warning saying which; the call itself is answered unnamed.
 */
export async function queryNamed<R extends pg.QueryResultRow>(
  db: Database,
  statement: NamedStatement,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  const pool = db.$client;
  if (unnamedOnly.has(pool)) return pool.query<R>(statement.text, values);
  try {
    return await pool.query<R>({ name: statement.name, text: statement.text, values });
  } catch (err) {
    const code = pgErrorCode(err);
    if (!code || !(LOST_TO_A_POOLER.has(code) || code === STALE_PLAN)) throw err;
    if (!unnamedOnly.has(pool))
      poolLogs.get(pool)?.warn('named prepared statements failed; running unnamed ones from now on', {
        statement: statement.name,
        code,
        hint:
          code === STALE_PLAN
            ? 'a schema change made a kept plan stale; restarting core prepares statements afresh (behind PgBouncer, also RECONNECT it)'
            : 'behind PgBouncer in transaction mode, use 1.21 or later with max_prepared_statements > 0',
      });
    unnamedOnly.add(pool);
    return pool.query<R>(statement.text, values);
  }
}
