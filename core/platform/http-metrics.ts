/**
 * What core's HTTP traffic looks like to Prometheus (request rate, latency, errors by route), and
 * who may read /metrics: with METRICS_TOKEN set, only a caller with `Authorization: Bearer
 * <token>`; without it, anyone in development and tests, and no one in production (the
 * endpoint answers 403 naming METRICS_TOKEN, so an operator who forgot it sees why).
 */
import type { MiddlewareHandler } from 'hono';
import { routeOf } from './http.ts';
import { LATENCY_BUCKETS, type MetricsRegistry } from './metrics.ts';
import { type AppError, ForbiddenError, UnauthorizedError } from './problem.ts';
import { sameSecret } from './secret-compare.ts';

/** Records every request's duration by method, route pattern and status class into `registry`. */
export function httpMetrics(registry: MetricsRegistry): MiddlewareHandler {
  const duration = registry.histogram(
    'varastokkr_http_request_duration_seconds',
    'Time to answer an HTTP request, by method, route pattern and status class (its _count is the request rate).',
    LATENCY_BUCKETS,
  );
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const status = `${Math.floor(c.res.status / 100)}xx`;
      duration.observe((performance.now() - started) / 1000, {
        method: c.req.method,
        route: routeOf(c),
        status,
      });
    }
  };
}

export interface MetricsAccess {
  /** METRICS_TOKEN: the bearer token a scraper sends. */
  token?: string | undefined;
  /** Without a token, production refuses everyone (development answers anyone). */
  production: boolean;
}

const encoder = new TextEncoder();

/** Why this caller may not read /metrics (its Authorization header), or undefined when it may. */
export function refuseMetricsCaller(
  access: MetricsAccess,
  authorization: string | undefined,
): AppError | undefined {
  if (access.token === undefined)
    return access.production
      ? new ForbiddenError('Metrics are off: set METRICS_TOKEN and scrape with it as a bearer token.')
      : undefined;
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (given !== undefined && sameSecret(encoder.encode(access.token), encoder.encode(given)))
    return undefined;
  const refused = new UnauthorizedError('Send METRICS_TOKEN as a bearer token to read metrics.');
  refused.headers = { 'www-authenticate': 'Bearer realm="metrics"' };
  return refused;
}
