/**
 * Core as the benchmarks run it: the whole app in this process on a free port, with the pool
 * size core/main.ts opens (DB_POOL_MAX), its catalog listener, and the WebSocket proxy the edge's
 * Neon driver needs.
 */

import type pg from 'pg';
import { createCoreApp } from '../core/app.ts';
import { productRefListenerFor } from '../core/catalog/product-ref-listener.ts';
import { authSettingsFrom } from '../core/identity/settings.ts';
import { config } from '../core/platform/config.ts';
import { connectDatabase, type DatabaseHandle } from '../core/platform/database.ts';
import type { Logger } from '../core/platform/logger.ts';
import { serviceNames } from '../core/services.ts';
import { startWsProxy } from '../edge/local/ws-proxy.ts';

/**
 * A pool whose close() resolves once every connection has really ended. pg's pool.end() resolves
 * when it has asked each client to end, not when they have; the bench runner stops Postgres
 * right after, which then terminated every connection still closing, and each one's error was
 * logged: a warning per pooled connection on every shutdown.
 */
export function connectBenchDatabase(
  url: string,
  opts: Parameters<typeof connectDatabase>[1],
): DatabaseHandle {
  const handle = connectDatabase(url, opts);
  const open = new Set<pg.PoolClient>();
  handle.pool.on('connect', (client) => open.add(client));
  handle.pool.on('remove', (client) => open.delete(client));
  return {
    ...handle,
    close: async () => {
      const ended = new Promise<void>((resolve) => {
        const check = () => {
          if (open.size > 0) return;
          handle.pool.off('remove', check);
          resolve();
        };
        handle.pool.on('remove', check);
        check();
      });
      await handle.close();
      await ended;
    },
  };
}

/**
 * `edgeSigningSecret`: core believes the edge's signed client address, as under `bun run dev`
 * (which sets EDGE_SIGNING_SECRET on both); unsigned calls are still answered.
 */
export function startBenchCore(databaseUrl: string, log: Logger, opts: { edgeSigningSecret?: string } = {}) {
  const cfg = config();
  const handle = connectBenchDatabase(databaseUrl, { max: cfg.DB_POOL_MAX, log });
  const app = createCoreApp({
    db: handle.db,
    log,
    services: serviceNames,
    maxBodyBytes: 1 << 20,
    auth: authSettingsFrom(cfg),
    edgeTrust: { secrets: [opts.edgeSigningSecret], required: false },
  });
  const catalogListener = productRefListenerFor({
    services: serviceNames,
    // The bench's own database: a URL from a developer's .env would point elsewhere; only `off` counts.
    listenUrl: cfg.DATABASE_LISTEN_URL === 'off' ? 'off' : undefined,
    databaseUrl,
    client: handle.db.$client,
    log,
  });
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: app.fetch });
  const proxy = startWsProxy({ port: 0, allowed: [`127.0.0.1:${new URL(databaseUrl).port}`], log });
  return {
    handle,
    url: `http://127.0.0.1:${server.port}`,
    proxy,
    async stop() {
      proxy.stop(true);
      server.stop(true);
      await catalogListener?.stop();
      await handle.close();
    },
  };
}

/** Signs in as the bench database's seeded admin: the header for requests that need a caller. */
export async function adminAuthorization(baseUrl: string): Promise<Record<string, string>> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@example.com', password: 'admin-dev-password' }),
  });
  if (!res.ok) throw new Error(`bench login failed: ${res.status} ${await res.text()}`);
  return { authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}` };
}
