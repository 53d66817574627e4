/** GET /healthz: the edge, core, the database (through the edge driver) and Durable Objects answer. */
import { createOpenApiRouter } from '../../core/platform/http.ts';
import { type EdgeEnv, edgeConfig } from '../env.ts';
import { checkHealth, healthRoute } from '../health.ts';

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
