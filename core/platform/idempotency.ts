/**
 * Idempotency-Key for retried writes (Stripe's model). The first request with a key claims it;
 * its own write transaction stores the response (IdempotencyClaim.complete), so the stored
 * answer exists if and only if the write committed. A replay within 24 hours returns that answer;
 * the same key with another body is 422; a duplicate that arrives while the first is still
 * running waits for it. Keys are scoped per caller. A request that fails releases its key.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { Database, Queryable } from './database.ts';
import { AppError, ConflictError, ValidationError } from './problem.ts';

export interface IdempotencyClaim {
  /** Stores the response in the write's transaction. */
  complete(q: Queryable, status: number, body: unknown): Promise<void>;
}

const KEY = /^[\x21-\x7e]{1,255}$/;
/** How long a claim blocks duplicates before another request may take it over (a crashed first try). */
const CLAIM_SECONDS = 60;
const WAIT_MS = 15_000;

class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(
      422,
      'idempotency-key-reused',
      'Idempotency-Key reused',
      'This Idempotency-Key was used with a different request; use a new key for a new request.',
      { errors: [{ path: 'Idempotency-Key', message: 'Used before with another request' }] },
    );
  }
}

interface KeyRow extends Record<string, unknown> {
  request_hash: string;
  status: number | null;
  response: unknown;
  taken: boolean;
}

/** What the middleware needs on the context: the database, who calls, and where to put its claim. */
export type IdempotencyEnv = {
  Variables: {
    db: Database;
    principal: { kind: string; id: string };
    idempotency?: IdempotencyClaim;
  };
};

/**
 * The middleware, for any router whose context carries what IdempotencyEnv names (core's AppEnv
 * does). Hono's handler type is invariant in its env, hence the one cast.
 */
export function idempotent<E extends IdempotencyEnv>(): MiddlewareHandler<E> {
  return claimIdempotencyKey as unknown as MiddlewareHandler<E>;
}

const claimIdempotencyKey: MiddlewareHandler<IdempotencyEnv> = async (c, next) => {
  const key = c.req.header('idempotency-key');
  if (key === undefined) return next();
  if (!KEY.test(key))
    throw new ValidationError([
      { path: 'Idempotency-Key', message: '1 to 255 visible ASCII characters, such as a UUID' },
    ]);
  const { db, principal } = c.var;
  const callerId = `${principal.kind}:${principal.id}`;
  const body = await c.req.text();
  const hash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest('hex');

  const deadline = Date.now() + WAIT_MS;
  const token = crypto.randomUUID();
  for (;;) {
    // Claim the key, or take over one that expired (24 hours) or whose first try died.
    const { rows } = await db.execute<KeyRow>(sql`
        insert into platform.idempotency_keys as k (caller_id, key, request_hash, claim_token, locked_until)
        values (${callerId}, ${key}, ${hash}, ${token}, now() + make_interval(secs => ${CLAIM_SECONDS}))
        on conflict (caller_id, key) do update
          set request_hash = excluded.request_hash, status = null, response = null,
              claim_token = excluded.claim_token, locked_until = excluded.locked_until, created_at = now()
          where k.created_at < now() - interval '24 hours'
             or (k.status is null and k.locked_until < now())
        returning k.request_hash, k.status, k.response, true as taken`);
    if (rows.length > 0) break;
    const [seen] = (
      await db.execute<KeyRow>(sql`
          select request_hash, status, response, false as taken from platform.idempotency_keys
          where caller_id = ${callerId} and key = ${key}`)
    ).rows;
    if (!seen) continue;
    if (seen.request_hash !== hash) throw new IdempotencyKeyReusedError();
    if (seen.status !== null) {
      c.header('idempotent-replayed', 'true');
      return c.json(seen.response as object, seen.status as 200);
    }
    if (Date.now() > deadline)
      throw new ConflictError(
        'A request with this Idempotency-Key is still in progress; retry shortly.',
        'idempotency-in-progress',
      );
    await Bun.sleep(25);
  }

  let completed = false;
  c.set('idempotency', {
    async complete(q, status, responseBody) {
      const { rowCount } = await q.execute(sql`
          update platform.idempotency_keys set status = ${status}, response = ${JSON.stringify(responseBody)}::jsonb
          where caller_id = ${callerId} and key = ${key} and claim_token = ${token}`);
      // Another attempt took the key over (this one outlived its claim): it answers, not us.
      if (rowCount !== 1)
        throw new ConflictError(
          'A retry with this Idempotency-Key took over while this request ran; its answer stands.',
          'idempotency-in-progress',
        );
      completed = true;
    },
  });
  try {
    await next();
  } finally {
    // Nothing committed under this key (an error, or a write that stored nothing): free it.
    if (!completed || c.res.status >= 400)
      await db.execute(sql`
          delete from platform.idempotency_keys
          where caller_id = ${callerId} and key = ${key} and claim_token = ${token} and status is null`);
  }
};

/** Drops keys past their 24 hours (they no longer replay), in bounded batches. */
export async function pruneIdempotencyKeys(db: Database): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from platform.idempotency_keys where ctid in (
        select ctid from platform.idempotency_keys
        where created_at < now() - interval '24 hours' limit 5000)`);
    total += result.rowCount ?? 0;
    if ((result.rowCount ?? 0) < 5000) return total;
  }
}
