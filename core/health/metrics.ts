import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../app-env.ts';
import { type MetricsAccess, refuseMetricsCaller } from '../platform/http-metrics.ts';
import { type MetricsRegistry, PROMETHEUS_CONTENT_TYPE, renderMetrics } from '../platform/metrics.ts';
import { problemResponses } from '../platform/openapi.ts';

/** The security scheme of /metrics in core's own document (the public document leaves both out). */
export const METRICS_SECURITY_SCHEME = 'metricsToken';

const exposition = z.string().openapi({
  example:
    '# HELP varastokkr_http_request_duration_seconds Time to answer an HTTP request\n# TYPE varastokkr_http_request_duration_seconds histogram\nvarastokkr_http_request_duration_seconds_count{method="GET",route="/api/orders/:id",status="2xx"} 42\n',
});

const route = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'getCoreMetrics',
  tags: ['health'],
  summary: "Core's Prometheus metrics: request rate and latency by route, batch sizes",
  description:
    "Prometheus text exposition (0.0.4) for a scraper, with METRICS_TOKEN as a bearer token. Without METRICS_TOKEN it answers anyone in development and no one in production (403). Not served through the edge: scrape each core process directly. The job queue, the rooms' feed and the webhook backlog are on the jobs runner's /metrics.",
  security: [{ [METRICS_SECURITY_SCHEME]: [] }],
  responses: {
    200: { description: 'The metrics', content: { 'text/plain': { schema: exposition } } },
    ...problemResponses(401, 403),
  },
});

/** GET /metrics: what `registries` hold, to a caller `access` lets in. */
export function metricsRoutes(access: MetricsAccess, registries: readonly MetricsRegistry[]) {
  const router = createRouter();
  router.openAPIRegistry.registerComponent('securitySchemes', METRICS_SECURITY_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'METRICS_TOKEN, the token Prometheus scrapes with',
  });
  return router.openapi(route, async (c) => {
    const refused = refuseMetricsCaller(access, c.req.header('authorization'));
    if (refused) throw refused;
    return c.text(await renderMetrics(registries), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
  });
}
