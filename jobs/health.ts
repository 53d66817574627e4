/**
 * The jobs runner's liveness: GET /healthz answers 200 while its graphile-worker runners run and
 * 503 once they stopped (a fatal error, or draining on SIGTERM), so a container's HEALTHCHECK or
 * Kubernetes' liveness probe restarts a runner that no longer works. Nothing else is served.
 */
import { problemResponse, ServiceUnavailableError } from '../core/platform/problem.ts';

export interface JobsHealth {
  port: number;
  stop(): Promise<void>;
}

export function serveJobsHealth(opts: {
  hostname: string;
  port: number;
  running: () => boolean;
}): JobsHealth {
  const answer = (req: Request): Response => {
    if (new URL(req.url).pathname !== '/healthz') return new Response(null, { status: 404 });
    if (opts.running()) return Response.json({ status: 'ok', service: 'jobs' });
    return problemResponse(new ServiceUnavailableError('The job runners have stopped.').toProblem());
  };
  const server = Bun.serve({ hostname: opts.hostname, port: opts.port, fetch: answer });
  return { port: server.port ?? opts.port, stop: () => server.stop(true) };
}
