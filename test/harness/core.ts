import { afterAll, beforeAll } from 'bun:test';
import { createCoreApp } from '../../core/app.ts';
import type { LabelRenderer } from '../../core/catalog/label-rendering.ts';
import { type AuthSettings, authSettingsFrom } from '../../core/identity/settings.ts';
import type { InventoryClient } from '../../core/inventory/client.ts';
import { configSchema, type HoldSettings } from '../../core/platform/config.ts';
import type { Database } from '../../core/platform/database.ts';
import { edgeSignatureHeaders } from '../../core/platform/edge-signature.ts';
import { parseEnv } from '../../core/platform/env.ts';
import type { Tracer } from '../../core/platform/tracing.ts';
import { type ServiceName, serviceNames } from '../../core/services.ts';
import type { WebhookSettings } from '../../core/webhooks/settings.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { captureLogger } from './logs.ts';

export interface TestCore {
  url: string;
  database: TestDatabase;
  logs: Record<string, unknown>[];
  /** Requests core is still answering (a caller that hung up does not end its request). */
  inFlight(): number;
  stop(): Promise<void>;
}

export interface CoreServerOptions {
  db: Database;
  services?: readonly ServiceName[];
  maxBodyBytes?: number;
  auth?: Partial<AuthSettings>;
  inventory?: InventoryClient;
  internalSecret?: string;
  /** Refuse unsigned /api/* calls, as a production core does. */
  requireEdgeSignature?: boolean;
  labels?: LabelRenderer;
  holds?: HoldSettings;
  webhooks?: WebhookSettings;
  /** Exports a span per request (an in-process OTLP receiver's tracer). */
  tracer?: Tracer;
}

/** The METRICS_TOKEN of every test core: GET /metrics with it as a bearer token. */
export const TEST_METRICS_TOKEN = `test-metrics-${crypto.randomUUID()}`;

/** The EDGE_SIGNING_SECRET of every test core and test edge. */
export const TEST_EDGE_SIGNING_SECRET = `test-edge-signing-${crypto.randomUUID()}`;

/**
 * Headers that make a request to a test core come from `address`, signed as the edge signs
 * what it forwards (a bare X-Forwarded-For is not believed).
 */
export function fromAddress(address: string, method: string, pathAndQuery: string) {
  return edgeSignatureHeaders(TEST_EDGE_SIGNING_SECRET, { method, pathAndQuery, client: address });
}

/** The configured defaults (as `bun run dev` has them), with a test's overrides. */
export function testAuthSettings(overrides: Partial<AuthSettings> = {}): AuthSettings {
  return { ...authSettingsFrom(parseEnv(configSchema, {})), ...overrides };
}

/** A real core HTTP server (Bun.serve on a free port) over the given database. */
export function serveCore(opts: CoreServerOptions) {
  const { log, lines } = captureLogger({ service: 'core' });
  const app = createCoreApp({
    db: opts.db,
    log,
    services: opts.services ?? serviceNames,
    maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    auth: testAuthSettings(opts.auth),
    internalSecret: opts.internalSecret,
    edgeTrust: { secrets: [TEST_EDGE_SIGNING_SECRET], required: opts.requireEdgeSignature ?? false },
    metrics: { token: TEST_METRICS_TOKEN, production: false },
    ...(opts.holds ? { holds: opts.holds } : {}),
    ...(opts.webhooks ? { webhooks: opts.webhooks } : {}),
    ...(opts.inventory ? { inventory: opts.inventory } : {}),
    ...(opts.labels ? { labels: opts.labels } : {}),
    ...(opts.tracer ? { tracer: opts.tracer } : {}),
  });
  let inFlight = 0;
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    // The server goes along as Hono's env: core reads the peer address from it (getConnInfo).
    fetch: async (req, bunServer) => {
      inFlight++;
      try {
        return await app.fetch(req, bunServer);
      } finally {
        inFlight--;
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    logs: lines,
    inFlight: () => inFlight,
    stop: () => server.stop(true),
  };
}

/** This file's core: its own database and a server over it, for the file's tests. */
export function useCore(opts: Omit<CoreServerOptions, 'db'> = {}): () => TestCore {
  let core: TestCore | undefined;
  beforeAll(async () => {
    const database = await createTestDatabase('core');
    const server = serveCore({ ...opts, db: database.db });
    core = {
      ...server,
      database,
      stop: async () => {
        await server.stop();
        await database.drop();
      },
    };
  });
  afterAll(async () => {
    await core?.stop();
  });
  return () => {
    if (!core) throw new Error('useCore(): the core exists from beforeAll on');
    return core;
  };
}
