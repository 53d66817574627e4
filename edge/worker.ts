/**
 * The edge worker: mounts the routes (edge/routes/<area>.ts, named after their URLs) and exports
 * the worker and its Durable Object classes. The gateway, which forwards to core, goes last.
 */
import { createOpenApiRouter, handleErrors, requestLogging, tracing } from '../core/platform/http.ts';
import { cors } from './cors.ts';
import { type EdgeEnv, edgeLogger, edgeLoggerAt, edgeTracer } from './env.ts';
import { barcodeRoutes } from './routes/barcodes.ts';
import { docsRoutes } from './routes/docs.ts';
import { gatewayRoutes, loggedAtDebug } from './routes/gateway.ts';
import { graphqlRoutes } from './routes/graphql.ts';
import { healthRoutes } from './routes/health.ts';
import { internalRoutes } from './routes/internal.ts';
import { productRoutes } from './routes/products.ts';
import { warehouseSocketRoutes } from './routes/warehouse-sockets.ts';

export { CatalogGeneration } from './catalog-generation.ts';
export { CatalogReader } from './catalog-reader.ts';
export { WarehouseStockRoom } from './warehouse-stock-room.ts';

const app = createOpenApiRouter<EdgeEnv>();

// The request's span (continuing the caller's traceparent), sent to the collector once answered.
app.use((c, next) =>
  tracing<EdgeEnv>(edgeTracer(c.env), {
    ended: (ended, tracer) => ended.executionCtx.waitUntil(tracer.flush()),
  })(c, next),
);
// The request line; at debug for what core answered and logged itself (see loggedAtDebug).
app.use((c, next) => requestLogging<EdgeEnv>(edgeLogger(c.env), loggedAtDebug)(c, next));
// Before every route: a preflight carries no credentials, and is answered here.
app.use(cors());
app.route('/', healthRoutes);
app.route('/', docsRoutes(app));
app.route('/', productRoutes);
app.route('/', barcodeRoutes);
app.route('/', internalRoutes);
app.route('/', warehouseSocketRoutes);
app.route('/', graphqlRoutes(app));
app.route('/', gatewayRoutes);

handleErrors(app, edgeLoggerAt('info'));

export default app;
