import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, type ProductionSecret, parseEnv, refuseDevelopmentSecrets } from './env.ts';

/**
 * The one configuration loader for every Bun process (core, jobs, dev, db scripts, bench).
 * Read once at start; an invalid value stops the process with a message naming the variable.
 * The edge parses its bindings with the same `parseEnv` (see edge/env.ts).
 */

/** A port derived from the checkout path, so two checkouts on one machine do not collide. */
export function checkoutPort(base: number, span: number, root = process.cwd()): number {
  const digest = createHash('sha256').update(root).digest();
  return base + (digest.readUInt16BE(0) % span);
}

const port = z.coerce.number().int().min(1).max(65535);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const aes256Key = z
  .string()
  .regex(/^[A-Za-z0-9+/]{43}=$/, 'the base64 of 32 random bytes (openssl rand -base64 32)');

/** The seeded admin's password when ADMIN_PASSWORD is unset (development only). */
export const DEV_ADMIN_PASSWORD = 'admin-dev-password';

const randomSecretHint = 'a random value of at least 32 characters (`openssl rand -base64 48`)';

/**
 * What NODE_ENV=production refuses to start without, for every Bun process (core, jobs, seed):
 * each must be set and must not be its development default. A new secret is one line here.
 */
export const productionSecrets: readonly ProductionSecret[] = [
  {
    name: 'DATABASE_URL',
    fix: 'point it at your Postgres (production never starts an embedded, superuser Postgres)',
  },
  {
    name: 'ADMIN_PASSWORD',
    devDefault: DEV_ADMIN_PASSWORD,
    fix: 'set a password of your own (at least 12 characters) for the seeded admin',
  },
  {
    name: 'CORE_INTERNAL_SECRET',
    fix: `${randomSecretHint}, the same in every core process`,
  },
  {
    name: 'EDGE_INTERNAL_SECRET',
    fix: `${randomSecretHint}, the same as the edge's INTERNAL_SECRET`,
  },
  {
    name: 'EDGE_SIGNING_SECRET',
    fix: `${randomSecretHint}, the same as the edge's EDGE_SIGNING_SECRET`,
  },
  {
    name: 'SIGNING_KEY_ENCRYPTION_KEY',
    fix: 'the base64 of 32 random bytes (`openssl rand -base64 32`), the same in core and jobs; it encrypts the JWT signing keys at rest',
  },
];

