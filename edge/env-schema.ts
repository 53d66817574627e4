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
});

export const edgeConfigSchema = edgeConfigFields.superRefine(
  refuseDevelopmentSecrets<z.infer<typeof edgeConfigFields>>(
    (cfg) => cfg.ENVIRONMENT === 'production' || cfg.NODE_ENV === 'production',
    edgeProductionSecrets,
  ),
);
