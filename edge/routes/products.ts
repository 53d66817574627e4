/**
 * Catalog reads the worker answers itself, from Postgres and the Cache API (see ../catalog.ts),
 * and availability from the warehouse rooms. Paths the edge does not answer go to core.
 */
import { Hono } from 'hono';
import { ValidationError } from '../../core/platform/problem.ts';
import { refuseWithoutCredentials, verifyAccessToken } from '../auth.ts';
import { availabilityAtEdge } from '../availability.ts';
import { listProductsAtEdge, readProductAtEdge } from '../catalog.ts';
import { type EdgeEnv, edgeConfig } from '../env.ts';
import { forwardToService } from './gateway.ts';

// Core's own routes under /api/products/{sku}'s pattern: forwarded, not read as skus.
const forwardedSkus = new Set(['export', 'import', 'labels']);

export const productRoutes = new Hono<EdgeEnv>()
  // Also served by core (core/catalog/routes.ts); the edge answers it from the same SQL.
  .get('/api/products', async (c) => {
    const cfg = edgeConfig(c.env);
    return listProductsAtEdge(c, cfg, await refuseWithoutCredentials(cfg, c.req.raw.headers));
  })
  // Also served by core (core/catalog/routes.ts); the edge answers it from the same SQL.
  .get('/api/products/:sku', async (c) => {
    const sku = c.req.param('sku');
    if (forwardedSkus.has(sku)) return forwardToService(c);
    const cfg = edgeConfig(c.env);
    return readProductAtEdge(c, cfg, await refuseWithoutCredentials(cfg, c.req.raw.headers), sku);
  })
  // Also served by core (core/inventory/routes.ts); the edge answers a token's from the warehouse
  // rooms, and forwards an API key's (whose scope only core knows).
  .get('/api/products/:sku/availability', async (c) => {
    const cfg = edgeConfig(c.env);
    const caller = await refuseWithoutCredentials(cfg, c.req.raw.headers);
    if (caller.kind !== 'token') return forwardToService(c);
    const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    const scope = await verifyAccessToken(cfg, token);
    const sku = c.req.param('sku');
    if (sku.length > 64) throw new ValidationError([{ path: 'sku', message: 'At most 64 characters' }]);
    const request = { env: c.env, waitUntil: (p: Promise<unknown>) => c.executionCtx.waitUntil(p) };
    return c.json(await availabilityAtEdge(request, scope, sku), 200, {
      'cache-control': 'private, no-store',
    });
  });
