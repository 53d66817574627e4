/**
 * A closed-loop HTTP load generator, run as its own process so it does not share an event loop
 * with the server under test: `bun bench/load.ts <url> <connections> <seconds>` prints JSON.
 */
export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers marked `x-cache: miss` (the edge's catalog reads). */
  misses: number;
}

/**
 * `{n}` in the URL becomes a new number on every request (to defeat caches), `{n%M}` the same
 * number modulo M (to cycle through M resources); headers come from
 * LOAD_HEADERS (JSON), so credentials never appear on a command line.
 */
async function load(url: string, connections: number, seconds: number): Promise<LoadResult> {
  const headers = JSON.parse(process.env.LOAD_HEADERS ?? '{}') as Record<string, string>;
  let n = 0;
  const latencies: number[] = [];
  let errors = 0;
  let misses = 0;
  const deadline = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        const i = n++;
        const target = url.replace('{n}', String(i)).replace(/\{n%(\d+)\}/, (_, m) => String(i % Number(m)));
        const res = await fetch(target, { headers });
        await res.arrayBuffer();
        if (!res.ok) errors++;
        if (res.headers.get('x-cache') === 'miss') misses++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round((latencies[Math.floor(q * (latencies.length - 1))] ?? 0) * 100) / 100;
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    misses,
  };
}

/** Runs the generator in a child process and returns its result. */
export async function measure(
  url: string,
  connections: number,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<LoadResult> {
  const proc = Bun.spawn(['bun', import.meta.path, url, String(connections), String(seconds)], {
    stdout: 'pipe',
    env: { ...process.env, LOAD_HEADERS: JSON.stringify(headers) },
  });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`load generator failed for ${url}`);
  return JSON.parse(out) as LoadResult;
}

if (import.meta.main) {
  const [url, connections, seconds] = process.argv.slice(2);
  if (!url) throw new Error('usage: bun bench/load.ts URL CONNECTIONS SECONDS');
  console.log(JSON.stringify(await load(url, Number(connections), Number(seconds))));
}
