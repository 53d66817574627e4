/**
 * The jobs runner's liveness: GET /healthz answers 200 while its graphile-worker runners run and
 * 503 once they stopped (a fatal error, or draining on SIGTERM), so a container's HEALTHCHECK or
 * Kubernetes' liveness probe restarts a runner that no longer works. GET /metrics serves its
 * Prometheus metrics (jobs/metrics.ts) to a caller with METRICS_TOKEN, as core's does. Nothing
 * else is served.
 */
import { type MetricsAccess, refuseMetricsCaller } from '../core/platform/http-metrics.ts';
import { type MetricsRegistry, PROMETHEUS_CONTENT_TYPE, renderMetrics } from '../core/platform/metrics.ts';
import { problemResponse, ServiceUnavailableError } from '../core/platform/problem.ts';

export interface JobsHealth {
  port: number;
  stop(): Promise<void>;
}

export function serveJobsHealth(opts: {
  hostname: string;
  port: number;
  running: () => boolean;
  /** Serves GET /metrics with what these hold, to whom `access` lets in. */
  metrics?: { access: MetricsAccess; registries: readonly MetricsRegistry[] };
}): JobsHealth {
  const answer = async (req: Request): Promise<Response> => {
    const path = new URL(req.url).pathname;
    if (path === '/metrics' && opts.metrics) return serveMetrics(req, opts.metrics);
    if (path !== '/healthz') return new Response(null, { status: 404 });
    if (opts.running()) return Response.json({ status: 'ok', service: 'jobs' });
    return problemResponse(new ServiceUnavailableError('The job runners have stopped.').toProblem());
  };
  const server = Bun.serve({ hostname: opts.hostname, port: opts.port, fetch: answer });
  return { port: server.port ?? opts.port, stop: () => server.stop(true) };
}

async function serveMetrics(
  req: Request,
  metrics: { access: MetricsAccess; registries: readonly MetricsRegistry[] },
): Promise<Response> {
  const refused = refuseMetricsCaller(metrics.access, req.headers.get('authorization') ?? undefined);
  if (refused) return problemResponse(refused.toProblem(), refused.headers);
  return new Response(await renderMetrics(metrics.registries), {
    headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
  });
}
