/**
 * A round-robin HTTP balancer, as a Kubernetes Service spreads requests over core's replicas:
 * each request goes to the next backend in turn, and each backend's share is counted. It
 * answers 503 while it has no backend (the edge may start before the replicas do).
 */
export interface Balancer {
  url: string;
  setBackends(urls: string[]): void;
  /** Requests forwarded to each backend so far. */
  served: Map<string, number>;
  stop(): Promise<void>;
}

export function roundRobin(): Balancer {
  let backends: string[] = [];
  let next = 0;
  const served = new Map<string, number>();
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      const backend = backends[next++ % Math.max(1, backends.length)];
      if (!backend) return new Response('no backend', { status: 503 });
      served.set(backend, (served.get(backend) ?? 0) + 1);
      const incoming = new URL(req.url);
      const headers = new Headers(req.headers);
      headers.delete('host');
      return fetch(new URL(incoming.pathname + incoming.search, backend), {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer(),
        redirect: 'manual',
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    setBackends: (urls) => {
      backends = urls;
    },
    served,
    stop: () => server.stop(true),
  };
}