const configFields = z.object({
  /** development, test or production; production refuses development secrets (see productionSecrets). */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Core's Postgres. Unset: `bun run dev` and the db scripts run an embedded Postgres under DATA_DIR. */
  DATABASE_URL: z.url().optional(),
  /**
   * Where core LISTENs for catalog changes, so it keeps the product refs orders look up between
   * orders: the same database as DATABASE_URL, reached directly (not through a transaction-mode
   * pooler). Unset: DATABASE_URL. `off`: refs are read on every order.
   */
  DATABASE_LISTEN_URL: z.union([z.url(), z.literal('off')]).optional(),
  /** Where the embedded Postgres keeps its data between runs. */
  DATA_DIR: z.string().default('.data'),
  /** The embedded Postgres's port; by default derived from the checkout's path (15400-15899), so two checkouts do not collide. */
  EMBEDDED_PG_PORT: port.default(checkoutPort(15400, 500)),
  /** The address core listens on, and where the local edge reaches it. */
  CORE_HOST: z.string().default('127.0.0.1'),
  /** Core's HTTP port. */
  CORE_PORT: port.default(8788),
  /** The edge worker's port under `bun run dev`: the URL clients use. */
  EDGE_PORT: port.default(8787),
  /** The local WebSocket-to-Postgres proxy the edge's database driver uses under `bun run dev`. */
  WS_PROXY_PORT: port.default(8789),
  /** The least severe log level written (JSON lines). */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Request bodies larger than this get 413 (the edge's MAX_BODY_BYTES should match). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Where the jobs runner reaches the edge worker (to purge its catalog cache). */
  EDGE_URL: z.url().optional(),
  /** Shared with the edge as INTERNAL_SECRET; authenticates the jobs runner's calls to /internal/*. */
  EDGE_INTERNAL_SECRET: z.string().min(32).optional(),
  /** Where inventory answers when this process runs without it (`--service orders`). */
  INVENTORY_URL: z.url().optional(),
  /** Shared by core processes; authenticates their calls to each other's /internal/*. */
  CORE_INTERNAL_SECRET: z.string().min(32).optional(),
  /**
   * Shared with the edge: it signs every request it forwards (method, path, time, client
   * address). Core believes a client address only from a validly signed request, and in
   * production refuses unsigned /api/* calls (see core/platform/edge-signature.ts).
   */
  EDGE_SIGNING_SECRET: z.string().min(32).optional(),
  /**
   * While rotating EDGE_SIGNING_SECRET: the old value, still accepted from edges not yet on the
   * new one. Remove it once the edge signs with the new secret.
   */
  EDGE_SIGNING_SECRET_PREVIOUS: z.string().min(32).optional(),
  /** The largest CSV file a product import accepts. */
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  /** Postgres connections per process. */
  DB_POOL_MAX: z.coerce.number().int().positive().default(20),
  /** Jobs the jobs runner works on at once. */
  JOBS_CONCURRENCY: z.coerce.number().int().positive().default(4),
  /**
   * The jobs runner's own /healthz (for a container's HEALTHCHECK or a liveness probe): 200 while
   * its runners run. Unset: no HTTP server in the jobs process.
   */
  JOBS_HEALTH_PORT: port.optional(),
  /** The address of the jobs runner's /healthz (0.0.0.0 in a container). */
  JOBS_HEALTH_HOST: z.string().default('127.0.0.1'),
  /** A job worker silent this long is dead: its locked jobs are unlocked for others. */
  JOBS_DEAD_WORKER_SECONDS: z.coerce.number().int().min(2).default(60),
  /** How long published events stay in the archive. */
  EVENT_ARCHIVE_DAYS: z.coerce.number().int().positive().default(30),
  /**
   * A MongoDB to copy the event archive and the audit log to (mongodb:// or mongodb+srv://);
   * unset, nothing is copied. Postgres stays the source of truth: the copy is for reporting.
   */
  MONGODB_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, 'a MongoDB connection string (mongodb://… or mongodb+srv://…)')
    .optional(),
  /** The database the copy goes to in MONGODB_URL's server. */
  MONGODB_DATABASE: z.string().min(1).default('varastokkr'),
  /** How long MongoDB keeps copied events (a TTL index on occurredAt); audit entries stay. */
  MONGODB_EVENT_TTL_DAYS: z.coerce.number().int().positive().default(365),
  /** How long a job that failed for good stays listed in GET /api/jobs (and retryable). */
  FAILED_JOB_DAYS: z.coerce.number().int().positive().default(14),
  /** The admin account the seed creates. */
  ADMIN_EMAIL: z.email().default('admin@example.com'),
  /** The seeded admin's password (at least 12 characters); the development default is refused in production. */
  ADMIN_PASSWORD: z.string().min(12).default(DEV_ADMIN_PASSWORD),
  /** Whether `bun run dev` seeds the demo warehouses, products and stock. */
  SEED_DEMO_DATA: flag.default(true),
  /** The `iss` of the access tokens core signs; the edge's JWT_ISSUER must be the same. */
  JWT_ISSUER: z.string().min(1).default('varastokkr'),
  /** The `aud` of the access tokens core signs; the edge's JWT_AUDIENCE must be the same. */
  JWT_AUDIENCE: z.string().min(1).default('varastokkr-api'),
  /** How long an access token is valid. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /** How long a refresh token is valid. */
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** A just-used refresh token still works this long (two tabs refreshing at once) before reuse counts as theft. */
  REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
  /** How often the JWT signing key is replaced. */
  SIGNING_KEY_ROTATION_DAYS: z.coerce.number().int().min(1).default(30),
  /** How long a new signing key is published (JWKS) before tokens are signed with it. */
  SIGNING_KEY_PUBLISH_LEAD_SECONDS: z.coerce.number().int().min(60).default(3600),
  /** The shortest password a user may set. */
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  /** Password hashes computed at once (each is deliberately slow). */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Sign-ins that may wait for a hashing slot; more get 503. */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).default(64),
  /** The window the sign-in failure limits count over. */
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Failed sign-ins per account from one client address, per window: the hard limit. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  /** Failed sign-ins from one client address, to any account, per window. */
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(30),
  /** Threads drawing labels and sheets (off the request loop), and renders that may wait for one. */
  LABEL_RENDER_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
  /** Label renders that may wait for a worker thread; more get 503. */
  LABEL_RENDER_QUEUE: z.coerce.number().int().min(0).default(8),
  /** Units one caller (a user or an API key) may hold at once in its pending orders, by role. */
  PENDING_HOLD_MAX_UNITS_PARTNER: z.coerce.number().int().min(0).default(1000),
  /** The same for staff (admin, manager, clerk). */
  PENDING_HOLD_MAX_UNITS_STAFF: z.coerce.number().int().min(0).default(100_000),
  /** How far ahead a pending order's reservationExpiresAt may be, in hours, by role (30 days at most). */
  PENDING_HOLD_MAX_HOURS_PARTNER: z.coerce.number().int().min(1).max(720).default(24),
  /** The same for staff (admin, manager, clerk). */
  PENDING_HOLD_MAX_HOURS_STAFF: z.coerce.number().int().min(1).max(720).default(720),
  /** A requested transfer not shipped by then is cancelled and its stock released (default expiresAt). */
  TRANSFER_EXPIRY_HOURS: z.coerce.number().int().min(1).max(720).default(168),
  /** Failed sign-ins per account from all addresses together, per window (the distributed bound). */
  LOGIN_MAX_FAILURES_PER_ACCOUNT_TOTAL: z.coerce.number().int().min(1).default(100),
  /** Account-wide failures after which each further attempt waits, 1 s doubling up to the maximum. */
  LOGIN_DELAY_AFTER_FAILURES: z.coerce.number().int().min(1).default(10),
  /** The longest such wait. */
  LOGIN_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).default(60),
  /** An address that signed in to an account is spared the account-wide limits for this long. */
  LOGIN_KNOWN_ADDRESS_DAYS: z.coerce.number().int().min(1).default(30),
  /**
   * Encrypts the JWT signing keys at rest (AES-256-GCM). Required in production; development and
   * tests fall back to a fixed, public key so that `bun run dev` needs no setup.
   */
  SIGNING_KEY_ENCRYPTION_KEY: aes256Key.optional(),
  /** The key before a rotation: still decrypts; rows under it are re-encrypted on start. */
  SIGNING_KEY_ENCRYPTION_KEY_PREVIOUS: aes256Key.optional(),
  /**
   * Whether webhooks may be sent to loopback, private, link-local and metadata addresses, and
   * over plain http. Unset: allowed in development and tests (local receivers), refused in production.
   */
  WEBHOOK_ALLOW_PRIVATE_URLS: flag.optional(),
  /** How long a webhook receiver has to answer before the attempt counts as failed. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** The first retry of a failed webhook delivery waits about this long; each further one doubles it (with jitter). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5_000),
  /** The longest wait between two attempts of one delivery. */
  WEBHOOK_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).default(3_600_000),
  /** A subscription failing this long is disabled (and a delivery is retried at most this long). */
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().min(0.0001).default(120),
  /**
   * Webhook attempts the jobs runner sends at once, in slots of their own (a receiver that never
   * answers holds one of these for WEBHOOK_TIMEOUT_MS, never a slot of the other jobs).
   */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().positive().max(256).default(16),
  /** After a secret rotation, the old secret also signs for this long. */
  WEBHOOK_SECRET_GRACE_HOURS: z.coerce.number().min(0).default(24),
  /**
   * Set: webhook deliveries are published through Upstash QStash (its retries and dead-letter
   * queue) instead of being sent by the jobs runner; its callbacks feed the delivery log. Needs
   * QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY and WEBHOOK_CALLBACK_BASE_URL too.
   */
  QSTASH_TOKEN: z.string().min(1).optional(),
  /** QStash's API; unset: https://qstash.upstash.io (tests point it at a local server). */
  QSTASH_URL: z.url().optional(),
  /** The key QStash signs its callbacks with now (Upstash console, QStash, Signing keys). */
  QSTASH_CURRENT_SIGNING_KEY: z.string().min(1).optional(),
  /** The key QStash signs with after its next key rotation; also accepted. */
  QSTASH_NEXT_SIGNING_KEY: z.string().min(1).optional(),
  /**
   * How often QStash retries a delivery the receiver did not accept (its plan caps it), within
   * the five minutes receivers accept a signature's timestamp; then we publish it again, signed afresh.
   */
  QSTASH_RETRIES: z.coerce.number().int().min(0).max(7).default(5),
  /**
   * The public URL QStash calls back on with each attempt's result (the edge's, e.g.
   * https://api.example.com): /api/webhooks/qstash/callback is appended. Required with QSTASH_TOKEN.
   */
  WEBHOOK_CALLBACK_BASE_URL: z.url().optional(),
  /**
   * The bearer token Prometheus scrapes GET /metrics with (core, and the jobs runner's
   * JOBS_HEALTH_PORT). Unset: /metrics answers anyone in development and 403 in production.
   */
  METRICS_TOKEN: z.string().min(32).optional(),
  /**
   * An OpenTelemetry collector's OTLP/HTTP base URL (e.g. http://otel-collector:4318): spans go
   * to its /v1/traces as JSON. Unset: no spans are built; logs still carry trace ids.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
});

/** With QSTASH_TOKEN, what else publishing through QStash and believing its callbacks needs. */
const qstashNeeds = [
  'QSTASH_CURRENT_SIGNING_KEY',
  'QSTASH_NEXT_SIGNING_KEY',
  'WEBHOOK_CALLBACK_BASE_URL',
] as const;

