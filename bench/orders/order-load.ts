/**
 * The orders benchmark's load generator: this file run as its own process (ORDERS_LOAD_SPEC set),
 * so it does not share an event loop with the server under test. measureOrders runs it and
 * returns what it saw; the realtime benchmark uses it too, as load beside its measurements.
 */

/** What each request orders: one hot sku, or `lines` distinct skus `${prefix}${0..count-1}`. */
export type OrderShape =
  | { kind: 'hot'; sku: string; warehouseId?: string }
  | { kind: 'mixed'; prefix: string; count: number; lines: number; warehouseId?: string };

export interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  shape: OrderShape;
}

export interface OrderLoadResult {
  requests: number;
  created: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses by status; network failures under "network". */
  statuses: Record<string, number>;
  /** The first body seen for each status other than 201. */
  samples: Record<string, string>;
}

function orderBody(shape: OrderShape): string {
  if (shape.kind === 'hot')
    return JSON.stringify({
      lines: [{ sku: shape.sku, qty: 1 }],
      ...(shape.warehouseId ? { warehouseId: shape.warehouseId } : {}),
    });
  const picked = new Set<number>();
  while (picked.size < shape.lines) picked.add(Math.floor(Math.random() * shape.count));
  return JSON.stringify({
    lines: [...picked].map((i) => ({ sku: `${shape.prefix}${i}`, qty: 1 })),
    ...(shape.warehouseId ? { warehouseId: shape.warehouseId } : {}),
  });
}

/** N closed-loop workers POSTing orders over keep-alive connections; runs in the child process. */
async function loadOrders(spec: LoadSpec): Promise<OrderLoadResult> {
  const headers = { ...spec.headers, 'content-type': 'application/json' };
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const samples: Record<string, string> = {};
  const deadline = performance.now() + spec.seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      let status: string;
      try {
        const res = await fetch(spec.url, {
          method: 'POST',
          headers,
          body: orderBody(spec.shape),
          keepalive: true,
        });
        status = String(res.status);
        if (res.status === 201) await res.arrayBuffer();
        else {
          const text = await res.text();
          samples[status] ??= text.slice(0, 500);
        }
      } catch (err) {
        status = 'network';
        samples[status] ??= String((err as Error)?.message ?? err).slice(0, 500);
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: spec.connections }, worker));
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.floor(q * (latencies.length - 1))] ?? 0) * 100) / 100;
  const created = statuses['201'] ?? 0;
  return {
    requests: latencies.length,
    created,
    rps: created / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    statuses,
    samples,
  };
}

/** Runs the order load generator in a child process (credentials via the environment). */
export async function measureOrders(spec: LoadSpec): Promise<OrderLoadResult> {
  const proc = Bun.spawn(['bun', import.meta.path], {
    stdout: 'pipe',
    stderr: 'inherit',
    env: { ...process.env, ORDERS_LOAD_SPEC: JSON.stringify(spec) },
  });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`order load generator failed for ${spec.url}`);
  return JSON.parse(out) as OrderLoadResult;
}

if (import.meta.main) {
  const spec = JSON.parse(process.env.ORDERS_LOAD_SPEC ?? 'null') as LoadSpec | null;
  if (!spec) {
    console.error('Run this through `bun run bench orders`.');
    process.exit(2);
  }
  console.log(JSON.stringify(await loadOrders(spec)));
}
