import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthSettings } from '../../core/identity/settings.ts';
import { configSchema } from '../../core/platform/config.ts';
import { parseEnv } from '../../core/platform/env.ts';
import { freePort } from '../../core/platform/ports.ts';
import { startProcessTracer } from '../../core/platform/trace-context.ts';
import { type WebhookSettings, webhookSettingsFrom } from '../../core/webhooks/settings.ts';
import { startWrangler, type WranglerHandle } from '../../edge/local/wrangler-dev.ts';
import { startWsProxy } from '../../edge/local/ws-proxy.ts';
import { startJobs } from '../../jobs/worker.ts';
import { type Actor, signedIn } from './auth.ts';
import { serveCore, TEST_EDGE_SIGNING_SECRET } from './core.ts';
import { builtDashboard } from './dashboard.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { captureLogger } from './logs.ts';
import { testPostgres } from './postgres.ts';
import { atRunEnd } from './run-cleanup.ts';

export interface TestEdge {
  /** The worker under wrangler dev (workerd), e.g. http://127.0.0.1:41234 */
  url: string;
  /** Core itself, behind the edge (its /metrics, say, which the edge does not forward). */
  coreUrl: string;
  /** The database behind core, jobs and the edge's own driver. */
  database: TestDatabase;
  coreLogs: Record<string, unknown>[];
  edgeLines: string[];
  /** The secret for the edge's /internal/* endpoints. */
  internalSecret: string;
  /** How many database connections the edge worker has opened so far. */
  edgeDatabaseConnections(): number;
  /** How many messages (queries and their parts) the edge worker has sent to Postgres so far. */
  edgeDatabaseMessages(): number;
}

export interface EdgeStack extends TestEdge {
  /** Stops the edge worker (workerd); its Durable Object storage stays on disk. */
  stopEdge(): Promise<void>;
  /** Starts it again on the same port, over the same storage. */
  startEdge(): Promise<void>;
  /** Stops everything and drops the database. */
  stop(): Promise<void>;
}

let shared: Promise<TestEdge> | undefined;

/**
 * The whole stack, started once per test run on first use: a database, core and jobs over it,
 * the WebSocket proxy for the edge's Neon driver, and the edge worker in real workerd.
 */
export function testEdge(): Promise<TestEdge> {
  shared ??= startEdgeStack({ name: 'edge', jobs: true }).then((stack) => {
    atRunEnd(stack.stop);
    return stack;
  });
  return shared;
}

/** The shared stack and an admin signed in through it: where most tests of the API start. */
export async function testEdgeWithAdmin(): Promise<{ edge: TestEdge; admin: Actor }> {
  const edge = await testEdge();
  return { edge, admin: await signedIn({ url: edge.url, db: edge.database.db }, { roles: ['admin'] }) };
}

/**
 * A stack of its own, for tests that stop parts of it. Without `jobs`, no runner is started:
 * the test runs its own (as a process it can kill) against `database.url` and the edge.
 */
