/**
 * The edge's configuration schema, apart from its bindings' types (edge/env.ts), so Bun-side
 * tests can parse with it without the Durable Object classes.
 */
import { z } from 'zod';
import { type ProductionSecret, refuseDevelopmentSecrets } from '../core/platform/env.ts';
import { type ServiceName, serviceNames } from '../core/services.ts';

const serviceUrlOverrides = Object.fromEntries(
  serviceNames.map((s) => [
    `CORE_URL_${s.toUpperCase()}`,
    z.url().optional().describe(`Where the ${s} service answers, when not at CORE_URL (a split deployment).`),
  ]),
) as Record<`CORE_URL_${Uppercase<ServiceName>}`, z.ZodOptional<z.ZodURL>>;

const environment = z.enum(['development', 'test', 'production']);

/**
 * The Angular dashboard's dev server (`ng serve`, port 4200), by both names a browser may give
 * it: the one page a developer runs on another origin than the edge. The edge itself serves the
 * built dashboard and /docs on its own origin, which needs no CORS.
 */
export const devCorsOrigins: readonly string[] = ['http://localhost:4200', 'http://127.0.0.1:4200'];

/** An origin exactly as a browser sends it: scheme://host[:port], lower case, nothing after. */
function isOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  const wildcard = url.hostname.includes('*'); // a valid URL, but no browser sends it as its origin
  return (url.protocol === 'http:' || url.protocol === 'https:') && !wildcard && url.origin === value;
}

const corsOrigins = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z.string().refine(isOrigin, {
        error: (issue) =>
          `${String(issue.input)} is not an origin: write scheme://host[:port] exactly, with no path, wildcard or trailing slash`,
      }),
    ),
  );

/**
 * What a production edge (ENVIRONMENT or NODE_ENV = production) refuses to serve without: each
 * request fails (500, the variable named in the log) until they are set with `wrangler secret put`.
 */
export const edgeProductionSecrets: readonly ProductionSecret[] = [
  {
    name: 'DATABASE_URL',
    fix: "the edge's read-only login (a member of varastokkr_edge), not core's database user",
  },
  {
    name: 'INTERNAL_SECRET',
    fix: "at least 32 random characters, the same as the jobs runner's EDGE_INTERNAL_SECRET",
  },
  {
    name: 'EDGE_SIGNING_SECRET',
    fix: "at least 32 random characters, the same as core's EDGE_SIGNING_SECRET",
  },
];

const edgeConfigFields = z.object({
  /** wrangler.toml says production; `bun run dev` and the tests say development. */
  ENVIRONMENT: environment.optional(),
  /** Read like ENVIRONMENT: production if either says so. */
  NODE_ENV: environment.optional(),
  /** Set in wrangler.toml [vars]; `bun run dev` and the tests override it. */
  CORE_URL: z.url(),
  ...serviceUrlOverrides,
  /** The edge's read-only database login (a member of varastokkr_edge); a secret in production. */
  DATABASE_URL: z.url().optional(),
  /** host:port/path of a WebSocket-to-TCP proxy for the Neon driver (local dev and tests only). */
  NEON_WS_PROXY: z.string().optional(),
  /** Set in wrangler.toml [vars], the same values as core's JWT_ISSUER and JWT_AUDIENCE. */
  JWT_ISSUER: z.string().min(1),
  /** Set in wrangler.toml [vars], the same value as core's JWT_AUDIENCE. */
  JWT_AUDIENCE: z.string().min(1),
  /** How long the gateway waits for core before answering 504. */
  GATEWAY_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** Bodies declared larger than this get 413 at the edge (core's MAX_BODY_BYTES; the same default). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** The least severe log level written (JSON lines, one console method per level). */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Shared with the jobs runner (EDGE_INTERNAL_SECRET): authenticates calls to /internal/*. */
  INTERNAL_SECRET: z.string().min(32).optional(),
  /** Shared with core: signs what the gateway forwards, so core can believe the client address. */
  EDGE_SIGNING_SECRET: z.string().min(32).optional(),
  /**
   * Browser origins allowed to call the API from another site (CORS), comma-separated exact
   * origins such as https://shop.example.com,https://admin.example.com (no wildcards). Unset:
   * none in production; in development and test the dashboard's dev server,
   * http://localhost:4200 and http://127.0.0.1:4200. Any other origin's preflight gets 403.
   */
  CORS_ALLOWED_ORIGINS: corsOrigins.optional(),
  /**
   * An OpenTelemetry collector's OTLP/HTTP base URL (e.g. http://otel-collector:4318): spans go
   * to its /v1/traces as JSON. Unset: no spans are built; logs still carry trace ids.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});

export const edgeConfigSchema = edgeConfigFields.superRefine(
  refuseDevelopmentSecrets<z.infer<typeof edgeConfigFields>>(
    (cfg) => cfg.ENVIRONMENT === 'production' || cfg.NODE_ENV === 'production',
    edgeProductionSecrets,
  ),
);

/** The browser origins this edge allows (CORS): the configured list, or the environment's default. */
export function allowedOrigins(
  cfg: Pick<z.infer<typeof edgeConfigSchema>, 'CORS_ALLOWED_ORIGINS' | 'ENVIRONMENT' | 'NODE_ENV'>,
): readonly string[] {
  if (cfg.CORS_ALLOWED_ORIGINS) return cfg.CORS_ALLOWED_ORIGINS;
  const production = cfg.ENVIRONMENT === 'production' || cfg.NODE_ENV === 'production';
  const development = cfg.ENVIRONMENT !== undefined || cfg.NODE_ENV !== undefined;
  // Neither variable set is not known to be a development machine either: no origins.
  return !production && development ? devCorsOrigins : [];
}