/** Refuses a partial QStash configuration, naming what is missing (or QSTASH_TOKEN itself). */
function refusePartialQStash(cfg: z.infer<typeof configFields>, ctx: z.RefinementCtx) {
  const missing = qstashNeeds.filter((name) => cfg[name] === undefined);
  if (cfg.QSTASH_TOKEN !== undefined) {
    for (const name of missing)
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: `is required when QSTASH_TOKEN is set (webhooks go through QStash): ${qstashFix[name]}`,
      });
    return;
  }
  const present = [...qstashNeeds, 'QSTASH_URL' as const].filter((name) => cfg[name] !== undefined);
  if (present.length > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['QSTASH_TOKEN'],
      message: `is missing while ${present.join(', ')} ${present.length === 1 ? 'is' : 'are'} set: set QSTASH_TOKEN to send webhooks through QStash, or unset ${present.length === 1 ? 'it' : 'them'}`,
    });
}

const qstashFix: Record<(typeof qstashNeeds)[number], string> = {
  QSTASH_CURRENT_SIGNING_KEY: "QStash's current signing key (Upstash console, QStash, Signing keys)",
  QSTASH_NEXT_SIGNING_KEY: "QStash's next signing key (Upstash console, QStash, Signing keys)",
  WEBHOOK_CALLBACK_BASE_URL:
    'the public URL QStash reaches this API at (the edge), e.g. https://api.example.com',
};