export async function startEdgeStack(opts: {
  name: string;
  jobs: boolean;
  /** Core's identity settings (a short access-token life, say). */
  auth?: Partial<AuthSettings>;
  /** The edge's variables; a function gets core's URL (to put something between them). */
  edgeVars?: (coreUrl: string) => Record<string, string>;
  /**
   * Webhook settings over the configured defaults (short retry delays, say), for the jobs runner
   * and core; a function gets the edge's URL (QStash's callbacks come in through it).
   */
  webhooks?: Partial<WebhookSettings> | ((edgeUrl: string) => Partial<WebhookSettings>);
  /** An OTLP/HTTP collector (test/harness/otlp-receiver.ts): the edge, core and jobs send it their spans. */
  otlpEndpoint?: string;
}): Promise<EdgeStack> {
  const started = performance.now();
  // The dashboard is built (once per run) before any edge starts.
  const [database, assetsDir] = await Promise.all([createTestDatabase(opts.name), builtDashboard()]);
  // Many test files sign in from 127.0.0.1 through this edge: the per-address limit is tested
  // on a core of its own (core/identity/throttle.test.ts), not shared here.
  // Core answers /api/* only to requests the edge signed, as in production: every call the edge
  // makes to core must carry the signature.
  // Held until wrangler starts: core and the database proxy bind port 0 meanwhile, and the
  // system may hand them a port freePort() had only just found free (the proxy once answered
  // the edge's readiness check).
  const edgePortHeld = await heldPort();
  const edgePort = edgePortHeld.port;
  const webhookOverrides =
    typeof opts.webhooks === 'function' ? opts.webhooks(`http://127.0.0.1:${edgePort}`) : opts.webhooks;
  const webhooks = webhookOverrides
    ? { ...webhookSettingsFrom(parseEnv(configSchema, {})), ...webhookOverrides }
    : undefined;
  const { log } = captureLogger({ service: 'jobs' });
  const traces = {
    core: opts.otlpEndpoint ? startProcessTracer(opts.otlpEndpoint, 'varastokkr-core', log) : undefined,
    jobs: opts.otlpEndpoint ? startProcessTracer(opts.otlpEndpoint, 'varastokkr-jobs', log) : undefined,
  };
  const core = serveCore({
    ...(traces.core ? { tracer: traces.core.tracer } : {}),
    db: database.db,
    auth: { loginMaxFailuresPerAddress: 10_000, ...opts.auth },
    requireEdgeSignature: true,
    ...(webhooks ? { webhooks } : {}),
  });
  const internalSecret = `test-internal-${crypto.randomUUID()}`;
  const jobs = opts.jobs
    ? await startJobs({
        databaseUrl: database.url,
        concurrency: 2,
        log,
        cron: false,
        edge: { url: `http://127.0.0.1:${edgePort}`, secret: internalSecret },
        ...(webhooks ? { webhooks } : {}),
        ...(traces.jobs ? { tracer: traces.jobs.tracer } : {}),
      })
    : undefined;
  const pgAddress = new URL(database.url);
  let edgeDatabaseConnections = 0;
  let edgeDatabaseMessages = 0;
  const proxy = startWsProxy({
    port: 0,
    allowed: [`127.0.0.1:${pgAddress.port}`],
    log,
    onOpen: () => edgeDatabaseConnections++,
    onMessage: () => edgeDatabaseMessages++,
  });
  const persistTo = mkdtempSync(join(tmpdir(), 'varastokkr-test-edge-'));
  const edgeLines: string[] = [];
  const launch = async () => {
    const inspectorPort = await freePort();
    await edgePortHeld.release();
    return startWrangler({
      port: edgePort,
      inspectorPort,
      persistTo,
      assetsDir,
      vars: {
        CORE_URL: core.url,
        // The edge's own read-only login: a query it has no grant for fails the test.
        DATABASE_URL: testPostgres().edgeUrl(database.name),
        NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`,
        LOG_LEVEL: 'info',
        GATEWAY_TIMEOUT_MS: '10000',
        INTERNAL_SECRET: internalSecret,
        EDGE_SIGNING_SECRET: TEST_EDGE_SIGNING_SECRET,
        ...(opts.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: opts.otlpEndpoint } : {}),
        ...opts.edgeVars?.(core.url),
      },
      onLine: (line) => {
        edgeLines.push(line);
        if (process.env.TEST_LOG) console.log(`[edge] ${line}`);
      },
    });
  };
  let edge: WranglerHandle | undefined = await launch();
  const url = edge.url;
  console.error(`test edge (wrangler dev) ready in ${Math.round(performance.now() - started)} ms`);
  return {
    url,
    coreUrl: core.url,
    database,
    coreLogs: core.logs,
    edgeLines,
    internalSecret,
    edgeDatabaseConnections: () => edgeDatabaseConnections,
    edgeDatabaseMessages: () => edgeDatabaseMessages,
    stopEdge: async () => {
      await edge?.stop();
      edge = undefined;
    },
    startEdge: async () => {
      edge ??= await launch();
    },
    stop: async () => {
      await edge?.stop();
      proxy.stop(true);
      await jobs?.stop();
      await core.stop();
      await Promise.all([traces.core?.stop(), traces.jobs?.stop()]);
      await database.drop();
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

/** A free port kept bound until `release()` (idempotent), so nothing else in this process takes it. */
async function heldPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  let released: Promise<void> | undefined;
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    release: () => {
      released ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return released;
    },
  };
}
