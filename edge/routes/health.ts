/** GET /healthz: the edge, core, the database (through the edge driver) and Durable Objects answer. */
import { createRoute, z } from '@hono/zod-openapi';
import { createOpenApiRouter } from '../../core/platform/http.ts';
import { jsonContent, problemResponses, publicRoute } from '../../core/platform/openapi.ts';
import { type EdgeEnv, edgeConfig } from '../env.ts';
import { checkHealth, healthCheckSchema } from '../health.ts';

const edgeHealthSchema = z
  .object({
    status: z.literal('ok'),
    edge: z.literal('ok'),
    core: healthCheckSchema,
    database: healthCheckSchema,
    durableObjects: healthCheckSchema,
  })
  .openapi('Health');

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  operationId: 'getHealth',
  tags: ['health'],
  summary: 'Edge, core, database (from the edge) and Durable Objects all answer',
  description:
    'Open to anyone: checked at most once a second per isolate (callers share the result), and a 503 says which dependency is down but not where it is; the reasons are in the edge log.',
  ...publicRoute,
  responses: {
    200: jsonContent(edgeHealthSchema, 'Everything answers'),
    ...problemResponses(503),
  },
});

export const healthRoutes = createOpenApiRouter<EdgeEnv>().openapi(healthRoute, async (c) => {
  const body = await checkHealth({
    cfg: edgeConfig(c.env),
    rooms: c.env.WAREHOUSE_ROOMS,
    requestId: c.var.requestId,
    log: c.var.log,
    waitUntil: (p) => c.executionCtx.waitUntil(p),
  });
  return c.json(body, 200);
});
