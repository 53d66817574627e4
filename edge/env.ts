import type { z } from 'zod';
import { parseEnv } from '../core/platform/env.ts';
import type { RequestEnv } from '../core/platform/http.ts';
import { createLogger, type Logger, type LogLevel, type LogSink } from '../core/platform/logger.ts';
import { Tracer } from '../core/platform/tracing.ts';
import type { ServiceName } from '../core/services.ts';
import { edgeConfigSchema } from './env-schema.ts';

/**
 * The worker's bindings: what wrangler.toml declares, typed by `wrangler types` (`Env`, in
 * edge/worker-configuration.d.ts: `bun run edge:types` after changing wrangler.toml), and the
 * variables it cannot see there (secrets, `wrangler dev --env-file` overrides), named by the
 * configuration schema. edgeConfig parses all of them.
 */
export type EdgeBindings = Env & { [variable in keyof z.input<typeof edgeConfigSchema>]?: string };

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

/**
 * What every edge handler sees: the request's id and logger, the worker's bindings, and the core
 * service the gateway forwarded the request to (which then logs it).
 */
export type EdgeEnv = RequestEnv & { Bindings: EdgeBindings; Variables: { forwardedTo?: ServiceName } };

/** The Durable Object that holds one warehouse's live room. */
export const warehouseRoom = (env: EdgeBindings, warehouseId: string) =>
  env.WAREHOUSE_ROOMS.get(env.WAREHOUSE_ROOMS.idFromName(warehouseId));

/**
 * Each level through its own console method: workerd tags a line with the method's level, and
 * `wrangler dev` shows console.info/warn/error at its --log-level info but drops console.log.
 */
const consoleByLevel: LogSink = (line, level) => console[level](line);

const loggers = new Map<LogLevel, Logger>();
/** The edge logger at a given level (one per level, shared by the isolate). */
export function edgeLoggerAt(level: LogLevel): Logger {
  const known = loggers.get(level);
  if (known) return known;
  const log = createLogger({ service: 'edge' }, level, consoleByLevel);
  loggers.set(level, log);
  return log;
}

/** The edge logger at the configured LOG_LEVEL (bindings are only known per request). */
export function edgeLogger(env: EdgeBindings): Logger {
  return edgeLoggerAt(edgeConfig(env).LOG_LEVEL);
}

let tracerOf: { endpoint: string; tracer: Tracer } | undefined;
/**
 * The isolate's tracer when OTEL_EXPORTER_OTLP_ENDPOINT is set (its spans are sent at the end of
 * each request, in waitUntil); undefined otherwise.
 */
export function edgeTracer(env: EdgeBindings): Tracer | undefined {
  const endpoint = edgeConfig(env).OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  if (tracerOf?.endpoint !== endpoint) {
    const log = edgeLogger(env);
    const tracer = new Tracer({
      endpoint,
      service: 'varastokkr-edge',
      onExportError: (err) =>
        log.warn('traces: the OTLP collector did not take spans; dropping them', { err }),
    });
    tracerOf = { endpoint, tracer };
  }
  return tracerOf.tracer;
}
