import { integer, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Cross-cutting state the platform owns: the idempotency keys of retried writes. */
export const platform = pgSchema('platform');

/**
 * One row per (caller, Idempotency-Key). A row without a status is a request in flight, held
 * until locked_until; the write's own transaction stores the response, so a replay returns
 * exactly what the first request committed.
 */
export const idempotencyKeys = platform.table(
  'idempotency_keys',
  {
    callerId: text('caller_id').notNull(),
    key: text().notNull(),
    requestHash: text('request_hash').notNull(),
    /** Which attempt holds the key: completing and releasing are conditioned on it. */
    claimToken: uuid('claim_token'),
    status: integer(),
    response: jsonb(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.callerId, t.key] })],
);

/**
 * The job workers alive now, each with its last heartbeat: graphile-worker marks a job with the
 * worker that took it, and only we can tell that a worker died (SIGKILL, a lost machine), so its
 * jobs can be unlocked for others instead of waiting hours for the lock to expire.
 */
export const jobWorkers = platform.table('job_workers', {
  workerId: text('worker_id').primaryKey(),
  host: text().notNull(),
  heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }).notNull().defaultNow(),
});
