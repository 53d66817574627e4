import { parseArgs } from 'node:util';
import { openLocalDatabase } from '../db/local-database.ts';
import { createCoreApp } from './app.ts';
import { createLabelRenderer } from './catalog/label-rendering.ts';
import { productRefListenerFor } from './catalog/product-ref-listener.ts';
import { authSettingsFrom } from './identity/settings.ts';
import { createHttpInventoryClient } from './inventory/client.ts';
import { config, holdSettingsFrom } from './platform/config.ts';
import { connectDatabase } from './platform/database.ts';
import { createLogger } from './platform/logger.ts';
import { onShutdown } from './platform/shutdown.ts';
import { startProcessTracer } from './platform/trace-context.ts';
import { isServiceName, type ServiceName, serviceNames } from './services.ts';
import { webhookSettingsFrom } from './webhooks/settings.ts';

// bun core/main.ts                      all services in one process
// bun core/main.ts --service inventory  one service (repeat --service for several)
const { values } = parseArgs({ options: { service: { type: 'string', multiple: true } } });
const requested = (values.service ?? []).flatMap((s) => s.split(','));
const unknown = requested.filter((s) => !isServiceName(s));
if (unknown.length > 0) {
  console.error(`Unknown service ${unknown.join(', ')}; choose from ${serviceNames.join(', ')}.`);
  process.exit(2);
}
const services: ServiceName[] = requested.length > 0 ? (requested as ServiceName[]) : [...serviceNames];

const cfg = config();
const log = createLogger(
  { service: services.length === serviceNames.length ? 'core' : services.join('+') },
  cfg.LOG_LEVEL,
);
const database = await openLocalDatabase((line) => log.debug(line));
const handle = connectDatabase(database.url, { max: cfg.DB_POOL_MAX, application: 'varastokkr-core', log });
const catalogListener = productRefListenerFor({
  services,
  listenUrl: cfg.DATABASE_LISTEN_URL,
  databaseUrl: database.url,
  client: handle.db.$client,
  log,
});
// Inventory in another process: reach it over HTTP, as its API, not through its tables.
const remoteInventory = !services.includes('inventory') && cfg.INVENTORY_URL;
if (remoteInventory && !cfg.CORE_INTERNAL_SECRET) {
  console.error('INVENTORY_URL needs CORE_INTERNAL_SECRET (the same value in both processes).');
  process.exit(2);
}
const traces =
  cfg.OTEL_EXPORTER_OTLP_ENDPOINT &&
  startProcessTracer(cfg.OTEL_EXPORTER_OTLP_ENDPOINT, 'varastokkr-core', log);
const labels = createLabelRenderer({ workers: cfg.LABEL_RENDER_WORKERS, queue: cfg.LABEL_RENDER_QUEUE });
const app = createCoreApp({
  db: handle.db,
  labels,
  log,
  services,
  maxBodyBytes: cfg.MAX_BODY_BYTES,
  importMaxBytes: cfg.IMPORT_MAX_BYTES,
  auth: authSettingsFrom(cfg),
  holds: holdSettingsFrom(cfg),
  webhooks: webhookSettingsFrom(cfg),
  internalSecret: cfg.CORE_INTERNAL_SECRET,
  // In production core answers /api/* only through the edge (direct calls are refused).
  edgeTrust: {
    secrets: [cfg.EDGE_SIGNING_SECRET, cfg.EDGE_SIGNING_SECRET_PREVIOUS],
    required: cfg.NODE_ENV === 'production',
  },
  metrics: { token: cfg.METRICS_TOKEN, production: cfg.NODE_ENV === 'production' },
  tracer: traces ? traces.tracer : undefined,
  ...(remoteInventory && cfg.CORE_INTERNAL_SECRET
    ? { inventory: createHttpInventoryClient(remoteInventory, cfg.CORE_INTERNAL_SECRET) }
    : {}),
});

const server = Bun.serve({ hostname: cfg.CORE_HOST, port: cfg.CORE_PORT, fetch: app.fetch });
log.info('core listening', { url: `http://${cfg.CORE_HOST}:${server.port}`, services });

onShutdown(async (signal) => {
  log.info('stopping: finishing in-flight requests', { signal });
  // Stop accepting and wait for open requests, but not forever for a hung one.
  await Promise.race([server.stop(), Bun.sleep(10_000).then(() => server.stop(true))]);
  labels.close();
  await catalogListener?.stop();
  if (traces) await traces.stop();
  await handle.close();
  await database.stop();
});
