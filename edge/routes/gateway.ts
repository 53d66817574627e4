/**
 * The gateway: every other /api/* and /.well-known/* path goes to the core process that runs its
 * service (core/services.ts says which), after a first check of the caller's credentials.
 */
import type { Context } from 'hono';
import { Hono } from 'hono';
import { NotFoundError, PayloadTooLargeError } from '../../core/platform/problem.ts';
import { publicPaths, serviceForPath } from '../../core/services.ts';
import { refuseWithoutCredentials } from '../auth.ts';
import { type EdgeEnv, edgeConfig, serviceUrl } from '../env.ts';
import { forwardRequest } from '../gateway.ts';

// The CSV import streams and counts its own bytes in core (IMPORT_MAX_BYTES).
const STREAMED_UPLOADS = ['/api/products/import'];
// What the edge reads and throws away of an oversized body before answering 413.
const DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * A body declared larger than the limit is refused here, never forwarded. The edge reads it first
 * (up to DRAIN_BYTES): a server that answers while the client is still sending closes a
 * connection the client is writing to, and the client sees a reset instead of the 413.
 */
async function refuseOversizedBody(req: Request, limit: number, path: string): Promise<void> {
  const declared = Number(req.headers.get('content-length') ?? 0);
  if (!(declared > limit) || STREAMED_UPLOADS.includes(path) || !req.body) return;
  const reader = req.body.getReader();
  for (let read = 0; read < DRAIN_BYTES; ) {
    const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (chunk.done) break;
    read += chunk.value.byteLength;
  }
  throw new PayloadTooLargeError(limit);
}

/** Forwards the request to the core service that owns its path. */
export async function forwardToService(c: Context<EdgeEnv>): Promise<Response> {
  const service = serviceForPath(c.req.path);
  if (!service) throw new NotFoundError(`No route for ${c.req.method} ${c.req.path}.`);
  const cfg = edgeConfig(c.env);
  await refuseOversizedBody(c.req.raw, cfg.MAX_BODY_BYTES, c.req.path);
  if (!publicPaths.includes(c.req.path)) await refuseWithoutCredentials(cfg, c.req.raw.headers);
  c.set('forwardedTo', service);
  return forwardRequest(c.req.raw, serviceUrl(cfg, service), {
    requestId: c.var.requestId,
    timeoutMs: cfg.GATEWAY_TIMEOUT_MS,
    clientIp: c.req.header('cf-connecting-ip'),
    signingSecret: cfg.EDGE_SIGNING_SECRET,
    trace: c.var.trace,
  });
}

/**
 * The edge's request line goes at debug for a request core answered (core logs it under the same
 * request id) and for a successful call from our own services to /internal/* (the rooms' feed,
 * one per tick); what the edge answers itself (a 401, a 413, a product read) stays at info, and
 * a 5xx at error. Under `wrangler dev` each console line costs the request several milliseconds
 * (bench/edge-hop.ts); deployed, each is a billed Workers log event.
 */
export const loggedAtDebug = (c: Context<EdgeEnv>) =>
  c.get('forwardedTo') !== undefined || (c.req.path.startsWith('/internal/') && c.res.status < 400);

/** Mounted last: the edge's own /api routes answer first. */
export const gatewayRoutes = new Hono<EdgeEnv>()
  .all('/api/*', (c) => forwardToService(c))
  .all('/.well-known/*', (c) => forwardToService(c));
