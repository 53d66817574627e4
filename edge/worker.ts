/**
 * The edge worker: mounts the routes (edge/routes/<area>.ts, named after their URLs) and exports
 * the worker and its Durable Object classes. The gateway, which forwards to core, goes last.
 */
import { perKey } from '../core/platform/batcher.ts';
import { createOpenApiRouter, handleErrors, requestLogging, tracing } from '../core/platform/http.ts';
import type { Logger } from '../core/platform/logger.ts';
import type { Tracer } from '../core/platform/tracing.ts';
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

// The tracer and logger come from the bindings, known per request: the middleware is built once
// per tracer and logger (building it per request cost a closure and its name every time).
const tracingWith = perKey((tracer: Tracer) =>
  tracing<EdgeEnv>(tracer, { ended: (ended, t) => ended.executionCtx.waitUntil(t.flush()) }),
);
const untraced = tracing<EdgeEnv>(undefined);
const requestLoggingWith = perKey((log: Logger) => requestLogging<EdgeEnv>(log, loggedAtDebug));

// The request's span (continuing the caller's traceparent), sent to the collector once answered.
app.use((c, next) => {
  const tracer = edgeTracer(c.env);
  return (tracer ? tracingWith(tracer) : untraced)(c, next);
});
// The request line; at debug for what core answered and logged itself (see loggedAtDebug).
app.use((c, next) => requestLoggingWith(edgeLogger(c.env))(c, next));
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
