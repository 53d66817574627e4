import type { z } from 'zod';
import { parseEnv } from '../core/platform/env.ts';
import type { RequestEnv } from '../core/platform/http.ts';
import { createLogger, type Logger } from '../core/platform/logger.ts';
import type { ServiceName } from '../core/services.ts';
import type { CatalogGeneration } from './catalog-generation.ts';
import { edgeConfigSchema } from './env-schema.ts';
import type { WarehouseStockRoom } from './warehouse-stock-room.ts';

/** The worker's bindings as wrangler.toml and `wrangler dev --env-file` provide them. */
export interface EdgeBindings {
  ASSETS: Fetcher;
  WAREHOUSE_ROOMS: DurableObjectNamespace<WarehouseStockRoom>;
  CATALOG_GENERATION: DurableObjectNamespace<CatalogGeneration>;
  [variable: string]: unknown;
}

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;

let cached: { source: EdgeBindings; config: EdgeConfig } | undefined;

/** The edge configuration, parsed once per isolate from its bindings. */
export function edgeConfig(env: EdgeBindings): EdgeConfig {
  if (cached?.source !== env) cached = { source: env, config: parseEnv(edgeConfigSchema, env) };
  return cached.config;
}

/** The base URL of the process that runs a service. */
export function serviceUrl(cfg: EdgeConfig, service: ServiceName): string {
  return cfg[`CORE_URL_${service.toUpperCase() as Uppercase<ServiceName>}`] ?? cfg.CORE_URL;
}

/** What every edge handler sees: the request's id and logger, and the worker's bindings. */
export type EdgeEnv = RequestEnv & { Bindings: EdgeBindings };

/** The Durable Object that holds one warehouse's live room. */
export const warehouseRoom = (env: EdgeBindings, warehouseId: string) =>
  env.WAREHOUSE_ROOMS.get(env.WAREHOUSE_ROOMS.idFromName(warehouseId));

const loggers = new Map<string, Logger>();
/** The edge logger at the configured LOG_LEVEL (bindings are only known per request). */
export function edgeLogger(env: EdgeBindings): Logger {
  const level = edgeConfig(env).LOG_LEVEL;
  const known = loggers.get(level);
  if (known) return known;
  const log = createLogger({ service: 'edge' }, level);
  loggers.set(level, log);
  return log;
}
