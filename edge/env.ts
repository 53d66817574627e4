import type { z } from 'zod';
import { parseEnv } from '../core/platform/env.ts';
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
