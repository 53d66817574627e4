import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { createRouter } from '../platform/app-env.ts';
import { jsonContent, problemResponses } from '../platform/openapi.ts';
import { ServiceUnavailableError } from '../platform/problem.ts';
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
  tags: ['health'],
  summary: 'Core liveness and database reachability',
  responses: { 200: jsonContent(healthSchema, 'Core and its database answer'), ...problemResponses(503) },
});

export function healthRoutes(services: readonly string[]) {
  return createRouter().openapi(route, async (c) => {
    const started = performance.now();
    let outbox: boolean;
    try {
      const result = await c.var.db.execute<{ outbox: boolean }>(
        sql`select to_regproc('graphile_worker.add_job') is not null as outbox`,
      );
      outbox = result.rows[0]?.outbox ?? false;
    } catch (err) {
      c.var.log.error('health check: database unreachable', { err });
      throw new ServiceUnavailableError('The database does not answer.', { database: 'down' });
    }
    if (!outbox) {
      // Every write enqueues its events through graphile-worker: without its schema, writes fail.
      throw new ServiceUnavailableError('The database is not migrated: run `bun run db:migrate`.', {
        database: 'unmigrated',
      });
    }
    const database = { status: 'ok' as const, latencyMs: msSince(started), outbox };
    return c.json({ status: 'ok' as const, services: [...services], database }, 200);
  });
}
