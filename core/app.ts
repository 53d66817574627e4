import type { OpenAPIHono } from '@hono/zod-openapi';
import { analyticsRoutes } from './analytics/routes.ts';
import { type AppEnv, createRouter, provideRuntime } from './app-env.ts';
import { auditWrites } from './audit/request-audit.ts';
import { auditRoutes } from './audit/routes.ts';
import { createLabelRenderer, type LabelRenderer } from './catalog/label-rendering.ts';
import { catalogRoutes, IMPORT_PATH } from './catalog/routes.ts';
import { metricsRoutes } from './health/metrics.ts';
import { readinessRoutes } from './health/readiness.ts';
import { healthRoutes } from './health/routes.ts';
import { identityRoutes } from './identity/routes.ts';
import { createIdentityRuntime } from './identity/runtime.ts';
import type { AuthSettings } from './identity/settings.ts';
import { integrationsRoutes } from './integrations/routes.ts';
import { createLocalInventoryClient, type InventoryClient } from './inventory/client.ts';
import { inventoryInternalRoutes } from './inventory/internal-routes.ts';
import { inventoryRoutes } from './inventory/routes.ts';
import { ordersRoutes } from './orders/routes.ts';
import { configSchema, type HoldSettings, holdSettingsFrom } from './platform/config.ts';
import type { Database } from './platform/database.ts';
import { type EdgeTrustOptions, trustEdge } from './platform/edge-trust.ts';
import { parseEnv } from './platform/env.ts';
import { handleErrors, limitBody, requestLogging, tracing } from './platform/http.ts';
import { httpMetrics, type MetricsAccess } from './platform/http-metrics.ts';
import type { Logger } from './platform/logger.ts';
import { MetricsRegistry, processMetrics } from './platform/metrics.ts';
import { apiInfo, apiServers, apiTags } from './platform/openapi.ts';
import { traceContext } from './platform/trace-context.ts';
import { formatTraceparent, type Tracer } from './platform/tracing.ts';
import { purchasingRoutes } from './purchasing/routes.ts';
import type { ServiceName } from './services.ts';
import { webhooksRoutes } from './webhooks/routes.ts';
import { type WebhookSettings, webhookSettingsFrom } from './webhooks/settings.ts';

const routers: Record<ServiceName, OpenAPIHono<AppEnv>> = {
  identity: identityRoutes,
  catalog: catalogRoutes,
  inventory: inventoryRoutes,
  orders: ordersRoutes,
  purchasing: purchasingRoutes,
  integrations: integrationsRoutes,
  webhooks: webhooksRoutes,
  audit: auditRoutes,
  analytics: analyticsRoutes,
};

export interface CoreAppOptions {
  db: Database;
  log: Logger;
  services: readonly ServiceName[];
  maxBodyBytes: number;
  /** The limit for CSV imports, which stream; other bodies get maxBodyBytes. */
  importMaxBytes?: number;
  auth: AuthSettings;
  /** Inventory's API for the other services: in process unless inventory runs elsewhere. */
  inventory?: InventoryClient;
  /** Authenticates services in other processes calling this one's /internal/* endpoints. */
  internalSecret?: string | undefined;
  /** EDGE_SIGNING_SECRET, and whether unsigned API calls are refused (production). */
  edgeTrust?: EdgeTrustOptions;
  /** Draws labels off the request loop; by default two threads and eight waiting renders. */
  labels?: LabelRenderer;
  /** Caps on held stock; the configured defaults when not given. */
  holds?: HoldSettings;
  /** Webhook settings (QStash's, for its callbacks); the configured defaults when not given. */
  webhooks?: WebhookSettings;
  /** Who may read /metrics (METRICS_TOKEN); not given, anyone (development). */
  metrics?: MetricsAccess;
  /** Exports a span per request (OTEL_EXPORTER_OTLP_ENDPOINT); without it, only trace ids for the logs. */
  tracer?: Tracer | undefined;
}

/** What core's /openapi.json is made with; the edge merges it into the public document. */
const coreDocumentConfig = { openapi: '3.1.0', info: apiInfo, servers: apiServers, tags: apiTags } as const;

/** Serves the document at /openapi.json and declares the credentials routes ask for. */
function documentCore(app: OpenAPIHono<AppEnv>): void {
  app.doc31('/openapi.json', coreDocumentConfig);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from POST /api/auth/login (ES256, 15 minutes)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'A partner API key from POST /api/api-keys',
  });
}

/**
 * Core's OpenAPI document for every service, without a database or a running process (for
 * `bun run openapi`): the same routes and fields createCoreApp serves at /openapi.json.
 */
export function coreOpenApiDocument() {
  const app = createRouter();
  for (const router of Object.values(routers)) app.route('/', router);
  documentCore(app);
  return app.getOpenAPI31Document(coreDocumentConfig);
}

/** The core HTTP app for some or all services, with health and the OpenAPI document. */
export function createCoreApp(opts: CoreAppOptions): OpenAPIHono<AppEnv> {
  const app = createRouter();
  // This app's own requests; the batchers are the process's (processMetrics).
  const registry = new MetricsRegistry();
  app.use(
    httpMetrics(registry),
    tracing(opts.tracer, { within: (span, next) => traceContext.run(formatTraceparent(span), next) }),
    requestLogging(opts.log),
    trustEdge(opts.edgeTrust ?? { required: false }),
    provideRuntime(
      opts.db,
      createIdentityRuntime(opts.db, opts.auth),
      opts.inventory ?? createLocalInventoryClient(opts.db),
    ),
    auditWrites(),
  );
  const labels = opts.labels ?? createLabelRenderer({ workers: 2, queue: 8 });
  const holds = opts.holds ?? holdSettingsFrom(parseEnv(configSchema, {}));
  const webhooks = opts.webhooks ?? webhookSettingsFrom(parseEnv(configSchema, {}));
  app.use((c, next) => {
    c.set('labels', labels);
    c.set('holds', holds);
    c.set('webhooks', webhooks);
    return next();
  });
  const bodyLimit = limitBody(opts.maxBodyBytes);
  const importMaxBytes = opts.importMaxBytes ?? 256 * 1024 * 1024;
  // Imports stream, so they count their own bytes as they read (see catalog/csv.ts).
  app.use('/api/*', (c, next) => {
    if (c.req.path !== IMPORT_PATH) return bodyLimit(c, next);
    c.set('importMaxBytes', importMaxBytes);
    return next();
  });
  app.route('/', healthRoutes(opts.services, opts.db, opts.log));
  app.route('/', readinessRoutes(opts.db, opts.log));
  app.route('/', metricsRoutes(opts.metrics ?? { production: false }, [registry, processMetrics]));
  for (const name of opts.services) app.route('/', routers[name]);
  if (opts.services.includes('inventory')) app.route('/', inventoryInternalRoutes(opts.internalSecret));
  documentCore(app);
  handleErrors(app, opts.log);
  return app;
}
