/**
 * The gateway: every other /api/* and /.well-known/* path goes to the core process that runs its
 * service (core/services.ts says which), after a first check of the caller's credentials.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { NotFoundError } from '../../core/platform/problem.ts';
import { publicPaths, serviceForPath } from '../../core/services.ts';
import { refuseWithoutCredentials } from '../auth.ts';
import { type EdgeEnv, edgeConfig, serviceUrl } from '../env.ts';
import { forwardRequest } from '../gateway.ts';

/** Forwards the request to the core service that owns its path. */
export async function forwardToService(c: Context<EdgeEnv>): Promise<Response> {
  const service = serviceForPath(c.req.path);
  if (!service) throw new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`);
  const cfg = edgeConfig(c.env);
  if (!publicPaths.includes(c.req.path)) await refuseWithoutCredentials(cfg, c.req.raw.headers);
  return forwardRequest(c.req.raw, serviceUrl(cfg, service), {
    requestId: c.var.requestId,
    timeoutMs: cfg.GATEWAY_TIMEOUT_MS,
    clientIp: c.req.header('cf-connecting-ip'),
    signingSecret: cfg.EDGE_SIGNING_SECRET,
  });
}

/** Mounted last: the edge's own /api routes answer first. */
export const gatewayRoutes = new Hono<EdgeEnv>()
  .all('/api/*', (c) => forwardToService(c))
  .all('/.well-known/*', (c) => forwardToService(c));
