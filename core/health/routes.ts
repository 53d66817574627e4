import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { createRouter } from '../platform/http.ts';
import { jsonContent, problemResponses } from '../platform/openapi.ts';
import { ServiceUnavailableError } from '../platform/problem.ts';

const healthSchema = z
  .object({
    status: z.literal('ok'),
    services: z.array(z.string()),
    database: z.object({ status: z.literal('ok'), latencyMs: z.number(), outbox: z.boolean() }),
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
    try {
      const result = await c.var.db.execute<{ outbox: boolean }>(
        sql`select to_regproc('graphile_worker.add_job') is not null as outbox`,
      );
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const outbox = result.rows[0]?.outbox ?? false;
      return c.json(
        {
          status: 'ok' as const,
          services: [...services],
          database: { status: 'ok' as const, latencyMs, outbox },
        },
        200,
      );
    } catch (err) {
      c.var.log.error('health check: database unreachable', { err: (err as Error).message });
      throw new ServiceUnavailableError('The database does not answer.', { database: 'down' });
    }
  });
}