export const configSchema = configFields
  .superRefine(
    refuseDevelopmentSecrets<z.infer<typeof configFields>>(
      (cfg) => cfg.NODE_ENV === 'production',
      productionSecrets,
    ),
  )
  .superRefine(refusePartialQStash);

export type Config = z.infer<typeof configSchema>;

/**
 * How much stock callers may tie up without buying it: pending orders (per caller and role) and
 * requested transfers. Staff means admin, manager and clerk; a caller with several roles gets
 * the most generous. Services read it from their request context (AppEnv `holds`).
 */
export interface HoldSettings {
  pendingMaxUnits: { partner: number; staff: number };
  pendingMaxHours: { partner: number; staff: number };
  transferExpiryHours: number;
}

export function holdSettingsFrom(cfg: Config): HoldSettings {
  return {
    pendingMaxUnits: { partner: cfg.PENDING_HOLD_MAX_UNITS_PARTNER, staff: cfg.PENDING_HOLD_MAX_UNITS_STAFF },
    pendingMaxHours: { partner: cfg.PENDING_HOLD_MAX_HOURS_PARTNER, staff: cfg.PENDING_HOLD_MAX_HOURS_STAFF },
    transferExpiryHours: cfg.TRANSFER_EXPIRY_HOURS,
  };
}

let loaded: Config | undefined;

/**
 * The process configuration, parsed from process.env on first use. An invalid one stops the
 * process (exit code 2) with the list of variables to fix, not a stack trace.
 */
export function config(): Config {
  try {
    loaded ??= parseEnv(configSchema, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  return loaded;
}
