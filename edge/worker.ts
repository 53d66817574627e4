/**
 * The edge worker: mounts the routes (edge/routes/<area>.ts, named after their URLs) and exports
 * the worker and its Durable Object classes. The gateway, which forwards to core, goes last.
 */
import type { Context } from 'hono';
import { createOpenApiRouter, handleErrors, requestLogging } from '../core/platform/http.ts';
import { cors } from './cors.ts';
import { type EdgeEnv, edgeLogger, edgeLoggerAt } from './env.ts';
import { barcodeRoutes } from './routes/barcodes.ts';
import { docsRoutes } from './routes/docs.ts';
import { gatewayRoutes } from './routes/gateway.ts';
import { healthRoutes } from './routes/health.ts';
import { internalRoutes } from './routes/internal.ts';
import { productRoutes } from './routes/products.ts';
import { warehouseSocketRoutes } from './routes/warehouse-sockets.ts';

export { CatalogGeneration } from './catalog-generation.ts';
export { WarehouseStockRoom } from './warehouse-stock-room.ts';

const app = createOpenApiRouter<EdgeEnv>();

/**
 * The edge's request line goes at debug for a request core answered (core logs it under the same
 * request id) and for a successful call from our own services to /internal/* (the rooms' feed,
 * one per tick); what the edge answers itself (a 401, a 413, a product read) stays at info, and
 * a 5xx at error. Under `wrangler dev` each console line costs the request several milliseconds
 * (bench/edge-hop.ts); deployed, each is a billed Workers log event.
 */
const loggedAtDebug = (c: Context<EdgeEnv>) =>
  c.get('forwardedTo') !== undefined || (c.req.path.startsWith('/internal/') && c.res.status < 400);

app.use((c, next) => requestLogging<EdgeEnv>(edgeLogger(c.env), loggedAtDebug)(c, next));
// Before every route: a preflight carries no credentials, and is answered here.
app.use(cors());
app.route('/', healthRoutes);
app.route('/', docsRoutes(app));
app.route('/', productRoutes);
app.route('/', barcodeRoutes);
app.route('/', internalRoutes);
app.route('/', warehouseSocketRoutes);
app.route('/', gatewayRoutes);

handleErrors(app, edgeLoggerAt('info'));

export default app;
