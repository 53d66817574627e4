/**
 * Who is writing, for the audit log's triggers (db/migrations/0025_audit.sql). A write request
 * runs inside `auditContext.run(...)`; a connection checked out in it carries the context as the
 * setting `varastokkr.audit` to its statements, and never past its release, so work outside a
 * request (jobs, batches flushed for many requests) is "system" without paying anything. A
 * writer that commits several requests' rows in one statement sets each row's own in that
 * statement (`auditSettingSql`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
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
 * writer that commits several requests' rows in one statement name each row's own (its rows
 * not named are "system"; `facts` is then not read).
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

/**
 * The value for this scope ('' for none: the triggers then record "system"). One context is a
 * JSON object; a writer's per-entity contexts are one line each, the entity id as a JSON string,
 * a tab, the facts, so that each row's trigger parses its own line only (migration 0031).
 */
export function auditSetting(scope: AuditScope | undefined): string {
  if (!scope) return '';
  const entities = scope.entities?.();
  if (entities) {
    let lines = '';
    for (const [id, facts] of Object.entries(entities))
      lines += `\n${JSON.stringify(id)}\t${JSON.stringify(facts)}`;
    return lines;
  }
  const facts = scope.facts();
  return facts ? JSON.stringify(facts) : '';
}

/**
 * The context as a select-list item of a write statement: the triggers of the rows it writes
 * fire at the end of the statement, after it ran, so they read it; it lasts to the commit.
 */
export const auditSettingSql = (scope: AuditScope) =>
  sql`set_config('varastokkr.audit', ${auditSetting(scope)}, true)`;

const SESSION_SET = "select set_config('varastokkr.audit', $1, false)";
const SESSION_CLEAR = "select set_config('varastokkr.audit', '', false)";

type QueryFn = (...args: unknown[]) => unknown;
/** A checked-out client as this module handles it: its query is wrapped for one checkout. */
type Releasable = Omit<pg.PoolClient, 'query'> & { query: QueryFn };

/** drizzle's `begin` (no parameters, so the simple protocol, where one message may hold two statements). */
function simpleBegin(config: unknown, values: unknown): config is string | { text: string; name?: string } {
  if (Array.isArray(values) && values.length > 0) return false;
  const text = typeof config === 'string' ? config : (config as { text?: unknown; name?: unknown })?.text;
  if (typeof config === 'object' && (config as { name?: unknown }).name) return false;
  return typeof text === 'string' && /^\s*begin\b[^;]*$/i.test(text);
}

/**
 * Gives one checkout the setting at no round trip where possible: a transaction's `begin`
 * carries it as a transaction-local setting in the same message. Any other first statement
 * (a single write outside a transaction) waits for a session-level set, and the connection is
 * cleared before it goes back to the pool (after the caller has its answer). A failed set fails
 * the statement; a failed clear destroys the connection: no context outlives its checkout.
 */
function carryOn(client: Releasable, setting: string): void {
  const query = client.query;
  const ownQuery = Object.hasOwn(client, 'query');
  const release = client.release;
  let first = true;
  let dirty = false;
  client.query = (...args: unknown[]) => {
    if (!first) return query.apply(client, args);
    first = false;
    const [config, values] = args;
    if (simpleBegin(config, values)) {
      const text = typeof config === 'string' ? config : config.text;
      const carried = `${text}; select set_config('varastokkr.audit', ${client.escapeLiteral(setting)}, true)`;
      args[0] = typeof config === 'string' ? carried : { ...config, text: carried };
      return query.apply(client, args);
    }
    dirty = true;
    const callback = args.at(-1);
    const ran = (query.call(client, SESSION_SET, [setting]) as Promise<unknown>).then(() =>
      query.apply(client, args),
    );
    if (typeof callback !== 'function') return ran;
    ran.catch(callback as (err: Error) => void); // pg-pool's pool.query passes a callback
    return undefined;
  };
  client.release = ((err?: Error | boolean) => {
    if (ownQuery) client.query = query;
    else Reflect.deleteProperty(client, 'query');
    if (!dirty || err) return release.call(client, err);
    (query.call(client, SESSION_CLEAR) as Promise<unknown>).then(
      () => release.call(client),
      (failed: Error) => release.call(client, failed),
    );
  }) as typeof client.release;
}

type ConnectCallback = (err: Error | undefined, client?: pg.PoolClient, done?: unknown) => void;

/**
 * Makes every checkout of this pool (transactions and single queries alike) carry the context
 * of the code checking out, read at checkout (after authorization has named the principal).
 */
export function carryAuditContext(pool: pg.Pool): void {
  const connect = pool.connect.bind(pool) as (cb?: ConnectCallback) => Promise<pg.PoolClient> | undefined;
  const prepared = (client: pg.PoolClient, setting: string) => {
    if (setting) carryOn(client as unknown as Releasable, setting);
    return client;
  };
  const patched = (cb?: ConnectCallback) => {
    const setting = auditSetting(storage.getStore());
    if (!cb) return (connect() as Promise<pg.PoolClient>).then((client) => prepared(client, setting));
    connect((err, client, done) => {
      if (err || !client) return cb(err, client, done);
      const ready = prepared(client, setting);
      cb(undefined, ready, ready.release);
    });
    return undefined;
  };
  pool.connect = patched as typeof pool.connect;
}
