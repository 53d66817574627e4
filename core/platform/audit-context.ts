/**
 * Who is writing, for the audit log's triggers (db/migrations/0025_audit.sql). A write request
 * runs inside `auditContext.run(...)`; every connection it checks out of the pool gets the
 * context as the session setting `varastokkr.audit` before its first statement (and the next
 * checkout without one clears it). So every write path is covered without passing anything
 * down, statements outside a transaction included. Work outside a request (jobs) has no
 * context: "system".
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';

export interface AuditActor {
  kind: 'user' | 'api_key' | 'anonymous';
  id?: string;
  name?: string;
  roles?: readonly string[];
  ip: string;
  userAgent: string | null;
}

export interface AuditFacts {
  actor: AuditActor;
  requestId: string;
}

/**
 * What a request (or a batch writer) says about its writes: the facts are read when a
 * connection is checked out (after authorization has named the principal). `entities` lets a
 * writer that commits several requests' rows in one statement name each row's own.
 */
export interface AuditScope {
  facts(): AuditFacts | undefined;
  entities?: () => Record<string, AuditFacts>;
}

const storage = new AsyncLocalStorage<AuditScope>();

export const auditContext = {
  run: <T>(scope: AuditScope, fn: () => T): T => storage.run(scope, fn),
  /** Runs fn with no context of the caller's: a batch flushed for many requests names its own. */
  detached: <T>(fn: () => T): T => storage.exit(fn),
  /** The facts of the request this runs in, for a batch writer to keep with the item. */
  current: (): AuditFacts | undefined => storage.getStore()?.facts(),
};

const SET = "select set_config('varastokkr.audit', $1, false)";

/** The value for this scope ('' for none: the triggers then record "system"). */
export function auditSetting(scope: AuditScope | undefined): string {
  if (!scope) return '';
  const facts = scope.facts();
  const entities = scope.entities?.();
  if (!facts && !entities) return '';
  return JSON.stringify({ ...facts, ...(entities ? { entities } : {}) });
}

/** What each pooled connection's setting holds now, so a checkout sets it only when it differs. */
const current = new WeakMap<pg.PoolClient, string>();

async function prepare(client: pg.PoolClient, setting: string): Promise<pg.PoolClient> {
  if ((current.get(client) ?? '') === setting) return client;
  try {
    await client.query(SET, [setting]);
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  current.set(client, setting);
  return client;
}

type ConnectCallback = (err: Error | undefined, client?: pg.PoolClient, done?: unknown) => void;

/**
 * Makes every checkout of this pool (transactions and single queries alike) carry the context
 * of the code checking out: the setting is written before the client is handed over, only when
 * it differs from what the connection holds (work outside a request, on a connection no
 * request used, pays nothing).
 */
export function carryAuditContext(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (cb?: ConnectCallback) => Promise<pg.PoolClient> | undefined;
  const patched = (cb?: ConnectCallback) => {
    const setting = auditSetting(storage.getStore());
    if (!cb) return (connect() as Promise<pg.PoolClient>).then((client) => prepare(client, setting));
    connect((err, client, done) => {
      if (err || !client) return cb(err, client, done);
      prepare(client, setting).then(
        (ready) => cb(undefined, ready, ready.release),
        (failed: Error) => cb(failed),
      );
    });
    return undefined;
  };
  pool.connect = patched as typeof pool.connect;
}
