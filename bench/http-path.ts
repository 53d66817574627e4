/**
 * What our HTTP path costs over a bare one. Same runtime, same Postgres, same query:
 *   reference  a bare Hono handler on Bun running the list query with pg directly
 *   core       GET /api/warehouses through our core app (zod-openapi, drizzle, logging, problem mapping)
 *   edge       the same request through the edge worker in workerd, gateway to core
 *   ceiling    a static asset from wrangler dev, which puts its own local proxy in front of
 *              workerd: the most any local edge path can do here (production has no such hop)
 * and the SQL itself under pgbench, for scale. Prints each throughput and the ratios.
 */
import { Hono } from 'hono';
import { createCoreApp } from '../core/app.ts';
import { authSettingsFrom } from '../core/identity/settings.ts';
import { config } from '../core/platform/config.ts';
import { createLogger } from '../core/platform/logger.ts';
import { freePort } from '../core/platform/ports.ts';
import { serviceNames } from '../core/services.ts';
import { startWrangler } from '../edge/local/wrangler-dev.ts';
import { startWsProxy } from '../edge/local/ws-proxy.ts';
import { adminAuthorization, connectBenchDatabase } from './bench-core.ts';
import { measure } from './load.ts';
import { pgbench } from './postgres.ts';
import type { BenchContext } from './run.ts';

const LIST_SQL =
  'select id, code, name, timezone, created_at from inventory.warehouses order by code limit 11';

export async function run(ctx: BenchContext): Promise<void> {
  const log = createLogger({ service: 'bench' }, 'warn');
  const handle = connectBenchDatabase(ctx.databaseUrl, { max: 10, log });

  const bare = new Hono().get('/api/warehouses', async (c) => {
    const { rows } = await handle.pool.query(LIST_SQL);
    return c.json({ items: rows.slice(0, 10), nextCursor: null });
  });
  const bareServer = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: bare.fetch });
  const auth = authSettingsFrom(config());
  const core = createCoreApp({ db: handle.db, log, services: serviceNames, maxBodyBytes: 1 << 20, auth });
  const coreServer = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: core.fetch });

  const pgAddress = new URL(ctx.databaseUrl);
  const proxy = startWsProxy({ port: 0, allowed: [`127.0.0.1:${pgAddress.port}`], log });
  ctx.progress('http-path: starting the edge worker (wrangler dev)');
  const edge = await startWrangler({
    port: await freePort(),
    inspectorPort: await freePort(),
    vars: {
      CORE_URL: `http://127.0.0.1:${coreServer.port}`,
      DATABASE_URL: ctx.databaseUrl,
      NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`,
      LOG_LEVEL: 'warn',
    },
  });

  try {
    const path = '/api/warehouses?limit=10';
    const c = 16;
    const s = ctx.seconds;
    // The list needs a caller (the seeded admin's token, verified on every request, as users
    // call it); the bare reference checks none.
    const headers = await adminAuthorization(`http://127.0.0.1:${coreServer.port}`);
    ctx.progress(`http-path: warming up`);
    await measure(`http://127.0.0.1:${bareServer.port}${path}`, c, 1);
    await measure(`http://127.0.0.1:${coreServer.port}${path}`, c, 1, headers);
    await measure(`${edge.url}${path}`, c, 1, headers);
    ctx.progress(`http-path: bare Hono + pg, ${c} connections, ${s} s`);
    const ref = await measure(`http://127.0.0.1:${bareServer.port}${path}`, c, s);
    ctx.progress(`http-path: core, ${c} connections, ${s} s`);
    const ours = answered('core', await measure(`http://127.0.0.1:${coreServer.port}${path}`, c, s, headers));
    ctx.progress(`http-path: edge -> core, ${c} connections, ${s} s`);
    const viaEdge = answered('edge -> core', await measure(`${edge.url}${path}`, c, s, headers));
    ctx.progress(`http-path: wrangler dev static asset, ${c} connections, ${s} s`);
    const ceiling = await measure(`${edge.url}/`, c, s);

    const script = `${ctx.workDir}/list.sql`;
    await Bun.write(script, `${LIST_SQL};\n`);
    ctx.progress(`http-path: pgbench on the same query, 4 clients, ${s} s`);
    const sqlOnly = pgbench(ctx.databaseUrl, ['-n', '-f', script, '-c', '4', '-j', '2', '-T', String(s)]);

    const row = (name: string, r: { rps: number; p50Ms: number; p99Ms: number; errors: number }) =>
      ctx.report(
        name,
        `${r.rps.toFixed(0)} req/s`,
        `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, errors ${r.errors}`,
      );
    ctx.report('pgbench, the list query', `${sqlOnly.tps.toFixed(0)} tps`, `${sqlOnly.latencyMs} ms avg`);
    row('bare Hono + pg (reference)', ref);
    row('core GET /api/warehouses', ours);
    row('edge -> core', viaEdge);
    row('wrangler dev static asset', ceiling);
    ctx.report('ratio core / bare', (ours.rps / ref.rps).toFixed(2), 'our core stack vs the bare handler');
    ctx.report('ratio edge / core', (viaEdge.rps / ours.rps).toFixed(2), 'what the gateway hop costs');
    ctx.report(
      'ratio edge / asset ceiling',
      (viaEdge.rps / ceiling.rps).toFixed(2),
      'gateway vs wrangler dev max',
    );
    ctx.report('ratio core / pgbench', (ours.rps / sqlOnly.tps).toFixed(2), 'HTTP API vs raw SQL');
  } finally {
    await edge.stop();
    proxy.stop(true);
    bareServer.stop(true);
    coreServer.stop(true);
    await handle.close();
  }
}

/** A measurement of failing requests measures nothing: stop and say so. */
function answered<T extends { errors: number }>(name: string, r: T): T {
  if (r.errors > 0)
    throw new Error(`${name}: ${r.errors} requests failed; the figures would be about errors`);
  return r;
}
