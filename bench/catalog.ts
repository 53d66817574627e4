/**
 * Catalog reads at the edge, all under wrangler dev (workerd) in the same run:
 *   cached     GET /api/products/:sku through our worker: token verified, answer from the Cache API
 *   reference  a bare Hono handler on the same workerd returning the same JSON from memory
 *   uncached   reads of products no one read before (inserted for the bench), at 1 and at 4
 *              connections: a cache miss, then a CatalogReader's kept connection (Neon driver) ->
 *              Postgres, and the answer stored in the cache
 *   freshness  PATCH in core -> jobs purge -> the edge serves the new version
 *   updates    reads cycling over 50 products, alone and while 10 PATCHes a second (through the
 *              edge, as a user sends them) commit to random ones of them and the jobs runner
 *              purges each: per-product invalidation keeps the other products cached
 * Prints throughput, p50/p99, the cached/bare ratio (goal >= 0.95), the uncached p50 (goal <=
 * 15 ms), the with/without updates ratio (goal >= 0.8), freshness, and the CPU per read by
 * part of the stack in each phase. EDGE_PROFILE=<phase> (cached, uncached, ...) also prints where
 * the worker's JS thread spent that phase (bench/edge-profile.ts), on an unminified bundle.
 */
import { join } from 'node:path';
import { createCoreApp } from '../core/app.ts';
import { authSettingsFrom } from '../core/identity/settings.ts';
import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { freePort } from '../core/platform/ports.ts';
import { serviceNames } from '../core/services.ts';
import { startWrangler } from '../edge/local/wrangler-dev.ts';
import { startWsProxy } from '../edge/local/ws-proxy.ts';
import { startJobs } from '../jobs/worker.ts';
import { adminAuthorization, connectBenchDatabase } from './bench-core.ts';
import { profileEdge } from './edge-profile.ts';
import { type LoadResult, measure } from './load.ts';
import { cpuBetween, cpuSnapshot } from './process-cpu.ts';
import type { BenchContext } from './run.ts';

const CYCLE_PREFIX = 'BENCH-CYCLE-';
const UNREAD_PER_PHASE = 10_000;

/** Products no isolate has read, `UNREAD_PER_PHASE` per prefix, written straight to Postgres. */
async function unreadProducts(pool: { query(text: string): Promise<unknown> }, prefixes: string[]) {
  for (const prefix of prefixes)
    await pool.query(
      `insert into catalog.products (sku, name, price_amount, price_currency)
       select '${prefix}' || n, 'Unread ' || n, 100 + n, 'EUR' from generate_series(0, ${UNREAD_PER_PHASE - 1}) n`,
    );
}

/** `count` products of the bench's own (created through the edge, as a user would). */
async function benchProducts(edgeUrl: string, headers: Record<string, string>, count: number) {
  const skus = Array.from({ length: count }, (_, i) => `${CYCLE_PREFIX}${i}`);
  for (const sku of skus) {
    const res = await fetch(`${edgeUrl}/api/products`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ sku, name: `Bench cycle ${sku}`, price: { amount: 100, currency: 'EUR' } }),
    });
    if (res.status !== 201) throw new Error(`bench product ${sku}: ${res.status} ${await res.text()}`);
  }
  return skus;
}

/** PATCHes random ones of `skus` through the edge, `perSecond` a second, until stopped. */
function updatesPerSecond(
  edgeUrl: string,
  headers: Record<string, string>,
  skus: string[],
  perSecond: number,
) {
  const counts = { committed: 0, failed: 0 };
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const sku = skus[Math.floor(Math.random() * skus.length)];
    const update = fetch(`${edgeUrl}/api/products/${sku}`, {
      method: 'PATCH',
      headers: { ...headers, 'content-type': 'application/json', 'if-match': '*' },
      body: JSON.stringify({ price: { amount: 100 + Math.floor(Math.random() * 1000), currency: 'EUR' } }),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        res.ok ? counts.committed++ : counts.failed++;
      })
      .catch(() => {
        counts.failed++;
      })
      .finally(() => pending.delete(update));
    pending.add(update);
  }, 1000 / perSecond);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return counts;
    },
  };
}

