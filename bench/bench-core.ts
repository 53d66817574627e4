/**
 * Core as the benchmarks run it: the whole app in this process on a free port, with the pool
 * size core/main.ts opens (DB_POOL_MAX), and the WebSocket proxy the edge's Neon driver needs.
 */
import { createCoreApp } from '../core/app.ts';
import { authSettingsFrom } from '../core/identity/settings.ts';
import { config } from '../core/platform/config.ts';
import { connectDatabase } from '../core/platform/database.ts';
import type { Logger } from '../core/platform/logger.ts';
import { serviceNames } from '../core/services.ts';
import { startWsProxy } from '../edge/local/ws-proxy.ts';

export function startBenchCore(databaseUrl: string, log: Logger) {
  const cfg = config();
  const handle = connectDatabase(databaseUrl, { max: cfg.DB_POOL_MAX, log });
  const app = createCoreApp({
    db: handle.db,
    log,
    services: serviceNames,
    maxBodyBytes: 1 << 20,
    auth: authSettingsFrom(cfg),
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
      await handle.close();
    },
  };
}
