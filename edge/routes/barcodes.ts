/** GET /api/barcodes/:code, answered by the worker from Postgres and the Cache API (see ../catalog.ts). */
import { Hono } from 'hono';
import { refuseWithoutCredentials } from '../auth.ts';
import { readBarcodeAtEdge } from '../catalog.ts';
import { type EdgeEnv, edgeConfig } from '../env.ts';

export const barcodeRoutes = new Hono<EdgeEnv>()
  // Also served by core (core/catalog/routes.ts); the edge answers it from the same SQL.
  .get('/api/barcodes/:code', async (c) => {
    const cfg = edgeConfig(c.env);
    const caller = await refuseWithoutCredentials(cfg, c.req.raw.headers);
    return readBarcodeAtEdge(c, cfg, caller, c.req.param('code'));
  });