export async function run(ctx: BenchContext): Promise<void> {
  const log = createLogger({ service: 'bench' }, 'warn');
  const handle = connectBenchDatabase(ctx.databaseUrl, { max: 10, log });
  const core = createCoreApp({
    db: handle.db,
    log,
    services: serviceNames,
    maxBodyBytes: 1 << 20,
    auth: authSettingsFrom(config()),
  });
  const coreServer = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: core.fetch });
  const pgAddress = new URL(ctx.databaseUrl);
  const proxy = startWsProxy({ port: 0, allowed: [`127.0.0.1:${pgAddress.port}`], log });
  const edgePort = await freePort();
  const edgeInspector = await freePort();
  const secret = `bench-${crypto.randomUUID()}`;
  const jobs = await startJobs({
    databaseUrl: ctx.databaseUrl,
    concurrency: 2,
    log,
    cron: false,
    edge: { url: `http://127.0.0.1:${edgePort}`, secret },
  });
  ctx.progress('catalog: starting our worker and a bare Hono worker (wrangler dev)');
  const [edge, bare] = await Promise.all([
    startWrangler({
      port: edgePort,
      inspectorPort: edgeInspector,
      minify: process.env.EDGE_PROFILE ? false : undefined,
      // Fresh Durable Object and cache state: entries from an earlier run's database must not answer.
      persistTo: join(ctx.workDir, 'wrangler-state'),
      vars: {
        CORE_URL: `http://127.0.0.1:${coreServer.port}`,
        DATABASE_URL: ctx.databaseUrl,
        NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`,
        LOG_LEVEL: 'warn',
        INTERNAL_SECRET: secret,
      },
    }),
    startWrangler({
      port: await freePort(),
      inspectorPort: await freePort(),
      vars: {},
      configPath: join(import.meta.dir, 'bare-worker', 'wrangler.toml'),
    }),
  ]);

  try {
    const headers = await adminAuthorization(edge.url);
    const list = await fetch(`${edge.url}/api/products?limit=1`, { headers });
    const sku = ((await list.json()) as { items: { sku: string }[] }).items[0]?.sku;
    if (!sku) throw new Error('the bench database has no products; the seed should have made some');
    const path = `/api/products/${sku}`;
    const c = 16;
    const s = ctx.seconds;
    // CPU by part of the stack while each phase ran, per request (not the load generator's,
    // whose process is gone by the second snapshot).
    const cpu: [name: string, total: string, parts: string][] = [];
    const timed = async (name: string, run: () => Promise<LoadResult>) => {
      const before = cpuSnapshot();
      const profiling = process.env.EDGE_PROFILE === name ? await profileEdge(edgeInspector) : undefined;
      const r = await run();
      if (profiling) ctx.progress(`edge profile, ${name}:\n${(await profiling.stop()).join('\n')}`);
      const parts = cpuBetween(before, cpuSnapshot());
      const total = parts.reduce((n, [, sec]) => n + sec, 0);
      const per = (sec: number) => ((sec * 1000) / Math.max(r.requests, 1)).toFixed(2);
      cpu.push([name, per(total), parts.map(([part, sec]) => `${part} ${per(sec)}`).join(', ')]);
      return r;
    };

    ctx.progress('catalog: warming up');
    await measure(`${edge.url}${path}`, c, 1, headers);
    await measure(`${bare.url}${path}`, c, 1);
    ctx.progress(`catalog: bare Hono on workerd, ${c} connections, ${s} s`);
    const ref = await timed('bare', () => measure(`${bare.url}${path}`, c, s));
    ctx.progress(`catalog: cached product reads at the edge, ${c} connections, ${s} s`);
    const cached = await timed('cached', () => measure(`${edge.url}${path}`, c, s, headers));
    // Each read a product no one read before (a query string would not miss: the key ignores it).
    await unreadProducts(handle.pool, ['BENCH-UNREAD-A-', 'BENCH-UNREAD-B-']);
    const unread = (prefix: string) => `${edge.url}/api/products/${prefix}{n%${UNREAD_PER_PHASE}}`;
    ctx.progress(`catalog: uncached product reads (Neon driver -> Postgres), 1 connection, ${s} s`);
    const uncached1 = await timed('uncached, 1', () => measure(unread('BENCH-UNREAD-A-'), 1, s, headers));
    ctx.progress(`catalog: uncached product reads (Neon driver -> Postgres), 4 connections, ${s} s`);
    const uncached = await timed('uncached', () => measure(unread('BENCH-UNREAD-B-'), 4, s, headers));

    ctx.progress('catalog: reads over 50 products, without and with 10 updates a second');
    const skus = await benchProducts(edge.url, headers, 50);
    const mix = `${edge.url}/api/products/${CYCLE_PREFIX}{n%${skus.length}}`;
    await measure(mix, c, 1, headers);
    const quiet = await timed('50 products', () => measure(mix, c, s, headers));
    const updates = updatesPerSecond(edge.url, headers, skus, 10);
    const busy = await timed('50 products, 10 updates/s', () => measure(mix, c, s, headers));
    const updated = await updates.stop();

    ctx.progress('catalog: freshness after 10 updates');
    const freshness: number[] = [];
    for (let i = 0; i < 10; i++) {
      const current = await fetch(`${edge.url}${path}`, { headers });
      const etag = current.headers.get('etag') ?? '*';
      await current.arrayBuffer();
      const patched = await fetch(`http://127.0.0.1:${coreServer.port}${path}`, {
        method: 'PATCH',
        headers: { ...headers, 'content-type': 'application/json', 'if-match': etag },
        body: JSON.stringify({ description: `bench ${i} ${Date.now()}` }),
      });
      if (!patched.ok)
        throw new Error(
          `bench PATCH ${i} failed: ${patched.status} (If-Match ${etag}) ${await patched.text()}`,
        );
      const version = ((await patched.json()) as { version: number }).version;
      const started = performance.now();
      for (;;) {
        const res = await fetch(`${edge.url}${path}`, { headers });
        const body = (await res.json()) as { version: number };
        if (body.version >= version) break;
        if (performance.now() - started > 10_000) throw new Error('the edge never saw the update');
        await Bun.sleep(5);
      }
      freshness.push(performance.now() - started);
    }
    freshness.sort((a, b) => a - b);

    const row = (name: string, r: { rps: number; p50Ms: number; p99Ms: number; errors: number }) =>
      ctx.report(
        name,
        `${r.rps.toFixed(0)} req/s`,
        `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.errors}`,
      );
    row('bare Hono on workerd (reference)', ref);
    row('edge cached product read', cached);
    row('edge uncached product read, 1 connection', uncached1);
    row('edge uncached product read, 4 connections', uncached);
    row('edge reads over 50 products, no updates', quiet);
    row('edge reads over 50 products, 10 updates/s', busy);
    ctx.report('ratio cached / bare', (cached.rps / ref.rps).toFixed(2), 'goal >= 0.95');
    ctx.report(
      'uncached read p50, 4 connections',
      `${uncached.p50Ms} ms`,
      `goal <= 15 ms locally; 1 connection ${uncached1.p50Ms} ms; misses ${uncached1.misses + uncached.misses} of ${uncached1.requests + uncached.requests}`,
    );
    ctx.report(
      'ratio reads with 10 updates/s / without',
      (busy.rps / quiet.rps).toFixed(2),
      `goal >= 0.8; ${updated.committed} updates committed, ${updated.failed} failed; cache misses ${quiet.misses} without, ${busy.misses} with`,
    );
    for (const [name, total, parts] of cpu) ctx.report(`CPU ms per read, ${name}`, total, parts);
    ctx.report(
      'edge freshness after PATCH',
      `${Math.round(freshness[4] ?? Number.NaN)} ms`,
      `median of 10; max ${Math.round(freshness.at(-1) ?? Number.NaN)} ms (goal < 1000 ms)`,
    );
  } finally {
    await Promise.all([edge.stop(), bare.stop()]);
    proxy.stop(true);
    await jobs.stop();
    coreServer.stop(true);
    await handle.close();
  }
}
