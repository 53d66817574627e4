import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { createRouter } from '../app-env.ts';
import type { Database } from '../platform/database.ts';
import type { Logger } from '../platform/logger.ts';
import { jsonContent, problemResponses, publicRoute } from '../platform/openapi.ts';
import { ServiceUnavailableError } from '../platform/problem.ts';
import { sharedResult } from '../platform/shared-result.ts';
import { msSince } from '../platform/timing.ts';

const healthSchema = z
  .object({
    status: z.literal('ok'),
    services: z.array(z.string()),
    database: z.object({ status: z.literal('ok'), latencyMs: z.number(), outbox: z.literal(true) }),
  })
  .openapi('CoreHealth');

const route = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getCoreHealth',
  tags: ['health'],
  summary: 'Core liveness and database reachability (checked at most once a second)',
  description:
    "A core process's own health, for its supervisor; the public /healthz is the edge's. Open to anyone, and the answer names no host or error.",
  ...publicRoute,
  responses: { 200: jsonContent(healthSchema, 'Core and its database answer'), ...problemResponses(503) },
});

type DatabaseHealth = { status: 'ok'; latencyMs: number } | { status: 'down' } | { status: 'unmigrated' };

/** One query: the database answers, and graphile-worker's schema (every write's outbox) exists. */
async function checkDatabase(db: Database, log: Logger): Promise<DatabaseHealth> {
  const started = performance.now();
  try {
    const result = await db.execute<{ outbox: boolean }>(
      sql`select to_regproc('graphile_worker.add_job') is not null as outbox`,
    );
    log.debug('health check: database checked', { latencyMs: msSince(started) });
    // Every write enqueues its events through graphile-worker: without its schema, writes fail.
    return result.rows[0]?.outbox ? { status: 'ok', latencyMs: msSince(started) } : { status: 'unmigrated' };
  } catch (err) {
    // The error (which may name hosts) goes to the log only; /healthz is unauthenticated.
    log.error('health check: database unreachable', { err });
    return { status: 'down' };
  }
}

/**
 * /healthz is open to anyone, so the database is asked at most once a second however many call
 * (concurrent callers share the check), and the answer names no host or error.
 */
export function healthRoutes(services: readonly string[], db: Database, log: Logger) {
  const database = sharedResult(() => checkDatabase(db, log), 1000);
  return createRouter().openapi(route, async (c) => {
    const health = await database.get();
    if (health.status === 'down')
      throw new ServiceUnavailableError('The database does not answer.', { database: 'down' });
    if (health.status === 'unmigrated')
      throw new ServiceUnavailableError('The database is not migrated: run `bun run db:migrate`.', {
        database: 'unmigrated',
      });
    const body = { status: 'ok' as const, latencyMs: health.latencyMs, outbox: true as const };
    return c.json({ status: 'ok' as const, services: [...services], database: body }, 200);
  });
}
