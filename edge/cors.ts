/**
 * CORS at the edge, so a storefront or the dashboard's dev server can call the API from a browser
 * page on another origin (CORS_ALLOWED_ORIGINS, edge/env-schema.ts). Preflights are answered
 * here, before any route checks credentials: a browser never sends Authorization on a preflight,
 * so behind authentication every preflight would get 401. An origin not on the list gets no CORS
 * headers at all, and the browser keeps the response from the page.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ForbiddenError } from '../core/platform/problem.ts';
import { REQUEST_ID_HEADER } from '../core/platform/request-id.ts';
import { type EdgeEnv, edgeConfig } from './env.ts';
import { allowedOrigins } from './env-schema.ts';

const allowedMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** What a page may send: credentials, JSON, and the headers of the API's contract. */
const allowedHeaders = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'If-Match',
  'If-None-Match',
  'X-API-Key',
  REQUEST_ID_HEADER,
];

/** What a page may read beyond the CORS-safelisted headers (Content-Type and a few more). */
const exposedHeaders = [
  'ETag',
  'Location',
  'Retry-After',
  'Idempotent-Replayed',
  'Content-Disposition',
  REQUEST_ID_HEADER,
];

/** Chromium caps a preflight's cache at two hours; longer would be ignored. */
const preflightMaxAgeSeconds = 7200;

/** A CORS preflight (not just any OPTIONS request): the browser asks before the real request. */
function isPreflight(req: Request): boolean {
  return (
    req.method === 'OPTIONS' && req.headers.has('origin') && req.headers.has('access-control-request-method')
  );
}

/** Answers preflights, and marks every response for a page of an allowed origin as readable by it. */
export function cors(): MiddlewareHandler<EdgeEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && allowedOrigins(edgeConfig(c.env)).includes(origin);
    if (isPreflight(c.req.raw)) {
      if (!allowed) {
        throw new ForbiddenError(
          `Pages from ${origin} may not call this API: that origin is not in the edge's CORS_ALLOWED_ORIGINS.`,
        );
      }
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Allow-Methods', allowedMethods.join(', '));
      c.header('Access-Control-Allow-Headers', allowedHeaders.join(', '));
      c.header('Access-Control-Max-Age', String(preflightMaxAgeSeconds));
      c.header('Vary', 'Origin');
      return c.body(null, 204);
    }
    await next();
    // A WebSocket upgrade is not subject to CORS: the socket authenticates with its token.
    if (c.res.status === 101) return;
    // A response that differs by Origin says so, or a shared cache could serve it to another page.
    const headers = withVaryOrigin(c);
    if (!allowed) return;
    headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Expose-Headers', exposedHeaders.join(', '));
  };
}

/**
 * Adds `Vary: Origin` to the answer and returns its headers to change further in place. Hono's
 * c.header copies a finished response on every call; one the worker built has mutable headers
 * and needs no copy. One from fetch() (what core answered) has immutable headers: c.header copies
 * it once, and the copy's are mutable.
 */
function withVaryOrigin(c: Context<EdgeEnv>): Headers {
  try {
    c.res.headers.append('Vary', 'Origin');
  } catch {
    c.header('Vary', 'Origin', { append: true });
  }
  return c.res.headers;
}
